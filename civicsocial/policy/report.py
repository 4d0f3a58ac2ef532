"""The compliance report: checks run per agency and summed up citywide."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from civicsocial.policy.checks import CHECKS, CheckResult, run_checks
from civicsocial.registry.models import Agency


@dataclass(frozen=True)
class AgencyReport:
    slug: str
    name: str
    results: list[CheckResult]

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def awaiting(self) -> int:
        return sum(r.awaiting for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed - self.awaiting

    @property
    def compliant(self) -> bool:
        return self.failed == 0 and self.awaiting == 0


@dataclass(frozen=True)
class CityReport:
    agencies: list[AgencyReport]

    @property
    def compliant_agencies(self) -> int:
        return sum(a.compliant for a in self.agencies)

    def by_check(self) -> list[dict[str, object]]:
        """Per P-id: how many agencies pass it."""
        rows = []
        for pid, title, _ in sorted(CHECKS, key=lambda c: int(c[0][1:])):
            results = [r for a in self.agencies for r in a.results if r.pid == pid]
            passed, awaiting = sum(r.passed for r in results), sum(r.awaiting for r in results)
            rows.append({"pid": pid, "title": title, "passed": passed, "awaiting": awaiting,
                         "failed": len(results) - passed - awaiting})
        return rows


def agency_report(agency: Agency) -> AgencyReport:
    return AgencyReport(slug=agency.slug, name=agency.name, results=run_checks(agency))


def city_report(agencies: Iterable[Agency]) -> CityReport:
    return CityReport(agencies=[agency_report(a) for a in agencies])


def report_as_data(report: CityReport) -> dict[str, object]:
    """Plain JSON-ready data, the shape of the CLI's --format json and the API."""
    return {
        "agencies": [
            {"slug": a.slug, "name": a.name, "compliant": a.compliant, "passed": a.passed,
             "failed": a.failed, "awaiting": a.awaiting,
             "checks": [{**asdict(r), "state": r.state} for r in a.results]}
            for a in report.agencies
        ],
        "citywide": {"agencies": len(report.agencies),
                     "compliant_agencies": report.compliant_agencies,
                     "checks": report.by_check()},
    }
