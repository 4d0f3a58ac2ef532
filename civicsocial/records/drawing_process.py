"""What a drawing process runs (records/thread_drawing.py): importable before Django is
set up, which a new process must do first."""

from __future__ import annotations

from typing import Any

_signing: Any = None  # this process's signing identity (evidence.Signing), or None


def start(chain_pem: bytes, key_pem: str, tsa_url: str) -> None:
    """Set up Django (the fonts' cache lives under the settings' var directory) and the
    production's signing identity."""
    import django

    django.setup()
    from civicsocial.records import evidence

    global _signing
    _signing = evidence.signing_from(chain_pem, key_pem, tsa_url) if chain_pem else None


def draw_batch(threads: list[Any]) -> list[Any]:
    """Draw (and sign) these threads (thread_drawing.draw)."""
    from civicsocial.records.thread_drawing import draw

    return [draw(thread, _signing) for thread in threads]
