"""Registry pages. Thin: look up, ask `permissions`, validate a form, call a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.debug import sensitive_post_parameters

from civicsocial.http import AuthedRequest
from civicsocial.registry import credentials, forms, roles, services
from civicsocial.registry.models import (
    Account,
    AccountStatus,
    Agency,
    Application,
    ApplicationStatus,
    Authorization,
    Person,
    Platform,
    PlatformTerms,
    RoleAssignment,
    RoleGrant,
)
from civicsocial.registry.permissions import (
    Action,
    agencies_for,
    can,
    events_for,
    is_ods_admin,
    require,
    visible_agencies,
)
from civicsocial.registry.steps import STEPS
from civicsocial.security import audit, vault
from civicsocial.web import apply_errors, form_page, posted, visible_or_404

# -- home, agencies -------------------------------------------------------------------------

@login_required
def home(request: AuthedRequest) -> HttpResponse:
    agencies = visible_agencies(request.user)
    pending = Application.objects.filter(agency__in=agencies, status=ApplicationStatus.SUBMITTED)
    return render(request, "registry/home.html", {
        "agencies": agencies,
        "pending": pending.select_related("agency")[:20],
        "account_count": Account.objects.filter(agency__in=agencies).count(),
    })


@login_required
def agency_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "registry/agency_list.html",
                  {"agencies": visible_agencies(request.user).select_related("central_contact")})


@login_required
def agency_create(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_AGENCIES)
    form = forms.AgencyForm(posted(request))

    def save() -> Agency:
        agency = form.save()
        audit.record(request.user, "agency.created", agency)
        return agency

    return form_page(request, form, "New agency", save, "", "/agencies/")


@login_required
def agency_detail(request: AuthedRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(visible_agencies(request.user), slug=slug)
    user = request.user
    return render(request, "registry/agency_detail.html", {
        "agency": agency,
        "accounts": agency.accounts.all(),
        "roles": agency.role_assignments.select_related("person").order_by("person__last_name"),
        "policy": agency.policies.first(),
        "reviews": agency.tos_reviews.select_related("terms", "reviewer"),
        "events": events_for(agency, user)[:50] if can(user, Action.VIEW_AUDIT, agency) else None,
        "may": {a.value: can(user, a, agency) for a in Action},
    })


# -- accounts -------------------------------------------------------------------------------

@login_required
def account_list(request: AuthedRequest) -> HttpResponse:
    accounts = Account.objects.filter(agency__in=visible_agencies(request.user)) \
        .select_related("agency", "owner")
    platform = request.GET.get("platform", "")
    status = request.GET.get("status", "")
    if platform in Platform.values:
        accounts = accounts.filter(platform=platform)
    if status in AccountStatus.values:
        accounts = accounts.filter(status=status)
    return render(request, "registry/account_list.html", {
        "accounts": accounts, "platforms": Platform.choices, "statuses": AccountStatus.choices,
        "platform": platform, "status": status})


@login_required
def account_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    account = visible_or_404(request, Account.objects.select_related("agency", "owner"), pk=pk)
    return render(request, "registry/account_detail.html", {
        "account": account,
        "authorizations": account.authorizations.select_related("person", "granted_by"),
        "events": events_for(account, request.user)[:100],
        "may_edit": can(request.user, Action.EDIT_ACCOUNT, account.agency),
        "may_train": can(request.user, Action.MANAGE_TRAINING, account.agency),
        "may_manage_credentials": (may := can(request.user, Action.MANAGE_CREDENTIALS, account.agency)),
        "credential": (credential := vault.describe(account.secret_name) if may else None),
        "credential_due": credentials.rotation_due(account, credential),
        "may_report": can(request.user, Action.REPORT_INCIDENT, account.agency),
        "may_set_chain": can(request.user, Action.SET_APPROVAL_CHAIN, account.agency),
        "live_incidents": account.incidents.filter(status__in=["suspected", "open"]),
    })


@login_required
@sensitive_post_parameters("secret")
def account_credential(request: AuthedRequest, pk: int) -> HttpResponse:
    """Enter or replace the account's secret (P13): write-only; a generated password is
    shown once, on this answer alone, to be set on the platform."""
    account = visible_or_404(request, Account.objects.select_related("agency"), pk=pk)
    require(request.user, Action.MANAGE_CREDENTIALS, account.agency)
    form = forms.CredentialForm(posted(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        generated = vault.generate() if data["generate"] else ""
        try:
            row = credentials.store_account_secret(request.user, account, generated or data["secret"],
                                                   data["kind"], data["chosen_by_person"] and not generated,
                                                   data["reason"])
        except ValidationError as error:
            apply_errors(form, error)
        else:
            if not generated:
                messages.success(request, f"Stored in the vault: fingerprint {row.fingerprint}.")
                return redirect(account)
            answer = render(request, "registry/credential_generated.html",
                            {"account": account, "generated": generated, "row": row})
            add_never_cache_headers(answer)
            return answer
    return render(request, "form.html", {
        "form": form, "title": f"Credential of {account}", "cancel": account.get_absolute_url(),
        "intro": "The secret goes into the vault, encrypted. Nobody will see it again: the page "
                 "shows its fingerprint, who set it and when (P13).", "submit": "Store"},
        status=400 if request.method == "POST" else 200)


@login_required
def account_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    account = visible_or_404(request, Account.objects.all(), pk=pk)
    require(request.user, Action.EDIT_ACCOUNT, account.agency)
    form = forms.AccountForm(posted(request), instance=Account.objects.get(pk=pk))

    def save() -> Account:
        data = {f: form.cleaned_data[f] for f in services.ACCOUNT_EDITABLE_FIELDS}
        return services.update_account(request.user, account, data, form.cleaned_data["reason"])

    return form_page(request, form, f"Edit {account}", save, "", account.get_absolute_url())


def directory(request: HttpRequest) -> HttpResponse:
    """Public: residents can check that an account is official (P1)."""
    accounts = Account.objects.filter(status=AccountStatus.ACTIVE).select_related("agency")
    query = request.GET.get("q", "").strip()[:100]
    if query:
        accounts = accounts.filter(handle__icontains=query.lstrip("@")) | \
            accounts.filter(agency__name__icontains=query)
    return render(request, "registry/directory.html", {"accounts": accounts, "q": query})


# -- applications (P2, P9) ------------------------------------------------------------------

@login_required
def application_list(request: AuthedRequest) -> HttpResponse:
    applications = Application.objects.filter(agency__in=visible_agencies(request.user)) \
        .select_related("agency", "submitted_by")
    status = request.GET.get("status", "")
    if status in ApplicationStatus.values:
        applications = applications.filter(status=status)
    return render(request, "registry/application_list.html", {
        "applications": applications, "statuses": ApplicationStatus.choices, "status": status,
        "may_apply": agencies_for(request.user, Action.APPLY).exists()})


@login_required
def application_create(request: AuthedRequest, previous: Application | None = None) -> HttpResponse:
    agencies = agencies_for(request.user, Action.APPLY)
    if not agencies.exists():
        require(request.user, Action.APPLY, None)
    initial = {f: getattr(previous, f) for f in services.APPLICATION_FIELDS} if previous else None
    form = forms.ApplicationForm(posted(request), initial=initial, agencies=agencies)

    def save() -> Application:
        submit = request.POST.get("save_as") != "draft"
        return services.create_application(request.user, form.cleaned_data, submit=submit,
                                           previous=previous)

    title = f"Re-apply (after #{previous.pk})" if previous else "Apply for a new account"
    intro = (f"ODS denied #{previous.pk}: “{previous.decision_reason}”. Change what it asked for."
             if previous else "ODS approves an account when it serves a unique need and has a "
             "continuity plan (P2). Campaign accounts also need counsel's sign-off (P9).")
    return form_page(request, form, title, save, "", "/applications/", intro=intro,
                     submit="Submit to ODS")


@login_required
def application_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    application = visible_or_404(request, Application.objects.select_related(
        "agency", "submitted_by", "decided_by", "counsel_signoff_by", "account"), pk=pk)
    user, agency = request.user, application.agency
    is_open = application.status in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED)
    return render(request, "registry/application_detail.html", {
        "application": application,
        "events": events_for(application, request.user),
        "may_decide": application.status == ApplicationStatus.SUBMITTED
        and can(user, Action.DECIDE_APPLICATION, agency),
        "may_signoff": application.status == ApplicationStatus.SUBMITTED
        and application.needs_counsel and can(user, Action.COUNSEL_SIGNOFF, agency),
        "may_withdraw": is_open and can(user, Action.APPLY, agency),
        "may_submit": application.status == ApplicationStatus.DRAFT and can(user, Action.APPLY, agency),
        "may_reapply": application.status == ApplicationStatus.DENIED
        and can(user, Action.APPLY, agency) and not application.reapplications.exists(),
    })


@login_required
def application_step(request: AuthedRequest, pk: int, step: str) -> HttpResponse:
    """A step of the application (registry/steps.py): decide, sign off, withdraw, submit."""
    taken = STEPS[step]
    application = visible_or_404(request, Application.objects.all(), pk=pk)
    require(request.user, taken.action, application.agency)
    form = taken.form(posted(request))
    return form_page(request, form, taken.title.format(pk=pk),
                     lambda: taken.run(request.user, application, form.cleaned_data),
                     "", application.get_absolute_url(), submit=taken.submit)


@login_required
def application_reapply(request: AuthedRequest, pk: int) -> HttpResponse:
    previous = visible_or_404(request, Application.objects.all(), pk=pk)
    require(request.user, Action.APPLY, previous.agency)
    if previous.status != ApplicationStatus.DENIED:
        messages.error(request, "Only a denied application can be re-applied for.")
        return redirect(previous)
    return application_create(request, previous=previous)


# -- people, roles, training, off-boarding (P3, P4, P6, P10) --------------------------------

def person_or_404(request: AuthedRequest, pk: int) -> Person:
    """A person who holds (or held) a role in an agency the viewer may see."""
    person = get_object_or_404(Person, pk=pk)
    if person == request.user or is_ods_admin(request.user):
        return person
    shared = visible_agencies(request.user).filter(role_assignments__person=person)
    touched = visible_agencies(request.user).filter(accounts__authorizations__person=person)
    if not (shared.exists() or touched.exists()):
        raise Http404("No such person.")
    return person


def _person_agency(request: AuthedRequest, person: Person, action: Action) -> Agency:
    """The agency (from ?agency=slug, else the first) in which the viewer may do `action`
    for this person; 403 when there is none."""
    candidates = agencies_for(request.user, action).filter(
        role_assignments__person=person).distinct()
    if request.GET.get("agency"):
        candidates = candidates.filter(slug=request.GET["agency"])
    agency = candidates.first()
    if agency is None:
        raise PermissionDenied("Your role does not allow this for this person.")
    return agency


@login_required
def person_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    visible = visible_agencies(request.user)
    return render(request, "registry/person_detail.html", {
        "person": person,
        "roles": person.role_assignments.filter(agency__in=visible).select_related("agency")
        if not is_ods_admin(request.user) else person.role_assignments.select_related("agency"),
        "trainings": person.trainings.all(),
        "authorizations": person.authorizations.filter(account__agency__in=visible)
        .select_related("account"),
        "current_training": services.current_training(person),
        "manage_agencies": agencies_for(request.user, Action.MANAGE_PEOPLE)
        .filter(role_assignments__person=person).distinct(),
        "train_agencies": agencies_for(request.user, Action.MANAGE_TRAINING)
        .filter(role_assignments__person=person).distinct(),
        "events": events_for(person, request.user)[:100],
        "may_issue_code": is_ods_admin(request.user) and person != request.user,
        "pending_grants": visible_grants(request).filter(person=person,
                                                         status=RoleGrant.Status.PENDING),
    })


@login_required
def person_create(request: AuthedRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(visible_agencies(request.user), slug=slug)
    require(request.user, Action.MANAGE_PEOPLE, agency)
    form = forms.PersonForm(posted(request))

    def save() -> Person:
        data = form.cleaned_data
        person = Person(username=data["username"], first_name=data["first_name"],
                        last_name=data["last_name"], email=data["email"], kind=data["kind"],
                        title=data["title"])
        person.set_unusable_password()
        person.save()
        audit.record(request.user, "person.created", person, agency_id=agency.pk)
        roles.grant_role(request.user, person, agency, data["role"])
        return person

    return form_page(request, form, f"Add a person to {agency}", save, "",
                     agency.get_absolute_url(),
                     intro="They get a login once an administrator sets their password.")


@login_required
def role_add(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    agency = get_object_or_404(visible_agencies(request.user), slug=slug)
    require(request.user, Action.MANAGE_PEOPLE, agency)
    person = person_or_404(request, pk)
    form = forms.RoleForm(posted(request))

    def save() -> Person:
        roles.grant_role(request.user, person, agency, form.cleaned_data["role"])
        return person

    return form_page(request, form, f"Give {person} a role in {agency}", save, "",
                     person.get_absolute_url(), intro=GRANT_RULES)


GRANT_RULES = ("Nobody gives themselves a role. Agency admin, counsel and records officer are "
               "granted by ODS only, and take effect once a second person (another ODS admin "
               "or the agency's central contact) confirms.")


def visible_grants(request: AuthedRequest) -> QuerySet[RoleGrant]:
    """Role grants in the agencies the viewer may see (every one for ODS)."""
    grants = RoleGrant.objects.select_related("person", "agency", "granted_by", "decided_by")
    if is_ods_admin(request.user):
        return grants
    return grants.filter(agency__in=visible_agencies(request.user))


@login_required
def role_grants(request: AuthedRequest) -> HttpResponse:
    """Grants waiting for the viewer's confirmation, and recent grants they may see."""
    return render(request, "registry/role_grants.html", {
        "to_confirm": roles.grants_to_confirm(request.user),
        "recent": visible_grants(request)[:100], "rules": GRANT_RULES})


