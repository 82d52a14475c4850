"""The archive's outputs say nothing about who registered for a project, or how many, before its deadline
(招标投标法 art. 22): OCDS, statistics, dossiers. After the deadline they do."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.management import call_command

from archive.services import dossier_build, dossier_open
from archive.statistics import table_rows, trading_statistics
from audit import sealing
from audit.models import LedgerEntry
from audit.selectors import SHANGHAI
from core import clock
from core.roles import Role
from tests import factories
from tests.archive.conftest import closed_project
from tests.archive.test_ocds import validate
from tests.registrants import open_project_with_registrants
from trading.lifecycle import project_transition
from trading.services.projects import project_republish

pytestmark = pytest.mark.django_db


@pytest.fixture
def registrants():
    return open_project_with_registrants()


def _viewers(project):
    return [None, project.created_by, *(factories.user(role) for role in (
        Role.AGENCY, Role.SUPERVISOR, Role.INSPECTOR, Role.EXPERT, Role.ADMIN, Role.ENTERPRISE))]


def test_no_one_learns_an_open_projects_registrants_or_their_number_from_its_ocds(api, registrants):
    project = registrants.project
    for viewer in [*_viewers(project), registrants.users[0]]:  # a registrant learns nothing of the others
        api.logout()
        if viewer is not None:
            api.force_login(viewer)
        answer = api.get(f"/api/ocds/{project.code}")
        assert answer.status_code == 200
        package = answer.json()
        validate(package)
        (release,) = package["releases"]
        assert "numberOfTenderers" not in release["tender"] and "tenderers" not in release["tender"]
        assert [p for p in release["parties"] if "tenderer" in p["roles"]] == []
        assert registrants.leaked(answer.content.decode()) == [], viewer


def test_export_ocds_of_an_open_project_names_no_registrant(registrants, tmp_path):
    call_command("export_ocds", "--out", str(tmp_path), "--quiet", stdout=io.StringIO())
    text = (tmp_path / f"{registrants.project.code}.json").read_text()
    assert registrants.leaked(text) == [] and "numberOfTenderers" not in text


def test_after_the_deadline_the_ocds_names_the_registrants_and_their_number(api, registrants, moved_clock):
    moved_clock.move_past(registrants.project.registration_deadline)
    answer = api.get(f"/api/ocds/{registrants.project.code}")
    (release,) = answer.json()["releases"]
    assert release["tender"]["numberOfTenderers"] == 2
    assert sorted(t["name"] for t in release["tender"]["tenderers"]) == sorted(
        r.enterprise.name for r in registrants.registrations)
    assert len([p for p in release["parties"] if "tenderer" in p["roles"]]) == 2
    assert all(r.enterprise.uscc in answer.content.decode() for r in registrants.registrations)


def test_the_statistics_of_the_period_do_not_change_when_enterprises_register(client):
    """A guard: the statistics count projects, not registrations, and must stay so before the deadline."""
    project = factories.fixed_price_project()
    now = project.published_at.astimezone(SHANGHAI)
    before = table_rows(trading_statistics(year=now.year, month=now.month))
    registrants = open_project_with_registrants(project)
    assert table_rows(trading_statistics(year=now.year, month=now.month)) == before
    client.force_login(factories.user(Role.ADMIN))
    page = client.get("/statistics/", {"year": now.year, "month": now.month}).content.decode()
    assert registrants.leaked(page) == []


def _terminated_before_the_deadline(registrants):
    project = registrants.project
    return project_transition(project, "terminated", actor=project.created_by, reason="项目取消")


def _dossier_text(dossier) -> str:
    with dossier_open(dossier) as stream, zipfile.ZipFile(io.BytesIO(stream.read())) as archive:
        return "\n".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                         if not name.endswith(".pdf"))


def test_a_dossier_built_before_the_deadline_names_no_registrant(registrants, moved_clock):
    """A project terminated while registration was open can have a dossier before its deadline: its audit extract
    lists what happened on the project, not who registered. Rebuilt after the deadline, it does."""
    project = _terminated_before_the_deadline(registrants)
    admin = factories.user(Role.ADMIN)
    early = _dossier_text(dossier_build(actor=admin, code=project.code))
    assert "trading.Project" in early and registrants.leaked(early) == []
    moved_clock.move_past(project.registration_deadline)
    late = _dossier_text(dossier_build(actor=admin, code=project.code))
    assert all(user.username in late for user in registrants.users)


def test_a_failed_rounds_registrants_stay_public_while_the_next_round_is_sealed(api, moved_clock):
    project = closed_project(moved_clock, ["第一轮企业甲", "第一轮企业乙"])
    assert project.status == "failed"
    project = project_republish(actor=project.created_by, project=project, reason="流标后重新比选",
                                registration_deadline=clock.now() + dt.timedelta(days=7))
    registrants = open_project_with_registrants(project)
    first, second = api.get(f"/api/ocds/{project.code}").json()["releases"]
    assert first["tender"]["numberOfTenderers"] == 2 and "第一轮企业甲" in str(first["tender"]["tenderers"])
    assert "numberOfTenderers" not in second["tender"] and registrants.leaked(str(second)) == []
    sealed = sealing.current()
    by_round = {r.pk: r.round for r in project.registrations.all()}
    entries = LedgerEntry.objects.filter(object_type="trading.Registration", action="create")
    assert {by_round[int(e.object_id)] for e in entries if e.seq in sealed} == {2}
    assert {by_round[int(e.object_id)] for e in entries if e.seq not in sealed} == {1}
