"""`civicsocial branding logo IMAGE...` (issue 14): one line per image, its path, match,
no-match or unsure, and the score, with the configured reference logo; a file that cannot
be read is named and the command fails, after judging the others."""

from __future__ import annotations

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase, override_settings

from civicsocial.policy.logo_reference import draw_reference_logo
from civicsocial.policy.tests.test_logo_decisions import half_hidden
from civicsocial.policy.tests.test_logo_match import on_green


class BrandingCommandTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.folder = Path(tempfile.mkdtemp())
        (self.folder / "parks.png").write_bytes(on_green(draw_reference_logo(220)))
        (self.folder / "state.png").write_bytes(on_green(draw_reference_logo(220, letters="NYS")))
        (self.folder / "sticker.png").write_bytes(half_hidden())

    def run_command(self, *names: str) -> tuple[list[list[str]], str]:
        out, err = StringIO(), StringIO()
        try:
            call_command("branding", "logo", *[str(self.folder / n) for n in names],
                         stdout=out, stderr=err)
        finally:
            self.errors = err.getvalue()
        return [line.split("\t") for line in out.getvalue().splitlines()], err.getvalue()

    def test_it_prints_one_line_per_image(self):
        lines, _ = self.run_command("parks.png", "state.png", "sticker.png")
        self.assertEqual([(Path(p).name, outcome) for p, outcome, _ in lines],
                         [("parks.png", "match"), ("state.png", "no-match"), ("sticker.png", "unsure")])
        for _, _, score in lines:
            self.assertRegex(score, r"^[01]\.\d\d$")

    def test_it_names_a_file_it_cannot_read_and_fails(self):
        with self.assertRaisesMessage(CommandError, "1 file(s) could not be read"):
            self.run_command("parks.png", "missing.png")
        self.assertIn("missing.png: cannot read", self.errors)

    def test_it_uses_the_configured_reference_logo(self):
        # Another city's mark as the reference: the demo city's own mark no longer matches.
        other = self.folder / "reference.png"
        draw_reference_logo(256, letters="SFO").save(other)
        with override_settings(BRAND_LOGO=str(other)):
            lines, _ = self.run_command("parks.png")
        self.assertEqual(lines[0][1], "no-match")
