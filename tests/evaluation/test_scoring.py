"""Scoring on examples worked by hand: every expected figure below is computed in the comments, not by the code."""

import subprocess
import sys
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from evaluation.scoring import (
    Adjustment,
    Aggregation,
    Bid,
    ComprehensiveMethod,
    Criterion,
    CriterionKind,
    MissingScores,
    Score,
    price_score,
    rank_lowest_evaluated_price,
    score_comprehensive,
)

ROOT = Path(__file__).resolve().parents[2]
TECH, COMM = CriterionKind.TECHNICAL, CriterionKind.COMMERCIAL
EXPERTS = ("E1", "E2", "E3")


def _at(minute: int) -> datetime:
    return datetime(2025, 3, 1, 9, minute, tzinfo=UTC)


def _scores(table: dict[tuple[str, str], tuple[str, ...]], experts=EXPERTS) -> list[Score]:
    """{(bidder, criterion): (score of E1, score of E2, ...)} → Score rows."""
    return [
        Score(expert, bidder, criterion, D(value))
        for (bidder, criterion), values in table.items()
        for expert, value in zip(experts, values, strict=True)
    ]


# Price 40 + T1 30 + T2 20 + C1 10 = 100 points.
METHOD = ComprehensiveMethod(
    price_weight=D("40"),
    criteria=(
        Criterion("T1", TECH, weight=D("30"), max_score=D("10")),
        Criterion("T2", TECH, weight=D("20"), max_score=D("20")),
        Criterion("C1", COMM, weight=D("10"), max_score=D("5")),
    ),
    ceiling=D("1200000.00"),
)
BIDS = [
    Bid("A", D("900000.00"), _at(0)),
    Bid("B", D("1000000.00"), _at(10)),
    Bid("C", D("950000.00"), _at(20)),
    Bid("D", D("1250000.00"), _at(30)),  # over the ceiling
]
SCORES = _scores({
    ("A", "T1"): ("8", "7", "9"),
    ("A", "T2"): ("15", "16", "14"),
    ("A", "C1"): ("4", "4", "5"),
    ("B", "T1"): ("9", "9", "10"),
    ("B", "T2"): ("18", "19", "17"),
    ("B", "C1"): ("5", "5", "5"),
    ("C", "T1"): ("7", "8", "7"),
    ("C", "T2"): ("16", "15", "17"),
    ("C", "C1"): ("4", "3", "4"),
})


def test_comprehensive_scoring_matches_the_hand_computed_example():
    result = score_comprehensive(METHOD, BIDS, SCORES, experts=EXPERTS)

    # Lowest valid bid 900,000.00 (D is over the ceiling and does not count).
    # A: price 900000/900000*40 = 40.00; T1 (8+7+9)/3 = 8.00 -> 8/10*30 = 24.00;
    #    T2 (15+16+14)/3 = 15.00 -> 15/20*20 = 15.00; C1 13/3 = 4.333 -> 4.33 -> 4.33/5*10 = 8.66
    #    total 40 + 24 + 15 + 8.66 = 87.66
    # B: price 900000/1000000*40 = 36.00; T1 28/3 = 9.333 -> 9.33 -> 9.33/10*30 = 27.99;
    #    T2 54/3 = 18.00 -> 18.00; C1 5.00 -> 10.00; total 36 + 27.99 + 18 + 10 = 91.99
    # C: price 900000/950000*40 = 37.8947.. -> 37.89; T1 22/3 = 7.333 -> 7.33 -> 21.99;
    #    T2 48/3 = 16.00 -> 16.00; C1 11/3 = 3.667 -> 3.67 -> 3.67/5*10 = 7.34
    #    total 37.89 + 21.99 + 16 + 7.34 = 83.22
    summary = [(s.rank, s.bid.bidder, s.price_score, s.technical, s.commercial, s.total) for s in result.ranking]
    assert summary == [
        (1, "B", D("36.00"), D("45.99"), D("10.00"), D("91.99")),
        (2, "A", D("40.00"), D("39.00"), D("8.66"), D("87.66")),
        (3, "C", D("37.89"), D("37.99"), D("7.34"), D("83.22")),
    ]
    assert [(c.criterion, c.panel_score, c.points) for c in result.ranking[2].criteria] == [
        ("T1", D("7.33"), D("21.99")),
        ("T2", D("16.00"), D("16.00")),
        ("C1", D("3.67"), D("7.34")),
    ]
    assert result.lowest_valid_price == D("900000.00")


