"""`civicsocial`: the operator's command line. Django's management commands plus ours.

Every command first brings the database schema up to date, so a fresh checkout needs
no separate `migrate` step. Configuration errors print a message, not a traceback.
"""

from __future__ import annotations

import os
import sys

OPERATOR_COMMANDS = {
    "serve": "run the web app and API on 127.0.0.1 (waitress), with a background worker",
    "worker": "run background work on its own (productions, captures, firehose; Huey)",
    "capture": "capture the accounts now (--once) or follow the Bluesky firehose (--stream)",
    "load_demo": "load the demo city (idempotent)",
    "demo_code": "the current second-factor code of a demo login (development mode only)",
    "create_ods_admin": "create or update a citywide ODS administrator",
    "accounts": "list registered accounts (table, csv or json)",
    "import_accounts": "register existing accounts from a CSV list (P1), line-numbered errors",
    "archive": "import captures, search, verify, seal, retention, holds, disposal (P25, P27)",
    "foil": "FOIL cases: open, list, export a production, verify a production (P26)",
    "compliance": "the compliance report, per agency and citywide (table or json)",
    "publishing": "due: posts about to go out; status: by state; dispatch, flag-outside: the duties now",
    "branding": "logo IMAGE...: does each show the city's logo? audit: audit new snapshots (P8)",
    "triage": "label comments from a JSON-lines file, with reasons (--evaluate: P/R/F1)",
    "reviewalerts": "alert moderators about inboxes overdue for their daily review (P21)",
    "referrals": "refresh the status of open 311 service requests (Open311, P23)",
    "backup": "--out DIR: database, seals, media and productions, with a manifest of hashes",
    "restore": "DIR: check a backup, restore it into an empty database, prove nothing changed",
    "vault": "platform credentials, encrypted and write-only: set, list, rotate-master, import-env (P13)",
    "reset_second_factor": "remove a person's authenticator so they enrol again",
    "enrolment_code": "a one-time code for a privileged person's first second factor (P13)",
    "axes_reset": "lift login throttling (all, or --username NAME)",
    "changepassword": "set a person's password",
    "migrate": "apply database migrations (done automatically before every command)",
}
NO_AUTO_MIGRATE = {"help", "makemigrations", "migrate", "check", "version", "sqlmigrate",
                   "showmigrations", "shell", "dbshell", "test", "restore"}


def usage() -> str:
    """What `civicsocial --help` prints (the README shows it, checked by a test)."""
    width = max(len(name) for name in OPERATOR_COMMANDS)
    lines = ["usage: civicsocial COMMAND [options]   (civicsocial COMMAND --help for options)",
             "", "Commands for operators:"]
    lines += [f"  {name.ljust(width)}  {text}" for name, text in OPERATOR_COMMANDS.items()]
    lines += ["", "All of Django's management commands also work: civicsocial help --commands"]
    return "\n".join(lines)


MIGRATION_LOCK = 7_130_018  # PostgreSQL advisory lock: one process migrates at a time


def prepare_database() -> None:
    """Apply pending migrations quietly, so any command works on an empty database.

    On PostgreSQL all of them go in one transaction, taken by one process at a time: Django
    records a migration whose constraints it defers only after that migration's own
    transaction, so a process killed in between (a worker killed at any moment) would leave
    a table no record mentions, and the next start would fail on it."""
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor

    def pending() -> bool:
        executor = MigrationExecutor(connection)
        return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))

    if not pending():
        return
    if connection.vendor != "postgresql":  # SQLite's schema editor refuses an outer transaction
        call_command("migrate", verbosity=0, interactive=False)
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        if pending():  # another process may have migrated while this one waited
            call_command("migrate", verbosity=0, interactive=False)


def check_usage(argv: list[str]) -> None:
    """Parse the command's arguments before touching the database: a usage error (an
    unknown command, a bad date) is told at once, with exit status 2, and an empty
    database is not migrated for a command that cannot run."""
    from django.core.management import ManagementUtility

    command = ManagementUtility(argv).fetch_command(argv[1])  # unknown: says so, exits 1
    command._called_from_command_line = True  # type: ignore[attr-defined]  # argparse exits 2 on errors
    command.create_parser(argv[0], argv[1]).parse_args(argv[2:])


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicsocial.settings")
    if len(argv) < 2 or argv[1] in {"-h", "--help"}:
        print(usage())
        return
    from django.core.exceptions import ImproperlyConfigured, ValidationError

    try:
        import django

        django.setup()
        if argv[1] not in NO_AUTO_MIGRATE and "--help" not in argv:
            check_usage(argv)
            prepare_database()
        from django.core.management import execute_from_command_line

        execute_from_command_line(argv)
    except ImproperlyConfigured as error:
        print(f"civicsocial: configuration error: {error}", file=sys.stderr)
        raise SystemExit(2) from None
    except ValidationError as error:
        print(f"civicsocial: {' '.join(error.messages)}", file=sys.stderr)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
