"""The enterprise registration form shows field errors in the browser and stores nothing."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.conftest import login
from trading.models import Registration

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_registration_form_shows_field_errors_then_accepts(browser, live_server, settings):
    settings.AXES_ENABLED = False
    project = factories.fixed_price_project()
    _, enterprise = factories.enterprise_with_licences("表单企业")
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, enterprise.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/projects/{project.code}/")
    page.click("text=我要报名")
    page.click("#registration-form button[type=submit]")
    expect(page.locator("#err-manager_name")).to_contain_text("必填")
    expect(page.locator("#err-manager_certificate")).to_be_visible()
    page.fill("#id_manager_name", "张建国")
    page.fill("#id_manager_certificate", "川2511234567")
    page.click("#registration-form button[type=submit]")
    expect(page.locator("#err-acknowledge_notice")).to_contain_text("须知")
    assert not Registration.objects.exists()
    page.check("#id_acknowledge_notice")
    page.click("#registration-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("报名成功")
    assert Registration.objects.filter(project=project, enterprise=enterprise.organisation).count() == 1
    page.context.close()