def test_a_bid_over_the_ceiling_is_invalid_with_its_reason_and_sets_no_lowest_price():
    result = score_comprehensive(METHOD, BIDS, SCORES, experts=EXPERTS)

    assert [(i.bidder, i.reason) for i in result.invalid] == [
        ("D", "bid price 1250000.00 is over the ceiling price 1200000.00")
    ]
    assert "D" not in [s.bid.bidder for s in result.ranking]


def test_a_bid_that_failed_the_qualifying_review_is_excluded_before_the_price_score():
    # Without A, the lowest valid bid is C at 950,000.00: B gets 950000/1000000*40 = 38.00, C gets 40.00.
    result = score_comprehensive(METHOD, BIDS, SCORES, experts=EXPERTS, failed_review={"A": "no safety licence"})

    assert {s.bid.bidder: s.price_score for s in result.ranking} == {"B": D("38.00"), "C": D("40.00")}
    assert ("A", "failed the qualifying review: no safety licence") in [(i.bidder, i.reason) for i in result.invalid]


def test_the_top_three_are_the_winning_candidates():
    result = score_comprehensive(METHOD, BIDS, SCORES, experts=EXPERTS)

    assert [s.bid.bidder for s in result.winning_candidates] == ["B", "A", "C"]


def test_with_fewer_than_three_valid_bids_every_valid_bid_is_a_candidate():
    result = score_comprehensive(METHOD, BIDS, SCORES, experts=EXPERTS, failed_review={"C": "expired licence"})

    assert [s.bid.bidder for s in result.winning_candidates] == ["B", "A"]


def test_with_no_valid_bid_there_is_no_candidate():
    result = score_comprehensive(METHOD, [Bid("D", D("1250000.00"), _at(0))], [], experts=EXPERTS)

    assert result.winning_candidates == ()
    assert result.lowest_valid_price is None


def test_price_score_rounds_half_up():
    # 1 / 8 * 1 = 0.125 exactly: half-up gives 0.13 (banker's rounding would give 0.12).
    assert price_score(D("1"), D("8"), D("1")) == D("0.13")


def _one_criterion(weight="80", max_score="80", kind=TECH, price_weight="20"):
    return ComprehensiveMethod(D(price_weight), (Criterion("K", kind, D(weight), D(max_score)),))


def test_equal_totals_rank_the_lower_bid_price_first():
    # X: price 20.00 + K 60.00 = 80.00; Y: 1000/1250*20 = 16.00 + 64.00 = 80.00 -> tie, X is cheaper.
    bids = [Bid("Y", D("1250.00"), _at(0)), Bid("X", D("1000.00"), _at(5))]
    scores = _scores({("X", "K"): ("60", "60", "60"), ("Y", "K"): ("64", "64", "64")})

    result = score_comprehensive(_one_criterion(), bids, scores, experts=EXPERTS)

    assert [(s.bid.bidder, s.total) for s in result.ranking] == [("X", D("80.00")), ("Y", D("80.00"))]


def test_equal_totals_and_prices_rank_the_higher_technical_score_first():
    # Same price (20.00 each). X: T 50 + C 10 = 80.00; Y: T 55 + C 5 = 80.00 -> Y has more technical points.
    method = ComprehensiveMethod(
        D("20"), (Criterion("T", TECH, D("60"), D("60")), Criterion("C", COMM, D("20"), D("20")))
    )
    bids = [Bid("X", D("1000.00"), _at(0)), Bid("Y", D("1000.00"), _at(5))]
    scores = _scores({
        ("X", "T"): ("50", "50", "50"), ("X", "C"): ("10", "10", "10"),
        ("Y", "T"): ("55", "55", "55"), ("Y", "C"): ("5", "5", "5"),
    })

    result = score_comprehensive(method, bids, scores, experts=EXPERTS)

    assert [s.bid.bidder for s in result.ranking] == ["Y", "X"]


