"""axe-core on the main page of each role, on the demo data: no serious or critical accessibility violation.
Anonymous: the home page; agency: the workspace; supervisor: the live draw screen; inspector: the audit timeline;
enterprise: its registrations; expert: its evaluation panels."""

import io

import pytest
from django.core.management import call_command

from tests.browser.a11y import violations
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = [
    (None, "/"),
    ("agency", "/workspace/"),
    ("supervisor", "/projects/GD-2026-0001/draw/"),
    ("supervisor", "/projects/GD-2026-0002/draw/"),
    ("inspector", "/inspect/"),
    ("enterprise1", "/my/registrations/"),
    ("enterprise1", "/notifications/"),
    ("expert1", "/evaluation/my/panels/"),
    ("supervisor", "/supervision/complaints/"),  # the supervising department's complaint desk
    (None, "/complaints/decisions/"),
    ("admin", "/evaluation/experts/"),
    ("enterprise1", "/projects/GD-2026-0001/"),  # the objection form and the party's own objections
]


def test_the_main_page_of_each_role_has_no_serious_accessibility_violation(browser, live_server, settings):
    settings.AXES_ENABLED = False
    call_command("demo", stdout=io.StringIO())
    found = {}
    for username, path in PAGES:
        context = browser.new_context(locale="zh-CN", bypass_csp=True)  # axe is injected inline
        page = context.new_page()
        if username:
            login(page, live_server, username, "Demo-pass-2026")
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, (username, path, response.status)
        page.wait_for_load_state("networkidle")
        problems = violations(page)
        if problems:
            found[f"{username or 'anonymous'} {path}"] = problems
        context.close()
    assert not found, found
