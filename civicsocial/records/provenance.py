"""Where an official post came from (issue 19), as the apps above the archive know it:
publishing says which draft produced it, who drafted and approved it and which content
hash they approved. The archive shows it on the item's page and writes it into FOIL
productions, without knowing publishing (issue 16: data flows one way): a provider
registers here in its app's `ready()`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Provider = Callable[[list[int]], dict[int, dict[str, Any]]]
_providers: list[Provider] = []


def provides(provider: Provider) -> Provider:
    """Register `provider` (archived item ids -> {item id: its record}), once."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def provenance_of(item_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Every provider's record for each of these items that has one."""
    found: dict[int, dict[str, Any]] = {}
    for provider in _providers:
        for item_id, record in provider(item_ids).items():
            found.setdefault(item_id, {}).update(record)
    return found
