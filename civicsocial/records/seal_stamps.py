"""Daily seals time-stamped by a third party (issue 21, P27).

Each seal's statement (its stream, day, Merkle root, count and sequences, as canonical
JSON) is sent to the RFC 3161 authority as a SHA-256 imprint; the token that comes back
is kept (SealTimestamp) and exported with the seals. `archive verify` checks every token
against the roots the verifier trusts and its seal, and that the authority's time is
after the sealed day ended: a chain rewritten and sealed again later cannot come with
tokens from back then.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from civicsocial.records import hashing
from civicsocial.records.models import DailySeal, SealTimestamp

logger = logging.getLogger(__name__)
# A token later than this after its day ended is noted: an authority that was down for a
# while is normal; months later is what a rewritten and re-sealed chain would show.
LATE_AFTER = timedelta(days=7)


def statement(
    platform: str, handle: str, day: str, root: str, count: int, first_seq: int, last_seq: int
) -> bytes:
    """The exact bytes time-stamped for a seal (also in the export, as `statement`)."""
    return hashing.canonical(
        {
            "format": "civicsocial-seal/1",
            "platform": platform,
            "handle": handle,
            "day": day,
            "root": root,
            "count": count,
            "first_seq": first_seq,
            "last_seq": last_seq,
        }
    )


def seal_statement(seal: DailySeal) -> bytes:
    return statement(
        seal.stream.platform,
        seal.stream.handle,
        seal.day.isoformat(),
        seal.root,
        seal.count,
        seal.first_seq,
        seal.last_seq,
    )


@dataclass
class Stamped:
    stamped: int = 0
    waiting: int = 0
    error: str = ""


def timestamp_seals(tsa_url: str | None = None) -> Stamped:
    """Time-stamp every seal that has no token yet, oldest first. Without an authority
    configured nothing is done; one that does not answer stops the run (the seals wait
    for the next, hourly). Two workers at once keep one token per seal."""
    from civicsocial.records import evidence  # pyHanko: only where time-stamps are made

    url = tsa_url if tsa_url is not None else settings.TSA_URL
    pending = DailySeal.objects.filter(timestamp__isnull=True).select_related("stream").order_by("day", "pk")
    result = Stamped(waiting=pending.count())
    if not url:
        return result
    for seal in pending.iterator(chunk_size=500):
        digest = hashlib.sha256(seal_statement(seal)).digest()
        try:
            token = evidence.timestamp(digest, url)
        except evidence.EvidenceError as error:
            logger.warning("seal time-stamps wait: %s", error)
            result.error = str(error)
            break
        try:
            with transaction.atomic():
                SealTimestamp.objects.create(
                    seal=seal, token=token, authority=url, stamped_at=evidence.token_time(token)
                )
        except IntegrityError:  # another worker stamped it a moment ago
            pass
        result.stamped += 1
        result.waiting -= 1
    return result


def exported(seal: DailySeal) -> dict[str, Any]:
    """The seal's time-stamp for `archive export-seals` (empty while it waits for one)."""
    stamp = getattr(seal, "timestamp", None)
    if stamp is None:
        return {}
    return {
        "statement": seal_statement(seal).decode(),
        "timestamp": base64.b64encode(bytes(stamp.token)).decode(),
        "stamped_at": stamp.stamped_at.isoformat(),
        "authority": stamp.authority,
    }


@dataclass
class StampCheck:
    checked: int = 0
    waiting: int = 0
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def check_stamps(seals: list[dict[str, Any]], roots: bytes, source: str) -> StampCheck:
    """Check the time-stamp of each seal (dicts with platform, handle, day, root, count,
    first_seq, last_seq, and `timestamp`: the DER token, or None) against trusted roots."""
    from civicsocial.records import evidence  # pyHanko: only where time-stamps are checked

    check = StampCheck()
    for seal in seals:
        label = f"{seal['handle']} on {seal['platform']}: {source} of {seal['day']}"
        token = seal.get("timestamp")
        if token is None:
            check.waiting += 1
            continue
        if not roots:
            check.notes.append(
                "seal time-stamps were not checked: no trusted roots given (--trust ROOTS.pem, "
                "or CIVICSOCIAL_EVIDENCE_TRUST)"
            )
            return check
        data = statement(
            seal["platform"],
            seal["handle"],
            str(seal["day"]),
            seal["root"],
            seal["count"],
            seal["first_seq"],
            seal["last_seq"],
        )
        when, problem = evidence.check_timestamp(hashlib.sha256(data).digest(), token, roots)
        check.checked += 1
        day_end = datetime.combine(
            date.fromisoformat(str(seal["day"])) + timedelta(days=1), datetime.min.time(), tzinfo=UTC
        )
        if problem:
            check.problems.append(f"{label}: {problem}")
        elif when is not None and when < day_end:
            check.problems.append(f"{label}: time-stamped {when:%Y-%m-%d %H:%M} UTC, before its day ended")
        elif when is not None and when > day_end + LATE_AFTER:
            check.notes.append(f"{label}: time-stamped only on {when:%Y-%m-%d}")
    return check
