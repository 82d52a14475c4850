"""The inspectors' role approvals page (/inspect/roles/): pending grants with approve and reject, decided ones below;
administrators read it but decide nothing; the requester and the account concerned cannot decide."""

import pytest

from core.roles import Role
from tests import factories
from trading.models import RoleGrant
from trading.services import accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending():
    admin = factories.user(Role.ADMIN, username="centre-admin")
    person = factories.user(Role.EXPERT, username="wang-jianwei")
    return accounts.role_grant_request(actor=admin, user=person, role=Role.SUPERVISOR, reason="监督科新调入")


def test_an_inspector_sees_the_pending_grant_and_approves_it_getting_the_persons_one_time_link(client, pending):
    client.force_login(factories.user(Role.INSPECTOR))
    page = client.get("/inspect/roles/").content.decode()
    assert "wang-jianwei" in page and "监督科新调入" in page and "批准" in page
    answer = client.post(f"/inspect/roles/{pending.pk}/decide/", {"decision": "approve", "reason": "已核实"},
                         follow=True)
    pending.refresh_from_db()
    assert pending.state == RoleGrant.State.APPROVED and pending.user.role == Role.SUPERVISOR
    assert "/account/set-password/" in answer.content.decode()
    assert "已处理" in answer.content.decode() and "已核实" in answer.content.decode()


def test_a_rejection_without_a_reason_is_refused_with_the_field_named_and_changes_nothing(client, pending):
    client.force_login(factories.user(Role.INSPECTOR))
    answer = client.post(f"/inspect/roles/{pending.pk}/decide/", {"decision": "reject", "reason": ""}, follow=True)
    assert "须写明理由" in answer.content.decode()
    pending.refresh_from_db()
    assert pending.state == RoleGrant.State.PENDING
    client.post(f"/inspect/roles/{pending.pk}/decide/", {"decision": "reject", "reason": "无任命文件"})
    pending.refresh_from_db()
    assert pending.state == RoleGrant.State.REJECTED and pending.user.role == Role.EXPERT


def test_the_administrator_reads_the_page_but_cannot_decide(client, pending):
    client.force_login(pending.requested_by)
    page = client.get("/inspect/roles/").content.decode()
    assert "wang-jianwei" in page and 'value="approve"' not in page
    assert client.post(f"/inspect/roles/{pending.pk}/decide/", {"decision": "approve"}).status_code == 403
    pending.refresh_from_db()
    assert pending.state == RoleGrant.State.PENDING


def test_an_inspector_cannot_approve_a_change_of_their_own_role(client):
    admin, inspector = factories.user(Role.ADMIN), factories.user(Role.INSPECTOR, username="self-jijian")
    grant = accounts.role_grant_request(actor=admin, user=inspector, role=Role.ADMIN, reason="调任管理员")
    client.force_login(inspector)
    assert "本人相关" in client.get("/inspect/roles/").content.decode()
    assert client.post(f"/inspect/roles/{grant.pk}/decide/", {"decision": "approve"}).status_code == 403
    grant.refresh_from_db()
    assert grant.state == RoleGrant.State.PENDING


def test_the_inspectors_navigation_links_the_page(client):
    client.force_login(factories.user(Role.INSPECTOR))
    assert 'href="/inspect/roles/"' in client.get("/inspect/").content.decode()
