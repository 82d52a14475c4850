"""`manage.py demo` (run by `make run`): every page has something to show, a second run changes nothing, and the
story reads in time order with the people who acted (issue 17 item 5)."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client

from audit.models import LedgerEntry
from core import clock
from lottery.demo import DEMO_TITLE
from trading.models import Milestone, Project, Registration, User

pytestmark = pytest.mark.django_db


def test_the_demo_draws_the_showcase_after_its_close_and_a_second_run_changes_nothing():
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Demo-pass-2026" in out.getvalue()
    drawn = Project.objects.get(title=DEMO_TITLE)
    assert drawn.status == "publicity" and drawn.publicity_until > clock.now()
    assert {"admin", "agency", "tenderer", "supervisor", "supervisor2", "inspector", "enterprise6", "expert9"} <= set(
        User.objects.values_list("username", flat=True))
    assert set(Project.objects.values_list("type", flat=True)) == {"procurement", "land_auction", "asset_transfer",
                                                                   "fixed_price"}
    entries = LedgerEntry.objects.count()

    call_command("demo", stdout=io.StringIO())

    assert LedgerEntry.objects.count() == entries
    draw_session = drawn.draws.get().session
    recording = draw_session.recordings.get()  # the demo stores a clip for every past session
    result = Client().get(f"/projects/{drawn.code}/result/").content.decode()
    assert recording.sha256 in result


def test_the_showcase_story_is_in_time_order_with_the_people_who_acted():
    call_command("demo", stdout=io.StringIO())
    project = Project.objects.get(title=DEMO_TITLE)
    draw = project.draws.get()
    session = draw.session
    registrations = Registration.objects.filter(project=project)
    inputs = list(project.draw_inputs.order_by("position"))

    assert project.published_at < min(r.registered_at for r in registrations)
    assert max(r.registered_at for r in registrations) < project.registration_deadline
    assert project.registration_deadline <= project.candidates_frozen_at <= session.starts_at
    assert session.starts_at <= min(i.sealed_at for i in inputs) <= max(i.revealed_at for i in inputs)
    assert max(i.revealed_at for i in inputs) <= draw.drawn_at <= session.ends_at
    assert draw.drawn_at < project.publicity_until
    assert draw.proof["metadata"]["candidates_frozen_at"] < draw.proof["metadata"]["drawn_at"]
    by_action = {e.action: e for e in LedgerEntry.objects.filter(project=project.code)}
    for action in ("draw_input_sealed", "draw_input_revealed", "draw_completed"):
        assert by_action[action].actor in {"supervisor", "supervisor2"}, action
    assert all(e.actor for e in LedgerEntry.objects.filter(project=project.code, action__startswith="draw_"))
    assert project.tenderer is not None and User.objects.get(username="tenderer").organisation == project.tenderer


def test_run_again_after_publicity_the_demo_awards_signs_and_follows_up():
    call_command("demo", stdout=io.StringIO())
    project = Project.objects.get(title=DEMO_TITLE)

    with clock.travel(project.publicity_until - clock.now() + dt.timedelta(hours=1)):
        call_command("demo", stdout=io.StringIO())
    project.refresh_from_db()

    assert project.status == "in_progress" and project.contracts.filter(state="signed").count() == 1
    contract = project.contracts.get()
    assert contract.signed_at > project.publicity_until
    assert Milestone.objects.filter(project=project, done_on__isnull=True).count() == 4
    with clock.travel(project.publicity_until - clock.now() + dt.timedelta(days=12)):
        client = Client()
        assert client.post("/login/", {"username": "agency", "password": "Demo-pass-2026"}).status_code == 302
        page = client.get(f"/projects/{project.code}/manage/").content.decode()
    assert "进场开工" in page and "逾期" in page