def test_identical_bids_rank_the_earlier_submission_then_the_identifier_first():
    bids = [Bid("late", D("1000.00"), _at(9)), Bid("zeta", D("1000.00"), _at(1)), Bid("alpha", D("1000.00"), _at(1))]
    scores = _scores({(b, "K"): ("70", "70", "70") for b in ("late", "zeta", "alpha")})

    result = score_comprehensive(_one_criterion(), bids, scores, experts=EXPERTS)

    assert [s.bid.bidder for s in result.ranking] == ["alpha", "zeta", "late"]


def test_a_trimmed_mean_drops_one_highest_and_one_lowest_score():
    # (2, 7, 8, 9, 10) without 2 and 10: (7 + 8 + 9) / 3 = 8.00 -> 8/10*50 = 40.00
    experts = ("E1", "E2", "E3", "E4", "E5")
    method = ComprehensiveMethod(
        D("50"), (Criterion("K", TECH, D("50"), D("10")),), aggregation=Aggregation.TRIMMED_MEAN
    )
    scores = _scores({("X", "K"): ("2", "7", "8", "9", "10")}, experts=experts)

    result = score_comprehensive(method, [Bid("X", D("1.00"), _at(0))], scores, experts=experts)

    assert result.ranking[0].criteria[0].points == D("40.00")


def test_a_score_outside_the_criterion_range_names_expert_bid_and_criterion():
    scores = [s if (s.expert, s.bidder, s.criterion) != ("E2", "B", "T1") else Score("E2", "B", "T1", D("10.5"))
              for s in SCORES]

    with pytest.raises(ValueError, match=r"score 10.5 from expert E2, bid B, criterion T1 is outside 0..10"):
        score_comprehensive(METHOD, BIDS, scores, experts=EXPERTS)


def test_a_negative_score_is_refused():
    scores = [*SCORES[1:], Score("E1", "A", "T1", D("-1"))]

    with pytest.raises(ValueError, match="expert E1, bid A, criterion T1 is outside"):
        score_comprehensive(METHOD, BIDS, scores, experts=EXPERTS)


def test_a_float_score_is_refused():
    scores = [*SCORES[1:], Score("E1", "A", "T1", 8.0)]

    with pytest.raises(TypeError, match="must be a finite Decimal"):
        score_comprehensive(METHOD, BIDS, scores, experts=EXPERTS)


def test_missing_scores_are_listed():
    scores = [s for s in SCORES if (s.expert, s.bidder, s.criterion) != ("E3", "C", "C1")]

    with pytest.raises(MissingScores) as excinfo:
        score_comprehensive(METHOD, BIDS, scores, experts=EXPERTS)

    assert excinfo.value.missing == (("E3", "C", "C1"),)
    assert "expert E3 / bid C / criterion C1" in str(excinfo.value)


def test_a_second_score_for_the_same_expert_bid_and_criterion_is_refused():
    with pytest.raises(ValueError, match="two scores from expert E1, bid A, criterion T1"):
        score_comprehensive(METHOD, BIDS, [*SCORES, Score("E1", "A", "T1", D("8"))], experts=EXPERTS)


def test_a_score_from_an_expert_not_on_the_panel_is_refused():
    with pytest.raises(ValueError, match="expert E9, bid A, criterion T1: expert is not on the panel"):
        score_comprehensive(METHOD, BIDS, [*SCORES, Score("E9", "A", "T1", D("8"))], experts=EXPERTS)


def test_an_expert_further_from_the_panel_mean_than_the_share_of_max_score_is_flagged():
    # Max 10, share 0.20 -> limit 2.00. Scores 8, 8, 8, 8, 3: mean 35/5 = 7.00; deviations 1, 1, 1, 1, 4.
    experts = ("E1", "E2", "E3", "E4", "E5")
    scores = _scores({("X", "K"): ("8", "8", "8", "8", "3")}, experts=experts)
    method = _one_criterion(weight="10", max_score="10")

    result = score_comprehensive(method, [Bid("X", D("1.00"), _at(0))], scores, experts=experts)

    assert [(o.expert, o.bidder, o.criterion, o.score, o.panel_mean, o.deviation, o.limit) for o in result.outliers] == [
        ("E5", "X", "K", D("3"), D("7.00"), D("4.00"), D("2.00"))
    ]


