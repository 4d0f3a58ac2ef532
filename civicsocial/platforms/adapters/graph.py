"""Meta's Graph API, shared by the Facebook Page and Instagram adapters.

Meta's own Python SDK (facebook-business) serves the Marketing API and no maintained library
covers Pages and Instagram comments, so this is a thin client over `requests`: one call, its
documented errors translated, and cursor paging (`paging.next`). What it handles, from the
Graph API's "Handling Errors" and "Rate Limiting" pages:

- codes 4, 17, 32, 613 and 80001-80009 (app, user, page and business-use-case throttling):
  wait `estimated_time_to_regain_access` minutes from `X-Business-Use-Case-Usage`, else 60 s;
- codes 1 and 2, HTTP 5xx, timeouts and dropped or cut-off answers: retried at once;
- code 190 (a token that is invalid or expired, subcode 463): the account's page token must
  be renewed; not retried.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import requests

from civicsocial.platforms.adapters.base import NotSupported, PlatformError
from civicsocial.platforms.retry import RetryPolicy, with_retries

VERSION = "v21.0"
THROTTLED = {4, 17, 32, 613} | set(range(80001, 80010))
TRANSIENT = {1, 2}
PAGE = 100


def graph_iso(value: str) -> str:
    """Graph time (2026-12-02T10:00:00+0000) as ISO 8601."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S%z").astimezone(UTC).isoformat()


def _regain_seconds(headers: Any) -> float:
    """The longest `estimated_time_to_regain_access` (minutes) in the usage headers, in seconds."""
    minutes = 0.0
    for name in ("X-Business-Use-Case-Usage", "X-App-Usage", "X-Page-Usage"):
        try:
            usage = json.loads(headers.get(name) or "{}")
        except ValueError:
            continue
        for entries in usage.values() if isinstance(usage, dict) else []:
            for entry in entries if isinstance(entries, list) else []:
                minutes = max(minutes, float(entry.get("estimated_time_to_regain_access") or 0))
    return minutes * 60 or 60.0


class GraphClient:
    """Calls to one Graph API host with one access token."""

    def __init__(
        self,
        base_url: str,
        token: str,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base = f"{base_url.rstrip('/')}/{VERSION}"
        self.timeout = timeout
        self.retry = retry or RetryPolicy()
        self.sleep = sleep
        self._session = requests.Session()
        self._token = token

    def call(self, method: str, path: str, params: dict[str, Any] | None = None) -> dict[str, Any]:
        """One call (`path` relative to the version, or a full `paging.next` address), retried
        within the policy when the platform says trying again may help."""
        url = path if path.startswith("http") else f"{self.base}/{path.lstrip('/')}"
        return with_retries(lambda: self._once(method, url, params or {}), self.retry, self.sleep)

    def _once(self, method: str, url: str, params: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self._session.request(
                method,
                url,
                params=params,
                timeout=self.timeout,
                headers={"Authorization": f"Bearer {self._token}"},
            )
            body = response.json()
        except requests.RequestException as error:
            raise PlatformError(f"platform unavailable: {error}", retry_after=0.0) from None
        except ValueError:  # a body cut off or not JSON: the whole answer is refused
            raise PlatformError("garbled answer from the platform", retry_after=0.0) from None
        if response.status_code == 429:
            raise PlatformError(
                "rate limited by the platform", retry_after=float(response.headers.get("Retry-After") or 60)
            )
        problem = body.get("error") if isinstance(body, dict) else None
        if problem is None and response.status_code < 400 and isinstance(body, dict):
            return body
        if not isinstance(problem, dict):
            raise PlatformError(
                f"platform error {response.status_code}",
                retry_after=0.0 if response.status_code >= 500 else None,
            )
        code, message = problem.get("code"), str(problem.get("message", ""))[:300]
        if code in THROTTLED:
            raise PlatformError(
                f"rate limited by the platform (code {code}): {message}",
                retry_after=_regain_seconds(response.headers),
            )
        if code in TRANSIENT or response.status_code >= 500:
            raise PlatformError(f"platform error (code {code}): {message}", retry_after=0.0)
        if code == 190:
            raise PlatformError(f"the platform refused the account's token (renew the page token): {message}")
        raise PlatformError(f"platform refused (code {code}): {message}")

    def pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every object of an edge, following `paging.next` to the end."""
        answer = self.call("GET", path, {**params, "limit": PAGE})
        while True:
            yield from answer.get("data", [])
            following = (answer.get("paging") or {}).get("next")
            if not following:
                return
            answer = self.call("GET", following)

    def moderate(self, platform: str, item_id: str, method: str, params: dict[str, str]) -> None:
        """Hide, unhide (POST) or delete (DELETE) the comment an item id names (P22)."""
        if "/comments/" not in item_id:
            raise NotSupported(f"only comments can be hidden or deleted on {platform}")
        try:
            self.call(method, item_id.rsplit("/", 1)[-1], params)
        except PlatformError as error:
            if error.retry_after is not None:
                raise
            raise PlatformError(f"{platform} refused: {error}") from None

    def token_expires_at(self) -> datetime | None:
        """When the token stops working (None: it does not expire), from `debug_token`."""
        info = self.call("GET", "debug_token", {"input_token": self._token}).get("data", {})
        expires = int(info.get("expires_at") or 0)
        return datetime.fromtimestamp(expires, UTC) if expires else None
