"""Separation of duties in the Django admin: the administrator manages accounts, but hands out no sensitive role,
group, permission or API token around the services."""

import pytest
from django.utils import timezone

from audit.models import LedgerEntry
from core.roles import Role, can
from tests import factories
from trading.models import RoleGrant, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(factories.user(Role.ADMIN, username="centre-admin"))
    return client


def _add_form(username: str, role: str, **extra) -> dict:
    return {"username": username, "usable_password": "true", "password1": "Strong-pass-2026!",
            "password2": "Strong-pass-2026!", "role": role, "new_role": role, "organisation": "", **extra}


def test_the_admin_cannot_create_an_inspector_account_through_the_add_form(admin_client):
    admin_client.post("/admin/trading/user/add/", _add_form("sock-puppet", Role.INSPECTOR, role_reason="新纪检员"))
    user = User.objects.get(username="sock-puppet")
    assert user.role != Role.INSPECTOR
    assert not can(user, "audit.verify") and not can(user, "legal_hold.release")
    [grant] = RoleGrant.objects.filter(user=user)
    assert grant.state == RoleGrant.State.PENDING and grant.requested_by.username == "centre-admin"
    admin_client.force_login(user)
    assert admin_client.post("/inspect/chain/verify/").status_code == 403
    assert admin_client.post("/api/token").status_code == 403  # nor a token to keep for after the approval


def test_an_account_with_a_role_that_needs_no_approval_is_created_with_it(admin_client):
    admin_client.post("/admin/trading/user/add/", _add_form("new-expert", Role.EXPERT))
    user = User.objects.get(username="new-expert")
    assert user.role == Role.EXPERT and RoleGrant.objects.get(user=user).state == RoleGrant.State.APPLIED


def test_an_inspector_requested_without_a_reason_is_refused_on_the_form_and_nothing_is_created(admin_client):
    page = admin_client.post("/admin/trading/user/add/", _add_form("no-reason", Role.INSPECTOR, role_reason=""))
    assert page.status_code == 200 and "须写明理由" in page.content.decode()
    assert not User.objects.filter(username="no-reason").exists()


