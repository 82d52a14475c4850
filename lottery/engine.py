"""The draw engine: pure functions, standard library only (DESIGN §3, "The draw protocol").

`fps-draw-v1`: a 32-byte server secret committed at publication, the frozen candidate list's digest, the
supervisors' sealed public inputs; seed = SHA-256 over the canonical JSON of all of them; ranking by
HMAC-SHA256(seed, identifier). `rfc3797`: IETF RFC 3797 selection from public numeric sources, no secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

FPS = "fps-draw-v1"
RFC3797 = "rfc3797"
INPUT_MAX_LENGTH = 64
RFC3797_MAX_PICKS = 65535


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def commitment(secret: bytes) -> str:
    if len(secret) != 32:
        raise ValueError("the secret must be 32 bytes")
    return hashlib.sha256(secret).hexdigest()


def _check_identifiers(identifiers: Iterable[str]) -> list[str]:
    ids = list(identifiers)
    if not ids:
        raise ValueError("the candidate list is empty")
    for identifier in ids:
        if not isinstance(identifier, str) or not identifier or "\n" in identifier:
            raise ValueError(f"not a valid candidate identifier: {identifier!r}")
    if len(set(ids)) != len(ids):
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        raise ValueError(f"duplicate candidate identifiers: {', '.join(duplicates[:5])}")
    return sorted(ids)


def candidates_digest(identifiers: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(_check_identifiers(identifiers)).encode("utf-8")).hexdigest()


def input_commitment(nonce: str, value: str) -> str:
    """What a supervisor's browser sends first: SHA-256 of the UTF-8 of nonce + value, lower-case hex."""
    return hashlib.sha256((nonce + value).encode("utf-8")).hexdigest()


def check_input_value(value: Any, *, max_length: int = INPUT_MAX_LENGTH) -> str:
    if not isinstance(value, str):
        raise ValueError("a public input value must be a string")
    if len(value) > max_length:
        raise ValueError(f"a public input value is at most {max_length} characters (got {len(value)})")
    return value


def _public_inputs(inputs: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    clean = []
    for item in inputs:
        source, value = item.get("source"), item.get("value")
        if not isinstance(source, str) or not isinstance(value, str):
            raise ValueError("each public input is {source, value}, both strings")
        clean.append({"source": source, "value": value})
    return clean


def compute_seed(*, project: str, commitment: str, candidates_digest: str,
                 public_inputs: Sequence[dict[str, str]], secret_hex: str) -> str:
    document = {
        "candidates_digest": candidates_digest, "commitment": commitment, "project": project, "protocol": FPS,
        "public_inputs": _public_inputs(public_inputs), "secret": secret_hex,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def rank(seed_hex: str, identifiers: Iterable[str]) -> list[str]:
    """All candidates ordered by (HMAC-SHA256(seed bytes, identifier) hex, identifier)."""
    key = bytes.fromhex(seed_hex)
    if len(key) != 32:
        raise ValueError("the seed must be 32 bytes of hex")
    digest = hmac.digest
    keyed = [(digest(key, i.encode("utf-8"), "sha256"), i) for i in identifiers]
    keyed.sort()  # raw bytes order equals the order of their lower-case hex
    return [identifier for _, identifier in keyed]


def build_proof(*, project: str, secret: bytes, candidates: Iterable[str], public_inputs: Sequence[dict[str, str]],
                selected: int = 1, input_commitments: Sequence[dict[str, str]] | None = None,
                metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    ids = _check_identifiers(candidates)
    if not 1 <= selected <= len(ids):
        raise ValueError(f"selected must be between 1 and {len(ids)}")
    inputs = _public_inputs(public_inputs)
    for item in inputs:
        check_input_value(item["value"])
    commit, digest = commitment(secret), candidates_digest(ids)
    seed = compute_seed(project=project, commitment=commit, candidates_digest=digest, public_inputs=inputs,
                        secret_hex=secret.hex())
    proof: dict[str, Any] = {
        "protocol": FPS, "project": project, "commitment": commit, "candidates": ids, "candidates_digest": digest,
        "public_inputs": inputs, "secret": secret.hex(), "seed": seed, "ranking": rank(seed, ids),
        "selected": selected,
    }
    if input_commitments is not None:
        if len(input_commitments) != len(inputs):
            raise ValueError("one input commitment per public input, in the same order")
        proof["input_commitments"] = [dict(c) for c in input_commitments]
    if metadata:
        proof["metadata"] = metadata
    return proof


# --- RFC 3797 -------------------------------------------------------------------------------------------------

def _rfc_number(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("a source value must be a non-negative number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite() or number < 0:
        raise ValueError(f"a source value must be a non-negative number: {value!r}")
    if number == number.to_integral_value():
        return f"{int(number)}."
    text = f"{number:f}".rstrip("0")
    integer, fraction = text.split(".")
    return f"{int(integer)}.{fraction}"


def rfc3797_key(sources: Sequence[Sequence[Any]]) -> str:
    """Each source's values sorted ascending, each written as decimal followed by '.', each source ended by '/'."""
    if not sources:
        raise ValueError("at least one source is needed")
    parts = []
    for source in sources:
        values = sorted(((Decimal(str(v)) if not isinstance(v, bool) else v), v) for v in source)
        parts.append("".join(_rfc_number(original) for _, original in values) + "/")
    return "".join(parts)


def rfc3797_select(pool: Sequence[str], sources: Sequence[Sequence[Any]], k: int) -> list[str]:
    entries = list(pool)
    if len(set(entries)) != len(entries) or not entries:
        raise ValueError("the pool must be non-empty without duplicates")
    if not 1 <= k <= min(len(entries), RFC3797_MAX_PICKS):
        raise ValueError(f"k must be between 1 and {min(len(entries), RFC3797_MAX_PICKS)}")
    key = rfc3797_key(sources).encode("ascii")
    remaining, picks = list(entries), []
    for i in range(k):
        counter = i.to_bytes(2, "big")
        value = int.from_bytes(hashlib.md5(counter + key + counter).digest(), "big")  # noqa: S324 - RFC 3797
        picks.append(remaining.pop(value % len(remaining)))
    return picks


def build_rfc3797_proof(*, project: str, pool: Sequence[str], sources: Sequence[Sequence[Any]], k: int,
                        metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    proof: dict[str, Any] = {
        "protocol": RFC3797, "project": project, "candidates": list(pool),
        "sources": [list(s) for s in sources], "key": rfc3797_key(sources), "selected": k,
        "ranking": rfc3797_select(pool, sources, k),
    }
    if metadata:
        proof["metadata"] = metadata
    return proof
