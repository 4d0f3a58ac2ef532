"""What narrows an archive search besides its words, defined once: the search page's
form, the API's query parameters and `civicsocial archive search`'s flags are all made
from `FILTERS` (issue 16), and `Filters` is what the search itself takes."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from django import forms

from civicsocial.records.models import ItemKind
from civicsocial.web import DateInput


@dataclass(frozen=True)
class Filters:
    """A search's filters (empty: no filter)."""

    account: str = ""
    platform: str = ""
    author: str = ""
    kind: str = ""
    since: date | None = None
    until: date | None = None
    exclude_deleted: bool = False

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Filters:
        """The filters among `values` (a form's cleaned data, parsed flags, API parameters)."""
        return cls(**{f.name: values[f.name] for f in fields(cls) if values.get(f.name) is not None})


@dataclass(frozen=True)
class Filter:
    """How one filter is asked for: its words, its longest text, its choices."""

    name: str
    label: str
    max_length: int = 0
    choices: tuple[str, ...] = ()


FILTERS = (Filter("account", "Account", 100), Filter("platform", "Platform", 20),
           Filter("author", "Author", 200), Filter("kind", "Kind", choices=tuple(ItemKind.values)),
           Filter("since", "Since"), Filter("until", "Until"),
           Filter("exclude_deleted", "Leave out removed items"))


def _kind_of(name: str) -> type:
    return {"since": date, "until": date, "exclude_deleted": bool}.get(name, str)


def form_fields() -> dict[str, forms.Field]:
    """The search form's fields for the filters."""
    made: dict[str, forms.Field] = {}
    for f in FILTERS:
        kind = _kind_of(f.name)
        if kind is date:
            made[f.name] = forms.DateField(required=False, widget=DateInput, label=f.label)
        elif kind is bool:
            made[f.name] = forms.BooleanField(required=False, label=f.label)
        elif f.choices:
            made[f.name] = forms.ChoiceField(required=False, label=f.label,
                                             choices=[("", "any"), *ItemKind.choices])
        else:
            made[f.name] = forms.CharField(required=False, max_length=f.max_length, label=f.label)
    return made


def api_fields() -> dict[str, tuple[Any, Any]]:
    """The API's query parameters for the filters, as pydantic field definitions."""
    return {f.name: (_kind_of(f.name) | None if _kind_of(f.name) is date else _kind_of(f.name),
                     None if _kind_of(f.name) is date else _kind_of(f.name)())
            for f in FILTERS}


def add_flags(parser: argparse.ArgumentParser, date_argument: Callable[[str], date]) -> None:
    """The command's flags for the filters (--account, ..., --exclude-deleted)."""
    for f in FILTERS:
        flag = "--" + f.name.replace("_", "-")
        kind = _kind_of(f.name)
        if kind is date:
            parser.add_argument(flag, type=date_argument, help=f.label.lower())
        elif kind is bool:
            parser.add_argument(flag, action="store_true", help=f.label.lower())
        else:
            parser.add_argument(flag, default="", choices=["", *f.choices] if f.choices else None,
                                help=f.label.lower())
