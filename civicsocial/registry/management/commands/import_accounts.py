"""`civicsocial import_accounts FILE.csv --reason R`: register the accounts that already
exist (P1), from the city's legacy list. Columns: agency (slug), platform, handle, url,
login_identity, and optionally account_type, topic_statement.

Idempotent: an account already registered is skipped. A bad row is reported with its
line number and the rest still imports. Each imported account counts against P2 until
its agency files an application with a continuity plan."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import URLValidator, validate_email

from civicsocial.registry.models import Account, AccountType, Agency, Platform
from civicsocial.registry.services import register_existing_account

REQUIRED = ["agency", "platform", "handle", "url", "login_identity"]


def row_problem(row: dict[str, str]) -> str | None:
    """What is wrong with a row before it reaches the registry rules, or None."""
    missing = [c for c in REQUIRED if not (row.get(c) or "").strip()]
    if missing:
        return f"missing {', '.join(missing)}"
    if row["platform"] not in Platform.values:
        return f"unknown platform '{row['platform']}' (one of {', '.join(Platform.values)})"
    if (row.get("account_type") or "agency") not in AccountType.values:
        return f"unknown account_type '{row['account_type']}'"
    for column, validate in (("url", URLValidator(schemes=["https", "http"])),
                             ("login_identity", validate_email)):
        try:
            validate(row[column].strip())
        except ValidationError:
            return f"{column} '{row[column]}' is not valid"
    return None


class Command(BaseCommand):
    help = "Register existing accounts from a CSV file (the legacy list)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--reason", required=True, help="recorded in the audit log")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        agencies = {a.slug: a for a in Agency.objects.all()}
        imported = skipped = rejected = 0
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
            if missing:
                raise CommandError(f"{path}: the header lacks {', '.join(missing)}")
            for row in reader:
                line = reader.line_num
                problem = row_problem(row)
                agency = agencies.get((row.get("agency") or "").strip())
                if problem is None and agency is None:
                    problem = f"unknown agency '{row['agency']}'"
                if problem is None and Account.objects.filter(
                        platform=row["platform"], handle__iexact=row["handle"].strip()).exists():
                    skipped += 1
                    continue
                if problem is None:
                    try:
                        register_existing_account(None, agency, {  # type: ignore[arg-type]
                            "platform": row["platform"], "handle": row["handle"].strip(),
                            "url": row["url"].strip(), "login_identity": row["login_identity"].strip(),
                            "account_type": row.get("account_type") or AccountType.AGENCY,
                            "topic_limited": bool((row.get("topic_statement") or "").strip()),
                            "topic_statement": (row.get("topic_statement") or "").strip(),
                            "owner": None, "sensitive_audience": False}, options["reason"])
                        imported += 1
                        continue
                    except ValidationError as error:
                        problem = " ".join(error.messages)
                rejected += 1
                self.stderr.write(f"{path}:{line}: {problem}")
        self.stdout.write(f"Imported {imported}, already registered {skipped}, rejected {rejected}.")
        if rejected:
            raise SystemExit(1)
