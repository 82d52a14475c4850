#!/usr/bin/env python3
"""Verify a draw proof of the public resource trading centre, offline, with the Python standard library only.

    python verify.py PROOF.json [--commitment HEX] [--candidates-digest HEX] [--record-digest HEX]

Protocols: fps-draw-v1 (a secret committed at publication + the supervisors' public inputs) and rfc3797 (IETF
RFC 3797 selection from public numeric sources). Prints OK, a summary and what was checked against what, and
exits 0; or prints the first thing that does not match and exits 1. A field the proof does not define is an
error, never ignored.

An fps-draw-v1 proof, field by field (format 2, `proof_format: 2`, is what the platform builds now):
  secret             its SHA-256 must be `commitment`
  commitment         with --commitment: the value published with the announcement, BEFORE the draw
  candidates         sorted, distinct; their SHA-256 must be `candidates_digest`
  candidates_digest  with --candidates-digest: the value published at the registration close
  public_inputs      each must open its entry of `input_commitments` (same order); with the four fields above
  project, protocol  they give the seed: SHA-256 of their canonical JSON must be `seed`
  seed, ranking      recomputed: the ranking must be every candidate, ordered by HMAC-SHA256(seed, identifier)
  input_commitments  format 2: each nonce exactly 32 lower-case hex characters, so a seal opens as one value
                     only; an input not revealed in time is the empty string with an empty nonce (its seal
                     cannot be opened: it is covered by record_digest only); a value never sealed (an external
                     public value fixed in the announcement) has an empty nonce and SHA-256(value) as commitment
  selected           format 2: fixed by metadata.kind (fixed-price: 1, the winner; expert-panel: metadata.size)
  metadata           format 2: covered by record_digest, with input_commitments, proof_format and selected
  record_digest      SHA-256 of their canonical JSON; with --record-digest: the value recorded in the audit
                     ledger when the draw was made (shown on the result page)
Without the options each value can only be checked against the rest of the same file: give --commitment and
--candidates-digest as published BEFORE the draw (a self-consistent proof remade with a new secret is caught only
by them), and --record-digest as recorded at the draw (changed metadata or `selected` is caught only by it).
A proof without `proof_format` is a format 1 proof, published before record digests: its metadata is not covered
by any digest, and its nonces may be of any length; the output says so.

An rfc3797 proof (RFC 3797 §4): the key string and the selection are recomputed from `candidates` (the pool, in
its published order), `sources` (each value an integer written "N." or a fraction written "I.F", sorted within its
source, each source ended by "/") and `selected`. Compare the sources with the public results the announcement
named. A proof made by the platform also carries
  candidates_digest  the pool must be in sorted order and hash to it; with --candidates-digest: the value
                     published at the registration close
  record_digest      SHA-256 of the canonical JSON of the key string, candidates_digest, selected and metadata;
                     with --record-digest: the value recorded in the audit ledger at the draw
Without them, compare the pool, selected, the project and the metadata with the announcement.
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
NONCE_LENGTH = 32
PROOF_FORMAT = 2
KINDS = ("fixed-price", "expert-panel")
FPS_FIELDS_1 = frozenset({"protocol", "project", "commitment", "candidates", "candidates_digest", "public_inputs",
                          "secret", "seed", "ranking", "selected"})
FPS_OPTIONAL_1 = frozenset({"input_commitments", "metadata"})
FPS_FIELDS_2 = FPS_FIELDS_1 | FPS_OPTIONAL_1 | {"proof_format", "record_digest"}
RFC_FIELDS = frozenset({"protocol", "project", "candidates", "sources", "selected", "ranking"})
RFC_OPTIONAL = frozenset({"key", "metadata", "candidates_digest", "record_digest"})
_IPAD, _OPAD = bytes(x ^ 0x36 for x in range(256)), bytes(x ^ 0x5C for x in range(256))  # RFC 2104 pads
USAGE = "usage: python verify.py PROOF.json [--commitment HEX] [--candidates-digest HEX] [--record-digest HEX]"


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


def _known_fields(proof, required, optional, what):
    unknown = sorted(set(proof) - required - optional, key=str)
    if unknown:
        raise Mismatch(f"the proof has a field {unknown[0]!r} that {what} does not define: nothing may be added "
                       "unchecked")
    missing = sorted(required - set(proof))
    if missing:
        raise Mismatch(f"the proof has no '{missing[0]}' field")


def _canonical(document):
    """Sorted keys, no spaces, no ASCII escaping, UTF-8. Only text, whole numbers, booleans, null, lists and
    objects: a fractional number has no one form that every JSON reader gives back."""
    def walk(value):
        if isinstance(value, (float, Decimal)):
            raise Mismatch(f"the proof holds the fractional number {value} where only text and whole numbers may be")
        for item in value.values() if isinstance(value, dict) else value if isinstance(value, list) else ():
            walk(item)
    walk(document)
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


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


def _check_public_inputs(proof, version):
    inputs = _field(proof, "public_inputs", list, "a list of {source, value}")
    for n, item in enumerate(inputs, start=1):
        if not isinstance(item, dict) or set(item) != {"source", "value"} or \
                not isinstance(item["source"], str) or not isinstance(item["value"], str):
            raise Mismatch(f"public input {n} must be exactly {{\"source\": text, \"value\": text}}")
    unopened = {"not revealed": [], "never sealed": []}
    if "input_commitments" in proof:
        unopened = _check_input_commitments(proof["input_commitments"], inputs, version)
    return inputs, unopened


def _check_input_commitments(sealed_list, inputs, version):
    """The sources of the inputs not revealed in time (recorded as the empty string) and of those never sealed."""
    if not isinstance(sealed_list, list) or len(sealed_list) != len(inputs):
        raise Mismatch("'input_commitments' must hold one entry per public input, in the same order")
    unopened = {"not revealed": [], "never sealed": []}
    for n, sealed in enumerate(sealed_list, start=1):
        item = inputs[n - 1]
        if not isinstance(sealed, dict) or not all(isinstance(sealed.get(k), str)
                                                   for k in ("source", "commitment", "nonce")):
            raise Mismatch(f"input commitment {n} must be {{source, commitment, nonce}}, all text")
        if version >= 2 and set(sealed) != {"source", "commitment", "nonce"}:
            raise Mismatch(f"input commitment {n} must be exactly {{source, commitment, nonce}}")
        _hex64(sealed["commitment"], f"the commitment of input {n}")
        if sealed["source"] != item["source"]:
            raise Mismatch(f"public input {n} is from {item['source']!r} but input commitment {n} is from "
                           f"{sealed['source']!r}: the inputs were reordered or changed")
        nonce = sealed["nonce"]
        if version >= 2 and nonce and (len(nonce) != NONCE_LENGTH or not set(nonce) <= HEX_DIGITS):
            raise Mismatch(f"the nonce of input {n} must be exactly {NONCE_LENGTH} lower-case hex characters, so "
                           "that its seal opens as one value only")
        if nonce == "" and item["value"] == "":
            unopened["not revealed"].append(item["source"])
            continue  # a supervisor who did not reveal in time: the empty string, recorded (never a re-draw)
        if _sha256_hex(nonce + item["value"]) != sealed["commitment"]:
            raise Mismatch(f"public input {n} ({item['source']}) does not match the value sealed before the reveal")
        if nonce == "":
            unopened["never sealed"].append(item["source"])
    return unopened


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


def _version(proof):
    if "proof_format" not in proof:
        return 1
    version = proof["proof_format"]
    if version != PROOF_FORMAT or isinstance(version, bool):
        raise Mismatch(f"unknown proof_format {version!r} (known: {PROOF_FORMAT}; none for format 1)")
    return version


def _check_record(proof, candidates, published_record):
    """Format 2: `selected` from the kind of draw, and the digest over every field the seed does not cover."""
    metadata = _field(proof, "metadata", dict, "an object")
    kind = metadata.get("kind")
    if kind not in KINDS:
        raise Mismatch(f"metadata.kind must be one of {', '.join(KINDS)}, not {kind!r}")
    selected = _field(proof, "selected", int, "a whole number")
    if kind == "fixed-price":
        due = 1
    else:
        due = metadata.get("size")
        if not isinstance(due, int) or isinstance(due, bool) or not 1 <= due <= len(candidates):
            raise Mismatch(f"metadata.size must be a whole number between 1 and {len(candidates)}")
    if selected != due:
        raise Mismatch(f"'selected' is {selected}; a draw of kind {kind} selects {due}")
    if "input_commitments" not in proof:
        raise Mismatch("the proof has no 'input_commitments' field")
    document = {"input_commitments": proof["input_commitments"], "metadata": metadata,
                "proof_format": proof["proof_format"], "selected": selected}
    digest = _hex64(_field(proof, "record_digest", str, "text"), "record_digest")
    if hashlib.sha256(_canonical(document)).hexdigest() != digest:
        raise Mismatch("record_digest does not match the input commitments, the metadata and 'selected': one of "
                       "them was changed")
    if published_record is not None and digest != published_record:
        raise Mismatch(f"record_digest {digest} is not the one recorded at the draw ({published_record})")


def check_fps(proof, commitment=None, candidates_digest=None, record_digest=None):
    version = _version(proof)
    if version >= 2:
        _known_fields(proof, FPS_FIELDS_2, frozenset(), f"fps-draw-v1 format {version}")
    else:
        _known_fields(proof, FPS_FIELDS_1, FPS_OPTIONAL_1, "fps-draw-v1 format 1")
        if record_digest is not None:
            raise Mismatch("--record-digest applies to format 2 proofs; this one (format 1) has no record_digest")
    project = _field(proof, "project", str, "text")
    secret_hex = _hex64(_field(proof, "secret", str, "text"), "secret")
    commit = _hex64(_field(proof, "commitment", str, "text"), "commitment")
    if hashlib.sha256(bytes.fromhex(secret_hex)).hexdigest() != commit:
        raise Mismatch("the secret does not match the commitment")
    if commitment is not None and commit != commitment:
        raise Mismatch(f"commitment {commit} is not the one published before the draw ({commitment})")
    candidates, digest, messages = _check_candidates(proof, candidates_digest)
    inputs, unopened = _check_public_inputs(proof, version)
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
    if version >= 2:
        _check_record(proof, candidates, record_digest)
    elif "metadata" in proof and not isinstance(proof["metadata"], dict):
        raise Mismatch("'metadata' must be an object")
    return _fps_report(proof, version, unopened, commitment, candidates_digest, record_digest)


def _fps_report(proof, version, unopened, commitment, candidates_digest, record_digest):
    """What was checked against what, one line each, for the person reading the output."""
    def against(given, published):
        return published if given is not None else "the same file only (no option given)"
    lines = [
        f"format {version}" + (": every field checked, or covered by record_digest" if version >= 2 else ""),
        f"secret -> commitment, checked against {against(commitment, 'the value published before the draw')}",
        f"candidates -> candidates_digest, checked against {against(candidates_digest, 'the value published at the close')}",
        "seed and the full ranking: recomputed from the secret, the candidates and the public inputs",
    ]
    if "input_commitments" in proof:
        lines.append("public inputs: each opens its sealed commitment" + (" (32-hex nonces)" if version >= 2 else "")
                     + "".join(f"; {what}: {', '.join(sources)}" for what, sources in unopened.items() if sources))
    else:
        lines.append("public inputs: no input commitments in this proof, so not checked against any seal")
    if version >= 2:
        lines.append(f"selected ({proof['selected']}, kind {proof['metadata']['kind']}), input commitments and "
                     f"metadata -> record_digest, checked against {against(record_digest, 'the value recorded at the draw')}")
    else:
        lines.append("'selected' and the metadata are NOT covered by any digest (format 1, before record digests); "
                     "nonces may be of any length; compare them with the result page")
    return lines


# --- rfc3797 ----------------------------------------------------------------------------------------------------

def _rfc_text(value):
    """RFC 3797 §4 step 1: an integer is terminated by '.', a non-integer has the '.' between its whole and
    fractional parts and no trailing zeros (3 is '3.', 2.5 is '2.5'), as the RFC's reference code prints them."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        raise Mismatch(f"source value {value!r} is not a number")
    number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or number < 0:
        raise Mismatch(f"source value {value!r} is not a finite non-negative number")
    if number == number.to_integral_value():
        return number, f"{int(number)}."
    integer, fraction = format(number, "f").split(".")
    return number, f"{int(integer)}.{fraction.rstrip('0')}"


