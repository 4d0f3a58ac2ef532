"""Registry API: agencies, accounts, applications. Thin: permissions, forms, services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from civicsocial.http import AuthedRequest
from civicsocial.registry import forms, services
from civicsocial.registry.models import Account, AccountStatus, Agency, Application
from civicsocial.registry.permissions import Action, agencies_for, require, visible_agencies
from civicsocial.registry.steps import STEPS
from civicsocial.web import visible_or_404

router = Router(tags=["registry"])


class AgencyOut(Schema):
    slug: str
    name: str
    acronym: str
    central_contact: str | None

    @staticmethod
    def resolve_central_contact(obj: Agency) -> str | None:
        return str(obj.central_contact) if obj.central_contact else None


class AccountOut(Schema):
    id: int
    agency: str
    platform: str
    handle: str
    url: str
    account_type: str
    owner_id: int | None
    topic_limited: bool
    topic_statement: str
    sensitive_audience: bool
    login_identity: str
    status: str
    registered_at: datetime

    @staticmethod
    def resolve_agency(obj: Account) -> str:
        return obj.agency.slug


class PublicAccountOut(Schema):
    agency: str
    platform: str
    handle: str
    url: str

    @staticmethod
    def resolve_agency(obj: Account) -> str:
        return obj.agency.name


class AccountPatch(Schema):
    reason: str
    url: str | None = None
    owner_id: int | None = None
    topic_limited: bool | None = None
    topic_statement: str | None = None
    sensitive_audience: bool | None = None
    login_identity: str | None = None
    status: str | None = None


class ApplicationIn(Schema):
    agency: str
    platform: str
    handle: str
    url: str
    account_type: str = "agency"
    owner_id: int | None = None
    topic_limited: bool = False
    topic_statement: str = ""
    sensitive_audience: bool = False
    login_identity: str
    justification: str
    continuity_plan: str = ""
    submit: bool = True
    previous_id: int | None = None


class ApplicationOut(Schema):
    id: int
    agency: str
    platform: str
    handle: str
    url: str
    account_type: str
    justification: str
    continuity_plan: str
    status: str
    submitted_at: datetime | None
    counsel_signoff_at: datetime | None
    decided_at: datetime | None
    decision_reason: str
    previous_id: int | None
    account_id: int | None

    @staticmethod
    def resolve_agency(obj: Application) -> str:
        return obj.agency.slug


class DecisionIn(Schema):
    decision: str
    reason: str


class ReasonIn(Schema):
    reason: str


def validated(form: BaseForm) -> dict[str, Any]:
    """The form's cleaned data, or a ValidationError with its field-by-field messages."""
    if not form.is_valid():
        raise ValidationError({f: [str(m) for m in msgs] for f, msgs in form.errors.items()})
    return form.cleaned_data


@router.get("/agencies", response=list[AgencyOut])
def list_agencies(request: AuthedRequest) -> QuerySet[Agency]:
    return visible_agencies(request.user).select_related("central_contact")


@router.get("/directory", response=list[PublicAccountOut], auth=None)
def public_directory(request: HttpRequest) -> QuerySet[Account]:
    """Public: every active official account (P1), for residents to check."""
    return Account.objects.filter(status=AccountStatus.ACTIVE).select_related("agency")


@router.get("/accounts", response=list[AccountOut])
def list_accounts(request: AuthedRequest, agency: str | None = None, platform: str | None = None,
                  status: str | None = None) -> QuerySet[Account]:
    accounts = Account.objects.filter(agency__in=visible_agencies(request.user)) \
        .select_related("agency")
    if agency:
        accounts = accounts.filter(agency__slug=agency)
    if platform:
        accounts = accounts.filter(platform=platform)
    if status:
        accounts = accounts.filter(status=status)
    return accounts


@router.get("/accounts/{account_id}", response=AccountOut)
def get_account(request: AuthedRequest, account_id: int) -> Account:
    return visible_or_404(request, Account.objects.select_related("agency"), pk=account_id)


@router.patch("/accounts/{account_id}", response=AccountOut)
def patch_account(request: AuthedRequest, account_id: int, payload: AccountPatch) -> Account:
    account = visible_or_404(request, Account.objects.select_related("agency"), pk=account_id)
    require(request.user, Action.EDIT_ACCOUNT, account.agency)
    given = payload.dict(exclude_unset=True)
    reason = given.pop("reason")
    data = {"url": account.url, "owner": account.owner_id, "topic_limited": account.topic_limited,
            "topic_statement": account.topic_statement, "status": account.status,
            "sensitive_audience": account.sensitive_audience,
            "login_identity": account.login_identity, "reason": reason}
    data.update({("owner" if k == "owner_id" else k): v for k, v in given.items()})
    cleaned = validated(forms.AccountForm(data, instance=Account.objects.get(pk=account.pk)))
    changes = {f: cleaned[f] for f in services.ACCOUNT_EDITABLE_FIELDS}
    return services.update_account(request.user, account, changes, reason)


@router.get("/applications", response=list[ApplicationOut])
def list_applications(request: AuthedRequest, status: str | None = None) -> QuerySet[Application]:
    applications = Application.objects.filter(agency__in=visible_agencies(request.user)) \
        .select_related("agency")
    return applications.filter(status=status) if status else applications


@router.get("/applications/{application_id}", response=ApplicationOut)
def get_application(request: AuthedRequest, application_id: int) -> Application:
    return visible_or_404(request, Application.objects.select_related("agency"), pk=application_id)


@router.post("/applications", response={201: ApplicationOut})
def create_application(request: AuthedRequest, payload: ApplicationIn) -> Status[Application]:
    """Apply for a new account (P2); `previous_id` re-applies after a denial."""
    agency = get_object_or_404(visible_agencies(request.user), slug=payload.agency)
    require(request.user, Action.APPLY, agency)
    previous = None
    if payload.previous_id is not None:
        previous = visible_or_404(request, Application.objects.all(), pk=payload.previous_id)
        if previous.status != "denied":
            raise ValidationError({"previous_id": "Only a denied application can be re-applied for."})
    data = payload.dict(exclude={"submit", "previous_id"})
    data["agency"] = agency.pk
    data["owner"] = data.pop("owner_id")
    form = forms.ApplicationForm(data, agencies=agencies_for(request.user, Action.APPLY))
    application = services.create_application(request.user, validated(form),
                                              submit=payload.submit, previous=previous)
    return Status(201, application)


def _take(request: AuthedRequest, application_id: int, step: str, data: dict[str, Any]) -> Application:
    """A step of the application (registry/steps.py), as the pages take it."""
    taken = STEPS[step]
    application = visible_or_404(request, Application.objects.select_related("agency"), pk=application_id)
    require(request.user, taken.action, application.agency)
    return taken.run(request.user, application, validated(taken.form(data)))


@router.post("/applications/{application_id}/decision", response=ApplicationOut)
def decide(request: AuthedRequest, application_id: int, payload: DecisionIn) -> Application:
    """ODS approves (registering the account) or denies, with a reason (P2)."""
    return _take(request, application_id, "decide", payload.dict())


@router.post("/applications/{application_id}/counsel-signoff", response=ApplicationOut)
def signoff(request: AuthedRequest, application_id: int, payload: ReasonIn) -> Application:
    """Agency counsel signs off a campaign account (P9)."""
    return _take(request, application_id, "signoff", payload.dict())


@router.post("/applications/{application_id}/withdraw", response=ApplicationOut)
def withdraw(request: AuthedRequest, application_id: int, payload: ReasonIn) -> Application:
    return _take(request, application_id, "withdraw", payload.dict())
