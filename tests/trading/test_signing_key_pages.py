"""The pages of personal signing keys: a holder sees their keys; the administrator binds and revokes them on the
centre's page and in the Django admin (a revocation asks for its reason first), each through the service."""

from __future__ import annotations

import pytest

from core.roles import Role
from tests import factories
from tests.archive.signing_tools import PersonalKey
from trading.models import SigningKey
from trading.services.signing_keys import signing_key_register

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    return signing_key_register(actor=factories.user(Role.SUPERVISOR), public_key=PersonalKey().public_b64,
                                label="监督室电脑")


def test_the_holder_sees_their_keys_and_nobody_elses(client, pending):
    client.force_login(pending.user)
    page = client.get("/account/signing-keys/").content.decode()
    assert pending.fingerprint in page and "待审核" in page and "监督室电脑" in page
    client.force_login(factories.user(Role.SUPERVISOR))
    assert pending.fingerprint not in client.get("/account/signing-keys/").content.decode()


def test_the_administrator_binds_then_revokes_with_a_reason_on_the_centres_page(client, pending):
    admin = factories.user(Role.ADMIN)
    client.force_login(admin)
    assert pending.fingerprint in client.get("/centre/signing-keys/").content.decode()
    client.post("/centre/signing-keys/", {"key": pending.pk, "action": "approve"})
    pending.refresh_from_db()
    assert pending.state == "approved" and pending.approved_by == admin

    answer = client.post("/centre/signing-keys/", {"key": pending.pk, "action": "revoke", "reason": ""}, follow=True)
    assert "吊销密钥须写明原因" in answer.content.decode()
    pending.refresh_from_db()
    assert pending.state == "approved"
    client.post("/centre/signing-keys/", {"key": pending.pk, "action": "revoke", "reason": "电脑遗失"})
    pending.refresh_from_db()
    assert pending.state == "revoked" and pending.revocation_reason == "电脑遗失"


def test_the_django_admin_binds_and_asks_the_reason_before_revoking(client, pending):
    client.force_login(factories.user(Role.ADMIN))
    url = "/admin/trading/signingkey/"
    assert client.get(url).status_code == 200
    client.post(url, {"action": "approve_keys", "_selected_action": [pending.pk]})
    assert SigningKey.objects.get(pk=pending.pk).state == "approved"
    asked = client.post(url, {"action": "revoke_keys", "_selected_action": [pending.pk]})
    assert asked.status_code == 200 and "吊销原因" in asked.content.decode()
    assert SigningKey.objects.get(pk=pending.pk).state == "approved"
    client.post(url, {"action": "revoke_keys", "_selected_action": [pending.pk], "apply": "1", "reason": "人员调离"})
    key = SigningKey.objects.get(pk=pending.pk)
    assert key.state == "revoked" and key.revocation_reason == "人员调离"
