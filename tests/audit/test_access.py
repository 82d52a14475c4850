import pytest
from django.apps import apps

from audit.history import AuditedModel, AuditedQuerySet
from audit.models import HistoricalBase, LedgerEntry
from core.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db

DOMAIN_APPS = {"trading", "lottery", "evaluation", "recordings", "archive"}


def test_every_domain_model_keeps_history_on_the_shared_base_and_refuses_bulk_paths():
    missing, unguarded = [], []
    for model in apps.get_models():
        if model._meta.app_label not in DOMAIN_APPS or issubclass(model, HistoricalBase):
            continue
        history = getattr(model, "history", None)
        if history is None or not issubclass(history.model, HistoricalBase):
            missing.append(model._meta.label)
        if not issubclass(model, AuditedModel) or not isinstance(model._default_manager.all(), AuditedQuerySet):
            unguarded.append(model._meta.label)
    assert missing == [] and unguarded == []


def _login(client, username, password):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR="10.1.1.1")


def test_login_answers_an_unknown_name_and_a_wrong_password_identically(client):
    factories.user(Role.AGENCY, username="known")
    unknown = _login(client, "nobody", "wrong-password-1")
    wrong = _login(client, "known", "wrong-password-1")
    assert unknown.status_code == wrong.status_code == 200
    strip = lambda r: r.content.decode().replace("nobody", "X").replace("known", "X")  # noqa: E731
    import re

    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", strip(unknown)) == token.sub("", strip(wrong))
    failed = LedgerEntry.objects.filter(action="login_failed").values_list("data", flat=True)
    assert sorted(d["username"] for d in failed) == ["known", "nobody"]


def test_a_good_login_is_an_event_and_rotates_the_session(client):
    factories.user(Role.AGENCY, username="agent")
    client.get("/login/")
    before = client.cookies.get("sessionid")
    answer = _login(client, "agent", factories.PASSWORD)
    assert answer.status_code == 302
    assert client.cookies["sessionid"].value != (before.value if before else None)
    assert LedgerEntry.objects.filter(action="login", actor="agent").exists()


def test_repeated_failures_lock_the_login_out(client, settings):
    factories.user(Role.AGENCY, username="target")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "target", "bad-password-x")
    locked = _login(client, "target", factories.PASSWORD)
    assert locked.status_code == 429
    assert "锁定" in locked.content.decode()


def test_a_denied_request_is_a_logged_403(api):
    enterprise = factories.user(Role.ENTERPRISE)
    api.force_login(enterprise)
    answer = api.get("/api/audit")
    assert answer.status_code == 403
    entry = LedgerEntry.objects.filter(action="access_denied").get()
    assert entry.actor == enterprise.username and entry.data["path"] == "/api/audit"


def test_an_inspector_reads_the_ledger_with_diffs_and_the_chain_status(api):
    admin = factories.user(Role.ADMIN)
    from core import context

    with context.acting(admin):
        org = factories.organisation(name="旧名称")
        org.name = "新名称"
        org.save()
    api.force_login(factories.user(Role.INSPECTOR))
    entries = api.get("/api/audit?model=trading.Organisation&action=update").json()
    assert entries["count"] == 1
    assert {"name": "name", "field": "名称", "old": "旧名称", "new": "新名称"} in entries["items"][0]["diff"]
    status = api.get("/api/audit/verify").json()
    assert status["ok"] is True and status["entries"] == LedgerEntry.objects.count()


def test_the_admin_shows_history_to_administrators(client):
    admin = factories.user(Role.ADMIN)
    org = factories.organisation()
    client.force_login(admin)
    answer = client.get(f"/admin/trading/organisation/{org.pk}/history/")
    assert answer.status_code == 200
    assert org.name in answer.content.decode()
