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
cmake --build build/fuzz -j2 --target fuzz_jwe fuzz_jws fuzz_jwk fuzz_fitconnect \
  fuzz_gate fuzz_multipart fuzz_xdomea
export DREHSCHEIBE_SPECS="$specs"  # fuzz_fitconnect loads the metadata schemas

work="build/fuzz/corpus"
mkdir -p "$work"/{jwe,jws,jwk,fitconnect,gate,multipart,xdomea} build/fuzz/artifacts
seed() {  # seed DIR FILE...: copies readable vectors into a corpus directory
  local dir=$1; shift
  for f in "$@"; do [[ -r $f ]] && cp "$f" "$work/$dir/" || true; done
}
seed jwe "$vectors/jose-utils/encodedString.txt"
seed jws "$vectors/derived/"*.jwt "$vectors/derived/"*.jws
seed jwk "$vectors/jose-utils/privateKey.txt" "$vectors/jose-utils/jwks.json" \
  "$vectors/jose-utils/jwks2.json"
seed fitconnect "$vectors/derived/"*.json "$vectors/derived/"*.jwt

# The gate: one seed per format family (magic bytes and a minimal body).
printf '%%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%%%EOF\n' \
  > "$work/gate/pdf"
printf 'PK\005\006\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0' > "$work/gate/zip"
printf '\211PNG\r\n\032\n\0\0\0\rIHDR\0\0\0\001\0\0\0\001\010\0\0\0\0' \
  > "$work/gate/png"
printf '{"antrag":{"name":"x","betrag":1.5,"liste":[1,2]}}' > "$work/gate/json"
printf '<?xml version="1.0"?><a xmlns="urn:x"><b>1</b></a>' > "$work/gate/xml"
printf '{\\rtf1{\\object\\objdata 01}}' > "$work/gate/rtf"

# The gateway's multipart parser: the first byte picks the chunk size.
printf '\007--b0und\r\nContent-Disposition: form-data; name="data"\r\nContent-Type: application/json\r\n\r\n{}\r\n--b0und\r\nContent-Disposition: form-data; name="attachment"; filename="a.pdf"\r\n\r\n%%PDF\r\n--b0und--\r\n' \
  > "$work/multipart/two-parts"

run_gate() {
  echo "fuzz.sh: fuzz_gate for ${seconds}s" >&2
  build/fuzz/fuzz/fuzz_gate "$work/gate" -max_total_time="$seconds" \
    -max_len=131072 -timeout=15 -rss_limit_mb=3000 \
    -artifact_prefix=build/fuzz/artifacts/ -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "fuzz.sh: fuzz_gate failed" >&2; exit 1; }
}

for target in jwe jws jwk fitconnect; do
  echo "fuzz.sh: fuzz_$target for ${seconds}s" >&2
  "build/fuzz/fuzz/fuzz_$target" "$work/$target" -dict=fuzz/jose.dict \
    -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
    -artifact_prefix=build/fuzz/artifacts/ -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
  # grep hides libFuzzer's chatter; its exit status is in PIPESTATUS.
  [[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "fuzz.sh: fuzz_$target failed" >&2; exit 1; }
done
run_gate

echo "fuzz.sh: fuzz_multipart for ${seconds}s" >&2
build/fuzz/fuzz/fuzz_multipart "$work/multipart" -max_total_time="$seconds" \
  -max_len=8192 -rss_limit_mb=2048 -artifact_prefix=build/fuzz/artifacts/ \
  -print_final_stats=1 2>&1 |
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
[[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "fuzz.sh: fuzz_multipart failed" >&2; exit 1; }

# xdomea: seeds are the example packages (mode byte 0) and messages (1).
for z in "$specs"/xdomea/examples/x-man-testdata-3.0.0/*.zip; do
  [[ -r $z ]] && { printf '\000'; cat "$z"; } > "$work/xdomea/$(basename "$z")" || true
done
for x in "$specs"/xdomea/examples/lath-toolkit-patterns-3.0.0/*.xml; do
  [[ -r $x ]] && { printf '\001'; cat "$x"; } > "$work/xdomea/$(basename "$x")" || true
done
echo "fuzz.sh: fuzz_xdomea for ${seconds}s" >&2
build/fuzz/fuzz/fuzz_xdomea "$work/xdomea" -max_total_time="$seconds" \
  -max_len=1048576 -timeout=15 -rss_limit_mb=3000 \
  -artifact_prefix=build/fuzz/artifacts/ -print_final_stats=1 2>&1 |
  grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)' || true
[[ ${PIPESTATUS[0]} -eq 0 ]] || { echo "fuzz.sh: fuzz_xdomea failed" >&2; exit 1; }