def test_a_deviation_of_exactly_the_share_is_not_an_outlier():
    # Max 10, limit 2.00. Scores 6, 8, 10: mean 8, deviations 2, 0, 2 -> none is *more* than 2.
    scores = _scores({("X", "K"): ("6", "8", "10")})

    result = score_comprehensive(
        _one_criterion(weight="10", max_score="10"), [Bid("X", D("1.00"), _at(0))], scores, experts=EXPERTS
    )

    assert result.outliers == ()


def test_the_outlier_share_is_a_parameter():
    # Max 10, share 0.05 -> limit 0.50. Scores 6, 8, 10: deviations 2, 0, 2 -> E1 and E3.
    method = ComprehensiveMethod(D("0"), (Criterion("K", TECH, D("10"), D("10")),), outlier_share=D("0.05"))
    scores = _scores({("X", "K"): ("6", "8", "10")})

    result = score_comprehensive(method, [Bid("X", D("1.00"), _at(0))], scores, experts=EXPERTS)

    assert [(o.expert, o.limit) for o in result.outliers] == [("E1", D("0.50")), ("E3", D("0.50"))]


def test_lowest_evaluated_price_ranks_by_price_plus_adjustments_with_stated_tiebreaks():
    bids = [
        Bid("A", D("480000.00"), _at(0)),
        Bid("B", D("490000.00"), _at(30)),
        Bid("C", D("470000.00"), _at(0)),
        Bid("D", D("510000.00"), _at(0)),
        Bid("E", D("485000.00"), _at(40)),
        Bid("F", D("490000.00"), _at(10)),
    ]
    adjustments = {
        "A": [Adjustment(D("25000.00"), "missing item priced at the highest other bid")],
        "E": [Adjustment(D("3000.00"), "warranty shortfall"), Adjustment(D("2000.00"), "delivery deviation")],
    }

    result = rank_lowest_evaluated_price(
        bids, ceiling=D("500000.00"), failed_review={"C": "no qualification grade"}, adjustments=adjustments
    )

    # A 480,000 + 25,000 = 505,000.00; B 490,000.00; E 485,000 + 3,000 + 2,000 = 490,000.00; F 490,000.00.
    # B, E, F tie at 490,000.00: E has the lowest raw bid (485,000); F and B tie on raw bid, F came earlier.
    assert [(p.rank, p.bid.bidder, p.evaluated_price) for p in result.ranking] == [
        (1, "E", D("490000.00")),
        (2, "F", D("490000.00")),
        (3, "B", D("490000.00")),
        (4, "A", D("505000.00")),
    ]
    assert [p.bid.bidder for p in result.winning_candidates] == ["E", "F", "B"]
    assert [(i.bidder, i.reason) for i in result.invalid] == [
        ("C", "failed the qualifying review: no qualification grade"),
        ("D", "bid price 510000.00 is over the ceiling price 500000.00"),
    ]


def test_an_adjustment_without_a_reason_is_refused():
    with pytest.raises(ValueError, match="an adjustment to bid A has no documented reason"):
        rank_lowest_evaluated_price(
            [Bid("A", D("1.00"), _at(0))], adjustments={"A": [Adjustment(D("5.00"), " ")]}
        )


def test_a_bidder_with_two_bids_is_refused():
    with pytest.raises(ValueError, match="bidder A has more than one bid"):
        rank_lowest_evaluated_price([Bid("A", D("1.00"), _at(0)), Bid("A", D("2.00"), _at(1))])


def test_the_pure_evaluation_cores_import_no_django():
    code = (
        "import sys, evaluation.scoring, evaluation.sealing, evaluation.auction_rules; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    )

    shown = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)

    assert shown.stdout.strip() == "[]"
