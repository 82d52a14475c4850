"""The standalone verifier `lottery/verify.py`: good proofs pass, each kind of tampering is named, the published
values catch a self-consistent forgery, and malformed files give a plain message and exit 1 (never a traceback)."""

import ast
import copy
import json
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from lottery import engine
from lottery.verify import verify_proof

VERIFY = Path(__file__).resolve().parents[2] / "lottery" / "verify.py"
CANDIDATES = ["91510100MA6C000017", "91110000600037341L", "9144030071526726XG", "91330000142916567N",
              "91500000MA5U7AQ91D"]
INPUTS = [{"source": "监督员甲", "value": "4711"}, {"source": "supervisor2", "value": "0815"}]
RFC_POOL = ["John", "Mary", "Bashful", "Dopey", "Sleepy", "Grouchy", "Doc", "Sneazy", "Handsome", "Cassandra",
            "Pollyanna", "Pendragon", "Pandora", "Faith", "Hope", "Charity", "Lee", "Longsuffering", "Chastity",
            "Smith", "Pride", "Sloth", "Envy", "Anger", "Kasczynski"]


def fps_proof(secret: bytes = bytes(range(32))) -> dict:
    sealed = [{"source": i["source"], "commitment": engine.input_commitment(f"nonce-{n}", i["value"]),
               "nonce": f"nonce-{n}"} for n, i in enumerate(INPUTS)]
    return engine.build_proof(project="GJ-FPS-2025-0217", secret=secret, candidates=CANDIDATES,
                              public_inputs=INPUTS, selected=1, input_commitments=sealed,
                              metadata={"drawn_at": "2025-06-01T10:00:00+08:00"})


def run_verify(tmp_path: Path, content: str | bytes | None, *options: str) -> subprocess.CompletedProcess:
    path = tmp_path / "proof.json"
    if isinstance(content, str):
        path.write_text(content, encoding="utf-8")
    elif content is not None:
        path.write_bytes(content)
    return subprocess.run([sys.executable, str(VERIFY), str(path), *options], capture_output=True, text=True,
                          timeout=60)


def flip_hex(text: str, at: int = 10) -> str:
    return text[:at] + ("1" if text[at] != "1" else "2") + text[at + 1:]


# --- good proofs ------------------------------------------------------------------------------------------------

def test_good_proof_prints_ok_with_protocol_project_count_and_winner(tmp_path):
    proof = fps_proof()

    result = run_verify(tmp_path, json.dumps(proof, ensure_ascii=False), "--commitment", proof["commitment"],
                        "--candidates-digest", proof["candidates_digest"])

    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "OK"
    assert lines[1] == f"protocol fps-draw-v1, project GJ-FPS-2025-0217, 5 candidates, winner: {proof['ranking'][0]}"


def test_published_values_may_be_given_in_upper_case(tmp_path):
    proof = fps_proof()

    result = run_verify(tmp_path, json.dumps(proof), "--commitment", proof["commitment"].upper())

    assert result.returncode == 0 and result.stdout.startswith("OK")


def test_verify_proof_returns_no_problem_for_an_engine_proof_and_one_without_input_commitments():
    proof = fps_proof()
    bare = {k: v for k, v in proof.items() if k != "input_commitments"}

    assert verify_proof(proof, proof["commitment"], proof["candidates_digest"]) == []
    assert verify_proof(bare) == []


def test_input_not_revealed_in_time_verifies_as_the_empty_string():
    inputs = [{"source": "甲", "value": "4711"}, {"source": "乙", "value": ""}]
    sealed = [{"source": "甲", "commitment": engine.input_commitment("n", "4711"), "nonce": "n"},
              {"source": "乙", "commitment": engine.input_commitment("m", "never shown"), "nonce": ""}]
    proof = engine.build_proof(project="P", secret=bytes(32), candidates=CANDIDATES, public_inputs=inputs,
                               selected=2, input_commitments=sealed)

    assert verify_proof(proof) == []


