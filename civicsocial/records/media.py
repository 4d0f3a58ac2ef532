"""Media files stored once by content: the SHA-256 is the name."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from django.conf import settings

from civicsocial.records.models import MediaBlob


def media_path(sha256: str) -> Path:
    return Path(settings.MEDIA_STORE) / sha256[:2] / sha256[2:4] / sha256


def store_media(data: bytes, content_type: str) -> str:
    """Write the bytes once (atomically) and record them; returns their SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    path = media_path(digest)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".tmp{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    MediaBlob.objects.get_or_create(sha256=digest, defaults={"size": len(data),
                                                             "content_type": content_type})
    return digest

