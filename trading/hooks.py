"""Points in a project's life where apps that build on trading (lottery, evaluation, recordings) add their part,
inside the same transaction: `register("published", fn)` in their AppConfig.ready. Trading imports none of them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

EVENTS = ("published", "closed", "awarded", "complaint_opened", "legal_hold_released", "status_changed")
_hooks: dict[str, list[Callable[..., Any]]] = defaultdict(list)


def register(event: str, fn: Callable[..., Any]) -> None:
    if event not in EVENTS:
        raise KeyError(f"unknown trading hook {event!r}")
    if fn not in _hooks[event]:
        _hooks[event].append(fn)


def run(event: str, **kwargs: Any) -> None:
    for fn in _hooks[event]:
        fn(**kwargs)
