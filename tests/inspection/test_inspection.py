"""The inspector's workspace: the timeline and its filters, diffs, a project's trail, exports, chain status,
inbox and legal-hold release."""

import csv
import datetime as dt
import io
import subprocess
from decimal import Decimal

import pytest

from audit import ledger, merkle, selectors
from audit.models import LedgerEntry
from core import clock, context
from core.roles import Role
from inspection.selectors import InspectionFilter
from tests import factories
from trading.services import aftercare

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspector(client):
    user = factories.user(Role.INSPECTOR, username="jijian")
    client.force_login(user)
    return user


def _closed_project(settings, **data):
    """A published fixed-price project whose registration deadline has passed."""
    settings.REGISTRATION_MIN_DAYS = 0
    with clock.travel(-dt.timedelta(days=3)):
        return factories.fixed_price_project(deadline=clock.now() + dt.timedelta(days=1), **data)


def test_an_inspector_finds_who_read_a_registration_list_and_who_changed_a_budget_from_the_timeline_alone(
        client, settings):
    agency = factories.agency_user()
    draft = factories.fixed_price_project(agency=agency, publish=False, budget=Decimal("1500000.00"),
                                          fixed_price=Decimal("1400000.00"))
    with context.acting(agency, reason="概算调整"):
        draft.budget = Decimal("1650000.00")
        draft.save()
    closed = _closed_project(settings)
    reader = factories.user(Role.SUPERVISOR, username="jiandu_wang")
    client.force_login(reader)
    assert client.get(f"/projects/{closed.code}/registrations/").status_code == 200

    client.force_login(factories.user(Role.INSPECTOR))
    reads = client.get("/inspect/", {"action": "registration_list_viewed"}).content.decode()
    assert "jiandu_wang" in reads and closed.code in reads
    changes = client.get("/inspect/", {"project": draft.code, "model": "trading.Project", "action": "update"})
    page = changes.content.decode()
    assert changes.status_code == 200
    assert agency.username in page and "概算调整" in page
    assert "预算金额（元）" in page and "<del>1500000.00</del> → <ins>1650000.00</ins>" in page


def test_the_timeline_pages_by_keyset_and_the_older_link_keeps_the_filters(client, inspector):
    for n in range(7):
        ledger.record_event("bench_note", project="P-KEYSET", data={"n": n})
    filters = selectors.TimelineFilter(project="P-KEYSET")
    first = selectors.timeline_page(filters, size=3)
    second = selectors.timeline_page(filters, before=first.next_before, size=3)
    last = selectors.timeline_page(filters, before=second.next_before, size=3)
    seen = [e.data["n"] for page in (first, second, last) for e in page.entries]
    assert seen == [6, 5, 4, 3, 2, 1, 0] and last.next_before is None
    for n in range(60):
        ledger.record_event("bench_note", project="P-KEYSET", data={"n": 100 + n})
    page = client.get("/inspect/", {"project": "P-KEYSET"}).content.decode()
    assert 'id="older" href="?project=P-KEYSET&amp;before=' in page


def test_the_organisation_and_period_filters_select_the_same_entries_on_page_and_api(client, inspector, api):
    org = factories.organisation(kind="agency")
    member = factories.user(Role.AGENCY, organisation=org)
    outsider = factories.user(Role.AGENCY, organisation=factories.organisation(kind="agency"))
    ledger.record_event("note", actor=member, data={"who": "member"})
    ledger.record_event("note", actor=outsider, data={"who": "outsider"})
    today = clock.now().astimezone(selectors.SHANGHAI).date().isoformat()
    qs = InspectionFilter.from_params(
        {"organisation": org.uscc, "action": "note", "since": today, "until": today}).queryset()
    assert [e.data["who"] for e in qs] == ["member"]
    api.force_login(inspector)
    answer = api.get("/api/audit", {"organisation": str(org.pk), "action": "note"}).json()
    assert [item["data"]["who"] for item in answer["items"]] == ["member"]
    tomorrow = (clock.now() + dt.timedelta(days=1)).astimezone(selectors.SHANGHAI).date().isoformat()
    assert not selectors.ledger_entries(selectors.TimelineFilter.from_params({"since": tomorrow})).exists()


def test_a_bad_period_is_refused_naming_the_parameter_on_page_and_api(client, inspector, api):
    page = client.get("/inspect/", {"since": "2026-13-45"})
    assert page.status_code == 400 and "2026-13-45" in page.content.decode()
    api.force_login(inspector)
    answer = api.get("/api/audit", {"until": "yesterday"})
    assert answer.status_code == 400 and "until" in answer.json()["errors"]


def test_an_event_shows_its_data_and_sealed_fields_are_hidden_in_diffs(client, inspector, settings):
    project = factories.fixed_price_project()  # publication seals a draw secret
    secret_entry = LedgerEntry.objects.filter(object_type="lottery.DrawSecret").get()
    diff = {c["name"]: c["new"] for c in selectors.entry_diff(secret_entry)}
    assert diff["sealed_secret"] == selectors.REDACTED and diff["commitment"] == project.commitment
    event = LedgerEntry.objects.get(action="draw_commitment_published")
    page = client.get(f"/inspect/entries/{event.seq}/").content.decode()
    assert project.commitment in page and "commitment" in page


