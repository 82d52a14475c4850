"""The draw engine: pure functions, standard library only.

`fps-draw-v1`: a 32-byte server secret committed at publication, the frozen candidate list's digest, the
supervisors' sealed public inputs; seed = SHA-256 over the canonical JSON of all of them; ranking by
HMAC-SHA256(seed, identifier). `rfc3797`: IETF RFC 3797 selection from public numeric sources, no secret.

Proof formats (outside the seed, so the ranking of a given draw is the same in both): format 1, the document
published before record digests; format 2 (`proof_format: 2`, what the platform builds now) adds `record_digest`,
the SHA-256 of the canonical JSON of every field the seed does not cover (`input_commitments`, `metadata`,
`proof_format`, `selected`), fixes each nonce to 32 lower-case hex characters so that a seal opens as one value
only, and fixes `selected` by the kind of draw in the metadata (a fixed-price draw takes the winner; an expert
panel its size).

`lottery/verify.py` re-implements the checking side on its own, on purpose (it is downloaded alone).
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import Decimal
from operator import itemgetter
from typing import Any

FPS = "fps-draw-v1"
RFC3797 = "rfc3797"
INPUT_MAX_LENGTH = 64
PROOF_FORMAT = 2  # the proof document the platform builds; 1 is the format published before record digests
NONCE_LENGTH = 32  # hex characters (16 random bytes): a fixed length makes the nonce + value split unambiguous
KIND_FIXED_PRICE, KIND_EXPERT_PANEL = "fixed-price", "expert-panel"
RFC3797_MAX_PICKS = 65535  # the pick counter is two bytes (RFC 3797 §4)
_HEX64 = re.compile(r"[0-9a-f]{64}")
_NONCE = re.compile(f"[0-9a-f]{{{NONCE_LENGTH}}}")
_IPAD, _OPAD = bytes(x ^ 0x36 for x in range(256)), bytes(x ^ 0x5C for x in range(256))  # RFC 2104 pads


def new_secret() -> bytes:
    return secrets.token_bytes(32)


def commitment(secret: bytes) -> str:
    """SHA-256 of the 32 raw secret bytes, lower-case hex: published when the project is published."""
    if not isinstance(secret, bytes) or len(secret) != 32:
        raise ValueError("the secret must be 32 bytes")
    return hashlib.sha256(secret).hexdigest()


def _identifiers(identifiers: Iterable[str], *, sort: bool) -> tuple[list[str], bytes]:
    """The identifiers checked (and sorted if asked), with the UTF-8 of them joined by line breaks."""
    ids = list(identifiers)
    if not ids:
        raise ValueError("the candidate list is empty")
    try:
        if sort:
            ids.sort()
        text = "\n".join(ids)
    except TypeError:
        bad = next(i for i in ids if not isinstance(i, str))
        raise ValueError(f"a candidate identifier must be a string, not {bad!r}") from None
    if not all(ids) or text.count("\n") != len(ids) - 1:
        bad = next(i for i in ids if not i or "\n" in i)
        raise ValueError(f"not a valid candidate identifier (a non-empty string without a line break): {bad!r}")
    if len(set(ids)) != len(ids):
        duplicates = sorted(i for i, n in Counter(ids).items() if n > 1)
        raise ValueError(f"duplicate candidate identifiers: {', '.join(duplicates[:5])}")
    return ids, text.encode("utf-8")


def candidates_digest(identifiers: Iterable[str]) -> str:
    """SHA-256 of the UTF-8 of the sorted identifiers joined by a line break (published at the deadline)."""
    return hashlib.sha256(_identifiers(identifiers, sort=True)[1]).hexdigest()


def input_commitment(nonce: str, value: str) -> str:
    """What a supervisor's browser sends first: SHA-256 of the UTF-8 of nonce + value, lower-case hex."""
    if not isinstance(nonce, str) or not isinstance(value, str):
        raise ValueError("the nonce and the value must be strings")
    return hashlib.sha256((nonce + value).encode("utf-8")).hexdigest()


