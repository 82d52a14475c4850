"""Verifying a draw is copy and paste: the file the browser saves is the file the command on the page names, the
verifier is a download beside it, and the command, run as it stands, prints OK. The pages fit a phone (375 px):
the long command and hashes wrap instead of widening the page."""

import io
import shlex
import subprocess
import sys

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.a11y import violations
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}
# (who, page): the fixed-price result, the candidates' publicity (its panel), the supervisor's panel page
PAGES = [
    (None, "/projects/GD-2026-0002/result/"),
    (None, "/candidates/CG-2026-0002/"),
    ("supervisor", "/evaluation/CG-2026-0002/panel-draw/"),
]


@pytest.fixture
def demo_site(live_server, settings):
    settings.AXES_ENABLED = False
    call_command("demo", stdout=io.StringIO())
    return live_server


def _download(page, link, folder):
    with page.expect_download() as info:
        link.click()
    download = info.value
    download.save_as(folder / download.suggested_filename)
    return download.suggested_filename


@pytest.mark.parametrize(("username", "path"), PAGES)
def test_the_command_on_the_page_verifies_the_files_the_page_downloads(browser, demo_site, tmp_path, username,
                                                                       path):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, bypass_csp=True)  # axe is injected inline
    page = context.new_page()
    if username:
        login(page, demo_site, username, "Demo-pass-2026")
    page.goto(f"{demo_site.url}{path}")
    command = page.locator("pre.command")
    expect(command).to_be_visible()
    assert not violations(page)

    proof_name = _download(page, page.locator("a.proof-download"), tmp_path)
    verifier_name = _download(page, page.locator("a.verifier-download"), tmp_path)
    words = shlex.split(command.inner_text())

    assert verifier_name == "verify.py" and words[:3] == ["python", "verify.py", proof_name]
    result = subprocess.run([sys.executable, *words[1:]], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stdout.splitlines()[0] == "OK", result.stdout + result.stderr
    context.close()


@pytest.mark.parametrize(("username", "path"), PAGES)
def test_the_verification_pages_fit_a_phone_without_sideways_scrolling(browser, demo_site, username, path):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    if username:
        login(page, demo_site, username, "Demo-pass-2026")
    page.goto(f"{demo_site.url}{path}")
    expect(page.locator("pre.command")).to_be_visible()

    width = page.evaluate("document.scrollingElement.scrollWidth")

    assert width <= PHONE["width"], f"{path} is {width} px wide on a {PHONE['width']} px phone"
    context.close()
