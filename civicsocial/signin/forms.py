from __future__ import annotations

from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Six-digit code from your authenticator app", min_length=6, max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The code is made of digits only.")
        return token


class EnrolmentForm(TokenForm):
    """A privileged person's first enrolment also needs the code ODS gave them."""

    enrolment_code = forms.CharField(
        label="Enrolment code from ODS (P13)", max_length=20,
        help_text="An ODS admin gives it to you; it works once and expires after 72 hours.")
