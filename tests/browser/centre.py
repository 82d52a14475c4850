"""What the from-scratch browser tests share: a person at a page (logged in, in Chinese), the page's forms filled
by field name, and the centre's first day — the administrator enters rooms, organisations, certificates, accounts
and the expert pool; the first inspector approves the supervisors, who set their own passwords."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import expect

from core import clock
from tests.browser.conftest import login
from trading.models import Project

PASSWORD = "Centre-pass-2026"
AGENCY = "县公共资源招标代理有限公司"
ENTERPRISES = ["甲建筑工程有限公司", "乙建设集团有限公司", "丙市政工程有限公司"]
ROOMS = (("第一抽取室", "draw"), ("第一开标室", "opening"), ("第一评标室", "evaluation"))
SUPERVISORS = ("监督甲", "监督乙")


def form(page, action: str):
    return page.locator(f"form:has(input[name=action][value={action}])")


def fill(page, action: str, values: dict[str, str], button: str = "button[type=submit], button") -> None:
    """Fill the page's form for `action` by field name (a select is chosen by its option's value) and submit it."""
    target = form(page, action)
    for name, value in values.items():
        field = target.locator(f"[name={name}]")
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    target.locator(button).first.click()


def person(browser, live_server, username: str, password: str = PASSWORD):
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, username, password)
    return page


def local_input(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def today() -> str:
    return timezone.localdate(clock.now()).isoformat()


def confirm(page) -> None:
    """Irreversible steps are asked once more on a confirmation page."""
    page.locator("#confirm-button").click()


def set_own_password(browser, link: str) -> None:
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(link)
    page.fill("[name=new_password1]", PASSWORD)
    page.fill("[name=new_password2]", PASSWORD)
    page.locator("main form button").first.click()
    page.wait_for_url(lambda url: url.endswith("/login/"))
    page.context.close()


def admin_enters_the_centre(browser, live_server, uscc) -> None:
    """Rooms of each kind the projects need, the agency, the tenderer and three enterprises with their safety
    licences, the agency's and the enterprises' accounts, and two supervisors awaiting an inspector's approval."""
    admin = person(browser, live_server, "centre-admin")
    admin.goto(f"{live_server.url}/centre/rooms/")
    for name, kind in ROOMS:
        fill(admin, "room", {"name": name, "kind": kind})
        expect(admin.get_by_role("heading", name=re.compile(name))).to_be_visible()
    admin.goto(f"{live_server.url}/centre/")
    organisations = [("agency", AGENCY), ("tenderer", "县教育局"), *[("enterprise", name) for name in ENTERPRISES]]
    for n, (kind, name) in enumerate(organisations):
        fill(admin, "organisation", {"kind": kind, "name": name, "uscc": uscc(n)})
        expect(admin.get_by_role("link", name=name)).to_be_visible()
    for name in ENTERPRISES:  # every enterprise needs a valid safety licence to be eligible
        admin.goto(f"{live_server.url}/centre/")
        admin.get_by_role("link", name=name).click()
        fill(admin, "certificate", {"kind": "safety_licence", "number": f"（川）JZ安许证字[2026]{name[:1]}01",
                                    "valid_until": (clock.now() + dt.timedelta(days=400)).strftime("%Y-%m-%d")})
        expect(admin.get_by_text("安全生产许可证").first).to_be_visible()
    admin.goto(f"{live_server.url}/centre/users/")
    accounts_to_make = [("代理甲", "agency", AGENCY),
                        *[(f"企业{n}", "enterprise", name) for n, name in enumerate(ENTERPRISES)]]
    for username, role, organisation in accounts_to_make:
        fill(admin, "user", {"username": username, "password": PASSWORD, "role": role,
                             "organisation": str(option_value(admin, "user", "organisation", organisation))})
        expect(admin.get_by_role("cell", name=username, exact=True)).to_be_visible()
    for username in SUPERVISORS:  # a sensitive role: an inspector approves, the person sets a password
        fill(admin, "user", {"username": username, "role": "supervisor", "reason": "县财政局派驻现场监督"})
        expect(admin.get_by_text("待纪检监察人员审批").first).to_be_visible()
    admin.context.close()


