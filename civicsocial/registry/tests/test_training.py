"""P4, P11: trainings, authorizations and the warning for the non-authorized."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from civicsocial.registry import services
from civicsocial.registry.models import Authorization, Role, WarningAcknowledgment
from civicsocial.testing import BaseTestCase, freeze_clock


class TrainingTestCase(BaseTestCase):
    def setUp(self) -> None:
        freeze_clock(self)  # "today" is read here and again by the code under test
        super().setUp()
        self.account = self.approved_account()
        self.editor = self.person(Role.EDITOR)
        self.admin = self.person(Role.AGENCY_ADMIN)

    def test_it_refuses_to_authorize_without_training(self):
        with self.assertRaisesMessage(ValidationError, "no current training"):
            services.authorize(self.admin, self.editor, self.account)
        self.assertFalse(Authorization.objects.exists())

    def test_it_refuses_to_authorize_with_an_expired_training(self):
        today = timezone.localdate()
        services.record_training(self.admin, self.editor, today - timedelta(days=400),
                                 today - timedelta(days=35))
        with self.assertRaises(ValidationError):
            services.authorize(self.admin, self.editor, self.account)

    def test_it_authorizes_a_trained_person(self):
        self.trained(self.editor)
        services.authorize(self.admin, self.editor, self.account)
        self.assertTrue(self.account.authorizations.filter(person=self.editor).exists())

    def test_it_refuses_someone_from_another_agency(self):
        outsider = self.trained(self.person(Role.EDITOR, "bravo"))
        with self.assertRaisesMessage(ValidationError, "holds no role"):
            services.authorize(self.ods, outsider, self.account)

    def test_it_refuses_a_future_completion_date(self):
        with self.assertRaises(ValidationError):
            services.record_training(self.admin, self.editor,
                                     timezone.localdate() + timedelta(days=1))

    def test_it_records_training_and_authorization_through_the_pages(self):
        self.login(self.admin)
        response = self.client.post(f"/people/{self.editor.pk}/training/",
                                    {"completed_on": str(timezone.localdate())})
        self.assertEqual(response.status_code, 302)
        response = self.client.post(f"/people/{self.editor.pk}/authorize/",
                                    {"account": self.account.pk})
        self.assertEqual(response.status_code, 302)
        page = self.client.get(f"/accounts/{self.account.pk}/")
        self.assertContains(page, str(self.editor))

    def test_it_explains_a_refused_authorization_on_the_page(self):
        self.login(self.admin)
        response = self.client.post(f"/people/{self.editor.pk}/authorize/",
                                    {"account": self.account.pk})
        self.assertContains(response, "no current training", status_code=400)

    def test_it_records_the_warning_acknowledgment(self):
        viewer = self.person(Role.VIEWER)
        self.login(viewer)
        page = self.client.get("/agencies/alpha/acknowledge/")
        self.assertContains(page, "not do it on City time")
        self.client.post("/agencies/alpha/acknowledge/", {})
        ack = WarningAcknowledgment.objects.get(person=viewer)
        self.assertEqual(ack.text_version, services.WARNING_TEXT_VERSION)

    def test_it_validates_ownership(self):
        self.login(self.person(Role.AGENCY_ADMIN, "bravo"))
        response = self.client.post(f"/people/{self.editor.pk}/training/",
                                    {"completed_on": str(timezone.localdate())})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(self.editor.trainings.exists())
