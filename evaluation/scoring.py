"""Bid evaluation arithmetic: comprehensive scoring (综合评估法) and lowest evaluated price (经评审的最低投标价法).

Pure: no Django, ``Decimal`` only (a float anywhere is refused). Figures are rounded ROUND_HALF_UP to 2 places
at exactly these points, so anyone can recompute a published report from the figures printed in it:

- the price score, ``lowest valid bid / bid × price weight``;
- a criterion's panel score (the experts' scores aggregated, mean or trimmed mean);
- a criterion's points, ``panel score / max score × weight`` (computed from the rounded panel score);
- the total is the exact sum of those rounded figures.

A bid is invalid before any score is computed when its price is over the ceiling (最高投标限价), not positive,
or it failed the qualifying review; invalid bids get no price score and do not set the lowest price.

Ties. Comprehensive scoring: higher total, then lower bid price, then higher technical points, then earlier
submission, then bidder identifier. Lowest evaluated price: lower evaluated price, then lower bid price, then
earlier submission, then bidder identifier. The identifier makes the order total and reproducible.

Winning candidates are the first three of the ranking; with fewer than three valid bids, as many as there
are (none when no bid is valid) — whether that many may be awarded is the procedure's decision, not this
module's.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
WINNING_CANDIDATES = 3
DEFAULT_OUTLIER_SHARE = Decimal("0.20")


def q2(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal(value: object, what: str) -> Decimal:
    if not isinstance(value, Decimal) or not value.is_finite():
        raise TypeError(f"{what} must be a finite Decimal, got {value!r}")
    return value


class CriterionKind(enum.StrEnum):
    TECHNICAL = "technical"
    COMMERCIAL = "commercial"


class Aggregation(enum.StrEnum):
    MEAN = "mean"
    TRIMMED_MEAN = "trimmed_mean"  # 去掉一个最高分和一个最低分; needs at least 5 experts


@dataclass(frozen=True)
class Criterion:
    code: str
    kind: CriterionKind
    weight: Decimal  # points at full marks
    max_score: Decimal  # the most an expert may give

    def __post_init__(self) -> None:
        if _decimal(self.weight, f"weight of {self.code}") < 0:
            raise ValueError(f"criterion {self.code}: weight must not be negative")
        if _decimal(self.max_score, f"max score of {self.code}") <= 0:
            raise ValueError(f"criterion {self.code}: max score must be positive")


@dataclass(frozen=True)
class Bid:
    bidder: str
    price: Decimal
    submitted_at: datetime


@dataclass(frozen=True)
class Score:
    expert: str
    bidder: str
    criterion: str
    value: Decimal


@dataclass(frozen=True)
class InvalidBid:
    bidder: str
    reason: str


@dataclass(frozen=True)
class Outlier:
    expert: str
    bidder: str
    criterion: str
    score: Decimal
    panel_mean: Decimal  # 2 places, for display
    deviation: Decimal  # |score - exact mean|, 2 places
    limit: Decimal  # share × max score


@dataclass(frozen=True)
class CriterionResult:
    criterion: str
    kind: CriterionKind
    panel_score: Decimal
    points: Decimal


@dataclass(frozen=True)
class ScoredBid:
    rank: int
    bid: Bid
    price_score: Decimal
    criteria: tuple[CriterionResult, ...]
    technical: Decimal
    commercial: Decimal
    total: Decimal


@dataclass(frozen=True)
class ComprehensiveResult:
    ranking: tuple[ScoredBid, ...]
    invalid: tuple[InvalidBid, ...]
    outliers: tuple[Outlier, ...]
    lowest_valid_price: Decimal | None

    @property
    def winning_candidates(self) -> tuple[ScoredBid, ...]:
        return self.ranking[:WINNING_CANDIDATES]


@dataclass(frozen=True)
class Adjustment:
    """A documented change to a bid's price for evaluation only (e.g. pricing a missing item)."""

    amount: Decimal
    reason: str


@dataclass(frozen=True)
class PricedBid:
    rank: int
    bid: Bid
    adjustments: tuple[Adjustment, ...]
    evaluated_price: Decimal


@dataclass(frozen=True)
class LowestPriceResult:
    ranking: tuple[PricedBid, ...]
    invalid: tuple[InvalidBid, ...]

    @property
    def winning_candidates(self) -> tuple[PricedBid, ...]:
        return self.ranking[:WINNING_CANDIDATES]


