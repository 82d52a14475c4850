"""Evaluation screens in a Chinese browser: a bidder seals a bid and gets the receipt; an expert's out-of-range
score is refused with nothing stored, then the full sheet is submitted and the screen shows it locked."""

import pytest
from playwright.sync_api import expect

from evaluation.models import Bid, Panel, Score
from evaluation.services import bids as bid_services
from evaluation.services import panels
from tests import factories
from tests.browser.conftest import login
from tests.evaluation import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REGISTRATION_MIN_DAYS = 1
    settings.AXES_ENABLED = False


def test_a_bidder_seals_a_bid_and_sees_its_receipt(browser, live_server):
    project, user = builders.procurement(), factories.enterprise_with_licences("浏览器投标企业")[1]
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, user.username, factories.PASSWORD)

    page.goto(f"{live_server.url}/evaluation/{project.code}/bid/")
    page.fill("#price", "876543.21")
    page.fill("#terms", "质保五年")
    page.click("button:has-text('加密递交')")

    receipt = page.locator("#receipt")
    expect(receipt).to_contain_text("明文 SHA-256")
    bid = Bid.objects.get(project=project)
    expect(receipt).to_contain_text(bid.envelope_sha256)
    assert bid.price is None and "876543" not in bid.envelope


def test_an_expert_scores_on_the_screen_and_the_sheet_locks(browser, live_server):
    project, _ = builders.opened_project()
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        bid_services.bids_open(actor=project.created_by, project=project)
        panel = builders.drawn_panel(project)
        member = panels.seated(panel).first()
        page = browser.new_context(locale="zh-CN").new_page()
        login(page, live_server, member.expert.user.username, factories.PASSWORD)

        page.goto(f"{live_server.url}/evaluation/my/panels/")
        page.click(f"a[href='/evaluation/{project.code}/score/']")
        inputs = page.locator("input[name^='s-']")
        expect(inputs).to_have_count(6)  # 3 valid bids x 2 criteria; the bid over the ceiling is not scored
        for n in range(6):
            inputs.nth(n).fill("15")
        inputs.nth(0).fill("45")  # technical is out of 40
        page.click("button:has-text('提交评分')")
        expect(page.locator(".messages li.error")).to_contain_text("0至40")
        assert Score.objects.count() == 0

        inputs = page.locator("input[name^='s-']")
        for n in range(6):
            inputs.nth(n).fill("15")
        page.click("button:has-text('提交评分')")
        expect(page.locator("text=评分已提交并锁定，不能修改。")).to_be_visible()
        expect(page.locator("input[name^='s-']").first).to_be_disabled()
    assert Score.objects.filter(member=member).count() == 6


def test_two_supervisors_seal_reveal_and_draw_the_panel_in_their_browsers(browser, live_server):
    project, _ = builders.opened_project()
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        bid_services.bids_open(actor=project.created_by, project=project)
        builders.pool(7)
        panels.panel_request(actor=project.created_by, project=project, specialty="教学仪器", size=5)
        supervisors = builders.draw_session(project)
        pages = []
        for supervisor in supervisors:
            page = browser.new_context(locale="zh-CN").new_page()
            login(page, live_server, supervisor.username, factories.PASSWORD)
            page.goto(f"{live_server.url}/evaluation/{project.code}/panel-draw/")
            pages.append(page)
        for page in pages:  # before anyone sealed: the seal form only
            _sees(page, seal=True, reveal=False, draw=False)
        pages[0].fill("#input-value", "4242")
        pages[0].click("#seal-form button")
        expect(pages[0].locator("#waiting-seals")).to_be_visible()  # sealed, the other has not: nothing to press
        _sees(pages[0], seal=False, reveal=False, draw=False)
        pages[1].reload()
        _sees(pages[1], seal=True, reveal=False, draw=False)
        pages[1].fill("#input-value", "777")
        pages[1].click("#seal-form button")
        expect(pages[1].locator("#waiting-seals")).to_be_hidden()
        _sees(pages[1], seal=False, reveal=True, draw=True)
        assert "4242" not in pages[1].content()  # sealed: the other supervisor sees only the commitment
        for page in pages:
            page.reload()
            _sees(page, seal=False, reveal=True, draw=True)
            page.click("#reveal-button")
            _sees(page, seal=False, reveal=False, draw=True)
        pages[0].click("#draw-button")
        expect(pages[0].locator("#draw-confirm")).to_be_visible()
        pages[0].click("#draw-confirm-cancel")  # cancelled: nothing drawn
        expect(pages[0].locator("#draw-confirm")).to_be_hidden()
        assert not Panel.objects.get(project=project).drawn_at
        pages[0].click("#draw-button")
        pages[0].click("#draw-confirm-button")
        expect(pages[0].locator("text=已抽取。")).to_be_visible()
        for page in pages:
            page.reload()
            _sees(page, seal=False, reveal=False, draw=False)

    panel = Panel.objects.get(project=project)
    assert [i["value"] for i in panel.proof["public_inputs"]] == ["4242", "777"]
    assert panel.members.count() == 5


def _sees(page, *, seal: bool, reveal: bool, draw: bool) -> None:
    """What a supervisor sees on the panel-draw page, as rendered."""
    for selector, shown in (("#seal-form", seal), ("#reveal-button", reveal), ("#draw-button", draw)):
        if shown:
            expect(page.locator(selector)).to_be_visible()
        else:
            expect(page.locator(selector)).to_be_hidden()
