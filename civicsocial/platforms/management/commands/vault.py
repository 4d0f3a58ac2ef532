"""`civicsocial vault new-key|set|list|forget|rotate-master|import-env`: the credential
vault (P13, issue 18). A secret is read from the terminal without echo, or from standard
input when it is piped, never from the command line (where it would land in shell history
and the process list)."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from civicsocial.platforms.credentials import SERVICE_SECRETS, import_environment
from civicsocial.registry.credentials import account_entry
from civicsocial.registry.models import Account
from civicsocial.security import vault
from civicsocial.security.models import VaultSecret
from civicsocial.security.vaultkeys import VaultError, current_key, write_key_file


def entry_for(name: str, chosen_by_person: bool) -> vault.Entry:
    """What a name on the command line stands for: an account (`account:ID`, or
    `PLATFORM:HANDLE` as `civicsocial accounts` lists it) or one of the service secrets."""
    for service in SERVICE_SECRETS:
        if service.name == name:
            return vault.Entry(name, service.label, service.kind, None, chosen_by_person)
    kind, _, rest = name.partition(":")
    if kind == "account" and rest.isdigit():
        account = Account.objects.filter(pk=int(rest)).first()
    else:
        account = Account.objects.filter(platform=kind, handle__iexact="@" + rest.lstrip("@")).first()
    if account is None:
        known = ", ".join(["account:ID", "PLATFORM:HANDLE (bluesky:@parks.nyc.gov)",
                           *(s.name for s in SERVICE_SECRETS)])
        raise CommandError(f"No account or service {name!r}: name one as {known}.")
    return account_entry(account, chosen_by_person=chosen_by_person)


def read_secret() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Secret (not shown): ")
        if getpass.getpass("Again: ") != first:
            raise CommandError("The two entries differ; nothing was stored.")
        return first
    return sys.stdin.readline().rstrip("\r\n")


class Command(BaseCommand):
    help = "The credential vault: master key, secrets (write-only), rotation, import from the environment."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("new-key", help="write a new master key (32 random bytes) to a file")
        p.add_argument("--out", type=Path, required=True)
        p = sub.add_parser("set", help="store a secret, read from the terminal or standard input")
        p.add_argument("name", help="PLATFORM:HANDLE (bluesky:@parks.nyc.gov), account:ID or open311:api_key")
        p.add_argument("--chosen", action="store_true",
                       help="a password a person chose: checked for strength (P13)")
        p.add_argument("--reason", default="")
        sub.add_parser("list", help="what the vault holds (never the secrets)")
        p = sub.add_parser("forget", help="remove a secret")
        p.add_argument("name")
        p.add_argument("--reason", required=True)
        sub.add_parser("rotate-master", help="rewrap every secret with the current master key "
                                             "(resumable; previous keys in CIVICSOCIAL_VAULT_PREVIOUS_KEYS)")
        sub.add_parser("import-env", help="move secrets from CIVICSOCIAL_SECRET_* and other variables "
                                          "into the vault")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, "do_" + options["action"].replace("-", "_"))(options)
        except VaultError as error:
            raise CommandError(str(error)) from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None

    def do_new_key(self, options: dict[str, Any]) -> None:
        key = write_key_file(options["out"])
        self.stdout.write(f"Wrote master key {key.key_id} to {options['out']} (mode 600). Keep a copy "
                          "offline: without it the vault cannot be opened.")

    def do_set(self, options: dict[str, Any]) -> None:
        entry = entry_for(options["name"], options["chosen"])
        row = vault.store(entry, read_secret(), None, options["reason"])
        self.stdout.write(f"Stored {row.label}: fingerprint {row.fingerprint}, master key {row.key_id}.")

    def do_list(self, options: dict[str, Any]) -> None:
        table = Table("name", "what", "kind", "fingerprint", "set", "by", "last used", "age (days)",
                      "master key")
        for row in VaultSecret.objects.select_related("set_by"):
            used = row.last_used_at
            table.add_row(row.name, escape(row.label), row.get_kind_display(), row.fingerprint,
                          f"{timezone.localtime(row.set_at):%Y-%m-%d %H:%M}",
                          escape(str(row.set_by or "command line")),
                          f"{timezone.localtime(used):%Y-%m-%d %H:%M}" if used else "never",
                          str(row.age_days), row.key_id)
        Console(file=cast(IO[str], self.stdout), width=160).print(table)

    def do_forget(self, options: dict[str, Any]) -> None:
        if not vault.forget(options["name"], None, options["reason"]):
            raise CommandError(f"The vault holds nothing named {options['name']!r}.")
        self.stdout.write(f"Removed {options['name']}.")

    def do_rotate_master(self, options: dict[str, Any]) -> None:
        key = current_key()
        with Progress(TextColumn(f"Rewrapping with {key.key_id}"), BarColumn(), MofNCompleteColumn(),
                      console=Console(file=sys.stderr), transient=True) as bar:
            task = bar.add_task("rotate", total=None)
            result = vault.rotate_master(lambda done, total: bar.update(task, completed=done, total=total))
        self.stdout.write(f"Rewrapped {result.rewrapped}; {result.already} already under {key.key_id}.")
        if result.failed:
            raise CommandError(f"{len(result.failed)} could not be opened: {result.failed[0]}")
        self.stdout.write("Every secret is under the current key: the previous keys can be retired.")

    def do_import_env(self, options: dict[str, Any]) -> None:
        result = import_environment()
        for label in result.stored:
            self.stdout.write(f"stored  {label}")
        for label in result.kept:
            self.stdout.write(f"kept    {label} (already in the vault)")
        self.stdout.write(f"{len(result.stored)} moved into the vault, {len(result.kept)} already there. "
                          "The CIVICSOCIAL_SECRET_* variables can now be removed.")
