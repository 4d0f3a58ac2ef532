"""`civicsocial enrolment_code USERNAME`: a one-time code with which a privileged person
sets up their first second factor (P13). Printed once; only its hash is kept."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicsocial.registry.models import Person
from civicsocial.signin.enrolment import VALID_FOR, issue_code


class Command(BaseCommand):
    help = "Issue a one-time second-factor enrolment code for a person (P13)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        person = Person.objects.filter(username=options["username"]).first()
        if person is None:
            raise CommandError(f"No person with the user name {options['username']!r}.")
        code = issue_code(None, person)
        hours = int(VALID_FOR.total_seconds() // 3600)
        self.stdout.write(f"Enrolment code for {person.username} (works once, for {hours} hours; "
                          f"give it in person or by phone, never by e-mail):\n{code}")
