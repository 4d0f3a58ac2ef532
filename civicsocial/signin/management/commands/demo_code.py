"""`civicsocial demo_code USERNAME`: the current second-factor code of a demo login.
Refuses outside development mode: real devices have keys no one can read back."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo login (development mode only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_code works only in development mode (CIVICSOCIAL_DEBUG=1).")
        device = TOTPDevice.objects.filter(user__username=options["username"],
                                           name="Demo authenticator").first()
        if device is None:
            raise CommandError(f"{options['username']} has no demo authenticator.")
        self.stdout.write(f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}")
