#!/usr/bin/env bash
# Sets everything up and runs all tests: unit, functional (over HTTP on
# loopback) and integration (against a real PostgreSQL and clamd, which the
# tests start themselves on loopback and stop again).
#
#   scripts/test.sh            as root on Debian 12
#
# Environment: DREHSCHEIBE_SPECS (default ../shared/specs beside the checkout),
# DS_BUILD_PRESET (default ci: warnings are errors).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
# ccache keys on relative paths, so a fresh clone reuses earlier builds.
export CCACHE_BASEDIR="$here"
# -g builds hash the working directory unless told not to; a clone elsewhere
# on the same machine should still hit the cache.
export CCACHE_NOHASHDIR=1

bash scripts/setup.sh

preset="${DS_BUILD_PRESET:-ci}"
export DREHSCHEIBE_SPECS="${DREHSCHEIBE_SPECS:-$(cd "$here/.." && pwd)/shared/specs}"
if [[ ! -d $DREHSCHEIBE_SPECS/fit-connect ]]; then
  echo "test.sh: no specs at $DREHSCHEIBE_SPECS (set DREHSCHEIBE_SPECS)" >&2
  exit 2
fi

echo "test.sh: configure and build ($preset)" >&2
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"

echo "test.sh: ctest" >&2
ctest --preset "$preset" --timeout 600

# libFuzzer targets of the JOSE parsers, briefly (clang-19 build).
if command -v clang++-19 >/dev/null; then
  echo "test.sh: fuzz (15 s per target)" >&2
  bash scripts/fuzz.sh 15
fi

# Node tests: cross-implementation checks against npm `jose` and the browser
# tests of the UI (playwright-core driving Debian's chromium).
shopt -s nullglob
node_tests=(web/tests/*.test.mjs)
if ((${#node_tests[@]})); then
  echo "test.sh: node tests" >&2
  (cd web && DS_BIN="$here/build/$preset/src/cli/drehscheibe" \
     node --test "${node_tests[@]#web/}")
fi
