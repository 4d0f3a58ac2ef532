"""Logins with a second factor (P13). Password checking and throttling are Django's
and django-axes'; TOTP devices are django-otp's."""

from __future__ import annotations

from base64 import b32encode

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.http import AuthedRequest
from civicsocial.registry.permissions import is_ods_admin
from civicsocial.registry.views import person_or_404
from civicsocial.security import audit
from civicsocial.signin import enrolment, passkeys
from civicsocial.signin.forms import EnrolmentForm, TokenForm
from civicsocial.web import posted


def _next_url(request: AuthedRequest) -> str:
    target = request.GET.get("next") or request.POST.get("next") or "/"
    if url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return "/"


@login_required
def second_factor_setup(request: AuthedRequest) -> HttpResponse:
    """Enrol a TOTP authenticator: show the key as a QR code, confirm with one code."""
    user = request.user
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
            return redirect("second-factor-verify")
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    first_privileged = enrolment.needs_code(user)
    form = (EnrolmentForm if first_privileged else TokenForm)(posted(request))
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            if first_privileged and not enrolment.use_code(user, form.cleaned_data["enrolment_code"]):
                form.add_error("enrolment_code", "That enrolment code is not valid, used or "
                               "expired. Ask an ODS admin for a new one.")
                return _setup_page(request, device, form, status=400)
            device.confirmed = True
            device.save()
            otp_login(request, device)
            audit.record(user, "second_factor.enrolled", user)
            messages.success(request, "Your second factor is set up.")
            return redirect(_next_url(request))
        form.add_error("token", "That code did not match. Check your phone's clock and try again.")
    return _setup_page(request, device, form)


def _setup_page(request: AuthedRequest, device: TOTPDevice, form: TokenForm,
                status: int = 200) -> HttpResponse:
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=5)
    secret = b32encode(device.bin_key).decode()
    return render(request, "signin/second_factor_setup.html",
                  {"form": form, "qr_svg": qr_svg, "secret": secret, "next": _next_url(request)},
                  status=status)


@login_required
def enrolment_code(request: AuthedRequest, pk: int) -> HttpResponse:
    """An ODS admin issues a person's one-time enrolment code, shown once (P13)."""
    person = person_or_404(request, pk)
    if not is_ods_admin(request.user):
        raise PermissionDenied("An ODS admin issues enrolment codes.")
    code = None
    if request.method == "POST":
        code = enrolment.issue_code(request.user, person)
    return render(request, "signin/enrolment_code.html", {"person": person, "code": code})


@login_required
def second_factor_verify(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(posted(request))
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", "That code did not match, or too many tries: wait and try again.")
    return render(request, "signin/second_factor_verify.html",
                  {"form": form, "next": _next_url(request), "keys": passkeys.keys_of(request.user)})


@login_required
def security_keys(request: AuthedRequest) -> HttpResponse:
    """The person's passkeys and security keys: add one (after the second factor, which
    the middleware asks of privileged roles first), or remove one with a reason."""
    if request.method == "POST":
        chosen = next((k for k in passkeys.keys_of(request.user) if str(k.pk) == request.POST.get("key")),
                      None)
        if chosen is not None:
            audit.record(request.user, "second_factor.key_removed", request.user,
                         changes={"key": [chosen.name or f"key {chosen.pk}", None]})
            chosen.delete()
            messages.success(request, "Key removed.")
        return redirect("security-keys")
    return render(request, "signin/security_keys.html", {"keys": passkeys.keys_of(request.user)})
