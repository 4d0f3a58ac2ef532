#!/usr/bin/env bash
# `make test-clock`: the SQLite suite with the clock moved by libfaketime (Debian's
# faketime) to each moment scripts/clock-days.py names. A relative offset keeps every
# child process (the local Bluesky servers, the CLI under test) on the same moved clock.
# Prints one closing line over all runs; exits 1 if any test failed in any of them.
set -uo pipefail
cd "$(dirname "$0")/.."
results=var/test-results/clock
rm -rf "$results" && mkdir -p "$results"
command -v faketime >/dev/null || { echo "faketime is not installed (make system-deps)" >&2; exit 1; }
.venv/bin/python scripts/clock-days.py > "$results/moments.tsv"
while IFS=$'\t' read -r label offset moment; do
  echo "== $label: the clock reads $moment"
  CIVICSOCIAL_DEBUG=1 CIVICSOCIAL_REQUIRE_BLUESKY=1 DATABASE_URL= \
    faketime -f "$offset" .venv/bin/pytest -p no:cacheprovider --junitxml="$results/$label.xml" "$@"
done < "$results/moments.tsv"
.venv/bin/python scripts/test-summary.py "$results"
