"""Issue 16: the README's command list and API list cannot drift from the code. They are
generated (`python -m civicsocial.readme`); this fails while the README differs."""

from pathlib import Path

from django.test import SimpleTestCase

from civicsocial.cli import OPERATOR_COMMANDS
from civicsocial.readme import README, rewrite

APPS = Path(__file__).resolve().parent.parent


class ReadmeTestCase(SimpleTestCase):
    def test_it_shows_the_commands_and_the_api_as_the_code_has_them(self):
        text = README.read_text()
        self.assertEqual(rewrite(text), text, "README.md is stale: run python -m civicsocial.readme")

    def test_it_lists_every_command_of_ours_in_the_help(self):
        ours = {p.stem for p in APPS.glob("*/management/commands/*.py") if p.stem != "__init__"}
        self.assertEqual(ours - set(OPERATOR_COMMANDS), set())

    def test_it_refuses_a_readme_without_the_blocks(self):
        with self.assertRaisesMessage(ValueError, "no block starting with"):
            rewrite("# A README with no generated blocks\n")
