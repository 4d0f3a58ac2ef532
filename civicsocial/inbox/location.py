"""The place a resident names in a comment ("pothole on 5th Ave near 23rd St"), for a 311
service request (P23) and a possible legal notice (P24).

usaddress (a CRF model shipped with the package) labels the parts of an address, but it
expects an address, not a sentence: given a whole comment it calls the first words a
recipient, and it misreads intersections ("5th Ave and 23rd St" as house number 5th).
So candidate spans are found first (a house number and street, an "X and Y"
intersection, a street ending in a street type) and usaddress reads only the addresses
into their parts, which are joined in the usual order.
"""

from __future__ import annotations

import re

import usaddress

_SUFFIX = (r"(?i:street|st|avenue|ave|av|boulevard|blvd|road|rd|place|pl|parkway|pkwy|drive|dr|"
           r"lane|ln|terrace|ter|court|ct|highway|hwy|expressway|expy|square|sq|plaza|way|"
           r"concourse|turnpike|tpke)\b\.?")
_DIRECTION = r"(?:\b(?i:north|south|east|west|[nsew])\.?\s+)"
# A street name: ordinals (5th, 103rd) and capitalized words, or a single named avenue.
_NAME_WORD = r"\b(?!(?:The|A|An|I|My|Our)\b)(?:\d+(?i:st|nd|rd|th)|[A-Z][A-Za-z'.-]*)"
_STREET = (rf"(?:{_DIRECTION}?{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,2}}\s+{_SUFFIX}"
           rf"|(?i:broadway|the bowery|bowery)\b)")
_ADDRESS = rf"\b\d+(?:-\d+)?\s+(?:{_STREET}|[a-z]+\s+{_SUFFIX})"
_SEPARATOR = r"\s+(?i:and|&|at|@|near|by|/)\s+"
_INTERSECTION = rf"{_STREET}{_SEPARATOR}{_STREET}"
_PATTERN = re.compile(rf"(?P<address>{_ADDRESS})|(?P<intersection>{_INTERSECTION})|"
                      rf"(?P<street>{_STREET})")

_ORDER = ["AddressNumber", "StreetNamePreDirectional", "StreetNamePreType", "StreetName",
          "StreetNamePostType", "StreetNamePostDirectional"]


def _normalize_address(span: str) -> str:
    """A house-number address read by usaddress into its parts, in order (the span as
    it is when usaddress does not read it as a street address)."""
    try:
        parts, kind = usaddress.tag(span)
    except usaddress.RepeatedLabelError:
        return span
    if kind != "Street Address" or not parts.get("AddressNumber"):
        return span
    return " ".join(parts[label] for label in _ORDER if parts.get(label))


def find_location(text: str) -> str:
    """The most specific place named in `text` (an address, an intersection, then a
    street), or "" when it names none."""
    rank = {"address": 0, "intersection": 1, "street": 2}
    found = [(rank[m.lastgroup or "street"], " ".join(m.group(0).split()))
             for m in _PATTERN.finditer(text[:5000])]
    if not found:
        return ""
    kind, span = min(found, key=lambda pair: pair[0])
    if kind == rank["address"]:
        return _normalize_address(span)
    if kind == rank["intersection"]:
        return " & ".join(part.strip() for part in re.split(_SEPARATOR, span, maxsplit=1))
    return span
