"""Inbox pages (P21-P24, P26). Thin: permissions, a form, a service call."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.lookups import In
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from civicsocial.http import AuthedRequest
from civicsocial.inbox import moderation, referral, review, services
from civicsocial.inbox.models import InboxEntry, InboxLabel, InboxState, Referral, RemovalProposal
from civicsocial.inbox.open311 import Open311Client, Open311Error
from civicsocial.inbox.triage import LABELS
from civicsocial.records import foil
from civicsocial.records.models import FoilCase
from civicsocial.registry.models import Account, Agency
from civicsocial.registry.permissions import (
    Action,
    agencies_for,
    can,
    events_for,
    require,
    require_somewhere,
)
from civicsocial.web import form_page, posted

PER_PAGE = 50
COUNT_CAP = 10_000
CELL = 22  # pixels per day in the coverage chart


def visible_accounts(request: AuthedRequest) -> QuerySet[Account]:
    require_somewhere(request.user, Action.VIEW_INBOX, "Your role does not include the inbox.")
    return Account.objects.filter(agency__in=agencies_for(request.user, Action.VIEW_INBOX))


def entry_or_404(request: AuthedRequest, pk: int, action: Action = Action.VIEW_INBOX) -> InboxEntry:
    """An inbox entry: 404 when it is another agency's, 403 when the role does not allow `action`."""
    entry = get_object_or_404(InboxEntry.objects.select_related("item__stream", "account__agency"),
                              pk=pk)
    require(request.user, action, entry.account.agency_id)
    return entry


class InboxFilter(forms.Form):
    label = forms.ChoiceField(required=False, choices=[("", "any label"), *[(x, x) for x in LABELS]])
    state = forms.ChoiceField(required=False, choices=[("", "any state"), *InboxState.choices])
    account = forms.ModelChoiceField(required=False, queryset=Account.objects.none(),
                                     empty_label="any account")
    agency = forms.ModelChoiceField(required=False, queryset=Agency.objects.none(),
                                    empty_label="any agency")
    page = forms.IntegerField(required=False, min_value=1, max_value=100000)


def visible_entries(accounts: QuerySet[Account]) -> QuerySet[InboxEntry]:
    """Items of these accounts. Account tests are written on `account_id + 0`, which no
    index serves: the database then reads an index in page order (newest first, or a
    state's newest first) and stops after one page, instead of sorting every item of the
    visible accounts first (290 ms to under 1 ms for a first page of 100,000 on SQLite)."""
    return InboxEntry.objects.filter(_of_accounts(accounts))


def _of_accounts(accounts: QuerySet[Account]) -> In:
    return In(F("account_id") + 0, accounts.values("pk"))


def filtered(entries: QuerySet[InboxEntry], data: dict[str, Any]) -> QuerySet[InboxEntry]:
    if data.get("label"):  # checked per item through the label rows' unique index
        entries = entries.filter(Exists(InboxLabel.objects.filter(
            entry=OuterRef("pk"), label=data["label"])))
    if data.get("state"):
        entries = entries.filter(state=data["state"])
    if data.get("account"):
        entries = entries.filter(account=data["account"])  # one account: its index is best
    if data.get("agency"):
        entries = entries.filter(_of_accounts(Account.objects.filter(agency=data["agency"])))
    return entries


def capped_count(entries: QuerySet[InboxEntry]) -> tuple[int, bool]:
    """How many items, counting no further than COUNT_CAP (a page shows "10,000+"), so a
    count never reads a whole large inbox: (count, whether it reached the cap)."""
    found = entries[:COUNT_CAP + 1].count()
    return min(found, COUNT_CAP), found > COUNT_CAP


@login_required
def inbox(request: AuthedRequest) -> HttpResponse:
    accounts = visible_accounts(request)
    form = InboxFilter(request.GET or None)
    form.fields["account"].queryset = accounts  # type: ignore[attr-defined]
    form.fields["agency"].queryset = agencies_for(request.user, Action.VIEW_INBOX)  # type: ignore[attr-defined]
    entries = visible_entries(accounts)
    page = 1
    if form.is_valid():
        entries = filtered(entries, form.cleaned_data)
        page = form.cleaned_data["page"] or 1
    total, more = capped_count(entries)
    rows = list(entries.select_related("item", "account")
                .order_by("-captured_at", "-pk")[(page - 1) * PER_PAGE: page * PER_PAGE])
    texts = services.texts_of([e.item_id for e in rows])
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "inbox/inbox.html", {
        "form": form, "rows": [{"entry": e, **texts.get(e.item_id, {})} for e in rows],
        "total": total, "more": more, "page": page,
        "pages": (total + PER_PAGE - 1) // PER_PAGE + (1 if more else 0),
        "query": query.urlencode(), "clocks": review.clocks(accounts),
        "may_moderate": agencies_for(request.user, Action.MODERATE).exists()})


