"""Send times: entered as the city's wall-clock time, stored in UTC (issue 19).

A wall-clock time that does not exist (the spring-forward hour) or exists twice (the
fall-back hour) is refused with a clear error rather than guessed: a post announced for
"2:30" must not quietly go out at 3:30, or an hour before the event."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

# A scheduled post goes at least this far ahead (the worker and the vendor need time).
MIN_LEAD = timedelta(minutes=2)


def city_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def to_utc(wall_clock: datetime) -> datetime:
    """The UTC moment of a naive city wall-clock time; ValidationError inside a DST gap or
    overlap."""
    if wall_clock.tzinfo is not None:
        return wall_clock.astimezone(UTC)
    zone = city_zone()
    first = wall_clock.replace(tzinfo=zone, fold=0)
    second = wall_clock.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        round_trip = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if round_trip != wall_clock:
            raise ValidationError({"send_at": f"{wall_clock:%Y-%m-%d %H:%M} does not exist in "
                                   f"{zone.key}: the clocks spring forward that night. Choose a time "
                                   "outside that hour."})
        raise ValidationError({"send_at": f"{wall_clock:%Y-%m-%d %H:%M} happens twice in {zone.key}: "
                               "the clocks fall back that night. Choose a time outside that hour."})
    return first.astimezone(UTC)


def check_send_at(send_at: datetime | None, horizon: timedelta, label: str,
                  now: datetime | None = None) -> None:
    """ValidationError for a send time in the past (or too soon) or beyond `horizon`."""
    if send_at is None:
        return
    now = now or timezone.now()
    if send_at < now + MIN_LEAD:
        local = timezone.localtime(send_at)
        raise ValidationError({"send_at": f"{local:%Y-%m-%d %H:%M} is in the past or less than "
                               f"{int(MIN_LEAD.total_seconds() // 60)} minutes away; choose a later time, "
                               "or send as soon as it is approved."})
    if send_at > now + horizon:
        raise ValidationError({"send_at": f"{label} schedules at most {horizon.days} days ahead."})
