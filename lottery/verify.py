#!/usr/bin/env python3
"""Verify a draw proof of the public resource trading centre, offline, with the Python standard library only.

    python verify.py PROOF.json [--commitment HEX] [--candidates-digest HEX]

Protocols: fps-draw-v1 (a secret committed at publication + the supervisors' public inputs) and rfc3797 (IETF
RFC 3797 selection from public numeric sources). Prints OK and a summary and exits 0; or prints the first thing
that does not match and exits 1. Give --commitment and --candidates-digest the values published BEFORE the draw
(on the announcement page): a self-consistent proof remade later with a new secret is caught only by them.
"""

# This file deliberately repeats the few hash functions of the platform's engine (lottery/engine.py) instead
# of importing them: anyone can download this one file and check a draw without trusting the platform's code.
# It runs on Python 3.8 and later, which is why it avoids newer syntax such as zip(strict=True).

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from decimal import Decimal

FPS = "fps-draw-v1"
RFC3797 = "rfc3797"
HEX_DIGITS = frozenset("0123456789abcdef")
_IPAD, _OPAD = bytes(x ^ 0x36 for x in range(256)), bytes(x ^ 0x5C for x in range(256))  # RFC 2104 pads
USAGE = "usage: python verify.py PROOF.json [--commitment HEX] [--candidates-digest HEX]"


class Mismatch(Exception):
    """The first thing in the proof that is malformed or does not match; its text is shown as it is."""


