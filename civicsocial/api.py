"""The HTTP API: one NinjaAPI, routers from each app, OpenAPI at /api/openapi.json.

Same permissions as the pages (session login, CSRF for writes, the second factor
for privileged roles), or a person's API token (`Authorization: Bearer cs_...`, made on
/tokens/), which acts as its person within the token's scope. Errors come back as
JSON: 400 with field-by-field messages, 403 when the role does not allow it, 404 when
the record is not the caller's to see.
"""

from __future__ import annotations

import logging
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import HttpBearer, django_auth

from civicsocial.policy.api import router as policy_router
from civicsocial.publishing.api import router as publishing_router
from civicsocial.records.api import router as records_router
from civicsocial.records.job_api import router as records_jobs_router
from civicsocial.registry.api import router as registry_router
from civicsocial.security.addresses import client_address
from civicsocial.signin import tokens

log = logging.getLogger(__name__)


class ApiTokenAuth(HttpBearer):
    """A person's API token, within its scope (issue 18); wrong tokens are throttled per
    address."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        address = client_address(request)
        if tokens.throttled(address):
            raise HttpError(429, "Too many wrong tokens from this address; wait ten minutes.")
        found = tokens.authenticate(token)
        if found is None:
            tokens.note_failure(address)
            return None
        person = found.person
        person.token_scope = tokens.scope_of(found)  # every permission check narrows to it
        request.user = person
        return person


api = NinjaAPI(
    title="Civic Social API",
    version="1",
    description="Registry, applications, compliance report, archive, FOIL and publishing of a "
    "city's official social media. Rules are cited by P-id (see POLICY_MAP.md).",
    auth=[django_auth, ApiTokenAuth()],
    docs_decorator=login_required,  # the API's description is for the city's staff
)
api.add_router("/", registry_router)
api.add_router("/", policy_router)
api.add_router("/", records_router)
api.add_router("/", records_jobs_router)
api.add_router("/", publishing_router)


def error_messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {field: [m for e in errors for m in e.messages]
                for field, errors in error.error_dict.items()}
    return {"__all__": list(error.messages)}


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"errors": error_messages(exc)}, status=400)


@api.exception_handler(OverflowError)
def out_of_range(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    """A number too large for the database (an id of 30 digits): the caller's mistake, a 400,
    whichever operation it reached."""
    return api.create_response(request, {"errors": {"__all__": ["A number in the request is out of "
                                                                "range."]}}, status=400)


@api.exception_handler(PermissionDenied)
def permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "Not allowed."}, status=403)


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    """A body over DATA_UPLOAD_MAX_MEMORY_SIZE is refused before anything reads it."""
    return api.create_response(request, {"detail": "Request body too large."}, status=413)


@api.exception_handler(Exception)
def unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    """Whatever else goes wrong answers in JSON too, never an HTML page or a traceback."""
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "Internal error; it has been logged."},
                               status=500)
