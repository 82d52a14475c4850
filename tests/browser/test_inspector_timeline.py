"""The inspector filters the audit timeline in the browser and opens the diff of a budget change."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from core import context
from core.roles import Role
from tests import factories
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_inspector_filters_the_timeline_and_opens_a_diff(browser, live_server, settings):
    settings.AXES_ENABLED = False
    agency = factories.agency_user()
    project = factories.fixed_price_project(agency=agency, publish=False, budget=Decimal("1500000.00"),
                                            fixed_price=Decimal("1400000.00"))
    factories.fixed_price_project()  # another project's entries, to be filtered away
    with context.acting(agency, reason="概算调整"):
        project.budget = Decimal("1650000.00")
        project.save()
    inspector = factories.user(Role.INSPECTOR)
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, inspector.username, factories.PASSWORD)
    page.click("header nav >> text=审计记录")
    page.fill("#f-project", project.code)
    page.select_option("#f-model", "trading.Project")
    page.select_option("#f-action", "update")
    page.click("#timeline-filters button[type=submit]")
    rows = page.locator("table.ledger > tbody > tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(agency.username)
    diff = rows.first.locator("details.diff")
    expect(diff.locator("del", has_text="1500000.00")).to_be_hidden()
    diff.locator("summary").click()
    expect(diff).to_contain_text("预算金额（元）")
    expect(diff.locator("del")).to_have_text("1500000.00")
    expect(diff.locator("ins")).to_have_text("1650000.00")
    page.click("table.ledger > tbody > tr >> a[href^='/inspect/entries/']")
    expect(page.locator(".diff-table")).to_contain_text("1650000.00")
    page.context.close()


def test_the_timeline_speaks_chinese_and_shows_a_login_as_one_event(browser, live_server, settings):
    settings.AXES_ENABLED = False
    enterprise = factories.user(Role.ENTERPRISE)
    visitor = browser.new_context(locale="zh-CN").new_page()
    login(visitor, live_server, enterprise.username, factories.PASSWORD)
    visitor.goto(f"{live_server.url}/inspect/")  # refused: an access_denied event
    visitor.context.close()
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, factories.user(Role.INSPECTOR).username, factories.PASSWORD)

    page.goto(f"{live_server.url}/inspect/")
    ledger = page.locator("table.ledger")
    mine = ledger.locator("tbody > tr", has_text=enterprise.username)
    expect(mine.filter(has=page.locator("td.action", has_text="登录"))).to_have_count(1)
    expect(mine.filter(has=page.locator("td.action", has_text="拒绝访问"))).to_have_count(1)
    expect(mine.first.locator(".badge")).to_have_text("投标企业")
    expect(ledger.locator("td.object", has_text="用户").first).to_be_visible()
    for code in ("access_denied", "trading.User", "update", "create"):
        expect(ledger).not_to_contain_text(code)
    # logging in changed last_login only: no anonymous "修改 用户" row beside the login event
    expect(ledger.locator("tbody > tr", has=page.locator("td.action", has_text="修改"))).to_have_count(0)

    page.select_option("#f-model", label="用户")
    page.select_option("#f-action", label="新建")
    page.click("#timeline-filters button[type=submit]")
    expect(page).to_have_url(re.compile(r"model=trading\.User.*action=create"))
    expect(ledger.locator("td.object", has_text=enterprise.username)).to_have_count(1)
    page.context.close()
