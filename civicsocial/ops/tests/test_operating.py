"""Issue 17: what an operator's tools ask. /readyz says whether the database and the
queue answer; /metrics gives the city's numbers in Prometheus's format, to the scraper
only; every log line names its request or task, as JSON in production."""

from __future__ import annotations

import json
import logging
import os
from io import StringIO
from unittest import mock

from django.conf import settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from pythonjsonlogger.json import JsonFormatter

from civicsocial.inbox.services import triage_new_items
from civicsocial.logs import ContextFilter, current_id
from civicsocial.platforms.models import CaptureState
from civicsocial.records.tests.helpers import archive, line
from civicsocial.testing import BaseTestCase


class ReadinessTestCase(BaseTestCase):
    def test_it_is_ready_when_the_database_and_the_queue_answer(self):
        answer = self.client.get("/readyz")
        self.assertEqual((answer.status_code, answer.json()), (200, {"database": "ok", "queue": "ok"}))

    def test_it_says_which_part_is_down(self):
        with mock.patch("civicsocial.ops.health.HUEY.pending_count", side_effect=ConnectionError):
            answer = self.client.get("/readyz")
        self.assertEqual(answer.status_code, 503)
        self.assertEqual(answer.json(), {"database": "ok", "queue": "unavailable: ConnectionError"})


class MetricsTestCase(BaseTestCase):
    def scrape(self, **headers: str) -> dict[str, list]:
        answer = self.client.get("/metrics", **headers)
        self.assertEqual(answer.status_code, 200)
        return {f.name: f.samples for f in text_string_to_metric_families(answer.content.decode())}

    def test_it_gives_the_citys_numbers(self):
        account = self.approved_account()  # @alpha_news
        CaptureState.objects.create(account=account, last_lag_seconds=4.5,
                                    last_success_at=timezone.now())
        archive(line("c-1", account="@alpha_news", text="There is a deep pothole at 12 Main St"),
                line("c-2", account="@alpha_news", text="Thanks!"))
        triage_new_items()
        found = self.scrape()
        [lag] = found["civicsocial_capture_lag_seconds"]
        self.assertEqual((lag.labels, lag.value), ({"platform": "bluesky", "account": "@alpha_news"}, 4.5))
        self.assertEqual(found["civicsocial_triaged"][0].value, 2)
        self.assertEqual(found["civicsocial_archived_versions"][0].value, 2)
        labels = {s.labels["label"]: s.value for s in found["civicsocial_triage_labels"]}
        self.assertEqual(labels.get("dangerous_condition"), 1)
        self.assertIn("civicsocial_queue_depth", found)
        self.assertEqual(found["civicsocial_review_overdue_accounts"][0].value, 0)

    def test_it_answers_only_the_scraper(self):
        self.assertEqual(self.client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code, 403)
        with mock.patch.dict(os.environ, {"CIVICSOCIAL_METRICS_TOKEN": "s3cret-scraper"}):
            self.assertEqual(self.client.get("/metrics").status_code, 403)  # even from here
            self.assertEqual(self.client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code, 403)
            self.scrape(HTTP_AUTHORIZATION="Bearer s3cret-scraper", REMOTE_ADDR="10.1.2.3")


class LogTestCase(BaseTestCase):
    def test_it_names_the_request_in_the_answer(self):
        self.assertEqual(self.client.get("/healthz", HTTP_X_REQUEST_ID="lb-7f3a")["X-Request-ID"], "lb-7f3a")
        made = self.client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
        self.assertRegex(made, r"^[0-9a-f]{32}$")  # not a plain token: one of ours instead

    def test_it_writes_one_json_object_a_line_with_the_request(self):
        config = settings.LOGGING["formatters"]["json"]
        out = StringIO()
        handler = logging.StreamHandler(out)
        handler.addFilter(ContextFilter())
        handler.setFormatter(JsonFormatter(config["fmt"], rename_fields=config["rename_fields"]))
        logger = logging.getLogger("civicsocial.test")
        logger.addHandler(handler)
        self.addCleanup(logger.removeHandler, handler)
        token = current_id.set("task:capture_due_accounts:42")
        try:
            logger.warning("capture of %s failed", "@alpha_news")
        finally:
            current_id.reset(token)
        record = json.loads(out.getvalue())
        self.assertEqual((record["level"], record["logger"], record["message"], record["request_id"]),
                         ("WARNING", "civicsocial.test", "capture of @alpha_news failed",
                          "task:capture_due_accounts:42"))