@login_required
def role_grant_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    """A second person confirms a pending grant, or refuses it with a reason."""
    grant = get_object_or_404(visible_grants(request), pk=pk)
    if not roles.may_confirm(request.user, grant):
        raise PermissionDenied(roles.SECOND_PERSON_ONLY)
    form = forms.GrantDecisionForm(posted(request))

    def save() -> RoleGrant:
        if form.cleaned_data["decision"] == "confirm":
            roles.confirm_grant(request.user, grant)
        else:
            roles.refuse_grant(request.user, grant, form.cleaned_data["reason"])
        return grant

    return form_page(request, form, f"Confirm or refuse: {grant}", save, "", "/roles/grants/",
                     intro=f"Granted by {grant.granted_by or 'the command line'} "
                           f"on {grant.granted_at:%Y-%m-%d %H:%M}. {GRANT_RULES}")


@login_required
def role_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    assignment = visible_or_404(request, RoleAssignment.objects.select_related("person"), pk=pk)
    require(request.user, Action.MANAGE_PEOPLE, assignment.agency)
    form = forms.ReasonForm(posted(request))

    def save() -> Person:
        roles.remove_role(request.user, assignment, form.cleaned_data["reason"])
        return assignment.person

    return form_page(request, form, f"Remove role: {assignment}", save, "",
                     assignment.person.get_absolute_url(), submit="Remove")


