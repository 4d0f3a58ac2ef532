"""The operator's endpoints: /healthz, /readyz, /metrics (see health.py)."""

from __future__ import annotations

import hmac
import os

from django.http import HttpRequest, HttpResponse, JsonResponse

from civicsocial.ops.health import metrics_text, readiness

LOOPBACK = {"127.0.0.1", "::1"}


def healthz(request: HttpRequest) -> HttpResponse:
    """Alive: answers without touching the database (a load balancer asks often)."""
    return HttpResponse("ok", content_type="text/plain")


def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for traffic: 200 when the database and the queue answer, else 503 and why."""
    parts = readiness()
    return JsonResponse(parts, status=200 if all(v == "ok" for v in parts.values()) else 503)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for the scraper holding CIVICSOCIAL_METRICS_TOKEN (as a bearer
    token), or from this machine only when no token is set: they name the accounts."""
    token = os.environ.get("CIVICSOCIAL_METRICS_TOKEN", "")
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    allowed = hmac.compare_digest(given, token) if token else request.META.get("REMOTE_ADDR") in LOOPBACK
    if not allowed:
        return HttpResponse("Metrics need the scraper's token (CIVICSOCIAL_METRICS_TOKEN).",
                            status=403, content_type="text/plain")
    return HttpResponse(metrics_text(), content_type="text/plain; version=0.0.4; charset=utf-8")