def test_verifier_runs_alone_from_another_directory_in_isolated_mode(tmp_path):
    alone = tmp_path / "verify.py"
    shutil.copy(VERIFY, alone)
    (tmp_path / "proof.json").write_text(json.dumps(fps_proof()), encoding="utf-8")

    result = subprocess.run([sys.executable, "-I", str(alone), "proof.json"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)

    assert result.returncode == 0 and result.stdout.startswith("OK")


def test_verifier_imports_only_the_standard_library():
    tree = ast.parse(VERIFY.read_text(encoding="utf-8"))
    modules = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
               for alias in node.names}
    modules |= {node.module.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}

    assert modules <= set(sys.stdlib_module_names) | {"__future__"}


# --- tampering --------------------------------------------------------------------------------------------------

def _swap_first_two(proof):
    proof["ranking"][0], proof["ranking"][1] = proof["ranking"][1], proof["ranking"][0]


def _foreign_candidate(proof):
    proof["candidates"] = sorted([*proof["candidates"], "91440300MA5FOREIGN"])
    proof["candidates_digest"] = engine.candidates_digest(proof["candidates"])


TAMPERING = {
    "secret byte": (lambda p: p.update(secret=flip_hex(p["secret"])), "the secret does not match the commitment"),
    "seed byte": (lambda p: p.update(seed=flip_hex(p["seed"])), "the seed does not match"),
    "candidate byte": (lambda p: p["candidates"].__setitem__(0, p["candidates"][0][:-1] + "X"),
                       "do not match candidates_digest"),
    "candidate removed": (lambda p: p["candidates"].pop(), "do not match candidates_digest"),
    "foreign candidate with its digest": (_foreign_candidate, "the seed does not match"),
    "ranking byte": (lambda p: p["ranking"].__setitem__(2, p["ranking"][2][:-1] + "Z"), "which is not a candidate"),
    "foreign identifier in the ranking": (lambda p: p["ranking"].__setitem__(0, "91440300MA5FOREIGN"),
                                          "'91440300MA5FOREIGN', which is not a candidate"),
    "swapped ranking": (_swap_first_two, "the ranking differs at position 1"),
    "ranking cut short": (lambda p: p["ranking"].pop(), "leaves out candidate"),
    "ranking with a repeat": (lambda p: p["ranking"].__setitem__(4, p["ranking"][0]), "lists a candidate twice"),
    "reordered inputs": (lambda p: p["public_inputs"].reverse(), "the inputs were reordered or changed"),
    "reordered inputs and commitments": (lambda p: (p["public_inputs"].reverse(), p["input_commitments"].reverse()),
                                         "the seed does not match"),
    "changed input value": (lambda p: p["public_inputs"][0].update(value="4712"),
                            "does not match the value sealed before the reveal"),
    "changed sealed commitment": (lambda p: p["input_commitments"][1].update(commitment="0" * 64),
                                  "does not match the value sealed before the reveal"),
    "dropped input commitment": (lambda p: p["input_commitments"].pop(), "one entry per public input"),
    "selected out of range": (lambda p: p.update(selected=6), "between 1 and 5"),
    "unsorted candidates": (lambda p: p["candidates"].reverse(), "not sorted"),
    "changed project": (lambda p: p.update(project="GJ-FPS-2025-0218"), "the seed does not match"),
}


@pytest.mark.parametrize("name", TAMPERING)
def test_tampered_proof_is_refused_with_the_first_mismatch_named(name):
    proof = fps_proof()
    tamper, message = TAMPERING[name]
    tamper(proof)

    problems = verify_proof(proof)

    assert len(problems) == 1 and message in problems[0], problems


def test_tampered_proof_exits_1_from_the_command_line(tmp_path):
    proof = fps_proof()
    _swap_first_two(proof)

    result = run_verify(tmp_path, json.dumps(proof))

    assert result.returncode == 1
    assert result.stdout.startswith("FAIL: the ranking differs at position 1")


def test_wrong_published_commitment_is_reported(tmp_path):
    proof = fps_proof()

    result = run_verify(tmp_path, json.dumps(proof), "--commitment", flip_hex(proof["commitment"]))

    assert result.returncode == 1 and "not the one published before the draw" in result.stdout


def test_wrong_published_candidates_digest_is_reported():
    proof = fps_proof()

    problems = verify_proof(proof, candidates_digest=flip_hex(proof["candidates_digest"]))

    assert problems and "candidates_digest" in problems[0] and "published before the draw" in problems[0]


