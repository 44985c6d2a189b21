#!/usr/bin/env bash
# Installs what the integration tests need, idempotently:
#  - redis-server from Debian's packages;
#  - FerretDB v1 (a MongoDB wire-protocol server, SQLite backend) built from the Go module proxy,
#    cached outside the repo in ${CHUNGTAY_CACHE:-$HOME/.cache/chung-tay}/ferretdb-<version>.
# A plain `go install` of FerretDB gives a binary that panics at start (its version file is empty
# in the module), so the module is copied, the version written in, and built from there.
set -euo pipefail
FERRETDB_VERSION="${FERRETDB_VERSION:-v1.24.2}"
CACHE="${CHUNGTAY_CACHE:-$HOME/.cache/chung-tay}"
BIN="$CACHE/ferretdb-$FERRETDB_VERSION"

if ! command -v redis-server >/dev/null 2>&1; then
  echo "install-test-services: installing redis-server (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi
echo "install-test-services: $(redis-server --version | cut -d' ' -f1-3)"

if [ ! -x "$BIN" ]; then
  command -v go >/dev/null 2>&1 || { echo "install-test-services: Go is needed to build FerretDB" >&2; exit 1; }
  echo "install-test-services: building FerretDB $FERRETDB_VERSION (first time only)"
  mkdir -p "$CACHE"
  src_dir=$(cd "$CACHE" && GOFLAGS=-mod=mod go mod download -json "github.com/FerretDB/FerretDB@$FERRETDB_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
  work=$(mktemp -d)
  cp -r "$src_dir/." "$work/"
  chmod -R u+w "$work"
  echo "$FERRETDB_VERSION" > "$work/build/version/version.txt"
  (cd "$work" && CGO_ENABLED=0 go build -o "$BIN.tmp" ./cmd/ferretdb)
  mv "$BIN.tmp" "$BIN"
  rm -rf "$work"
fi
echo "install-test-services: FerretDB at $BIN"

# Chromium from Debian's packages for the browser suites (driven by playwright-core, never a
# downloaded browser build).
if ! command -v chromium >/dev/null 2>&1; then
  echo "install-test-services: installing chromium (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core fonts-noto-color-emoji >/dev/null
fi
# The bot's buttons carry emoji: without a colour emoji font, screenshots show empty boxes.
if ! dpkg -s fonts-noto-color-emoji >/dev/null 2>&1; then
  echo "install-test-services: installing fonts-noto-color-emoji (Debian)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-color-emoji >/dev/null
fi
echo "install-test-services: $(chromium --version 2>/dev/null | head -1)"
