"""Change notices (变更公告) and clarifications (答疑/澄清) through the API: public, every version kept, the shortest
registration period held from a notice of substance, the asker never named."""

import datetime as dt

import pytest

from audit.models import LedgerEntry
from core import clock
from core.roles import Role
from tests import factories
from trading.models import Amendment, Project, Question

pytestmark = pytest.mark.django_db


def iso(moment: dt.datetime) -> str:
    return moment.isoformat()


@pytest.fixture
def project():
    return factories.fixed_price_project()  # deadline in 7 days


def test_a_change_notice_is_public_and_keeps_every_version(api, project):
    api.force_login(project.created_by)
    first = api.post(f"/api/projects/{project.code}/amendments", {"text": "补充工程量清单"}, format="json")
    new_deadline = clock.now() + dt.timedelta(days=10)
    second = api.post(f"/api/projects/{project.code}/amendments",
                      {"text": "延长报名截止时间", "registration_deadline": iso(new_deadline)}, format="json")

    assert first.status_code == 201 and second.status_code == 201, second.json()
    assert Project.objects.get(pk=project.pk).registration_deadline == new_deadline
    api.logout()
    public = api.get(f"/api/projects/{project.code}/amendments").json()
    assert [a["number"] for a in public["items"]] == [1, 2]
    assert public["items"][0]["deadline_before"] == public["items"][0]["deadline_after"]
    assert public["items"][1]["text"] == "延长报名截止时间"
    entry = LedgerEntry.objects.filter(object_type="trading.Project", project=project.code).order_by("-seq").first()
    assert "变更公告第2号" in entry.reason and entry.actor == project.created_by.username


def test_a_substantive_change_moves_a_close_deadline_to_the_shortest_period(api, project, settings, moved_clock):
    moved_clock.travel(dt.timedelta(days=4))  # 3 days of registration left, fewer than REGISTRATION_MIN_DAYS
    api.force_login(project.created_by)

    answer = api.post(f"/api/projects/{project.code}/amendments",
                      {"text": "资质要求调整为二级", "substantive": True}, format="json")

    assert answer.status_code == 201
    deadline = Project.objects.get(pk=project.pk).registration_deadline
    notice = Amendment.objects.get()
    assert deadline == notice.deadline_after == notice.published_at + dt.timedelta(days=settings.REGISTRATION_MIN_DAYS)
    assert notice.deadline_before == project.registration_deadline < deadline
    assert answer.json()["substantive"] is True


def test_a_minor_change_leaves_the_deadline(api, project, moved_clock):
    moved_clock.travel(dt.timedelta(days=4))
    before = project.registration_deadline
    api.force_login(project.created_by)

    assert api.post(f"/api/projects/{project.code}/amendments", {"text": "更正联系电话"},
                    format="json").status_code == 201
    assert Project.objects.get(pk=project.pk).registration_deadline == before


@pytest.mark.parametrize(("payload", "field", "text"), [
    ({"text": " "}, "text", "变更内容"),
    ({"text": "改期", "registration_deadline": "明天"}, "registration_deadline", "ISO 8601"),
    ({"text": "改期", "registration_deadline": "2030-01-01T09:00:00"}, "registration_deadline", "时区"),
    ({"text": "改期", "registration_deadline": "+2"}, "registration_deadline", "不少于"),
    ({"text": "改期", "substantive": "maybe"}, "substantive", "true"),
])
def test_bad_change_notices_are_refused_naming_the_field(api, project, payload, field, text):
    if payload.get("registration_deadline") == "+2":
        payload = {**payload, "registration_deadline": iso(clock.now() + dt.timedelta(days=2))}
    api.force_login(project.created_by)
    before = LedgerEntry.objects.count()

    answer = api.post(f"/api/projects/{project.code}/amendments", payload, format="json")

    assert answer.status_code == 400
    assert text in answer.json()["errors"][field][0]
    assert not Amendment.objects.exists() and LedgerEntry.objects.count() == before


