#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz, clang-19) and runs each for a
# short time, seeded from the FIT-Connect vectors in $DREHSCHEIBE_SPECS.
#
#   scripts/fuzz.sh [SECONDS]       default 20 per target
#
# Exit status is non-zero if a target crashes; the crashing input is left in
# build/fuzz/artifacts/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
seconds="${1:-20}"
specs="${DREHSCHEIBE_SPECS:-$(cd "$here/.." && pwd)/shared/specs}"
vectors="$specs/fit-connect/test-vectors"

cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j2 --target fuzz_jwe fuzz_jws fuzz_jwk

work="build/fuzz/corpus"
mkdir -p "$work"/{jwe,jws,jwk} build/fuzz/artifacts
seed() {  # seed DIR FILE...: copies readable vectors into a corpus directory
  local dir=$1; shift
  for f in "$@"; do [[ -r $f ]] && cp "$f" "$work/$dir/" || true; done
}
seed jwe "$vectors/jose-utils/encodedString.txt"
seed jws "$vectors/derived/"*.jwt "$vectors/derived/"*.jws
seed jwk "$vectors/jose-utils/privateKey.txt" "$vectors/jose-utils/jwks.json" \
  "$vectors/jose-utils/jwks2.json"

for target in jwe jws jwk; do
  echo "fuzz.sh: fuzz_$target for ${seconds}s" >&2
  "build/fuzz/fuzz/fuzz_$target" "$work/$target" -dict=fuzz/jose.dict \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
    -artifact_prefix=build/fuzz/artifacts/ -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
  # grep hides libFuzzer's chatter; its exit status is in PIPESTATUS.
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "fuzz.sh: fuzz_$target failed" >&2; exit 1; }
done
