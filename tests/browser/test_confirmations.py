"""What cannot be undone is asked once more, in the browser as a person meets it: cancelling does nothing,
confirming acts. The draft is edited from its manage page."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.a11y import violations
from tests.browser.conftest import login
from trading.models import Project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def agency_page(browser, live_server, settings):
    settings.AXES_ENABLED = False
    draft = factories.fixed_price_project(publish=False)
    draft.created_by.set_password("Pass-word-2026")
    draft.created_by.save()
    context = browser.new_context(locale="zh-CN", bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    login(page, live_server, draft.created_by.username, "Pass-word-2026")
    page.goto(f"{live_server.url}/projects/{draft.code}/manage/")
    yield page, draft
    context.close()


def test_publishing_asks_first_cancelling_does_nothing_and_confirming_publishes(agency_page):
    page, draft = agency_page
    page.get_by_role("button", name="发布公告").click()
    expect(page.locator("#confirm")).to_be_visible()
    expect(page.locator("#confirm")).to_contain_text("不能撤销")
    assert not violations(page)

    page.locator("#cancel-button").click()
    expect(page.get_by_role("button", name="发布公告")).to_be_visible()
    assert Project.objects.get(pk=draft.pk).status == "draft"

    page.get_by_role("button", name="发布公告").click()
    page.locator("#confirm-button").click()
    expect(page.get_by_text("公告已发布。")).to_be_visible()
    assert Project.objects.get(pk=draft.pk).status == "published"
    expect(page.get_by_role("button", name="发布公告")).to_be_hidden()
    expect(page.locator("#close-later")).to_be_visible()  # before the deadline: no close button
    expect(page.get_by_role("button", name="截止并冻结名单")).to_be_hidden()


def test_the_agency_edits_its_draft_from_the_manage_page(agency_page):
    page, draft = agency_page
    page.locator("#edit-draft").click()
    expect(page.get_by_label("项目名称")).to_have_value(draft.title)
    assert not violations(page)
    page.get_by_label("项目名称").fill("城东小学运动场改造工程（修改）")
    page.get_by_label("预算金额（元）").fill("1,860,000.00")
    page.get_by_role("button", name="保存草稿").click()

    expect(page.get_by_text("项目草稿已修改。")).to_be_visible()
    expect(page.get_by_role("heading", name="城东小学运动场改造工程（修改）")).to_be_visible()
    assert str(Project.objects.get(pk=draft.pk).budget) == "1860000.00"
