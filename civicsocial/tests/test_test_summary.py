"""`make test` and `make test-clock` close with scripts/test-summary.py's line. Under
the moved clock a worker process can die (a segmentation fault in a test server's thread
under libfaketime): the test it was running runs again alone, and counts as passed only
if it passed there, named in the output either way (stop 37)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "test-summary.py"
NODE = ("civicsocial/platforms/tests/test_mastodon_stream.py::MastodonStreamTestCase::"
        "test_it_validates_ownership")
CRASH = f"worker 'gw1' crashed while running '{NODE}'"


def _junit(path: Path, cases: list[tuple[str, str]]) -> None:
    """A JUnit file of (test name, outcome: passed, failed, crashed or skipped)."""
    rows = []
    for name, outcome in cases:
        crashed = f'<error message="failed on setup with &quot;{CRASH}&quot;">{CRASH}</error>'
        inner = {"passed": "", "skipped": '<skipped message="no"/>', "crashed": crashed,
                 "failed": '<failure message="AssertionError">boom</failure>'}[outcome]
        rows.append(f'<testcase classname="civicsocial.platforms.tests.test_mastodon_stream.'
                    f'MastodonStreamTestCase" name="{name}">{inner}</testcase>')
    count = {o: sum(1 for _, c in cases if c == o) for o in ("failed", "crashed", "skipped")}
    path.write_text(f'<testsuites><testsuite name="pytest" tests="{len(cases)}" failures="{count["failed"]}" '
                    f'errors="{count["crashed"]}" skipped="{count["skipped"]}">{"".join(rows)}'
                    "</testsuite></testsuites>")


def _summary(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, check=False)


def test_it_names_the_test_a_worker_was_running_when_it_crashed(tmp_path: Path) -> None:
    _junit(tmp_path / "ahead.xml", [("test_it_validates_ownership", "crashed"), ("test_it_reads", "passed")])
    done = _summary("crashed", str(tmp_path / "ahead.xml"))
    assert done.stdout.split() == [NODE]


def test_it_counts_a_crashed_test_that_passed_alone_and_says_so(tmp_path: Path) -> None:
    _junit(tmp_path / "ahead.xml", [("test_it_validates_ownership", "crashed"), ("test_it_reads", "passed"),
                                    ("test_it_waits", "skipped")])
    _junit(tmp_path / "ahead-rerun.xml", [("test_it_validates_ownership", "passed")])
    done = _summary(str(tmp_path))
    assert done.returncode == 0, done.stdout
    assert f"crashed its worker, passed when run again alone: ahead: {NODE}" in done.stdout
    assert done.stdout.splitlines()[-1] == "tests: 2 passed, 0 failed, 1 skipped"


def test_it_fails_when_the_crashed_test_fails_alone_too(tmp_path: Path) -> None:
    _junit(tmp_path / "ahead.xml", [("test_it_validates_ownership", "crashed"), ("test_it_reads", "passed")])
    _junit(tmp_path / "ahead-rerun.xml", [("test_it_validates_ownership", "failed")])
    done = _summary(str(tmp_path))
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1] == "tests: 1 passed, 1 failed, 0 skipped"


def test_it_never_forgives_an_ordinary_failure(tmp_path: Path) -> None:
    _junit(tmp_path / "spring.xml", [("test_it_validates_ownership", "failed"), ("test_it_reads", "passed")])
    _junit(tmp_path / "spring-rerun.xml", [("test_it_validates_ownership", "passed")])
    done = _summary(str(tmp_path))
    assert done.returncode == 1
    assert done.stdout.splitlines()[-1] == "tests: 1 passed, 1 failed, 0 skipped"
