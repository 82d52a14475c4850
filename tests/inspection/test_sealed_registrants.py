"""Before a project's registration deadline the audit trail shows that an enterprise registered, never which one
(招标投标法 art. 22): timeline, entry pages, the project's trail, its CSV and PDF exports, GET /api/audit, risk
findings and the ledger's Django admin. After the deadline they name it. Under a complaint's legal hold an
inspector may open the registrants before the deadline, deliberately, and the opening is itself recorded."""

from __future__ import annotations

import re
import subprocess

import pytest

from audit.models import LedgerEntry
from core.roles import Role
from tests import factories
from tests.registrants import open_project_with_registrants
from trading.services import aftercare

pytestmark = pytest.mark.django_db
SEALED_NOTE = "某企业报名"


@pytest.fixture
def registrants():
    return open_project_with_registrants()


@pytest.fixture
def inspector(client):
    user = factories.user(Role.INSPECTOR)
    client.force_login(user)
    return user


def _sealed_seqs(registrants) -> list[int]:
    """The entries the registrations wrote: their rows, and the project managers filed with them."""
    ids = [str(r.pk) for r in registrants.registrations]
    managers = [str(r.manager_id) for r in registrants.registrations]
    return sorted([*LedgerEntry.objects.filter(object_type="trading.Registration", object_id__in=ids)
                   .values_list("seq", flat=True),
                   *LedgerEntry.objects.filter(object_type="trading.ProjectManager", object_id__in=managers)
                   .values_list("seq", flat=True)])


def _rows(page: str, seqs: list[int]) -> dict[int, str]:
    """The timeline's table rows of these entries, by seq (absent rows are left out)."""
    found = {}
    for seq in seqs:
        match = re.search(rf'<tr id="e{seq}".*?</tr>\s*(?=<tr id="e|</tbody>)', page, re.S)
        if match:
            found[seq] = match.group(0)
    return found


