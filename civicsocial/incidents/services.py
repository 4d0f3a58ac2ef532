"""Incident response (P14: when an attack is suspected, ODS, DoITT and City Hall's press
office are contacted first; issue 18).

A report freezes the account at once (`Account.frozen_at`: every adapter built for it
refuses to act, capture goes on), then the notices go out, the city's three contacts
first and the agency's central contact after, each delivery recorded on the timeline.
Only ODS lifts the freeze, with a reason, and only once the account's credential in the
vault was replaced after the report. Capture may open a suspected incident by itself
(`detect`), which ODS confirms (freezing) or dismisses.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from civicsocial.incidents.models import Incident, IncidentStatus, IncidentStep, StepKind
from civicsocial.registry.models import Account, Person
from civicsocial.registry.permissions import Action, require
from civicsocial.registry.signals import account_frozen
from civicsocial.security import audit, vault

log = logging.getLogger(__name__)
SUMMARY_MAX = 5000
DEFAULT_LOOKBACK = timedelta(hours=24)  # the known-good moment, unless the reporter knows better
LIVE = (IncidentStatus.SUSPECTED, IncidentStatus.OPEN)


@dataclass(frozen=True)
class Contact:
    role: str
    address: str

    def __str__(self) -> str:
        return f"{self.role} <{self.address}>" if self.address else f"{self.role} (no address configured)"


def city_contacts() -> list[Contact]:
    """Who P14 says is told first, in order: ODS, the city's cyber command (DoITT's role
    in the policy), City Hall's press office (settings.INCIDENT_CONTACTS)."""
    return [Contact(role, address) for role, address in settings.INCIDENT_CONTACTS]


def _step(incident: Incident, kind: str, actor: Person | None = None, detail: str = "",
          recipient: str = "") -> IncidentStep:
    return IncidentStep.objects.create(incident=incident, kind=kind, actor=actor, detail=detail,
                                       recipient=recipient)


def _clean_summary(summary: str) -> str:
    summary = (summary or "").strip()
    if not summary:
        raise ValidationError({"summary": "Say what was seen (a post nobody wrote, a changed "
                                          "password, ...)."})
    if len(summary) > SUMMARY_MAX:
        raise ValidationError({"summary": f"At most {SUMMARY_MAX} characters."})
    return summary


def _known_good(known_good_at: datetime | None, now: datetime) -> datetime:
    if known_good_at is None:
        return now - DEFAULT_LOOKBACK
    if known_good_at > now:
        raise ValidationError({"known_good_at": "The last known-good moment cannot be in the future."})
    return known_good_at


def _open(account: Account, status: str, actor: Person | None, summary: str,
          known_good_at: datetime) -> Incident:
    """A new live incident for the account (one at a time: the database refuses a second)."""
    live = Incident.objects.filter(account=account, status__in=LIVE).first()
    if live is not None:
        raise ValidationError(f"{live.number} is already open for {account}: add to it instead.")
    try:
        with transaction.atomic():
            return Incident.objects.create(account=account, status=status, summary=summary,
                                           reported_by=actor, known_good_at=known_good_at)
    except IntegrityError:
        raise ValidationError(f"An incident is already open for {account}.") from None


@transaction.atomic
def report(actor: Person, account: Account, summary: str,
           known_good_at: datetime | None = None) -> Incident:
    """Anyone on the agency's staff, or ODS: the account freezes at once and the notices
    go out as soon as that is committed."""
    require(actor, Action.REPORT_INCIDENT, account.agency)
    now = timezone.now()
    account = Account.objects.select_for_update().get(pk=account.pk)
    incident = _open(account, IncidentStatus.OPEN, actor, _clean_summary(summary),
                     _known_good(known_good_at, now))
    _freeze(incident, actor, StepKind.REPORTED, incident.summary)
    return incident


def _freeze(incident: Incident, actor: Person | None, kind: str, detail: str) -> None:
    Account.objects.filter(pk=incident.account_id, frozen_at__isnull=True).update(frozen_at=timezone.now())
    transaction.on_commit(lambda: account_frozen.send(Account, account_id=incident.account_id))
    _step(incident, kind, actor, detail)
    audit.record(actor, "incident.frozen", incident.account, agency_id=incident.account.agency_id,
                 changes={"incident": [None, incident.number]}, reason=detail[:500])
    transaction.on_commit(lambda: send_notices(incident.pk))


@transaction.atomic
def detect(account: Account, what: str) -> Incident | None:
    """Capture saw a change nobody recorded (a profile change, a login identity): a
    suspected incident for ODS to confirm, with ODS told. None if one is live already."""
    if Incident.objects.filter(account=account, status__in=LIVE).exists():
        return None
    try:
        incident = _open(account, IncidentStatus.SUSPECTED, None, _clean_summary(what),
                         timezone.now() - DEFAULT_LOOKBACK)
    except ValidationError:
        return None  # another worker opened it a moment ago
    _step(incident, StepKind.DETECTED, None, incident.summary)
    audit.record(None, "incident.detected", account, agency_id=account.agency_id,
                 changes={"incident": [None, incident.number]}, reason=what[:500])
    ods = city_contacts()[:1]
    transaction.on_commit(lambda: _deliver(incident, ods, "Suspected"))
    return incident


