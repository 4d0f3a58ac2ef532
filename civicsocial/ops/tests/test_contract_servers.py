"""The contract servers hold the adapters to the platforms' documents: what a real platform
would refuse, they refuse, with the documented error (so an adapter that passes against them
sends what the platform accepts)."""

from __future__ import annotations

import requests
from django.test import SimpleTestCase

from civicsocial.platforms.tests import graph, xapi, youtube


class GraphContractTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.server = graph.shared_server()
        self.page, _, self.token = graph.new_page()
        self.base = f"{self.server.url}/v21.0"

    def get(self, path: str, **params: str) -> requests.Response:
        return requests.get(
            f"{self.base}/{path}", params=params, timeout=5, headers={"Authorization": f"Bearer {self.token}"}
        )

    def test_it_refuses_a_field_the_node_type_does_not_have(self):
        answer = self.get(self.page, fields="id,name,likes_count")
        self.assertEqual(answer.status_code, 400)
        self.assertEqual(answer.json()["error"]["code"], 100)
        self.assertIn("nonexisting field (likes_count)", answer.json()["error"]["message"])

    def test_it_refuses_a_missing_token_a_limit_over_100_and_another_pages_objects(self):
        answer = requests.get(f"{self.base}/{self.page}", timeout=5)
        self.assertEqual((answer.status_code, answer.json()["error"]["code"]), (400, 190))
        self.assertEqual(self.get(f"{self.page}/posts", limit="101").json()["error"]["code"], 100)
        other, _, _ = graph.new_page("Transit")
        self.assertEqual(self.get(other).json()["error"]["error_subcode"], 33)

    def test_it_throttles_with_the_usage_header(self):
        self.server.calls_per_hour, saved = 2, self.server.calls_per_hour
        try:
            answers = [self.get(self.page) for _ in range(3)]
        finally:
            self.server.calls_per_hour = saved
        self.assertEqual(answers[2].json()["error"]["code"], 32)
        self.assertIn("estimated_time_to_regain_access", answers[2].headers["X-Business-Use-Case-Usage"])


class XContractTestCase(SimpleTestCase):
    def setUp(self) -> None:
        self.server = xapi.shared_server()
        self.user, self.token = xapi.new_user()

    def get(self, path: str, token: str = "", **params: str) -> requests.Response:
        return requests.get(
            f"{self.server.url}/2/{path}",
            params=params,
            timeout=5,
            headers={"Authorization": f"Bearer {token or self.token}"},
        )

    def test_it_refuses_what_the_openapi_document_does_not_allow(self):
        wrong_size = self.get(f"users/{self.user}/tweets", max_results="1000")
        self.assertEqual(wrong_size.status_code, 400)
        self.assertIn("not between 5 and 100", wrong_size.json()["errors"][0]["message"])
        wrong_field = self.get(f"users/{self.user}/tweets", **{"tweet.fields": "created_at,colour"})
        self.assertEqual(wrong_field.json()["title"], "Invalid Request")

    def test_it_answers_with_rate_limit_headers_and_checks_who_may_ask(self):
        answer = self.get("users/me")
        self.assertEqual(answer.status_code, 200)
        self.assertTrue(
            {"x-rate-limit-limit", "x-rate-limit-remaining", "x-rate-limit-reset"} <= set(answer.headers)
        )
        self.assertEqual(self.get("users/me", token="guess").status_code, 401)
        self.assertEqual(self.get("usage/tweets").status_code, 403)  # app-only
        self.assertEqual(self.get("usage/tweets", token=self.server.app_token).status_code, 200)


class YouTubeContractTestCase(SimpleTestCase):
    def test_it_refuses_parameters_the_discovery_document_does_not_have(self):
        server = youtube.shared_server()
        token = server._token(
            {
                "client_id": server.client_id,
                "client_secret": server.client_secret,
                "grant_type": "refresh_token",
                "refresh_token": server.channels[youtube.new_channel()[0]].refresh_token,
            }
        )
        headers = {"Authorization": f"Bearer {token.body['access_token']}"}
        url = f"{server.url}/youtube/v3/commentThreads"
        missing = requests.get(url, params={"videoId": "x"}, headers=headers, timeout=5)
        self.assertEqual(missing.json()["error"]["errors"][0]["reason"], "required")
        unknown = requests.get(
            url, params={"part": "snippet", "videoId": "x", "colour": "red"}, headers=headers, timeout=5
        )
        self.assertEqual(unknown.json()["error"]["errors"][0]["reason"], "unknownParameter")
        unauthenticated = requests.get(url, params={"part": "snippet", "videoId": "x"}, timeout=5)
        self.assertEqual(unauthenticated.status_code, 401)
