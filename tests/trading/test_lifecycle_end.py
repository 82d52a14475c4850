"""The end of the life cycle through the API: signing starts performance, acceptance (竣工验收) completes the project
and frees the winner's cap, termination with a reason ends it; open milestones end with the project."""

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from tests import factories
from trading.eligibility import ongoing_fixed_price_count
from trading.models import Contract, Milestone, Project
from trading.services.aftercare import contract_sign, followup_assign, milestone_record, project_award

pytestmark = pytest.mark.django_db


def in_performance(project, moved_clock):
    moved_clock.travel(dt.timedelta(days=4))  # past publicity
    contract = project_award(actor=project.created_by, project=project)
    contract_sign(actor=project.created_by, contract=contract)
    project.refresh_from_db()
    return project, Contract.objects.get(pk=contract.pk)


def today():
    return timezone.localdate(clock.now())


def test_signing_starts_performance_and_the_winner_counts_towards_the_cap(drawn_project, moved_clock):
    project, contract = in_performance(drawn_project, moved_clock)

    assert project.status == "in_progress"
    assert ongoing_fixed_price_count(contract.enterprise_id) == 1
    reasons = LedgerEntry.objects.filter(project=project.code, object_type="trading.Project").values_list(
        "reason", flat=True)
    assert "合同签订，开始履约" in list(reasons)


def test_acceptance_completes_the_project_and_frees_the_winner(api, drawn_project, moved_clock):
    project, contract = in_performance(drawn_project, moved_clock)
    api.force_login(project.created_by)

    answer = api.post(f"/api/projects/{project.code}/complete",
                      {"accepted_on": today().isoformat(), "note": "工程质量合格，同意验收"}, format="json")

    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["status"] == "completed" and body["accepted_on"] == today().isoformat()
    assert body["acceptance_note"] == "工程质量合格，同意验收"
    assert ongoing_fixed_price_count(contract.enterprise_id) == 0
    entry = LedgerEntry.objects.filter(project=project.code, object_type="trading.Project").order_by("-seq").first()
    assert entry.actor == project.created_by.username and "竣工验收" in entry.reason


def test_acceptance_closes_open_milestones_and_their_overdue_flags_stop(api, drawn_project, moved_clock):
    project, _contract = in_performance(drawn_project, moved_clock)
    agency = project.created_by
    followup_assign(actor=agency, project=project, officer=agency)
    late = milestone_record(actor=agency, project=project, title="主体结构", due=today() - dt.timedelta(days=2))
    done = milestone_record(actor=agency, project=project, title="基础", due=today() - dt.timedelta(days=5),
                            done_on=today() - dt.timedelta(days=6))
    assert late.overdue
    api.force_login(agency)

    assert api.post(f"/api/projects/{project.code}/complete",
                    {"accepted_on": today().isoformat(), "note": "合格"}, format="json").status_code == 200

    late.refresh_from_db()
    done.refresh_from_db()
    assert late.closed_on == today() and not late.overdue
    assert done.closed_on is None
    milestones = api.get(f"/api/projects/{project.code}/milestones").json()["items"]
    assert [m["overdue"] for m in milestones] == [False, False]
    assert LedgerEntry.objects.filter(object_type="trading.Milestone", object_id=str(late.pk),
                                      reason="竣工验收，跟踪结束").exists()
    later = api.post(f"/api/projects/{project.code}/milestones", {"title": "补记", "due": today().isoformat()},
                     format="json")
    assert later.status_code == 409 and "跟踪随之结束" in later.json()["detail"]


@pytest.mark.parametrize(("payload", "field", "text"), [
    ({"note": "合格"}, "accepted_on", "必填"),
    ({"accepted_on": "2026-13-01", "note": "合格"}, "accepted_on", "不是日期"),
    ({"accepted_on": "+1", "note": "合格"}, "accepted_on", "不能晚于今天"),
    ({"accepted_on": "-400", "note": "合格"}, "accepted_on", "不能早于合同签订日期"),
    ({"accepted_on": "0", "note": "  "}, "note", "验收意见"),
])
def test_bad_acceptance_input_is_refused_naming_the_field(api, drawn_project, moved_clock, payload, field, text):
    project, _contract = in_performance(drawn_project, moved_clock)
    if payload.get("accepted_on", "x")[0] in "+-0":
        payload = {**payload, "accepted_on": (today() + dt.timedelta(days=int(payload["accepted_on"]))).isoformat()}
    api.force_login(project.created_by)
    before = LedgerEntry.objects.count()

    answer = api.post(f"/api/projects/{project.code}/complete", payload, format="json")

    assert answer.status_code == 400
    assert text in answer.json()["errors"][field][0]
    assert Project.objects.get(pk=project.pk).status == "in_progress"
    assert LedgerEntry.objects.count() == before