def admin_enters_the_expert_pool(browser, live_server, experts: list[tuple[str, str, str]], specialty: str) -> None:
    """Each expert's account (role 评标专家) on the accounts page, then the expert in the pool with the specialty
    and the employer, which the panel draw's recusal reads. `experts`: (username, name, employer or "")."""
    admin = person(browser, live_server, "centre-admin")
    admin.goto(f"{live_server.url}/centre/users/")
    for username, name, _employer in experts:
        fill(admin, "user", {"username": username, "name": name, "password": PASSWORD, "role": "expert"})
        expect(admin.get_by_role("cell", name=username, exact=True)).to_be_visible()
    admin.goto(f"{live_server.url}/centre/")
    admin.get_by_role("link", name="专家库").click()
    expect(admin.get_by_text("专家库为空。")).to_be_visible()
    for username, name, employer in experts:
        values = {"user": str(option_value(admin, "expert", "user", username)), "name": name, "specialty": specialty}
        if employer:
            values["employer"] = str(option_value(admin, "expert", "employer", employer))
        fill(admin, "expert", values)
        expect(admin.get_by_text("专家信息已保存。")).to_be_visible()
        expect(admin.get_by_role("cell", name=name, exact=True)).to_be_visible()
    admin.context.close()


def option_value(page, action: str, field: str, label: str) -> int:
    """The value of the (first) option showing `label` in the select `field` of the form for `action`."""
    options = page.locator(f"form:has(input[name=action][value={action}]) select[name={field}] option")
    return int(options.filter(has_text=label).first.get_attribute("value"))


def inspector_approves_the_supervisors(browser, live_server) -> None:
    inspector = person(browser, live_server, "纪检一")
    for _ in SUPERVISORS:
        inspector.goto(f"{live_server.url}/inspect/roles/")
        inspector.get_by_role("button", name="批准").first.click()
        message = inspector.get_by_text("一次性链接")
        expect(message).to_be_visible()
        link = re.search(r"https?://\S+", message.inner_text()).group(0)
        set_own_password(browser, link)
    inspector.context.close()


def book(page, kind: str, room: str, starts: dt.datetime, hours: float = 2) -> None:
    """On the project's management page: book a session of `kind` in `room`."""
    fill(page, "session", {"kind": kind, "room": str(option_value(page, "session", "room", room)),
                           "starts_at": local_input(starts), "ends_at": local_input(starts + dt.timedelta(hours=hours))},
         button="button.primary")
    expect(page.get_by_role("cell", name=room).first).to_be_visible()


def sign_in(page, live_server, code: str, kind: str, badge: str) -> None:
    """At the session's sign-in sheet, under a role badge."""
    session_id = Project.objects.get(code=code).sessions.get(kind=kind).pk
    page.goto(f"{live_server.url}/sessions/{session_id}/")
    page.select_option("#badge", badge)
    page.get_by_role("button", name="签到").click()
    expect(page.get_by_text("您已签到")).to_be_visible()


def expect_status(page, live_server, code: str, label: str) -> None:
    page.goto(f"{live_server.url}/projects/{code}/manage/")
    expect(page.locator(".badge").get_by_text(label).first).to_be_visible()


def accept(page, note: str) -> None:
    """On the management page: the contract's signing starts performance, the acceptance completes it."""
    page.get_by_role("button", name="记录合同签订").click()
    expect(page.locator(".badge").get_by_text("实施中").first).to_be_visible()
    form(page, "complete").locator("[name=confirm]").check()
    fill(page, "complete", {"accepted_on": today(), "note": note}, button="button.primary")
    expect(page.locator(".badge").get_by_text("已完工").first).to_be_visible()