def check_nonce(nonce: Any) -> str:
    """A supervisor's nonce is exactly 32 lower-case hex characters. With a nonce of free length, a seal of
    nonce + "424242" would also open as value "24242" with nonce + "4": the fixed length rules that out."""
    if not isinstance(nonce, str) or not _NONCE.fullmatch(nonce):
        raise ValueError(f"a nonce is exactly {NONCE_LENGTH} lower-case hex characters (16 random bytes)")
    return nonce


def check_input_value(value: Any, *, max_length: int = INPUT_MAX_LENGTH) -> str:
    """Inputs are hashed exactly as entered, never normalised: only the type and the length are checked."""
    if not isinstance(value, str):
        raise ValueError(f"a public input value must be a string, not {type(value).__name__}")
    if len(value) > max_length:
        raise ValueError(f"a public input value is at most {max_length} characters (got {len(value)})")
    return value


def _public_inputs(inputs: Sequence[dict[str, str]]) -> list[dict[str, str]]:
    clean = []
    for n, item in enumerate(inputs, start=1):
        if not isinstance(item, dict):
            raise ValueError(f"public input {n} must be {{source, value}}")
        source, value = item.get("source"), item.get("value")
        if not isinstance(source, str) or not source or not isinstance(value, str):
            raise ValueError(f"public input {n} must be {{source, value}}: a non-empty source and a string value")
        clean.append({"source": source, "value": value})
    return clean


def compute_seed(*, project: str, commitment: str, candidates_digest: str,
                 public_inputs: Sequence[dict[str, str]], secret_hex: str) -> str:
    """Step 4 of fps-draw-v1: SHA-256 of the canonical JSON (sorted keys, no spaces, no ASCII escaping)."""
    for name, value in (("commitment", commitment), ("candidates_digest", candidates_digest),
                        ("secret", secret_hex)):
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            raise ValueError(f"{name} must be 64 lower-case hex characters")
    if not isinstance(project, str) or not project:
        raise ValueError("the project code must be a non-empty string")
    document = {
        "candidates_digest": candidates_digest, "commitment": commitment, "project": project, "protocol": FPS,
        "public_inputs": _public_inputs(public_inputs), "secret": secret_hex,
    }
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def hmac_sha256_many(key: bytes, messages: Iterable[bytes]) -> list[bytes]:
    """HMAC-SHA256 (RFC 2104) of many messages under one key of at most 64 bytes.

    The padded inner and outer states are hashed once and copied per message: about 3x faster than
    `hmac.digest`, which sets OpenSSL's HMAC up again on every call (measured in bench/draw.py). A plain loop
    beats running the calls through map(), which keeps every hash object alive at once. The tests compare
    the result with the `hmac` module."""
    if len(key) > 64:
        raise ValueError("keys longer than the SHA-256 block are not used here")
    block = key.ljust(64, b"\0")
    inner_copy = hashlib.sha256(block.translate(_IPAD)).copy
    outer_copy = hashlib.sha256(block.translate(_OPAD)).copy
    macs = []
    for message in messages:
        inner = inner_copy()
        inner.update(message)
        outer = outer_copy()
        outer.update(inner.digest())
        macs.append(outer.digest())
    return macs


def _ranked(seed_hex: str, ids: list[str], messages: list[bytes], *, ids_sorted: bool) -> list[str]:
    """`ids`: checked unique identifiers; `messages`: their UTF-8. Positions are sorted by HMAC (32-byte digests
    sort as their lower-case hex does), which avoids comparing (HMAC, identifier) tuples: the sort is stable, so
    if `ids` is sorted, equal HMACs already keep identifier order; otherwise equal HMACs take the slow path."""
    if not isinstance(seed_hex, str) or not _HEX64.fullmatch(seed_hex):
        raise ValueError("the seed must be 64 lower-case hex characters")
    macs = hmac_sha256_many(bytes.fromhex(seed_hex), messages)
    if not ids_sorted and len(set(macs)) != len(macs):
        return [i for _, i in sorted(zip(macs, ids, strict=True))]
    order = sorted(range(len(ids)), key=macs.__getitem__)
    return [ids[order[0]]] if len(order) == 1 else list(itemgetter(*order)(ids))  # itemgetter(i) is no tuple


