"""Builders for the evaluation tests: a procurement project with bids, its opening, a pool and a drawn panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from cryptography.hazmat.primitives.asymmetric import ec

from core import clock
from core.roles import Role
from evaluation import bidfile
from evaluation.models import BidRound
from evaluation.services import bidfiles, evaluating, opening, panels
from evaluation.services import bids as bid_services
from lottery import engine
from tests import factories
from trading.models import Organisation
from trading.services.projects import project_create, project_publish
from trading.services.sessions import attendance_sign, session_book

DAYS = dt.timedelta(days=6)
CRITERIA = [
    {"code": "tech", "name": "技术方案", "kind": "technical", "weight": "40", "max_score": "40"},
    {"code": "service", "name": "售后服务", "kind": "commercial", "weight": "20", "max_score": "20"},
]


def procurement(*, ceiling: str | None = "1000000.00", agency=None):
    agency = agency or factories.agency_user()
    tenderer = factories.organisation(name="某县教育局", kind=Organisation.Kind.TENDERER)
    project = project_create(actor=agency, data={
        "type": "procurement", "title": "县中学实验室设备采购", "budget": Decimal("1200000.00"),
        "ceiling_price": ceiling and Decimal(ceiling), "registration_deadline": clock.now() + DAYS})
    project.tenderer = tenderer
    project.save()  # a builder's shortcut: the create API has no tenderer field
    return project_publish(actor=agency, project=project)


def bidder(name: str = ""):
    return factories.enterprise_with_licences(name)[1]


def submit(project, user, price: str, **extra):
    return bid_services.bid_submit(actor=user, project=project, data={"price": price, "duration": "30日历天",
                                                                       "terms": "质保三年", **extra})


def opening_session(project, rooms=None):
    room = factories.room("opening")
    start = project.registration_deadline + dt.timedelta(minutes=30)
    return session_book(actor=project.created_by, project=project, room=room, kind="opening", starts_at=start,
                        ends_at=start + dt.timedelta(hours=3))


def at_opening():
    return clock.travel(DAYS + dt.timedelta(minutes=40))


def opened_project(prices=("900000.00", "950000.00", "1100000.00", "980000.00")):
    """Four bids (the third over the ceiling of 1,000,000), closed and opened. Answers (project, users)."""
    project = procurement()
    users = [bidder(f"投标企业{n}") for n in range(len(prices))]
    for user, price in zip(users, prices, strict=True):
        submit(project, user, price)
    opening_session(project)
    return project, users


def pool(n: int = 9, specialty: str = "教学仪器"):
    admin = factories.user(Role.ADMIN)
    return [panels.expert_save(actor=admin, user=factories.user(Role.EXPERT), name=f"专家{i}", specialty=specialty,
                               employer=factories.organisation(name=f"某大学{i}"))
            for i in range(n)]


INPUTS = [("5ea1ed01" * 4, "31415"), ("5ea1ed02" * 4, "27182")]  # nonces: 32 hex


def draw_session(project):
    """A draw session starting in a minute (sign-in opens an hour early) with two supervisors signed in."""
    start = clock.now() + dt.timedelta(minutes=1)
    session = session_book(actor=project.created_by, project=project, room=factories.room("draw"), kind="draw",
                           starts_at=start, ends_at=start + dt.timedelta(hours=2))
    supervisors = [factories.user(Role.SUPERVISOR) for _ in INPUTS]
    for supervisor in supervisors:
        attendance_sign(actor=supervisor, session=session, badge="supervisor")
    return supervisors


def seal_and_reveal(project, supervisors):
    for supervisor, (nonce, value) in zip(supervisors, INPUTS, strict=True):
        panels.panel_input_seal(actor=supervisor, project=project, commitment=engine.input_commitment(nonce, value))
    for supervisor, (nonce, value) in zip(supervisors, INPUTS, strict=True):
        panels.panel_input_reveal(actor=supervisor, project=project, value=value, nonce=nonce)


def drawn_panel(project, *, size: int = 5):
    pool(size + 2)
    panels.panel_request(actor=project.created_by, project=project, specialty="教学仪器", size=size)
    evaluating.plan_set(actor=project.created_by, project=project, method="comprehensive", price_weight="40",
                        criteria=CRITERIA)
    supervisors = draw_session(project)
    seal_and_reveal(project, supervisors)
    return panels.panel_draw(actor=supervisors[0], project=project)


# --- bid files sealed at the bidder (bidder mode) ---------------------------------------------------------------

PDF = b"%PDF-1.4\n% a bid document\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def bidder_round(project=None, *, holders: int = 3):
    """A procurement round in bidder mode with an opening session booked and `holders` supervisors' keys
    registered (made here in Python, as their browsers would). Answers (project, [(supervisor, private key)])."""
    project = project or procurement()
    bidfiles.bid_round_mode_set(actor=project.created_by, project=project, mode="bidder")
    opening_session(project)
    keys = []
    for _n in range(holders):
        supervisor, private = factories.user(Role.SUPERVISOR), ec.generate_private_key(ec.SECP256R1())
        bidfiles.opening_key_register(actor=supervisor, project=project,
                                      public_jwk=bidfile.public_jwk(private.public_key()))
        keys.append((supervisor, private))
    return project, keys


def seal_file(project, user, price: str, *, pdf: bytes = PDF, code: str | None = None, **schedule):
    """What the bidder's browser sends, sealed in Python to the round's registered keys."""
    box = BidRound.objects.get(project=project, round=project.round)
    holders = [bidfile.public_key_from_jwk(k.public_jwk) for k in box.keys.order_by("position")]
    return bidfile.seal_bid_file(project=code or project.code, round_no=project.round,
                                 bidder=user.organisation.uscc, pdf=pdf, holders=holders,
                                 threshold=box.threshold,
                                 schedule={"price": price, "duration": "60日历天", "terms": "质保三年", **schedule})


def envelope(sealed) -> dict:
    return {"context": sealed.context, "ciphertext_sha256": sealed.ciphertext_sha256,
            "key_commitment": sealed.key_commitment, "shares": [s.as_json() for s in sealed.shares]}


def submit_file(project, user, price: str, **kwargs):
    sealed = seal_file(project, user, price, **kwargs)
    return bidfiles.bid_file_submit(actor=user, project=project, data=envelope(sealed), ciphertext=sealed.ciphertext)


def decrypted_shares(project, holder, private, *, skip_unopenable: bool = False) -> list[dict]:
    """What a holder's browser posts: its share of every bid, unwrapped with its private key (the page skips a
    share that does not open in this round's context, as static/js/opening.js does)."""
    listing = opening.wrapped_shares_for(actor=holder, project=project)
    shares = []
    for item in listing["items"]:
        try:
            value = bidfile.unwrap_share(private, bidfile.WrappedShare.from_json(item["wrapped"]),
                                         item["share_aad"].encode())
        except bidfile.BidFileError:
            if not skip_unopenable:
                raise
            continue
        shares.append({"bid": item["bid"], "share": value.hex()})
    return shares


def bid_files_project(prices=("900000.00", "950000.00", "1100000.00")):
    """Three bid files (the third over the ceiling), closed at the deadline. Answers (project, users, keys)."""
    project, keys = bidder_round()
    users = [bidder(f"文件投标企业{n}") for n in range(len(prices))]
    for user, price in zip(users, prices, strict=True):
        submit_file(project, user, price)
    return project, users, keys
