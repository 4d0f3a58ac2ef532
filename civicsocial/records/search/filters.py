"""What narrows an archive search besides its words, defined once: `Filters`'s fields
(their types, defaults and words) make the search page's form fields, the API's query
parameters and `civicsocial archive search`'s flags (issue 16), and `Filters` is what
the search itself takes."""

from __future__ import annotations

import argparse
import dataclasses
import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django import forms

from civicsocial.records.models import ItemKind
from civicsocial.web import DateInput


@dataclass(frozen=True)
class Filters:
    """A search's filters (empty: no filter)."""

    account: str = field(default="", metadata={"label": "Account", "max_length": 100})
    platform: str = field(default="", metadata={"label": "Platform", "max_length": 20})
    author: str = field(default="", metadata={"label": "Author", "max_length": 200})
    kind: str = field(default="", metadata={"label": "Kind", "choices": ItemKind.choices})
    since: date | None = field(default=None, metadata={"label": "Since"})
    until: date | None = field(default=None, metadata={"label": "Until"})
    exclude_deleted: bool = field(default=False, metadata={"label": "Leave out removed items"})

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> Filters:
        """The filters among `values` (a form's cleaned data, parsed flags, API parameters)."""
        return cls(**{f.name: values[f.name] for f in dataclasses.fields(cls)
                      if values.get(f.name) is not None})


def _filters() -> Iterator[tuple[dataclasses.Field[Any], Any]]:
    """Each filter's field, with its type (date | None, bool or str)."""
    types = typing.get_type_hints(Filters)
    for f in dataclasses.fields(Filters):
        yield f, types[f.name]


def form_fields() -> dict[str, forms.Field]:
    """The search form's fields for the filters."""
    made: dict[str, forms.Field] = {}
    for f, kind in _filters():
        label = f.metadata["label"]
        if kind == date | None:
            made[f.name] = forms.DateField(required=False, widget=DateInput, label=label)
        elif kind is bool:
            made[f.name] = forms.BooleanField(required=False, label=label)
        elif "choices" in f.metadata:
            made[f.name] = forms.ChoiceField(required=False, label=label,
                                             choices=[("", "any"), *f.metadata["choices"]])
        else:
            made[f.name] = forms.CharField(required=False, max_length=f.metadata["max_length"],
                                           label=label)
    return made


def api_fields() -> dict[str, tuple[Any, Any]]:
    """The API's query parameters for the filters, as pydantic field definitions."""
    return {f.name: (kind, f.default) for f, kind in _filters()}


def add_flags(parser: argparse.ArgumentParser, date_argument: Callable[[str], date]) -> None:
    """The command's flags for the filters (--account, ..., --exclude-deleted)."""
    for f, kind in _filters():
        flag, words = "--" + f.name.replace("_", "-"), f.metadata["label"].lower()
        if kind == date | None:
            parser.add_argument(flag, type=date_argument, help=words)
        elif kind is bool:
            parser.add_argument(flag, action="store_true", help=words)
        else:
            choices = [""] + [value for value, _ in f.metadata["choices"]] \
                if "choices" in f.metadata else None
            parser.add_argument(flag, default="", choices=choices, help=words)