def _change_form(user: User, **changes) -> dict:
    joined = timezone.localtime(user.date_joined)  # the admin's form reads and writes the centre's time
    data = {"username": user.username, "first_name": "", "last_name": "", "email": "", "is_active": "on",
            "date_joined_0": joined.strftime("%Y-%m-%d"), "date_joined_1": joined.strftime("%H:%M:%S"),
            "role": user.role, "organisation": "", "new_role": "", "role_reason": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("role", [Role.INSPECTOR, Role.SUPERVISOR])
def test_the_admin_cannot_turn_an_account_into_an_inspector_or_supervisor_through_the_change_form(
        admin_client, role):
    expert = factories.user(Role.EXPERT)
    admin_client.post(f"/admin/trading/user/{expert.pk}/change/",
                      _change_form(expert, role=role, new_role=role, role_reason="调岗"))
    expert.refresh_from_db()
    assert expert.role == Role.EXPERT
    assert RoleGrant.objects.get(user=expert, role=role).state == RoleGrant.State.PENDING


def test_the_admin_cannot_make_an_account_superuser_or_give_it_groups_or_permissions(admin_client):
    from django.contrib.auth.models import Group, Permission

    group = Group.objects.create(name="后门")
    perm = Permission.objects.get(codename="change_user")
    expert = factories.user(Role.EXPERT)
    admin_client.post(f"/admin/trading/user/{expert.pk}/change/", _change_form(
        expert, is_staff="on", is_superuser="on", groups=[group.pk], user_permissions=[perm.pk]))
    expert.refresh_from_db()
    assert not expert.is_staff and not expert.is_superuser
    assert not expert.groups.exists() and not expert.user_permissions.exists()


def test_the_admin_cannot_add_a_group_or_an_api_token_in_the_admin(admin_client):
    from rest_framework.authtoken.models import Token

    expert = factories.user(Role.EXPERT)
    answer = admin_client.post("/admin/authtoken/tokenproxy/add/", {"user": expert.pk})
    assert answer.status_code in (403, 404)
    assert not Token.objects.exists()
    answer = admin_client.post("/admin/auth/group/add/", {"name": "后门"})
    assert answer.status_code in (403, 404)
    from django.contrib.auth.models import Group
    assert not Group.objects.exists()


def test_the_admin_cannot_revert_a_user_to_an_old_version_with_another_role(admin_client):
    inspector = factories.user(Role.INSPECTOR)
    from trading.services import accounts
    grant = accounts.role_grant_request(actor=User.objects.get(username="centre-admin"), user=inspector,
                                        role=Role.EXPERT, reason="调离")
    accounts.role_grant_approve(actor=factories.user(Role.INSPECTOR), grant=grant)
    old = inspector.history.filter(role=Role.INSPECTOR).latest("history_id")
    inspector.refresh_from_db()
    answer = admin_client.post(f"/admin/trading/user/{inspector.pk}/history/{old.history_id}/",
                               _change_form(inspector))
    inspector.refresh_from_db()
    assert answer.status_code == 403 and inspector.role == Role.EXPERT
    assert admin_client.get(f"/admin/trading/user/{inspector.pk}/history/{old.history_id}/").status_code == 200


def test_the_admin_cannot_set_an_inspectors_password(admin_client):
    inspector = factories.user(Role.INSPECTOR)
    answer = admin_client.post(f"/admin/trading/user/{inspector.pk}/password/", {
        "password1": "Known-to-admin-1!", "password2": "Known-to-admin-1!", "usable_password": "true"})
    assert answer.status_code == 403
    inspector.refresh_from_db()
    assert inspector.check_password(factories.PASSWORD)


def test_a_grant_filed_in_the_admin_is_on_the_ledger_with_the_administrator_as_actor(admin_client):
    expert = factories.user(Role.EXPERT)
    admin_client.post(f"/admin/trading/user/{expert.pk}/change/",
                      _change_form(expert, new_role=Role.SUPERVISOR, role_reason="调岗"))
    grant = RoleGrant.objects.get(user=expert)
    entry = LedgerEntry.objects.get(object_type="trading.RoleGrant", object_id=str(grant.pk))
    assert entry.action == "create" and entry.actor == "centre-admin" and entry.reason == "调岗"


def test_a_read_only_reader_cannot_write_an_old_version_back_through_the_history_form(client, admin_client):
    # inspectors read the admin (history views included): reading must never write
    org = factories.organisation(name="旧名称")
    admin_client.post(f"/admin/trading/organisation/{org.pk}/change/",
                      {"name": "新名称", "uscc": org.uscc, "kind": org.kind, "is_active": "on"})
    old = org.history.filter(name="旧名称").latest("history_id")
    inspector = factories.user(Role.INSPECTOR)
    inspector.is_staff = True  # as the role gives it (trading.services.accounts)
    inspector.save()
    client.force_login(inspector)
    assert client.get(f"/admin/trading/organisation/{org.pk}/history/{old.history_id}/").status_code == 200
    answer = client.post(f"/admin/trading/organisation/{org.pk}/history/{old.history_id}/",
                         {"name": "旧名称", "uscc": org.uscc, "kind": org.kind, "is_active": "on"})
    org.refresh_from_db()
    assert answer.status_code == 403 and org.name == "新名称"


def test_the_user_forms_show_the_role_read_only_and_offer_a_request_instead(admin_client):
    inspector = factories.user(Role.INSPECTOR)
    page = admin_client.get(f"/admin/trading/user/{inspector.pk}/change/").content.decode()
    assert 'name="new_role"' in page and 'name="role"' not in page
    assert 'name="is_superuser"' not in page and 'name="groups"' not in page and 'name="is_staff"' not in page
    add = admin_client.get("/admin/trading/user/add/")
    assert add.status_code == 200 and 'name="new_role"' in add.content.decode()
    assert admin_client.get("/admin/").status_code == 200
    assert "/admin/auth/group/" not in admin_client.get("/admin/").content.decode()
