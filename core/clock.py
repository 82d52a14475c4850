"""One clock for the whole platform, so tests can move it (`clock.frozen(at)` / `clock.travel(delta)`)."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

_offset = dt.timedelta(0)
_fixed: dt.datetime | None = None


def now() -> dt.datetime:
    return _fixed if _fixed is not None else timezone.now() + _offset


@contextlib.contextmanager
def travel(delta: dt.timedelta) -> Iterator[None]:
    """Move the application's clock (not the database's) forward or back for the block."""
    global _offset
    previous, _offset = _offset, _offset + delta
    try:
        yield
    finally:
        _offset = previous