def rank(seed_hex: str, identifiers: Iterable[str]) -> list[str]:
    """All candidates ordered by (HMAC-SHA256(key = seed bytes, msg = identifier UTF-8) as hex, identifier)."""
    ids, joined = _identifiers(identifiers, sort=False)
    return _ranked(seed_hex, ids, joined.split(b"\n"), ids_sorted=False)


def _checked_input_commitments(commitments: Sequence[dict[str, str]], inputs: list[dict[str, str]], *,
                               proof_format: int = 1) -> list[dict[str, str]]:
    """Each public input against its seal, in the same order. A sealed input revealed in time opens its commitment
    with its nonce (in format 2: exactly 32 hex characters); one not revealed in time is the empty string with an
    empty nonce; in format 2 a value that was never sealed (an external public value fixed in the announcement)
    has an empty nonce too, its commitment being SHA-256 of the value alone."""
    if len(commitments) != len(inputs):
        raise ValueError("one input commitment per public input, in the same order")
    clean = []
    for n, (sealed, item) in enumerate(zip(commitments, inputs, strict=True), start=1):
        fields = {k: sealed.get(k) if isinstance(sealed, dict) else None for k in ("source", "commitment", "nonce")}
        if not all(isinstance(v, str) for v in fields.values()):
            raise ValueError(f"input commitment {n} must be {{source, commitment, nonce}} strings")
        if fields["source"] != item["source"]:
            raise ValueError(f"input commitment {n} is from {fields['source']!r}, public input {n} from "
                             f"{item['source']!r}: the two lists must be in the same order")
        if proof_format >= 2:
            if not _HEX64.fullmatch(fields["commitment"]):
                raise ValueError(f"the commitment of input {n} must be 64 lower-case hex characters")
            if fields["nonce"]:
                check_nonce(fields["nonce"])
        not_revealed = fields["nonce"] == "" and item["value"] == ""  # recorded as the empty string
        if not not_revealed and input_commitment(fields["nonce"], item["value"]) != fields["commitment"]:
            raise ValueError(f"public input {n} ({item['source']}) does not match its sealed commitment")
        clean.append(fields)
    return clean


