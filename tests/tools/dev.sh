#!/usr/bin/env bash
# README command one: the local stack (anvil with Minty deployed, the local
# storage service and gateway, trunk serve). Options go to `minty-devstack up`,
# e.g. --fresh to start from an empty chain and storage.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/tools/install.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
cargo build --quiet -p minty-devstack
exec target/debug/minty-devstack up "$@"
