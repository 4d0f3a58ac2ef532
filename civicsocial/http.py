"""Request types for views behind `login_required`, where `user` is a Person."""

from __future__ import annotations

from django.http import HttpRequest

from civicsocial.registry.models import Person


class AuthedRequest(HttpRequest):
    user: Person
