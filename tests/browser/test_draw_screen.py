"""The live draw screen with two supervisors in two browsers: each seals in its own browser, the screens update
without a reload as inputs arrive, both reveal, one runs the draw, and the ranking appears everywhere."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from core import clock
from core.roles import Role
from lottery.models import Draw
from tests import factories
from tests.browser.conftest import login
from trading.services.projects import project_close
from trading.services.sessions import session_book

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ready_project(settings, moved_clock):
    settings.AXES_ENABLED = False
    project = factories.past_deadline_project(moved_clock, enterprises=4, prefix="浏览器企业")
    project = project_close(actor=project.created_by, project=project)
    starts = clock.now() + dt.timedelta(minutes=20)
    session_book(actor=project.created_by, project=project, room=factories.room("draw"), kind="draw",
                 starts_at=starts, ends_at=starts + dt.timedelta(hours=1))
    return project


def _supervisor_page(browser, live_server, project, username):
    """A supervisor's own browser, logged in, signed in to the draw session, on the live screen."""
    supervisor = factories.user(Role.SUPERVISOR, username=username)
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    login(page, live_server, supervisor.username, factories.PASSWORD)
    session_id = project.sessions.get().pk
    signed = page.request.post(f"{live_server.url}/api/sessions/{session_id}/attendance",
                               data={"badge": "supervisor"}, headers={"X-CSRFToken": _csrf(context)})
    assert signed.status == 201, signed.text()
    page.goto(f"{live_server.url}/projects/{project.code}/draw/")
    return page


def _confirm_draw(page) -> None:
    """执行抽取 is asked once more in a dialog: cancelling leaves everything as it was; confirming draws."""
    page.click("#draw-button")
    expect(page.locator("#draw-confirm")).to_be_visible()
    page.click("#draw-confirm-cancel")
    expect(page.locator("#draw-confirm")).to_be_hidden()
    expect(page.locator("#draw-button")).to_be_visible()
    assert not Draw.objects.exists()
    page.click("#draw-button")
    page.click("#draw-confirm-button")
    expect(page.locator("#draw-confirm")).to_be_hidden()


def _sees(page, *, seal: bool, reveal: bool, draw: bool, result: bool) -> None:
    """What a person sees on the screen, as the browser renders it (the CSS included), not what the DOM says."""
    for selector, shown in (("#seal-form", seal), ("#reveal-button", reveal), ("#draw-button", draw),
                            ("#result", result)):
        locator = page.locator(selector)
        if shown:
            expect(locator).to_be_visible()
        else:
            expect(locator).to_be_hidden()


def test_two_supervisors_draw_on_the_live_screen(browser, live_server, ready_project, tmp_path):
    pages = [_supervisor_page(browser, live_server, ready_project, f"监督{n}") for n in range(2)]
    big_screen = browser.new_context(locale="zh-CN").new_page()  # the room's screen, not logged in
    big_screen.goto(f"{live_server.url}/projects/{ready_project.code}/draw/")
    expect(big_screen.locator("#candidates-count")).to_have_text("4")
    rows = big_screen.locator("#inputs tbody tr")
    for page in pages:  # before anyone sealed: only the seal form, no button that could only answer an error
        expect(page.locator("#candidates-count")).to_have_text("4")
        _sees(page, seal=True, reveal=False, draw=False, result=False)
    expect(big_screen.locator("#reveal-button, #draw-button, #seal-form")).to_have_count(0)
    expect(big_screen.locator("#result")).to_be_hidden()

    pages[0].fill("#input-value", "1949")
    pages[0].click("#seal-form button")
    expect(rows).to_have_count(1)
    _sees(pages[0], seal=False, reveal=False, draw=False, result=False)  # sealed, waiting for the other
    expect(pages[1].locator("#inputs tbody tr")).to_have_count(1)
    _sees(pages[1], seal=True, reveal=False, draw=False, result=False)

    pages[1].fill("#input-value", "2026")
    pages[1].click("#seal-form button")
    expect(rows).to_have_count(2)  # arrived without a reload
    expect(big_screen.locator("#inputs")).to_contain_text("密封中")  # sealed: values not shown yet
    for page in pages:  # all sealed: each may reveal; the draw is offered (it waits for the reveal deadline)
        _sees(page, seal=False, reveal=True, draw=True, result=False)

    pages[0].click("#reveal-button")
    expect(big_screen.locator("#inputs tbody tr[data-revealed='1']")).to_have_count(1)
    _sees(pages[0], seal=False, reveal=False, draw=True, result=False)
    _sees(pages[1], seal=False, reveal=True, draw=True, result=False)
    pages[1].click("#reveal-button")
    expect(big_screen.locator("#inputs tbody tr[data-revealed='1']")).to_have_count(2)
    expect(big_screen.locator("#inputs")).to_contain_text("1949")
    expect(big_screen.locator("#inputs")).to_contain_text("2026")
    for page in pages:
        _sees(page, seal=False, reveal=False, draw=True, result=False)

    _confirm_draw(pages[0])
    for page in (*pages, big_screen):
        expect(page.locator("#ranking tbody tr")).to_have_count(4)
        expect(page.locator("#result")).to_be_visible()
    for page in pages:  # drawn: nothing left to press
        _sees(page, seal=False, reveal=False, draw=False, result=True)
    expect(big_screen.locator("#ranking")).to_contain_text("中选")
    big_screen.screenshot(path=str(tmp_path / "draw-screen.png"))
    for page in (*pages, big_screen):
        page.context.close()  # stop polling before the database goes away


def test_a_supervisor_arriving_after_sealing_closed_is_told_so_and_the_draw_goes_on(browser, live_server,
                                                                                   ready_project):
    pages = [_supervisor_page(browser, live_server, ready_project, f"先到{n}") for n in range(2)]
    for page, value in zip(pages, ["7", "8"], strict=True):
        page.fill("#input-value", value)
        page.click("#seal-form button")
    for page in pages:
        expect(page.locator("#reveal-button")).to_be_visible()
    nonces = [page.evaluate("Object.keys(localStorage).map((k) => JSON.parse(localStorage[k]).nonce)")[0]
              for page in pages]

    late = _supervisor_page(browser, live_server, ready_project, "迟到监督")
    expect(late.locator("#sealing-closed")).to_be_visible()
    _sees(late, seal=False, reveal=False, draw=True, result=False)
    for page in pages:
        page.click("#reveal-button")
    _confirm_draw(late)

    for page in (*pages, late):
        expect(page.locator("#ranking tbody tr")).to_have_count(4)
        _sees(page, seal=False, reveal=False, draw=False, result=True)
    assert all(len(n) == 32 and set(n) <= set("0123456789abcdef") for n in nonces), nonces
    for page in (*pages, late):
        page.context.close()


def _csrf(context) -> str:
    return next((c["value"] for c in context.cookies() if c["name"] == "csrftoken"), "")