@login_required
def training_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    _person_agency(request, person, Action.MANAGE_TRAINING)
    form = forms.TrainingForm(posted(request))

    def save() -> Person:
        services.record_training(request.user, person, form.cleaned_data["completed_on"],
                                 form.cleaned_data["expires_on"])
        return person

    return form_page(request, form, f"Record training for {person} (P4)", save, "",
                     person.get_absolute_url())


@login_required
def authorization_add(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    _person_agency(request, person, Action.MANAGE_TRAINING)
    accounts = Account.objects.filter(
        agency__in=agencies_for(request.user, Action.MANAGE_TRAINING),
        status=AccountStatus.ACTIVE)
    form = forms.AuthorizationForm(posted(request), accounts=accounts)

    def save() -> Person:
        services.authorize(request.user, person, form.cleaned_data["account"])
        return person

    return form_page(request, form, f"Authorize {person} for an account (P4)", save, "",
                     person.get_absolute_url(),
                     intro="Only a person with a current training can be authorized.")


@login_required
def authorization_revoke(request: AuthedRequest, pk: int) -> HttpResponse:
    authorization = get_object_or_404(
        Authorization.objects.filter(account__agency__in=visible_agencies(request.user)), pk=pk)
    require(request.user, Action.MANAGE_TRAINING, authorization.account.agency)
    form = forms.ReasonForm(posted(request))

    def save() -> Person:
        services.revoke_authorization(request.user, authorization, form.cleaned_data["reason"])
        return authorization.person

    return form_page(request, form, f"Revoke: {authorization}", save, "",
                     authorization.person.get_absolute_url(), submit="Revoke")


@login_required
def person_offboard(request: AuthedRequest, pk: int) -> HttpResponse:
    person = person_or_404(request, pk)
    agency = _person_agency(request, person, Action.MANAGE_PEOPLE)
    form = forms.OffboardForm(posted(request), agency=agency, exclude=person)

    def save() -> Agency:
        services.offboard(request.user, person, agency, form.cleaned_data["successor"],
                          form.cleaned_data["reason"])
        return agency

    return form_page(request, form, f"Off-board {person} from {agency} (P10)", save, "",
                     person.get_absolute_url(), submit="Off-board",
                     intro="Their individual accounts move to the successor; nothing is deleted.")


@login_required
def acknowledge_warning(request: AuthedRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(visible_agencies(request.user), slug=slug)
    form = Form(posted(request))

    def save() -> Agency:
        services.acknowledge_warning(request.user, agency)
        return agency

    return form_page(request, form, "Warning for staff not authorized to post", save, "",
                     agency.get_absolute_url(), intro=services.WARNING_TEXT,
                     submit="I have read and understood this")


# -- agency: central contact, policy, terms of service (P5, P6, P20) ------------------------

@login_required
def central_contact(request: AuthedRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(visible_agencies(request.user), slug=slug)
    require(request.user, Action.MANAGE_PEOPLE, agency)
    form = forms.CentralContactForm(posted(request), agency=agency)
    return form_page(request, form, f"Central contact of {agency} (P6)",
                     lambda: services.set_central_contact(request.user, agency,
                                                          form.cleaned_data["person"]),
                     "", agency.get_absolute_url())


@login_required
def policy_edit(request: AuthedRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(visible_agencies(request.user), slug=slug)
    require(request.user, Action.EDIT_POLICY, agency)
    current = agency.policies.first()
    initial = {"title": current.title, "document_url": current.document_url,
               "elements": current.elements} if current else None
    form = forms.AgencyPolicyForm(posted(request), initial=initial)

    def save() -> Agency:
        data = form.cleaned_data
        services.save_agency_policy(request.user, agency, data["title"], data["elements"],
                                    data["document_url"])
        return agency

    return form_page(request, form, f"New version of {agency}'s social media policy (P5)", save,
                     "", agency.get_absolute_url(),
                     intro="Tick each element the policy covers. Counsel approves it afterwards.")


@login_required
def policy_approve(request: AuthedRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(visible_agencies(request.user), slug=slug)
    require(request.user, Action.APPROVE_POLICY, agency)
    policy = agency.policies.first()
    if policy is None:
        messages.error(request, "There is no policy to approve yet.")
        return redirect(agency)
    form = forms.PolicyApprovalForm(posted(request))

    def save() -> Agency:
        services.approve_agency_policy(request.user, policy, form.cleaned_data["approved_on"])
        return agency

    return form_page(request, form, f"Counsel approval of '{policy.title}' (P5)", save, "",
                     agency.get_absolute_url(), submit="Approve")


@login_required
def tos_review(request: AuthedRequest, slug: str) -> HttpResponse:
    agency = get_object_or_404(visible_agencies(request.user), slug=slug)
    require(request.user, Action.REVIEW_TOS, agency)
    form = forms.TosReviewForm(posted(request))

    def save() -> Agency:
        data = form.cleaned_data
        services.record_tos_review(request.user, agency, data["terms"], data["reviewed_on"],
                                   data["notes"])
        return agency

    return form_page(request, form, f"Record a terms-of-service review for {agency} (P20)", save,
                     "", agency.get_absolute_url())


@login_required
def terms_list(request: AuthedRequest) -> HttpResponse:
    return render(request, "registry/terms_list.html", {
        "terms": PlatformTerms.objects.all(),
        "may_add": can(request.user, Action.MANAGE_TERMS)})


@login_required
def terms_add(request: AuthedRequest) -> HttpResponse:
    require(request.user, Action.MANAGE_TERMS)
    form = forms.TermsForm(posted(request))

    def save() -> None:
        data = form.cleaned_data
        services.record_terms(request.user, data["platform"], data["version"],
                              data["effective_on"], data["url"])

    return form_page(request, form, "Record a platform's terms version (P20)", save, "/terms/",
                     "/terms/")
