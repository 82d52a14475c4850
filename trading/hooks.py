"""Points in a project's life where apps that build on trading (lottery, evaluation, recordings) add their part,
inside the same transaction: `register("published", fn)` in their AppConfig.ready. Trading imports none of them.
A question (`ask`) is answered the same way: True when any registered app says so."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

EVENTS = ("published", "closed", "awarded", "complaint_opened", "legal_hold_released", "status_changed")
# is_party(project=, organisation_id=): is the organisation a party to the project in that app (a bidder, say)?
QUESTIONS = ("is_party",)
_hooks: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def register(event: str, fn: Callable[..., Any]) -> None:
    if event not in EVENTS + QUESTIONS:
        raise KeyError(f"unknown trading hook {event!r}")
    if fn not in _hooks[event]:
        _hooks[event].append(fn)


def run(event: str, **kwargs: Any) -> None:
    for fn in _hooks[event]:
        fn(**kwargs)


def ask(question: str, **kwargs: Any) -> bool:
    if question not in QUESTIONS:
        raise KeyError(f"unknown trading question {question!r}")
    return any(fn(**kwargs) for fn in _hooks[question])