def test_self_consistent_forgery_with_a_new_secret_is_caught_only_with_the_published_commitment():
    published = fps_proof()
    forged = fps_proof(secret=bytes(range(1, 33)))

    alone = verify_proof(forged)
    against_published = verify_proof(forged, commitment=published["commitment"],
                                     candidates_digest=published["candidates_digest"])

    assert alone == []
    assert against_published and "not the one published before the draw" in against_published[0]


def test_foreign_candidate_is_caught_by_the_published_digest_before_the_seed():
    published = fps_proof()
    proof = copy.deepcopy(published)
    _foreign_candidate(proof)

    problems = verify_proof(proof, candidates_digest=published["candidates_digest"])

    assert "published before the draw" in problems[0]


# --- rfc3797 ----------------------------------------------------------------------------------------------------

def rfc_proof() -> dict:
    return engine.build_rfc3797_proof(project="GJ-EXP-2025-0003", pool=RFC_POOL,
                                      sources=[[9319], [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]], k=10)


def test_rfc3797_proof_verifies_with_the_section_6_selection(tmp_path):
    result = run_verify(tmp_path, json.dumps(rfc_proof()))

    assert result.returncode == 0
    assert result.stdout.splitlines()[1] == ("protocol rfc3797, project GJ-EXP-2025-0003, 25 candidates, 10 selected: "
                                             "Lee, Doc, Mary, Charity, Kasczynski, Envy, Sneazy, Anger, Chastity, "
                                             "Pandora")


def test_rfc3797_non_integer_source_is_read_exactly_from_the_file(tmp_path):
    proof = engine.build_rfc3797_proof(project="P", pool=RFC_POOL, sources=[[12.5, 3], [0.125]], k=4)
    text = json.dumps(proof).replace("[12.5, 3]", "[12.50, 3]")  # the same number with a trailing zero

    result = run_verify(tmp_path, text)

    assert "[12.50, 3]" in text
    assert result.returncode == 0, result.stdout
    assert proof["key"] == "3.12.5/0.125/"


@pytest.mark.parametrize(("tamper", "message"), [
    (lambda p: p["ranking"].reverse(), "the selection should be"),
    (lambda p: p["sources"][0].__setitem__(0, 9318), "the key string is"),
    (lambda p: p["candidates"].reverse(), "the selection should be"),
    (lambda p: p.update(selected=26), "between 1 and 25"),
    (lambda p: p["sources"][1].append(-1), "not a finite non-negative number"),
])
def test_tampered_rfc3797_proof_is_refused(tamper, message):
    proof = rfc_proof()
    tamper(proof)

    problems = verify_proof(proof)

    assert problems and message in problems[0], problems


def test_published_commitment_given_for_an_rfc3797_proof_is_refused_not_ignored():
    problems = verify_proof(rfc_proof(), commitment="0" * 64)

    assert problems and "applies to fps-draw-v1" in problems[0]


def test_published_digests_given_for_a_bare_rfc3797_proof_are_refused_not_ignored():
    problems = verify_proof(rfc_proof(), candidates_digest="0" * 64)

    assert problems and "carries candidates_digest" in problems[0]


def platform_rfc_proof() -> dict:
    pool = sorted(RFC_POOL)
    return engine.build_rfc3797_proof(project="GD-2026-0009", pool=pool, sources=[[Decimal("2.5"), 3], [9319]],
                                      k=len(pool), metadata={"kind": "fixed-price", "round": 1},
                                      published_digest=engine.candidates_digest(pool))


def test_platform_rfc3797_proof_verifies_against_the_published_digests(tmp_path):
    proof = platform_rfc_proof()
    args = ["--candidates-digest", proof["candidates_digest"], "--record-digest", proof["record_digest"]]

    result = run_verify(tmp_path, json.dumps(proof), *args)

    assert result.returncode == 0, result.stdout
    assert proof["key"] == "2.53./9319./"
    assert "checked against the value published at the close" in result.stdout


def _reselected(proof: dict) -> dict:
    """The ranking made consistent with a tampered pool, so that only the digests can catch it."""
    proof["ranking"] = engine.rfc3797_select(proof["candidates"], [[Decimal("2.5"), 3], [9319]], proof["selected"])
    return proof


