"""What the logo match says of a picture (P8, issue 14), apart from the matcher itself
(policy/logo.py), so that the models and the worker load without the image libraries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import TextChoices


class LogoOutcome(TextChoices):
    MATCH = "match", "shows the city's logo"
    NO_MATCH = "no-match", "does not show the city's logo"
    UNSURE = "unsure", "unsure: awaiting ODS"


@dataclass(frozen=True)
class LogoVerdict:
    outcome: LogoOutcome
    score: float  # 0 to 1: the second-lowest part score (0 when no placement was found)
    placement: int  # matches agreeing on the placement
