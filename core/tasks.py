"""The one entry point for background work: `enqueue(fn, *args)`. On the embedded default the work runs in this
process once the current transaction commits (at once outside one), so a rolled-back change never publishes or
notifies anything; a queue with workers can take the same calls when one machine is not enough."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.db import transaction


def enqueue(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Run `fn(*args, **kwargs)` after the current transaction commits. Slow I/O (object storage, PDFs, mail)
    belongs here, never inside the locked transaction that caused it."""
    transaction.on_commit(functools.partial(fn, *args, **kwargs))
