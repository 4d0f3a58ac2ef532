"""P13: privileged people (ODS admins, agency admins, counsel) must pass a second factor
before they can use anything but the second-factor pages themselves."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.registry.permissions import needs_second_factor

# A passkey verifies through its own endpoints (registering one needs the second factor).
EXEMPT_PREFIXES = ("/static/", "/directory/", "/healthz", "/readyz", "/metrics",
                   "/webauthn/authentication/", "/webauthn/jsi18n/")


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
