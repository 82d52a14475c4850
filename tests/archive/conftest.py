"""Projects carried by the real services as far as the archive needs them: drawn, awarded with a signed contract
and follow-up, failed (流标) and re-published, and a tendered procurement project."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.utils import timezone

from core import clock
from core.roles import Role
from lottery.services import draw_run, input_reveal, input_seal
from tests import factories
from trading.services.aftercare import contract_sign, followup_assign, milestone_record, project_award
from trading.services.projects import project_close, project_republish
from trading.services.sessions import attendance_sign, session_book

TITLE = "城关镇第二小学教学楼维修改造工程（二期）"
UNUSUAL = ["Ünïcödé & <b>建设</b> Co., Ltd.", "王\u00b7李建筑劳务有限公司", "𠀀源市政工程有限公司"]


def registered_until_deadline(moved_clock, project, names):
    # the database stamps registrations and refuses one at or after the deadline: all of them register while it
    # is ahead, then the platform's clock moves past it for the rest of the test
    for name in names:
        factories.register(project, factories.enterprise_with_licences(name)[1])
    moved_clock.move_past(project.registration_deadline)


def closed_project(moved_clock, names, **data):
    project = factories.fixed_price_project(**data)
    registered_until_deadline(moved_clock, project, names)
    return project_close(actor=project.created_by, project=project)


def drawn(project):
    starts = clock.now() + dt.timedelta(minutes=1)
    session = session_book(actor=project.created_by, project=project, room=factories.room("draw"), kind="draw",
                           starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    with clock.travel(dt.timedelta(minutes=2)):
        supervisors = [factories.user(Role.SUPERVISOR) for _ in range(2)]
        for supervisor in supervisors:
            attendance_sign(actor=supervisor, session=session, badge="supervisor")
        picks = [("1111" * 8, "4821"), ("2222" * 8, "春分")]  # nonces: 32 hex
        for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
            input_seal(actor=supervisor, project=project, commitment=hashlib.sha256((nonce + value).encode()).hexdigest())
        for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
            input_reveal(actor=supervisor, project=project, value=value, nonce=nonce)
        draw_run(actor=supervisors[0], project=project)
    project.refresh_from_db()
    return project


def awarded_and_followed(project):
    """After publicity: award, sign, a follow-up officer with one milestone done and one overdue."""
    agency = project.created_by
    with clock.travel(dt.timedelta(days=5)):
        contract = project_award(actor=agency, project=project)
        contract_sign(actor=agency, contract=contract)
        project.refresh_from_db()
        followup_assign(actor=agency, project=project, officer=agency)
        today = timezone.localdate()  # the report's date is that of the rows it prints (history time)
        milestone_record(actor=agency, project=project, title="基础施工", due=today - dt.timedelta(days=3),
                         done_on=today - dt.timedelta(days=4))
        milestone_record(actor=agency, project=project, title="主体结构封顶", due=today - dt.timedelta(days=1),
                         note="劳务人员不足，进度滞后")
    project.refresh_from_db()
    return project


@pytest.fixture
def drawn_project(moved_clock):
    project = closed_project(moved_clock, ["县第一建筑工程有限公司", *UNUSUAL], title=TITLE)
    return drawn(project)


@pytest.fixture
def finished_project(drawn_project):
    project = awarded_and_followed(drawn_project)
    assert project.status == "in_progress"
    return project


@pytest.fixture
def failed_then_drawn_project(moved_clock):
    """Round 1 fails with two eligible enterprises (流标); round 2 is drawn among three."""
    project = closed_project(moved_clock, ["流标企业甲有限公司", "流标企业乙有限公司"], title="青龙镇便民桥梁维修工程")
    assert project.status == "failed"
    project = project_republish(actor=project.created_by, project=project, reason="流标后重新比选",
                                registration_deadline=clock.now() + dt.timedelta(days=7))
    registered_until_deadline(moved_clock, project, ["第二轮企业甲", "第二轮企业乙", "第二轮企业丙"])
    project = project_close(actor=project.created_by, project=project)
    return drawn(project)


@pytest.fixture
def tendered_project(db):
    from trading.services.projects import project_create, project_publish

    agency = factories.agency_user()
    project = project_create(actor=agency, data={
        "type": "procurement", "title": "县政务服务中心办公设备采购", "budget": Decimal("3200000.00"),
        "fixed_price": None, "registration_deadline": clock.now() + dt.timedelta(days=10)})
    return project_publish(actor=agency, project=project)
