"""Measuring triage against a labelled file (`make eval`): per-label precision, recall
and F1, and which comments that are only complaints (protected speech) were given a
deletion ground.

Figures on the comments the rules and the model were tuned on are memory, not skill. Two
ways out: `split_by_account` holds back whole accounts (every second one by size), so
the figures are on agencies and topics the tuning never saw; `folds` cross-validates the
model alone."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from civicsocial.inbox.triage import DELETION_GROUNDS, LABELS, Triage, comment_of, triage_many
from civicsocial.inbox.triage.model import TriageModel, train


@dataclass(frozen=True)
class LabelScore:
    label: str
    support: int
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class GivenGround:
    """A comment that is only a complaint, and the deletion ground triage gave it."""

    id: str
    text: str
    reasons: dict[str, str]


@dataclass(frozen=True)
class Evaluation:
    comments: int
    scores: list[LabelScore]
    complaints_only: int  # comments labelled complaint and nothing else
    complaints_given_a_ground: list[GivenGround]  # must stay empty (P22)
    grounds_missed: dict[str, list[str]]  # deletion ground -> ids where triage said complaint only


def read_lines(path: Path) -> list[dict[str, Any]]:
    """A triage file's lines (JSON objects), with a clear error for a bad one."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"line {number}: not JSON ({error.msg})") from None
        if not isinstance(row, dict) or not isinstance(row.get("text", ""), str):
            raise ValueError(f"line {number}: expected an object with a text")
        rows.append(row)
    return rows


def _ratio(a: float, b: float) -> float:
    return a / b if b else 0.0


def split_by_account(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows of every first account and of every second one, accounts ranked by their
    number of comments (then name): a tuning part and a held-back part about as large,
    with no agency, topic or post in both."""
    sizes = Counter(str(row.get("account", "")) for row in rows)
    ranked = sorted(sizes, key=lambda account: (-sizes[account], account))
    held = set(ranked[1::2])
    return ([r for r in rows if str(r.get("account", "")) not in held],
            [r for r in rows if str(r.get("account", "")) in held])


def _triaged(rows: list[dict[str, Any]], folds: int, model: TriageModel | None) -> list[Triage]:
    """Triage of every row; with folds, each row by a model trained without its fold."""
    comments = [comment_of(row) for row in rows]
    if folds < 2:
        return triage_many(comments, model)
    found: list[Triage | None] = [None] * len(rows)
    for fold in range(folds):
        inside = [n for n in range(len(rows)) if n % folds == fold]
        model = train(r for n, r in enumerate(rows) if n % folds != fold)
        for n, result in zip(inside, triage_many([comments[n] for n in inside], model), strict=True):
            found[n] = result
    return [f for f in found if f is not None]


def evaluate(rows: Iterable[dict[str, Any]], folds: int = 0,
             model: TriageModel | None = None) -> Evaluation:
    """Compare triage with the labels each row carries. With `folds`, the model part is
    cross-validated (trained without the fold it labels): use it on the model's own
    training file, whose figures would otherwise be memory, not skill. With `model`, that
    model (trained on other rows) instead of the shipped one."""
    rows = list(rows)
    counts = {label: [0, 0, 0] for label in LABELS}  # true positive, false positive, false negative
    given_ground: list[GivenGround] = []
    missed: dict[str, list[str]] = {g: [] for g in DELETION_GROUNDS}
    complaints_only = 0
    for row, result in zip(rows, _triaged(rows, folds, model), strict=True):
        truth = set(row.get("labels", []))
        found = set(result.labels)
        for label in LABELS:
            counts[label][0] += label in truth and label in found
            counts[label][1] += label not in truth and label in found
            counts[label][2] += label in truth and label not in found
        if truth == {"complaint"}:
            complaints_only += 1
            if found & set(DELETION_GROUNDS):
                given_ground.append(GivenGround(str(row.get("id")), str(row.get("text", "")),
                                                result.reasons))
        for ground in truth & set(DELETION_GROUNDS):
            if ground not in found and "complaint" in found:
                missed[ground].append(str(row.get("id")))
    scores = []
    for label, (tp, fp, fn) in counts.items():
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        scores.append(LabelScore(label, tp + fn, precision, recall,
                                 _ratio(2 * precision * recall, precision + recall)))
    return Evaluation(len(rows), scores, complaints_only, given_ground,
                      {g: ids for g, ids in missed.items() if ids})
