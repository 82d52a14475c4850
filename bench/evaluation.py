"""Cost of ``evaluation.scoring`` (Decimal, validated, rounded half-up at the documented points) against the
same comprehensive-scoring numbers computed in plain Python floats and loops, in the same run, on 200 bids ×
9 experts × 20 criteria (36,000 scores). Both must give the same ranking order.

    .venv/bin/python bench/evaluation.py [--bids 200] [--experts 9] [--criteria 20] [--repeat 3]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluation.scoring import (  # noqa: E402
    Bid,
    ComprehensiveMethod,
    Criterion,
    CriterionKind,
    Score,
    score_comprehensive,
)

PRICE_WEIGHT = 30
MAX_SCORES = (10, 5, 20)


def make_case(bids: int, experts: int, criteria: int, seed: int = 5):
    rng = random.Random(seed)
    weights = [4 if i % 2 else 3 for i in range(criteria)]  # 20 criteria: 70 points, with price 100
    specs = [
        (f"K{i:02}", CriterionKind.TECHNICAL if i < criteria * 3 // 4 else CriterionKind.COMMERCIAL,
         weights[i], MAX_SCORES[i % len(MAX_SCORES)])
        for i in range(criteria)
    ]
    start = datetime(2025, 3, 1, 1, tzinfo=UTC)
    bid_rows = [(f"B{b:03}", rng.randrange(80_000_000, 100_000_000), start + timedelta(seconds=rng.randrange(86_400)))
                for b in range(bids)]  # prices in cents
    panel = [f"E{e}" for e in range(experts)]
    scores = {}  # tenths of a point: each bid has a quality per criterion, each expert judges it with noise
    for b, _, _ in bid_rows:
        for code, _, _, top in specs:
            quality = rng.uniform(0.5, 0.95) * top
            for e in panel:
                scores[e, b, code] = min(top * 10, max(0, round(rng.gauss(quality, 0.08 * top) * 10)))
    return specs, bid_rows, panel, scores


def module_inputs(specs, bid_rows, panel, scores):
    """The same case as the module's typed Decimal inputs (built outside the timing)."""
    method = ComprehensiveMethod(
        Decimal(PRICE_WEIGHT),
        tuple(Criterion(code, kind, Decimal(weight), Decimal(top)) for code, kind, weight, top in specs),
    )
    bids = [Bid(bidder, Decimal(cents).scaleb(-2), at) for bidder, cents, at in bid_rows]
    rows = [Score(e, b, code, Decimal(tenths).scaleb(-1)) for (e, b, code), tenths in scores.items()]
    return method, bids, rows, panel


def with_module(method, bids, rows, panel):
    result = score_comprehensive(method, bids, rows, experts=panel)
    return [s.bid.bidder for s in result.ranking], len(result.outliers)


def cents(value: float) -> int:
    """Half-up to whole cents; the epsilon absorbs binary error at exact halves (0.035 is 0.034999…)."""
    return math.floor(value * 100 + 0.5 + 1e-9)


def plain(specs, bid_rows, panel, scores):
    lowest = min(price for _, price, _ in bid_rows) / 100
    outliers, keyed = 0, []
    for bidder, price_cents, at in bid_rows:
        price = price_cents / 100
        total = cents(lowest / price * PRICE_WEIGHT)
        technical = 0
        for code, kind, weight, top in specs:
            values = [scores[e, bidder, code] / 10 for e in panel]
            mean = sum(values) / len(values)
            outliers += sum(1 for v in values if abs(v - mean) > 0.2 * top + 1e-9)
            points = cents(cents(mean) / 100 / top * weight)
            total += points
            if kind == CriterionKind.TECHNICAL:
                technical += points
        keyed.append((-total, price_cents, -technical, at, bidder))
    keyed.sort()
    return [row[-1] for row in keyed], outliers, len(keyed) - len({row[0] for row in keyed})


def best_of(repeat: int, work):
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        timings.append(time.perf_counter() - started)
    return min(timings), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bids", type=int, default=200)
    parser.add_argument("--experts", type=int, default=9)
    parser.add_argument("--criteria", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    case = make_case(args.bids, args.experts, args.criteria)
    inputs = module_inputs(*case)
    module_seconds, (module_order, module_outliers) = best_of(args.repeat, lambda: with_module(*inputs))
    plain_seconds, (plain_order, plain_outliers, ties) = best_of(args.repeat, lambda: plain(*case))

    assert module_order == plain_order, "the module and the plain computation rank differently"
    assert module_outliers == plain_outliers, (module_outliers, plain_outliers)
    scores = args.bids * args.experts * args.criteria
    print(f"{args.bids} bids x {args.experts} experts x {args.criteria} criteria = {scores} scores, "
          f"{module_outliers} outlier flags, {ties} bids tied on total, same ranking order in both (best of {args.repeat})")
    print(f"evaluation.scoring (Decimal, validated): {module_seconds * 1000:.1f} ms")
    print(f"plain floats and loops:                  {plain_seconds * 1000:.1f} ms")
    print(f"ratio: the module takes {module_seconds / plain_seconds:.1f}x the plain computation's time")


if __name__ == "__main__":
    main()
