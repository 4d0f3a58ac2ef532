"""Page helpers every app's views use: form binding, a form page that calls a service,
agency-scoped lookups, and the date widget. Views stay thin: look up, ask permissions,
validate a form, call a service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from civicsocial.http import AuthedRequest
from civicsocial.registry.permissions import visible_agencies


class DateInput(forms.DateInput):
    """A date field the browser offers a calendar for."""

    input_type = "date"


def posted(request: HttpRequest) -> Any:
    """Form data to bind on a POST (even an empty one), None otherwise."""
    return request.POST if request.method == "POST" else None


def visible_or_404(request: AuthedRequest, queryset: QuerySet[Any], **lookup: Any) -> Any:
    """An object whose agency the person may see; 404 otherwise (no existence leak)."""
    return get_object_or_404(queryset.filter(agency__in=visible_agencies(request.user)), **lookup)


def apply_errors(form: BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form, field by field where it can."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_page(request: AuthedRequest, form: BaseForm, title: str, on_valid: Callable[[], Any],
              done: str, cancel: str, intro: str = "", submit: str = "Save") -> HttpResponse:
    """Render `form`; on a valid POST call `on_valid` and redirect to `done`."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                result = on_valid()
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, f"{title}: done.")
            target = result.get_absolute_url() if result is not None and not done else done
            return redirect(target)
    return render(request, "form.html", {"form": form, "title": title, "cancel": cancel,
                                         "intro": intro, "submit": submit},
                  status=400 if request.method == "POST" else 200)
