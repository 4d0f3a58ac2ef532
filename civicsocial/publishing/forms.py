"""The compose form: accounts, text, link, up to four images with alt text, a send time
in the city's wall-clock time (checked by the services, not guessed by the form)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import forms
from django.db.models import QuerySet

from civicsocial.publishing.compose import MediaInput
from civicsocial.publishing.models import Draft, DraftKind
from civicsocial.registry.models import Account, AccountStatus, Agency, Role

MAX_IMAGES = 4


class ComposeForm(forms.Form):
    accounts = forms.ModelMultipleChoiceField(queryset=Account.objects.none(),
                                              widget=forms.CheckboxSelectMultiple)
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 6, "data-preview": "text"}),
                           max_length=70000, required=False, strip=False)
    link = forms.URLField(required=False, max_length=500, assume_scheme="https",
                          help_text="Added on a line of its own at the end.")
    kind = forms.ChoiceField(choices=DraftKind.choices, initial=DraftKind.ORIGINAL)
    share_of = forms.CharField(required=False, max_length=300, label="Post to share",
                               help_text="For a share: the link or id of the post.")
    reply_to = forms.CharField(required=False, max_length=300, label="In reply to",
                               help_text="The platform id of the post this answers (optional).")
    send_at = forms.CharField(required=False, label="Send at", widget=forms.DateTimeInput(
        attrs={"type": "datetime-local"}), help_text="The city's time. Leave empty to send as soon as "
                                                     "the last approval is given.")

    def __init__(self, *args: Any, accounts: QuerySet[Account], draft: Draft | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.fields["accounts"].queryset = accounts  # type: ignore[attr-defined]
        for n in range(1, MAX_IMAGES + 1):
            existing = list(draft.media.all()) if draft is not None else []
            current = existing[n - 1] if n <= len(existing) else None
            self.fields[f"image_{n}"] = forms.FileField(
                required=False, label=f"Image {n}",
                help_text=f"Now: {current.filename or current.sha256[:12]}. Choose a file to replace it."
                if current else "")
            self.fields[f"alt_{n}"] = forms.CharField(
                required=False, max_length=2000, label=f"Alt text {n}",
                initial=current.alt_text if current else "",
                widget=forms.Textarea(attrs={"rows": 2}), help_text="What the image shows, for people who "
                                                                    "cannot see it.")
            if current:
                self.fields[f"remove_{n}"] = forms.BooleanField(required=False, label=f"Remove image {n}")

    def clean_send_at(self) -> datetime | None:
        value = self.cleaned_data.get("send_at", "").strip()
        if not value:
            return None
        try:
            return datetime.fromisoformat(value).replace(tzinfo=None, second=0, microsecond=0)
        except ValueError:
            raise forms.ValidationError("Enter a date and time, e.g. 2027-03-14 09:30.") from None

    def media(self) -> list[MediaInput]:  # type: ignore[override]
        """The draft's images after this form: kept, replaced, added or removed."""
        existing = list(self.draft.media.all()) if self.draft is not None else []
        found = []
        for n in range(1, MAX_IMAGES + 1):
            upload = self.cleaned_data.get(f"image_{n}")
            alt = self.cleaned_data.get(f"alt_{n}", "")
            if upload:
                found.append(MediaInput(alt, data=upload.read(), filename=upload.name))
            elif n <= len(existing) and not self.cleaned_data.get(f"remove_{n}"):
                kept = existing[n - 1]
                found.append(MediaInput(alt, sha256=kept.sha256, content_type=kept.content_type,
                                        size=kept.size, filename=kept.filename))
        return found


def publishable_accounts(agencies: QuerySet[Agency]) -> QuerySet[Account]:
    return Account.objects.filter(agency__in=agencies, status=AccountStatus.ACTIVE).select_related("agency")


class ChainForm(forms.Form):
    """An account's approval chain: one to three steps, each a role or named people."""

    def __init__(self, *args: Any, account: Account, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        steps = list(account.approval_steps.prefetch_related("people"))
        people = account.agency.role_assignments.select_related("person").order_by("person__last_name")
        choices = sorted({(a.person.pk, str(a.person)) for a in people}, key=lambda c: c[1])
        offered = (Role.APPROVER, Role.COUNSEL, Role.AGENCY_ADMIN, Role.EDITOR)
        roles = [("", "(named people only)")] + [(r.value, r.label) for r in offered]
        for n in range(1, 4):
            step = steps[n - 1] if n <= len(steps) else None
            self.fields[f"role_{n}"] = forms.ChoiceField(
                choices=roles, required=False, label=f"Step {n}: role",
                initial=step.role if step else (Role.APPROVER if n == 1 else ""))
            self.fields[f"people_{n}"] = forms.MultipleChoiceField(
                choices=choices, required=False, label=f"Step {n}: or these people",
                initial=[p.pk for p in step.people.all()] if step else [],
                widget=forms.CheckboxSelectMultiple)

    def steps(self) -> list[tuple[str, list[int]]]:
        found = []
        for n in range(1, 4):
            role, people = self.cleaned_data.get(f"role_{n}", ""), self.cleaned_data.get(f"people_{n}", [])
            if role or people:
                found.append((role, [int(p) for p in people]))
        return found
