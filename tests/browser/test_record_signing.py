"""A supervisor makes a signing key in the page (Web Crypto, the private key kept in this browser), the centre's
administrator binds it, the supervisor signs the draw record in the page, and the PDF read back prints the
signature."""

import re
import subprocess

import pytest
from playwright.sync_api import expect

from archive.models import RecordSignature
from core.roles import Role
from lottery.models import Draw
from tests import factories
from tests.archive.conftest import TITLE, closed_project, drawn
from tests.browser.conftest import login
from trading.models import SigningKey, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Pass-word-2026"


def _person(user: User) -> User:
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_supervisor_signs_the_draw_record_with_a_key_made_in_the_browser(browser, live_server, moved_clock,
                                                                           settings, tmp_path):
    settings.AXES_ENABLED = False
    project = drawn(closed_project(moved_clock, ["县第一建筑工程有限公司", "县第二建筑工程有限公司", "县第三建筑工程有限公司"],
                                   title=TITLE))
    username = Draw.objects.get(project=project).proof["metadata"]["supervisors"][0]
    supervisor = _person(User.objects.get(username=username))
    admin = _person(factories.user(Role.ADMIN))

    mine = browser.new_context(locale="zh-CN")
    page = mine.new_page()
    login(page, live_server, supervisor.username, PASSWORD)
    page.goto(f"{live_server.url}/account/signing-keys/")
    page.get_by_label("密钥名称（如“办公室电脑”）").fill("监督室电脑")
    page.locator("#generate-key").click()
    row = page.locator("#key-table tbody tr").first
    expect(row).to_contain_text("待审核")
    expect(row).to_contain_text("本浏览器持有")
    key = SigningKey.objects.get(user=supervisor)
    assert key.label == "监督室电脑" and key.state == "pending"

    centre = browser.new_context(locale="zh-CN")
    admin_page = centre.new_page()
    login(admin_page, live_server, admin.username, PASSWORD)
    admin_page.goto(f"{live_server.url}/centre/signing-keys/")
    expect(admin_page.locator(f"#key-{key.pk}")).to_contain_text(key.fingerprint)
    admin_page.locator(f"#approve-{key.pk}").click()
    expect(admin_page.locator("#bound-keys")).to_contain_text("已绑定")
    centre.close()

    page.goto(f"{live_server.url}/projects/{project.code}/records/")
    panel = page.locator("#signing-draw")
    expect(panel).to_contain_text("尚无电子签名")
    page.locator("#sign-button-draw").click()
    expect(page.locator("#sign-confirm-draw")).to_be_visible()
    page.locator("#sign-confirm-button-draw").click()
    expect(panel.locator("table.signatures")).to_contain_text(str(supervisor))
    expect(panel.locator("table.signatures")).to_contain_text("有效")
    expect(page.locator("#sign-button-draw")).to_be_hidden()
    signed = RecordSignature.objects.get()
    assert signed.signer == supervisor and signed.key == key and signed.standing == "supervisor"

    pdf = page.request.get(f"{live_server.url}/projects/{project.code}/records/draw.pdf")
    assert pdf.ok
    (tmp_path / "draw.pdf").write_bytes(pdf.body())
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(tmp_path / "draw.pdf"), "-"], check=True,
                                             capture_output=True, text=True).stdout)
    assert "电子签名" in text
    assert re.sub(r"\s+", "", str(supervisor)) in text
    assert key.fingerprint[:16] in text
    assert signed.digest in text
    mine.close()
