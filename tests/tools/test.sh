#!/usr/bin/env bash
# README command two: every test. Formatting and lints, native unit and
# integration tests (the pure core, the CLI against ipfs-car, the contract
# against anvil, the storage service), the contract artifact check, then
# end-to-end stories in headless Chromium against the real local stack.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/tools/install.sh --browser
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"

# The quick checks first, so a style slip fails in seconds, not after the
# slow suites.
echo "==> cargo fmt --check, clippy (native and the wasm app)"
cargo fmt --all -- --check
cargo clippy --quiet --workspace --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --lib --bins -- -D warnings

echo "==> cargo test (core, CLI conformance, contract, storage service)"
cargo test --workspace

echo "==> CSP hook, contract artifact and end-to-end tests"
cargo build --quiet -p minty-devstack
node --test --test-concurrency=1 tests/tools/*.test.mjs tests/contract/*.test.mjs tests/e2e/*.test.mjs
