#!/usr/bin/env bash
# `make test-clock`: the SQLite suite with the wall clock moved by libfaketime to each
# moment scripts/clock-days.py names (issue 11). A relative offset (FAKETIME=+N) keeps
# every child process (the local Bluesky servers, the CLI under test) on the same moved
# clock. Only the wall clock moves (FAKETIME_DONT_FAKE_MONOTONIC): Python times every
# wait on CLOCK_MONOTONIC.
#
# libfaketime 0.9.10 is built here from the source PyPI's libfaketime package ships, the
# way that package builds it (no sleep, stat or utime hooks), as its thread-safe variant
# (libfaketimeMT): the suite runs servers in threads, and the single-threaded library
# crashed one run as a thread exited. Debian's build of the same version cannot run
# Python 3.11 forward in time: its clock_nanosleep hook makes time.sleep fail with EINVAL
# once the monotonic clock is left alone, and with the monotonic clock moved every timed
# wait (queue.get(timeout=...)) blocks for the whole offset (sem_clockwait is not hooked).
# Prints one closing line over all runs; exits 1 if any test failed in any of them.
set -uo pipefail
cd "$(dirname "$0")/.."
results=var/test-results/clock
rm -rf "$results" && mkdir -p "$results"
build=var/cache/libfaketime
library=$(pwd)/$build/src/libfaketimeMT.so.1  # absolute: child processes may run elsewhere
if [ ! -f "$library" ]; then
  source=$(.venv/bin/python -c 'import libfaketime, pathlib
print(pathlib.Path(libfaketime.__file__).parent / "vendor/libfaketime")') || exit 1
  rm -rf "$build" && mkdir -p "$(dirname "$build")" && cp -r "$source" "$build" && rm -f "$build"/src/*.so*
  FAKETIME_COMPILE_CFLAGS="-UFAKE_STAT -UFAKE_UTIME -UFAKE_SLEEP" make -s -C "$build/src" libfaketimeMT.so.1 \
    || { echo "could not build libfaketime (needs gcc and make)" >&2; exit 1; }
fi
.venv/bin/python scripts/clock-days.py > "$results/moments.tsv"
moved() {  # the suite's pytest with the clock moved by $offset
  CIVICSOCIAL_DEBUG=1 CIVICSOCIAL_REQUIRE_BLUESKY=1 DATABASE_URL= \
    LD_PRELOAD="$library" FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1 \
    .venv/bin/pytest -p no:cacheprovider "$@" </dev/null
}
while IFS=$'\t' read -r label offset moment; do
  echo "== $label: the clock reads $moment"
  moved --junitxml="$results/$label.xml" "$@"
  # A worker process that died (seen: a segmentation fault in a test server's thread
  # under libfaketime, once in a run of ~800 tests) fails the test it was running: that
  # test runs again on its own, and the summary names it (scripts/test-summary.py).
  crashed=$(.venv/bin/python scripts/test-summary.py crashed "$results/$label.xml")
  if [ -n "$crashed" ]; then
    echo "== $label: again, alone, what a worker was running when it crashed"
    # shellcheck disable=SC2086 # node ids, one a line, no spaces
    moved --junitxml="$results/$label-rerun.xml" $crashed
  fi
done < "$results/moments.tsv"
.venv/bin/python scripts/test-summary.py "$results"
