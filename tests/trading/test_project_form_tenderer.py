"""The project form names the tenderer (招标人/采购人) from the organisations the centre entered: the API took it, the
page did not, so a project made on the page had none and the panel draw could not recuse the tenderer's staff."""

import datetime as dt

import pytest
from django.test import Client

from core import clock
from tests import factories
from trading.models import Organisation, Project

pytestmark = pytest.mark.django_db


def _draft(tenderer: str) -> dict[str, str]:
    deadline = clock.now() + dt.timedelta(days=7)
    return {"type": "procurement", "title": "县教育局课桌椅采购", "budget": "300000.00", "tenderer": tenderer,
            "registration_deadline": deadline.strftime("%Y-%m-%dT%H:%M"), "qualification_grade": "0"}


def _agency_page() -> Client:
    client = Client()
    client.force_login(factories.agency_user())
    return client


def test_the_agency_names_the_tenderer_on_the_project_form():
    tenderer = factories.organisation(name="县教育局", kind=Organisation.Kind.TENDERER)
    page = _agency_page()
    assert "县教育局" in page.get("/workspace/new/").content.decode()

    answer = page.post("/workspace/new/", _draft(tenderer.uscc))

    assert answer.status_code == 302
    project = Project.objects.get()
    assert project.tenderer == tenderer
    assert f'value="{tenderer.uscc}" selected' in page.get(f"/projects/{project.code}/edit/").content.decode()


def test_an_organisation_that_is_not_a_tenderer_is_refused_and_nothing_saved():
    enterprise = factories.organisation(name="某投标企业")
    answer = _agency_page().post("/workspace/new/", _draft(enterprise.uscc))
    assert answer.status_code == 400 and "招标人" in answer.content.decode()
    assert not Project.objects.exists()


def test_the_tenderer_may_be_left_out():
    assert _agency_page().post("/workspace/new/", _draft("")).status_code == 302
    assert Project.objects.get().tenderer is None
