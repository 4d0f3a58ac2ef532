"""Publishing pages (issue 19). Thin: permissions, a form, the services."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from civicsocial.http import AuthedRequest
from civicsocial.publishing import approvals, compose, queries
from civicsocial.publishing.forms import ChainForm, ComposeForm, publishable_accounts
from civicsocial.publishing.limits import MediaFacts, full_text
from civicsocial.publishing.models import Draft, DraftStatus
from civicsocial.registry.models import Account, Agency, Person
from civicsocial.registry.permissions import Action, agencies_for, can, events_for, require, require_somewhere
from civicsocial.web import apply_errors, form_page, posted, visible_or_404


def draft_or_404(request: AuthedRequest, pk: int) -> Draft:
    """A draft of an agency where the person may see posts (404 otherwise)."""
    return get_object_or_404(Draft.objects.select_related("agency", "author")
                             .filter(agency__in=agencies_for(request.user, Action.VIEW_AGENCY)), pk=pk)


@login_required
def draft_list(request: AuthedRequest) -> HttpResponse:
    require_somewhere(request.user, Action.VIEW_AGENCY, "Your role does not include publishing.")
    status = request.GET.get("status", "")
    drafts = Draft.objects.filter(agency__in=agencies_for(request.user, Action.VIEW_AGENCY)) \
        .select_related("agency", "author")
    if status in DraftStatus.values:
        drafts = drafts.filter(status=status)
    return render(request, "publishing/list.html", {
        "drafts": drafts[:200], "status": status, "statuses": DraftStatus.choices,
        "may_draft": agencies_for(request.user, Action.DRAFT_POSTS).exists()})


def _compose(request: AuthedRequest, draft: Draft | None) -> HttpResponse:
    accounts = publishable_accounts(agencies_for(request.user, Action.DRAFT_POSTS))
    initial = {} if draft is None else {
        "accounts": [t.account_id for t in draft.targets.all()], "text": draft.text, "link": draft.link,
        "kind": draft.kind, "share_of": draft.share_of, "reply_to": draft.reply_to,
        "send_at": timezone.localtime(draft.send_at).strftime("%Y-%m-%dT%H:%M") if draft.send_at else ""}
    form = ComposeForm(posted(request), request.FILES or None, accounts=accounts, draft=draft,
                       initial=initial)
    counters: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = compose.DraftInput(form.cleaned_data["text"], list(form.cleaned_data["accounts"]),
                                  form.cleaned_data["link"], form.cleaned_data["kind"],
                                  form.cleaned_data["reply_to"], form.cleaned_data["share_of"],
                                  form.cleaned_data["send_at"])
        try:
            data.media = form.media()
            if "preview" not in request.POST:
                return _save(request, draft, data)
        except ValidationError as error:
            apply_errors(form, error)
        counters = compose.counters(data.accounts, data.text, data.link,
                                    [MediaFacts(m.content_type or "image/png", m.size, m.alt_text, m.filename)
                                     for m in data.media])
    return render(request, "publishing/compose.html", {"form": form, "draft": draft, "counters": counters},
                  status=400 if request.method == "POST" and "preview" not in request.POST else 200)


def _save(request: AuthedRequest, draft: Draft | None, data: compose.DraftInput) -> HttpResponse:
    with transaction.atomic():
        saved = compose.create_draft(request.user, data) if draft is None else \
            compose.edit_draft(request.user, draft, data)
        if "submit" in request.POST and saved.status in (DraftStatus.WRITING, DraftStatus.REJECTED):
            saved = approvals.submit(request.user, saved)
    in_review = saved.status == DraftStatus.IN_REVIEW
    messages.success(request, "Sent for approval." if in_review else "Draft saved.")
    return redirect(saved)


@login_required
def draft_new(request: AuthedRequest) -> HttpResponse:
    require_somewhere(request.user, Action.DRAFT_POSTS, "Your role does not include drafting posts.")
    return _compose(request, None)


@login_required
def draft_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = draft_or_404(request, pk)
    require(request.user, Action.DRAFT_POSTS, draft.agency)
    return _compose(request, draft)


@login_required
def draft_preview(request: AuthedRequest) -> JsonResponse:
    """Counters for the compose page's live preview (JSON; the page works without it)."""
    require_somewhere(request.user, Action.DRAFT_POSTS, "Your role does not include drafting posts.")
    ids = [int(i) for i in request.POST.getlist("accounts") if i.isdigit()]
    accounts = list(publishable_accounts(agencies_for(request.user, Action.DRAFT_POSTS)).filter(pk__in=ids))
    text, link = request.POST.get("text", "")[:70000], request.POST.get("link", "")[:500]
    images = request.POST.get("images", "")
    count = min(int(images), 10) if images.isdigit() else 0
    media = [MediaFacts("image/png", 0, "alt", f"image {n}") for n in range(1, count + 1)]
    return JsonResponse({"text": full_text(text, link), "counters": [
        {"platform": c.label, "used": c.used, "limit": c.limit, "unit": c.unit, "problems": list(c.problems)}
        for c in compose.counters(accounts, text, link, media)]})


