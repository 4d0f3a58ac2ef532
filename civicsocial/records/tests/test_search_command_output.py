"""Issue 12, finding 11: a resident's text printed by `civicsocial archive search` cannot
drive the operator's terminal: control characters are shown, not sent."""

from io import StringIO

from django.core.management import call_command
from django.test import TestCase

from civicsocial.records.tests.helpers import archive, line

HOSTILE = "pothole \x1b]0;owned\x07 here \x1b[2J\x1b[1;1H\r fake prompt \x9b31m"


class SearchCommandOutputTestCase(TestCase):
    def setUp(self) -> None:
        archive(line("c1\x1b[A", text=HOSTILE, author="@res\x1b[8mident"))

    def test_it_shows_control_characters_instead_of_sending_them(self):
        out = StringIO()
        call_command("archive", "search", "pothole", stdout=out)
        printed = out.getvalue()
        for control in ("\x1b", "\x07", "\r", "\x9b"):
            self.assertNotIn(control, printed)
        self.assertIn("\\x1b]0;owned\\x07", printed.replace("\n", "").replace(" ", "")
                      .replace("│", ""))

    def test_it_keeps_control_characters_escaped_in_json(self):
        out = StringIO()
        call_command("archive", "search", "pothole", "--format", "json", stdout=out)
        self.assertNotIn("\x1b", out.getvalue())
        self.assertIn("\\u001b", out.getvalue())
