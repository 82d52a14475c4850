"""The same after-award steps through the pages a person uses: the agency's manage page and the public page."""

import datetime as dt

import pytest
from django.test import Client

from core import clock
from tests import factories
from trading.models import Contract, Milestone, Project

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_agency_awards_and_records_the_signing_from_its_manage_page(drawn_project):
    agency = _client(drawn_project.created_by)
    url = f"/projects/{drawn_project.code}/manage/"
    assert "公示期满，定标" in agency.get(url).content.decode()

    with clock.travel(dt.timedelta(days=4)):
        assert agency.post(url, {"action": "award", "confirmed": "1"}).status_code == 302
        contract = Contract.objects.get()
        assert agency.post(url, {"action": "sign", "contract": contract.pk}).status_code == 302
        page = agency.get(url).content.decode()

    assert Project.objects.get(pk=drawn_project.pk).status == "in_progress"
    assert "已签订" in page and contract.enterprise.name in page
    public = Client().get(f"/projects/{drawn_project.code}/").content.decode()
    assert "中选结果" in public and contract.enterprise.uscc in public


def test_an_empty_complaint_shows_the_field_error_and_a_real_one_holds_the_project(drawn_project):
    enterprise = _client(factories.registrants(drawn_project)[0])
    url = f"/projects/{drawn_project.code}/complaint/"

    empty = enterprise.post(url, {"text": ""})
    assert empty.status_code == 400 and 'id="err-text"' in empty.content.decode()
    assert not Project.objects.get(pk=drawn_project.pk).legal_hold

    assert enterprise.post(url, {"text": "<script>alert(1)</script>中选企业资质存疑"}).status_code == 302
    assert Project.objects.get(pk=drawn_project.pk).legal_hold
    page = _client(drawn_project.created_by).get(f"/projects/{drawn_project.code}/manage/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;中选企业资质存疑" in page and "法律保全" in page


def test_anonymous_visitors_cannot_complain(drawn_project):
    answer = Client().post(f"/projects/{drawn_project.code}/complaint/", {"text": "匿名"})
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_overdue_milestones_are_flagged_on_the_manage_page(drawn_project):
    agency = _client(drawn_project.created_by)
    url = f"/projects/{drawn_project.code}/manage/"
    with clock.travel(dt.timedelta(days=4)):
        agency.post(url, {"action": "award", "confirmed": "1"})
    assert agency.post(url, {"action": "followup", "officer": drawn_project.created_by.pk}).status_code == 302
    bad = agency.post(url, {"action": "milestone", "title": "", "due": "2020-01-01"})
    assert bad.status_code == 400 and not Milestone.objects.exists()
    agency.post(url, {"action": "milestone", "title": "进场开工", "due": "2020-01-01"})

    page = agency.get(url).content.decode()
    assert "进场开工" in page and "逾期" in page
