#!/usr/bin/env python3
"""Adds up the JUnit XML files the test runs wrote and prints one closing line:
'tests: N passed, N failed, N skipped'. Exits 1 when any failed or none ran.

`test-summary.py crashed FILE.xml` prints instead the tests of FILE during which a
pytest-xdist worker process died (one node id a line), for `make test-clock` to run
them again on their own. A `LABEL-rerun.xml` beside `LABEL.xml` holds that second run:
a test that crashed its worker in LABEL and passed there counts as passed, and is named
in a line of its own, so a crash is never hidden."""

import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

CRASHED = re.compile(r"worker '[^']+' crashed while running '([^']+)'")


def _crashes(run: ET.Element) -> dict[tuple[str, str], str]:
    """{(classname, name): node id} of the tests whose worker died in this run."""
    found = {}
    for case in run.iter("testcase"):
        for problem in [*case.findall("failure"), *case.findall("error")]:
            if match := CRASHED.search(problem.get("message") or ""):
                found[(case.get("classname", ""), case.get("name", ""))] = match.group(1)
    return found


def _passed(run: ET.Element) -> set[tuple[str, str]]:
    """The tests that ran and passed in this run."""
    return {(case.get("classname", ""), case.get("name", ""))
            for case in run.iter("testcase")
            if not case.findall("failure") + case.findall("error") + case.findall("skipped")}


def summary(folder: Path) -> int:
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    recovered = []
    for path in sorted(p for p in folder.glob("*.xml") if not p.stem.endswith("-rerun")):
        run = ET.parse(path).getroot()
        for suite in run.iter("testsuite"):
            for key in totals:
                totals[key] += int(suite.get(key, 0))
        rerun = path.with_name(f"{path.stem}-rerun.xml")
        if rerun.exists():
            again = _passed(ET.parse(rerun).getroot())
            recovered += [f"{path.stem}: {node}" for key, node in _crashes(run).items() if key in again]
    failed = totals["failures"] + totals["errors"] - len(recovered)
    passed = totals["tests"] - failed - totals["skipped"]
    for line in recovered:
        print(f"crashed its worker, passed when run again alone: {line}")
    print(f"tests: {passed} passed, {failed} failed, {totals['skipped']} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    if sys.argv[1] == "crashed":
        print("\n".join(_crashes(ET.parse(sys.argv[2]).getroot()).values()))
        sys.exit(0)
    sys.exit(summary(Path(sys.argv[1])))
