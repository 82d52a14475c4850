"""English through gettext: the catalogue translates every message, and a page asked for in English
carries no Chinese of the interface, only the button that switches back."""

import re
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")


def test_the_english_catalogue_translates_every_message_and_is_compiled():
    checked = subprocess.run(["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    assert "untranslated" not in checked.stderr and "fuzzy" not in checked.stderr, checked.stderr
    compiled = CATALOGUE.with_suffix(".mo")
    assert compiled.exists() and compiled.stat().st_mtime >= CATALOGUE.stat().st_mtime, "run `make messages`"


def _interface_text(html: str) -> list[str]:
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    html = html.replace('lang="zh-hans">中文<', "><")  # the one way back to Chinese is named in Chinese
    return CJK.findall(html)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/login/"])
def test_a_page_asked_for_in_english_has_no_chinese_interface_text(client, path):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(path)
    assert page.status_code == 200 and page["Content-Language"] == "en"
    assert _interface_text(page.content.decode()) == []
    assert "Log in" in page.content.decode()


@pytest.mark.django_db
def test_the_language_switch_turns_the_interface_to_english_and_back(client):
    assert "登录" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert "Log in" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "登录" in client.get("/").content.decode()