def test_acceptance_before_the_contract_is_signed_is_a_conflict(api, drawn_project, moved_clock):
    moved_clock.travel(dt.timedelta(days=4))
    project_award(actor=drawn_project.created_by, project=drawn_project)
    api.force_login(drawn_project.created_by)

    answer = api.post(f"/api/projects/{drawn_project.code}/complete",
                      {"accepted_on": today().isoformat(), "note": "合格"}, format="json")

    assert answer.status_code == 409 and "合同签订" in answer.json()["detail"]
    assert Project.objects.get(pk=drawn_project.pk).status == "awarded"


def test_only_the_managing_agency_accepts_or_terminates(api, drawn_project, moved_clock):
    project, _contract = in_performance(drawn_project, moved_clock)
    for intruder in (factories.agency_user(), factories.user(Role.ENTERPRISE), factories.user(Role.INSPECTOR)):
        api.force_login(intruder)
        assert api.post(f"/api/projects/{project.code}/complete",
                        {"accepted_on": today().isoformat(), "note": "合格"}, format="json").status_code == 403
        assert api.post(f"/api/projects/{project.code}/terminate", {"reason": "x"}, format="json").status_code == 403
    api.logout()
    assert api.post(f"/api/projects/{project.code}/terminate", {"reason": "x"}, format="json").status_code == 403
    assert Project.objects.get(pk=project.pk).status == "in_progress"


def test_termination_with_a_reason_ends_the_project_and_frees_the_winner(api, drawn_project, moved_clock):
    project, contract = in_performance(drawn_project, moved_clock)
    api.force_login(project.created_by)

    missing = api.post(f"/api/projects/{project.code}/terminate", {"reason": " "}, format="json")
    assert missing.status_code == 400 and "理由" in missing.json()["errors"]["reason"][0]
    assert Project.objects.get(pk=project.pk).status == "in_progress"

    answer = api.post(f"/api/projects/{project.code}/terminate", {"reason": "建设资金未落实，项目取消"}, format="json")

    assert answer.status_code == 200
    assert answer.json()["status"] == "terminated"
    assert answer.json()["termination_reason"] == "建设资金未落实，项目取消"
    assert ongoing_fixed_price_count(contract.enterprise_id) == 0
    again = api.post(f"/api/projects/{project.code}/terminate", {"reason": "再次"}, format="json")
    assert again.status_code == 409
    assert api.post(f"/api/projects/{project.code}/complete",
                    {"accepted_on": today().isoformat(), "note": "合格"}, format="json").status_code == 409


def test_a_completed_project_cannot_be_terminated(api, drawn_project, moved_clock):
    project, _contract = in_performance(drawn_project, moved_clock)
    api.force_login(project.created_by)
    api.post(f"/api/projects/{project.code}/complete", {"accepted_on": today().isoformat(), "note": "合格"},
             format="json")

    answer = api.post(f"/api/projects/{project.code}/terminate", {"reason": "事后"}, format="json")

    assert answer.status_code == 409 and "已完工" in answer.json()["detail"]
    assert Project.objects.get(pk=project.pk).status == "completed"


def test_a_published_project_can_be_terminated(api):
    project = factories.fixed_price_project()
    api.force_login(project.created_by)

    answer = api.post(f"/api/projects/{project.code}/terminate", {"reason": "规划调整"}, format="json")

    assert answer.status_code == 200 and answer.json()["status"] == "terminated"


def test_an_unsigned_offer_of_a_terminated_project_never_lapses_into_a_bad_record(api, drawn_project, moved_clock,
                                                                                   settings):
    from django.core.management import call_command

    from trading.models import BadBehaviourRecord

    moved_clock.travel(dt.timedelta(days=4))
    project_award(actor=drawn_project.created_by, project=drawn_project)
    api.force_login(drawn_project.created_by)
    assert api.post(f"/api/projects/{drawn_project.code}/terminate", {"reason": "资金取消"},
                    format="json").status_code == 200

    moved_clock.travel(dt.timedelta(days=settings.SIGN_DAYS + 1))
    call_command("run_deadlines", "--quiet")

    assert not BadBehaviourRecord.objects.exists()
    assert Contract.objects.get().state == "offered"
    assert Milestone.objects.count() == 0
