"""Whose address a request came from, for throttling wrong passwords and wrong tokens
(P13). Behind the city's reverse proxies every request arrives from a proxy, so the
address that counts is the one the nearest trusted proxy saw: the entry of
X-Forwarded-For that many places from its end (CIVICSOCIAL_TRUSTED_PROXIES). Entries
further left were written by the client and are not believed."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the nearest trusted proxy saw it (REMOTE_ADDR with none)."""
    proxies = settings.TRUSTED_PROXIES
    remote = str(request.META.get("REMOTE_ADDR", ""))
    if proxies <= 0:
        return remote
    forwarded = [part.strip() for part in str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",")]
    forwarded = [part for part in forwarded if part]
    # The last proxy appended what it saw; with N proxies the client is N entries from the end.
    return forwarded[-proxies] if len(forwarded) >= proxies else remote
