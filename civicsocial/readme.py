"""The README's generated blocks, so they cannot drift from the code (as Datasette does
with cog): the command list is `civicsocial --help`, the API list is read from the
OpenAPI document. `python -m civicsocial.readme` rewrites them in README.md; the suite
fails while they differ (civicsocial/tests/test_readme.py).
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCKS = {"help": "$ .venv/bin/civicsocial --help", "api": "# API operations (from /api/openapi.json)"}


def help_block() -> str:
    """The command list: the `--help` output, after the command that prints it."""
    from civicsocial.cli import usage

    return f"{BLOCKS['help']}\n{usage()}"


def api_block() -> str:
    """Every API operation: method, path with its query parameters, what it does, and
    `(public)` where no login is needed."""
    from civicsocial.api import api

    lines = [BLOCKS["api"]]
    document: dict[str, Any] = api.get_openapi_schema()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            where = path + ("?" + "&".join(f"{name}=" for name in query) if query else "")
            public = "  (public)" if "security" not in operation else ""
            lines.append(f"{method.upper():<6} {where:<64} {operation.get('summary', '')}{public}")
    return "\n".join(lines)


def rewrite(text: str) -> str:
    """The README with each generated block (a fenced block opening with its first line)
    replaced by what the code says today."""
    for first, block in ((BLOCKS["help"], help_block()), (BLOCKS["api"], api_block())):
        pattern = re.compile(r"```\n" + re.escape(first) + r"\n.*?```", re.DOTALL)
        found = pattern.search(text)
        if found is None:
            raise ValueError(f"README.md has no block starting with {first!r}")
        text = f"{text[:found.start()]}```\n{block}\n```{text[found.end():]}"
    return text


def main() -> None:
    """Rewrite the generated blocks of README.md."""
    import django

    django.setup()
    README.write_text(rewrite(README.read_text()))
    sys.stdout.write("README.md: command list and API list rewritten from the code\n")


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicsocial.settings")
    main()