class MissingScores(ValueError):
    def __init__(self, missing: Sequence[tuple[str, str, str]]) -> None:
        self.missing = tuple(missing)
        shown = ", ".join(f"expert {e} / bid {b} / criterion {c}" for e, b, c in self.missing[:5])
        more = f" and {len(self.missing) - 5} more" if len(self.missing) > 5 else ""
        super().__init__(f"{len(self.missing)} scores missing: {shown}{more}")


# --- validity ---------------------------------------------------------------------------------------


def screen_bids(
    bids: Iterable[Bid], *, ceiling: Decimal | None, failed_review: Mapping[str, str] | None = None
) -> tuple[list[Bid], list[InvalidBid]]:
    """Split bids into valid and invalid (with the reason) before any score is computed."""
    failed_review = failed_review or {}
    valid, invalid, seen = [], [], set()
    for bid in bids:
        price = _decimal(bid.price, f"price of bid {bid.bidder}")
        if bid.bidder in seen:
            raise ValueError(f"bidder {bid.bidder} has more than one bid")
        seen.add(bid.bidder)
        if price <= 0:
            invalid.append(InvalidBid(bid.bidder, f"bid price {price} is not positive"))
        elif ceiling is not None and price > ceiling:
            invalid.append(InvalidBid(bid.bidder, f"bid price {price} is over the ceiling price {ceiling}"))
        elif bid.bidder in failed_review:
            invalid.append(
                InvalidBid(bid.bidder, f"failed the qualifying review: {failed_review[bid.bidder]}")
            )
        else:
            valid.append(bid)
    return valid, invalid


def price_score(lowest: Decimal, price: Decimal, price_weight: Decimal) -> Decimal:
    return q2(lowest / price * price_weight)


# --- expert scores ----------------------------------------------------------------------------------


def _score_table(
    scores: Iterable[Score],
    *,
    experts: Sequence[str],
    bidders: set[str],
    criteria: Mapping[str, Criterion],
) -> dict[tuple[str, str], list[Decimal]]:
    """Scores per (bidder, criterion), in panel order; every range, duplicate and gap refused."""
    known_experts, given = set(experts), {}
    for score in scores:
        where = f"expert {score.expert}, bid {score.bidder}, criterion {score.criterion}"
        if score.expert not in known_experts:
            raise ValueError(f"score from {where}: expert is not on the panel")
        if score.criterion not in criteria:
            raise ValueError(f"score from {where}: unknown criterion")
        if score.bidder not in bidders:
            continue  # a score for an invalid bid counts for nothing
        value = _decimal(score.value, f"score from {where}")
        maximum = criteria[score.criterion].max_score
        if not 0 <= value <= maximum:
            raise ValueError(f"score {value} from {where} is outside 0..{maximum}")
        key = (score.expert, score.bidder, score.criterion)
        if key in given:
            raise ValueError(f"two scores from {where}")
        given[key] = value
    missing = [
        (e, b, c) for b in sorted(bidders) for c in criteria for e in experts if (e, b, c) not in given
    ]
    if missing:
        raise MissingScores(missing)
    return {(b, c): [given[e, b, c] for e in experts] for b in bidders for c in criteria}


def aggregate(values: Sequence[Decimal], method: Aggregation) -> Decimal:
    """The panel's score on one criterion, before rounding."""
    if method == Aggregation.TRIMMED_MEAN:
        if len(values) < 5:
            raise ValueError(f"a trimmed mean needs at least 5 experts, got {len(values)}")
        values = sorted(values)[1:-1]
    return sum(values, Decimal(0)) / len(values)


def find_outliers(
    table: Mapping[tuple[str, str], Sequence[Decimal]],
    *,
    experts: Sequence[str],
    criteria: Mapping[str, Criterion],
    share: Decimal = DEFAULT_OUTLIER_SHARE,
) -> list[Outlier]:
    """Experts whose score is further from the panel mean than ``share`` of the criterion's max score."""
    outliers = []
    for (bidder, code), values in sorted(table.items()):
        mean = sum(values, Decimal(0)) / len(values)
        limit = share * criteria[code].max_score
        for expert, value in zip(experts, values, strict=True):
            if abs(value - mean) > limit:
                outliers.append(Outlier(expert, bidder, code, value, q2(mean), q2(abs(value - mean)), limit))
    return outliers


