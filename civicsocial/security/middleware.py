"""Request guards run before any view.

Text with a NUL character is refused with 400: PostgreSQL cannot store or compare it
(a search for it was a 500 there, and fine on SQLite), and no person means it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse, QueryDict

NUL = "\x00"
NUL_MESSAGE = "Text may not contain NUL characters (\\x00)"


def _nul_fields(value: Any, name: str = "") -> list[str]:
    """The names (dotted, for nested JSON) of the JSON fields whose text holds a NUL."""
    if isinstance(value, str):
        return [name or "text"] if NUL in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            label = f"{name}.{key}" if name else str(key)
            found += [label] if NUL in str(key) else _nul_fields(item, label)
        return found
    if isinstance(value, list):
        return [f for n, item in enumerate(value) for f in _nul_fields(item, f"{name}[{n}]")]
    return []


def _form_fields_with_nul(data: QueryDict) -> list[str]:
    """The names of the query or form fields (any of their values) that hold a NUL."""
    return [key for key, values in data.lists() if NUL in key or any(NUL in v for v in values)]


class RejectNulCharactersMiddleware:
    """400 for a query string, form field or JSON body with a NUL character, naming the
    fields, on every database alike. Uploaded files (multipart) may hold any bytes; a
    body too large to read is left to the view, which answers it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        fields = self._fields_with_nul(request)
        if fields:
            message = f"{NUL_MESSAGE}: {', '.join(fields)[:300]}."
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)

    @staticmethod
    def _fields_with_nul(request: HttpRequest) -> list[str]:
        found = _form_fields_with_nul(request.GET)
        if request.content_type == "application/x-www-form-urlencoded":
            found += _form_fields_with_nul(request.POST)
        elif (request.content_type == "application/json"
              and 0 < int(request.META.get("CONTENT_LENGTH") or 0)
              <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE):
            body = request.body
            if b"\x00" in body or b"\\u0000" in body:
                try:
                    found += _nul_fields(json.loads(body))
                except (ValueError, UnicodeDecodeError):
                    found += ["body"] if b"\x00" in body else []
        return found
