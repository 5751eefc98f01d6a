#!/usr/bin/env bash
# `npm run build`: the release bundle, in dist/ unless `--dist DIR` is given
# (further arguments go to `trunk build`). Host the folder anywhere static.
# The Rust app itself is built by trunk's hook, tests/tools/app-build.mjs.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash tests/tools/install.sh
export PATH="$HOME/.cargo/bin:$PWD/node_modules/.bin:$PATH"
exec trunk build --release "$@"
