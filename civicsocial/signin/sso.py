"""Single sign-on with the city's identity provider (OpenID Connect, mozilla-django-oidc;
issue 18). The provider says who someone is; the registry says what they may do: only an
existing, active person whose e-mail address the provider has verified signs in, and
nobody is created. Privileged roles still pass our own second factor afterwards (P13).
Local passwords remain for break-glass accounts.

Configured by CIVICSOCIAL_OIDC_CLIENT_ID, _CLIENT_SECRET and the provider's endpoints
(_AUTHORIZATION_ENDPOINT, _TOKEN_ENDPOINT, _USERINFO_ENDPOINT, _JWKS_ENDPOINT, as its
/.well-known/openid-configuration lists them); without a client id there is no SSO."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from civicsocial.registry.models import Person

BACKEND = "civicsocial.signin.sso.CityIdentityBackend"


def configured() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


class CityIdentityBackend(OIDCAuthenticationBackend):
    def verify_claims(self, claims: dict[str, Any]) -> bool:
        """An address the provider has verified, nothing less."""
        return bool(super().verify_claims(claims)) and claims.get("email_verified") is True

    def filter_users_by_claims(self, claims: dict[str, Any]) -> QuerySet[Person]:
        email = str(claims.get("email") or "").strip()
        if not email:
            return Person.objects.none()
        return Person.objects.filter(email__iexact=email, is_active=True)

    def create_user(self, claims: dict[str, Any]) -> None:
        return None  # people and their roles come from the registry, never from a login

    def update_user(self, user: Person, claims: dict[str, Any]) -> Person:
        return user  # the registry's names stand


def start(request: HttpRequest) -> HttpResponse:
    """To the provider's login page (404 when SSO is not configured)."""
    if not configured():
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationRequestView.as_view()(request)


def callback(request: HttpRequest) -> HttpResponse:
    """Back from the provider: the code is exchanged and the person signed in."""
    if not configured():
        raise Http404("Single sign-on is not configured.")
    return OIDCAuthenticationCallbackView.as_view()(request)
