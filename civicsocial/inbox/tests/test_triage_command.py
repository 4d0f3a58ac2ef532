"""`civicsocial triage --in FILE [--out FILE]`: one line out per line in, with labels and
the reason for each; bad files get a clear error; any text is triaged without error."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from civicsocial.inbox.triage import LABELS, MAX_CHARS, triage

HOSTILE = ["", " ", "a" * 100_000, "\x00\x01\x02\ufffd" * 50, "שלום, הכביש שבור ליד הבית",
           "🚧🚧🚧🕳️😡", "<script>alert(1)</script><img src=x onerror=alert(2)>",
           "\u202eevil\u202c", "\uff26\uff35\uff23\uff2b \uff59\uff4f\uff55", "NO HEAT IN MY BUILDING!!!"]


class TriageCommandTestCase(SimpleTestCase):
    def write(self, tmp: Path, rows: list[object]) -> Path:
        path = tmp / "in.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
        return path

    def test_it_writes_one_line_per_comment_with_reasons(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            source = self.write(Path(tmp), [
                {"id": "a", "account": "NYC DOT", "account_topic": None, "post": "Paving season",
                 "text": "Huge pothole on Atlantic Ave, a cyclist almost went down", "labels": []},
                {"id": "b", "account": "NYC DOT", "account_topic": None, "post": "", "text": "Thanks!"}])
            out = Path(tmp) / "out.jsonl"
            call_command("triage", "--in", str(source), "--out", str(out))
            lines = [json.loads(line) for line in out.read_text().splitlines()]
        self.assertEqual([line["id"] for line in lines], ["a", "b"])
        self.assertIn("dangerous_condition", lines[0]["labels"])
        self.assertIn("pothole", lines[0]["reasons"]["dangerous_condition"])
        self.assertEqual(set(lines[0]["reasons"]), set(lines[0]["labels"]))
        self.assertEqual(lines[1]["labels"], [])

    def test_it_names_the_line_that_is_not_json(self):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "bad.jsonl"
            path.write_text('{"id": "a", "text": "ok"}\n{not json\n', encoding="utf-8")
            with self.assertRaisesRegex(CommandError, "line 2: not JSON"):
                call_command("triage", "--in", str(path), stdout=StringIO())
            with self.assertRaisesRegex(CommandError, "cannot read"):
                call_command("triage", "--in", str(Path(tmp) / "missing.jsonl"), stdout=StringIO())

    def test_it_triages_hostile_text_without_error(self):
        for text in HOSTILE:
            found = triage(text, "Pools and beaches only", "Pools open Saturday")
            self.assertTrue(set(found.labels) <= set(LABELS), text[:20])
            for reason in found.reasons.values():
                self.assertLessEqual(len(reason), 120)
        full_width = "\uff26\uff35\uff23\uff2b \uff59\uff4f\uff55"
        self.assertIn("obscene", triage(full_width).labels)  # folded to plain letters
        self.assertEqual(MAX_CHARS, 5000)

    def test_it_never_gives_rude_criticism_a_deletion_ground(self):
        # P22: a complaint, however rude, is protected speech.
        for text in ["Your agency is a joke and the commissioner should resign.",
                     "Incompetent, lazy, useless. Do your job for once."]:
            found = triage(text)
            self.assertIn("complaint", found.labels)
            self.assertFalse({"obscene", "hate_speech", "solicitation", "tos_violation"}
                             & set(found.labels), found)


class TriageModelTestCase(SimpleTestCase):
    def test_it_explains_a_label_the_model_added(self):
        # No word list names a flooded basement stairwell; the learned model is what flags it.
        found = triage("water coming up through the floor of the basement stairwell again, "
                       "three weeks now, nobody from the building or the city has come")
        self.assertIn("service_request", found.labels)
        self.assertRegex(found.reasons["service_request"], r"^(?:words: |model \d\.\d\d)")

    def test_it_cross_validates_when_asked(self):
        import tempfile

        rows = [{"id": f"r{n}", "text": text, "labels": labels} for n, (text, labels) in enumerate(
            [("pothole on my street, a car lost a wheel", ["service_request", "dangerous_condition"]),
             ("thanks for the update", []), ("FOIL: all emails about the bike lane", ["records_request"]),
             ("great job everyone", []), ("no heat in the building since monday", ["service_request"]),
             ("love this park", [])] * 3)]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "labelled.jsonl"
            path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
            out = StringIO()
            call_command("triage", "--in", str(path), "--evaluate", "--folds", "3", stdout=out)
        self.assertIn("cross-validated, 3 folds", out.getvalue())
        self.assertIn("records_request", out.getvalue())

    def test_it_measures_on_held_back_accounts_and_lists_complaints_given_a_ground(self):
        import tempfile

        rows = [{"id": f"{account}{n}", "account": account, "account_topic": None, "text": text,
                 "labels": labels}
                for account, repeat in (("NYC DOT", 4), ("NYC Parks", 3), ("NYC DEP", 2))
                for n, (text, labels) in enumerate(
                    [("pothole on my street, a car lost a wheel", ["service_request", "dangerous_condition"]),
                     ("you people are useless, fix the lights", ["complaint"]),
                     ("buy cheap followers at www.fastfans.biz", ["solicitation"])] * repeat)]
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "labelled.jsonl"
            path.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
            out = StringIO()
            call_command("triage", "--in", str(path), "--evaluate", "--held-back", stdout=out)
        # Accounts by size: DOT (12) tunes, Parks (9) is held back, DEP (6) tunes.
        self.assertIn("Held back: 9 comments on 1 accounts", out.getvalue())
        self.assertIn("Complaint only (protected speech): 3 comments, 0 given a deletion ground",
                      out.getvalue())
        self.assertIn("Complaints given a deletion ground (must be empty)", out.getvalue())
