"""The city's certificate and a time-stamping authority for tests (issue 21): generated
once per test process and served on loopback (ops/evidence_authority.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from tempfile import mkdtemp
from unittest import mock

from django.test import override_settings

from civicsocial.ops.evidence_authority import EvidencePki, TimeStampingAuthority, generate


def city_pki(name: str = "Test City") -> EvidencePki:
    """A PKI of its own per name: another name is another city (a wrong certificate)."""
    return _pki(name)  # cached by the name itself (a cache on defaults would not see them)


def authority(name: str = "Test City") -> TimeStampingAuthority:
    """The name's time-stamping authority, listening until the process ends."""
    return _authority(name)


@cache
def _pki(name: str) -> EvidencePki:
    return generate(Path(mkdtemp(prefix="evidence-")), city=name)


@cache
def _authority(name: str) -> TimeStampingAuthority:
    return TimeStampingAuthority(city_pki(name)).start()


@contextmanager
def signing_configured(name: str = "Test City", tsa_url: str | None = None) -> Iterator[EvidencePki]:
    """Productions signed with the name's certificate and time-stamped by its authority
    (or the authority at `tsa_url`)."""
    pki = city_pki(name)
    url = tsa_url if tsa_url is not None else authority(name).url
    with (
        override_settings(EVIDENCE_CERT=str(pki.signer_chain), TSA_URL=url, EVIDENCE_TRUST=str(pki.trust)),
        mock.patch.dict(os.environ, {"CIVICSOCIAL_EVIDENCE_KEY": pki.signer_key.read_text()}),
    ):
        yield pki
