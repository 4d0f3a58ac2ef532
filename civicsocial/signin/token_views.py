"""API token pages (issue 18): a person's own tokens, made, listed and revoked here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from civicsocial.http import AuthedRequest
from civicsocial.registry.models import Agency
from civicsocial.registry.permissions import Action, agencies_for, is_ods_admin
from civicsocial.signin import tokens
from civicsocial.signin.models import ApiToken
from civicsocial.web import apply_errors, posted


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses it (e.g. 'nightly compliance export').")
    agencies: forms.ModelMultipleChoiceField[Any] = forms.ModelMultipleChoiceField(
        queryset=Agency.objects.none(), required=False, widget=forms.CheckboxSelectMultiple)
    citywide = forms.BooleanField(required=False, label="Every agency (ODS admins only)")
    actions = forms.MultipleChoiceField(choices=[], widget=forms.CheckboxSelectMultiple,
                                        help_text="Only what you may do yourself; reading the chosen "
                                                  "agencies' records is always included.")
    days = forms.IntegerField(min_value=1, max_value=tokens.LONGEST_DAYS, initial=90,
                              label="Valid for (days)")

    def __init__(self, person: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agencies"].queryset = agencies_for(person, Action.VIEW_AGENCY)  # type: ignore[attr-defined]
        self.fields["actions"].choices = [  # type: ignore[attr-defined]
            (a.value, a.value.replace("_", " ")) for a in tokens.grantable_actions(person)]
        if not is_ods_admin(person):
            del self.fields["citywide"]


@login_required
def token_list(request: AuthedRequest) -> HttpResponse:
    form = ApiTokenForm(request.user, posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            token, secret = tokens.issue(request.user, data["name"], list(data["agencies"]), data["actions"],
                                         data["days"], data.get("citywide", False))
        except ValidationError as error:
            apply_errors(form, error)
        else:
            answer = render(request, "signin/token_created.html", {"token": token, "secret": secret})
            add_never_cache_headers(answer)
            return answer
    return render(request, "signin/tokens.html", {
        "form": form, "tokens": ApiToken.objects.filter(person=request.user).prefetch_related("agencies")},
        status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def token_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, person=request.user)
    tokens.revoke(request.user, token)
    messages.success(request, f"Token {token.name} revoked.")
    return redirect("api-tokens")
