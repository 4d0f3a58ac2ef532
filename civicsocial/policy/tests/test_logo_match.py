"""The logo match of the branding audit (P8), measured on generated avatars it was not
tuned on: the logo at any size from 40% to 95% of the avatar, anywhere, up to a tenth
cut off, in any colour on busy backgrounds; against avatars with other words and marks."""

from __future__ import annotations

from django.test import SimpleTestCase

from civicsocial.policy.logo import contains_logo, draw_reference_logo, logo_score
from civicsocial.policy.tests.avatars import avatar_set

HELD_OUT_SEED = 20261125  # the threshold was chosen on seed 1


class LogoMatchTestCase(SimpleTestCase):
    def test_it_is_right_on_at_least_95_percent_of_unseen_avatars(self):
        avatars = avatar_set(HELD_OUT_SEED, 200, draw_reference_logo())
        right = sum(contains_logo(data) == positive for data, positive in avatars)
        false_matches = sum(contains_logo(data) and not positive for data, positive in avatars)
        self.assertGreaterEqual(right / len(avatars), 0.95, f"{right} of {len(avatars)} right")
        self.assertLessEqual(false_matches, 2)

    def test_it_scores_unreadable_image_data_zero(self):
        for data in (b"", b"not an image", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40):
            self.assertEqual(logo_score(data), 0)

    def test_it_gives_the_same_score_every_time(self):
        data, _ = avatar_set(3, 1, draw_reference_logo())[0]
        self.assertEqual(len({logo_score(data) for _ in range(3)}), 1)