def test_a_projects_whole_trail_is_on_one_page_oldest_first(client, inspector):
    project = factories.fixed_price_project()
    page = client.get(f"/inspect/projects/{project.code}/").content.decode()
    seqs = list(LedgerEntry.objects.filter(project=project.code).order_by("seq").values_list("seq", flat=True))
    positions = [page.index(f'id="e{seq}"') for seq in seqs]
    assert len(seqs) >= 3 and positions == sorted(positions)


def test_csv_and_pdf_exports_carry_the_filtered_trail_and_are_themselves_recorded(client, inspector, tmp_path):
    project = factories.fixed_price_project()
    csv_answer = client.get("/inspect/export.csv", {"project": project.code})
    text = b"".join(csv_answer.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["seq", "at", "actor"]
    assert [int(r[0]) for r in rows[1:]] == list(LedgerEntry.objects.filter(project=project.code).order_by("seq")
                                                 .values_list("seq", flat=True))
    assert "draw_commitment_published" in text
    pdf = client.get("/inspect/export.pdf", {"project": project.code})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    (tmp_path / "trail.pdf").write_bytes(pdf.content)
    printed = subprocess.run(["pdftotext", str(tmp_path / "trail.pdf"), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert "审计记录" in printed and project.code in printed and "公布抽取承诺值" in printed  # the action by its Chinese name
    exports = LedgerEntry.objects.filter(action="audit_exported", actor=inspector.username).order_by("seq")
    assert [e.data["format"] for e in exports] == ["csv", "pdf"]
    assert exports[0].data["filters"] == {"project": project.code}


def test_the_verify_button_records_its_result_which_the_chain_page_shows(client, inspector):
    ledger.record_event("note")
    assert client.post("/inspect/chain/verify/").status_code == 302
    entry = LedgerEntry.objects.get(action="audit_verified")
    assert entry.actor == inspector.username and entry.data["ok"] is True
    page = client.get("/inspect/chain/").content.decode()
    assert "通过" in page and f"#{entry.seq}" in page and merkle.root(merkle.tree_size()).hex() in page


def test_an_administrator_reads_but_neither_verifies_nor_releases(client, settings):
    project = _closed_project(settings)
    aftercare.complaint_open(actor=factories.tenderer_user(project), project=project, text="质疑抽取程序")
    client.force_login(factories.user(Role.ADMIN))
    assert client.get("/inspect/").status_code == 200
    assert client.get("/inspect/chain/").status_code == 200
    assert "立即校验" not in client.get("/inspect/chain/").content.decode()
    assert client.post("/inspect/chain/verify/").status_code == 403
    assert client.post(f"/inspect/projects/{project.code}/release-hold/", {"reason": "x"}).status_code == 403
    client.force_login(factories.user(Role.ENTERPRISE))
    assert client.get("/inspect/").status_code == 403


def test_the_inbox_lists_referrals_and_complaints_and_a_hold_is_released_only_with_a_reason(
        client, inspector, settings):
    project = _closed_project(settings)
    agency = project.created_by
    complaint = aftercare.complaint_open(actor=factories.tenderer_user(project), project=project, text="质疑抽取程序")
    aftercare.referral_create(actor=agency, project=project, text="中选企业疑似挂靠")
    inbox = client.get("/inspect/inbox/").content.decode()
    assert "质疑抽取程序" in inbox and "中选企业疑似挂靠" in inbox and project.code in inbox
    aftercare.complaint_resolve(actor=agency, complaint=complaint, answer="经核查程序合法", outcome="rejected")
    url = f"/inspect/projects/{project.code}/release-hold/"
    client.post(url, {"reason": "  "})
    project.refresh_from_db()
    assert project.legal_hold is True
    assert client.post(url, {"reason": "投诉已办结，录像无需继续保全"}).status_code == 302
    project.refresh_from_db()
    assert project.legal_hold is False
    entry = LedgerEntry.objects.filter(object_type="trading.Project", project=project.code).order_by("-seq").first()
    assert entry.actor == inspector.username and entry.reason == "投诉已办结，录像无需继续保全"


def test_the_daily_command_can_record_its_verification_for_the_chain_page(client, inspector):
    from django.core.management import call_command

    ledger.record_event("note")
    call_command("audit_verify", "--quiet", "--record")
    entry = LedgerEntry.objects.get(action="audit_verified")
    assert entry.actor == "system" and entry.data["ok"] is True
    assert f"#{entry.seq}" in client.get("/inspect/chain/").content.decode()


def test_a_change_longer_than_a_page_runs_onto_the_next_page_of_the_pdf_export(client, inspector, tmp_path):
    """An announcement is pages long, and a project's creation diff carries all of it."""
    announcement = "".join(f"第{n}条 投标人须按时递交响应文件。" for n in range(1, 900))
    project = factories.fixed_price_project(announcement=announcement)
    pdf = client.get("/inspect/export.pdf", {"project": project.code})
    assert pdf.status_code == 200
    (tmp_path / "trail.pdf").write_bytes(pdf.content)
    printed = subprocess.run(["pdftotext", str(tmp_path / "trail.pdf"), "-"], capture_output=True, text=True,
                             check=True).stdout.replace("\n", "")
    assert "第1条" in printed and "第899条" in printed
    pages = subprocess.run(["pdfinfo", str(tmp_path / "trail.pdf")], capture_output=True, text=True, check=True)
    assert int(next(line.split()[-1] for line in pages.stdout.splitlines() if line.startswith("Pages:"))) > 3
