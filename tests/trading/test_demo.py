"""`manage.py demo` (run by `make run`): every page has something to show, and a second run changes nothing."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from audit.models import LedgerEntry
from lottery.demo import DEMO_TITLE
from trading.models import Milestone, Project, User

pytestmark = pytest.mark.django_db


def test_the_demo_walks_a_fixed_price_project_to_a_followed_up_contract_and_is_idempotent():
    out = io.StringIO()
    call_command("demo", stdout=out)
    assert "Demo-pass-2026" in out.getvalue()
    drawn = Project.objects.get(title=DEMO_TITLE)
    assert drawn.status == "in_progress" and drawn.contracts.filter(state="signed").count() == 1
    assert Milestone.objects.filter(project=drawn, done_on__isnull=True).count() == 3
    assert {"admin", "agency", "supervisor", "supervisor2", "inspector", "enterprise6", "expert9"} <= set(
        User.objects.values_list("username", flat=True))
    assert set(Project.objects.values_list("type", flat=True)) == {"procurement", "land_auction", "asset_transfer",
                                                                   "fixed_price"}
    entries = LedgerEntry.objects.count()

    call_command("demo", stdout=io.StringIO())

    assert LedgerEntry.objects.count() == entries
    client = Client()
    login = client.post("/login/", {"username": "agency", "password": "Demo-pass-2026"})
    assert login.status_code == 302
    page = client.get(f"/projects/{drawn.code}/manage/").content.decode()
    assert "进场开工" in page and "逾期" in page
    draw_session = drawn.draws.get().session
    recording = draw_session.recordings.get()  # the demo stores a clip for every past session
    result = Client().get(f"/projects/{drawn.code}/result/").content.decode()
    assert recording.sha256 in result
