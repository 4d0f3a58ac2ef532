"""P22: criticism of the city, however sharp, is protected speech and never gets a ground
for removal. These complaints were written for this test (not taken from the development
set), in the tones city accounts get, several of them brushing against the word lists."""

from __future__ import annotations

from django.test import SimpleTestCase

from civicsocial.inbox.triage import DELETION_GROUNDS, triage

COMPLAINTS = [
    "The mayor should resign. Every one of these officials is useless and overpaid.",
    "Your agency is a clown show. Three months and the pothole is still there.",
    "The NYPD treats our block like a war zone. Shameful.",
    "Landlords in this city are parasites and you let them get away with it.",
    "Stop wasting our taxes on consultants, you people never learn.",
    "Immigration policy in this city is a disaster, the shelters are overflowing and nobody plans.",
    "Deport the rats from the subway first, then talk to us about cleanliness.",
    "These people at DOT have never ridden a bike in their lives.",
    "Next time you close the pool without notice, expect a lot of angry parents at the meeting.",
    "I will be at the hearing and I will not be quiet. You should be ashamed.",
    "Worst. Service. Ever. I've called 311 twelve times about the same leak.",
    "You claim it's fixed but I'm looking at the broken light right now. Liars.",
    "Why do the rich neighborhoods get plowed first every single time?",
    "Our kids breathe diesel all day from the depot and you post about a poetry contest.",
    "Congrats on the award, now maybe fix the elevator at Broadway Junction.",
    "Stop posting memes and answer your phones.",
    "The commissioner is a coward who hides from the press.",
    "Hire people who know what they're doing, this rollout was a mess from day one.",
    "Typical. Announce it on a Friday night so nobody notices the cuts.",
    "You should all be fired for how the storm response went.",
]


class ProtectedSpeechTestCase(SimpleTestCase):
    def test_it_gives_no_complaint_a_ground_for_removal(self):
        for text in COMPLAINTS:
            found = triage(text)
            self.assertFalse(set(found.labels) & set(DELETION_GROUNDS), f"{text} -> {found.reasons}")
