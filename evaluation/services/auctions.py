"""Land and state-asset auctions (拍卖): rules and bidder numbers before the start, an append-only bid log checked
by `evaluation.auction_rules` under a lock on the auction, and the hammer (reserve not met: 流拍)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import checkpoints, ledger
from core import clock, context
from core.errors import Conflict
from core.parsing import money_value
from evaluation import auction_rules as rules_core
from evaluation.models import Auction, AuctionBid, AuctionBidder
from trading.lifecycle import project_transition
from trading.models import Organisation, Project, User
from trading.models.projects import ProjectType, Status
from trading.selectors import ensure_manages
from trading.services.aftercare import contract_offer
from trading.services.projects import project_close

AUCTION_TYPES = frozenset({ProjectType.LAND_AUCTION, ProjectType.ASSET_TRANSFER})


@transaction.atomic
def auction_setup(*, actor: User, project: Project, starting_price: Any, increment: Any,
                  reserve_price: Any = None) -> Auction:
    ensure_manages(actor, project)
    if project.type not in AUCTION_TYPES:
        raise ValidationError({"project": [_("只有土地使用权拍卖和国有资产转让项目可以拍卖。")]})
    values = {"starting_price": money_value(starting_price, "starting_price"), "increment": money_value(increment, "increment"),
              "reserve_price": money_value(reserve_price, "reserve_price", required=False)}
    try:
        rules_core.AuctionRules(**values)
    except rules_core.AuctionError as exc:
        raise ValidationError({"increment": [str(exc)]}) from None
    if Auction.objects.filter(project=project, round=project.round).exists():
        raise Conflict(_("本轮拍卖已设置。"))
    with context.acting(actor, reason=_("设置拍卖规则")):
        return Auction.objects.create(project=project, round=project.round, **values)


def _rules(auction: Auction) -> rules_core.AuctionRules:
    return rules_core.AuctionRules(auction.starting_price, auction.increment, auction.reserve_price)


def _registry(auction: Auction) -> rules_core.Registry:
    return rules_core.register_bidders((b.number, str(b.bidder_id)) for b in auction.bidders.all())


@transaction.atomic
def auction_register(*, actor: User, auction: Auction, bidder: Organisation, number: str) -> AuctionBidder:
    """A bidder number (竞买号牌) for a qualified bidder; a number or a bidder twice is 409."""
    ensure_manages(actor, auction.project)
    number = str(number or "").strip()
    if not number or len(number) > 20:
        raise ValidationError({"number": [_("竞买号牌须为1至20个字符。")]})
    auction = Auction.objects.select_for_update().get(pk=auction.pk)
    if auction.started_at:
        raise Conflict(_("拍卖已开始，不能再登记竞买人。"))
    taken = auction.bidders.filter(number=number).first() or auction.bidders.filter(bidder=bidder).first()
    if taken:
        raise Conflict(_("竞买号牌 %(n)s 或竞买人已登记。") % {"n": number}, {"number": [number]})
    try:
        with transaction.atomic(), context.acting(actor, reason=_("登记竞买人")):
            return AuctionBidder.objects.create(auction=auction, bidder=bidder, number=number)
    except IntegrityError as exc:
        raise Conflict(_("竞买号牌 %(n)s 或竞买人已登记。") % {"n": number}, {"number": [number]}) from exc


@transaction.atomic
def auction_start(*, actor: User, auction: Auction) -> Auction:
    ensure_manages(actor, auction.project)
    auction = Auction.objects.select_for_update().get(pk=auction.pk)
    project = Project.objects.get(pk=auction.project_id)
    if auction.started_at:
        raise Conflict(_("拍卖已开始。"))
    if not auction.bidders.exists():
        raise Conflict(_("没有登记的竞买人。"))
    if project.status == Status.PUBLISHED:
        project = project_close(actor=actor, project=project)
    project_transition(project, Status.OPENED, actor=actor, reason=_("拍卖开始"))
    auction.started_at = clock.now()
    with context.acting(actor, reason=_("拍卖开始")):
        auction.save()
    ledger.record_event("auction_started", obj=auction, actor=actor,
                        data={"starting_price": str(auction.starting_price), "increment": str(auction.increment)})
    return auction


@transaction.atomic
def auction_bid(*, actor: User, auction: Auction, bidder_number: str, amount: Any) -> AuctionBid:
    """Append one bid; the auction row's lock orders concurrent bids, so each is checked against the one before."""
    ensure_manages(actor, auction.project)
    auction = Auction.objects.select_for_update().get(pk=auction.pk)
    if not auction.started_at or auction.hammered_at:
        raise Conflict(_("拍卖未开始或已落槌。"))
    log = list(auction.log.all())
    registry = _registry(auction)
    accepted = rules_core.replay(_rules(auction), registry, [
        rules_core.LogEntry(e.seq, e.bidder_number, e.amount) for e in log])
    entry = rules_core.LogEntry(len(log) + 1, str(bidder_number or "").strip(), money_value(amount, "amount"))
    try:
        bid = rules_core.accept_bid(_rules(auction), registry, accepted, entry)
    except rules_core.AuctionError as exc:
        field = "bidder_number" if "bidder number" in str(exc) else "amount"
        raise ValidationError({field: [str(exc)]}) from None
    with context.acting(actor, reason=_("记录应价")):
        row = AuctionBid.objects.create(auction=auction, seq=bid.seq, bidder_number=bid.bidder_number,
                                        amount=bid.amount, at=clock.now(), recorded_by=actor)
    ledger.record_event("auction_bid", obj=row, actor=actor,
                        data={"seq": row.seq, "number": row.bidder_number, "amount": str(row.amount)})
    return row


@transaction.atomic
def auction_hammer(*, actor: User, auction: Auction) -> Auction:
    ensure_manages(actor, auction.project)
    auction = Auction.objects.select_for_update().get(pk=auction.pk)
    if not auction.started_at or auction.hammered_at:
        raise Conflict(_("拍卖未开始或已落槌。"))
    log = [rules_core.LogEntry(e.seq, e.bidder_number, e.amount) for e in auction.log.all()]
    outcome = rules_core.hammer(_rules(auction), _registry(auction), log)
    auction.hammered_at, auction.sold = clock.now(), outcome.sold
    auction.hammer_price = outcome.hammer_price
    auction.winner_id = int(outcome.winner) if outcome.winner else None
    auction.outcome = _("成交") if outcome.sold else (_("无人应价，流拍") if not outcome.bids else _("未达保留价，流拍"))
    with context.acting(actor, reason=_("落槌")):
        auction.save()
    ledger.record_event("auction_hammer", obj=auction, actor=actor, data={
        "sold": outcome.sold, "hammer_price": str(outcome.hammer_price) if outcome.sold else None,
        "winner_number": outcome.winner_number, "bids": len(outcome.bids)})
    to = Status.AWARDED if outcome.sold else Status.FAILED
    project_transition(auction.project, to, actor=actor, reason=auction.outcome)
    if outcome.sold:  # the confirmation of the sale (成交确认书) is offered to the buyer at the hammer price, signed
        contract_offer(actor=actor, project=auction.project, enterprise=auction.winner, amount=outcome.hammer_price)
    checkpoints.publish_on_commit(f"auction {auction.project.code}")
    return auction
