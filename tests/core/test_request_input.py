"""Input the attack found answering 500: it is refused with 400 (413 for a body over the limit) in the API's error
shape, naming the field, and nothing is written. The walk over every endpoint is test_malformed_input.py; these
are the cases it cannot reach by a body alone: paths, filters, sizes, and values of the wrong type."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings

from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from tests import factories
from tests.conftest import login
from trading.models import Project

pytestmark = pytest.mark.django_db


def _error(answer, status: int = 400) -> dict:
    assert answer.status_code == status, answer.content[:300]
    body = answer.json()
    assert set(body) == {"detail", "errors"}
    return body["errors"]


def _project_body(**fields) -> dict:
    body = {"type": "procurement", "title": "办公设备采购", "budget": "100000.00",
            "registration_deadline": (clock.now() + dt.timedelta(days=7)).isoformat()}
    body.update(fields)
    return body


@pytest.fixture
def agency_api(api):
    return login(api, factories.agency_user())


@pytest.mark.parametrize(("field", "value"), [
    ("title", {"zh": "标题"}), ("title", ["标题"]), ("title", 12), ("title", "标\u0000题"),
    ("qualification_grade", "abc"), ("qualification_grade", 10**30), ("qualification_grade", "１"),
    ("qualification_grade", 7), ("qualification_kind", {"k": 1}), ("announcement", ["x"]),
    ("external_input_source", "x" * 201), ("budget", "１２３"), ("budget", "١٢٣"), ("budget", "1_000"),
    ("budget", 1850000.5), ("budget", {"amount": "1"}), ("registration_deadline", "２０２６-12-08T09:00:00+08:00"),
    ("registration_deadline", "9999-12-31T23:59:59-14:00"),
])
def test_a_project_field_of_the_wrong_kind_is_refused_naming_it(agency_api, field, value):
    before = LedgerEntry.objects.count()

    answer = agency_api.post("/api/projects", _project_body(**{field: value}), format="json")

    assert field in _error(answer)
    assert LedgerEntry.objects.count() == before and not Project.objects.exists()


@pytest.mark.parametrize("body", ['{"title": "\\ud800"}', '{"title": "a\\u0000b"}', '{"\\ud800": 1}'])
def test_a_lone_surrogate_or_nul_anywhere_in_a_body_is_refused(agency_api, body):
    answer = agency_api.generic("POST", "/api/projects", body, content_type="application/json")
    assert _error(answer)


def test_nesting_deeper_than_any_body_is_refused_before_it_is_walked(agency_api):
    deep = "[" * 100_000 + "]" * 100_000
    assert _error(agency_api.generic("POST", "/api/projects", '{"a": ' + deep + "}",
                                     content_type="application/json")) == {}
    shallow_enough = json.dumps(_project_body(announcement="x", extra=[[[[["fine"]]]]]))
    assert agency_api.generic("POST", "/api/projects", shallow_enough, content_type="application/json"
                              ).status_code == 201


@pytest.mark.parametrize("content_type", ["application/json", "application/x-www-form-urlencoded"])
def test_a_body_over_the_limit_answers_413_in_the_error_shape(agency_api, content_type):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    body = ('{"title": "' + "x" * size + '"}') if content_type == "application/json" else "title=" + "x" * size

    answer = agency_api.generic("POST", "/api/projects", body, content_type=content_type)

    _error(answer, 413)
    assert not Project.objects.exists()


@pytest.mark.parametrize("path", [
    "/api/projects/GD%00", "/api/projects/GD%00/registrations", "/api/ocds/GD%00", "/api/projects?status=%00",
    "/api/projects?type=procurement%00", "/api/audit?actor=%00", "/api/audit?x%00=1",
])
def test_a_nul_in_a_path_or_a_filter_is_refused_in_the_api_error_shape(client, path):
    login(client, factories.user(Role.INSPECTOR))
    assert _error(client.get(path))


@pytest.mark.parametrize("path", ["/projects/GD%00/", "/inspect/?actor=%00", "/inspect/projects/GD%00/"])
def test_a_nul_in_a_page_path_or_filter_is_a_bad_request(client, path):
    login(client, factories.user(Role.INSPECTOR))
    answer = client.get(path)
    assert answer.status_code == 400


@pytest.mark.parametrize("room", ["１２３", "1_0", 10**30, -1, 1.0, True, {"id": 1}])
def test_an_id_that_is_not_a_plain_integer_is_refused(api, room):
    project = factories.fixed_price_project()
    login(api, project.created_by)
    now = clock.now()

    answer = api.post(f"/api/projects/{project.code}/sessions", {
        "kind": "draw", "room": room, "starts_at": now.isoformat(),
        "ends_at": (now + dt.timedelta(hours=1)).isoformat()}, format="json")

    assert "room" in _error(answer)


@pytest.mark.parametrize("offset", ["9" * 30, "-1", "abc"])
def test_a_page_past_every_list_is_an_empty_page(api, offset):
    factories.fixed_price_project()
    answer = api.get(f"/api/projects?offset={offset}")
    assert answer.status_code == 200 and answer.json()["count"] == 1


def test_anonymous_writes_to_milestones_are_refused_in_the_error_shape(api):
    project = factories.fixed_price_project()
    for body in ({"title": "开工", "due": "2026-12-01"}, [1], "x"):
        answer = api.post(f"/api/projects/{project.code}/milestones", body, format="json")
        _error(answer, 403)


@pytest.mark.parametrize("query", ["since=9999-12-31T23:59:59-14:00", "until=9999-12-31", "since=0001-01-01T00:00:00%2B14:00"])
def test_a_moment_at_the_edge_of_the_calendar_is_a_bad_filter(client, query):
    login(client, factories.user(Role.INSPECTOR))
    assert list(_error(client.get(f"/api/audit?{query}"))) == [query.split("=")[0]]
    assert client.get(f"/inspect/?{query}").status_code in (200, 400)  # the page shows the error, never a 500
