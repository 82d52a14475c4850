"""After the draw, through the API: award after publicity, the contract and its deadline, the next alternate,
complaints that freeze the award and put the project on legal hold, follow-up and referrals."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command

from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from tests import factories
from tests.trading.conftest import closed_fixed_price_project
from trading.models import BadBehaviourRecord, Contract, Project, Registration, Suspension

pytestmark = pytest.mark.django_db


def after_publicity():
    return clock.travel(dt.timedelta(days=4))


def _award(api, project):
    api.force_login(project.created_by)
    with after_publicity():
        answer = api.post(f"/api/projects/{project.code}/award")
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_award_waits_for_the_end_of_publicity(api, drawn_project):
    api.force_login(drawn_project.created_by)

    early = api.post(f"/api/projects/{drawn_project.code}/award")

    assert early.status_code == 409 and "公示期" in early.json()["detail"]
    assert Contract.objects.count() == 0


def test_award_offers_the_contract_to_the_first_in_the_ranking(api, drawn_project):
    contract = _award(api, drawn_project)

    first = Registration.objects.get(project=drawn_project, rank=1)
    assert contract["uscc"] == first.enterprise.uscc and contract["state"] == "offered"
    assert Project.objects.get(pk=drawn_project.pk).status == "awarded"
    entry = LedgerEntry.objects.filter(project=drawn_project.code, object_type="trading.Contract").get()
    assert entry.actor == drawn_project.created_by.username and entry.action == "create"


def test_only_the_owning_agency_awards(api, drawn_project):
    api.force_login(factories.agency_user())
    with after_publicity():
        assert api.post(f"/api/projects/{drawn_project.code}/award").status_code == 403
    api.force_login(factories.user(Role.ENTERPRISE))
    with after_publicity():
        assert api.post(f"/api/projects/{drawn_project.code}/award").status_code == 403
    assert Contract.objects.count() == 0


def test_signing_in_time_starts_performance_and_late_signing_is_refused(api, drawn_project, settings):
    contract = _award(api, drawn_project)
    api.force_login(factories.user(Role.ENTERPRISE))
    assert api.post(f"/api/contracts/{contract['id']}/sign").status_code == 403

    api.force_login(drawn_project.created_by)
    with clock.travel(dt.timedelta(days=4 + settings.SIGN_DAYS + 1)):
        late = api.post(f"/api/contracts/{contract['id']}/sign")
    assert late.status_code == 409 and "签订期限" in late.json()["detail"]

    with clock.travel(dt.timedelta(days=5)):
        signed = api.post(f"/api/contracts/{contract['id']}/sign")
        again = api.post(f"/api/contracts/{contract['id']}/sign")
    assert signed.status_code == 200 and signed.json()["state"] == "signed"
    assert again.status_code == 409
    assert Project.objects.get(pk=drawn_project.pk).status == "in_progress"


def test_a_lapsed_offer_suspends_the_winner_and_goes_to_the_next_alternate(api, drawn_project, settings):
    contract = _award(api, drawn_project)

    with clock.travel(dt.timedelta(days=4 + settings.SIGN_DAYS + 1)):
        call_command("run_deadlines", "--quiet")

    lapsed = Contract.objects.get(pk=contract["id"])
    assert lapsed.state == "lapsed"
    record = BadBehaviourRecord.objects.get(enterprise=lapsed.enterprise)
    suspension = Suspension.objects.get(enterprise=lapsed.enterprise, record=record)
    assert (suspension.ends_at - suspension.starts_at).days == settings.SUSPENSION_DAYS
    second = Registration.objects.get(project=drawn_project, rank=2)
    offer = Contract.objects.exclude(pk=lapsed.pk).get()
    assert offer.enterprise == second.enterprise and offer.state == "offered"
    assert LedgerEntry.objects.filter(object_type="trading.Suspension", actor="system").exists()


def test_when_every_alternate_lapses_the_project_fails(api, drawn_project, settings):
    _award(api, drawn_project)
    days = 4
    for _ in range(Registration.objects.filter(project=drawn_project, eligible=True).count()):
        days += settings.SIGN_DAYS + 1
        with clock.travel(dt.timedelta(days=days)):
            call_command("run_deadlines", "--quiet")

    assert Contract.objects.filter(state="lapsed").count() == 5
    assert Project.objects.get(pk=drawn_project.pk).status == "failed"


def test_a_complaint_freezes_the_award_and_holds_until_an_inspector_releases_it(api, drawn_project):
    code = drawn_project.code
    complainant = factories.registrants(drawn_project)[0]
    api.force_login(complainant)
    assert api.post(f"/api/projects/{code}/complaints", {"text": "  "}, format="json").status_code == 400
    opened = api.post(f"/api/projects/{code}/complaints", {"text": "抽取现场监督人员未到齐"}, format="json")
    assert opened.status_code == 201
    assert Project.objects.get(pk=drawn_project.pk).legal_hold is True

    api.force_login(drawn_project.created_by)
    with after_publicity():
        frozen = api.post(f"/api/projects/{code}/award")
    assert frozen.status_code == 409 and "质疑" in frozen.json()["detail"]
    inspector = factories.user(Role.INSPECTOR)
    api.force_login(inspector)
    still_open = api.post(f"/api/projects/{code}/legal-hold/release", {"reason": "已查明"}, format="json")
    assert still_open.status_code == 409

    api.force_login(drawn_project.created_by)
    complaint_id = opened.json()["id"]
    answered = api.post(f"/api/complaints/{complaint_id}/answer", {"answer": "两名监督人员均已签到", "outcome": "rejected"}, format="json")
    assert answered.status_code == 200 and answered.json()["state"] == "resolved"
    assert api.post(f"/api/complaints/{complaint_id}/answer", {"answer": "再答", "outcome": "rejected"}, format="json").status_code == 409
    assert api.post(f"/api/projects/{code}/legal-hold/release", {"reason": "x"}, format="json").status_code == 403

    api.force_login(inspector)
    assert api.post(f"/api/projects/{code}/legal-hold/release", {"reason": ""}, format="json").status_code == 400
    released = api.post(f"/api/projects/{code}/legal-hold/release", {"reason": "质疑已答复，无违规"}, format="json")
    assert released.status_code == 200 and released.json()["legal_hold"] is False
    entry = LedgerEntry.objects.filter(project=code, object_type="trading.Project").order_by("seq").last()
    assert entry.actor == inspector.username and entry.reason == "质疑已答复，无违规"


def test_complaints_are_seen_by_the_agency_and_inspectors_and_by_their_own_author(api, drawn_project):
    code = drawn_project.code
    authors = factories.registrants(drawn_project)[:2]
    for n, author in enumerate(authors):
        api.force_login(author)
        api.post(f"/api/projects/{code}/complaints", {"text": f"质疑{n}"}, format="json")

    def count(user):
        api.force_login(user)
        return api.get(f"/api/projects/{code}/complaints").json()["count"]

    assert count(drawn_project.created_by) == 2 and count(factories.user(Role.INSPECTOR)) == 2
    assert count(authors[0]) == 1
    assert count(factories.agency_user()) == 0
    api.logout()
    assert api.get(f"/api/projects/{code}/complaints").status_code == 403


def test_the_follow_up_officer_records_milestones_and_overdue_ones_are_flagged(api, drawn_project):
    code = drawn_project.code
    _award(api, drawn_project)
    officer = factories.user(Role.AGENCY, organisation=drawn_project.created_by.organisation)
    api.force_login(drawn_project.created_by)
    refused = api.post(f"/api/projects/{code}/followup", {"officer": factories.user(Role.ENTERPRISE).pk}, format="json")
    assert refused.status_code == 400 and "officer" in refused.json()["errors"]
    assert api.post(f"/api/projects/{code}/followup", {"officer": officer.pk}, format="json").status_code == 200

    assert api.post(f"/api/projects/{code}/milestones", {"title": "开工", "due": "2026-01-01"},
                    format="json").status_code == 403  # not the officer
    api.force_login(officer)
    bad = api.post(f"/api/projects/{code}/milestones", {"title": "开工", "due": "明天"}, format="json")
    assert bad.status_code == 400 and "due" in bad.json()["errors"]
    past = api.post(f"/api/projects/{code}/milestones", {"title": "进场开工", "due": "2020-03-01"}, format="json")
    future = api.post(f"/api/projects/{code}/milestones", {"title": "竣工验收", "due": "2099-03-01"}, format="json")
    assert past.status_code == 201 and past.json()["overdue"] is True
    assert future.status_code == 201 and future.json()["overdue"] is False
    listed = api.get(f"/api/projects/{code}/milestones").json()
    assert [m["title"] for m in listed["items"]] == ["进场开工", "竣工验收"]


def test_a_referral_to_discipline_inspection_is_made_by_the_agency_only(api, drawn_project):
    code = drawn_project.code
    api.force_login(factories.user(Role.ENTERPRISE))
    assert api.post(f"/api/projects/{code}/referrals", {"text": "疑似围标"}, format="json").status_code == 403
    api.force_login(drawn_project.created_by)
    answer = api.post(f"/api/projects/{code}/referrals", {"text": "疑似围标"}, format="json")
    assert answer.status_code == 201
    assert LedgerEntry.objects.filter(project=code, object_type="trading.Referral", action="create").count() == 1


def test_the_deadline_command_closes_due_projects_as_the_system_account(moved_clock):
    project = closed_fixed_price_project(moved_clock)
    on_time = factories.fixed_price_project()

    call_command("run_deadlines", "--quiet")

    project.refresh_from_db()
    on_time.refresh_from_db()
    assert project.status == "qualified" and project.candidates_digest
    assert on_time.status == "published"
    closing = LedgerEntry.objects.filter(project=project.code, object_type="trading.Project").order_by("seq").last()
    assert closing.actor == "system"


def test_the_deadline_command_exits_non_zero_when_something_is_refused(moved_clock, monkeypatch):
    from core.errors import Conflict
    from trading.services import deadlines

    closed_fixed_price_project(moved_clock)

    def refuse(**kwargs):
        raise Conflict("已由代理机构关闭")

    monkeypatch.setattr(deadlines, "project_close", refuse)  # the race with an agency's own close
    with pytest.raises(CommandError, match="已由代理机构关闭"):
        call_command("run_deadlines", "--quiet")
