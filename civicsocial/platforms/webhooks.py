"""Meta's Webhooks for Facebook Pages and Instagram accounts (issue 20): a new comment starts a
capture of its account at once, instead of at the next polling run (which still catches any
notification that never came).

- The verification request (`hub.mode=subscribe`) is answered with `hub.challenge` only when
  `hub.verify_token` is the city's (META_WEBHOOK_VERIFY_TOKEN, in the vault).
- A notification is accepted only with `X-Hub-Signature-256` equal to the HMAC-SHA256 of the
  exact body under the app secret (META_APP_SECRET). It is refused, with nothing stored, when
  it is too large (413), unsigned or wrongly signed (403), not Meta's JSON (400), for no
  registered account (404), or the same body again (409: a replay).
- An accepted one is kept as received (`WebhookDelivery`, the raw body) and its accounts
  are captured by the worker.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.views.decorators.debug import sensitive_variables

from civicsocial.platforms.credentials import META_APP_SECRET, META_WEBHOOK_VERIFY_TOKEN, service_secret
from civicsocial.platforms.models import CaptureState, WebhookDelivery
from civicsocial.registry.models import Account, AccountStatus

log = logging.getLogger(__name__)
MAX_BODY = 256 * 1024  # Meta batches at most 1,000 changes; real deliveries are a few kB
OBJECTS = {"page": "facebook", "instagram": "instagram"}


@dataclass(frozen=True)
class Outcome:
    status: int
    message: str
    accounts: tuple[int, ...] = ()


@sensitive_variables()
def verify_subscription(mode: str, verify_token: str, challenge: str) -> Outcome:
    """The answer to Meta's verification request: the challenge, or 403."""
    expected = service_secret(META_WEBHOOK_VERIFY_TOKEN)
    matches = bool(expected) and hmac.compare_digest(verify_token.encode(), expected.encode())
    if mode != "subscribe" or not matches:
        return Outcome(403, "verification refused")
    return Outcome(200, challenge)


@sensitive_variables()
def signature_ok(body: bytes, header: str) -> bool:
    """The body is Meta's: `sha256=` and the HMAC-SHA256 of it under the app secret."""
    secret = service_secret(META_APP_SECRET)
    if not secret or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header[7:])


def _accounts(payload: Any) -> tuple[str, list[Account]] | None:
    """The platform and the registered accounts a notification names (None: not Meta's shape)."""
    if not isinstance(payload, dict) or payload.get("object") not in OBJECTS \
            or not isinstance(payload.get("entry"), list):
        return None
    platform = OBJECTS[payload["object"]]
    ids = {str(entry.get("id")) for entry in payload["entry"] if isinstance(entry, dict)}
    states = CaptureState.objects.filter(platform_user_id__in=ids, account__platform=platform,
                                         account__status=AccountStatus.ACTIVE).select_related("account")
    return platform, [state.account for state in states]


def receive(body: bytes, signature: str) -> Outcome:
    """Check a notification, keep it, and say which accounts to capture now."""
    if len(body) > MAX_BODY:
        return Outcome(413, "too large")
    if not signature_ok(body, signature):
        return Outcome(403, "signature does not match")
    try:
        found = _accounts(json.loads(body))
    except ValueError:
        found = None
    if found is None:
        return Outcome(400, "not a Webhooks notification")
    platform, accounts = found
    if not accounts:
        return Outcome(404, "no registered account")
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(platform=platform, account=accounts[0],
                                           sha256=hashlib.sha256(body).hexdigest(),
                                           body=body.decode("utf-8", "replace"))
    except IntegrityError:
        return Outcome(409, "already received")
    transaction.on_commit(lambda: _capture_soon([a.pk for a in accounts]))
    return Outcome(200, "received", tuple(a.pk for a in accounts))


def _capture_soon(accounts: list[int]) -> None:
    """Ask the worker to capture these accounts now (a lost task waits for the polling run)."""
    try:
        from civicsocial.platforms.tasks import capture_accounts_now

        capture_accounts_now(accounts)
    except Exception:
        log.exception("could not queue the capture; the polling run will catch it")
