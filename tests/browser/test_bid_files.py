"""Bid files sealed at the bidder, in Chromium (issue 20): two supervisors make their opening keys in their own
browsers (the private key downloaded as a file), a bidder encrypts its PDF and price schedule in the page — the test
then reads what the server stored and finds no plaintext — and at the opening the two supervisors load their key
files, decrypt their shares locally and post them; the bids open, one whose ciphertext no longer matches its
receipt is rejected with the reason, and a bidder confirms the record online."""

import json
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings as django_settings
from django.db import connection
from playwright.sync_api import expect

from audit.models import LedgerEntry
from core.roles import Role
from evaluation import bidfile
from evaluation.models import Bid, OpeningConfirmation, OpeningKey
from evaluation.services import bidfiles
from evaluation.services import bids as bid_services
from tests import factories
from tests.browser.conftest import login
from tests.evaluation import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARKER = b"UNIQUE-PDF-CONTENT-7F3A"
PDF = b"%PDF-1.4\n% " + MARKER + b"\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.REGISTRATION_MIN_DAYS = 1
    settings.AXES_ENABLED = False


def _page(browser, live_server, user):
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, user.username, factories.PASSWORD)
    return page


def _make_key(page, live_server, project, tmp_path) -> Path:
    page.goto(f"{live_server.url}/evaluation/{project.code}/opening/")
    with page.expect_download() as download:
        page.click("#make-key")
    expect(page.locator("#key-status")).to_contain_text("已登记开标密钥")
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    return path


def _stored_everything() -> str:
    texts = []
    with connection.cursor() as cursor:
        for table in (Bid._meta.db_table, Bid.history.model._meta.db_table):
            cursor.execute(f"SELECT * FROM {table}")
            texts += [str(v) for row in cursor.fetchall() for v in row]
    texts += [json.dumps(e.data, ensure_ascii=False) for e in LedgerEntry.objects.all()]
    for path in (Path(django_settings.OBJECT_STORE_DIR) / "objects").rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("latin-1"))
    return "\n".join(texts)


