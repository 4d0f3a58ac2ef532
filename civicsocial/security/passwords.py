"""P13: passwords must be hard to guess. zxcvbn estimates guessability the way an
attacker would (dictionaries, names, keyboard patterns), not by character classes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn


class ZxcvbnValidator:
    """Rejects passwords zxcvbn scores below `min_score` (0-4)."""

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: Any = None) -> None:
        inputs = [
            str(getattr(user, attr, "") or "")
            for attr in ("username", "first_name", "last_name", "email")
        ]
        # zxcvbn's cost grows with length; past 100 characters a password is strong enough.
        result = zxcvbn(password[:100], user_inputs=[i for i in inputs if i])
        if result["score"] < self.min_score:
            feedback = result["feedback"]
            hint = " ".join(filter(None, [feedback.get("warning"), *feedback.get("suggestions", [])]))
            raise ValidationError(
                "This password is too easy to guess. %(hint)s",
                code="password_too_weak",
                params={"hint": hint or "Use a longer phrase of unrelated words."},
            )

    def get_help_text(self) -> str:
        return "Your password must be hard to guess: a long phrase of unrelated words works well."
