"""Issue 16: data flows one way. Each app may import only the apps below it, so a
newcomer reads the layers bottom up and a change low down never needs one higher up.
Tests and migrations are left out: a test may build whatever its case needs."""

from __future__ import annotations

import ast
from pathlib import Path

from django.test import SimpleTestCase

PACKAGE = Path(__file__).resolve().parents[1]

# From the bottom: the audit log and the leases of duties know nobody; the registry (who runs what, who may do
# what) knows the audit log; capture and the archive know the registry; the inbox and the
# compliance checks read everything below them; the demo and the processes sit on top.
MAY_IMPORT: dict[str, set[str]] = {
    "security": set(),
    "duties": set(),
    "registry": {"security", "duties"},
    "signin": {"registry", "security", "duties"},
    "records": {"registry", "security", "duties"},
    "platforms": {"records", "registry", "security", "duties"},
    "inbox": {"platforms", "records", "registry", "security", "duties"},
    "incidents": {"platforms", "records", "registry", "security", "duties"},
    "publishing": {"inbox", "incidents", "platforms", "records", "registry", "security", "duties"},
    "policy": {"inbox", "incidents", "publishing", "platforms", "records", "registry", "security", "duties"},
    "ops": {"inbox", "incidents", "platforms", "policy", "publishing", "records", "registry", "security",
            "signin", "duties"},
}


def imported_apps(app: str) -> dict[str, str]:
    """{other app: the first file of `app` that imports it}."""
    found: dict[str, str] = {}
    for path in sorted((PACKAGE / app).rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            names = [node.module] if isinstance(node, ast.ImportFrom) and node.module else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            for name in names:
                parts = name.split(".")
                if parts[0] == "civicsocial" and len(parts) > 1 and parts[1] in MAY_IMPORT \
                        and parts[1] != app:
                    found.setdefault(parts[1], str(path.relative_to(PACKAGE)))
    return found


class LayersTestCase(SimpleTestCase):
    def test_it_lists_every_app(self):
        apps = {p.parent.name for p in PACKAGE.glob("*/apps.py")}
        self.assertEqual(apps, set(MAY_IMPORT))

    def test_it_imports_only_the_layers_below(self):
        for app, allowed in MAY_IMPORT.items():
            for other, where in imported_apps(app).items():
                self.assertIn(other, allowed, f"{where} imports civicsocial.{other}")

    def test_it_keeps_the_demo_and_test_servers_out_of_production(self):
        for app in set(MAY_IMPORT) - {"ops"}:
            self.assertNotIn("ops", imported_apps(app))

    def test_it_catches_an_upward_import(self):
        self.assertIn("registry", imported_apps("signin"))  # the walk sees real imports
        self.assertNotIn("registry", MAY_IMPORT["security"])