def test_a_bid_file_is_sealed_in_the_page_and_opened_by_two_supervisors_browsers(browser, live_server, tmp_path):
    project = builders.procurement()
    bidfiles.bid_round_mode_set(actor=project.created_by, project=project, mode="bidder")
    builders.opening_session(project)
    supervisors = [factories.user(Role.SUPERVISOR) for _ in range(2)]
    pages = [_page(browser, live_server, s) for s in supervisors]
    key_files = [_make_key(page, live_server, project, tmp_path) for page in pages]
    assert "d" not in OpeningKey.objects.get(holder=supervisors[0]).public_jwk
    assert json.loads(key_files[0].read_text())["private_jwk"]["d"]
    third = factories.user(Role.SUPERVISOR)  # the third holder's key is made in Python; it is not needed to open
    bidfiles.opening_key_register(actor=third, project=project, public_jwk=bidfile.public_jwk(
        ec.generate_private_key(ec.SECP256R1()).public_key()))

    user = builders.bidder("浏览器加密投标企业")
    bidder_page = _page(browser, live_server, user)
    bidder_page.goto(f"{live_server.url}/evaluation/{project.code}/bid/")
    pdf_path = tmp_path / "bid.pdf"
    pdf_path.write_bytes(PDF)
    bidder_page.set_input_files("#bid-file", str(pdf_path))
    bidder_page.fill("#price", "876543.21")
    bidder_page.fill("#terms", "质保五年XYZ")
    bidder_page.click("#seal-button")
    expect(bidder_page.locator("#file-receipt")).to_be_visible()
    mine = Bid.objects.get(bidder=user.organisation)
    expect(bidder_page.locator("#receipt-cipher")).to_have_text(mine.envelope_sha256)

    stored = _stored_everything()  # what the server holds: no price, no terms, no PDF bytes
    assert "876543" not in stored and "质保五年XYZ" not in stored and MARKER.decode() not in stored
    assert mine.price is None and mine.envelope == ""

    others = [builders.bidder(f"文件投标企业{n}") for n in range(2)]
    for other, price in zip(others, ("910000.00", "920000.00"), strict=True):
        builders.submit_file(project, other, price)
    tampered = Bid.objects.get(bidder=others[1].organisation)
    data = Path(django_settings.OBJECT_STORE_DIR) / "objects" / tampered.object_key / "@data"
    data.chmod(0o644)
    data.write_bytes(data.read_bytes()[:-1] + bytes([data.read_bytes()[-1] ^ 1]))

    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        for page, key_file, opened in zip(pages, key_files, (0, 3), strict=True):  # the second share opens all
            page.goto(f"{live_server.url}/evaluation/{project.code}/opening/")
            page.set_input_files("#key-file", str(key_file))
            page.click("#post-shares")
            expect(page.locator("#shares-status")).to_contain_text(
                f"已在本机解密并提交分片： 3 · 本次提交后解密的投标文件： {opened}")
        mine.refresh_from_db()
        tampered.refresh_from_db()
        assert (str(mine.price), mine.valid, mine.terms) == ("876543.21", True, "质保五年XYZ")
        assert tampered.valid is False and "与递交回执不符" in tampered.invalid_reason and tampered.price is None

        bidder_page.goto(f"{live_server.url}/evaluation/{project.code}/opening/")
        row = bidder_page.locator(f"#live-bids tr[data-bid='{mine.pk}']")
        expect(row).to_contain_text("876543.21")
        expect(row).to_contain_text("与回执一致")
        expect(bidder_page.locator(f"#live-bids tr[data-bid='{tampered.pk}']")).to_contain_text("与递交回执不符")

        bid_services.bids_open(actor=project.created_by, project=project)
        bidder_page.reload()
        bidder_page.click("#confirm-record")
        bidder_page.click("#confirm-button")
        expect(bidder_page.locator("#confirmations")).to_contain_text(user.organisation.name)
    assert OpeningConfirmation.objects.get().bidder == user.organisation


def test_the_bid_page_waits_for_every_key_holder(browser, live_server):
    project = builders.procurement()
    bidfiles.bid_round_mode_set(actor=project.created_by, project=project, mode="bidder")
    page = _page(browser, live_server, builders.bidder())
    page.goto(f"{live_server.url}/evaluation/{project.code}/bid/")
    expect(page.locator("#keys-waiting")).to_be_visible()
    expect(page.locator("#seal-button")).to_be_hidden()


def test_the_live_opening_page_follows_the_ceremony_without_a_reload(browser, live_server):
    """A bidder watching remotely (不见面开标): the page is open before any share arrives; the server-sent events
    bring each bid's shares, its hash check and its price, then the opened state and the record's digest."""
    from evaluation import selectors
    from evaluation.services import opening
    from tests.evaluation.builders import decrypted_shares

    project, users, keys = builders.bid_files_project()
    with builders.at_opening():
        bid_services.bids_close(actor=project.created_by, project=project)
        page = _page(browser, live_server, users[0])
        page.goto(f"{live_server.url}/evaluation/{project.code}/opening/")
        mine = Bid.objects.get(bidder=users[0].organisation)
        row = page.locator(f"#live-bids tr[data-bid='{mine.pk}']")
        expect(row).to_contain_text("等待分片")
        expect(row).not_to_contain_text("900000.00")

        for holder, private in keys[:2]:  # the supervisors' browsers, elsewhere
            opening.opening_shares_post(actor=holder, project=project,
                                        shares=decrypted_shares(project, holder, private))
        expect(row).to_contain_text("900000.00", timeout=15_000)
        expect(row).to_contain_text("与回执一致")

        bid_services.bids_open(actor=project.created_by, project=project)
        expect(page.locator("#record-sha256")).to_have_text(selectors.opening_digest(project), timeout=15_000)
        page.locator("#opened-notice a").click()
        expect(page.locator("#confirm-record")).to_be_visible()