@login_required
def entry_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = entry_or_404(request, pk)
    agency = entry.account.agency_id
    thread = services.thread_of(entry)
    proposals = list(entry.proposals.select_related("proposed_by", "decided_by", "restored_by"))
    return render(request, "inbox/entry.html", {
        "entry": entry, "thread": thread,
        "author": next(t["author"] for t in thread if t["this"]), "held": foil.is_held(entry.item),
        "cases": FoilCase.objects.filter(source_item=entry.item),
        "referral": Referral.objects.filter(entry=entry).first(),
        "proposals": proposals,
        "restorable": {p.pk for p in proposals if moderation.may_restore(p)},
        "events": events_for(entry.item, request.user),
        "states": services.MANUAL_STATES,
        "may_moderate": can(request.user, Action.MODERATE, agency),
        "may_decide": moderation.is_counsel(request.user, entry),
        "grounds": moderation.grounds_for(entry), "actions": moderation.actions_for(entry)})


@login_required
def entry_state(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = entry_or_404(request, pk, Action.MODERATE)
    if request.method != "POST":
        return redirect(entry.get_absolute_url())
    try:
        services.set_state(request.user, entry, request.POST.get("state", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(entry.get_absolute_url())


@login_required
def account_reviewed(request: AuthedRequest, pk: int) -> HttpResponse:
    account = get_object_or_404(Account, pk=pk)
    require(request.user, Action.MODERATE, account.agency_id)
    if request.method != "POST":
        return redirect("inbox")
    done = review.mark_reviewed(request.user, account)
    messages.success(request, f"{account.handle} reviewed: {done.items_seen} new item(s) marked "
                              "reviewed; the next review is due in 24 hours.")
    target = request.POST.get("next", "")
    # Only a path on this site: an open redirect would send moderators anywhere.
    return redirect(target if url_has_allowed_host_and_scheme(target, allowed_hosts=None)
                    and target.startswith("/") else "inbox")


class ReferralForm(forms.Form):
    location = forms.CharField(required=False, max_length=300,
                               help_text="Where: the address or intersection the resident names.")
    service_code = forms.ChoiceField(required=False, label="311 service",
                                     choices=[("", "reply only")])


@login_required
def entry_refer(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = entry_or_404(request, pk, Action.MODERATE)
    client = Open311Client.from_environment()
    form = ReferralForm(posted(request), initial={"location": entry.location})
    intro = f"The reply will say: “{referral.referral_text(entry.account.agency)}”"
    if client is not None:
        try:
            offered = client.services()
        except Open311Error as error:
            intro += f" The 311 endpoint cannot be reached now ({error}): reply only."
        else:
            form.fields["service_code"].choices = [  # type: ignore[attr-defined]
                ("", "reply only"), *[(s.code, s.name) for s in offered]]
            form.initial["service_code"] = referral.suggest_service(offered,
                                                                    services.text_of(entry))

    def save() -> Referral:
        data = form.cleaned_data
        return referral.refer_to_311(request.user, entry, data["service_code"], data["location"],
                                     client=client)

    return form_page(request, form, "Refer to 311", save, "", entry.get_absolute_url(),
                     intro=intro, submit="Reply and refer")


class ProposalForm(forms.Form):
    action = forms.ChoiceField(choices=RemovalProposal.Action.choices)
    ground = forms.ChoiceField(choices=[])
    explanation = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                                  help_text="Why it falls under the ground; quote the words.")


@login_required
def entry_propose(request: AuthedRequest, pk: int) -> HttpResponse:
    entry = entry_or_404(request, pk, Action.MODERATE)
    form = ProposalForm(posted(request))
    form.fields["ground"].choices = [  # type: ignore[attr-defined]
        (g, label) for g, label in moderation.RemovalGround.choices
        if g in moderation.grounds_for(entry)]
    form.fields["action"].choices = [  # type: ignore[attr-defined]
        (a, label) for a, label in RemovalProposal.Action.choices
        if a in moderation.actions_for(entry)]

    def save() -> InboxEntry:
        data = form.cleaned_data
        moderation.propose_removal(request.user, entry, data["action"], data["ground"],
                                   data["explanation"])
        return entry

    return form_page(request, form, "Propose a removal", save, "", entry.get_absolute_url(),
                     submit="Send to counsel", intro="Only counsel can approve (P22). The "
                     "archive keeps the comment whatever is decided. A complaint or criticism "
                     "is never a ground.")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")],
                                 widget=forms.RadioSelect)
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


def proposal_for_counsel(request: AuthedRequest, pk: int) -> RemovalProposal:
    """A proposal the person may decide: 404 outside their agencies, 403 unless they are
    the agency's counsel (P22: not even an ODS admin decides)."""
    proposal = get_object_or_404(RemovalProposal.objects.select_related(
        "entry__account__agency", "entry__item"), pk=pk)
    require(request.user, Action.DECIDE_REMOVAL, proposal.entry.account.agency_id)
    return proposal


@login_required
def proposal_decide(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_counsel(request, pk)
    entry = proposal.entry
    form = DecisionForm(posted(request))

    def save() -> InboxEntry:
        data = form.cleaned_data
        done = moderation.decide_removal(request.user, proposal, data["decision"] == "approve",
                                         data["reason"])
        if done.platform_error:
            messages.warning(request, f"Approved, but the platform refused: "
                                      f"{done.platform_error}. Try again from the item.")
        return entry

    return form_page(request, form, f"Decide: {proposal}", save, "", entry.get_absolute_url(),
                     submit="Record decision",
                     intro=f"Ground: {proposal.get_ground_display()}. Moderator's explanation: "
                           f"{proposal.explanation}")


@login_required
def proposal_retry(request: AuthedRequest, pk: int) -> HttpResponse:
    proposal = proposal_for_counsel(request, pk)
    if request.method == "POST" and not moderation.carry_out(proposal):
        messages.error(request, f"The platform refused again: {proposal.platform_error}")
    return redirect(proposal.entry.get_absolute_url())


class RestoreForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=5000,
                             help_text="Why the comment is shown again (a mistake, an appeal upheld).")


@login_required
def proposal_restore(request: AuthedRequest, pk: int) -> HttpResponse:
    """Counsel shows a hidden comment again (P22)."""
    proposal = proposal_for_counsel(request, pk)
    entry = proposal.entry
    form = RestoreForm(posted(request))

    def save() -> InboxEntry:
        moderation.restore_hidden(request.user, proposal, form.cleaned_data["reason"])
        return entry

    return form_page(request, form, f"Show again: {proposal}", save, "", entry.get_absolute_url(),
                     submit="Show it again on the platform",
                     intro=f"Hidden on the ground {proposal.get_ground_display()}: "
                           f"{proposal.decision_reason}")


@login_required
def proposals(request: AuthedRequest) -> HttpResponse:
    accounts = visible_accounts(request)
    pending = RemovalProposal.objects.filter(
        entry__account__in=accounts, decision=RemovalProposal.Decision.PENDING) \
        .select_related("entry__item", "entry__account", "proposed_by")
    return render(request, "inbox/proposals.html", {"proposals": pending})


def _bar(column: int, day: Any, hours: float | None, items: int, longest: float) -> dict[str, Any]:
    """One bar of the capture-to-review chart: 120 pixels is the longest wait."""
    height = 0 if hours is None else max(1, round(120 * hours / longest))
    return {"x": 40 + column * CELL, "y": 130 - height, "height": height, "day": day,
            "hours": hours, "items": items}


@login_required
def review_clock(request: AuthedRequest) -> HttpResponse:
    accounts = visible_accounts(request)
    days, rows = review.coverage(accounts)
    waits = review.first_review_hours(accounts)
    longest = max([w for _, w, _ in waits if w is not None] or [1.0])
    return render(request, "inbox/reviews.html", {
        "clocks": review.clocks(accounts), "days": days, "cell": CELL,
        "grid": [{"account": r.account, "y": 20 + i * CELL,
                  "cells": [{"x": 180 + j * CELL, "day": d, "n": n} for j, (d, n) in enumerate(r.days)]}
                 for i, r in enumerate(rows)],
        "grid_width": 180 + len(days) * CELL + 10, "grid_height": 30 + len(rows) * CELL,
        "waits": [_bar(j, d, w, n, longest) for j, (d, w, n) in enumerate(waits)],
        "longest": longest, "wait_width": 50 + len(waits) * CELL})
