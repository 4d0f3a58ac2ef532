"""A certificate authority and an RFC 3161 time-stamping authority for tests and the demo
(issue 21): what a city gets from its own PKI and a commercial or government TSA.

The keys are generated here (cryptography), the certificates issued by Certomancer from a
configuration written here, and the time-stamping service is Certomancer's Animator (a
real RFC 3161 responder: it parses each TimeStampReq and signs a TSTInfo over its message
imprint) served by Werkzeug on 127.0.0.1. Never used in production: a city configures
its own certificate (CIVICSOCIAL_EVIDENCE_CERT, the key in the vault) and authority
(CIVICSOCIAL_TSA_URL); see records/evidence.py.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertLabel, CertomancerConfig
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from civicsocial.records.evidence_key import SIGNING_KEY_SECRET
from civicsocial.security import vault
from civicsocial.security.models import SecretKind

ARCH = "civicsocial-demo"
KEYS = ("city-root", "city-evidence", "tsa-root", "tsa")


@dataclass
class EvidencePki:
    """Where a generated PKI's files are: the city's root (what a verifier trusts), the
    city's signing certificate chain and key, and the time-stamping authority's root."""

    directory: Path
    city_root: Path
    signer_chain: Path
    signer_key: Path
    tsa_root: Path
    trust: Path  # both roots in one file, for `--trust`
    config: CertomancerConfig


def _key(path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    path.chmod(0o600)


def _ca(subject: str) -> dict[str, Any]:
    return {
        "subject": subject,
        "subject-key": subject,
        "issuer": subject,
        "authority-key": subject,
        "validity": {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2100-01-01T00:00:00+0000"},
        "extensions": [
            {"id": "basic_constraints", "critical": True, "value": {"ca": True}},
            {
                "id": "key_usage",
                "critical": True,
                "smart-value": {
                    "schema": "key-usage",
                    "params": ["digital_signature", "key_cert_sign", "crl_sign"],
                },
            },
        ],
    }


def _leaf(issuer: str, usages: list[str], extended: list[str] | None = None) -> dict[str, Any]:
    extensions: list[dict[str, Any]] = [
        {"id": "key_usage", "critical": True, "smart-value": {"schema": "key-usage", "params": usages}}
    ]
    if extended:
        extensions.append({"id": "extended_key_usage", "critical": True, "value": extended})
    return {
        "issuer": issuer,
        "validity": {"valid-from": "2020-01-01T00:00:00+0000", "valid-to": "2099-01-01T00:00:00+0000"},
        "extensions": extensions,
    }


def _configuration(city: str) -> dict[str, Any]:
    return {
        "external-url-prefix": "http://127.0.0.1",
        "keysets": {ARCH: {"keys": {name: {"path": f"{name}.key.pem"} for name in KEYS}}},
        "pki-architectures": {
            ARCH: {
                "keyset": ARCH,
                "entity-defaults": {"country-name": "US", "organization-name": city},
                "entities": {
                    "city-root": {"common-name": f"{city} Evidence Root CA"},
                    "city-evidence": {"common-name": f"{city} Records Evidence"},
                    "tsa-root": {"common-name": "Demo Time-Stamping Root CA"},
                    "tsa": {"common-name": "Demo Time-Stamping Authority"},
                },
                "certs": {
                    "city-root": _ca("city-root"),
                    "tsa-root": _ca("tsa-root"),
                    "city-evidence": _leaf("city-root", ["digital_signature", "non_repudiation"]),
                    "tsa": _leaf("tsa-root", ["digital_signature"], ["time_stamping"]),
                },
                "services": {"time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa"}}},
            }
        },
    }


def generate(directory: Path, city: str = "Demo City") -> EvidencePki:
    """Generate the keys and certificates into `directory` (kept between runs: a second
    call reads what the first wrote)."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in KEYS:
        if not (directory / f"{name}.key.pem").exists():
            _key(directory / f"{name}.key.pem")
    config = CertomancerConfig(_configuration(city), key_search_dir=str(directory))
    arch = config.get_pki_arch(ARCH)  # type: ignore[arg-type]

    def pem(label: str) -> bytes:
        der = arch.get_cert(CertLabel(label)).dump()
        return x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM)

    files = {
        "city-root.pem": pem("city-root"),
        "tsa-root.pem": pem("tsa-root"),
        "signer-chain.pem": pem("city-evidence") + pem("city-root"),
        "trust.pem": pem("city-root") + pem("tsa-root"),
    }
    for name, data in files.items():
        (directory / name).write_bytes(data)
    return EvidencePki(
        directory=directory,
        city_root=directory / "city-root.pem",
        signer_chain=directory / "signer-chain.pem",
        signer_key=directory / "city-evidence.key.pem",
        tsa_root=directory / "tsa-root.pem",
        trust=directory / "trust.pem",
        config=config,
    )


class _Quiet(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One line per time-stamp would drown the tests' and the demo's output."""


class TimeStampingAuthority:
    """Certomancer's RFC 3161 responder on 127.0.0.1 (a free port), in a thread."""

    def __init__(self, pki: EvidencePki, port: int = 0) -> None:
        arch = pki.config.get_pki_arch(ARCH)  # type: ignore[arg-type]
        app = Animator(
            AnimatorArchStore({arch.arch_label: arch}), with_web_ui=False, allow_time_override=False
        )
        self.server: BaseWSGIServer = make_server(
            "127.0.0.1", port, app, threaded=True, request_handler=_Quiet
        )
        self.url = f"http://127.0.0.1:{self.server.server_port}/{ARCH}/tsa/tsa"
        self.thread = threading.Thread(target=self.server.serve_forever, name="tsa", daemon=True)

    def __enter__(self) -> TimeStampingAuthority:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> TimeStampingAuthority:
        return self.__enter__()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@contextmanager
def demo_evidence(say: Callable[[str], None], directory: Path) -> Iterator[TimeStampingAuthority]:
    """The demo city signs its productions and time-stamps its seals while the block runs:
    its certificate (generated once into `directory`), the key in the vault as a city
    keeps it, and an authority on loopback; the worker inherits the settings."""
    pki = generate(directory)
    vault.store(
        vault.Entry(SIGNING_KEY_SECRET, "Evidence signing key", SecretKind.SIGNING_KEY),
        pki.signer_key.read_text().strip(),
        None,
        "live demo",
    )
    with TimeStampingAuthority(pki) as tsa:
        values = {
            "EVIDENCE_CERT": str(pki.signer_chain),
            "TSA_URL": tsa.url,
            "EVIDENCE_TRUST": str(pki.trust),
        }
        for name, value in values.items():
            os.environ[f"CIVICSOCIAL_{name}"] = value  # the worker's settings
            setattr(settings, name, value)  # this process's (the pages)
        say(
            f"Evidence: productions signed by the demo city's certificate ({pki.signer_chain}), "
            f"seals and manifests time-stamped by a demo authority at {tsa.url}; check with "
            f"--trust {pki.trust}."
        )
        yield tsa
