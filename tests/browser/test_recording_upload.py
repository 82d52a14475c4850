"""The supervisor's upload page in Chromium: the progress bar moves with the XHR upload, then the browser lands
on the recording's page with its SHA-256."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from recordings.models import Recording
from tests import factories
from tests.browser.a11y import violations
from tests.browser.conftest import login
from tests.recordings.uploads import book_past_session
from tests.recordings.videos import write_video

WATCH_BAR = """document.addEventListener('DOMContentLoaded', () => {
    const bar = document.getElementById('upload-progress');
    if (bar) new MutationObserver(() => window.reportProgress(bar.value)).observe(bar, {attributes: true});
});"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_upload_page_shows_progress_then_the_recording(browser, live_server, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.S3_ENDPOINT = ""  # the embedded store, even with S3_* exported
    past_session = book_past_session()
    supervisor = factories.user("supervisor")
    video = write_video(tmp_path / "现场.mp4", seconds=20, size=(640, 360))
    page = browser.new_context(locale="zh-CN", bypass_csp=True).new_page()  # axe is injected inline
    login(page, live_server, supervisor.username, factories.PASSWORD)
    seen: list[float] = []
    page.expose_function("reportProgress", lambda value: seen.append(value))
    page.add_init_script(WATCH_BAR)
    cdp = page.context.new_cdp_session(page)  # a slow uplink, so that the bar has steps to show
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 20, "downloadThroughput": -1,
                                                  "uploadThroughput": 400_000})
    page.goto(f"{live_server.url}/sessions/{past_session.pk}/recordings/upload/")
    page.set_input_files("#file", str(video))
    page.click("#upload-button")

    page.wait_for_url(lambda url: "/upload/" not in url, timeout=60000)
    recording = Recording.objects.get()
    expect(page.locator("#metadata")).to_contain_text(hashlib.sha256(video.read_bytes()).hexdigest())
    expect(page.locator("#player")).to_be_visible()
    # opening the page fetches nothing of the video; the person is told while it loads after pressing play
    expect(page.locator("#player")).to_have_attribute("preload", "none")
    expect(page.locator("#video-status")).to_be_hidden()
    page.locator("#player").evaluate("v => v.dispatchEvent(new Event('waiting'))")
    expect(page.locator("#video-status")).to_have_text("正在加载录像…")
    page.locator("#player").evaluate("v => v.dispatchEvent(new Event('playing'))")
    expect(page.locator("#video-status")).to_be_hidden()
    assert not violations(page)
    assert recording.original_name == "现场.mp4" and recording.uploaded_by == supervisor
    print("progress values seen:", seen)
    assert seen[-1] == 100 and seen == sorted(seen) and any(0 < v < 100 for v in seen)
    page.context.close()


def test_upload_page_shows_the_refusal_of_a_file_that_is_not_a_video(browser, live_server, settings, tmp_path):
    settings.AXES_ENABLED = False
    settings.S3_ENDPOINT = ""  # the embedded store, even with S3_* exported
    past_session = book_past_session()
    supervisor = factories.user("supervisor")
    junk = tmp_path / "会议纪要.mp4"
    junk.write_text("不是视频\n" * 500, encoding="utf-8")
    page = browser.new_context(locale="zh-CN").new_page()
    login(page, live_server, supervisor.username, factories.PASSWORD)
    page.goto(f"{live_server.url}/sessions/{past_session.pk}/recordings/upload/")
    page.set_input_files("#file", str(junk))
    page.click("#upload-button")

    status = page.locator("#upload-status")
    expect(status).to_contain_text("不是可解码的视频")
    expect(status).to_contain_text("未保存任何内容")
    assert not re.search(r"[A-Za-z]{2,}", status.inner_text().replace("会议纪要.mp4", "")), status.inner_text()
    expect(page.locator("#upload-progress")).to_have_attribute("value", "100")
    assert not Recording.objects.exists()
    page.context.close()
