#!/usr/bin/env bash
# Installs everything that the build, the demo and the tests need on Debian 12
# (bookworm), as root. Idempotent: running it again changes nothing.
#
#   scripts/setup.sh            build + demo + test dependencies
#
# Nothing is downloaded except Debian packages (apt) and npm packages pinned by
# web/package-lock.json.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if [[ $(id -u) -ne 0 ]]; then
  echo "setup.sh: must run as root (apt-get install)" >&2
  exit 2
fi

export DEBIAN_FRONTEND=noninteractive

packages=(
  # toolchain
  cmake ninja-build ccache pkg-config g++ clang-19 libclang-rt-19-dev
  clang-format clang-tidy
  # libraries
  libboost1.81-dev libcurl4-openssl-dev libssl-dev zlib1g-dev openssl
  nlohmann-json3-dev libxml2-dev libxml2-utils libarchive-dev
  libsqlite3-dev sqlite3 libpq-dev libmagic-dev libqpdf-dev qpdf
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  libkainjow-mustache-dev libsodium-dev prometheus-cpp-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev librapidcheck-dev
  python3-jwcrypto
  # neighbours the hub talks to, started by the tests on loopback
  postgresql clamav clamav-daemon clamav-testfiles poppler-utils
  # UI tests
  chromium nodejs
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]})); then
  echo "setup.sh: installing ${#missing[@]} Debian packages" >&2
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm is packaged separately from Debian's own nodejs; a NodeSource node
# bundles it. Install Debian's npm only when none is there.
if ! command -v npm >/dev/null; then
  apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# valijson is header-only, but its Debian package hard-depends on Qt, Poco and
# four other JSON libraries it can adapt to. Unpack the headers alone.
valijson_dir=/usr/local/lib/drehscheibe/valijson
if [[ ! -f $valijson_dir/usr/include/valijson/validator.hpp ]]; then
  tmp="$(mktemp -d)"; chmod 755 "$tmp"
  (cd "$tmp" && apt-get download -qq libvalijson-dev >/dev/null)
  mkdir -p "$valijson_dir"
  dpkg -x "$tmp"/libvalijson-dev_*.deb "$valijson_dir"
  rm -rf "$tmp"
fi

# npm packages for the tests (cross-implementation oracles, browser driver).
if [[ -f $here/web/package-lock.json ]]; then
  (cd "$here/web" && npm ci --no-audit --no-fund --loglevel=error)
fi

echo "setup.sh: ok" >&2
