"""A project carried through the draw by the services, for the after-award tests."""

import datetime as dt
import hashlib

import pytest

from core import clock
from core.roles import Role
from lottery.services import draw_run, input_reveal, input_seal
from tests import factories
from trading.services.projects import project_close
from trading.services.sessions import attendance_sign, session_book


def closed_fixed_price_project(moved_clock, *, enterprises: int = 5):
    return factories.past_deadline_project(moved_clock, enterprises=enterprises, prefix="中选企业")


def run_draw(project):
    agency = project.created_by
    starts = clock.now() + dt.timedelta(minutes=1)
    session = session_book(actor=agency, project=project, room=factories.room("draw"), kind="draw",
                           starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    with clock.travel(dt.timedelta(minutes=2)):
        return _draw_in(project, session)


def _draw_in(project, session):
    supervisors = [factories.user(Role.SUPERVISOR) for _ in range(2)]
    for supervisor in supervisors:
        attendance_sign(actor=supervisor, session=session, badge="supervisor")
    inputs = [("aaaa1111" * 4, "731"), ("bbbb2222" * 4, "春分")]  # nonces: 32 hex
    for supervisor, (nonce, value) in zip(supervisors, inputs, strict=True):
        input_seal(actor=supervisor, project=project,
                   commitment=hashlib.sha256((nonce + value).encode()).hexdigest())
    for supervisor, (nonce, value) in zip(supervisors, inputs, strict=True):
        input_reveal(actor=supervisor, project=project, value=value, nonce=nonce)
    draw_run(actor=supervisors[0], project=project)
    project.refresh_from_db()
    return project


@pytest.fixture
def drawn_project(moved_clock):
    """A fixed-price project drawn among 5 eligible enterprises, now in publicity."""
    project = closed_fixed_price_project(moved_clock)
    project = project_close(actor=project.created_by, project=project)
    project = run_draw(project)
    assert project.status == "publicity"
    return project
