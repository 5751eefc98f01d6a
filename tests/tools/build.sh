#!/usr/bin/env bash
# `npm run build`: the release bundle, in dist/ unless `--dist DIR` is given
# (further arguments go to `trunk build`). Host the folder anywhere static.
#
# `--cfg erase_components` makes Leptos type-erase component and view trees
# (AnyView) instead of monomorphising each one: the same app, and 795 ->
# 711 kB of gzipped wasm when it came in. A plain `trunk build --release` still
# works; it is only larger. The dev stack sets the same flag for
# `trunk serve` (tests/devstack/src/stack.rs), so the e2e stories drive this
# configuration, while clippy checks the other.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/tools/install.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
export RUSTFLAGS="${RUSTFLAGS:-} --cfg erase_components"
exec trunk build --release "$@"
