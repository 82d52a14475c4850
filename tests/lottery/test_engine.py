"""The pure draw engine: worked vectors, an independent re-implementation, RFC 3797 §6, bad input,
and properties (determinism, load order, sensitivity of the seed, a chi-square test of first place)."""

import hashlib
import hmac
import json
import random
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lottery import engine

SECRET = bytes(range(32))
PROJECT = "GJ-FPS-2025-0217"
CANDIDATES = ["91510100MA6C000017", "91110000600037341L", "9144030071526726XG", "91330000142916567N",
              "91500000MA5U7AQ91D"]
INPUTS = [{"source": "监督员甲", "value": "4711"}, {"source": "supervisor2", "value": "0815"},
          {"source": "体彩排列五 2025-06-01", "value": "3 9 2 0 7"}]
# Worked vector, cross-checked outside Python: `printf ... | sha256sum` on the canonical JSON and the joined
# identifiers, and `openssl dgst -sha256 -mac HMAC -macopt hexkey:SEED` on each identifier, then `sort`.
VECTOR = {
    "commitment": "630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd",
    "candidates_digest": "1d43f303484cbef45ea9d756e61d41d55eb1c4b0ee23f5c188527ee4e8f98c3c",
    "seed": "ac8393a02b4ca2620cf87787835c19e12106fda874c3d3456745479333e26edd",
    "ranking": ["91500000MA5U7AQ91D", "91510100MA6C000017", "9144030071526726XG", "91110000600037341L",
                "91330000142916567N"],
}
RFC_POOL = ["John", "Mary", "Bashful", "Dopey", "Sleepy", "Grouchy", "Doc", "Sneazy", "Handsome", "Cassandra",
            "Pollyanna", "Pendragon", "Pandora", "Faith", "Hope", "Charity", "Lee", "Longsuffering", "Chastity",
            "Smith", "Pride", "Sloth", "Envy", "Anger", "Kasczynski"]
RFC_SOURCES = [[9319], [2, 5, 12, 8, 10], [9, 18, 26, 34, 41, 45]]
# chi-square critical value for 9 degrees of freedom at p = 0.001 (statistical tables, e.g. NIST/SEMATECH 1.3.6.7.4)
CHI2_9DOF_P001 = 27.877


def reference_draw(project: str, secret: bytes, candidates: list[str], inputs: list[dict]) -> tuple[str, list[str]]:
    """fps-draw-v1 steps 1-5 written again from its specification, sharing no code with lottery.engine."""
    commitment = hashlib.sha256(secret).hexdigest()
    ordered = sorted(candidates)
    digest = hashlib.sha256("\n".join(ordered).encode("utf-8")).hexdigest()
    document = {"protocol": "fps-draw-v1", "project": project, "commitment": commitment, "secret": secret.hex(),
                "candidates_digest": digest, "public_inputs": [{"source": i["source"], "value": i["value"]}
                                                               for i in inputs]}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    seed = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    key = bytes.fromhex(seed)
    ranking = sorted(ordered, key=lambda c: (hmac.new(key, c.encode("utf-8"), hashlib.sha256).hexdigest(), c))
    return seed, ranking


def proof(**changes):
    arguments = {"project": PROJECT, "secret": SECRET, "candidates": CANDIDATES, "public_inputs": INPUTS,
                 "selected": 1} | changes
    return engine.build_proof(**arguments)


# --- fps-draw-v1 worked vector ----------------------------------------------------------------------------------

def test_worked_vector_gives_the_published_commitment_digest_seed_and_ranking():
    result = proof()

    assert {k: result[k] for k in VECTOR} == VECTOR


def test_independent_implementation_agrees_with_the_engine_on_the_worked_vector():
    seed, ranking = reference_draw(PROJECT, SECRET, CANDIDATES, INPUTS)

    assert (seed, ranking) == (VECTOR["seed"], VECTOR["ranking"])


def test_proof_has_every_field_of_step_6_with_sorted_candidates_and_metadata_outside_the_seed():
    with_metadata = proof(metadata={"drawn_at": "2025-06-01T10:00:00+08:00", "video_sha256": "ab" * 32})

    assert with_metadata["candidates"] == sorted(CANDIDATES)
    assert {"protocol", "project", "commitment", "candidates", "candidates_digest", "public_inputs", "secret",
            "seed", "ranking", "selected"} <= set(with_metadata)
    assert with_metadata["protocol"] == "fps-draw-v1" and with_metadata["secret"] == SECRET.hex()
    assert with_metadata["seed"] == proof()["seed"]
    assert with_metadata["metadata"]["video_sha256"] == "ab" * 32


