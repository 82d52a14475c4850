"""Security: password policy, sessions rotated at login and dead after logout, CSRF on forms, production settings
clean under `check --deploy`, and no draw secret or other secret in pages, API answers, the ledger, logs or error
reports."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, RequestFactory
from django.views.debug import ExceptionReporter

from audit.models import LedgerEntry
from core.roles import Role
from lottery.models import DrawSecret
from lottery.secrets import unseal
from tests import factories
from tests.audit.test_route_matrix import ROLES, _path, all_routes

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("password", ["short-1A", "1234567890123", "password1234", "zhangsan-2026x"])
def test_weak_passwords_are_refused(password):
    person = factories.user(Role.AGENCY, username="zhangsan-2026")
    with pytest.raises(ValidationError):
        validate_password(password, user=person)


def test_a_long_uncommon_password_is_accepted():
    validate_password("Qiao-Liang-7-Jiang", user=factories.user(Role.AGENCY))


def test_the_session_is_rotated_at_login_and_dead_after_logout(settings):
    settings.AXES_ENABLED = False
    factories.user(Role.INSPECTOR, username="jj")
    browser = Client()
    browser.get("/login/")
    anonymous_key = browser.cookies["csrftoken"] and browser.session.session_key
    assert browser.post("/login/", {"username": "jj", "password": factories.PASSWORD}).status_code == 302
    key = browser.cookies["sessionid"].value
    assert key and key != anonymous_key
    assert browser.get("/inspect/").status_code == 200
    assert browser.post("/logout/").status_code == 302
    thief = Client()
    thief.cookies["sessionid"] = key  # the old cookie, replayed
    answer = thief.get("/inspect/")
    assert answer.status_code == 302 and "/login/" in answer["Location"]


def test_forms_refuse_a_post_without_the_csrf_token(settings):
    settings.AXES_ENABLED = False
    factories.user(Role.INSPECTOR, username="jj")
    browser = Client(enforce_csrf_checks=True)
    assert browser.post("/login/", {"username": "jj", "password": factories.PASSWORD}).status_code == 403
    page = browser.get("/login/")
    token = page.cookies["csrftoken"].value
    assert browser.post("/login/", {"username": "jj", "password": factories.PASSWORD,
                                    "csrfmiddlewaretoken": token}).status_code == 302
    assert browser.post("/inspect/chain/verify/").status_code == 403
    assert not LedgerEntry.objects.filter(action="audit_verified").exists()
    chain = browser.get("/inspect/chain/").content.decode()
    assert 'name="csrfmiddlewaretoken"' in chain
    token = browser.cookies["csrftoken"].value
    assert browser.post("/inspect/chain/verify/", {"csrfmiddlewaretoken": token}).status_code == 302


def test_production_settings_pass_check_deploy_at_warning_level(tmp_path):
    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x7#kq" * 12, "ALLOWED_HOSTS": "jiaoyi.example.gov.cn",
           "VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    printed = subprocess.run([sys.executable, "-c", (
        "import django, json; django.setup(); from django.conf import settings as s; print(json.dumps("
        "[s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT]))")],
        cwd=ROOT, env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"}, capture_output=True, text=True,
        timeout=120)
    assert json.loads(printed.stdout) == [True, True, True, True]


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = {**os.environ, "DEBUG": "0", "ALLOWED_HOSTS": "jiaoyi.example.gov.cn", "VAR_DIR": str(tmp_path)}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_pages_carry_a_content_security_policy(client):
    assert "default-src 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_the_draw_secret_appears_in_no_page_api_answer_ledger_entry_or_log(client, world, caplog):
    """Before the draw, every GET route for every role and anonymous, every ledger entry and every log line."""
    record = DrawSecret.objects.get()
    secret = unseal(record.sealed_secret, record.project.code, record.round).hex()
    client.raise_request_exception = False
    seen = []
    for name, (route, pattern, methods) in all_routes().items():
        if methods and "GET" not in methods:
            continue
        path = _path(route, pattern, name, world)
        for role in ROLES:
            client.logout()
            if role != "anonymous":
                client.force_login(world["users"][role])
            answer = client.get(path)
            body = b"".join(answer.streaming_content) if answer.streaming else answer.content
            seen.append(path)
            assert secret.encode() not in body.lower(), f"{path} as {role} shows the draw secret"
    assert len(seen) > 100
    for entry in LedgerEntry.objects.all():
        text = json.dumps([entry.data, entry.reason, entry.object_id], ensure_ascii=False)
        assert secret not in text, f"ledger entry {entry.seq} holds the draw secret"
    assert secret not in caplog.text


def test_error_reports_hide_secret_settings(settings):
    settings.S3_SECRET_KEY = "s3-secret-value-should-not-leak"
    request = RequestFactory().get("/")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert "s3-secret-value-should-not-leak" not in report and settings.SECRET_KEY not in report
