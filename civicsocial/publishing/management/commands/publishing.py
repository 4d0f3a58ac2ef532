"""`civicsocial publishing due|status|dispatch|flag-outside`: what is about to go out, where
every post stands, and the two publishing duties run by hand (the worker runs them every
minute and every five; several copies at once do each post once)."""

from __future__ import annotations

from datetime import timedelta
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandParser
from django.db.models import Count
from django.utils import timezone
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from civicsocial.platforms.hootsuite import connection
from civicsocial.publishing.matching import flag_outside_posts
from civicsocial.publishing.models import Target, TargetState
from civicsocial.publishing.sending import dispatch

NO_VENDOR = ("not configured (CIVICSOCIAL_HOOTSUITE_URL, CIVICSOCIAL_HOOTSUITE_CLIENT_ID): scheduled posts "
             "go through our adapters, and the compliance report lists them under P12")


class Command(BaseCommand):
    help = "Publishing: posts due soon, where every post stands, and the sending duty run now."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        due = sub.add_parser("due", help="posts due in the next MINUTES (60), and any late")
        due.add_argument("--minutes", type=int, default=60)
        due.add_argument("--agency", default="", help="an agency's slug")
        status = sub.add_parser("status", help="how many posts are in each state, per agency")
        status.add_argument("--agency", default="")
        sub.add_parser("dispatch", help="one pass of the sending duty: schedule, send, check the vendor")
        sub.add_parser("flag-outside", help="flag official posts no approved draft produced (P5, P14)")

    def handle(self, *args: Any, **options: Any) -> None:
        console = Console(file=cast(IO[str], self.stdout), width=140)
        action = options["action"]
        if action == "dispatch":
            counts = dispatch()
            console.print(", ".join(f"{name}: {n}" for name, n in counts.items()))
        elif action == "flag-outside":
            console.print(f"{flag_outside_posts()} post(s) flagged as made outside Civic Social")
        elif action == "due":
            self.due(console, options["minutes"], options["agency"])
        else:
            self.status(console, options["agency"])

    def due(self, console: Console, minutes: int, agency: str) -> None:
        until = timezone.now() + timedelta(minutes=minutes)
        targets = Target.objects.filter(state__in=(TargetState.QUEUED, TargetState.SCHEDULED,
                                                   TargetState.SENDING), due_at__lte=until) \
            .select_related("account", "draft").order_by("due_at")
        if agency:
            targets = targets.filter(account__agency__slug=agency)
        table = Table("due (city time)", "draft", "account", "state", "route", "text", title=f"Due by "
                      f"{timezone.localtime(until):%Y-%m-%d %H:%M}")
        now = timezone.now()
        for t in targets[:500]:
            late = " (late)" if t.due_at and t.due_at < now - timedelta(minutes=2) else ""
            table.add_row(f"{timezone.localtime(t.due_at):%Y-%m-%d %H:%M}{late}" if t.due_at else "",
                          str(t.draft_id), escape(str(t.account)), t.state, t.route,
                          escape(t.draft.text[:50]))
        console.print(table)

    def status(self, console: Console, agency: str) -> None:
        rows = Target.objects.all()
        if agency:
            rows = rows.filter(account__agency__slug=agency)
        counts = rows.values("account__agency__slug", "state").annotate(n=Count("pk")) \
            .order_by("account__agency__slug", "state")
        table = Table("agency", "state", "posts", title="Posts by state")
        for row in counts:
            table.add_row(row["account__agency__slug"], row["state"], str(row["n"]))
        console.print(table)
        vendor = connection()
        console.print("Vendor (P12): " + (f"Hootsuite at {vendor.token_endpoint.rsplit('/oauth2/', 1)[0]}"
                                          if vendor else NO_VENDOR))
        failed = rows.filter(state=TargetState.FAILED).select_related("account").order_by("-pk")[:10]
        for t in failed:
            console.print(f"failed: draft {t.draft_id} on {escape(str(t.account))}: "
                          f"{escape(t.last_error[:120])}")