def test_compute_seed_serialises_the_canonical_json_of_step_4():
    canonical = ('{"candidates_digest":"' + "1" * 64 + '","commitment":"' + "2" * 64 + '","project":"项目-1",'
                 '"protocol":"fps-draw-v1","public_inputs":[{"source":"甲","value":"7"}],"secret":"' + "3" * 64 + '"}')

    seed = engine.compute_seed(project="项目-1", commitment="2" * 64, candidates_digest="1" * 64,
                               public_inputs=[{"source": "甲", "value": "7"}], secret_hex="3" * 64)

    assert seed == hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def test_input_commitment_is_sha256_of_nonce_then_value():
    assert engine.input_commitment("n0nce", "42") == hashlib.sha256(b"n0nce42").hexdigest()


def test_new_secret_is_32_random_bytes_and_its_commitment_is_its_sha256():
    first, second = engine.new_secret(), engine.new_secret()

    assert len(first) == 32 and first != second
    assert engine.commitment(first) == hashlib.sha256(first).hexdigest()


def test_input_commitments_are_kept_in_the_proof_in_input_order():
    sealed = [{"source": i["source"], "commitment": engine.input_commitment(f"nonce{n}", i["value"]),
               "nonce": f"nonce{n}"} for n, i in enumerate(INPUTS)]

    result = proof(input_commitments=sealed)

    assert result["input_commitments"] == sealed and result["seed"] == VECTOR["seed"]


def test_an_input_not_revealed_in_time_is_the_empty_string_with_its_sealed_commitment():
    inputs = [{"source": "甲", "value": "4711"}, {"source": "乙", "value": ""}]
    sealed = [{"source": "甲", "commitment": engine.input_commitment("n", "4711"), "nonce": "n"},
              {"source": "乙", "commitment": engine.input_commitment("secret-nonce", "99"), "nonce": ""}]

    result = proof(public_inputs=inputs, input_commitments=sealed)

    assert result["public_inputs"][1] == {"source": "乙", "value": ""}


# --- bad input --------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("changes", "message"), [
    ({"candidates": ["A", "B", "A"]}, "duplicate candidate identifiers: A"),
    ({"candidates": []}, "empty"),
    ({"candidates": ["A", "B\nC"]}, "line break"),
    ({"candidates": ["A", 7]}, "must be a string, not 7"),
    ({"candidates": ["A", ""]}, "non-empty string"),
    ({"selected": 6}, "between 1 and 5"),
    ({"selected": 0}, "between 1 and 5"),
    ({"selected": True}, "whole number"),
    ({"public_inputs": [{"source": "甲", "value": "x" * 65}]}, "at most 64 characters"),
    ({"public_inputs": [{"source": "甲", "value": 4711}]}, "a string value"),
    ({"public_inputs": [{"source": "", "value": "1"}]}, "non-empty source"),
    ({"secret": b"short"}, "32 bytes"),
])
def test_bad_input_is_refused_with_a_clear_value_error(changes, message):
    with pytest.raises(ValueError, match=message):
        proof(**changes)


def test_input_length_limit_is_a_parameter():
    long_value = [{"source": "甲", "value": "9" * 80}]

    result = proof(public_inputs=long_value, max_input_length=80)

    assert result["public_inputs"] == long_value
    with pytest.raises(ValueError, match="at most 79 characters"):
        proof(public_inputs=long_value, max_input_length=79)


@pytest.mark.parametrize(("sealed", "message"), [
    ([{"source": "supervisor2", "commitment": "0" * 64, "nonce": ""}], "same order"),
    ([{"source": "监督员甲", "commitment": hashlib.sha256(b"n4712").hexdigest(), "nonce": "n"}], "does not match"),
    ([], "one input commitment per public input"),
])
def test_input_commitments_that_do_not_fit_the_inputs_are_refused(sealed, message):
    with pytest.raises(ValueError, match=message):
        proof(public_inputs=INPUTS[:1], input_commitments=sealed)


def test_rank_refuses_duplicates_and_a_seed_that_is_not_hex():
    with pytest.raises(ValueError, match="duplicate"):
        engine.rank(VECTOR["seed"], ["A", "A"])
    with pytest.raises(ValueError, match="64 lower-case hex"):
        engine.rank("zz" * 32, ["A"])


# --- properties -------------------------------------------------------------------------------------------------

identifiers = st.lists(st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
                               min_size=1, max_size=20), min_size=1, max_size=25, unique=True)
inputs = st.lists(st.fixed_dictionaries({"source": st.text(min_size=1, max_size=10),
                                         "value": st.text(max_size=64)}), min_size=1, max_size=4)
secrets_ = st.binary(min_size=32, max_size=32)


@given(ids=identifiers, public=inputs, secret=secrets_, project=st.text(min_size=1, max_size=30))
def test_same_inputs_give_the_same_ranking_and_the_independent_implementation_agrees(ids, public, secret, project):
    first = engine.build_proof(project=project, secret=secret, candidates=ids, public_inputs=public, selected=1)
    second = engine.build_proof(project=project, secret=secret, candidates=list(ids), public_inputs=public,
                                selected=1)

    assert first == second
    assert (first["seed"], first["ranking"]) == reference_draw(project, secret, ids, public)