def _sha256_hex(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hex64(value, name):
    if not isinstance(value, str) or len(value) != 64 or not set(value) <= HEX_DIGITS:
        raise Mismatch(f"{name} must be 64 lower-case hex characters")
    return value


def _field(proof, name, kind, kind_name):
    if name not in proof:
        raise Mismatch(f"the proof has no '{name}' field")
    value = proof[name]
    if not isinstance(value, kind) or isinstance(value, bool):
        raise Mismatch(f"'{name}' must be {kind_name}")
    return value


def _hmac_sha256_many(key, messages):
    """HMAC-SHA256 (RFC 2104) of each message. For speed the padded key states are hashed once and copied; the
    result is checked against the standard hmac module on the first message, so a reader need not trust this."""
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
    if messages and macs[0] != hmac.new(key, messages[0], hashlib.sha256).digest():
        raise Mismatch("internal error: this Python's HMAC-SHA256 disagrees with the hmac module")
    return macs


# --- fps-draw-v1 ------------------------------------------------------------------------------------------------

def _check_candidates(proof, published_digest):
    candidates = _field(proof, "candidates", list, "a list of identifiers")
    if not candidates:
        raise Mismatch("'candidates' is empty")
    for c in candidates:
        if not isinstance(c, str) or not c or "\n" in c:
            raise Mismatch(f"candidate {c!r} is not a non-empty string without a line break")
    if len(set(candidates)) != len(candidates):
        raise Mismatch("'candidates' lists an identifier twice")
    if candidates != sorted(candidates):
        raise Mismatch("'candidates' is not sorted")
    digest = _hex64(_field(proof, "candidates_digest", str, "a string"), "candidates_digest")
    joined = "\n".join(candidates).encode("utf-8")
    if hashlib.sha256(joined).hexdigest() != digest:
        raise Mismatch("the candidates do not match candidates_digest: the list was changed")
    if published_digest is not None and digest != published_digest:
        raise Mismatch(f"candidates_digest {digest} is not the one published before the draw ({published_digest})")
    return candidates, digest, joined.split(b"\n")


def _check_public_inputs(proof):
    inputs = _field(proof, "public_inputs", list, "a list of {source, value}")
    for n, item in enumerate(inputs, start=1):
        if not isinstance(item, dict) or set(item) != {"source", "value"} or \
                not isinstance(item["source"], str) or not isinstance(item["value"], str):
            raise Mismatch(f"public input {n} must be exactly {{\"source\": text, \"value\": text}}")
    if "input_commitments" in proof:
        _check_input_commitments(proof["input_commitments"], inputs)
    return inputs


def _check_input_commitments(sealed_list, inputs):
    if not isinstance(sealed_list, list) or len(sealed_list) != len(inputs):
        raise Mismatch("'input_commitments' must hold one entry per public input, in the same order")
    for n, sealed in enumerate(sealed_list, start=1):
        item = inputs[n - 1]
        if not isinstance(sealed, dict) or not all(isinstance(sealed.get(k), str)
                                                   for k in ("source", "commitment", "nonce")):
            raise Mismatch(f"input commitment {n} must be {{source, commitment, nonce}}, all text")
        _hex64(sealed["commitment"], f"the commitment of input {n}")
        if sealed["source"] != item["source"]:
            raise Mismatch(f"public input {n} is from {item['source']!r} but input commitment {n} is from "
                           f"{sealed['source']!r}: the inputs were reordered or changed")
        if sealed["nonce"] == "" and item["value"] == "":
            continue  # a supervisor who did not reveal in time: the empty string, recorded (never a re-draw)
        if _sha256_hex(sealed["nonce"] + item["value"]) != sealed["commitment"]:
            raise Mismatch(f"public input {n} ({item['source']}) does not match the value sealed before the reveal")


def _check_ranking(ranking, expected):
    if ranking == expected:
        return
    if not all(isinstance(entry, str) for entry in ranking):
        raise Mismatch("'ranking' must be a list of identifiers")
    known = set(expected)
    for entry in ranking:
        if entry not in known:
            raise Mismatch(f"the ranking holds {entry!r}, which is not a candidate")
    if len(set(ranking)) != len(ranking):
        raise Mismatch("the ranking lists a candidate twice")
    missing = known - set(ranking)
    if missing:
        raise Mismatch(f"the ranking leaves out candidate {sorted(missing)[0]!r}")
    position = next(n for n, (got, due) in enumerate(zip(ranking, expected), start=1) if got != due)  # noqa: B905
    raise Mismatch(f"the ranking differs at position {position}: {ranking[position - 1]!r} where "
                   f"{expected[position - 1]!r} is due")


def check_fps(proof, commitment=None, candidates_digest=None):
    project = _field(proof, "project", str, "text")
    secret_hex = _hex64(_field(proof, "secret", str, "text"), "secret")
    commit = _hex64(_field(proof, "commitment", str, "text"), "commitment")
    if hashlib.sha256(bytes.fromhex(secret_hex)).hexdigest() != commit:
        raise Mismatch("the secret does not match the commitment")
    if commitment is not None and commit != commitment:
        raise Mismatch(f"commitment {commit} is not the one published before the draw ({commitment})")
    candidates, digest, messages = _check_candidates(proof, candidates_digest)
    inputs = _check_public_inputs(proof)
    document = {"candidates_digest": digest, "commitment": commit, "project": project, "protocol": FPS,
                "public_inputs": inputs, "secret": secret_hex}
    seed = _sha256_hex(json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False))
    if _hex64(_field(proof, "seed", str, "text"), "seed") != seed:
        raise Mismatch("the seed does not match the secret, the candidates and the public inputs")
    macs = _hmac_sha256_many(bytes.fromhex(seed), messages)
    # Order by (HMAC, identifier): the candidates are sorted (checked above) and Python's sort is stable, so
    # sorting their positions by HMAC alone leaves equal HMACs in identifier order. 32-byte digests sort as
    # their hex does.
    expected = [candidates[n] for n in sorted(range(len(candidates)), key=macs.__getitem__)]
    ranking = _field(proof, "ranking", list, "a list of identifiers")
    _check_ranking(ranking, expected)
    selected = _field(proof, "selected", int, "a whole number")
    if not 1 <= selected <= len(candidates):
        raise Mismatch(f"'selected' is {selected}; it must be between 1 and {len(candidates)}")


# --- rfc3797 ----------------------------------------------------------------------------------------------------

