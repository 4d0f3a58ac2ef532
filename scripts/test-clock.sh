#!/usr/bin/env bash
# `make test-clock`: the SQLite suite with the wall clock moved by libfaketime to each
# moment scripts/clock-days.py names (issue 11). A relative offset (FAKETIME=+N) keeps
# every child process (the local Bluesky servers, the CLI under test) on the same moved
# clock. Only the wall clock moves (FAKETIME_DONT_FAKE_MONOTONIC): Python times every
# wait on CLOCK_MONOTONIC.
#
# The library is upstream libfaketime as PyPI's libfaketime package ships it, built
# without its sleep hooks. Debian bookworm's libfaketime 0.9.10 cannot run Python 3.11
# forward in time: with the monotonic clock moved, every timed wait (queue.get(timeout=),
# Event.wait) blocks for the whole offset, since it does not hook sem_clockwait; with
# the monotonic clock left alone, its clock_nanosleep hook makes time.sleep fail with
# EINVAL.
# Prints one closing line over all runs; exits 1 if any test failed in any of them.
set -uo pipefail
cd "$(dirname "$0")/.."
results=var/test-results/clock
rm -rf "$results" && mkdir -p "$results"
library=$(.venv/bin/python -c 'import libfaketime, pathlib
print(pathlib.Path(libfaketime.__file__).parent / "vendor/libfaketime/src/libfaketime.so.1")')
[ -f "$library" ] || { echo "libfaketime is not installed (make install)" >&2; exit 1; }
.venv/bin/python scripts/clock-days.py > "$results/moments.tsv"
while IFS=$'\t' read -r label offset moment; do
  echo "== $label: the clock reads $moment"
  CIVICSOCIAL_DEBUG=1 CIVICSOCIAL_REQUIRE_BLUESKY=1 DATABASE_URL= \
    LD_PRELOAD="$library" FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1 \
    .venv/bin/pytest -p no:cacheprovider --junitxml="$results/$label.xml" "$@" </dev/null
done < "$results/moments.tsv"
.venv/bin/python scripts/test-summary.py "$results"