@given(ids=identifiers, secret=secrets_, order=st.randoms(use_true_random=False))
def test_ranking_does_not_depend_on_the_order_candidates_were_loaded(ids, secret, order):
    shuffled = list(ids)
    order.shuffle(shuffled)

    as_loaded = engine.build_proof(project="P", secret=secret, candidates=ids, public_inputs=INPUTS, selected=1)
    reshuffled = engine.build_proof(project="P", secret=secret, candidates=shuffled, public_inputs=INPUTS,
                                    selected=1)

    assert as_loaded == reshuffled
    assert sorted(as_loaded["ranking"]) == sorted(ids)


@given(ids=identifiers, public=inputs, secret=secrets_, data=st.data())
def test_any_changed_input_changes_the_seed(ids, public, secret, data):
    base = {"project": "P", "secret": secret, "candidates": ids, "public_inputs": public, "selected": 1}
    what = data.draw(st.sampled_from(["project", "value", "candidate", "secret"]))
    changed = dict(base)
    if what == "project":
        changed["project"] = "P" + data.draw(st.text(min_size=1, max_size=5))
    elif what == "value":
        n = data.draw(st.integers(0, len(public) - 1))
        new_value = data.draw(st.text(max_size=64).filter(lambda v: v != public[n]["value"]))
        changed["public_inputs"] = [dict(i) for i in public]
        changed["public_inputs"][n]["value"] = new_value
    elif what == "candidate":
        extra = data.draw(st.text(min_size=1, max_size=20).filter(lambda c: "\n" not in c and c not in ids))
        changed["candidates"] = [*ids, extra]
    else:
        changed["secret"] = data.draw(secrets_.filter(lambda s: s != secret))

    assert engine.build_proof(**changed)["seed"] != engine.build_proof(**base)["seed"]


@given(key=st.binary(max_size=64), messages=st.lists(st.binary(max_size=200), max_size=10))
def test_precomputed_hmac_equals_the_standard_hmac(key, messages):
    assert engine.hmac_sha256_many(key, messages) == [hmac.new(key, m, hashlib.sha256).digest() for m in messages]


def test_equal_hmacs_are_ordered_by_identifier(monkeypatch):
    monkeypatch.setattr(engine, "hmac_sha256_many", lambda key, messages: [bytes(32) for _ in messages])

    ranked = engine.rank(VECTOR["seed"], ["C", "A", "B"])
    proved = proof(candidates=["C", "A", "B"])["ranking"]

    assert ranked == proved == ["A", "B", "C"]


def chi_square_uniform(counts: list[int]) -> float:
    expected = sum(counts) / len(counts)
    return sum((c - expected) ** 2 / expected for c in counts)


def test_chi_square_statistic_flags_a_biased_first_place():
    biased = [2600] + [1933] * 9  # candidate 0 wins 13% instead of 10% of 20,000 draws

    assert chi_square_uniform(biased) > CHI2_9DOF_P001


def test_first_place_is_uniform_over_20000_draws_of_a_10_candidate_pool():
    pool = [f"9151010{n:02d}MA6C0000{n:02d}" for n in range(10)]
    draws = random.Random(20250601)  # reproducible random secrets, so the test cannot flake
    counts = dict.fromkeys(pool, 0)
    for _ in range(20_000):
        secret = draws.randbytes(32)
        result = engine.build_proof(project="P", secret=secret, candidates=pool, public_inputs=INPUTS, selected=1)
        counts[result["ranking"][0]] += 1

    assert chi_square_uniform(list(counts.values())) < CHI2_9DOF_P001


# --- rfc3797 ----------------------------------------------------------------------------------------------------

def test_rfc3797_example_gives_the_key_string_of_section_6():
    assert engine.rfc3797_key(RFC_SOURCES) == "9319./2.5.8.10.12./9.18.26.34.41.45./"


def test_rfc3797_example_first_md5_is_the_one_in_section_6():
    counter = (0).to_bytes(2, "big")
    key = engine.rfc3797_key(RFC_SOURCES).encode("ascii")

    assert hashlib.md5(counter + key + counter).hexdigest().upper() == "990DD0A5692A029A98B5E01AA28F3459"


def test_rfc3797_example_gives_the_first_ten_picks_of_section_6():
    picks = engine.rfc3797_select(RFC_POOL, RFC_SOURCES, 10)

    assert picks == ["Lee", "Doc", "Mary", "Charity", "Kasczynski", "Envy", "Sneazy", "Anger", "Chastity", "Pandora"]


