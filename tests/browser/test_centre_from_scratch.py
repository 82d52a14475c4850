"""Done criterion of issue 16: a centre starts from an empty database with only its administrator (createsuperuser)
and the operator's one first inspector (grant_first_inspector: nobody can approve the first one), enters its people,
rooms and enterprises through the pages, and runs a fixed-price project from announcement to acceptance — draw,
publicity, award, contract, 竣工验收 — and a land auction from announcement to acceptance (rules, bidders, bids,
hammer, 成交确认书, handover), without the demo, a shell or the Django admin. Every step is a person at a
page; the test only moves the platform's clock (past the deadline, the publicity), as time would."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from core import clock
from tests import factories
from tests.browser.conftest import login
from trading.models import Organisation, Project, User
from trading.services import accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Centre-pass-2026"
ENTERPRISES = ["甲建筑工程有限公司", "乙建设集团有限公司", "丙市政工程有限公司"]


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


def set_own_password(browser, link: str) -> None:
    page = browser.new_context(locale="zh-CN").new_page()
    page.goto(link)
    page.fill("[name=new_password1]", PASSWORD)
    page.fill("[name=new_password2]", PASSWORD)
    page.locator("main form button").first.click()
    page.wait_for_url(lambda url: url.endswith("/login/"))
    page.context.close()


@pytest.fixture
def empty_centre(settings):
    """`createsuperuser` and `grant_first_inspector` — the two operator steps on a fresh server — and nothing else."""
    settings.AXES_ENABLED = False
    assert not Project.objects.exists() and not User.objects.filter(is_superuser=True).exists()
    User.objects.create_superuser("centre-admin", password=PASSWORD)
    first = User.objects.create_user(username="纪检一", role="none")
    accounts.role_grant_first_inspector(user=first, reason="中心开办，首位纪检监察人员")
    first.refresh_from_db()
    first.set_password(PASSWORD)  # the command prints a one-time link; the page behind it is tested below
    first.save()


def _admin_enters_the_centre(browser, live_server, uscc) -> None:
    admin = person(browser, live_server, "centre-admin")
    admin.goto(f"{live_server.url}/centre/rooms/")
    for name, kind in (("第一抽取室", "draw"), ("第一开标室", "opening")):
        fill(admin, "room", {"name": name, "kind": kind})
        expect(admin.get_by_role("heading", name=re.compile(name))).to_be_visible()
    admin.goto(f"{live_server.url}/centre/")
    organisations = [("agency", "县公共资源招标代理有限公司"), ("tenderer", "县教育局"),
                     *[("enterprise", name) for name in ENTERPRISES]]
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
    accounts_to_make = [("代理甲", "agency", "县公共资源招标代理有限公司"),
                        *[(f"企业{n}", "enterprise", name) for n, name in enumerate(ENTERPRISES)]]
    for username, role, organisation in accounts_to_make:
        fill(admin, "user", {"username": username, "password": PASSWORD, "role": role,
                             "organisation": str(_organisation_id(admin, organisation))})
        expect(admin.get_by_role("cell", name=username, exact=True)).to_be_visible()
    for username in ("监督甲", "监督乙"):  # a sensitive role: an inspector approves, the person sets a password
        fill(admin, "user", {"username": username, "role": "supervisor", "reason": "县财政局派驻现场监督"})
        expect(admin.get_by_text("待纪检监察人员审批").first).to_be_visible()
    admin.context.close()


def _organisation_id(page, name: str) -> int:
    return int(page.locator("form:has(input[name=action][value=user]) select[name=organisation] option",
                            has_text=name).get_attribute("value"))


def _inspector_approves_the_supervisors(browser, live_server) -> None:
    inspector = person(browser, live_server, "纪检一")
    for _ in range(2):
        inspector.goto(f"{live_server.url}/inspect/roles/")
        inspector.get_by_role("button", name="批准").first.click()
        message = inspector.get_by_text("一次性链接")
        expect(message).to_be_visible()
        link = re.search(r"https?://\S+", message.inner_text()).group(0)
        set_own_password(browser, link)
    inspector.context.close()


def test_a_centre_runs_a_fixed_price_project_from_an_empty_database(browser, live_server, empty_centre,
                                                                     moved_clock):
    _admin_enters_the_centre(browser, live_server, factories.uscc)
    _inspector_approves_the_supervisors(browser, live_server)

    agency = person(browser, live_server, "代理甲")
    agency.goto(f"{live_server.url}/workspace/new/")
    deadline = clock.now() + dt.timedelta(days=6)
    agency.select_option("#id_type", "fixed_price")
    agency.fill("#id_title", "县第一小学教学楼维修工程")
    agency.fill("#id_budget", "1850000.00")
    agency.fill("#id_fixed_price", "1780000.00")
    agency.fill("#id_registration_deadline", local_input(deadline))
    agency.locator("form button").last.click()
    expect(agency.get_by_text("项目草稿已保存")).to_be_visible()
    code = Project.objects.get().code
    agency.get_by_role("button", name="发布公告").click()
    agency.locator("#confirm-button").click()  # asked once more (irreversible)
    expect(agency.locator(".badge").get_by_text("报名中").first).to_be_visible()

    for n in range(len(ENTERPRISES)):
        enterprise = person(browser, live_server, f"企业{n}")
        enterprise.goto(f"{live_server.url}/projects/{code}/register/")
        enterprise.fill("#id_manager_name", f"项目经理{n}")
        enterprise.fill("#id_manager_certificate", f"川251202600{n}")
        enterprise.check("#id_acknowledge_notice")
        enterprise.get_by_role("button", name="提交报名").click()
        expect(enterprise.get_by_text("报名成功").first).to_be_visible()
        enterprise.context.close()

    moved_clock.move_past(deadline)
    agency.goto(f"{live_server.url}/projects/{code}/manage/")
    agency.get_by_role("button", name="截止并冻结名单").click()
    agency.locator("#confirm-button").click()  # asked once more (irreversible)
    expect(agency.locator(".badge").get_by_text("资格审查通过").first).to_be_visible()
    starts = clock.now() + dt.timedelta(minutes=10)
    fill(agency, "session", {"kind": "draw", "room": str(_room_id(agency, "第一抽取室")),
                             "starts_at": local_input(starts), "ends_at": local_input(starts + dt.timedelta(hours=2))},
         button="button.primary")
    expect(agency.get_by_role("cell", name="第一抽取室")).to_be_visible()

    with clock.travel(dt.timedelta(minutes=15)):
        _supervisors_draw(browser, live_server, code)
    expect_status(agency, live_server, code, "公示中")

    moved_clock.move_past(Project.objects.get().publicity_until)
    agency.get_by_role("button", name="公示期满，定标").click()
    agency.locator("#confirm-button").click()  # asked once more (irreversible)
    expect(agency.get_by_text("已定标").first).to_be_visible()
    agency.get_by_role("button", name="记录合同签订").click()
    expect(agency.locator(".badge").get_by_text("实施中").first).to_be_visible()
    form(agency, "complete").locator("[name=confirm]").check()
    fill(agency, "complete", {"accepted_on": timezone.localdate(clock.now()).isoformat(),
                              "note": "经建设、监理、施工单位联合验收，工程质量合格。"}, button="button.primary")
    expect(agency.locator(".badge").get_by_text("已完工").first).to_be_visible()

    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{live_server.url}/projects/{code}/")
    expect(public.get_by_role("heading", name="竣工验收")).to_be_visible()
    expect(public.get_by_text("工程质量合格")).to_be_visible()

    _the_same_centre_auctions_land(agency, live_server, moved_clock)
    for page in (agency, public):
        page.context.close()


def _the_same_centre_auctions_land(agency, live_server, moved_clock) -> None:
    """A land-use-right auction by the same agency: rules, bidders by their USCC, bids, the hammer, the sale
    confirmed (成交确认书) and the handover accepted."""
    agency.goto(f"{live_server.url}/workspace/new/")
    deadline = clock.now() + dt.timedelta(days=6)
    agency.select_option("#id_type", "land_auction")
    agency.fill("#id_title", "城南2026-07号地块国有建设用地使用权")
    agency.fill("#id_budget", "46000000.00")
    agency.fill("#id_registration_deadline", local_input(deadline))
    agency.locator("form button").last.click()
    expect(agency.get_by_text("项目草稿已保存")).to_be_visible()
    code = Project.objects.get(type="land_auction").code
    agency.get_by_role("button", name="发布公告").click()
    agency.locator("#confirm-button").click()  # asked once more (irreversible)
    expect(agency.locator(".badge").get_by_text("报名中").first).to_be_visible()

    agency.goto(f"{live_server.url}/auction/{code}/")
    agency.fill("#starting_price", "46000000")
    agency.fill("#increment", "500000")
    agency.get_by_role("button", name="设置拍卖规则").click()
    expect(agency.get_by_text("拍卖规则已设置。")).to_be_visible()
    for number, name in (("001", ENTERPRISES[0]), ("002", ENTERPRISES[1])):
        agency.fill("#bidder", Organisation.objects.get(name=name).uscc)
        agency.fill("#number", number)
        agency.get_by_role("button", name="登记竞买人").click()
        expect(agency.get_by_text("已记录。")).to_be_visible()
    moved_clock.move_past(deadline)
    agency.get_by_role("button", name="开始拍卖").click()
    for number, amount in (("001", "46000000"), ("002", "46500000"), ("001", "47000000")):
        agency.fill("#bidder_number", number)
        agency.fill("#amount", amount)
        agency.get_by_role("button", name="记录应价").click()
        expect(agency.get_by_role("cell", name=number).first).to_be_visible()
    agency.get_by_role("button", name="落槌").click()
    agency.locator("#confirm-button").click()  # asked once more (irreversible)
    expect(agency.get_by_text(ENTERPRISES[0]).first).to_be_visible()

    agency.goto(f"{live_server.url}/projects/{code}/manage/")
    agency.get_by_role("button", name="记录合同签订").click()
    expect(agency.locator(".badge").get_by_text("实施中").first).to_be_visible()
    form(agency, "complete").locator("[name=confirm]").check()
    fill(agency, "complete", {"accepted_on": timezone.localdate(clock.now()).isoformat(),
                              "note": "土地已按出让合同约定交付。"}, button="button.primary")
    expect(agency.locator(".badge").get_by_text("已完工").first).to_be_visible()


def _room_id(page, name: str) -> int:
    return int(page.locator("form:has(input[name=action][value=session]) select[name=room] option",
                            has_text=name).get_attribute("value"))


def expect_status(page, live_server, code: str, label: str) -> None:
    page.goto(f"{live_server.url}/projects/{code}/manage/")
    expect(page.locator(".badge").get_by_text(label).first).to_be_visible()


def _supervisors_draw(browser, live_server, code: str) -> None:
    pages = []
    session_id = Project.objects.get(code=code).sessions.get().pk
    for username, value in (("监督甲", "1949"), ("监督乙", "2026")):
        page = person(browser, live_server, username)
        page.goto(f"{live_server.url}/sessions/{session_id}/")
        page.select_option("#badge", "supervisor")
        page.get_by_role("button", name="签到").click()
        expect(page.get_by_text("您已签到")).to_be_visible()
        page.goto(f"{live_server.url}/projects/{code}/draw/")
        page.fill("#input-value", value)
        page.click("#seal-form button")
        pages.append(page)
    for page in pages:
        expect(page.locator("#reveal-button")).to_be_visible()
        page.click("#reveal-button")
    pages[0].click("#draw-button")
    pages[0].click("#draw-confirm-button")  # the dialog asks once more
    for page in pages:
        expect(page.locator("#ranking tbody tr")).to_have_count(len(ENTERPRISES))
        page.context.close()