def canonical_json(document: Any) -> bytes:
    """Sorted keys, no spaces, no ASCII escaping, UTF-8: the bytes every digest of the protocol is taken over."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def record_digest(*, input_commitments: Sequence[dict[str, str]], metadata: dict[str, Any], selected: int,
                  proof_format: int = PROOF_FORMAT) -> str:
    """Format 2: SHA-256 of the canonical JSON of the proof's fields that the seed does not cover. Recorded in
    the audit ledger when the draw is made, so a proof whose metadata or `selected` was changed later no longer
    matches the value recorded at the draw."""
    document = {"input_commitments": list(input_commitments), "metadata": metadata, "proof_format": proof_format,
                "selected": selected}
    return hashlib.sha256(canonical_json(document)).hexdigest()


def selected_for(metadata: dict[str, Any]) -> int:
    """How many a draw of this kind takes from the top of the ranking: a fixed-price draw its winner (the rest
    are alternates in order); an expert panel the size announced when the panel was requested."""
    kind = metadata.get("kind")
    if kind == KIND_FIXED_PRICE:
        return 1
    if kind == KIND_EXPERT_PANEL:
        size = metadata.get("size")
        if isinstance(size, bool) or not isinstance(size, int):
            raise ValueError("an expert-panel draw's metadata must give its size as a whole number")
        return size
    raise ValueError(f"the metadata's kind must be {KIND_FIXED_PRICE!r} or {KIND_EXPERT_PANEL!r}, not {kind!r}")


def _no_fractions(value: Any, where: str = "metadata") -> None:
    """Format 2 metadata is text, whole numbers, booleans, null, lists and objects: a float has no one canonical
    form that every JSON reader gives back, so it could not be digested the same way by everyone."""
    if isinstance(value, float):
        raise ValueError(f"{where} must not hold a fractional number: write it as text")
    if isinstance(value, dict):
        for key, item in value.items():
            _no_fractions(item, f"{where}.{key}")
    elif isinstance(value, list):
        for item in value:
            _no_fractions(item, where)


def build_proof(*, project: str, secret: bytes, candidates: Iterable[str], public_inputs: Sequence[dict[str, str]],
                selected: int, input_commitments: Sequence[dict[str, str]] | None = None,
                metadata: dict[str, Any] | None = None, max_input_length: int = INPUT_MAX_LENGTH,
                proof_format: int = 1) -> dict[str, Any]:
    """The complete proof (step 6 of fps-draw-v1); `metadata` (times, supervisors, video hashes) is outside the seed.

    `proof_format=2` is what the platform builds: input commitments and metadata required, nonces of 32 hex
    characters, `selected` fixed by the metadata's kind, and `record_digest` over what the seed does not cover.
    The default, format 1, is the earlier document, kept so that earlier proofs and vectors stay reproducible."""
    if proof_format not in (1, PROOF_FORMAT):
        raise ValueError(f"unknown proof format {proof_format!r}")
    ids, joined = _identifiers(candidates, sort=True)
    if isinstance(selected, bool) or not isinstance(selected, int) or not 1 <= selected <= len(ids):
        raise ValueError(f"selected must be a whole number between 1 and {len(ids)} (the number of candidates)")
    inputs = _public_inputs(public_inputs)
    for item in inputs:
        check_input_value(item["value"], max_length=max_input_length)
    if proof_format >= 2:
        if input_commitments is None or not isinstance(metadata, dict):
            raise ValueError("a format 2 proof needs its input commitments and its metadata")
        _no_fractions(metadata)
        if selected != selected_for(metadata):
            raise ValueError(f"a draw of kind {metadata['kind']} selects {selected_for(metadata)}, not {selected}")
    commit, digest = commitment(secret), hashlib.sha256(joined).hexdigest()
    seed = compute_seed(project=project, commitment=commit, candidates_digest=digest, public_inputs=inputs,
                        secret_hex=secret.hex())
    ranking = _ranked(seed, ids, joined.split(b"\n"), ids_sorted=True)
    proof: dict[str, Any] = {
        "protocol": FPS, "project": project, "commitment": commit, "candidates": ids, "candidates_digest": digest,
        "public_inputs": inputs, "secret": secret.hex(), "seed": seed, "ranking": ranking, "selected": selected,
    }
    if input_commitments is not None:
        proof["input_commitments"] = _checked_input_commitments(input_commitments, inputs, proof_format=proof_format)
    if metadata is not None:
        proof["metadata"] = metadata
    if proof_format >= 2:
        proof["proof_format"] = proof_format
        proof["record_digest"] = record_digest(input_commitments=proof["input_commitments"], metadata=metadata,
                                               selected=selected, proof_format=proof_format)
    return proof


# --- RFC 3797 -------------------------------------------------------------------------------------------------

def _rfc_decimal(value: Any) -> Decimal:
    """A source value as an exact Decimal: ints and Decimals as they are, floats through their shortest repr."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"a source value must be a number, not {value!r}")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or number < 0:
        raise ValueError(f"a source value must be a finite non-negative number: {value!r}")
    return number


def _rfc_text(number: Decimal) -> str:
    """One value as RFC 3797 §4 step 1 writes it: decimal without leading zeros (a single 0 before the point of
    a fraction), an integer terminated by a period, a non-integer with the period separating the whole from the
    fractional part and no trailing zeros on the fraction. So 3 is '3.' but 2.5 is '2.5' (not '2.5.'), as the
    RFC's reference code prints it ("%ld." for integers, "%ld.%s" for x.y reals, trailing zeros stripped)."""
    if number == number.to_integral_value():
        return f"{int(number)}."
    integer, fraction = format(number, "f").split(".")
    return f"{int(integer)}.{fraction.rstrip('0')}"


