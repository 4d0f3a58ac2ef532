"""Argument types shared by the archive and FOIL commands."""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date


def date_argument(value: str) -> date:
    """A YYYY-MM-DD command-line date, or a clear error naming what was given. Argparse
    reports an ArgumentTypeError as a usage error; a CommandError raised while parsing
    escaped as a traceback."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"'{value}' is not a date (YYYY-MM-DD)") from None