# --- comprehensive scoring --------------------------------------------------------------------------


@dataclass(frozen=True)
class ComprehensiveMethod:
    price_weight: Decimal
    criteria: tuple[Criterion, ...]
    aggregation: Aggregation = Aggregation.MEAN
    outlier_share: Decimal = DEFAULT_OUTLIER_SHARE
    ceiling: Decimal | None = None

    def __post_init__(self) -> None:
        if _decimal(self.price_weight, "price weight") < 0:
            raise ValueError("price weight must not be negative")
        codes = [c.code for c in self.criteria]
        if len(set(codes)) != len(codes):
            raise ValueError(f"criterion codes repeat: {codes}")

    @property
    def by_code(self) -> dict[str, Criterion]:
        return {c.code: c for c in self.criteria}


def _criterion_results(
    method: ComprehensiveMethod, values: Mapping[str, Sequence[Decimal]]
) -> tuple[CriterionResult, ...]:
    results = []
    for criterion in method.criteria:
        panel = q2(aggregate(values[criterion.code], method.aggregation))
        points = q2(panel / criterion.max_score * criterion.weight)
        results.append(CriterionResult(criterion.code, criterion.kind, panel, points))
    return tuple(results)


def _points(results: Iterable[CriterionResult], kind: CriterionKind) -> Decimal:
    return sum((r.points for r in results if r.kind == kind), Decimal(0))


def score_comprehensive(
    method: ComprehensiveMethod,
    bids: Sequence[Bid],
    scores: Iterable[Score],
    *,
    experts: Sequence[str],
    failed_review: Mapping[str, str] | None = None,
) -> ComprehensiveResult:
    valid, invalid = screen_bids(bids, ceiling=method.ceiling, failed_review=failed_review)
    if len(set(experts)) != len(experts) or not experts:
        raise ValueError(f"the panel must list distinct experts, got {list(experts)}")
    table = _score_table(scores, experts=experts, bidders={b.bidder for b in valid}, criteria=method.by_code)
    lowest = min((b.price for b in valid), default=None)
    scored = []
    for bid in valid:
        results = _criterion_results(method, {c: table[bid.bidder, c] for c in method.by_code})
        technical = _points(results, CriterionKind.TECHNICAL)
        commercial = _points(results, CriterionKind.COMMERCIAL)
        price = price_score(lowest, bid.price, method.price_weight)
        scored.append(
            ScoredBid(0, bid, price, results, technical, commercial, price + technical + commercial)
        )
    scored.sort(key=lambda s: (-s.total, s.bid.price, -s.technical, s.bid.submitted_at, s.bid.bidder))
    outliers = find_outliers(table, experts=experts, criteria=method.by_code, share=method.outlier_share)
    return ComprehensiveResult(
        ranking=tuple(_ranked(scored)),
        invalid=tuple(invalid),
        outliers=tuple(outliers),
        lowest_valid_price=lowest,
    )


def _ranked(items: list) -> list:
    return [replace(item, rank=rank) for rank, item in enumerate(items, start=1)]


# --- lowest evaluated price -------------------------------------------------------------------------


def rank_lowest_evaluated_price(
    bids: Sequence[Bid],
    *,
    ceiling: Decimal | None = None,
    failed_review: Mapping[str, str] | None = None,
    adjustments: Mapping[str, Sequence[Adjustment]] | None = None,
) -> LowestPriceResult:
    """Bids that pass the qualifying review, ranked by bid price plus their documented adjustments."""
    adjustments = adjustments or {}
    valid, invalid = screen_bids(bids, ceiling=ceiling, failed_review=failed_review)
    priced = []
    for bid in valid:
        own = tuple(adjustments.get(bid.bidder, ()))
        for adjustment in own:
            _decimal(adjustment.amount, f"adjustment to bid {bid.bidder}")
            if not adjustment.reason.strip():
                raise ValueError(f"an adjustment to bid {bid.bidder} has no documented reason")
        evaluated = q2(bid.price + sum((a.amount for a in own), Decimal(0)))
        priced.append(PricedBid(0, bid, own, evaluated))
    priced.sort(key=lambda p: (p.evaluated_price, p.bid.price, p.bid.submitted_at, p.bid.bidder))
    return LowestPriceResult(ranking=tuple(_ranked(priced)), invalid=tuple(invalid))
