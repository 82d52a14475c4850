"""Done criterion of issue 16: a centre starts from an empty database with only its administrator (createsuperuser)
and the operator's one first inspector (grant_first_inspector: nobody can approve the first one), enters its people,
rooms and enterprises through the pages, and runs a fixed-price project from announcement to acceptance — draw,
publicity, award, contract, 竣工验收 — and a land auction from announcement to acceptance (rules, bidders, bids,
hammer, 成交确认书, handover); and, in a second centre, a government procurement (政府采购) from its expert pool
and evaluation plan through sealed bids, opening, panel draw, scoring and publicity to award, contract and 履约验收
— without the demo, a shell or the Django admin. Every step is a person at a page; the test only moves the
platform's clock (past the deadline, to each session, past the publicity), as time would. The shared first-day
steps are in tests/browser/centre.py."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from core import clock
from tests import factories
from tests.browser.centre import (
    ENTERPRISES,
    PASSWORD,
    SUPERVISORS,
    accept,
    admin_enters_the_centre,
    admin_enters_the_expert_pool,
    book,
    confirm,
    expect_status,
    fill,
    inspector_approves_the_supervisors,
    local_input,
    person,
    sign_in,
)
from trading.models import Organisation, Project, User
from trading.services import accounts

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


def test_a_centre_runs_a_fixed_price_project_from_an_empty_database(browser, live_server, empty_centre,
                                                                     moved_clock):
    admin_enters_the_centre(browser, live_server, factories.uscc)
    inspector_approves_the_supervisors(browser, live_server)

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
    book(agency, "draw", "第一抽取室", clock.now() + dt.timedelta(minutes=10))

    with clock.travel(dt.timedelta(minutes=15)):
        _supervisors_draw(browser, live_server, code)
    expect_status(agency, live_server, code, "公示中")

    moved_clock.move_past(Project.objects.get().publicity_until)
    agency.get_by_role("button", name="公示期满，定标").click()
    agency.locator("#confirm-button").click()  # asked once more (irreversible)
    expect(agency.get_by_text("已定标").first).to_be_visible()
    accept(agency, "经建设、监理、施工单位联合验收，工程质量合格。")

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
    accept(agency, "土地已按出让合同约定交付。")


def _supervisors_draw(browser, live_server, code: str) -> None:
    pages = []
    session_id = Project.objects.get(code=code).sessions.get().pk
    for username, value in zip(SUPERVISORS, ("1949", "2026"), strict=True):
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


SPECIALTY = "教学仪器设备"
EXPERTS = [("专家赵", "赵建国", ""), ("专家钱", "钱立新", ""), ("专家孙", "孙晓梅", ""), ("专家李", "李文博", ""),
           ("专家周", "周海燕", ""), ("专家吴", "吴志强", ENTERPRISES[0]), ("专家郑", "郑明", "县教育局")]
RECUSED = 2  # 吴 works for a bidder, 郑 for the purchaser (采购人)
BIDS = ["1160000.00", "1095000.00", "1130000.00"]  # under the ceiling of 1,200,000


def test_a_centre_runs_a_procurement_project_from_an_empty_database(browser, live_server, empty_centre,
                                                                    moved_clock):
    """政府采购: the expert pool and rooms entered by the administrator; the agency's announcement with its
    evaluation plan; sealed bids; the opening; the panel drawn by the supervisors; five experts scoring; the
    candidates publicised; the award, the contract and the acceptance (履约验收); the ledger verified."""
    admin_enters_the_centre(browser, live_server, factories.uscc)
    admin_enters_the_expert_pool(browser, live_server, EXPERTS, SPECIALTY)
    inspector_approves_the_supervisors(browser, live_server)

    agency = person(browser, live_server, "代理甲")
    code, deadline = _agency_announces_a_procurement(agency, live_server)
    for n, price in enumerate(BIDS):
        _enterprise_bids(browser, live_server, code, f"企业{n}", price)
    opening = deadline + dt.timedelta(minutes=30)
    agency.goto(f"{live_server.url}/projects/{code}/manage/")
    book(agency, "opening", "第一开标室", opening, hours=1)
    book(agency, "draw", "第一抽取室", opening + dt.timedelta(hours=1), hours=1)
    book(agency, "evaluation", "第一评标室", opening + dt.timedelta(hours=2), hours=4)

    moved_clock.move_past(opening)
    _the_bids_are_opened(browser, live_server, agency, code)
    moved_clock.move_past(opening + dt.timedelta(hours=1))
    _supervisors_draw_the_panel(browser, live_server, code)
    moved_clock.move_past(opening + dt.timedelta(hours=2))
    for seat, (username, _name, employer) in enumerate(EXPERTS):
        if not employer:
            _expert_scores(browser, live_server, code, username, seat)

    agency.goto(f"{live_server.url}/evaluation/{code}/manage/")
    agency.get_by_role("button", name="汇总评分，结束评标").click()
    confirm(agency)
    expect(agency.locator(".badge").get_by_text("公示中").first).to_be_visible()
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{live_server.url}/candidates/{code}/")
    expect(public.get_by_role("heading", name="中标候选人公示")).to_be_visible()
    for name in ENTERPRISES:
        expect(public.get_by_role("cell", name=name)).to_be_visible()

    moved_clock.move_past(Project.objects.get(code=code).publicity_until)
    agency.goto(f"{live_server.url}/evaluation/{code}/manage/")
    agency.get_by_role("button", name="公示期满，定标").click()
    confirm(agency)
    expect(agency.locator(".badge").get_by_text("已定标").first).to_be_visible()
    agency.goto(f"{live_server.url}/projects/{code}/manage/")
    accept(agency, "设备到货安装调试完毕，经采购人组织履约验收合格。")
    public.goto(f"{live_server.url}/projects/{code}/")
    expect(public.locator("#tenderer")).to_have_text("县教育局")
    expect(public.get_by_role("heading", name="履约验收")).to_be_visible()
    expect(public.get_by_text("履约验收合格")).to_be_visible()
    _inspector_verifies_the_ledger(browser, live_server)
    for page in (agency, public):
        page.context.close()


def _agency_announces_a_procurement(agency, live_server) -> tuple[str, dt.datetime]:
    agency.goto(f"{live_server.url}/workspace/new/")
    deadline = clock.now() + dt.timedelta(days=6)
    agency.select_option("#id_type", "procurement")
    agency.fill("#id_title", "县第一小学智慧教室设备采购")
    agency.select_option("#id_tenderer", label="县教育局")
    agency.fill("#id_budget", "1250000.00")
    agency.fill("#id_ceiling_price", "1200000.00")
    agency.fill("#id_registration_deadline", local_input(deadline))
    agency.fill("#id_announcement", "采购智慧教室交互设备及配套服务，采用综合评估法。")
    agency.locator("form button").last.click()
    expect(agency.get_by_text("项目草稿已保存")).to_be_visible()
    code = Project.objects.get(type="procurement").code
    agency.get_by_role("button", name="发布公告").click()
    confirm(agency)
    expect(agency.locator(".badge").get_by_text("报名中").first).to_be_visible()

    agency.locator("#evaluation-link").click()  # the project's opening-and-evaluation page
    expect(agency.get_by_text("尚未设定评标办法")).to_be_visible()
    fill(agency, "plan", {"method": "comprehensive", "price_weight": "40",
                          "c1-name": "技术方案", "c1-kind": "technical", "c1-max": "40",
                          "c2-name": "售后服务", "c2-kind": "commercial", "c2-max": "20"})
    expect(agency.get_by_text("操作完成。")).to_be_visible()
    expect(agency.locator("#plan").get_by_text("售后服务", exact=True)).to_be_visible()
    return code, deadline


def _enterprise_bids(browser, live_server, code: str, username: str, price: str) -> None:
    enterprise = person(browser, live_server, username)
    enterprise.goto(f"{live_server.url}/evaluation/")
    enterprise.get_by_role("link", name="递交投标文件").click()
    enterprise.fill("#price", price)
    enterprise.fill("#duration", "合同签订后30日内交货")
    enterprise.fill("#terms", "质保三年，4小时响应")
    enterprise.get_by_role("button", name="加密递交").click()
    expect(enterprise.locator("#receipt")).to_contain_text("明文 SHA-256")
    expect(enterprise.get_by_text("投标文件已加密递交")).to_be_visible()
    enterprise.context.close()


def _the_bids_are_opened(browser, live_server, agency, code: str) -> None:
    """In the opening session: a supervisor and a bidder's representative sign in; the agency closes the box and
    opens the bids, then requests the panel (the experts working for a bidder or the purchaser are recused)."""
    present = [person(browser, live_server, SUPERVISORS[0]), person(browser, live_server, "企业1")]
    for page, badge in zip(present, ("supervisor", "bidder"), strict=True):
        sign_in(page, live_server, code, "opening", badge)
    agency.goto(f"{live_server.url}/evaluation/{code}/manage/")
    expect(agency.get_by_text("开标前投标人名单和数量保密。")).to_be_visible()
    agency.get_by_role("button", name="投标截止").click()
    confirm(agency)
    expect(agency.get_by_text(f"截止时有效投标 {len(BIDS)} 份。")).to_be_visible()
    agency.get_by_role("button", name="开标（解密）").click()
    confirm(agency)
    for name in ENTERPRISES:
        expect(agency.get_by_role("cell", name=name)).to_be_visible()
    expect(agency.get_by_text("有效", exact=True)).to_have_count(len(BIDS))
    expect(agency.locator(".badge").get_by_text("已开标").first).to_be_visible()
    agency.fill("#specialty", SPECIALTY)
    agency.fill("#size", "5")
    agency.get_by_role("button", name="申请抽取评标专家").click()
    expect(agency.get_by_text(f"回避 {RECUSED} 人")).to_be_visible()
    for page in present:
        page.context.close()


def _supervisors_draw_the_panel(browser, live_server, code: str) -> None:
    """Both supervisors sign in to the draw session, seal their numbers, reveal them once both are sealed, and
    one draws (the dialog asks once more): five experts seated, the proof's steps shown."""
    pages = []
    for username, value in zip(SUPERVISORS, ("520", "1314"), strict=True):
        page = person(browser, live_server, username)
        sign_in(page, live_server, code, "draw", "supervisor")
        page.goto(f"{live_server.url}/evaluation/")
        page.get_by_role("link", name="县第一小学智慧教室设备采购").click()
        page.fill("#input-value", value)
        page.click("#seal-form button")
        expect(page.locator("#seal-form")).to_be_hidden()  # sealed: only the commitment went to the server
        pages.append(page)
    for page in pages:
        page.reload()
        expect(page.locator("#reveal-button")).to_be_visible()
        page.click("#reveal-button")
        expect(page.locator("#reveal-button")).to_be_hidden()
    pages[0].click("#draw-button")
    pages[0].click("#draw-confirm-button")
    expect(pages[0].get_by_text("已抽取。")).to_be_visible()
    expect(pages[0].get_by_role("heading", name="如何自行验证")).to_be_visible()
    for page in pages:
        page.context.close()