def _pdf_text(tmp_path, content: bytes) -> str:
    (tmp_path / "out.pdf").write_bytes(content)
    return subprocess.run(["pdftotext", str(tmp_path / "out.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout.replace("\n", "")


def _csv_text(answer) -> str:
    return b"".join(answer.streaming_content).decode("utf-8-sig")


def test_the_timeline_shows_that_an_enterprise_registered_but_not_which(client, inspector, registrants):
    seqs = _sealed_seqs(registrants)
    assert len(seqs) == 4  # two registrations, each with the project manager it filed
    rows = _rows(client.get("/inspect/").content.decode(), seqs)
    assert sorted(rows) == seqs
    for row in rows.values():
        assert registrants.leaked(row) == [] and "截止前保密" in row
    assert sum(SEALED_NOTE in row for row in rows.values()) == 2
    page = client.get("/inspect/", {"model": "trading.Registration"}).content.decode()
    assert registrants.leaked(page) == [] and page.count(SEALED_NOTE) == 2
    # narrowed to the project or to a registrant, a sealed entry is not listed at all: its presence would tell
    project_page = client.get("/inspect/", {"project": registrants.project.code}).content.decode()
    assert registrants.leaked(project_page) == [] and _rows(project_page, seqs) == {}
    for user in registrants.users:
        assert _rows(client.get("/inspect/", {"actor": user.username}).content.decode(), seqs) == {}
        assert _rows(client.get("/inspect/", {"actor": str(user.pk)}).content.decode(), seqs) == {}
        org = user.organisation
        assert _rows(client.get("/inspect/", {"organisation": org.uscc}).content.decode(), seqs) == {}


def test_the_entry_page_of_a_sealed_registration_names_no_one(client, inspector, registrants):
    for seq in _sealed_seqs(registrants):
        page = client.get(f"/inspect/entries/{seq}/").content.decode()
        assert registrants.leaked(page) == [] and "截止前保密" in page
        assert registrants.project.code not in page


def test_the_project_trail_and_its_exports_name_no_registrant_before_the_deadline(
        client, inspector, registrants, tmp_path):
    code = registrants.project.code
    trail = client.get(f"/inspect/projects/{code}/").content.decode()
    assert registrants.leaked(trail) == []
    for params in ({"project": code}, {"model": "trading.Registration"}, {"actor": registrants.users[0].username}):
        csv_text = _csv_text(client.get("/inspect/export.csv", params))
        assert registrants.leaked(csv_text.replace(params.get("actor", "-"), "")) == [], params
        pdf_text = _pdf_text(tmp_path, client.get("/inspect/export.pdf", params).content)
        assert registrants.leaked(pdf_text.replace(params.get("actor", "-"), "")) == [], params
    exported = LedgerEntry.objects.filter(action="audit_exported").order_by("-seq").first()
    assert exported.data["entries"] == 0  # a registrant's own registrations are not counted for it either


def test_the_audit_api_names_no_registrant_before_the_deadline(api, registrants):
    api.force_login(factories.user(Role.INSPECTOR))
    for params in ({"project": registrants.project.code}, {"model": "trading.Registration"}, {}):
        answer = api.get("/api/audit", params)
        assert answer.status_code == 200
        items = [i for i in answer.json()["items"] if i["seq"] in _sealed_seqs(registrants)]
        assert all(i["actor"] == "" and i["object_id"] == "" and i["diff"] == [] for i in items)
        assert registrants.leaked(str([i for i in answer.json()["items"] if i["object_type"] in (
            "trading.Registration", "trading.ProjectManager")])) == []


def test_after_the_deadline_the_trail_entries_and_exports_name_the_registrants(
        client, inspector, registrants, moved_clock, tmp_path):
    moved_clock.move_past(registrants.project.registration_deadline)
    code = registrants.project.code
    trail = client.get(f"/inspect/projects/{code}/").content.decode()
    assert all(r.enterprise.name in trail for r in registrants.registrations)
    assert all(user.username in trail for user in registrants.users)
    entry = LedgerEntry.objects.filter(object_type="trading.Registration").order_by("seq").first()
    assert registrants.registrations[0].enterprise.name in client.get(f"/inspect/entries/{entry.seq}/").content.decode()
    assert registrants.users[0].username in _csv_text(client.get("/inspect/export.csv", {"project": code}))
    pdf_text = _pdf_text(tmp_path, client.get("/inspect/export.pdf", {"project": code}).content)
    assert registrants.registrations[0].enterprise.name in pdf_text
    timeline = client.get("/inspect/", {"actor": registrants.users[1].username}).content.decode()
    assert _rows(timeline, _sealed_seqs(registrants)) != {}


def test_off_hours_findings_name_no_registrant_before_the_deadline(client, inspector, registrants, settings,
                                                                  moved_clock):
    settings.AUDIT_OFFICE_HOURS = "00:00-00:00"  # every moment is outside office hours
    page = client.get("/inspect/findings/").content.decode()
    assert registrants.leaked(page) == []
    moved_clock.move_past(registrants.project.registration_deadline)
    assert registrants.users[0].username in client.get("/inspect/findings/").content.decode()


def test_the_ledger_admin_names_no_registrant_before_the_deadline(client, registrants, moved_clock):
    client.force_login(factories.user(Role.ADMIN))
    seqs = _sealed_seqs(registrants)
    changelist = client.get("/admin/audit/ledgerentry/").content.decode()
    assert registrants.leaked(changelist) == []
    assert all(f"/admin/audit/ledgerentry/{seq}/change/" in changelist for seq in seqs)  # listed, masked
    for user in registrants.users:
        found = client.get("/admin/audit/ledgerentry/", {"q": user.username}).content.decode()
        assert not any(f"/admin/audit/ledgerentry/{seq}/change/" in found for seq in seqs)
    for seq in seqs:
        page = client.get(f"/admin/audit/ledgerentry/{seq}/change/")
        assert page.status_code == 200 and registrants.leaked(page.content.decode()) == []
    moved_clock.move_past(registrants.project.registration_deadline)
    assert registrants.users[0].username in client.get("/admin/audit/ledgerentry/").content.decode()


def _hold(registrants):
    """A party complains before the deadline (the tenderer: a registrant complaining would name itself, and a
    potential tenderer who has not registered has no standing under the complaint rule): the project is under
    legal hold."""
    complainant = factories.tenderer_user(registrants.project)
    aftercare.complaint_open(actor=complainant, project=registrants.project, text="质疑报名条件设置不合理")
    registrants.project.refresh_from_db()
    assert registrants.project.legal_hold


def test_under_legal_hold_an_inspector_opens_the_registrants_and_the_opening_is_recorded(
        client, inspector, registrants):
    _hold(registrants)
    code = registrants.project.code
    trail = client.get(f"/inspect/projects/{code}/").content.decode()
    assert f'action="/inspect/projects/{code}/registrations/"' in trail and registrants.leaked(trail) == []
    opened = client.post(f"/inspect/projects/{code}/registrations/", {"reason": "核查投诉所涉报名情况"})
    assert opened.status_code == 200
    page = opened.content.decode()
    assert all(r.enterprise.name in page and r.enterprise.uscc in page for r in registrants.registrations)
    event = LedgerEntry.objects.get(action="sealed_registrations_opened")
    assert event.actor == inspector.username and event.project == code
    assert "法律保全" in event.reason and "核查投诉所涉报名情况" in event.reason
    assert registrants.leaked(str(event.data)) == [] and "count" not in event.data
    # nothing stays open: the next page is sealed again, and the opening is among the risk findings
    assert registrants.leaked(client.get(f"/inspect/projects/{code}/").content.decode()) == []
    findings = client.get("/inspect/findings/").content.decode()
    assert inspector.username in findings and code in findings


def test_the_registrants_stay_sealed_without_a_legal_hold_a_reason_or_an_inspector(client, inspector, registrants):
    code = registrants.project.code
    url = f"/inspect/projects/{code}/registrations/"
    assert url not in client.get(f"/inspect/projects/{code}/").content.decode()
    answer = client.post(url, {"reason": "想看看"})
    assert answer.status_code == 403 and registrants.leaked(answer.content.decode()) == []
    denied = LedgerEntry.objects.filter(action="access_denied").order_by("-seq").first()
    assert denied.actor == inspector.username and denied.data["path"] == url
    _hold(registrants)
    answer = client.post(url, {"reason": "  "}, follow=True)
    assert registrants.leaked(answer.content.decode()) == [] and "开启报名名单须写明理由" in answer.content.decode()
    for role in (Role.ADMIN, Role.AGENCY, Role.SUPERVISOR):
        client.force_login(factories.user(role))
        assert client.post(url, {"reason": "核查"}).status_code == 403
    assert not LedgerEntry.objects.filter(action="sealed_registrations_opened").exists()
