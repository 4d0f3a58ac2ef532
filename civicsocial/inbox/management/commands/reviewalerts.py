"""`civicsocial reviewalerts`: e-mail moderators and central contacts about accounts whose
daily review is overdue (P21). The worker runs it every 15 minutes."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from civicsocial.inbox.models import InboxState
from civicsocial.inbox.review import clocks, send_overdue_alerts
from civicsocial.registry.models import Account


class Command(BaseCommand):
    help = "Alert on accounts whose daily inbox review (P21) is overdue; list every clock."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--list", action="store_true", help="print every account's clock")

    def handle(self, *args: Any, **options: Any) -> None:
        sent = send_overdue_alerts()
        for alert in sent:
            self.stdout.write(f"alerted {len(alert.recipients)} people: {alert.account.handle} "
                              f"overdue since {alert.due_at:%Y-%m-%d %H:%M}")
        if options["list"]:
            for clock in clocks(Account.objects.all()):
                mark = "OVERDUE" if clock.overdue else "ok"
                self.stdout.write(f"{mark:8} {clock.account.handle:30} due "
                                  f"{clock.due_at:%Y-%m-%d %H:%M}  {clock.new_items} "
                                  f"{InboxState.NEW.label.lower()}")
        self.stdout.write(f"{len(sent)} alert(s) sent.")