def _expert_scores(browser, live_server, code: str, username: str, seat: int) -> None:
    """An expert drawn for the panel signs in to the evaluation session and scores every valid bid."""
    expert = person(browser, live_server, username)
    sign_in(expert, live_server, code, "evaluation", "expert")
    expert.goto(f"{live_server.url}/evaluation/my/panels/")
    expert.get_by_role("link", name="评分").click()
    cells = expert.locator("input[name^='s-']")
    expect(cells).to_have_count(len(BIDS) * 2)  # every valid bid × 技术方案, 售后服务
    for n in range(len(BIDS) * 2):
        cells.nth(n).fill(str(30 + (n + seat) % 9) if n % 2 == 0 else str(14 + (n + seat) % 6))
    expert.get_by_role("button", name="提交评分（提交后锁定）").click()
    expect(expert.get_by_text("评分已提交并锁定，不能修改。")).to_be_visible()
    expect(cells.first).to_be_disabled()
    expert.context.close()


def _inspector_verifies_the_ledger(browser, live_server) -> None:
    inspector = person(browser, live_server, "纪检一")
    inspector.goto(f"{live_server.url}/inspect/chain/")
    inspector.get_by_role("button", name="立即校验全部日志").click()
    inspector.goto(f"{live_server.url}/inspect/chain/")
    expect(inspector.locator("#last-verification").get_by_text("通过")).to_be_visible()
    inspector.context.close()
