#!/usr/bin/env python3
"""The moments `make test-clock` moves the clock to, computed from today so the check
stays hard every year (issue 11). One line each: label, offset in seconds from now
(libfaketime's relative format, the same for every child process), and the moment.

- ahead: a year and a month from now.
- spring-forward: three minutes before New York's clocks jump from 02:00 to 03:00 on
  the next spring-forward day, so the run straddles the 23-hour day's missing hour.
- holiday-weekend: three minutes before midnight in New York on the next Friday
  whose Monday is a New York public holiday, so the run straddles the start of the
  long weekend (and the UTC date is already Saturday)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

NEW_YORK = ZoneInfo("America/New_York")
LEAD = timedelta(minutes=3)


def spring_forward_after(now: datetime) -> datetime:
    """The instant of the next change from standard to daylight time in New York."""
    day = now.astimezone(NEW_YORK).date()
    while True:
        day += timedelta(days=1)
        before = datetime.combine(day, time(0), NEW_YORK)
        after = datetime.combine(day, time(12), NEW_YORK)
        if after.utcoffset() > before.utcoffset():  # type: ignore[operator]
            # 02:00 standard time is 07:00 UTC; the jump happens then.
            return datetime.combine(day, time(2), NEW_YORK).astimezone(UTC)


def holiday_friday_after(now: datetime) -> datetime:
    """Midnight at the end of the next Friday before a Monday holiday in New York."""
    day = now.astimezone(NEW_YORK).date()
    while True:
        day += timedelta(days=1)
        monday = day + timedelta(days=3)
        if day.weekday() == 4 and monday in holidays.country_holidays("US", subdiv="NY",
                                                                      years=monday.year):
            return datetime.combine(day + timedelta(days=1), time(0), NEW_YORK).astimezone(UTC)


def moments(now: datetime) -> list[tuple[str, datetime]]:
    return [("ahead", now + relativedelta(years=1, months=1)),
            ("spring-forward", spring_forward_after(now) - LEAD),
            ("holiday-weekend", holiday_friday_after(now) - LEAD)]


def main() -> None:
    now = datetime.now(UTC)
    for label, moment in moments(now):
        offset = int((moment - now).total_seconds())
        local = moment.astimezone(NEW_YORK).strftime("%a %Y-%m-%d %H:%M %Z")
        print(f"{label}\t+{offset}\t{local}")


if __name__ == "__main__":
    main()
