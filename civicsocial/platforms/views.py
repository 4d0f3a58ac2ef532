"""The vault's pages (P13, issue 18): which credential each account signs in with (never
the secret), which are due for rotation or still outside the vault, and the city's
service secrets (ODS). Thin: permissions, a form, `security.vault`."""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from civicsocial.http import AuthedRequest
from civicsocial.platforms import webhooks
from civicsocial.platforms.credentials import SERVICE_SECRETS, environment_secret
from civicsocial.records.evidence_key import check_signing_key
from civicsocial.registry.credentials import rotation_due
from civicsocial.registry.models import Account, AccountStatus
from civicsocial.registry.permissions import Action, agencies_for, is_ods_admin, require_somewhere
from civicsocial.security import vault
from civicsocial.security.models import SecretKind, VaultSecret
from civicsocial.web import form_page, posted


@dataclass(frozen=True)
class Line:
    """One row of the vault page: what signs in as `account`, and where it is kept."""

    account: Account
    entry: VaultSecret | None
    in_environment: bool

    @property
    def due(self) -> bool:
        return rotation_due(self.account, self.entry)


@login_required
def vault_overview(request: AuthedRequest) -> HttpResponse:
    require_somewhere(request.user, Action.MANAGE_CREDENTIALS,
                      "Only agency admins and ODS manage credentials.")
    accounts = list(Account.objects.filter(agency__in=agencies_for(request.user, Action.MANAGE_CREDENTIALS),
                                           status=AccountStatus.ACTIVE).select_related("agency")
                    .order_by("agency__name", "platform", "handle"))
    entries = {row.name: row for row in VaultSecret.objects.filter(
        name__in=[a.secret_name for a in accounts]).select_related("set_by")}
    lines = [Line(a, entries.get(a.secret_name), a.secret_name not in entries and bool(environment_secret(a)))
             for a in accounts]
    services = [(s, vault.describe(s.name)) for s in SERVICE_SECRETS] if is_ods_admin(request.user) else []
    return render(request, "platforms/vault.html", {"lines": lines, "services": services})


class SecretTextarea(forms.Textarea):
    """A text area for a secret of several lines (a PEM key) that, like a password field,
    never shows back what was typed (a form sent again with an error)."""

    def format_value(self, value: object) -> None:
        return None


class ServiceSecretForm(forms.Form):
    secret = forms.CharField(widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                             max_length=vault.LONGEST, strip=False)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=2000,
                             help_text="Why? It goes in the audit log.")

    def __init__(self, *args: object, kind: str = "", **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.kind = kind
        if kind == SecretKind.SIGNING_KEY:  # a PEM key: several lines, pasted whole
            self.fields["secret"].widget = SecretTextarea(attrs={"rows": 8, "autocomplete": "off",
                                                                 "spellcheck": "false"})
            self.fields["secret"].help_text = "The private key in PEM, its BEGIN and END lines included."

    def clean_secret(self) -> str:
        secret = str(self.cleaned_data["secret"])
        if self.kind != SecretKind.SIGNING_KEY:
            return secret
        if problem := check_signing_key(secret):
            raise forms.ValidationError(problem)
        return secret.strip()  # a pasted PEM's last line break is not part of the key


@login_required
@sensitive_post_parameters("secret")
def service_secret(request: AuthedRequest, name: str) -> HttpResponse:
    """Enter or replace a city-wide service secret (the Open311 key): ODS only."""
    if not is_ods_admin(request.user):
        raise PermissionDenied("Only ODS enters the city's service credentials.")
    service = next((s for s in SERVICE_SECRETS if s.name == name), None)
    if service is None:
        raise Http404("No such service credential.")
    form = ServiceSecretForm(posted(request), kind=service.kind)

    def save() -> None:
        vault.store(vault.Entry(service.name, service.label, service.kind), form.cleaned_data["secret"],
                    request.user, form.cleaned_data["reason"])

    return form_page(request, form, service.label, save, reverse("vault"), reverse("vault"),
                     intro="Stored encrypted; never shown again (P13).", submit="Store")


@csrf_exempt  # Meta signs each delivery instead (platforms/webhooks.py)
@require_http_methods(["GET", "POST"])
def meta_webhook(request: HttpRequest) -> HttpResponse:
    """Meta's Webhooks for Pages and Instagram accounts: verification, then notifications."""
    if request.method == "GET":
        outcome = webhooks.verify_subscription(request.GET.get("hub.mode", ""),
                                               request.GET.get("hub.verify_token", ""),
                                               request.GET.get("hub.challenge", ""))
        return HttpResponse(outcome.message, status=outcome.status, content_type="text/plain")
    if int(request.META.get("CONTENT_LENGTH") or 0) > webhooks.MAX_BODY:
        return HttpResponse("too large", status=413, content_type="text/plain")  # never read
    outcome = webhooks.receive(request.body, request.headers.get("X-Hub-Signature-256", ""))
    return HttpResponse(outcome.message, status=outcome.status, content_type="text/plain")
