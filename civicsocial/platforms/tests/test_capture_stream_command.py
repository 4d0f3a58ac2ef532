"""`civicsocial capture --stream`: live capture until Ctrl-C; it says plainly when
nothing can stream instead of waiting for nothing."""

from __future__ import annotations

import os
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command

from civicsocial.testing import BaseTestCase


class CaptureStreamCommandTestCase(BaseTestCase):
    def test_it_says_when_nothing_can_stream(self):
        # A Mastodon account without credentials, and no Bluesky service configured.
        self.approved_account(platform="mastodon", handle="@parks", url="https://nyc.social/@parks")
        environ = {k: v for k, v in os.environ.items()
                   if not k.startswith("CIVICSOCIAL_SECRET_") and k != "CIVICSOCIAL_BLUESKY_SERVICE"}
        with mock.patch.dict(os.environ, environ, clear=True), \
                self.assertRaisesRegex(CommandError, "nothing streams"):
            call_command("capture", "--stream", stdout=StringIO())


# Marked for `make test-fast` to leave out (pyproject.toml says what each marker means).
pytestmark = [pytest.mark.network]
