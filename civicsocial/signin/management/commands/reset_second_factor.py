"""`civicsocial reset_second_factor USERNAME --reason R`: for a lost phone."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.plugins.otp_totp.models import TOTPDevice

from civicsocial.registry.models import Person
from civicsocial.security import audit


class Command(BaseCommand):
    help = "Remove a person's authenticator devices; they enrol again at next login."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        person = Person.objects.filter(username=options["username"]).first()
        if person is None:
            raise CommandError(f"No person with user name '{options['username']}'.")
        count, _ = TOTPDevice.objects.filter(user=person).delete()
        audit.record(None, "second_factor.reset", person, reason=options["reason"])
        self.stdout.write(f"Removed {count} device(s) of {person.username}.")
