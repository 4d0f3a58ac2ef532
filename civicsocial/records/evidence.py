"""Evidence that survives a court (issue 21, P27): the city's signature on what it hands
over, and a third party's clock on when it existed.

- A production's manifest gets a detached CMS signature (RFC 5652) made with the city's
  certificate, and an RFC 3161 time-stamp token from the configured authority over its
  SHA-256; each thread PDF is signed as PAdES (ETSI EN 319 142, baseline B-B). Both are
  made and checked with pyHanko; stock `openssl cms -verify` and `openssl ts -verify`
  check the same files (README: "Checking a production without Civic Social").
- Each daily seal is time-stamped too (records/integrity.py), so the archive's integrity
  rests on the authority's clock, not only on ours.

Configuration: CIVICSOCIAL_EVIDENCE_CERT (PEM: the signing certificate, then its chain),
the private key in the vault as "records:evidence_signing_key" (or, outside the vault,
CIVICSOCIAL_EVIDENCE_KEY), CIVICSOCIAL_TSA_URL (the authority), CIVICSOCIAL_EVIDENCE_TRUST
(PEM: the roots a verifier trusts, the city's and the authority's).
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from pathlib import Path
from typing import IO, Any

from asn1crypto import cms, tsp
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from django.conf import settings
from django.views.decorators.debug import sensitive_variables
from pyhanko.keys import load_certs_from_pemder_data, load_private_key_from_pemder_data
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import SigSeedSubFilter
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms, validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from civicsocial.records.evidence_key import SIGNING_KEY_SECRET, SIGNING_KEY_VARIABLE
from civicsocial.security import vault

# pyHanko logs a failed path or a changed byte as a warning with a traceback; each is a
# finding this module reports itself, in words.
logging.getLogger("pyhanko").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko_certvalidator").setLevel(logging.CRITICAL)

TSA_TIMEOUT_S = 20
# Room kept in each PDF for its signature (the CMS with the city's chain): set, so that
# pyHanko does not sign every PDF twice to measure it.
PDF_SIGNATURE_SPACE = 16384


class EvidenceError(Exception):
    """Signing or time-stamping could not be done (a missing key, an authority that does
    not answer); the message says which and what to configure."""


@dataclass(frozen=True)
class Signing:
    """The city's signing identity and its time-stamping authority."""

    signer: signers.SimpleSigner
    tsa_url: str
    chain_pem: bytes = field(default=b"", repr=False)
    key_pem: str = field(default="", repr=False)  # never printed

    @property
    def subject(self) -> str:
        cert = self.signer.signing_cert
        return str(cert.subject.human_friendly) if cert else ""


@sensitive_variables()
def configured_signing() -> Signing | None:
    """The configured signing identity, or None where the city configured none (the
    production is then unsigned, and says so). Raises EvidenceError for a half-done
    configuration: a certificate without its key, or no time-stamping authority."""
    cert_path = settings.EVIDENCE_CERT
    if not cert_path:
        return None
    key_pem = vault.reveal(SIGNING_KEY_SECRET) or os.environ.get(SIGNING_KEY_VARIABLE, "")
    if not key_pem:
        raise EvidenceError(
            f"CIVICSOCIAL_EVIDENCE_CERT is set but the signing key is not in the vault ({SIGNING_KEY_SECRET})"
        )
    if not settings.TSA_URL:
        raise EvidenceError(
            "CIVICSOCIAL_EVIDENCE_CERT is set but no time-stamping authority is (CIVICSOCIAL_TSA_URL)"
        )
    try:
        return signing_from(Path(cert_path).read_bytes(), key_pem, settings.TSA_URL)
    except (OSError, ValueError) as error:
        raise EvidenceError(f"cannot read the evidence certificate or key: {error}") from error


@sensitive_variables()
def signing_from(chain_pem: bytes, key_pem: str, tsa_url: str) -> Signing:
    """A signing identity from its certificate chain and key (PEM): how the processes
    that draw thread PDFs get the one the production uses."""
    chain = list(load_certs_from_pemder_data(chain_pem))
    key = load_private_key_from_pemder_data(key_pem.encode(), passphrase=None)
    signer = _CitySigner(signing_cert=chain[0], signing_key=key,
                         cert_registry=SimpleCertificateStore.from_certs(chain))
    return Signing(signer=signer, tsa_url=tsa_url, chain_pem=chain_pem, key_pem=key_pem)


class _CitySigner(signers.SimpleSigner):
    """pyHanko's signer, with the private key parsed once: pyHanko parses it for every
    signature, and cryptography's check of an RSA key costs about 65 ms, most of the time
    signing a thread PDF took."""

    @cached_property
    def _key(self) -> Any:
        return serialization.load_der_private_key(self.signing_key.dump(), password=None)

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        hash_algorithm = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15":
            return bytes(self._key.sign(data, PKCS1v15(), hash_algorithm))
        if mechanism == "ecdsa":
            return bytes(self._key.sign(data, ECDSA(hash_algorithm)))
        return bytes(super().sign_raw(data, digest_algorithm))


def sign_detached(digest: bytes, signing: Signing) -> bytes:
    """A detached CMS SignedData (DER) over data whose SHA-256 is `digest`."""
    info = asyncio.run(signing.signer.async_sign(digest, "sha256", is_pdf_sig=False))
    return bytes(info.dump())


