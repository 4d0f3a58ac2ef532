"""Request guards run before any view.

- P13: privileged people (ODS admins, agency admins, counsel) must pass a second factor
  before they can use anything but the second-factor pages themselves.
- Text with a NUL character is refused with 400: PostgreSQL cannot store or compare it
  (a search for it was a 500 there, and fine on SQLite), and no person means it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.security.permissions import needs_second_factor

EXEMPT_PREFIXES = ("/static/", "/directory/", "/healthz")


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        # OTPMiddleware gives every user is_verified(): True once a device was checked.
        verified = getattr(user, "is_verified", lambda: False)()
        if (user.is_authenticated and not verified
                and not request.path.startswith(EXEMPT_PREFIXES)
                and request.path not in self._exempt_paths()
                and needs_second_factor(user)):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "A second factor is required for your role (P13). "
                                     "Log in through the pages to verify it."}, status=403)
            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            target = "second-factor-verify" if has_device else "second-factor-setup"
            return redirect(f"{reverse(target)}?next={request.path}")
        return self.get_response(request)

    @staticmethod
    def _exempt_paths() -> set[str]:
        return {reverse(n) for n in ("second-factor-verify", "second-factor-setup", "logout")}


NUL = "\x00"
NUL_MESSAGE = "Text may not contain NUL characters (\\x00)."


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class RejectNulCharactersMiddleware:
    """400 for a query string, form field or JSON body with a NUL character, on every
    database alike. Uploaded files (multipart) may hold any bytes; a body too large to
    read is left to the view, which answers it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._has_nul(request):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": NUL_MESSAGE}, status=400)
            return HttpResponseBadRequest(NUL_MESSAGE, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _has_nul(request: HttpRequest) -> bool:
        if _holds_nul(dict(request.GET.lists())):
            return True
        if request.content_type == "application/x-www-form-urlencoded":
            return _holds_nul(dict(request.POST.lists()))
        if request.content_type == "application/json":
            length = int(request.META.get("CONTENT_LENGTH") or 0)
            if not 0 < length <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
                return False
            body = request.body
            if b"\x00" not in body and b"\\u0000" not in body:
                return False
            try:
                return _holds_nul(json.loads(body))
            except (ValueError, UnicodeDecodeError):
                return b"\x00" in body
        return False

