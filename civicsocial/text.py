"""Free text as every entry point takes it (pages, API, command line): one check, the
same limits and the same messages, inside the services (issue 12)."""

from __future__ import annotations

import re

from confusable_homoglyphs import confusables
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


# Bidirectional controls and invisible characters: they make a name read otherwise than
# it is ("dsny\u202egro.ynsd" shows as "dsnydsny.org").
HIDDEN = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")
WORD_BREAKS = re.compile(r"[\s.@_\-/:,()&'+]+")


def validate_identity(value: str) -> None:
    """A handle or a name is what people read to decide whom they deal with: no control
    characters, no bidirectional or invisible characters, and no word that mixes scripts
    with look-alike letters (a Cyrillic a, U+0430, in 'parks'). A name may hold words of
    different scripts; one word may not (issue 12)."""
    if CONTROL.search(value) or "\t" in value or "\n" in value or "\r" in value:
        raise ValidationError("Control characters are not allowed in a name or handle.")
    if HIDDEN.search(value):
        raise ValidationError("Bidirectional and invisible characters are not allowed in a "
                              "name or handle.")
    for word in WORD_BREAKS.split(value):
        if word and confusables.is_dangerous(word):
            raise ValidationError(f"'{word}' mixes scripts with look-alike letters.")


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
