"""Argument types shared by the archive and FOIL commands."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError


def date_argument(value: str) -> date:
    """A YYYY-MM-DD command-line date, or a clear error naming what was given."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"'{value}' is not a date (YYYY-MM-DD)") from None