def test_rfc3797_picks_are_a_prefix_of_a_longer_selection_and_never_repeat():
    everyone = engine.rfc3797_select(RFC_POOL, RFC_SOURCES, len(RFC_POOL))

    assert everyone[:10] == engine.rfc3797_select(RFC_POOL, RFC_SOURCES, 10)
    assert sorted(everyone) == sorted(RFC_POOL)


@pytest.mark.parametrize(("values", "key"), [
    ([Decimal("2.50"), 3], "2.53./"),
    ([2.5], "2.5/"),
    ([Decimal("0.125"), Decimal("1E+3")], "0.1251000./"),
    ([Decimal("007.100"), 0], "0.7.1/"),
    ([2.5, 10, 1.0], "1.2.510./"),
    ([Decimal("3.0")], "3./"),
    ([1e-7], "0.0000001/"),
])
def test_rfc3797_integers_end_with_a_period_and_fractions_keep_only_their_decimal_point(values, key):
    """RFC 3797 §4 step 1: "a decimal number terminated by a period (or with a period separating the whole from
    the fractional part)"; the reference code prints integers with "%ld." and x.y reals with "%ld.%s", trailing
    zeros stripped. So 2.5 is written 2.5, never 2.5."""
    assert engine.rfc3797_key([values]) == key


def test_rfc3797_fractional_selection_hashes_the_reference_codes_key_string():
    literal = b"2.53./0.125/"  # as the reference code builds it: "float 2.50 3.0" and "float 0.125"
    counter = (0).to_bytes(2, "big")
    expected = int.from_bytes(hashlib.md5(counter + literal + counter).digest(), "big") % len(RFC_POOL)

    picks = engine.rfc3797_select(RFC_POOL, [[Decimal("2.50"), 3], [Decimal("0.125")]], 1)

    assert engine.rfc3797_key([[Decimal("2.50"), 3], [Decimal("0.125")]]) == literal.decode()
    assert picks == [RFC_POOL[expected]]


def test_rfc3797_values_are_sorted_within_a_source_but_sources_keep_their_order():
    assert engine.rfc3797_key([[10, 2.5], [1]]) == "2.510./1./"
    assert engine.rfc3797_key([[1], [10, 2.5]]) == "1./2.510./"


def test_rfc3797_platform_proof_refuses_a_pool_that_is_not_the_published_sorted_list():
    pool = sorted(RFC_POOL)

    with pytest.raises(ValueError, match="sorted candidate list"):
        engine.build_rfc3797_proof(project=PROJECT, pool=RFC_POOL, sources=RFC_SOURCES, k=3,
                                   published_digest=engine.candidates_digest(RFC_POOL))
    with pytest.raises(ValueError, match="sorted candidate list"):
        engine.build_rfc3797_proof(project=PROJECT, pool=pool, sources=RFC_SOURCES, k=3, published_digest="0" * 64)


@pytest.mark.parametrize(("pool", "sources", "k", "message"), [
    (RFC_POOL, RFC_SOURCES, 26, "cannot select 26 from a pool of 25"),
    (RFC_POOL, RFC_SOURCES, 0, "at least 1"),
    ([], RFC_SOURCES, 1, "empty"),
    (["A", "A"], RFC_SOURCES, 1, "duplicate"),
    (RFC_POOL, [[1, -2]], 1, "non-negative"),
    (RFC_POOL, [[1, "2"]], 1, "must be a number"),
    (RFC_POOL, [[True]], 1, "must be a number"),
    (RFC_POOL, [[]], 1, "non-empty list"),
    (RFC_POOL, [], 1, "at least one source"),
])
def test_rfc3797_bad_input_is_refused(pool, sources, k, message):
    with pytest.raises(ValueError, match=message):
        engine.rfc3797_select(pool, sources, k)


def test_rfc3797_refuses_more_than_65535_picks():
    pool = [str(n) for n in range(65_536)]

    with pytest.raises(ValueError, match="at most 65535 picks"):
        engine.rfc3797_select(pool, RFC_SOURCES, 65_536)


def test_rfc3797_proof_carries_pool_sources_k_and_ranking():
    result = engine.build_rfc3797_proof(project=PROJECT, pool=RFC_POOL, sources=RFC_SOURCES, k=3)

    assert result == {"protocol": "rfc3797", "project": PROJECT, "candidates": RFC_POOL, "sources": RFC_SOURCES,
                      "key": "9319./2.5.8.10.12./9.18.26.34.41.45./", "selected": 3,
                      "ranking": ["Lee", "Doc", "Mary"]}


def test_rfc3797_proof_refuses_a_value_a_json_number_cannot_carry_exactly():
    with pytest.raises(ValueError, match="more digits"):
        engine.build_rfc3797_proof(project=PROJECT, pool=RFC_POOL, sources=[[Decimal("0.12345678901234567890")]],
                                   k=1)
