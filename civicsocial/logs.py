"""Logs an operator can follow (issue 17): every line carries the id of the request or
background task it belongs to, and in production each line is one JSON object.

A request's id comes from its X-Request-ID header (a proxy's, if it is a plain token) or
is made here, and is sent back in the response; a task's id is set by the worker when
the task starts (ops/tasks.py)."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

current_id: ContextVar[str] = ContextVar("current_id", default="")
TOKEN = re.compile(r"[A-Za-z0-9._-]{1,64}")


class ContextFilter(logging.Filter):
    """Adds `request_id` (the request's or task's id, "" outside both) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_id.get()
        return True


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        token = current_id.set(given if TOKEN.fullmatch(given) else uuid.uuid4().hex)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = current_id.get()
            return response
        finally:
            current_id.reset(token)
