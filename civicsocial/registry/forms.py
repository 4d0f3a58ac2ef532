"""Forms: field-by-field validation shared by pages and the API (the API feeds its
JSON into the same forms, so both give the same messages)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from civicsocial.registry.models import (
    Account,
    AccountStatus,
    Agency,
    Application,
    Person,
    PersonKind,
    Platform,
    PlatformTerms,
    PolicyElement,
    Role,
)
from civicsocial.security.models import SecretKind
from civicsocial.text import validate_identity
from civicsocial.web import DateInput

HANDLE_MAX = 100
TEXT_MAX = 5000


class ApplicationForm(forms.ModelForm):
    class Meta:
        model = Application
        fields = ["agency", "platform", "handle", "url", "account_type", "owner",
                  "topic_limited", "topic_statement", "sensitive_audience", "login_identity",
                  "justification", "continuity_plan"]
        widgets = {"justification": forms.Textarea(attrs={"rows": 3}),
                   "continuity_plan": forms.Textarea(attrs={"rows": 3}),
                   "topic_statement": forms.Textarea(attrs={"rows": 2})}
        help_texts = {"handle": "As shown on the platform, e.g. @nycparks or nycparks.bsky.social",
                      "login_identity": "An address the agency owns; it holds the login and recovery (P7)"}

    url = forms.URLField(max_length=300, assume_scheme="https")

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies  # type: ignore[attr-defined]
        self.fields["owner"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role_assignments__agency__in=agencies).distinct()
        self.fields["owner"].required = False

    def clean_handle(self) -> str:
        handle = self.cleaned_data["handle"].strip()
        if not handle or any(c.isspace() for c in handle):
            raise ValidationError("A handle has no spaces.")
        return handle

    def clean_justification(self) -> str:
        text = self.cleaned_data["justification"].strip()
        if len(text) < 20:
            raise ValidationError("Describe the unique need in at least a sentence (P2).")
        return text


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("deny", "Deny")],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=TEXT_MAX,
                             help_text="The agency sees this reason.")


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX)


class AccountForm(forms.ModelForm):
    url = forms.URLField(max_length=300, assume_scheme="https")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX,
                             help_text="Why this change? It goes in the audit log.")

    class Meta:
        model = Account
        fields = ["url", "owner", "topic_limited", "topic_statement", "sensitive_audience",
                  "login_identity", "status", "profile_change_expected_until"]
        widgets = {"topic_statement": forms.Textarea(attrs={"rows": 2}),
                   "profile_change_expected_until": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role_assignments__agency=self.instance.agency).distinct()
        self.fields["status"].choices = AccountStatus.choices  # type: ignore[attr-defined]


class PersonForm(forms.Form):
    username = forms.SlugField(max_length=150)
    first_name = forms.CharField(max_length=150, validators=[validate_identity])
    last_name = forms.CharField(max_length=150, validators=[validate_identity])
    email = forms.EmailField()
    kind = forms.ChoiceField(choices=PersonKind.choices)
    title = forms.CharField(max_length=200, required=False, validators=[validate_identity])
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in Role if r != Role.ODS_ADMIN])

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if Person.objects.filter(username__iexact=username).exists():
            raise ValidationError("That user name is taken.")
        return username


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=[(r.value, r.label) for r in Role if r != Role.ODS_ADMIN])


class GrantDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "Confirm: the role takes effect"),
                                          ("refuse", "Refuse: it never takes effect")],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=500,
                             required=False, help_text="Needed to refuse.")


class TrainingForm(forms.Form):
    completed_on = forms.DateField(widget=DateInput)
    expires_on = forms.DateField(widget=DateInput, required=False,
                                 help_text="Leave empty for one year after completion.")


class AuthorizationForm(forms.Form):
    account = forms.ModelChoiceField(queryset=Account.objects.none())

    def __init__(self, *args: Any, accounts: QuerySet[Account], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]


class OffboardForm(forms.Form):
    successor = forms.ModelChoiceField(queryset=Person.objects.none(), required=False,
                                       help_text="Takes over the person's individual accounts (P10).")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX)

    def __init__(self, *args: Any, agency: Agency, exclude: Person, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role_assignments__agency=agency).exclude(pk=exclude.pk).distinct()


class CentralContactForm(forms.Form):
    person = forms.ModelChoiceField(queryset=Person.objects.none())

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role_assignments__agency=agency).distinct()


class AgencyPolicyForm(forms.Form):
    title = forms.CharField(max_length=200)
    document_url = forms.URLField(required=False, max_length=300, assume_scheme="https")
    elements = forms.MultipleChoiceField(choices=PolicyElement.choices, required=False,
                                         widget=forms.CheckboxSelectMultiple)


class PolicyApprovalForm(forms.Form):
    approved_on = forms.DateField(widget=DateInput, initial=timezone.localdate)


class TermsForm(forms.Form):
    platform = forms.ChoiceField(choices=Platform.choices)
    version = forms.CharField(max_length=60)
    effective_on = forms.DateField(widget=DateInput)
    url = forms.URLField(required=False, max_length=300, assume_scheme="https")


class TosReviewForm(forms.Form):
    terms = forms.ModelChoiceField(queryset=PlatformTerms.objects.all())
    reviewed_on = forms.DateField(widget=DateInput, initial=timezone.localdate)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False,
                            max_length=TEXT_MAX)


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = ["name", "slug", "acronym", "email_domains"]


class CredentialForm(forms.Form):
    """An account's secret for the vault (P13): entered once, never shown again."""

    secret = forms.CharField(widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
                             max_length=8192, strip=False, required=False,
                             help_text="Paste the app password or token; leave empty and tick "
                                       "'generate' for a new random password.")
    kind = forms.ChoiceField(choices=SecretKind.choices, initial=SecretKind.APP_PASSWORD)
    chosen_by_person = forms.BooleanField(required=False, label="A person chose this password",
                                          help_text="It is then checked for strength (P13).")
    generate = forms.BooleanField(required=False, label="Generate a new random password",
                                  help_text="Shown to you once, to set on the platform.")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=TEXT_MAX,
                             help_text="Why? (new account, rotation, suspected leak) "
                                       "It goes in the audit log.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("secret")) == bool(data.get("generate")):
            raise ValidationError("Enter the secret, or tick 'generate' (not both).")
        return data
