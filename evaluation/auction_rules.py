"""Land and asset auction rules (拍卖), checked over the append-only bid log. Pure: no Django.

- Each bidder (竞买人) registers once and holds one bidder number (竞买号牌); a number belongs to one bidder.
- The first bid is at least the starting price; every later bid is at least the current bid plus the
  increment (加价幅度). Amounts are CNY with at most 2 decimal places (core.money); negative, non-numeric,
  non-finite and float amounts are refused with an error naming the amount.
- The log is numbered 1, 2, 3 … with no gap: an entry is only ever appended.
- At the hammer: no bid, or a highest bid below the reserve price (保留价), and the auction fails (流拍);
  otherwise the highest bid is the hammer price (落槌价) and its bidder the winner.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from core.money import MoneyError, to_amount


class AuctionError(ValueError):
    """A bid or a rule the auction refuses; the message says which and why."""


def parse_amount(raw: object, *, what: str = "amount") -> Decimal:
    """A CNY amount from a Decimal, an int or a decimal string, by the platform's one money parser (which imports
    no database); anything else refused, naming the amount."""
    try:
        return to_amount(raw)
    except MoneyError as error:
        raise AuctionError(f"{what} {raw!r} {error}") from None


@dataclass(frozen=True)
class AuctionRules:
    starting_price: Decimal
    increment: Decimal
    reserve_price: Decimal | None = None  # secret until the hammer; None: no reserve

    def __post_init__(self) -> None:
        for name in ("starting_price", "increment"):
            value = parse_amount(getattr(self, name), what=name.replace("_", " "))
            if value == 0:
                raise AuctionError(f"{name.replace('_', ' ')} must be more than zero")
            object.__setattr__(self, name, value)
        if self.reserve_price is not None:
            object.__setattr__(self, "reserve_price", parse_amount(self.reserve_price, what="reserve price"))


@dataclass(frozen=True)
class Registry:
    """Bidder number → bidder, one number per bidder."""

    numbers: dict[str, str]


def register_bidders(registrations: Iterable[tuple[str, str]]) -> Registry:
    """``(bidder_number, bidder)`` pairs; a number twice or a bidder twice is refused."""
    numbers: dict[str, str] = {}
    holders: dict[str, str] = {}
    for number, bidder in registrations:
        if not number.strip():
            raise AuctionError(f"bidder {bidder} has an empty bidder number")
        if number in numbers:
            raise AuctionError(f"bidder number {number} is already held by {numbers[number]}")
        if bidder in holders:
            raise AuctionError(f"bidder {bidder} already holds bidder number {holders[bidder]}")
        numbers[number], holders[bidder] = bidder, number
    return Registry(numbers)


@dataclass(frozen=True)
class LogEntry:
    seq: int
    bidder_number: str
    amount: object  # as entered; parsed by the rules


@dataclass(frozen=True)
class AcceptedBid:
    seq: int
    bidder_number: str
    bidder: str
    amount: Decimal


@dataclass(frozen=True)
class Outcome:
    sold: bool
    hammer_price: Decimal | None
    winner: str | None
    winner_number: str | None
    reason: str
    bids: tuple[AcceptedBid, ...]


def minimum_next_bid(rules: AuctionRules, accepted: Sequence[AcceptedBid]) -> Decimal:
    return accepted[-1].amount + rules.increment if accepted else rules.starting_price


def accept_bid(
    rules: AuctionRules, registry: Registry, accepted: Sequence[AcceptedBid], entry: LogEntry
) -> AcceptedBid:
    """The next entry of the log, checked against everything before it."""
    expected_seq = len(accepted) + 1
    if entry.seq != expected_seq:
        raise AuctionError(f"bid log entry {entry.seq} where entry {expected_seq} was due (append-only log)")
    if entry.bidder_number not in registry.numbers:
        raise AuctionError(f"entry {entry.seq}: bidder number {entry.bidder_number} is not registered")
    amount = parse_amount(entry.amount, what=f"entry {entry.seq}: amount")
    minimum = minimum_next_bid(rules, accepted)
    if amount < minimum:
        rule = "the current bid plus the increment" if accepted else "the starting price"
        raise AuctionError(f"entry {entry.seq}: bid {amount} is below {minimum}, {rule}")
    return AcceptedBid(entry.seq, entry.bidder_number, registry.numbers[entry.bidder_number], amount)


def replay(rules: AuctionRules, registry: Registry, log: Iterable[LogEntry]) -> tuple[AcceptedBid, ...]:
    """Check a whole log from the start; the first bad entry raises."""
    accepted: list[AcceptedBid] = []
    for entry in log:
        accepted.append(accept_bid(rules, registry, accepted, entry))
    return tuple(accepted)


def hammer(rules: AuctionRules, registry: Registry, log: Iterable[LogEntry]) -> Outcome:
    bids = replay(rules, registry, log)
    if not bids:
        return Outcome(False, None, None, None, "no bids", bids)
    highest = bids[-1]
    if rules.reserve_price is not None and highest.amount < rules.reserve_price:
        return Outcome(False, None, None, None, "reserve price not met", bids)
    return Outcome(True, highest.amount, highest.bidder, highest.bidder_number, "sold", bids)
