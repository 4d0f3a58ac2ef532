"""Free text as every entry point takes it (pages, API, command line): one check, the
same limits and the same messages, inside the services (issue 12)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError

# C0 controls but tab, newline and carriage return; DEL; C1 controls.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
NAME_MAX = 300  # a requester, a title
REASON_MAX = 2000  # why a status changed
NOTES_MAX = 5000


# What a terminal would act on: every control character but tab and newline.
TERMINAL_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def for_terminal(value: str) -> str:
    """`value` with each control character shown as \\xNN, so captured text printed by a
    command cannot move the cursor, rewrite lines or retitle an operator's terminal."""
    return TERMINAL_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


def clean_text(value: str, field: str, max_length: int, required: bool = True) -> str:
    """`value` stripped; a ValidationError naming `field` when it is empty (if required),
    longer than `max_length` or holds control characters (a NUL among them)."""
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: "This field is required."})
    if len(value) > max_length:
        raise ValidationError({field: f"At most {max_length:,} characters (this has {len(value):,})."})
    if CONTROL.search(value):
        raise ValidationError({field: "Control characters are not allowed."})
    return value
