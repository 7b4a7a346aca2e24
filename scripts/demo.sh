#!/usr/bin/env bash
# Sets everything up, builds drehscheibe and runs `drehscheibe demo` on the
# embedded defaults (data in ./drehscheibe-data). Extra arguments go to the
# demo, e.g. `scripts/demo.sh --once`.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
# ccache keys on relative paths, so a fresh clone reuses earlier builds.
export CCACHE_BASEDIR="$here"
# -g builds hash the working directory unless told not to; a clone elsewhere
# on the same machine should still hit the cache.
export CCACHE_NOHASHDIR=1

bash scripts/setup.sh
cmake --preset release >/dev/null
# Only the program: the tests and benchmarks are built by scripts/test.sh.
cmake --build --preset release -j "$(nproc)" --target drehscheibe
exec "$here/build/release/src/cli/drehscheibe" demo "$@"
