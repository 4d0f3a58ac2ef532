"""`civicsocial create_ods_admin USERNAME --email E`: a citywide administrator.

The password is read from the prompt, or from CIVICSOCIAL_ADMIN_PASSWORD for scripts;
never from the command line, where it would land in shell history (P13)."""

from __future__ import annotations

import getpass
import os
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from civicsocial.registry.models import Person, Role
from civicsocial.registry.roles import grant_role


class Command(BaseCommand):
    help = "Create (or update) a citywide ODS administrator."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", required=True)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        person, created = Person.objects.get_or_create(
            username=options["username"],
            defaults={"email": options["email"], "first_name": options["first_name"],
                      "last_name": options["last_name"]})
        password = os.environ.get("CIVICSOCIAL_ADMIN_PASSWORD") or getpass.getpass("Password: ")
        try:
            validate_password(password, person)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        person.set_password(password)
        person.save()
        if not person.role_assignments.filter(role=Role.ODS_ADMIN).exists():
            grant_role(None, person, None, Role.ODS_ADMIN)  # the operator's own grant
        verb = "Created" if created else "Updated"
        self.stdout.write(f"{verb} ODS admin {person.username}. They enrol a second factor "
                          "at first login (P13).")
