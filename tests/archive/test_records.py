"""PDF records built from the real models, read back as text; downloads only for staff, each one audited."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

import pytest

from archive import selectors
from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from tests import factories
from tests.archive.conftest import TITLE, UNUSUAL
from trading.services.aftercare import contract_sign, followup_assign, milestone_record, project_award

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return re.sub(r"\s+", "", text)


def test_every_record_of_a_finished_project_carries_its_title_code_and_facts(finished_project, tmp_path):
    project = finished_project
    records = {r.kind.split("-")[0]: r for r in selectors.available_records(project)}
    assert set(records) == {"announcement", "registrations", "attendance", "draw", "award", "followup"}
    winner = project.contracts.get().enterprise
    expected = {
        "announcement": ["招标公告", "1,780,000.00元", "随机抽取企业须知"],
        "registrations": ["报名及资格审查名单", *(re.sub(r"\s+", "", n) for n in UNUSUAL), "合格"],
        "attendance": ["现场签到表", "现场监督"],
        "draw": ["固定价比选抽取记录", project.commitment, project.candidates_digest, "春分", "中选"],
        "award": ["中标（中选）通知书", winner.name.replace(" ", ""), winner.uscc],
        "followup": ["合同履约跟踪报告", "主体结构封顶", "逾期预警", "劳务人员不足，进度滞后"],
    }
    for kind, record in records.items():
        text = pdf_text(record.build(), tmp_path)
        assert re.sub(r"\s+", "", TITLE) in text, kind
        assert project.code in text, kind
        for fact in expected[kind]:
            assert fact in text, f"{kind}: {fact!r} missing"


def test_a_record_built_twice_from_the_same_rows_has_the_same_bytes(finished_project):
    first = selectors.record_for(finished_project, "draw").build()
    assert selectors.record_for(finished_project, "draw").build() == first


def test_the_draw_record_points_its_qr_code_at_the_projects_verify_page(drawn_project, settings, tmp_path):
    import cv2

    settings.PUBLIC_BASE_URL = "https://jiaoyi.example.cn"
    content = selectors.record_for(drawn_project, "draw").build()
    (tmp_path / "draw.pdf").write_bytes(content)
    pages = subprocess.run(["pdfinfo", str(tmp_path / "draw.pdf")], capture_output=True, text=True).stdout
    last = int(re.search(r"Pages:\s+(\d+)", pages)[1])
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-f", str(last), "-l", str(last), str(tmp_path / "draw.pdf"),
                    str(tmp_path / "page")], check=True)
    image = cv2.imread(str(next(tmp_path.glob("page*.png"))))
    decoded, _, _ = cv2.QRCodeDetector().detectAndDecode(image)
    assert decoded == f"https://jiaoyi.example.cn/projects/{drawn_project.code}/result/"


def test_staff_download_a_record_and_the_download_is_audited(client, drawn_project, tmp_path):
    supervisor = factories.user(Role.SUPERVISOR)
    client.force_login(supervisor)
    page = client.get(f"/projects/{drawn_project.code}/records/")
    assert page.status_code == 200
    assert f"/projects/{drawn_project.code}/records/draw.pdf" in page.content.decode()
    response = client.get(f"/projects/{drawn_project.code}/records/draw.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "固定价比选抽取记录" in pdf_text(response.content, tmp_path)
    entry = LedgerEntry.objects.filter(action="record_downloaded", project=drawn_project.code).get()
    assert entry.actor == supervisor.username and entry.data["kind"] == "draw"


@pytest.mark.parametrize("who", ["enterprise", "expert", "other_agency"])
def test_records_are_refused_to_enterprises_experts_and_other_agencies(client, drawn_project, who):
    user = factories.agency_user() if who == "other_agency" else factories.user(who)
    client.force_login(user)
    assert client.get(f"/projects/{drawn_project.code}/records/draw.pdf").status_code == 403
    assert client.get(f"/projects/{drawn_project.code}/records/").status_code == 403
    assert not LedgerEntry.objects.filter(action="record_downloaded").exists()


def test_the_owning_agency_downloads_and_anonymous_visitors_are_sent_to_log_in(client, drawn_project):
    response = client.get(f"/projects/{drawn_project.code}/records/announcement.pdf")
    assert response.status_code == 302 and "/login/" in response["Location"]
    client.force_login(drawn_project.created_by)
    assert client.get(f"/projects/{drawn_project.code}/records/announcement.pdf").status_code == 200


def test_a_record_the_project_does_not_have_yet_is_404(client, drawn_project):
    client.force_login(factories.user(Role.INSPECTOR))
    assert client.get(f"/projects/{drawn_project.code}/records/award.pdf").status_code == 404


@pytest.fixture
def evaluated_project(settings):
    """A procurement project opened, scored by a drawn panel and evaluated (evaluation's own builders)."""
    from evaluation.services import bids as bid_services
    from evaluation.services import evaluating
    from tests.evaluation import builders
    from tests.evaluation.test_panels_and_scoring import _score_all

    settings.REGISTRATION_MIN_DAYS = 1
    project, users = builders.opened_project()
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        bid_services.bids_open(actor=project.created_by, project=project)
        _score_all(project, users, builders.drawn_panel(project))
        evaluating.evaluation_finish(actor=project.created_by, project=project)
    project.refresh_from_db()
    return project, users


def test_the_bid_opening_record_and_evaluation_report_come_from_the_evaluation(evaluated_project, tmp_path):
    project, users = evaluated_project
    kinds = [r.kind for r in selectors.available_records(project)]
    assert {"bid-opening", "evaluation"} <= set(kinds)
    opening = pdf_text(selectors.record_for(project, "bid-opening").build(), tmp_path)
    assert "开标记录" in opening and "1,100,000.00元" in opening and project.code in opening
    assert all(u.organisation.name in opening for u in users)
    report = pdf_text(selectors.record_for(project, "evaluation").build(), tmp_path)
    assert "评标报告" in report and "综合评估法" in report and "91.89" in report
    assert selectors.record_for(project, "evaluation").build() == selectors.record_for(project, "evaluation").build()


def test_a_milestone_due_yesterday_in_the_centres_zone_is_overdue_when_utc_still_says_today(drawn_project):
    """The report issued at 01:00 on 3 December in Beijing (17:00 UTC on the 2nd) reads a milestone due on the 2nd
    as overdue: its "today" is the one its 制表时间 prints. The history's time cannot be chosen through the services,
    so the audit stamp's clock is pinned for the milestone's save."""
    from unittest import mock

    project = drawn_project
    agency = project.created_by
    with clock.travel(dt.timedelta(days=5)):
        contract_sign(actor=agency, contract=project_award(actor=agency, project=project))
        followup_assign(actor=agency, project=project, officer=agency)
    issued = dt.datetime(2026, 12, 2, 17, tzinfo=dt.UTC)
    with mock.patch("audit.history.timezone.now", return_value=issued):
        milestone_record(actor=agency, project=project, title="主体结构封顶", due=dt.date(2026, 12, 2))

    rows = selectors.followup_data(project)["milestones"]

    assert [(m["name"], m["status"]) for m in rows] == [("主体结构封顶", "逾期预警")]