@transaction.atomic
def confirm(actor: Person, incident: Incident, reason: str) -> Incident:
    """ODS confirms a detected incident: the account freezes and everyone is told."""
    require(actor, Action.DECIDE_INCIDENT, incident.account.agency)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status != IncidentStatus.SUSPECTED:
        raise ValidationError("Only a suspected incident is confirmed.")
    incident.status = IncidentStatus.OPEN
    incident.save(update_fields=["status"])
    _freeze(incident, actor, StepKind.CONFIRMED, _required(reason))
    return incident


def _required(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Give the reason; it goes in the incident's timeline."})
    return reason[:SUMMARY_MAX]


def credentials_rotated(incident: Incident) -> bool:
    """The account's credential in the vault was replaced after the incident was reported."""
    entry = vault.describe(incident.account.secret_name)
    return entry is not None and entry.set_at > incident.reported_at


@transaction.atomic
def resolve(actor: Person, incident: Incident, reason: str, dismiss: bool = False) -> Incident:
    """ODS lifts the freeze, with a reason, once the credentials were rotated; or
    dismisses a suspected incident that was no compromise."""
    require(actor, Action.DECIDE_INCIDENT, incident.account.agency)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    reason = _required(reason)
    if incident.status not in LIVE:
        raise ValidationError(f"{incident.number} is already {incident.get_status_display().lower()}.")
    if dismiss and incident.status != IncidentStatus.SUSPECTED:
        raise ValidationError("A confirmed incident is resolved, not dismissed.")
    if not dismiss and not credentials_rotated(incident):
        raise ValidationError("Rotate the account's credentials first (enter the new one on the account's "
                              "page): the freeze is lifted only once they are replaced.")
    incident.status = IncidentStatus.DISMISSED if dismiss else IncidentStatus.RESOLVED
    incident.resolved_by, incident.resolved_at, incident.resolution = actor, timezone.now(), reason
    incident.save(update_fields=["status", "resolved_by", "resolved_at", "resolution"])
    Account.objects.filter(pk=incident.account_id).update(frozen_at=None)
    _step(incident, StepKind.DISMISSED if dismiss else StepKind.RESOLVED, actor, reason)
    audit.record(actor, "incident.dismissed" if dismiss else "incident.resolved", incident.account,
                 agency_id=incident.account.agency_id, changes={"incident": [incident.number, None]},
                 reason=reason)
    return incident


def add_step(actor: Person, incident: Incident, kind: str, detail: str) -> IncidentStep:
    """A line of the timeline a person adds: platform support contacted, a note."""
    require(actor, Action.REPORT_INCIDENT, incident.account.agency)
    if kind not in (StepKind.PLATFORM_CONTACTED, StepKind.NOTE):
        raise ValidationError({"kind": "Add a note or record that platform support was contacted."})
    return _step(incident, kind, actor, _required(detail))


def send_notices(incident_pk: int) -> None:
    """Tell the city's three contacts first, then the agency's central contact; each
    delivery (or why it failed) goes on the timeline."""
    incident = Incident.objects.select_related("account__agency__central_contact").get(pk=incident_pk)
    contact = incident.account.agency.central_contact
    central = [Contact(f"{incident.account.agency} central contact", contact.email if contact else "")]
    _deliver(incident, [*city_contacts(), *central], "Security incident")


def _deliver(incident: Incident, contacts: list[Contact], what: str) -> None:
    subject = f"{what}: {incident.number} on {incident.account} (P14)"
    frozen = "ODS to confirm; once confirmed the account is frozen" \
        if incident.status == IncidentStatus.SUSPECTED else "The account is frozen"
    body = (f"{incident.get_status_display()} on {incident.account} ({incident.account.url}), reported "
            f"{timezone.localtime(incident.reported_at):%Y-%m-%d %H:%M}.\n\n{incident.summary}\n\n"
            f"{frozen}: nothing is sent in its name until ODS lifts it. Capture goes on.\n"
            f"{getattr(settings, 'CIVICSOCIAL_BASE_URL', '')}{incident.get_absolute_url()}\n")
    for contact in contacts:
        if not contact.address:
            _step(incident, StepKind.NOTICE_FAILED, recipient=str(contact), detail="no address configured")
            continue
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [contact.address])
        except Exception as error:  # recorded and the next contact still told
            log.warning("incident notice to %s failed: %s", contact, error.__class__.__name__)
            _step(incident, StepKind.NOTICE_FAILED, recipient=str(contact), detail=error.__class__.__name__)
        else:
            _step(incident, StepKind.NOTICE, recipient=str(contact), detail=subject)
