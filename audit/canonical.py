"""Canonical serialisation of ledger entries and historical rows, shared by writing and verifying.

The same value must serialise the same whether it comes from a model instance being saved or from a row read
back by `audit_verify`, on SQLite and on PostgreSQL: so every value is normalised by its field type."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from decimal import Decimal
from typing import Any

_UTC = dt.UTC


_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def format_time(value: dt.datetime) -> int:
    """An aware time as integer microseconds since the epoch: exact, zone-free and cheap to recompute."""
    return (value - _EPOCH) // _MICROSECOND


def normalise(value: Any, decimal_places: int | None = None) -> Any:
    """A JSON-safe, type-stable form of one field value."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        if decimal_places is not None:
            value = value.quantize(Decimal(1).scaleb(-decimal_places))
        return f"{value.copy_abs() if value.is_zero() else value:f}"  # no database keeps the sign of a zero
    if isinstance(value, dt.datetime):
        return format_time(value) if value.tzinfo else value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return str(value)


_EXPONENT_FROM = 1e16  # Python writes floats from here on as 1e+16, which jsonb reads back as an integer


def as_stored(value: Any) -> Any:
    """JSON as PostgreSQL's jsonb gives it back, so that a digest over it holds after the round trip: jsonb keeps
    numbers as exact decimals, so a float Python writes with an exponent comes back an integer, and -0.0 comes
    back 0.0 (tuples come back lists on every database)."""
    if isinstance(value, float):
        if value == 0:
            return 0.0
        return int(value) if abs(value) >= _EXPONENT_FROM and value.is_integer() else value
    if isinstance(value, dict):
        return {key: as_stored(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [as_stored(item) for item in value]
    return value


def sha256_json(payload: Any) -> str:
    return hashlib.sha256(_encode_sorted(payload).encode("utf-8")).hexdigest()


ENTRY_FIELDS = (
    "seq", "at", "actor_id", "actor", "role", "ip", "action", "object_type", "object_id",
    "history_model", "history_id", "project", "reason", "digest",
)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_encode_sorted = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode
PLAIN_TYPES = frozenset({str, int, type(None)})


def encode(payload: Any) -> str:
    """Compact JSON, keys in insertion order (callers build dicts in sorted order)."""
    return _encode(payload)


def entry_bytes(values: tuple[Any, ...]) -> bytes:
    """An entry as its Merkle leaf holds it: every field in ENTRY_FIELDS order (time already formatted) as a
    compact JSON array (audit/logverify.py repeats this for the offline verifier)."""
    return _encode(values).encode("utf-8")


def entry_hash(values: tuple[Any, ...]) -> str:
    """The entry's RFC 9162 leaf hash: SHA-256(0x00 || entry bytes)."""
    return hashlib.sha256(b"\x00" + _encode(values).encode("utf-8")).hexdigest()
