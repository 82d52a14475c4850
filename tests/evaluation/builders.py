"""Builders for the evaluation tests: a procurement project with bids, its opening, a pool and a drawn panel."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from core import clock
from core.roles import Role
from evaluation.services import bids as bid_services
from evaluation.services import evaluating, panels
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
