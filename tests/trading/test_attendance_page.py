"""The attendance sheet of a session: people sign in under a badge their role allows, once, while it is open."""

import datetime as dt

import pytest
from django.test import Client

from core import clock
from core.roles import Role
from tests import factories
from trading.models import Attendance
from trading.services.sessions import session_book

pytestmark = pytest.mark.django_db


@pytest.fixture
def session():
    project = factories.fixed_price_project()
    starts = clock.now() + dt.timedelta(minutes=30)
    return session_book(actor=project.created_by, project=project, room=factories.room("opening"), kind="opening",
                        starts_at=starts, ends_at=starts + dt.timedelta(hours=2))


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_supervisor_signs_in_once_and_appears_on_the_sheet(session):
    supervisor = factories.user(Role.SUPERVISOR)
    client = _client(supervisor)
    page = client.get(f"/sessions/{session.pk}/").content.decode()
    assert 'value="supervisor"' in page and 'value="bidder"' not in page

    assert client.post(f"/sessions/{session.pk}/", {"badge": "supervisor"}).status_code == 302
    again = client.post(f"/sessions/{session.pk}/", {"badge": "supervisor"})

    assert again.status_code == 400 and "已在本场次签到" in again.content.decode()
    sheet = _client(factories.user(Role.ENTERPRISE)).get(f"/sessions/{session.pk}/").content.decode()
    assert supervisor.username in sheet and "现场监督" in sheet
    assert Attendance.objects.filter(session=session).count() == 1


def test_a_badge_the_role_does_not_allow_is_refused(session):
    client = _client(factories.user(Role.ENTERPRISE))

    answer = client.post(f"/sessions/{session.pk}/", {"badge": "supervisor"})

    assert answer.status_code == 400 and "不能以“现场监督”身份签到" in answer.content.decode()
    assert not Attendance.objects.exists()


def test_signing_in_long_before_the_session_is_refused(session):
    client = _client(factories.user(Role.SUPERVISOR))
    with clock.travel(-dt.timedelta(hours=3)):
        answer = client.post(f"/sessions/{session.pk}/", {"badge": "supervisor"})
    assert answer.status_code == 400 and not Attendance.objects.exists()


def test_an_unknown_session_is_404_and_anonymous_visitors_go_to_login(session):
    assert _client(factories.user(Role.SUPERVISOR)).get("/sessions/999999/").status_code == 404
    assert Client().get(f"/sessions/{session.pk}/").status_code == 302
