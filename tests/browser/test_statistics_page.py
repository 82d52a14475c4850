"""The public statistics page as a visitor sees it: no login, the charts' legends whole inside their charts, a
project axis in whole numbers, and a page that fits a phone."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.browser.a11y import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_anonymous_visitor_reads_the_statistics_with_whole_legends(browser, live_server):
    for _ in range(3):
        factories.fixed_price_project()
    context = browser.new_context(locale="zh-CN", bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="交易统计").click()

    expect(page.locator("#statistics")).to_be_visible()
    charts = page.locator("svg.chart")
    expect(charts).to_have_count(2)
    for n in range(2):
        chart = charts.nth(n).bounding_box()
        for label in charts.nth(n).locator("text").all():
            box = label.bounding_box()
            assert box["x"] >= chart["x"] and box["x"] + box["width"] <= chart["x"] + chart["width"] + 0.5, \
                label.text_content()
    ticks = charts.first.locator("text[text-anchor=end]").all_text_contents()
    assert ticks and all(t.isdigit() for t in ticks), ticks
    assert not violations(page)
    context.close()


def test_the_statistics_page_fits_a_phone(browser, live_server):
    factories.fixed_price_project()
    context = browser.new_context(locale="zh-CN", viewport={"width": 375, "height": 740})
    page = context.new_page()
    page.goto(f"{live_server.url}/statistics/")
    expect(page.locator("#statistics")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 375
    context.close()
