from decimal import Decimal as D

import pytest

from evaluation.auction_rules import (
    AuctionError,
    AuctionRules,
    LogEntry,
    hammer,
    parse_amount,
    register_bidders,
    replay,
)

RULES = AuctionRules(starting_price=D("1000000.00"), increment=D("50000.00"), reserve_price=D("1100000.00"))
REGISTRY = register_bidders([("001", "Minjiang Land Co"), ("002", "Haixi Property Co")])


def _log(*bids: tuple[str, object]) -> list[LogEntry]:
    return [LogEntry(seq, number, amount) for seq, (number, amount) in enumerate(bids, start=1)]


def test_the_highest_bid_over_the_reserve_is_the_hammer_price_and_its_bidder_wins():
    log = _log(("001", "1000000.00"), ("002", "1050000.00"), ("001", D("1150000.00")))

    outcome = hammer(RULES, REGISTRY, log)

    assert (outcome.sold, outcome.hammer_price, outcome.winner, outcome.winner_number) == (
        True, D("1150000.00"), "Minjiang Land Co", "001",
    )
    assert [b.amount for b in outcome.bids] == [D("1000000.00"), D("1050000.00"), D("1150000.00")]


def test_a_highest_bid_below_the_reserve_fails_the_auction():
    outcome = hammer(RULES, REGISTRY, _log(("001", "1000000.00"), ("002", "1050000.00")))

    assert (outcome.sold, outcome.hammer_price, outcome.winner, outcome.reason) == (
        False, None, None, "reserve price not met",
    )


def test_an_auction_without_bids_fails():
    outcome = hammer(RULES, REGISTRY, [])

    assert (outcome.sold, outcome.reason) == (False, "no bids")


def test_without_a_reserve_any_valid_bid_sells():
    rules = AuctionRules(starting_price=D("500.00"), increment=D("10.00"))

    outcome = hammer(rules, REGISTRY, _log(("002", "500.00")))

    assert (outcome.sold, outcome.hammer_price, outcome.winner) == (True, D("500.00"), "Haixi Property Co")


def test_a_first_bid_below_the_starting_price_is_refused():
    with pytest.raises(AuctionError, match="entry 1: bid 999999.99 is below 1000000.00, the starting price"):
        replay(RULES, REGISTRY, _log(("001", "999999.99")))


def test_a_bid_below_the_current_bid_plus_the_increment_is_refused():
    # current 1,000,000.00 + increment 50,000.00 = 1,050,000.00 at least
    with pytest.raises(AuctionError, match="entry 2: bid 1049999.99 is below 1050000.00, the current bid plus"):
        replay(RULES, REGISTRY, _log(("001", "1000000.00"), ("002", "1049999.99")))


def test_a_bid_from_an_unregistered_number_is_refused():
    with pytest.raises(AuctionError, match="entry 1: bidder number 007 is not registered"):
        replay(RULES, REGISTRY, _log(("007", "1000000.00")))


def test_a_gap_in_the_log_numbering_is_refused():
    log = [LogEntry(1, "001", "1000000.00"), LogEntry(3, "002", "1100000.00")]

    with pytest.raises(AuctionError, match="bid log entry 3 where entry 2 was due"):
        replay(RULES, REGISTRY, log)


def test_a_bidder_number_given_twice_is_refused():
    with pytest.raises(AuctionError, match="bidder number 001 is already held by A Co"):
        register_bidders([("001", "A Co"), ("001", "B Co")])


def test_a_bidder_with_two_numbers_is_refused():
    with pytest.raises(AuctionError, match="bidder A Co already holds bidder number 001"):
        register_bidders([("001", "A Co"), ("002", "A Co")])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("-5.00", "is negative"),
        ("abc", "is not a number"),
        ("", "is not a number"),
        ("NaN", "is not a finite number"),
        ("Infinity", "is not a finite number"),
        ("1000.001", "more than 2 decimal places"),
        (1000.5, "not a float"),
        (True, "not a bool"),
        (None, "is not a number"),
    ],
)
def test_bad_amounts_are_refused_with_a_clear_error(raw, message):
    with pytest.raises(AuctionError, match=message):
        parse_amount(raw)


def test_a_bad_amount_in_the_log_names_the_entry():
    with pytest.raises(AuctionError, match="entry 2: amount '1,10,000' has a comma that does not separate groups of three digits"):
        replay(RULES, REGISTRY, _log(("001", "1000000.00"), ("002", "1,10,000")))


def test_amounts_as_strings_integers_and_decimals_are_the_same_amount():
    assert parse_amount(" 1050000.00 ") == parse_amount(1050000) == parse_amount(D("1050000"))


@pytest.mark.parametrize("field", ["starting_price", "increment"])
def test_a_zero_starting_price_or_increment_is_refused(field):
    values = {"starting_price": D("100.00"), "increment": D("10.00"), field: D("0")}

    with pytest.raises(AuctionError, match="must be more than zero"):
        AuctionRules(**values)
