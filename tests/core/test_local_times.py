"""Every time a person reads is in Asia/Shanghai and written one way, "2026-12-02 10:00": the messages services
build (a refusal naming a deadline says the hour the page shows), and the pages, which print no UTC ISO 8601 time
("2026-12-02T03:22:48.873796+00:00"). The API, proofs and exports keep ISO 8601 with the offset."""

import datetime as dt
import hashlib
import io
import re
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client

from audit import checkpoints
from core import clock
from core.errors import Conflict
from core.roles import Role
from core.timefmt import local_time
from recordings.models import Recording
from tests import factories
from trading.models import Project, Session
from trading.services.projects import project_close

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d|[+-]\d\d:\d\d\b(?!\d)|\d\d:\d\d:\d\d\.\d{3,6}")


def shanghai(moment: dt.datetime) -> str:
    return moment.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")


def test_the_helper_writes_a_time_in_shanghai_the_chinese_way():
    assert local_time(dt.datetime(2026, 12, 2, 2, 0, tzinfo=dt.UTC)) == "2026-12-02 10:00"
    assert local_time("2026-12-02T03:22:48.873796+00:00", seconds=True) == "2026-12-02 11:22:48"
    assert local_time(None) == "" and local_time("尚未") == "尚未"


def test_closing_early_is_refused_with_the_deadline_the_page_shows():
    deadline = (clock.now() + dt.timedelta(days=7)).astimezone(dt.UTC).replace(hour=2, minute=0, second=0,
                                                                               microsecond=0)
    project = factories.fixed_price_project(deadline=deadline)
    with pytest.raises(Conflict) as refused:
        project_close(actor=project.created_by, project=project)
    assert shanghai(deadline) in refused.value.detail  # 10:00, not 02:00
    assert not ISO_TIME.search(refused.value.detail), refused.value.detail

    client = Client()
    client.force_login(project.created_by)
    page = client.get(f"/projects/{project.code}/manage/").content.decode()
    assert shanghai(deadline) in page


def test_the_reveal_deadline_is_local_in_the_refusal(api, moved_clock):
    project = factories.past_deadline_project(moved_clock, enterprises=3, prefix="时间企业")
    project = project_close(actor=project.created_by, project=project)
    api.force_login(project.created_by)
    starts = clock.now() + dt.timedelta(minutes=30)
    session = api.post(f"/api/projects/{project.code}/sessions", {
        "kind": "draw", "room": factories.room("draw").pk, "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=2)).isoformat()}, format="json").json()["id"]
    for n in range(2):
        supervisor = factories.user(Role.SUPERVISOR)
        api.force_login(supervisor)
        assert api.post(f"/api/sessions/{session}/attendance", {"badge": "supervisor"}, format="json").status_code == 201
        sealed = api.post(f"/api/projects/{project.code}/draw/inputs",
                          {"commitment": hashlib.sha256(f"{'ab' * 16}{n}".encode()).hexdigest()}, format="json")
        assert sealed.status_code == 201, sealed.json()

    refused = api.post(f"/api/projects/{project.code}/draw", {}, format="json")

    assert refused.status_code == 409
    message = refused.json()["detail"]
    assert "揭示时限至" in message and not ISO_TIME.search(message), message
    assert re.search(r"揭示时限至 \d{4}-\d\d-\d\d \d\d:\d\d", message), message


def test_the_pages_people_read_print_no_utc_iso_time(settings):
    settings.AXES_ENABLED = False
    call_command("demo", stdout=io.StringIO())
    checkpoints.publish("test")  # the home page and the chain page show the last one
    drawn = Project.objects.get(code="GD-2026-0002")
    recording = Recording.objects.filter(session__project=drawn).first()
    draw_session = Session.objects.filter(project=drawn, kind="draw").first()
    pages = {
        None: ["/", f"/projects/{drawn.code}/", f"/projects/{drawn.code}/result/"],
        "agency": [f"/projects/{drawn.code}/manage/"],
        "inspector": ["/inspect/", "/inspect/chain/", f"/inspect/projects/{drawn.code}/",
                      f"/recordings/{recording.pk}/", f"/sessions/{draw_session.pk}/recordings/"],
    }
    for username, urls in pages.items():
        client = Client()
        if username:
            assert client.login(username=username, password="Demo-pass-2026")
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            text = re.sub(r"<(script|style)\b.*?</\1>|<[^>]+>", " ", response.content.decode(), flags=re.S)
            found = ISO_TIME.search(text)
            assert not found, f"{url}: {text[max(0, found.start() - 80):found.end() + 40]}"

    result = Client().get(f"/projects/{drawn.code}/result/").content.decode()
    assert local_time(drawn.candidates_frozen_at, seconds=True) in result
    home = Client().get("/").content.decode()
    assert re.search(r"最近签署的检查点.*?\d{4}-\d\d-\d\d \d\d:\d\d", home, flags=re.S)
    assert str(draw_session).endswith(shanghai(draw_session.starts_at))