def timestamp(digest: bytes, tsa_url: str) -> bytes:
    """An RFC 3161 time-stamp token (DER ContentInfo) over a SHA-256 digest, from the
    authority at `tsa_url`. Raises EvidenceError when it does not answer or refuses."""
    stamper = RequestsHTTPTimeStamper(tsa_url, timeout=TSA_TIMEOUT_S)
    try:
        token = asyncio.run(stamper.async_timestamp(digest, "sha256"))
    except Exception as error:  # pyHanko raises IOError, TimestampRequestError and requests' errors
        raise EvidenceError(
            f"the time-stamping authority at {tsa_url} gave no time-stamp: {error}"
        ) from error
    return bytes(token.dump())


def _token_parts(token: bytes) -> tuple[cms.SignedData, Any]:
    """A time-stamp token's SignedData and what it signs (a TSTInfo, if it is one)."""
    signed = cms.ContentInfo.load(token)["content"]
    return signed, signed["encap_content_info"]["content"].parsed


def token_time(token: bytes) -> datetime:
    """The authority's time (genTime) in a time-stamp token."""
    return _token_parts(token)[1]["gen_time"].native


def sign_pdf(data: bytes, signing: Signing) -> bytes:
    """The PDF signed as PAdES B-B by the city (an incremental update: the drawn bytes
    stay as they were)."""
    out = io.BytesIO()
    meta = signers.PdfSignatureMetadata(
        field_name="CivicSocialEvidence",
        subfilter=SigSeedSubFilter.PADES,
        reason="FOIL production (P27)",
        md_algorithm="sha256",
    )
    signers.sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)),
        meta,
        signer=signing.signer,
        output=out,
        bytes_reserved=PDF_SIGNATURE_SPACE,
    )
    return out.getvalue()


@lru_cache(maxsize=8)
def _roots(pem: bytes) -> tuple[Any, ...]:
    return tuple(load_certs_from_pemder_data(pem))


def trust_roots(path: Path | None = None) -> bytes:
    """The PEM roots to check against: the given file, else CIVICSOCIAL_EVIDENCE_TRUST
    (b"" when neither)."""
    source = path or (Path(settings.EVIDENCE_TRUST) if settings.EVIDENCE_TRUST else None)
    return source.read_bytes() if source else b""


def _context(roots: bytes) -> ValidationContext:
    # Offline: the verifier (a court, a requester) may have no network; revocation is
    # checked where the certificates say how, and its absence is not a failure.
    return ValidationContext(
        trust_roots=list(_roots(roots)), allow_fetching=False, revocation_mode="soft-fail"
    )


def check_signature(data: bytes | IO[bytes], signature: bytes, roots: bytes) -> tuple[str, str | None]:
    """(signer, problem or None) for a detached CMS signature over `data` (bytes, or a
    stream read once in chunks: a manifest may be large)."""
    try:
        signed = cms.ContentInfo.load(signature)["content"]
        status = asyncio.run(
            async_validate_detached_cms(data, signed, signer_validation_context=_context(roots))
        )
    except Exception as error:  # a garbled signature file is a finding, not a crash
        return "", f"unreadable signature ({type(error).__name__}: {error})"
    signer = str(status.signing_cert.subject.human_friendly)
    if not status.intact or not status.valid:
        return signer, "the signature does not match the data (changed)"
    if not status.trusted:
        return signer, f"signed by {signer}, whose certificate does not lead to a trusted root"
    return signer, None


def check_timestamp(data_digest: bytes, token: bytes, roots: bytes) -> tuple[datetime | None, str | None]:
    """(the authority's time, problem or None) for a time-stamp token over data whose
    SHA-256 is `data_digest`."""
    try:
        signed, info = _token_parts(token)
        if not isinstance(info, tsp.TSTInfo):
            return None, "not a time-stamp token"
        status = TimestampSignatureStatus(
            **asyncio.run(validate_tst_signed_data(signed, _context(roots), lambda algorithm: data_digest))
        )
    except Exception as error:
        return None, f"unreadable time-stamp ({type(error).__name__}: {error})"
    when = info["gen_time"].native
    if info["message_imprint"]["hashed_message"].native != data_digest:
        return when, "the time-stamp is over other data"
    if not status.intact or not status.valid:
        return when, "the time-stamp's signature does not match (changed)"
    if not status.trusted:
        return when, "the time-stamp's authority does not lead to a trusted root"
    return when, None


def check_pdf(data: bytes, roots: bytes) -> str | None:
    """A problem with a signed PDF's signature, or None: intact, valid, covering the whole
    file, by a certificate that leads to a trusted root."""
    try:
        reader = PdfFileReader(io.BytesIO(data))
        embedded = reader.embedded_signatures
        if not embedded:
            return "not signed"
        status = validate_pdf_signature(embedded[-1], _context(roots), skip_diff=True)
    except Exception as error:
        return f"unreadable signature ({type(error).__name__}: {error})"
    if not status.intact or not status.valid:
        return "the signature does not match the file (changed)"
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE":
        return "bytes were added after the signature"
    if not status.trusted:
        return "the signer's certificate does not lead to a trusted root"
    return None

