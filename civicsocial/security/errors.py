"""Error reports never show a secret (P13, issue 18). Django's report (the debug page in
development, the administrators' e-mail in production) lists every frame's variables and
the request's form; its own filter hides only functions marked `sensitive_variables` and
only when DEBUG is off. This one is on in development too, and stars any variable whose
name says it holds a secret (password, token, key, secret, ...) in every frame and in
every posted form."""

from __future__ import annotations

from collections.abc import ItemsView
from types import FrameType
from typing import Any

from django.http import HttpRequest
from django.views.debug import SafeExceptionReporterFilter


class SecretHidingFilter(SafeExceptionReporterFilter):
    def is_active(self, request: HttpRequest | None) -> bool:
        return True

    def get_post_parameters(self, request: HttpRequest | None) -> Any:
        """The posted form, with any field whose name says it holds a secret starred (a
        view that forgot `sensitive_post_parameters` included)."""
        parameters = super().get_post_parameters(request)
        if request is None or not any(self.hidden_settings.search(name) for name in parameters):
            return parameters
        cleansed = parameters.copy()
        for name in cleansed:
            if self.hidden_settings.search(name):
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request: HttpRequest | None,
                                      tb_frame: FrameType) -> ItemsView[str, Any]:
        return {name: self.cleansed_substitute if self.hidden_settings.search(name) else value
                for name, value in super().get_traceback_frame_variables(request, tb_frame)}.items()
