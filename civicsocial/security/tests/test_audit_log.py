"""The audit log is append-only, in the application and in the database itself."""

from django.db import DatabaseError, connection, transaction

from civicsocial.registry import services
from civicsocial.registry.models import Role
from civicsocial.security.models import AppendOnlyError, AuditEvent
from civicsocial.testing import BaseTestCase


class AuditLogTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.account = self.approved_account()
        services.update_account(self.person(Role.AGENCY_ADMIN), self.account,
                                {"sensitive_audience": True}, "Serves minors (P18).")

    def test_it_records_who_what_when_and_why(self):
        event = AuditEvent.objects.filter(action="account.updated").get()
        self.assertEqual(event.actor, self.person(Role.AGENCY_ADMIN))
        self.assertEqual(event.changes, {"sensitive_audience": [False, True]})
        self.assertEqual(event.reason, "Serves minors (P18).")
        self.assertEqual(event.agency, self.alpha)
        self.assertIsNotNone(event.at)

    def test_it_lists_only_filled_in_fields_for_a_new_record(self):
        created = AuditEvent.objects.get(action="account.registered")
        self.assertEqual(created.changes["handle"], [None, "@alpha_news"])
        self.assertNotIn("topic_statement", created.changes)  # empty, so not a change
        self.assertNotIn("topic_limited", created.changes)

    def test_it_shows_the_history_on_the_objects_page(self):
        self.login(self.person(Role.VIEWER))
        response = self.client.get(f"/accounts/{self.account.pk}/")
        self.assertContains(response, "Serves minors (P18).")
        self.assertContains(response, "account.registered")

    def test_it_refuses_changes_in_the_application(self):
        event = AuditEvent.objects.first()
        event.reason = "rewritten"
        with self.assertRaises(AppendOnlyError):
            event.save()
        with self.assertRaises(AppendOnlyError):
            event.delete()

    def test_it_refuses_update_in_the_database(self):
        with self.assertRaises(DatabaseError), transaction.atomic(), connection.cursor() as c:
            c.execute("UPDATE security_auditevent SET reason = 'rewritten'")
        self.assertFalse(AuditEvent.objects.filter(reason="rewritten").exists())

    def test_it_refuses_delete_in_the_database(self):
        count = AuditEvent.objects.count()
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.all().delete()
        self.assertEqual(AuditEvent.objects.count(), count)

    def test_it_requires_a_reason_for_account_changes(self):
        from django.core.exceptions import ValidationError
        with self.assertRaises(ValidationError):
            services.update_account(self.ods, self.account, {"sensitive_audience": False}, " ")
