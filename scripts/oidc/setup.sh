#!/bin/sh
# Installs the OpenID Connect provider for the SSO tests (provider.mjs and the certified
# oidc-provider package from package-lock.json) into var/cache/oidc. Cached: a second run
# with the same lock file does nothing.
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
APP=${CIVICSOCIAL_OIDC_CACHE:-$ROOT/var/cache/oidc}
if ! cmp -s "$HERE/package-lock.json" "$APP/package-lock.json" || [ ! -d "$APP/node_modules" ]; then
    echo "oidc provider: installing oidc-provider from the npm registry (once)"
    rm -rf "$APP" && mkdir -p "$APP"
    cp "$HERE/package.json" "$HERE/package-lock.json" "$APP/"
    (cd "$APP" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
cp "$HERE/provider.mjs" "$APP/provider.mjs"
echo "oidc provider: ready ($APP)"