def _rfc_select(pool, key, k):
    remaining, picks = list(pool), []
    for i in range(k):
        c = i.to_bytes(2, "big")
        value = int.from_bytes(hashlib.md5(c + key + c).digest(), "big")
        picks.append(remaining.pop(value % len(remaining)))
    return picks


def check_rfc3797(proof, commitment=None, candidates_digest=None, record_digest=None):
    if commitment is not None:
        raise Mismatch("--commitment applies to fps-draw-v1 proofs: an rfc3797 draw has no secret")
    _known_fields(proof, RFC_FIELDS, RFC_OPTIONAL, "rfc3797")
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
    lines = ["key string and selection: recomputed from the pool, the sources and 'selected'; compare the "
             "sources with the public results the announcement named"]
    if "candidates_digest" not in proof and "record_digest" not in proof:
        if candidates_digest is not None or record_digest is not None:
            raise Mismatch("--candidates-digest and --record-digest apply to an rfc3797 proof that carries "
                           "candidates_digest and record_digest; this one does not")
        lines.append("compare the pool, 'selected', the project and the metadata with the announcement that fixed "
                     "them (no digest covers them)")
        return lines
    return lines + _check_rfc_digests(proof, pool, key, k, candidates_digest, record_digest)


def _check_rfc_digests(proof, pool, key, k, candidates_digest, record_digest):
    """The platform's mode: the pool is the candidate list frozen at the close, in sorted order (its published
    order), and a record digest covers the key, k and the metadata as recorded in the ledger at the draw."""
    digest = _hex64(_field(proof, "candidates_digest", str, "text"), "candidates_digest")
    if pool != sorted(pool):
        raise Mismatch("the pool is not in sorted order, the order its published digest fixes")
    if _sha256_hex("\n".join(pool)) != digest:
        raise Mismatch("the candidates do not match candidates_digest")
    if candidates_digest is not None and digest != candidates_digest:
        raise Mismatch("candidates_digest differs from the value published before the draw (--candidates-digest)")
    if "metadata" in proof and not isinstance(proof["metadata"], dict):
        raise Mismatch("'metadata' must be an object")
    document = {"candidates_digest": digest, "key": key, "metadata": proof.get("metadata", {}), "selected": k}
    recomputed = hashlib.sha256(_canonical(document)).hexdigest()
    if _hex64(_field(proof, "record_digest", str, "text"), "record_digest") != recomputed:
        raise Mismatch("record_digest does not match the key string, candidates_digest, 'selected' and metadata")
    if record_digest is not None and recomputed != record_digest:
        raise Mismatch("record_digest differs from the value recorded at the draw (--record-digest)")
    return [f"pool: sorted, SHA-256 matches candidates_digest, checked against "
            f"{'the value published at the close' if candidates_digest else 'nothing (give --candidates-digest)'}",
            f"key string, candidates_digest, 'selected' and metadata -> record_digest, checked against "
            f"{'the value recorded at the draw' if record_digest else 'nothing (give --record-digest)'}"]


