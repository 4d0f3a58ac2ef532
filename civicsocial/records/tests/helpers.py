"""Helpers for archive tests: capture lines, and acting as an attacker with direct
database access (the append-only triggers lifted, as someone with the server's
credentials could do)."""

from __future__ import annotations

import json
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from tempfile import mkdtemp
from typing import Any
from unittest import mock

from civicsocial.records import importer
from civicsocial.records.archive import ArchiveResult, archive_captures
from civicsocial.records.capture import parse_capture
from civicsocial.records.foil import attach_item, open_case
from civicsocial.records.models import ArchivedItem
from civicsocial.records.production import export_case
from civicsocial.security.appendonly import guards_lifted

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def line(item_id: str = "p1", minutes: int = 0, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "platform": "bluesky", "account": "@dotnyc", "item_id": item_id, "kind": "comment",
        "author": "@resident", "text": f"Text of {item_id}", "created_at": T0.isoformat(),
        "captured_at": (T0 + timedelta(minutes=minutes)).isoformat(), "raw": {"id": item_id}}
    data.update(fields)
    return data


def capture_file(prefix: str, count: int) -> Path:
    """A capture file of `count` lines in a folder of its own: items `{prefix}000`,
    `{prefix}001`... a minute apart, every line the same length (up to 1,000 lines)."""
    path = Path(mkdtemp()) / "captures.jsonl"
    path.write_text("".join(json.dumps(line(f"{prefix}{n:03d}", minutes=n)) + "\n" for n in range(count)))
    return path


def batches_of(lines: int) -> Any:
    """Imports commit every `lines` lines, on either engine (importer.BATCH_LINES)."""
    return mock.patch.dict(importer.BATCH_LINES, {"sqlite": lines, "postgresql": lines})


def archive(*lines: dict[str, Any]) -> ArchiveResult:
    return archive_captures([parse_capture(dict(entry)) for entry in lines])


def produce_everything() -> tuple[dict[str, Any], dict[str, bytes]]:
    """A FOIL case holding every archived item, produced: its manifest and thread PDFs."""
    case = open_case(None, "Requester", date(2026, 11, 20))
    for item in ArchivedItem.objects.all():
        attach_item(None, case, item)
    out = Path(mkdtemp()) / "production.zip"
    export_case(case, out)
    with zipfile.ZipFile(out) as z:
        return json.loads(z.read("manifest.json")), \
            {n: z.read(n) for n in z.namelist() if n.endswith(".pdf")}


# Acting as someone with the server's credentials: the database's guards lifted.
as_attacker = guards_lifted
