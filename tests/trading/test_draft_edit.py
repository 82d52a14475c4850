"""A draft is corrected by its agency before publication, through one service that the page calls: audited, only
in draft, only by the agency that owns it. And the irreversible steps of the manage page are asked once more."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone

from audit.models import LedgerEntry
from core import clock
from core.errors import Conflict
from tests import factories
from trading.models import Project
from trading.services.projects import project_update

pytestmark = pytest.mark.django_db


def _data(project, **changes):
    data = {"title": project.title, "budget": "1,900,000.00", "fixed_price": "1780000",
            "registration_deadline": project.registration_deadline}
    return {**data, **changes}


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_agency_edits_its_draft_and_the_change_is_audited_with_its_reason():
    draft = factories.fixed_price_project(publish=False)

    project_update(actor=draft.created_by, project=draft, data=_data(draft, title="城东小学运动场改造工程（二期）"))

    draft.refresh_from_db()
    assert draft.title == "城东小学运动场改造工程（二期）" and draft.budget == Decimal("1900000.00")
    latest = draft.history.latest("history_id")
    assert latest.history_user == draft.created_by and latest.history_change_reason == "修改项目草稿"
    assert LedgerEntry.objects.filter(project=draft.code, reason="修改项目草稿").exists()


def test_a_published_project_is_not_edited_and_nothing_is_written():
    project = factories.fixed_price_project()
    before = LedgerEntry.objects.count()

    with pytest.raises(Conflict, match="变更公告"):
        project_update(actor=project.created_by, project=project, data=_data(project, title="改名"))

    assert Project.objects.get(pk=project.pk).title != "改名" and LedgerEntry.objects.count() == before


def test_another_agency_cannot_edit_the_draft():
    draft = factories.fixed_price_project(publish=False)

    with pytest.raises(PermissionDenied):
        project_update(actor=factories.agency_user(), project=draft, data=_data(draft, title="改名"))


def test_the_edit_keeps_the_rules_of_a_new_project_and_the_type():
    draft = factories.fixed_price_project(publish=False)

    with pytest.raises(ValidationError) as error:
        project_update(actor=draft.created_by, project=draft, data=_data(draft, budget="2,000,000.01"))
    assert "budget" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        project_update(actor=draft.created_by, project=draft, data=_data(draft, type="procurement"))
    assert "type" in error.value.message_dict
    assert Project.objects.get(pk=draft.pk).budget == Decimal("1850000.00")


def test_the_edit_page_shows_the_draft_and_saves_it():
    draft = factories.fixed_price_project(publish=False)
    agency = _client(draft.created_by)
    url = f"/projects/{draft.code}/edit/"
    assert f'href="{url}"' in agency.get(f"/projects/{draft.code}/manage/").content.decode()
    page = agency.get(url).content.decode()
    assert draft.title in page and "1850000.00" in page
    deadline = timezone.localtime(draft.registration_deadline).strftime("%Y-%m-%dT%H:%M")
    assert deadline in page

    saved = agency.post(url, {"title": "改后的名称", "budget": "1,800,000", "fixed_price": "1,700,000.00",
                              "registration_deadline": deadline, "qualification_grade": "0"})

    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "改后的名称" and draft.fixed_price == Decimal("1700000.00") and draft.type == "fixed_price"


def test_the_edit_page_of_a_published_project_sends_the_agency_back():
    project = factories.fixed_price_project()
    answer = _client(project.created_by).get(f"/projects/{project.code}/edit/")
    assert answer.status_code == 302 and answer.url == f"/projects/{project.code}/manage/"


def test_publishing_is_asked_once_more_and_only_the_confirmed_post_publishes():
    draft = factories.fixed_price_project(publish=False)
    agency = _client(draft.created_by)
    url = f"/projects/{draft.code}/manage/"

    asked = agency.post(url, {"action": "publish"})

    page = asked.content.decode()
    assert asked.status_code == 200 and 'id="confirm-button"' in page and "不能撤销" in page
    assert 'name="action" value="publish"' in page and f'href="{url}"' in page
    assert Project.objects.get(pk=draft.pk).status == "draft"
    assert agency.post(url, {"action": "publish", "confirmed": "1"}).status_code == 302
    assert Project.objects.get(pk=draft.pk).status == "published"


def test_the_close_button_is_offered_only_after_the_deadline(moved_clock):
    project = factories.fixed_price_project(deadline=clock.now() + dt.timedelta(days=6))
    agency = _client(project.created_by)
    url = f"/projects/{project.code}/manage/"

    before = agency.get(url).content.decode()
    assert 'value="close"' not in before and 'id="close-later"' in before
    moved_clock.move_past(project.registration_deadline)
    after = agency.get(url).content.decode()
    assert 'value="close"' in after and 'id="close-later"' not in after


def test_a_project_made_just_after_midnight_on_new_years_day_in_beijing_has_the_new_years_code():
    """17:00 UTC on 31 December is 01:00 on 1 January in Beijing: the code's year is the centre's."""
    new_year = dt.datetime(2027, 12, 31, 17, 0, tzinfo=dt.UTC)
    with clock.travel(new_year - timezone.now()):
        project = factories.fixed_price_project(publish=False, deadline=new_year + dt.timedelta(days=30))
    assert project.code == "GD-2028-0001"
