"""The bytes that content and chain hashes cover (P27) must not change when the JSON
library does: every archive verified before the import moved to orjson still verifies."""

import json
import math

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from civicsocial.records.capture import CaptureError, parse_capture
from civicsocial.records.hashing import canonical


def reference(data: object) -> bytes:
    """The canonical form as first defined, with the standard library."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      default=str).encode()


text = st.text(st.characters(exclude_categories=["Cs"]))
values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | text,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(text, inner, max_size=5),
    max_leaves=25)

LINE = {"platform": "bluesky", "account": "@parks", "item_id": "1", "kind": "post",
        "author": "@parks", "text": "hi", "created_at": "2026-10-01T00:00:00Z",
        "captured_at": "2026-10-01T00:01:00Z"}


class CanonicalJsonTestCase(SimpleTestCase):
    @settings(max_examples=500, deadline=None)
    @given(values)
    def test_it_writes_the_bytes_the_standard_library_wrote(self, data):
        self.assertEqual(canonical(data), reference(data))

    def test_it_writes_every_control_and_separator_character_the_same_way(self):
        everything = "".join(chr(c) for c in range(0x3000)) + "\u2028\u2029\ufeff😀"
        self.assertEqual(canonical({"text": everything}), reference({"text": everything}))

    def test_it_writes_what_orjson_refuses(self):
        self.assertEqual(canonical({"n": 2**70}), reference({"n": 2**70}))
        self.assertEqual(canonical({"text": "half \ud83d"}), b'{"text":"half \xed\xa0\xbd"}')


class CaptureLineJsonTestCase(SimpleTestCase):
    def line(self, raw: str) -> str:
        return json.dumps(LINE)[:-1] + f', "raw": {raw}}}'

    def test_it_keeps_raw_payloads_orjson_cannot_read_exactly(self):
        # NaN and integers past 64 bits are valid for json (which judges lines), not for orjson
        capture = parse_capture(self.line('{"big": 123456789012345678901234567890, "x": NaN}'))
        raw = json.loads(capture.raw)
        self.assertEqual(raw["big"], 123456789012345678901234567890)
        self.assertTrue(math.isnan(raw["x"]))

    def test_it_archives_half_an_emoji_without_losing_the_raw_escape(self):
        # Platforms cut text inside a surrogate pair; no database stores a lone surrogate
        line = json.dumps({**LINE, "text": "cut \ud83d"})[:-1] + ', "raw": {"text": "cut \\ud83d"}}'
        capture = parse_capture(line)
        self.assertEqual(capture.text, "cut \ufffd")
        self.assertEqual(capture.raw, '{"text":"cut \\ud83d"}')
        capture.text.encode()

    def test_it_keeps_the_raw_payload_sorted_and_compact(self):
        capture = parse_capture(self.line('{"b": [1, 2.5, "é"], "a": {"d": null, "c": true}}'))
        self.assertEqual(capture.raw, '{"a":{"c":true,"d":null},"b":[1,2.5,"é"]}')

    def test_it_reports_invalid_json_with_its_column(self):
        with self.assertRaisesRegex(CaptureError, r"not valid JSON \(.* at column 13\)"):
            parse_capture('{"platform" "bluesky"}')
