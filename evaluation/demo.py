"""Demo: an expert pool from expert1…expert9 (two of them conflicted with demo bidders), one procurement project
run through sealed bids, opening, a drawn panel and scoring into publicity, and one land auction to its hammer
price. Idempotent: skipped when the demo projects exist."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from core import clock, context
from evaluation.models import Expert
from evaluation.services import auctions, evaluating, panels
from evaluation.services import bids as bid_services
from lottery import engine
from trading.models import Organisation, Project, Room, User
from trading.services.projects import project_create, project_publish
from trading.services.sessions import attendance_sign, session_book

SPECIALTY = "计算机及网络设备"
PROCUREMENT = "县教育局智慧教室设备采购（评标演示）"
AUCTION = "城北2026-03号地块国有建设用地使用权拍卖（演示）"
PRICES = ["2860000.00", "2795000.00", "3150000.00", "2930000.00"]  # the third is over the ceiling
CRITERIA = [
    {"code": "tech", "name": "技术方案", "kind": "technical", "weight": "40", "max_score": "40"},
    {"code": "service", "name": "售后服务", "kind": "commercial", "weight": "20", "max_score": "20"},
]


def load(out=print) -> None:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "admin", "agency", "supervisor", "supervisor2", *(f"expert{n}" for n in range(1, 10)),
        *(f"enterprise{n}" for n in range(1, 7))])}
    if len(users) < 18:
        out("evaluation demo skipped: the trading demo logins are missing")
        return
    with context.acting_as_system(reason="demo data"):
        _pool(users)
    if not Project.objects.filter(title=PROCUREMENT).exists():
        code = _procurement(users)
        out(f"demo evaluation {code}: candidates in publicity at /candidates/{code}/")
    if not Project.objects.filter(title=AUCTION).exists():
        code = _auction(users)
        out(f"demo auction {code}: hammer price at /auction/{code}/")


def _pool(users: dict[str, User]) -> None:
    conflicts = {1: {"employer": "enterprise1"}, 2: {"relation": "enterprise2"}}
    for n in range(1, 10):
        user = users[f"expert{n}"]
        if Expert.objects.filter(user=user).exists():
            continue
        tie = conflicts.get(n, {})
        employer = users[tie["employer"]].organisation if "employer" in tie else None
        relations = [{"uscc": users[tie["relation"]].organisation.uscc, "relation": "近亲属任职"}] \
            if "relation" in tie else []
        panels.expert_save(actor=users["admin"], user=user, name=user.first_name or user.username,
                           specialty=SPECIALTY, employer=employer, relations=relations)


def _past(days: float):
    return clock.travel(-dt.timedelta(days=days))


def _procurement(users: dict[str, User]) -> str:
    agency = users["agency"]
    deadline = timezone.now() - dt.timedelta(days=2)
    with _past(10):
        project = project_create(actor=agency, data={
            "type": "procurement", "title": PROCUREMENT, "budget": Decimal("3200000.00"),
            "ceiling_price": Decimal("3000000.00"), "registration_deadline": deadline,
            "announcement": "采购智慧教室交互设备及配套服务，采用综合评估法。"})
        project = project_publish(actor=agency, project=project)
        for n, price in enumerate(PRICES, start=1):
            bid_services.bid_submit(actor=users[f"enterprise{n}"], project=project,
                                    data={"price": price, "duration": "45日历天", "terms": "质保三年，4小时响应"})
        room = Room.objects.filter(kind="opening").order_by("name").first()
        session_book(actor=agency, project=project, room=room, kind="opening",
                     starts_at=deadline + dt.timedelta(minutes=30), ends_at=deadline + dt.timedelta(hours=4))
    with clock.travel(deadline + dt.timedelta(minutes=40) - timezone.now()):
        bid_services.bids_close(actor=agency, project=project)
        session = project.sessions.get(kind="opening")
        attendance_sign(actor=users["supervisor"], session=session, badge="supervisor")
        attendance_sign(actor=users["enterprise1"], session=session, badge="bidder")
        bid_services.bids_open(actor=agency, project=project)
        panels.panel_request(actor=agency, project=project, specialty=SPECIALTY, size=5)
        evaluating.plan_set(actor=agency, project=project, method="comprehensive", price_weight="40",
                            criteria=CRITERIA)
        panel = _draw(project, [users["supervisor"], users["supervisor2"]])
        valid = list(evaluating.valid_bids(project))
        for seat, member in enumerate(panels.seated(panel)):
            sheet = {str(b.pk): {"tech": str(30 + (b.pk + seat) % 8), "service": str(14 + b.pk % 5)} for b in valid}
            evaluating.score_submit(actor=member.expert.user, project=project, sheet=sheet)
        evaluating.evaluation_finish(actor=agency, project=project)
    return project.code


def _draw(project: Project, supervisors: list[User]):
    """The two demo supervisors sign in to a draw session, seal, reveal, and the first draws."""
    start = clock.now() + dt.timedelta(minutes=1)
    session = session_book(actor=project.created_by, project=project, kind="draw", starts_at=start,
                           room=Room.objects.filter(kind="draw").order_by("name").first(),
                           ends_at=start + dt.timedelta(hours=1))
    picks = [("de40" * 8, "6021"), ("de41" * 8, "88")]  # nonces: 32 hex, fixed so the demo repeats
    for supervisor in supervisors:
        attendance_sign(actor=supervisor, session=session, badge="supervisor")
    for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
        panels.panel_input_seal(actor=supervisor, project=project, commitment=engine.input_commitment(nonce, value))
    for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
        panels.panel_input_reveal(actor=supervisor, project=project, value=value, nonce=nonce)
    return panels.panel_draw(actor=supervisors[0], project=project)


def _auction(users: dict[str, User]) -> str:
    agency = users["agency"]
    deadline = timezone.now() - dt.timedelta(days=1)
    with _past(9):
        project = project_create(actor=agency, data={
            "type": "land_auction", "title": AUCTION, "budget": Decimal("38000000.00"),
            "registration_deadline": deadline})
        project = project_publish(actor=agency, project=project)
        auction = auctions.auction_setup(actor=agency, project=project, starting_price="38000000",
                                         increment="200000", reserve_price="38400000")
        for n in (5, 6):
            org = Organisation.objects.get(pk=users[f"enterprise{n}"].organisation_id)
            auctions.auction_register(actor=agency, auction=auction, bidder=org, number=f"A{n:02d}")
    with clock.travel(deadline + dt.timedelta(hours=1) - timezone.now()):
        auctions.auction_start(actor=agency, auction=auction)
        for number, amount in [("A05", "38000000"), ("A06", "38200000"), ("A05", "38600000")]:
            auctions.auction_bid(actor=agency, auction=auction, bidder_number=number, amount=amount)
        auctions.auction_hammer(actor=agency, auction=auction)
    return project.code
