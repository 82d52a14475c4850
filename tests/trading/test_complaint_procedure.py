"""The statutory procedure: 质疑 (objection) to the agency first, then 投诉 (complaint) to the supervising department,
each within its period (招标投标法实施条例 arts. 22, 44, 54, 60-62; 政府采购法 arts. 52-56), by parties only, with
outcomes and their effect on the project, the potential bidders never named before the deadline."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from archive import statistics
from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from core.workdays import add_workdays, end_of_workdays
from tests import factories
from trading.models import Complaint, Project
from trading.services import complaints
from trading.services.projects import project_amend, project_close

pytestmark = pytest.mark.django_db


def post(api, user, path, data=None):
    api.force_authenticate(user=user)
    return api.post(path, data or {}, format="json")


def objection(api, user, project, matter="", text="招标公告的资格条件设置不合理"):
    data = {"text": text, **({"matter": matter} if matter else {})}
    return post(api, user, f"/api/projects/{project.code}/complaints", data)


def supervisor():
    return factories.user(Role.SUPERVISOR)


@pytest.fixture
def published(settings):
    settings.REGISTRATION_MIN_DAYS = 0
    return factories.fixed_price_project(deadline=clock.now() + dt.timedelta(days=5))


# --- time limits ---------------------------------------------------------------------------------------------------

def test_an_objection_to_the_documents_is_refused_later_than_two_days_before_the_deadline(api, published):
    interested = factories.enterprise_with_licences("有意向企业")[1]
    with clock.travel(dt.timedelta(days=3, minutes=1)):
        late = objection(api, interested, published)
    with clock.travel(dt.timedelta(days=2, hours=23)):
        in_time = objection(api, interested, published)

    assert late.status_code == 409 and "第二十二条" in late.json()["detail"]
    assert "matter" in late.json()["errors"]
    assert in_time.status_code == 201, in_time.json()
    assert Complaint.objects.count() == 1


def test_an_on_site_objection_is_taken_only_during_a_session_of_the_project(api, drawn_project):
    party = factories.registrants(drawn_project)[0]
    refused = objection(api, party, drawn_project, matter="onsite")
    assert refused.status_code == 409 and "第四十四条" in refused.json()["detail"]


def test_an_objection_to_the_result_is_taken_within_the_publicity_only(api, drawn_project):
    party = factories.registrants(drawn_project)[0]
    with clock.travel(drawn_project.publicity_until - clock.now() + dt.timedelta(minutes=1)):
        late = objection(api, party, drawn_project, matter="result")
    assert late.status_code == 409 and "第五十四条" in late.json()["detail"]
    assert objection(api, party, drawn_project, matter="result").status_code == 201


def test_working_days_skip_the_weekend():
    friday = dt.date(2026, 12, 4)
    assert add_workdays(friday, 1) == dt.date(2026, 12, 7)
    assert add_workdays(friday, 7) == dt.date(2026, 12, 15)
    moment = dt.datetime(2026, 12, 4, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert end_of_workdays(moment, 1) == dt.datetime(2026, 12, 8, 0, 0, tzinfo=moment.tzinfo)


def test_procurement_objections_and_complaints_count_working_days(api):
    from tests.evaluation.builders import bidder, procurement

    project = procurement()
    supplier = bidder("供应商甲")
    filed = objection(api, supplier, project, matter="documents")
    assert filed.status_code == 201, filed.json()
    row = Complaint.objects.get()
    assert row.answer_due == end_of_workdays(timezone.localtime(row.created_at), 7)

    with clock.travel(row.answer_due - clock.now()):  # lapsed unanswered: the complaint may follow
        escalated = post(api, supplier, f"/api/complaints/{row.pk}/escalate", {"text": "采购人逾期未答复"})
    assert escalated.status_code == 201, escalated.json()
    assert Complaint.objects.get(pk=escalated.json()["id"]).accept_due is not None


# --- the order: objection first, then complaint ---------------------------------------------------------------------

def test_a_complaint_needs_an_answered_or_lapsed_objection_and_comes_from_its_party(api, drawn_project):
    first, other = factories.registrants(drawn_project)[:2]
    row_id = objection(api, first, drawn_project, matter="result").json()["id"]
    path = f"/api/complaints/{row_id}/escalate"

    too_early = post(api, first, path, {"text": "代理机构未答复"})
    not_theirs = post(api, other, path, {"text": "代理机构未答复"})
    with clock.travel(dt.timedelta(days=3, minutes=1)):
        lapsed = post(api, first, path, {"text": "代理机构逾期未答复"})
        twice = post(api, first, path, {"text": "再次投诉"})

    assert too_early.status_code == 409 and "须先" in too_early.json()["detail"]
    assert not_theirs.status_code == 403
    assert lapsed.status_code == 201, lapsed.json()
    assert lapsed.json()["kind"] == "complaint" and lapsed.json()["objection"] == row_id
    assert twice.status_code == 409
    assert Complaint.objects.filter(kind="complaint").count() == 1


def test_a_complaint_more_than_ten_days_after_the_answer_is_late(api, drawn_project):
    party = factories.registrants(drawn_project)[0]
    row = Complaint.objects.get(pk=objection(api, party, drawn_project, matter="result").json()["id"])
    complaints.complaint_resolve(actor=drawn_project.created_by, complaint=row, answer="经核查，抽取程序合法",
                                 outcome="rejected")
    with clock.travel(dt.timedelta(days=10, minutes=1)):
        late = post(api, party, f"/api/complaints/{row.pk}/escalate", {"text": "不服答复"})
    assert late.status_code == 409 and "第六十条" in late.json()["detail"]


# --- standing and secrecy -------------------------------------------------------------------------------------------

def test_any_enterprise_may_object_while_registration_is_open_but_not_after(api, published):
    assert objection(api, factories.enterprise_with_licences()[1], published).status_code == 201
    with clock.travel(dt.timedelta(days=5, minutes=1)):
        late = objection(api, factories.enterprise_with_licences()[1], published, matter="process")
    assert late.status_code == 403 and "只有本项目的当事人" in late.json()["detail"]


def test_a_registrant_objecting_before_the_deadline_is_not_named_to_the_agency(api, published):
    name = "保密报名企业"
    enterprise, account = factories.enterprise_with_licences(name)
    factories.register(published, account)
    assert objection(api, account, published).status_code == 201

    api.force_authenticate(user=published.created_by)
    listed = api.get(f"/api/projects/{published.code}/complaints").json()["items"]
    client = Client()
    client.force_login(published.created_by)
    page = client.get(f"/projects/{published.code}/manage/").content.decode()
    api.force_authenticate(user=account)
    own = api.get(f"/api/projects/{published.code}/complaints").json()["items"]

    assert [row["complainant"] for row in listed] == ["某潜在投标人（报名截止前提出，名称不公开）"]
    assert name not in page and "某潜在投标人" in page
    assert own[0]["complainant"] == name


# --- outcomes and effects -------------------------------------------------------------------------------------------

def test_an_open_objection_to_the_documents_suspends_the_close_until_answered(api, published, moved_clock):
    account = factories.enterprise_with_licences()[1]
    row = Complaint.objects.get(pk=objection(api, account, published).json()["id"])
    moved_clock.move_past(published.registration_deadline)

    refused = post(api, published.created_by, f"/api/projects/{published.code}/close")
    assert refused.status_code == 409 and "暂停" in refused.json()["detail"]
    assert Project.objects.get(pk=published.pk).status == "published"

    complaints.complaint_resolve(actor=published.created_by, complaint=row, answer="资格条件符合规定",
                                 outcome="rejected")
    assert project_close(actor=published.created_by, project=published).status in ("qualified", "failed")


def _complaint_accepted(api, project, party):
    row = Complaint.objects.get(pk=objection(api, party, project, matter="result").json()["id"])
    complaints.complaint_resolve(actor=project.created_by, complaint=row, answer="不成立", outcome="rejected")
    complaint = complaints.complaint_escalate(actor=party, objection=row, text="抽取结果有误")
    return complaints.complaint_accept(actor=supervisor(), complaint=complaint, accept=True)


def test_a_rejected_complaint_lets_the_project_go_on(api, drawn_project):
    complaint = _complaint_accepted(api, drawn_project, factories.registrants(drawn_project)[0])
    department = supervisor()

    decided = post(api, department, f"/api/complaints/{complaint.pk}/decide",
                   {"outcome": "rejected", "decision": "经调查，抽取程序合法，投诉不成立，予以驳回。"})

    assert decided.status_code == 200, decided.json()
    assert decided.json()["state"] == "decided" and decided.json()["outcome"] == "rejected"
    assert Project.objects.get(pk=drawn_project.pk).status == "publicity"
    entry = LedgerEntry.objects.filter(object_type="trading.Complaint", object_id=str(complaint.pk)).order_by("seq").last()
    assert entry.actor == department.username


def test_an_upheld_complaint_about_the_result_fails_the_round(api, drawn_project):
    complaint = _complaint_accepted(api, drawn_project, factories.registrants(drawn_project)[0])

    complaints.complaint_decide(actor=supervisor(), complaint=complaint, outcome="upheld",
                                decision="投诉成立，本轮抽取结果无效，责令重新组织。")

    project = Project.objects.get(pk=drawn_project.pk)
    assert project.status == "failed"
    assert "投诉成立" in project.history.first().history_change_reason


def test_an_upheld_complaint_about_the_documents_suspends_until_a_change_notice(api, published):
    party = factories.enterprise_with_licences()[1]
    row = Complaint.objects.get(pk=objection(api, party, published).json()["id"])
    complaints.complaint_resolve(actor=published.created_by, complaint=row, answer="不成立", outcome="rejected")
    complaint = complaints.complaint_escalate(actor=party, objection=row, text="资格条件排斥潜在投标人")
    complaint = complaints.complaint_accept(actor=supervisor(), complaint=complaint, accept=True)
    complaints.complaint_decide(actor=supervisor(), complaint=complaint, outcome="upheld", decision="责令修改公告")

    with clock.travel(dt.timedelta(days=5, minutes=1)):
        refused = post(api, published.created_by, f"/api/projects/{published.code}/close")
    assert refused.status_code == 409 and "变更公告" in refused.json()["detail"]

    project_amend(actor=published.created_by, project=published, text="删除不合理的资格条件",
                  registration_deadline=clock.now() + dt.timedelta(days=6))
    with clock.travel(dt.timedelta(days=6, minutes=1)):
        assert post(api, published.created_by, f"/api/projects/{published.code}/close").status_code == 200


def test_a_withdrawn_objection_lifts_the_suspension_and_counts_as_withdrawn(api, drawn_project):
    party = factories.registrants(drawn_project)[0]
    row_id = objection(api, party, drawn_project, matter="result").json()["id"]

    assert post(api, factories.registrants(drawn_project)[1], f"/api/complaints/{row_id}/withdraw").status_code == 403
    withdrawn = post(api, party, f"/api/complaints/{row_id}/withdraw")

    assert withdrawn.status_code == 200 and withdrawn.json()["outcome"] == "withdrawn"
    assert post(api, party, f"/api/complaints/{row_id}/withdraw").status_code == 409
    assert not Project.objects.get(pk=drawn_project.pk).complaints.filter(complaints.rules.suspending()).exists()


def test_only_the_supervising_department_accepts_and_decides(api, drawn_project):
    complaint = _complaint_accepted(api, drawn_project, factories.registrants(drawn_project)[0])
    for who in (drawn_project.created_by, factories.user(Role.INSPECTOR), factories.user(Role.ADMIN)):
        answer = post(api, who, f"/api/complaints/{complaint.pk}/decide", {"outcome": "upheld", "decision": "x"})
        assert answer.status_code == 403
    assert Complaint.objects.get(pk=complaint.pk).state == "accepted"


def test_a_refused_complaint_is_published_without_the_name_of_a_potential_bidder(api, published):
    name = "截止前投诉企业"
    party = factories.enterprise_with_licences(name)[1]
    row = Complaint.objects.get(pk=objection(api, party, published).json()["id"])
    with clock.travel(dt.timedelta(days=3, minutes=1)):
        complaint = complaints.complaint_escalate(actor=party, objection=row, text="逾期未答复")
        refused = post(api, supervisor(), f"/api/complaints/{complaint.pk}/accept",
                       {"accept": False, "reason": "投诉事项不属于本部门职责。"})
    assert refused.status_code == 200 and refused.json()["state"] == "refused"

    public = Client().get("/complaints/decisions/").content.decode()
    listed = Client().get("/api/complaint-decisions").json()["items"]
    assert "投诉事项不属于本部门职责" in public and name not in public
    assert listed[0]["complainant"].startswith("某潜在投标人")


# --- bad input ------------------------------------------------------------------------------------------------------

def test_bad_input_is_refused_naming_the_field_and_changes_nothing(api, drawn_project):
    party = factories.registrants(drawn_project)[0]
    assert objection(api, party, drawn_project, matter="elsewhere").json()["errors"].keys() == {"matter"}
    assert objection(api, party, drawn_project, text="  ").json()["errors"].keys() == {"text"}
    row_id = objection(api, party, drawn_project, matter="result").json()["id"]
    for data, field in (({"answer": "已核查"}, "outcome"), ({"answer": "已核查", "outcome": "maybe"}, "outcome"),
                        ({"outcome": "upheld"}, "answer")):
        answer = post(api, drawn_project.created_by, f"/api/complaints/{row_id}/answer", data)
        assert answer.status_code == 400 and field in answer.json()["errors"], data
    wrong_kind = post(api, supervisor(), f"/api/complaints/{row_id}/accept", {"accept": "yes"})
    assert wrong_kind.status_code == 400 and "accept" in wrong_kind.json()["errors"]
    assert Complaint.objects.get(pk=row_id).state == "open" and Complaint.objects.count() == 1


# --- statistics -----------------------------------------------------------------------------------------------------

def test_statistics_count_a_case_once_and_an_upheld_case_as_effective(api, drawn_project):
    party = factories.registrants(drawn_project)[0]
    complaint = _complaint_accepted(api, drawn_project, party)
    complaints.complaint_decide(actor=supervisor(), complaint=complaint, outcome="upheld", decision="成立")
    year = timezone.localtime(clock.now()).year

    rows = {row.type: row for row in statistics.trading_statistics(year=year).rows}
    api.force_authenticate(user=factories.user(Role.INSPECTOR))
    by_api = {row["type"]: row for row in api.get(f"/api/statistics?year={year}").json()["items"]}

    assert rows["fixed_price"].complaints == 1 and rows["fixed_price"].complaints_upheld == 1
    assert by_api["fixed_price"]["complaints"] == 1 and by_api["fixed_price"]["complaints_upheld"] == 1
    assert api.get("/api/statistics?month=13").json()["errors"].keys() == {"month"}
