"""The city's scheduling vendor (P12): Hootsuite's REST publishing API, as its published
API description documents it (apidocs.hootsuite.com swagger.yaml, "Hootsuite REST API"
1.0, read 2026-12-02):

- OAuth 2.0 with refresh; client credentials only in an HTTP Basic header. The tokens and
  the client secret live in the vault (platforms/oauth.py).
- `GET /v1/socialProfiles`: the publishing channels (id, type, socialNetworkUsername).
- `POST /v1/media` {sizeBytes, mimeType} gives an upload URL; `PUT` the bytes there with
  the same type and length; `GET /v1/media/{id}` until its state is READY.
- `POST /v1/messages` {text, socialProfileIds, scheduledSendTime (UTC, ending in Z), media}
  gives one message per profile; `GET /v1/messages/{id}` reads its state (SCHEDULED, SENT
  with postId and postUrl, SEND_FAILED_PERMANENTLY, ...); `DELETE` unschedules it;
  `GET /v1/messages?startTime&endTime&socialProfileIds` lists a window (at most 4 weeks).
- Errors come as {"errors": [{code, message}]}; a 429 has no Retry-After (the limit is
  20 requests a second), so the client waits out the second itself.

Hootsuite keeps no idempotency key: a message whose creation may have been lost (a worker
killed after the POST) is looked up in its time window before another is created.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.conf import settings
from django.core.cache import cache

from civicsocial.platforms.adapters.base import PlatformError
from civicsocial.platforms.credentials import HOOTSUITE_CLIENT_SECRET
from civicsocial.platforms.oauth import OAuthConnection, access_token
from civicsocial.platforms.retry import RetryPolicy, backoff, with_retries

NETWORK_TYPES = {"facebook": {"FACEBOOKPAGE", "FACEBOOK"}, "instagram": {"INSTAGRAMBUSINESS", "INSTAGRAM"},
                 "x": {"TWITTER"}, "youtube": {"YOUTUBECHANNEL"}, "linkedin": {"LINKEDINCOMPANY", "LINKEDIN"},
                 "threads": {"THREADS"}, "tiktok": {"TIKTOKBUSINESS"}, "bluesky": {"BLUESKY"}}
READY_WAIT = 60.0  # seconds to wait for an upload to be processed
RATE_WINDOW = 1.0  # the documented limit is per second, with no Retry-After


class VendorRefused(PlatformError):
    """Hootsuite refused the request (its error code and message)."""

    def __init__(self, message: str, code: int = 0) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class VendorMessage:
    id: str
    state: str
    post_id: str = ""
    post_url: str = ""
    scheduled: str = ""
    text: str = ""


def connection() -> OAuthConnection | None:
    """The city's Hootsuite connection, when configured (CIVICSOCIAL_HOOTSUITE_URL and
    _CLIENT_ID; the secret and the tokens are in the vault)."""
    base = os.environ.get("CIVICSOCIAL_HOOTSUITE_URL", getattr(settings, "HOOTSUITE_URL", ""))
    client_id = os.environ.get("CIVICSOCIAL_HOOTSUITE_CLIENT_ID", "")
    if not base or not client_id:
        return None
    return OAuthConnection("vendor:hootsuite", "Hootsuite", f"{base.rstrip('/')}/oauth2/token", client_id,
                           HOOTSUITE_CLIENT_SECRET.name, auth_method="client_secret_basic")


def _message(data: dict[str, Any]) -> VendorMessage:
    return VendorMessage(str(data["id"]), str(data.get("state", "")), str(data.get("postId") or ""),
                         str(data.get("postUrl") or ""), str(data.get("scheduledSendTime") or ""),
                         str(data.get("text") or ""))


def utc_z(moment: datetime) -> str:
    """ISO 8601 in UTC ending in Z, as Hootsuite requires."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class HootsuiteClient:
    def __init__(self, base_url: str, oauth: OAuthConnection, timeout: float = 15.0,
                 policy: RetryPolicy | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.oauth = oauth
        self.http = httpx.Client(timeout=timeout)
        self.policy = policy or RetryPolicy(attempts=5, base=RATE_WINDOW, max_wait=30)
        self.sleep = sleep
        self.wait = self.policy.base  # Hootsuite sends no Retry-After: its limit is per second

    @classmethod
    def configured(cls) -> HootsuiteClient | None:
        """The client for the configured connection, or None."""
        oauth = connection()
        if oauth is None:
            return None
        # Settings for the fault tests: shorter waits than a real vendor deserves.
        timeout = float(getattr(settings, "HOOTSUITE_TIMEOUT", 15.0))
        base = float(getattr(settings, "HOOTSUITE_RETRY_BASE", RATE_WINDOW))
        return cls(oauth.token_endpoint.rsplit("/oauth2/", 1)[0], oauth, timeout,
                   RetryPolicy(attempts=8, base=base, cap=max(base * 8, 1.0), max_wait=30))

    def _once(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {access_token(self.oauth)}"}
        try:
            response = self.http.request(method, f"{self.base_url}{path}", headers=headers, **kwargs)
        except httpx.HTTPError as error:
            raise PlatformError(f"Hootsuite: {error.__class__.__name__}", retry_after=self.wait) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise PlatformError(f"Hootsuite answered {response.status_code}", retry_after=self.wait)
        try:
            body = response.json() if response.content else {}
        except ValueError:
            raise PlatformError("Hootsuite sent a body that is not JSON", retry_after=self.wait) from None
        if response.status_code >= 400:
            first = (body.get("errors") or [{}])[0] if isinstance(body, dict) else {}
            raise VendorRefused(f"Hootsuite refused: {first.get('message') or response.status_code}",
                                int(first.get("code") or 0))
        return body

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One API call, retried on 429s, 5xx and timeouts."""
        return with_retries(lambda: self._once(method, path, **kwargs), self.policy, self.sleep)

    def social_profiles(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "/v1/socialProfiles").get("data") or [])

    def profile_id_for(self, platform: str, handle: str) -> str:
        """The Hootsuite social profile that publishes to this account ("" if none)."""
        key = f"hootsuite-profiles:{self.base_url}"
        profiles = cache.get(key)
        if profiles is None:
            profiles = self.social_profiles()
            cache.set(key, profiles, 600)
        wanted = handle.lstrip("@").lower()
        for profile in profiles:
            if profile.get("type") in NETWORK_TYPES.get(platform, set()) and \
                    str(profile.get("socialNetworkUsername") or "").lstrip("@").lower() == wanted:
                return str(profile["id"])
        return ""

    def upload_media(self, data: bytes, mime_type: str) -> str:
        """Upload one image and wait until Hootsuite has processed it; its media id."""
        made = self.call("POST", "/v1/media", json={"sizeBytes": len(data), "mimeType": mime_type})["data"]
        try:
            put = self.http.put(made["uploadUrl"], content=data,
                                headers={"Content-Type": mime_type, "Content-Length": str(len(data))})
        except httpx.HTTPError as error:
            raise PlatformError(f"Hootsuite upload: {error.__class__.__name__}", retry_after=self.wait) \
                from None
        if put.status_code >= 300:
            raise PlatformError(f"Hootsuite upload answered {put.status_code}", retry_after=self.wait)
        deadline = time.monotonic() + READY_WAIT
        while self.call("GET", f"/v1/media/{made['id']}")["data"].get("state") != "READY":
            if time.monotonic() > deadline:
                raise PlatformError("Hootsuite has not processed the image yet", retry_after=30)
            self.sleep(0.5)
        return str(made["id"])

    def schedule(self, text: str, profile_id: str, send_at: datetime, media_ids: list[str]) -> VendorMessage:
        """Schedule one message. A POST whose answer was lost may have been taken: before
        trying again, the message is looked for, so a lost answer never makes a second."""
        body: dict[str, Any] = {"text": text, "socialProfileIds": [profile_id],
                                "scheduledSendTime": utc_z(send_at), "emailNotification": False}
        if media_ids:
            body["media"] = [{"id": m} for m in media_ids]
        rng = random.Random()  # noqa: S311 - jitter, not secrecy
        for attempt in range(self.policy.attempts):
            try:
                return _message(self._once("POST", "/v1/messages", json=body)["data"][0])
            except VendorRefused:
                raise
            except PlatformError as error:
                found = self.find(profile_id, send_at, text)
                if found is not None:
                    return found
                if error.retry_after is None or attempt == self.policy.attempts - 1:
                    raise
                self.sleep(backoff(self.policy, attempt, error.retry_after, rng))
        raise AssertionError("unreachable")

    def find(self, profile_id: str, send_at: datetime, text: str) -> VendorMessage | None:
        """A message already scheduled for this profile, time and text (one whose creation
        was not recorded), or None."""
        params = {"startTime": utc_z(send_at - timedelta(minutes=1)),
                  "endTime": utc_z(send_at + timedelta(minutes=1)), "socialProfileIds": profile_id}
        for data in self.call("GET", "/v1/messages", params=params).get("data") or []:
            if data.get("text") == text and data.get("state") != "REJECTED":
                return _message(data)
        return None

    def message(self, message_id: str) -> VendorMessage:
        return _message(self.call("GET", f"/v1/messages/{message_id}")["data"])

    def delete(self, message_id: str) -> None:
        """Unschedule a message (already gone is done)."""
        try:
            self.call("DELETE", f"/v1/messages/{message_id}")
        except VendorRefused as error:
            if error.code != 4001:  # resource not found
                raise
