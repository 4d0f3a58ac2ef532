"""Issue 12, findings 4, 5 and 8: one validation for FOIL cases whether they come from a
page, the API or the command line; bounded saved searches; a status change needs a
reason, closing (which lifts holds) needs the records officer, and a no-op writes nothing."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError

from civicsocial.records import foil
from civicsocial.records.models import FoilCase
from civicsocial.registry.models import Role
from civicsocial.security.models import AuditEvent
from civicsocial.testing import BaseTestCase

BAD_CASES = [
    ({"requester": "x" * 1_000_000}, "requester"),
    ({"requester": "Jane\x00Doe"}, "requester"),
    ({"notes": "n" * 1_000_000}, "notes"),
    ({"received_on": "0001-01-01"}, "received_on"),
    ({"queries": ["pothole"] * 5000}, "query"),
    ({"queries": ["a" * 600]}, "query"),
]


class FoilLimitsTestCase(BaseTestCase):
    def payload(self, **changes):
        data = {"agency": "alpha", "requester": "Jane", "received_on": "2026-11-20",
                "queries": ["pothole"], "notes": ""}
        data.update(changes)
        return data

    def test_it_refuses_in_the_api_what_the_pages_refuse(self):
        api = self.login(self.person(Role.RECORDS_OFFICER))
        for changes, field in BAD_CASES:
            response = api.post("/api/foil", self.payload(**changes), content_type="application/json")
            self.assertEqual(response.status_code, 400, field)
            self.assertIn(field, response.content.decode()[:2000], field)
        self.assertFalse(FoilCase.objects.exists())

    def test_it_refuses_the_same_in_the_service(self):
        for changes, field in BAD_CASES:
            data = self.payload(**changes)
            with self.assertRaises(ValidationError, msg=field) as caught:
                foil.open_case(None, data["requester"], date.fromisoformat(data["received_on"]),
                               data["queries"], notes=data["notes"])
            self.assertIn(field, caught.exception.message_dict, field)

    def test_it_bounds_searches_attached_later(self):
        case = foil.open_case(None, "Jane", date(2026, 11, 20), [f"q{n}" for n in range(foil.MAX_SEARCHES)])
        with self.assertRaises(ValidationError):
            foil.attach_search(None, case, "one more")
        self.assertEqual(case.searches.count(), foil.MAX_SEARCHES)

    def test_it_needs_a_bounded_reason_to_change_status_and_writes_nothing_for_a_no_op(self):
        case = foil.open_case(None, "Jane", date(2026, 11, 20), agency=self.alpha)
        officer = self.person(Role.RECORDS_OFFICER)
        for reason in ("", "r" * 1_000_000, "bad\x00reason"):
            with self.assertRaises(ValidationError):
                foil.set_status(officer, case, FoilCase.Status.ACKNOWLEDGED, reason)
        before = AuditEvent.objects.count()
        foil.set_status(officer, case, FoilCase.Status.OPEN, "no change")
        self.assertEqual(AuditEvent.objects.count(), before)
        page = self.login(officer).post(f"/foil/{case.pk}/status/", {"status": "closed", "reason": ""})
        self.assertEqual(page.status_code, 302)
        self.assertEqual(FoilCase.objects.get().status, FoilCase.Status.OPEN)

    def test_it_lets_only_the_records_officer_close_a_case(self):
        case = foil.open_case(None, "Jane", date(2026, 11, 20), ["pothole"], agency=self.alpha)
        with self.assertRaises(PermissionDenied):
            foil.set_status(self.person(Role.COUNSEL), case, FoilCase.Status.CLOSED, "done")
        response = self.login(self.person(Role.COUNSEL)).post(
            f"/foil/{case.pk}/status/", {"status": "closed", "reason": "done"})
        self.assertEqual(response.status_code, 403)
        foil.set_status(self.person(Role.RECORDS_OFFICER), case, FoilCase.Status.CLOSED, "produced")
        self.assertEqual(FoilCase.objects.get().status, FoilCase.Status.CLOSED)

    def test_it_validates_ownership(self):
        case = foil.open_case(None, "Jane", date(2026, 11, 20), agency=self.alpha)
        response = self.login(self.person(Role.RECORDS_OFFICER, "bravo")).post(
            f"/foil/{case.pk}/status/", {"status": "closed", "reason": "mine now"})
        self.assertEqual(response.status_code, 404)
        self.assertEqual(FoilCase.objects.get().status, FoilCase.Status.OPEN)
