"""The steps an application takes after it is written (P2, P9), in one table: who may
take each (`Action`), the form it asks for, what it calls, and its words. The pages
(views.py) and the API (api.py) both take steps from here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.forms import Form

from civicsocial.registry import forms, services
from civicsocial.registry.models import Application, Person
from civicsocial.registry.permissions import Action


@dataclass(frozen=True)
class Step:
    """One step: the permission it needs, its form, the service it calls with the form's
    cleaned data, the page's title (`{pk}`: the application's number) and button."""

    action: Action
    form: type[Form]
    run: Callable[[Person, Application, dict[str, Any]], Application]
    title: str
    submit: str


STEPS: dict[str, Step] = {
    "decide": Step(Action.DECIDE_APPLICATION, forms.DecisionForm,
                   lambda actor, application, data: services.decide_application(
                       actor, application, data["decision"] == "approve", data["reason"]),
                   "Decide application #{pk}", "Record decision"),
    "signoff": Step(Action.COUNSEL_SIGNOFF, forms.ReasonForm,
                    lambda actor, application, data: services.counsel_signoff(
                        actor, application, data["reason"]),
                    "Counsel sign-off for #{pk} (P9)", "Sign off"),
    "withdraw": Step(Action.APPLY, forms.ReasonForm,
                     lambda actor, application, data: services.withdraw_application(
                         actor, application, data["reason"]),
                     "Withdraw application #{pk}", "Withdraw"),
    "submit": Step(Action.APPLY, Form,
                   lambda actor, application, data: services.submit_application(actor, application),
                   "Submit application #{pk} to ODS", "Submit"),
}
