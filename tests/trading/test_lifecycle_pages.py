"""Acceptance, termination, change notices and clarifications through the pages a person uses."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from core import clock
from tests import factories
from tests.trading.test_lifecycle_end import in_performance
from trading.models import Amendment, Project, Question

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_acceptance_from_the_manage_page_needs_the_confirmation_and_shows_the_state(drawn_project, moved_clock):
    project, _contract = in_performance(drawn_project, moved_clock)
    agency = _client(project.created_by)
    url = f"/projects/{project.code}/manage/"
    page = agency.get(url).content.decode()
    assert "竣工验收，项目完工" in page and "实施中" in page and "终止项目" in page
    today = timezone.localdate(clock.now()).isoformat()

    unconfirmed = agency.post(url, {"action": "complete", "accepted_on": today, "note": "合格"})
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.content.decode()
    future = agency.post(url, {"action": "complete", "accepted_on": "2999-01-01", "note": "合格", "confirm": "on"})
    assert future.status_code == 400 and "验收日期不能晚于今天" in future.content.decode()
    assert Project.objects.get(pk=project.pk).status == "in_progress"

    done = agency.post(url, {"action": "complete", "accepted_on": today, "note": "工程质量合格", "confirm": "on"})

    assert done.status_code == 302
    page = agency.get(url).content.decode()
    assert "已完工" in page and "工程质量合格" in page and "终止项目" not in page
    assert "工程质量合格" in Client().get(f"/projects/{project.code}/").content.decode()


def test_termination_from_the_manage_page_needs_a_reason_and_the_confirmation(drawn_project):
    agency = _client(drawn_project.created_by)
    url = f"/projects/{drawn_project.code}/manage/"

    blank = agency.post(url, {"action": "terminate", "reason": "", "confirm": "on"})
    assert blank.status_code == 400 and 'id="err-reason"' in blank.content.decode()
    assert agency.post(url, {"action": "terminate", "reason": "资金取消"}).status_code == 400
    assert Project.objects.get(pk=drawn_project.pk).status == "publicity"

    assert agency.post(url, {"action": "terminate", "reason": "资金取消", "confirm": "on"}).status_code == 302
    assert Project.objects.get(pk=drawn_project.pk).status == "terminated"
    assert "资金取消" in Client().get(f"/projects/{drawn_project.code}/").content.decode()


def test_change_notices_and_answers_from_the_pages_are_public_without_the_asker():
    project = factories.fixed_price_project()
    org, enterprise_user = factories.enterprise_with_licences("提问人建筑公司")
    enterprise = _client(enterprise_user)
    detail = f"/projects/{project.code}/"
    assert "提交问题" in enterprise.get(detail).content.decode()

    empty = enterprise.post(f"/projects/{project.code}/question/", {"question-text": " "})
    assert empty.status_code == 400 and 'id="err-question-text"' in empty.content.decode()
    assert enterprise.post(f"/projects/{project.code}/question/",
                           {"question-text": "现场踏勘时间？"}).status_code == 302
    question = Question.objects.get()

    agency = _client(project.created_by)
    manage = f"/projects/{project.code}/manage/"
    page = agency.get(manage).content.decode()
    assert "现场踏勘时间？" in page and org.name not in page
    assert agency.post(manage, {"action": "question_answer", "question": question.pk, "text": ""}).status_code == 400
    assert agency.post(manage, {"action": "question_answer", "question": question.pk,
                                "text": "报名截止前三日上午九时"}).status_code == 302
    too_soon = (timezone.localtime(clock.now()) + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = agency.post(manage, {"action": "amend", "text": "改期", "registration_deadline": too_soon})
    assert refused.status_code == 400 and "不少于" in refused.content.decode()
    assert not Amendment.objects.exists()
    assert agency.post(manage, {"action": "amend", "text": "补充图纸一份"}).status_code == 302

    public = Client().get(detail).content.decode()
    assert "变更公告第1号" in public and "补充图纸一份" in public
    assert "现场踏勘时间？" in public and "报名截止前三日上午九时" in public
    assert org.name not in public and enterprise_user.username not in public


def test_only_enterprises_ask_questions_from_the_page():
    project = factories.fixed_price_project()
    agency = _client(project.created_by)
    assert agency.post(f"/projects/{project.code}/question/", {"question-text": "x"}).status_code == 403
    assert Client().post(f"/projects/{project.code}/question/", {"question-text": "x"}).status_code == 302
    assert not Question.objects.exists()


@pytest.mark.parametrize(("kind", "link"), [("procurement", "evaluation-link"), ("land_auction", "auction-link")])
def test_a_tender_or_auction_is_closed_on_its_own_page_not_with_the_fixed_price_list(kind, link, moved_clock):
    """Only a fixed-price selection has a registration list to freeze: a tender closes at 投标截止 on its evaluation
    page, an auction at its start; their manage page points there and offers neither the close nor the list."""
    from decimal import Decimal

    from trading.services.projects import project_create, project_publish

    agency = factories.agency_user()
    project = project_publish(actor=agency, project=project_create(actor=agency, data={
        "type": kind, "title": "非比选项目", "budget": Decimal("3000000.00"),
        "registration_deadline": clock.now() + dt.timedelta(days=30)}))
    moved_clock.move_past(project.registration_deadline)

    page = factories.logged_in(agency).get(f"/projects/{project.code}/manage/").content.decode()

    assert f'id="{link}"' in page
    assert 'value="close"' not in page and "报名与资格审查" not in page and "close-later" not in page
    posted = factories.logged_in(agency).post(f"/projects/{project.code}/manage/", {"action": "close", "confirmed": "1"})
    assert posted.status_code == 409 and "只截止固定价比选的报名" in posted.content.decode()
    assert Project.objects.get(pk=project.pk).status == "published"
