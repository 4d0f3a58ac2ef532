"""A client for the Open311 GeoReport v2 API (https://wiki.open311.org/GeoReport_v2), the
endpoints a 311 referral uses (P23): the list of services, creating a service request,
turning a token into a request id (for endpoints that queue requests), and a request's
status.

Configured by `CIVICSOCIAL_OPEN311_ENDPOINT` (the base URL, e.g. https://311.example.gov/v2),
`CIVICSOCIAL_OPEN311_JURISDICTION` and the API key, kept in the vault (`civicsocial vault set
open311:api_key`; P13) or `CIVICSOCIAL_OPEN311_API_KEY`; without an
endpoint the referral is the reply alone.

Creating a request is not idempotent in GeoReport v2, so only a refusal the server states
(429 or 503 with an answer) is retried; a timeout after sending is reported, not resent.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import httpx

from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.credentials import OPEN311_API_KEY, service_secret
from civicsocial.platforms.retry import with_retries


class Open311Error(PlatformError):
    """The 311 endpoint refused or could not be reached; the message says which."""


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    description: str
    keywords: str


@dataclass(frozen=True)
class Created:
    service_request_id: str  # "" while the endpoint has only given a token
    token: str
    notice: str


@dataclass(frozen=True)
class RequestStatus:
    service_request_id: str
    status: str  # "open" or "closed"
    notes: str
    updated: str


def configured_endpoint() -> str:
    return os.environ.get("CIVICSOCIAL_OPEN311_ENDPOINT", "").rstrip("/")


class Open311Client:
    def __init__(self, endpoint: str, api_key: str = "", jurisdiction: str = "",
                 timeout: float = 10.0, transport: httpx.BaseTransport | None = None) -> None:
        self.endpoint = endpoint.rstrip("/")
        self._api_key = api_key  # never in a log line or a message
        self.jurisdiction = jurisdiction
        self.http = httpx.Client(timeout=timeout, transport=transport)

    @classmethod
    def from_environment(cls) -> Open311Client | None:
        endpoint = configured_endpoint()
        if not endpoint:
            return None
        return cls(endpoint, service_secret(OPEN311_API_KEY),
                   os.environ.get("CIVICSOCIAL_OPEN311_JURISDICTION", ""))

    def _call(self, method: str, path: str, *, params: dict[str, str] | None = None,
              data: dict[str, str] | None = None) -> Any:
        query = {"jurisdiction_id": self.jurisdiction} if self.jurisdiction else {}
        try:
            response = self.http.request(method, f"{self.endpoint}/{path}",
                                         params={**query, **(params or {})}, data=data)
        except httpx.HTTPError as error:
            raise Open311Error(f"311 endpoint unreachable: {error.__class__.__name__}") from None
        if response.status_code in (429, 503):
            wait = response.headers.get("Retry-After", "")
            raise Open311Error(f"311 endpoint busy ({response.status_code})",
                               retry_after=float(wait) if wait.isdigit() else 1.0)
        try:
            body = response.json()
        except ValueError:
            raise Open311Error(f"311 endpoint answered {response.status_code} "
                               "with something that is not JSON") from None
        if response.status_code >= 400:
            raise Open311Error(f"311 endpoint refused ({response.status_code}): {_errors(body)}")
        return body

    def services(self) -> list[Service]:
        """GET services.json: what residents may request."""
        body = with_retries(lambda: self._call("GET", "services.json"))
        return [Service(str(s.get("service_code", "")), str(s.get("service_name", "")),
                        str(s.get("description") or ""), str(s.get("keywords") or ""))
                for s in _list(body)]

    def create(self, service_code: str, description: str, address: str) -> Created:
        """POST requests.json: a new service request at `address`."""
        data = {"service_code": service_code, "description": description[:4000],
                "address_string": address}
        if self._api_key:
            data["api_key"] = self._api_key
        body = _first(with_retries(lambda: self._call("POST", "requests.json", data=data)))
        return Created(str(body.get("service_request_id") or ""), str(body.get("token") or ""),
                       str(body.get("service_notice") or ""))

    def request_id_for(self, token: str) -> str:
        """GET tokens/{token}.json: the request id once the endpoint has made it ("" before)."""
        body = _first(with_retries(lambda: self._call("GET", f"tokens/{token}.json")))
        return str(body.get("service_request_id") or "")

    def status(self, service_request_id: str) -> RequestStatus:
        """GET requests/{id}.json."""
        body = _first(with_retries(
            lambda: self._call("GET", f"requests/{service_request_id}.json")))
        return RequestStatus(str(body.get("service_request_id") or service_request_id),
                             str(body.get("status") or ""), str(body.get("status_notes") or ""),
                             str(body.get("updated_datetime") or ""))


def _list(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, list) or not all(isinstance(entry, dict) for entry in body):
        raise Open311Error("311 endpoint answered in an unexpected shape")
    return body


def _first(body: Any) -> dict[str, Any]:
    entries = _list(body)
    if not entries:
        raise Open311Error("311 endpoint answered with nothing")
    return entries[0]


def _errors(body: Any) -> str:
    if isinstance(body, list):
        return "; ".join(str(e.get("description", e)) for e in body if isinstance(e, dict))
    return str(body)[:300]
