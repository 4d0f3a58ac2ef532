"""P13: wrong passwords and wrong API tokens are throttled per client address. Behind the
city's reverse proxies (CIVICSOCIAL_TRUSTED_PROXIES) the address is the client's as the
nearest proxy saw it, so one resident's guessing neither locks out everyone behind the
same proxy nor escapes the throttle by writing its own X-Forwarded-For."""

from __future__ import annotations

from django.core.cache import cache
from django.test import Client, RequestFactory, override_settings

from civicsocial.registry.models import Role
from civicsocial.registry.roles import grant_role
from civicsocial.security.addresses import client_address
from civicsocial.signin import tokens
from civicsocial.signin.tests.test_login import STRONG
from civicsocial.testing import BaseTestCase, make_person

PROXY = "10.0.0.5"


def through_proxy(client_ip: str, spoofed: str = "") -> dict[str, str]:
    """What the proxy passes on: the client's own header (if any), then the address it saw."""
    forwarded = f"{spoofed}, {client_ip}" if spoofed else client_ip
    return {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": forwarded}


class ClientAddressTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        cache.clear()

    def test_it_believes_only_the_address_the_trusted_proxy_saw(self):
        request = RequestFactory().get("/", **through_proxy("203.0.113.7", spoofed="198.51.100.1"))
        self.assertEqual(client_address(request), PROXY)  # no trusted proxy: the header is the client's
        with override_settings(TRUSTED_PROXIES=1):
            self.assertEqual(client_address(request), "203.0.113.7")
            self.assertEqual(client_address(RequestFactory().get("/", REMOTE_ADDR=PROXY)), PROXY)
        with override_settings(TRUSTED_PROXIES=2):  # a load balancer in front of the proxy
            self.assertEqual(client_address(request), "198.51.100.1")

    @override_settings(TRUSTED_PROXIES=1)
    def test_it_throttles_wrong_tokens_per_client_behind_the_proxy(self):
        guesser, resident = Client(**through_proxy("203.0.113.7")), Client(**through_proxy("203.0.113.8"))
        for n in range(tokens.FAILURES_ALLOWED):  # a new spoofed header each time changes nothing
            spoofing = Client(**through_proxy("203.0.113.7", spoofed=f"192.0.2.{n}"))
            self.assertEqual(
                spoofing.get("/api/accounts", HTTP_AUTHORIZATION="Bearer cs_" + "x" * 40).status_code, 401
            )
        self.assertEqual(
            guesser.get("/api/accounts", HTTP_AUTHORIZATION="Bearer cs_" + "y" * 40).status_code, 429
        )
        self.assertEqual(
            resident.get("/api/accounts", HTTP_AUTHORIZATION="Bearer cs_" + "y" * 40).status_code, 401
        )

    @override_settings(TRUSTED_PROXIES=1)
    def test_it_locks_out_the_guessing_client_and_not_the_person_elsewhere(self):
        person = make_person("target", password=STRONG)
        grant_role(self.ods, person, self.alpha, Role.VIEWER)
        guesser = Client(**through_proxy("203.0.113.7"))
        for _ in range(5):
            response = guesser.post("/login/", {"username": "target", "password": "wrong"})
        self.assertEqual(response.status_code, 429)
        at_work = Client(**through_proxy("203.0.113.99")).post(
            "/login/", {"username": "target", "password": STRONG}
        )
        self.assertEqual(at_work.status_code, 302)  # the same proxy, another client: not locked out