def _rfc_text(value):
    """Decimal without leading zeros followed by '.'; a fraction after a '.', trailing zeros dropped (RFC 3797 §4)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise Mismatch(f"source value {value!r} is not a number")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or number < 0:
        raise Mismatch(f"source value {value!r} is not a finite non-negative number")
    if number == number.to_integral_value():
        return number, f"{int(number)}."
    integer, fraction = format(number, "f").split(".")
    return number, f"{int(integer)}.{fraction.rstrip('0')}."


def _rfc_select(pool, key, k):
    remaining, picks = list(pool), []
    for i in range(k):
        c = i.to_bytes(2, "big")
        value = int.from_bytes(hashlib.md5(c + key + c).digest(), "big")
        picks.append(remaining.pop(value % len(remaining)))
    return picks


def check_rfc3797(proof, commitment=None, candidates_digest=None):
    if commitment is not None or candidates_digest is not None:
        raise Mismatch("--commitment and --candidates-digest apply to fps-draw-v1 proofs, not to rfc3797")
    pool = _field(proof, "candidates", list, "a list of identifiers")
    if not pool or not all(isinstance(c, str) and c for c in pool) or len(set(pool)) != len(pool):
        raise Mismatch("'candidates' must be a non-empty list of distinct identifiers")
    sources = _field(proof, "sources", list, "a list of lists of numbers")
    if not sources or not all(isinstance(s, list) and s for s in sources):
        raise Mismatch("'sources' must be a non-empty list of non-empty lists of numbers")
    key = "".join("".join(text for _, text in sorted(_rfc_text(v) for v in s)) + "/" for s in sources)
    if "key" in proof and proof["key"] != key:
        raise Mismatch(f"the key string is {proof['key']!r}; the sources give {key!r}")
    k = _field(proof, "selected", int, "a whole number")
    if not 1 <= k <= min(len(pool), 65535):
        raise Mismatch(f"'selected' is {k}; it must be between 1 and {min(len(pool), 65535)}")
    ranking = _field(proof, "ranking", list, "a list of identifiers")
    picks = _rfc_select(pool, key.encode("ascii"), k)
    if ranking != picks:
        raise Mismatch(f"the selection should be {picks}, the proof says {ranking}")


CHECKS = {FPS: check_fps, RFC3797: check_rfc3797}


def _published(value, option):
    if value is None:
        return None
    return _hex64(value.strip().lower() if isinstance(value, str) else value, option)


def verify_proof(proof, commitment=None, candidates_digest=None):
    """The problems found, at most one: the first (an empty list: the proof verifies). Never raises."""
    try:
        if not isinstance(proof, dict):
            raise Mismatch("the proof must be a JSON object")
        if "protocol" not in proof:
            raise Mismatch("the proof has no 'protocol' field")
        if proof["protocol"] not in CHECKS:
            raise Mismatch(f"unknown protocol {proof['protocol']!r} (known: {', '.join(CHECKS)})")
        CHECKS[proof["protocol"]](proof, _published(commitment, "--commitment"),
                                  _published(candidates_digest, "--candidates-digest"))
    except Mismatch as problem:
        return [str(problem)]
    except UnicodeEncodeError:
        return ["the proof holds text that is not valid Unicode"]
    return []


def summary(proof):
    chosen = proof["ranking"][:proof["selected"]]
    head = "winner" if proof["protocol"] == FPS and len(chosen) == 1 else f"{len(chosen)} selected"
    return (f"protocol {proof['protocol']}, project {proof.get('project', '')}, "
            f"{len(proof['candidates'])} candidates, {head}: {', '.join(chosen)}")


def _parse_args(args):
    options, paths = {"--commitment": None, "--candidates-digest": None}, []
    while args:
        arg = args.pop(0)
        if arg in options:
            if not args:
                raise Mismatch(f"{arg} needs a value")
            options[arg] = args.pop(0)
        elif arg.startswith("--") and "=" in arg and arg.split("=", 1)[0] in options:
            name, value = arg.split("=", 1)
            options[name] = value
        elif arg.startswith("-"):
            raise Mismatch(f"unknown option {arg}\n{USAGE}")
        else:
            paths.append(arg)
    if len(paths) != 1:
        raise Mismatch(USAGE)
    return paths[0], options


def _load(path):
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"), parse_float=Decimal)
    except OSError as exc:
        raise Mismatch(f"cannot read {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise Mismatch(f"{path} is not UTF-8 text") from None
    except ValueError as exc:
        raise Mismatch(f"{path} is not valid JSON: {exc}") from None
    except RecursionError:
        raise Mismatch(f"{path} is nested too deeply to be a proof") from None


def main(argv=None):
    if hasattr(sys.stdout, "reconfigure"):
        sys.stdout.reconfigure(errors="backslashreplace")  # a console without UTF-8 still gets the message
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    try:
        path, options = _parse_args(args)
        proof = _load(path)
    except Mismatch as problem:
        print(f"FAIL: {problem}")
        return 1
    problems = verify_proof(proof, options["--commitment"], options["--candidates-digest"])
    if problems:
        print(f"FAIL: {problems[0]}")
        return 1
    print("OK")
    print(summary(proof))
    if proof["protocol"] == FPS and options["--commitment"] is None:
        print("note: give --commitment (and --candidates-digest) as published before the draw, to rule out a "
              "proof remade with another secret")
    return 0


if __name__ == "__main__":
    sys.exit(main())