@login_required
def draft_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    draft = draft_or_404(request, pk)
    targets = list(draft.targets.select_related("account", "archived_item"))
    step = approvals.next_step(draft)
    in_review = draft.status == DraftStatus.IN_REVIEW
    why_not = approvals.why_not_approver(request.user, draft, step) if in_review else ""
    return render(request, "publishing/detail.html", {
        "draft": draft, "targets": targets, "media": draft.media.all(), "step": step,
        "steps": approvals.steps_needed(draft), "approvals": draft.approvals.select_related("approver"),
        "may_decide": draft.status == DraftStatus.IN_REVIEW and not why_not,
        "why_not": why_not if can(request.user, Action.APPROVE_POSTS, draft.agency) else "",
        "may_draft": can(request.user, Action.DRAFT_POSTS, draft.agency),
        "problems": compose.gate_problems(draft) if draft.status in compose.EDITABLE else [],
        "counters": compose.counters([t.account for t in targets], draft.text, draft.link,
                                     compose.facts(list(draft.media.all()))),
        "events": events_for(draft, request.user)})


@login_required
@require_POST
def draft_act(request: AuthedRequest, pk: int) -> HttpResponse:
    """Submit, approve, send back or withdraw."""
    draft = draft_or_404(request, pk)
    act, reason = request.POST.get("act", ""), request.POST.get("reason", "")
    try:
        if act == "submit":
            approvals.submit(request.user, draft)
        elif act in ("approve", "reject"):
            step = request.POST.get("step", "")
            approvals.decide(request.user, draft, act == "approve", request.POST.get("content_hash", ""),
                             reason, int(step) if step.isdigit() else None)
        elif act == "withdraw":
            approvals.withdraw(request.user, draft, reason)
        else:
            raise ValidationError("Unknown action.")
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    return redirect(draft)


@login_required
def approval_queue(request: AuthedRequest) -> HttpResponse:
    require_somewhere(request.user, Action.VIEW_AGENCY, "Your role does not include publishing.")
    return render(request, "publishing/queue.html", {
        "mine": queries.approval_queue(request.user), "waiting": queries.waiting_for_others(request.user)})


def _day(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return timezone.localdate()


@login_required
def publishing_calendar(request: AuthedRequest) -> HttpResponse:
    """Month or week, every account or one: what is scheduled and what was sent."""
    require_somewhere(request.user, Action.VIEW_AGENCY, "Your role does not include publishing.")
    agencies = agencies_for(request.user, Action.VIEW_AGENCY)
    day, view = _day(request.GET.get("day", "")), request.GET.get("view", "month")
    account = request.GET.get("account", "")
    start, end = (day - timedelta(days=day.weekday()), day - timedelta(days=day.weekday()) + timedelta(7)) \
        if view == "week" else queries.month_bounds(day)
    entries = queries.calendar_entries(agencies, start, end, int(account) if account.isdigit() else None)
    return render(request, "publishing/calendar.html", {
        "weeks": _weeks(start, end, entries, PER_DAY[view == "week"]), "view": view, "day": day,
        "start": start,
        "previous": start - timedelta(days=1 if view == "month" else 7), "next": end,
        "accounts": publishable_accounts(agencies), "account": account,
        "feeds": agencies.order_by("name")})


PER_DAY = {False: 4, True: 40}  # posts shown in a day's box (month, week); the rest are counted


def _weeks(start: date, end: date, entries: list[queries.CalendarEntry],
           per_day: int) -> list[list[tuple[date, list[queries.CalendarEntry], int]]]:
    """Weeks of (day, the posts shown, how many more) from the Monday before `start`."""
    by_day: dict[date, list[queries.CalendarEntry]] = {}
    zone = timezone.get_current_timezone()
    for entry in entries:
        by_day.setdefault(entry.at.astimezone(zone).date(), []).append(entry)
    first = start - timedelta(days=start.weekday())
    days = [first + timedelta(days=n) for n in range((end - first).days + (7 - (end - first).days % 7) % 7)]
    boxes = [(d, by_day.get(d, [])[:per_day], max(0, len(by_day.get(d, [])) - per_day)) for d in days]
    return [boxes[w:w + 7] for w in range(0, len(boxes), 7)]


@login_required
def calendar_feed(request: AuthedRequest, slug: str) -> HttpResponse:
    """The agency's posts from a month back to three months ahead, as iCalendar."""
    agency: Agency = get_object_or_404(agencies_for(request.user, Action.VIEW_AGENCY), slug=slug)
    today = timezone.localdate()
    body = queries.ical_feed(agency, today - timedelta(days=31), today + timedelta(days=92),
                             request.build_absolute_uri("/"))
    answer = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    answer["Content-Disposition"] = f'inline; filename="{agency.slug}-posts.ics"'
    return answer


@login_required
def approval_chain(request: AuthedRequest, pk: int) -> HttpResponse:
    account = visible_or_404(request, Account.objects.select_related("agency"), pk=pk)
    require(request.user, Action.SET_APPROVAL_CHAIN, account.agency)
    form = ChainForm(posted(request), account=account)

    def save() -> Account:
        steps = [(role, list(Person.objects.filter(pk__in=people))) for role, people in form.steps()]
        approvals.set_chain(request.user, account, steps)
        return account

    return form_page(request, form, f"Approval chain of {account}", save, "", account.get_absolute_url(),
                     intro="One to three steps, each decided by a person holding the role in the agency or "
                           "by one of the people named. Nobody approves their own draft or two steps of one "
                           "draft. Campaign accounts add the agency's counsel as a last step (P5, P9).")