def test_change_notices_only_by_the_managing_agency_and_only_while_registration_is_open(api, project, moved_clock):
    for intruder in (factories.agency_user(), factories.user(Role.ENTERPRISE)):
        api.force_login(intruder)
        assert api.post(f"/api/projects/{project.code}/amendments", {"text": "x"}, format="json").status_code == 403
    api.force_login(project.created_by)
    moved_clock.move_past(project.registration_deadline)

    late = api.post(f"/api/projects/{project.code}/amendments", {"text": "补充"}, format="json")

    assert late.status_code == 409 and "报名已截止" in late.json()["detail"]
    assert not Amendment.objects.exists()


def test_questions_are_answered_in_public_and_the_asker_is_never_named(api, project):
    _org, asker = factories.enterprise_with_licences("提问企业")
    api.force_login(asker)
    asked = api.post(f"/api/projects/{project.code}/questions", {"text": "是否接受联合体报名？"}, format="json")
    assert asked.status_code == 201
    question_id = asked.json()["id"]
    api.logout()
    assert api.get(f"/api/projects/{project.code}/questions").json()["count"] == 0  # not yet answered

    api.force_login(project.created_by)
    waiting = api.get(f"/api/projects/{project.code}/questions").json()["items"]
    assert [q["text"] for q in waiting] == ["是否接受联合体报名？"]
    answered = api.post(f"/api/questions/{question_id}/answer", {"text": "不接受联合体。"}, format="json")
    assert answered.status_code == 200

    api.logout()
    public = api.get(f"/api/projects/{project.code}/questions").json()["items"]
    assert public[0]["answer"] == "不接受联合体。"
    assert "提问企业" not in str(public) and asker.username not in str(public)
    assert set(public[0]) == {"id", "project", "text", "asked_at", "answer", "answered_at"}
    assert Question.objects.get().asked_by == asker  # kept for the record and the inspectors
    again = api.post(f"/api/questions/{question_id}/answer", {"text": "再答"}, format="json")
    assert again.status_code == 403
    api.force_login(project.created_by)
    assert api.post(f"/api/questions/{question_id}/answer", {"text": "再答"}, format="json").status_code == 409


def test_bad_questions_and_answers_are_refused_and_nothing_is_written(api, project, moved_clock):
    _org, asker = factories.enterprise_with_licences()
    api.force_login(asker)
    empty = api.post(f"/api/projects/{project.code}/questions", {"text": "  "}, format="json")
    assert empty.status_code == 400 and "问题" in empty.json()["errors"]["text"][0]
    api.force_login(project.created_by)
    assert api.post(f"/api/projects/{project.code}/questions", {"text": "代理提问"}, format="json").status_code == 403
    assert not Question.objects.exists()

    api.force_login(asker)
    question_id = api.post(f"/api/projects/{project.code}/questions", {"text": "工期？"}, format="json").json()["id"]
    api.force_login(factories.agency_user())
    assert api.post(f"/api/questions/{question_id}/answer", {"text": "90日"}, format="json").status_code == 403
    api.force_login(project.created_by)
    blank = api.post(f"/api/questions/{question_id}/answer", {"text": ""}, format="json")
    assert blank.status_code == 400 and "答复" in blank.json()["errors"]["text"][0]
    assert Question.objects.get().answered_at is None

    moved_clock.move_past(project.registration_deadline)
    late = api.post(f"/api/questions/{question_id}/answer", {"text": "90日"}, format="json")
    assert late.status_code == 409
    api.force_login(asker)
    assert api.post(f"/api/projects/{project.code}/questions", {"text": "迟到"}, format="json").status_code == 409
    assert Question.objects.count() == 1 and Question.objects.get().answer == ""


def test_a_registration_after_an_extended_deadline_is_accepted(api, project, moved_clock):
    api.force_login(project.created_by)
    api.post(f"/api/projects/{project.code}/amendments",
             {"text": "延期", "registration_deadline": iso(clock.now() + dt.timedelta(days=20))}, format="json")
    moved_clock.travel(dt.timedelta(days=8))  # past the original deadline, before the new one
    _org, enterprise = factories.enterprise_with_licences()
    api.force_login(enterprise)

    answer = api.post(f"/api/projects/{project.code}/registrations", {
        "manager_name": "张工", "manager_certificate": "川2512345678901", "acknowledge_notice": True}, format="json")

    assert answer.status_code == 201, answer.json()
