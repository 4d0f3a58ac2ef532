#!/usr/bin/env bash
# Installs the Debian packages the suite needs, when they are missing:
# a PostgreSQL server (the suite's second database) and Chromium with its driver
# (the browser test), Redis, and the fonts and PDF tools of the thread PDFs.
# Needs root or sudo; prints what to do otherwise.
# `system-deps.sh fonts` installs the fonts alone (make demo: productions in any script).
set -euo pipefail
missing=()
only="${1:-all}"
if [ "$only" = all ]; then
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
# A Redis server: the suite checks Huey's Redis queue against a real one on 127.0.0.1.
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
# Stock openssl and jq: the suite checks a production's signature, time-stamp and file
# hashes with the same commands the README gives someone without Civic Social.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v jq >/dev/null 2>&1 || missing+=(jq)
fi
# Fonts for the thread PDFs of FOIL productions, in every script residents write
# (records/fonts.py): Noto for each script, Noto CJK, Noto Color Emoji. (Above: poppler's
# pdftotext and pdffonts, with which the suite reads those PDFs back.)
[ -f /usr/share/fonts/truetype/noto/NotoSans-Regular.ttf ] || missing+=(fonts-noto-core)
[ -f /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || missing+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || missing+=(fonts-noto-color-emoji)
[ ${#missing[@]} -eq 0 ] && exit 0
echo "Installing Debian packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
if [ -n "$sudo" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "Need root to install ${missing[*]} (apt-get install ${missing[*]})." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