def rfc3797_key(sources: Sequence[Sequence[Any]]) -> str:
    """Each source's values sorted ascending numerically (§4 step 2), each written by `_rfc_text`, each source ended
    by '/', the sources in announced order (step 3)."""
    if not sources:
        raise ValueError("at least one source is needed")
    parts = []
    for n, source in enumerate(sources, start=1):
        if isinstance(source, str | bytes) or not isinstance(source, Sequence) or not source:
            raise ValueError(f"source {n} must be a non-empty list of numbers")
        parts.append("".join(_rfc_text(v) for v in sorted(_rfc_decimal(v) for v in source)) + "/")
    return "".join(parts)


def rfc3797_select(pool: Sequence[str], sources: Sequence[Sequence[Any]], k: int) -> list[str]:
    """The k picks in selection order: pick i takes the (MD5(C‖key‖C) mod (P−i) + 1)-th entry still unselected."""
    entries = list(pool)
    if not entries:
        raise ValueError("the pool is empty")
    if not all(isinstance(e, str) and e for e in entries):
        raise ValueError("pool entries must be non-empty strings")
    if len(set(entries)) != len(entries):
        raise ValueError("the pool has duplicate entries")
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError("k must be a whole number of at least 1")
    if k > len(entries):
        raise ValueError(f"cannot select {k} from a pool of {len(entries)}")
    if k > RFC3797_MAX_PICKS:
        raise ValueError(f"RFC 3797 makes at most {RFC3797_MAX_PICKS} picks")
    key = rfc3797_key(sources).encode("ascii")
    remaining, picks = entries, []
    for i in range(k):
        counter = i.to_bytes(2, "big")
        value = int.from_bytes(hashlib.md5(counter + key + counter).digest(), "big")
        picks.append(remaining.pop(value % len(remaining)))
    return picks


def _json_number(number: Decimal) -> int | float:
    if number == number.to_integral_value():
        return int(number)
    as_float = float(number)
    if Decimal(repr(as_float)) != number:
        raise ValueError(f"{number} has more digits than a JSON number in the proof can carry exactly")
    return as_float


def rfc3797_record_digest(*, key: str, candidates_digest: str, metadata: dict[str, Any], selected: int) -> str:
    """SHA-256 of the canonical JSON of what the RFC selection itself does not fix: the key string (the sources
    exactly as entered, as text, so no fractional JSON number is hashed), the digest of the pool published at the
    close, k and the metadata. Recorded in the audit ledger at the draw, like the fps-draw-v1 record digest."""
    document = {"candidates_digest": candidates_digest, "key": key, "metadata": metadata, "selected": selected}
    return hashlib.sha256(canonical_json(document)).hexdigest()


def build_rfc3797_proof(*, project: str, pool: Sequence[str], sources: Sequence[Sequence[Any]], k: int,
                        metadata: dict[str, Any] | None = None, published_digest: str | None = None
                        ) -> dict[str, Any]:
    """The proof: the pool in published order, the sources in announced order, the key string, k and the picks.
    With `published_digest` (the platform's mode: the pool is the candidate list frozen at the close, published
    in sorted order) the proof carries that digest and a record digest over the key, k and the metadata."""
    ranking = rfc3797_select(pool, sources, k)
    key = rfc3797_key(sources)
    proof: dict[str, Any] = {
        "protocol": RFC3797, "project": project, "candidates": list(pool),
        "sources": [[_json_number(_rfc_decimal(v)) for v in source] for source in sources],
        "key": key, "selected": k, "ranking": ranking,
    }
    if metadata is not None:
        proof["metadata"] = metadata
    if published_digest is not None:
        if list(pool) != sorted(pool) or candidates_digest(pool) != published_digest:
            raise ValueError("the pool must be the sorted candidate list whose digest was published")
        proof["candidates_digest"] = published_digest
        proof["record_digest"] = rfc3797_record_digest(key=key, candidates_digest=published_digest,
                                                       metadata=metadata or {}, selected=k)
    return proof