@pytest.mark.parametrize(("tamper", "message"), [
    (lambda p: p["metadata"].update(round=2), "record_digest does not match"),
    (lambda p: p.update(selected=3, ranking=p["ranking"][:3]), "record_digest does not match"),
    (lambda p: _reselected(p.update(candidates=p["candidates"][::-1]) or p), "not in sorted order"),
    (lambda p: _reselected(p.update(candidates=p["candidates"][:-1], selected=24) or p),
     "do not match candidates_digest"),
])
def test_tampered_platform_rfc3797_proof_is_refused(tamper, message):
    proof = platform_rfc_proof()
    tamper(proof)

    problems = verify_proof(proof)

    assert problems and message in problems[0], problems


def test_platform_rfc3797_proof_with_another_published_digest_is_refused():
    problems = verify_proof(platform_rfc_proof(), candidates_digest="a" * 64)

    assert problems and "published before the draw" in problems[0]


# --- malformed input --------------------------------------------------------------------------------------------

def _without(field):
    proof = fps_proof()
    del proof[field]
    return json.dumps(proof)


def _with(**fields):
    return json.dumps(fps_proof() | fields)


MALFORMED = {
    "not json": ("{this is not json", "is not valid JSON"),
    "not utf-8": (b"\xff\xfe{}", "is not UTF-8 text"),
    "empty file": ("", "is not valid JSON"),
    "a list": ("[1, 2, 3]", "the proof must be a JSON object"),
    "no protocol": (_without("protocol"), "no 'protocol' field"),
    "unknown protocol": (_with(protocol="fps-draw-v0"), "unknown protocol 'fps-draw-v0'"),
    "missing seed": (_without("seed"), "the proof has no 'seed' field"),
    "missing ranking": (_without("ranking"), "the proof has no 'ranking' field"),
    "wrong type of candidates": (_with(candidates="91510100MA6C000017"), "'candidates' must be a list"),
    "wrong type of selected": (_with(selected="1"), "'selected' must be a whole number"),
    "boolean selected": (_with(selected=True), "'selected' must be a whole number"),
    "secret not hex": (_with(secret="zz" * 32), "secret must be 64 lower-case hex characters"),
    "secret too short": (_with(secret="ab" * 16), "secret must be 64 lower-case hex characters"),
    "input not an object": (_with(public_inputs=["4711"]), "public input 1 must be exactly"),
    "input value a number": (_with(public_inputs=[{"source": "甲", "value": 4711}]), "public input 1 must be exactly"),
    "ranking of objects": (_with(ranking=[{"a": 1}]), "'ranking' must be a list of identifiers"),
    "deeply nested": ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_proof_gives_a_plain_message_and_exit_1_without_traceback(tmp_path, name):
    content, message = MALFORMED[name]

    result = run_verify(tmp_path, content)

    assert result.returncode == 1
    assert result.stdout.startswith("FAIL: ") and message in result.stdout, result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize(("arguments", "message"), [
    (["missing.json"], "cannot read missing.json"),
    ([], "usage: python verify.py PROOF.json"),
    (["a.json", "b.json"], "usage: python verify.py PROOF.json"),
    (["proof.json", "--commitment"], "--commitment needs a value"),
    (["proof.json", "--commitment", "not-hex"], "--commitment must be 64 lower-case hex characters"),
    (["proof.json", "--candidates-digest=abc"], "--candidates-digest must be 64 lower-case hex characters"),
    (["proof.json", "--shout"], "unknown option --shout"),
])
def test_bad_command_line_gives_a_plain_message_and_exit_1(tmp_path, arguments, message):
    (tmp_path / "proof.json").write_text(json.dumps(fps_proof()), encoding="utf-8")

    result = subprocess.run([sys.executable, str(VERIFY), *arguments], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)

    assert result.returncode == 1
    assert message in result.stdout and result.stderr == ""


def test_help_prints_the_usage_and_exits_0():
    result = subprocess.run([sys.executable, str(VERIFY), "--help"], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0 and "--candidates-digest HEX" in result.stdout


def test_lone_surrogate_in_the_proof_is_reported_not_raised():
    proof = fps_proof()
    proof["project"] = "GJ-\ud800"

    assert verify_proof(proof) == ["the proof holds text that is not valid Unicode"]


# --- format 2: every field checked or covered by a digest (issue 13, item 4) ------------------------------------

NONCES = ["0123456789abcdef" * 2, "fedcba9876543210" * 2]
METADATA = {"kind": "fixed-price", "round": 1, "fixed_price": "1780000.00", "drawn_at": "2025-06-01T10:00:00+08:00",
            "candidates_frozen_at": "2025-05-30T17:00:00+08:00", "supervisors": ["supervisor", "supervisor2"]}


def fps_proof_2(**metadata) -> dict:
    sealed = [{"source": i["source"], "commitment": engine.input_commitment(nonce, i["value"]), "nonce": nonce}
              for nonce, i in zip(NONCES, INPUTS, strict=True)]
    return engine.build_proof(project="GJ-FPS-2025-0217", secret=bytes(range(32)), candidates=CANDIDATES,
                              public_inputs=INPUTS, selected=1, input_commitments=sealed,
                              metadata=METADATA | metadata, proof_format=2)


def _redigest(proof):
    proof["record_digest"] = engine.record_digest(input_commitments=proof["input_commitments"],
                                                  metadata=proof["metadata"], selected=proof["selected"])


def test_format_2_proof_verifies_against_all_three_published_values_and_says_what_it_checked(tmp_path):
    proof = fps_proof_2()

    result = run_verify(tmp_path, json.dumps(proof, ensure_ascii=False), "--commitment", proof["commitment"],
                        "--candidates-digest", proof["candidates_digest"], "--record-digest", proof["record_digest"])

    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0] == "OK" and lines[1].endswith(f"winner: {proof['ranking'][0]}")
    checked = "\n".join(line for line in lines if line.startswith("checked: "))
    assert "checked against the value published before the draw" in checked
    assert "checked against the value published at the close" in checked
    assert "(32-hex nonces)" in checked
    assert "selected (1, kind fixed-price), input commitments and metadata -> record_digest, checked against the " \
           "value recorded at the draw" in checked
    assert "note:" not in result.stdout


def test_format_2_proof_without_the_published_record_digest_says_it_checked_the_file_only(tmp_path):
    result = run_verify(tmp_path, json.dumps(fps_proof_2()))

    assert result.returncode == 0
    assert "record_digest, checked against the same file only" in result.stdout
    assert "note: give --record-digest as recorded at the draw" in result.stdout


def _select_three(proof):
    proof["selected"] = 3


def _select_three_as_a_panel(proof):
    proof.update(selected=3)
    proof["metadata"].update(kind="expert-panel", size=3)


FORMAT_2_TAMPERING = {
    "selected changed to 3": (_select_three, "'selected' is 3; a draw of kind fixed-price selects 1"),
    "selected 3 with the kind changed to match": (_select_three_as_a_panel, "record_digest does not match"),
    "fixed price changed": (lambda p: p["metadata"].update(fixed_price="1980000.00"), "record_digest does not match"),
    "draw time changed": (lambda p: p["metadata"].update(drawn_at="2025-06-02T10:00:00+08:00"),
                          "record_digest does not match"),
    "supervisor added": (lambda p: p["metadata"]["supervisors"].append("someone"), "record_digest does not match"),
    "metadata field added": (lambda p: p["metadata"].update(note="x"), "record_digest does not match"),
    "record digest changed": (lambda p: p.update(record_digest=flip_hex(p["record_digest"])),
                              "record_digest does not match"),
    "unknown kind": (lambda p: p["metadata"].update(kind="lottery"), "metadata.kind must be one of"),
    "metadata removed": (lambda p: p.pop("metadata"), "the proof has no 'metadata' field"),
    "record digest removed": (lambda p: p.pop("record_digest"), "the proof has no 'record_digest' field"),
    "input commitments removed": (lambda p: p.pop("input_commitments"), "no 'input_commitments' field"),
    "extra field": (lambda p: p.update(winner_name="某公司"), "'winner_name' that fps-draw-v1 format 2 does not define"),
    "extra field in an input commitment": (lambda p: p["input_commitments"][0].update(note="x"),
                                           "input commitment 1 must be exactly"),
    "unknown format": (lambda p: p.update(proof_format=3), "unknown proof_format 3"),
}


@pytest.mark.parametrize("name", FORMAT_2_TAMPERING)
def test_tampered_format_2_proof_is_refused(name):
    proof = fps_proof_2()
    tamper, message = FORMAT_2_TAMPERING[name]
    tamper(proof)

    problems = verify_proof(proof)

    assert len(problems) == 1 and message in problems[0], problems


def test_changed_metadata_with_a_recomputed_digest_is_caught_by_the_digest_recorded_at_the_draw(tmp_path):
    recorded = fps_proof_2()
    forged = copy.deepcopy(recorded)
    forged["metadata"]["fixed_price"] = "1980000.00"
    _redigest(forged)

    assert verify_proof(forged) == []
    result = run_verify(tmp_path, json.dumps(forged), "--record-digest", recorded["record_digest"])
    assert result.returncode == 1
    assert "record_digest" in result.stdout and "not the one recorded at the draw" in result.stdout


def test_a_seal_opens_as_one_value_only_in_format_2():
    """SHA-256(nonce + "424242") also equals SHA-256((nonce + "4") + "24242"): a nonce longer than 32 is refused."""
    proof = fps_proof_2()
    nonce = NONCES[0]
    sealed = engine.input_commitment(nonce, "424242")
    proof["public_inputs"][0]["value"] = "24242"
    proof["input_commitments"][0].update(commitment=sealed, nonce=nonce + "4")

    problems = verify_proof(proof)

    assert problems and "the nonce of input 1 must be exactly 32 lower-case hex characters" in problems[0]


@pytest.mark.parametrize("nonce", ["0123456789ABCDEF" * 2, "0123456789abcdef", "g" * 32, "0123456789abcdef" * 2 + "\n"])
def test_a_nonce_that_is_not_32_lower_case_hex_is_refused_in_format_2(nonce):
    proof = fps_proof_2()
    proof["input_commitments"][0].update(commitment=engine.input_commitment(nonce, "4711"), nonce=nonce)

    problems = verify_proof(proof)

    assert problems and "must be exactly 32 lower-case hex" in problems[0]


def test_a_fractional_number_in_format_2_metadata_is_refused_from_the_file(tmp_path):
    text = json.dumps(fps_proof_2()).replace('"round": 1', '"round": 1.0')

    result = run_verify(tmp_path, text)

    assert result.returncode == 1 and "fractional number" in result.stdout


def test_a_format_2_proof_stripped_to_format_1_says_its_metadata_is_not_covered(tmp_path):
    """Format 1 proofs were published before record digests and still verify; the output says what it lacks."""
    proof = fps_proof_2()
    del proof["proof_format"], proof["record_digest"]
    proof["selected"] = 3

    result = run_verify(tmp_path, json.dumps(proof))
    with_record = run_verify(tmp_path, json.dumps(proof), "--record-digest", "0" * 64)

    assert result.returncode == 0
    assert "'selected' and the metadata are NOT covered by any digest (format 1" in result.stdout
    assert with_record.returncode == 1 and "this one (format 1) has no record_digest" in with_record.stdout


@pytest.mark.parametrize("proof", [fps_proof(), rfc_proof()], ids=["fps format 1", "rfc3797"])
def test_a_field_no_format_defines_is_an_error_not_ignored(proof):
    proof["fixed_price_note"] = "1980000.00"

    problems = verify_proof(proof)

    assert problems and "'fixed_price_note'" in problems[0] and "does not define" in problems[0]


def test_engine_refuses_a_format_2_proof_whose_selected_does_not_fit_its_kind_or_whose_nonce_is_free_length():
    with pytest.raises(ValueError, match="selects 1, not 2"):
        engine.build_proof(project="P", secret=bytes(32), candidates=CANDIDATES, public_inputs=[], selected=2,
                           input_commitments=[], metadata={"kind": "fixed-price"}, proof_format=2)
    with pytest.raises(ValueError, match="32 lower-case hex"):
        engine.build_proof(project="P", secret=bytes(32), candidates=CANDIDATES, public_inputs=INPUTS[:1],
                           selected=1, metadata={"kind": "fixed-price"}, proof_format=2, input_commitments=[
                               {"source": INPUTS[0]["source"], "nonce": "n",
                                "commitment": engine.input_commitment("n", INPUTS[0]["value"])}])