CHECKS = {FPS: check_fps, RFC3797: check_rfc3797}


def _published(value, option):
    if value is None:
        return None
    return _hex64(value.strip().lower() if isinstance(value, str) else value, option)


def check(proof, commitment=None, candidates_digest=None, record_digest=None):
    """What was checked against what (lines for the reader); raises Mismatch at the first problem."""
    if not isinstance(proof, dict):
        raise Mismatch("the proof must be a JSON object")
    if "protocol" not in proof:
        raise Mismatch("the proof has no 'protocol' field")
    if proof["protocol"] not in CHECKS:
        raise Mismatch(f"unknown protocol {proof['protocol']!r} (known: {', '.join(CHECKS)})")
    return CHECKS[proof["protocol"]](proof, _published(commitment, "--commitment"),
                                     _published(candidates_digest, "--candidates-digest"),
                                     _published(record_digest, "--record-digest"))


def verify_proof(proof, commitment=None, candidates_digest=None, record_digest=None):
    """The problems found, at most one: the first (an empty list: the proof verifies). Never raises."""
    return _outcome(proof, commitment, candidates_digest, record_digest)[0]


def _outcome(proof, *published):
    """([the first problem] or [], the lines saying what was checked against what)."""
    try:
        return [], check(proof, *published)
    except Mismatch as problem:
        return [str(problem)], []
    except UnicodeEncodeError:
        return ["the proof holds text that is not valid Unicode"], []
    except RecursionError:
        return ["the proof is nested too deeply to be a proof"], []


def summary(proof):
    chosen = proof["ranking"][:proof["selected"]]
    head = "winner" if proof["protocol"] == FPS and len(chosen) == 1 else f"{len(chosen)} selected"
    return (f"protocol {proof['protocol']}, project {proof.get('project', '')}, "
            f"{len(proof['candidates'])} candidates, {head}: {', '.join(chosen)}")


def _parse_args(args):
    options, paths = {"--commitment": None, "--candidates-digest": None, "--record-digest": None}, []
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
    problems, checked = _outcome(proof, options["--commitment"], options["--candidates-digest"],
                                 options["--record-digest"])
    if problems:
        print(f"FAIL: {problems[0]}")
        return 1
    print("OK")
    print(summary(proof))
    for line in checked:
        print(f"checked: {line}")
    if proof["protocol"] == FPS and options["--commitment"] is None:
        print("note: give --commitment (and --candidates-digest) as published before the draw, to rule out a "
              "proof remade with another secret")
    if proof["protocol"] == FPS and "record_digest" in proof and options["--record-digest"] is None:
        print("note: give --record-digest as recorded at the draw (the result page shows it), to rule out changed "
              "metadata or 'selected'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
