#!/usr/bin/env python3
"""Verify a draw proof of the public resource trading centre, offline, with the Python standard library only.

    python verify.py PROOF.json [--commitment HEX] [--candidates-digest HEX]

Protocols: fps-draw-v1 (secret committed at publication + supervisors' public inputs) and rfc3797 (IETF RFC 3797
selection from public numeric sources). Prints OK and a summary, exit 0; or the first thing that does not match,
exit 1. Give --commitment and --candidates-digest the values published BEFORE the draw (announcement page):
a self-consistent forgery made later with a new secret is caught only by comparing with them.

This file deliberately repeats the few hash functions of the platform's engine instead of importing it, so that
anyone can download this one file and check a draw without trusting the platform's code.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from decimal import Decimal, InvalidOperation

HEX = set("0123456789abcdef")


class Mismatch(Exception):
    pass


def _hex(value, name, length=64):
    if not isinstance(value, str) or len(value) != length or not set(value) <= HEX:
        raise Mismatch(f"{name} must be {length} lower-case hex characters")
    return value


def _field(proof, name, kind):
    if name not in proof:
        raise Mismatch(f"the proof has no '{name}' field")
    value = proof[name]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise Mismatch(f"'{name}' has the wrong type")
    return value


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def check_fps(proof, commitment=None, candidates_digest=None):
    project = _field(proof, "project", str)
    secret = bytes.fromhex(_hex(_field(proof, "secret", str), "secret"))
    commit = _hex(_field(proof, "commitment", str), "commitment")
    if hashlib.sha256(secret).hexdigest() != commit:
        raise Mismatch("the secret does not match the commitment")
    if commitment is not None and commit != commitment.lower():
        raise Mismatch("the commitment differs from the one published before the draw")
    candidates = _field(proof, "candidates", list)
    if not candidates or not all(isinstance(c, str) and c and "\n" not in c for c in candidates):
        raise Mismatch("'candidates' must be a non-empty list of identifiers")
    if candidates != sorted(candidates) or len(set(candidates)) != len(candidates):
        raise Mismatch("the candidates are not sorted and unique")
    digest = _hex(_field(proof, "candidates_digest", str), "candidates_digest")
    if _sha256("\n".join(candidates)) != digest:
        raise Mismatch("the candidates do not match candidates_digest")
    if candidates_digest is not None and digest != candidates_digest.lower():
        raise Mismatch("the candidates digest differs from the one published before the draw")
    inputs = _field(proof, "public_inputs", list)
    for item in inputs:
        if not isinstance(item, dict) or set(item) != {"source", "value"} or \
                not all(isinstance(item[k], str) for k in ("source", "value")):
            raise Mismatch("each public input must be {\"source\": str, \"value\": str}")
    if "input_commitments" in proof:
        _check_input_commitments(proof["input_commitments"], inputs)
    document = {"candidates_digest": digest, "commitment": commit, "project": project, "protocol": "fps-draw-v1",
                "public_inputs": inputs, "secret": secret.hex()}
    seed = _sha256(json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    if _hex(_field(proof, "seed", str), "seed") != seed:
        raise Mismatch("the seed does not match the secret, candidates and public inputs")
    key = bytes.fromhex(seed)
    expected = [c for _, c in sorted((hmac.new(key, c.encode("utf-8"), "sha256").hexdigest(), c) for c in candidates)]
    _check_ranking(proof, expected, len(candidates))
    return f"{len(candidates)} candidates, {len(inputs)} public inputs"


def _check_input_commitments(commitments, inputs):
    if not isinstance(commitments, list) or len(commitments) != len(inputs):
        raise Mismatch("input_commitments must list one commitment per public input, in the same order")
    for n, (sealed, item) in enumerate(zip(commitments, inputs, strict=True), start=1):
        if not isinstance(sealed, dict) or not all(isinstance(sealed.get(k), str)
                                                   for k in ("source", "commitment", "nonce")):
            raise Mismatch(f"input commitment {n} must be {{source, commitment, nonce}} strings")
        if sealed["source"] != item["source"]:
            raise Mismatch(f"public input {n} comes from {item['source']!r} but commitment {n} "
                           f"from {sealed['source']!r}: the input list was reordered or changed")
        revealed = sealed["nonce"] + item["value"]
        if item["value"] == "" and sealed["nonce"] == "":
            continue  # did not reveal in time: the empty string with no nonce, recorded (never a re-draw)
        if _sha256(revealed) != sealed["commitment"]:
            raise Mismatch(f"public input {n} ({item['source']}) does not match its sealed commitment")


def _check_ranking(proof, expected, pool_size):
    ranking = _field(proof, "ranking", list)
    if ranking != expected:
        for position, (got, want) in enumerate(zip(ranking, expected, strict=False), start=1):
            if got != want:
                raise Mismatch(f"the ranking differs at position {position}: {got!r} where {want!r} is due")
        raise Mismatch(f"the ranking has {len(ranking)} entries where {len(expected)} are due")
    selected = _field(proof, "selected", int)
    if not 1 <= selected <= pool_size:
        raise Mismatch(f"'selected' must be between 1 and {pool_size}")


def _rfc_number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise Mismatch(f"source value {value!r} is not a number")
    try:
        number = Decimal(str(value))
    except InvalidOperation as exc:
        raise Mismatch(f"source value {value!r} is not a number") from exc
    if not number.is_finite() or number < 0:
        raise Mismatch(f"source value {value!r} is not a non-negative number")
    if number == number.to_integral_value():
        return number, f"{int(number)}."
    integer, fraction = f"{number:f}".rstrip("0").split(".")
    return number, f"{int(integer)}.{fraction}"


def check_rfc3797(proof, **_):
    pool = _field(proof, "candidates", list)
    if not pool or len(set(pool)) != len(pool) or not all(isinstance(c, str) for c in pool):
        raise Mismatch("'candidates' must be a non-empty list of distinct identifiers")
    sources = _field(proof, "sources", list)
    if not sources or not all(isinstance(s, list) and s for s in sources):
        raise Mismatch("'sources' must be a non-empty list of non-empty lists of numbers")
    key = "".join("".join(text for _, text in sorted(_rfc_number(v) for v in s)) + "/" for s in sources)
    if "key" in proof and proof["key"] != key:
        raise Mismatch(f"the key string should be {key!r}")
    k = _field(proof, "selected", int)
    if not 1 <= k <= min(len(pool), 65535):
        raise Mismatch(f"'selected' must be between 1 and {min(len(pool), 65535)}")
    remaining, picks = list(pool), []
    raw = key.encode("ascii")
    for i in range(k):
        c = i.to_bytes(2, "big")
        picks.append(remaining.pop(int.from_bytes(hashlib.md5(c + raw + c).digest(), "big") % len(remaining)))  # noqa: S324
    ranking = _field(proof, "ranking", list)
    if ranking != picks:
        raise Mismatch(f"the selection should be {picks}, the proof says {ranking}")
    return f"{len(pool)} in the pool, key {key}"


CHECKS = {"fps-draw-v1": check_fps, "rfc3797": check_rfc3797}


def verify_proof(proof, commitment=None, candidates_digest=None):
    """Problems found (empty list: the proof verifies). Never raises on bad input."""
    try:
        if not isinstance(proof, dict):
            raise Mismatch("the proof must be a JSON object")
        protocol = proof.get("protocol")
        if protocol not in CHECKS:
            raise Mismatch(f"unknown protocol {protocol!r} (expected one of {', '.join(CHECKS)})")
        for name, value in (("--commitment", commitment), ("--candidates-digest", candidates_digest)):
            if value is not None:
                _hex(value.lower(), name)
        CHECKS[protocol](proof, commitment=commitment, candidates_digest=candidates_digest)
    except Mismatch as problem:
        return [str(problem)]
    return []


def main(argv=None):
    args = list(sys.argv[1:] if argv is None else argv)
    options = {"--commitment": None, "--candidates-digest": None}
    paths = []
    while args:
        arg = args.pop(0)
        if arg in ("-h", "--help"):
            print(__doc__.strip())
            return 0
        if arg in options:
            if not args:
                print(f"FAIL: {arg} needs a value")
                return 1
            options[arg] = args.pop(0)
        else:
            paths.append(arg)
    if len(paths) != 1:
        print("usage: python verify.py PROOF.json [--commitment HEX] [--candidates-digest HEX]")
        return 1
    try:
        with open(paths[0], encoding="utf-8") as handle:
            proof = json.load(handle)
    except OSError as exc:
        print(f"FAIL: cannot read {paths[0]}: {exc.strerror}")
        return 1
    except (ValueError, UnicodeDecodeError) as exc:
        print(f"FAIL: {paths[0]} is not valid JSON: {exc}")
        return 1
    problems = verify_proof(proof, options["--commitment"], options["--candidates-digest"])
    if problems:
        print(f"FAIL: {problems[0]}")
        return 1
    ranking = proof["ranking"]
    print("OK")
    print(f"protocol {proof['protocol']}, project {proof.get('project', '')}, {len(proof['candidates'])} candidates, "
          f"{proof['selected']} selected; first: {ranking[0]}")
    if proof["protocol"] == "fps-draw-v1" and options["--commitment"] is None:
        print("note: give --commitment (and --candidates-digest) as published before the draw to rule out a "
              "proof remade with another secret")
    return 0


if __name__ == "__main__":
    sys.exit(main())
