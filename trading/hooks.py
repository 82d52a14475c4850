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
# next_in_line(project=, actor=, lapsed=): the winner let its contract offer lapse; the app that ranked the project's
# winners marks its next candidate and answers (organisation, amount), or () when none is left; None: not its project
ANSWERS = ("next_in_line",)
_hooks: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def register(event: str, fn: Callable[..., Any]) -> None:
    if event not in EVENTS + QUESTIONS + ANSWERS:
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


def answer(question: str, **kwargs: Any) -> Any:
    """The first answer that is not None, or None when no registered app answers."""
    if question not in ANSWERS:
        raise KeyError(f"unknown trading question {question!r}")
    for fn in _hooks[question]:
        if (found := fn(**kwargs)) is not None:
            return found
    return None
