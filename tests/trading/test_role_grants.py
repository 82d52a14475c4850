"""Separation of duties: a role changes only through trading.services.accounts; an inspector or supervisor role is
given or taken only with the approval of a second person from the inspection side, and every such grant is a risk
finding on the inspectors' page."""

import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command

from audit.models import LedgerEntry
from core.errors import Conflict
from core.roles import Role, can
from inspection import findings
from tests import factories
from trading.models import RoleGrant, User
from trading.services import accounts

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin():
    return factories.user(Role.ADMIN, username="centre-admin")


@pytest.fixture
def inspector():
    return factories.user(Role.INSPECTOR, username="jijian-1")


def _entries(obj):
    return LedgerEntry.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk)).order_by("seq")


def test_an_inspector_grant_waits_for_another_inspectors_approval_and_then_the_account_verifies_the_chain(
        admin, inspector, client):
    person = factories.user(Role.EXPERT, username="new-jijian")
    grant = accounts.role_grant_request(actor=admin, user=person, role=Role.INSPECTOR, reason="任命文件第3号")
    person.refresh_from_db()
    assert grant.state == RoleGrant.State.PENDING and person.role == Role.EXPERT
    assert not can(person, "audit.verify")

    accounts.role_grant_approve(actor=inspector, grant=grant, reason="已核实本人")

    person.refresh_from_db()
    assert person.role == Role.INSPECTOR and person.is_staff and not person.is_superuser
    client.force_login(person)
    assert client.post("/inspect/chain/verify/").status_code == 302
    assert LedgerEntry.objects.filter(action="audit_verified", actor="new-jijian").exists()


def test_the_requester_and_the_grantee_cannot_approve_and_the_admin_cannot_decide_at_all(admin, inspector):
    other = factories.user(Role.INSPECTOR)
    # an inspector asks (as administrator they could not): the administrator files, the inspectors decide
    grant = accounts.role_grant_request(actor=admin, user=inspector, role=Role.EXPERT, reason="调离纪检岗位")
    with pytest.raises(PermissionDenied):
        accounts.role_grant_approve(actor=inspector, grant=grant)  # the account concerned
    with pytest.raises(PermissionDenied):
        accounts.role_grant_approve(actor=admin, grant=grant)  # the requester, and no inspector
    accounts.role_grant_approve(actor=other, grant=grant)
    inspector.refresh_from_db()
    assert inspector.role == Role.EXPERT and not inspector.is_staff


def test_an_inspector_who_requested_a_grant_cannot_approve_it(inspector):
    # the database has the last word on four eyes too: a grant decided by its requester is refused
    from django.db import IntegrityError, transaction

    from core import clock

    person = factories.user(Role.EXPERT)
    grant = RoleGrant.objects.create(user=person, old_role=Role.EXPERT, role=Role.SUPERVISOR, sensitive=True,
                                     requested_by=inspector, request_reason="x", requested_at=clock.now())
    with pytest.raises(PermissionDenied):
        accounts.role_grant_approve(actor=inspector, grant=grant)
    grant.state, grant.decided_by = RoleGrant.State.APPROVED, inspector
    with pytest.raises(IntegrityError), transaction.atomic():
        grant.save()


def test_a_rejected_grant_leaves_the_account_without_the_role_and_needs_a_reason(admin, inspector, client):
    person = factories.user(Role.EXPERT)
    grant = accounts.role_grant_request(actor=admin, user=person, role=Role.INSPECTOR, reason="补充人员")
    with pytest.raises(ValidationError) as refused:
        accounts.role_grant_reject(actor=inspector, grant=grant, reason="  ")
    assert "reason" in refused.value.message_dict
    accounts.role_grant_reject(actor=inspector, grant=grant, reason="未见任命文件")
    person.refresh_from_db()
    assert person.role == Role.EXPERT
    client.force_login(person)
    assert client.post("/inspect/chain/verify/").status_code == 403
    with pytest.raises(Conflict):
        accounts.role_grant_approve(actor=factories.user(Role.INSPECTOR), grant=grant)


def test_a_non_sensitive_role_applies_at_once_and_is_recorded_with_the_actor(admin):
    person = factories.user(Role.EXPERT)
    grant = accounts.role_grant_request(actor=admin, user=person, role=Role.AGENCY)
    person.refresh_from_db()
    assert grant.state == RoleGrant.State.APPLIED and not grant.sensitive and person.role == Role.AGENCY
    [created] = _entries(grant)
    assert created.action == "create" and created.actor == admin.username
    assert _entries(person).last().actor == admin.username


def test_every_step_of_a_sensitive_grant_is_on_the_ledger_with_its_actor(admin, inspector):
    person = factories.user(Role.EXPERT)
    grant = accounts.role_grant_request(actor=admin, user=person, role=Role.SUPERVISOR, reason="监督科新进人员")
    accounts.role_grant_approve(actor=inspector, grant=grant, reason="已核实")
    steps = [(e.action, e.actor, e.reason) for e in _entries(grant)]
    assert steps == [("create", admin.username, "监督科新进人员"), ("update", inspector.username, "已核实")]
    role_change = _entries(person).last()
    assert role_change.actor == inspector.username and role_change.role == Role.INSPECTOR


@pytest.mark.parametrize(("role", "reason", "field"), [
    ("boss", "x", "role"), (Role.SYSTEM, "x", "role"), (Role.EXPERT, "x", "role"), (Role.INSPECTOR, " ", "reason"),
])
def test_a_bad_request_names_its_field_and_changes_nothing(admin, role, reason, field):
    person = factories.user(Role.EXPERT)
    with pytest.raises(ValidationError) as refused:
        accounts.role_grant_request(actor=admin, user=person, role=role, reason=reason)
    assert field in refused.value.message_dict
    assert not RoleGrant.objects.exists()


def test_nobody_files_a_role_for_themselves_and_only_the_administrator_files_at_all(admin, inspector):
    with pytest.raises(PermissionDenied):
        accounts.role_grant_request(actor=admin, user=admin, role=Role.INSPECTOR, reason="自己")
    with pytest.raises(PermissionDenied):
        accounts.role_grant_request(actor=inspector, user=factories.user(Role.EXPERT), role=Role.AGENCY)
    assert not RoleGrant.objects.exists()


def test_one_pending_request_per_account(admin):
    person = factories.user(Role.EXPERT)
    accounts.role_grant_request(actor=admin, user=person, role=Role.SUPERVISOR, reason="一")
    with pytest.raises(Conflict):
        accounts.role_grant_request(actor=admin, user=person, role=Role.AGENCY)


def test_approval_makes_the_password_unusable_ends_tokens_and_the_person_sets_their_own(admin, inspector, client):
    from rest_framework.authtoken.models import Token

    person = factories.user(Role.EXPERT, username="puppet")  # the administrator knows this password
    Token.objects.create(user=person)
    grant = accounts.role_grant_request(actor=admin, user=person, role=Role.INSPECTOR, reason="新纪检员")
    grant = accounts.role_grant_approve(actor=inspector, grant=grant)
    assert client.post("/login/", {"username": "puppet", "password": factories.PASSWORD}).status_code == 200
    assert not Token.objects.filter(user=person).exists()
    assert LedgerEntry.objects.filter(action="api_token_revoked", data__username="puppet").exists()

    link = accounts.password_link(grant.user)
    form = client.get(link, follow=True)
    assert "设置密码" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "Own-secret-2026!",
                                                    "new_password2": "Own-secret-2026!"})
    assert done.status_code == 302
    assert client.post("/login/", {"username": "puppet", "password": "Own-secret-2026!"}).status_code == 302
    assert "链接无效" in client.get(link, follow=True).content.decode()  # used once
    assert _entries(person).filter(reason="本人通过一次性链接设置密码").get().actor == "puppet"


def test_every_sensitive_grant_is_a_finding_on_the_inspectors_page(admin, inspector, client):
    people = [factories.user(Role.EXPERT, username=f"candidate-{n}") for n in range(3)]
    pending = accounts.role_grant_request(actor=admin, user=people[0], role=Role.INSPECTOR, reason="甲")
    approved = accounts.role_grant_request(actor=admin, user=people[1], role=Role.SUPERVISOR, reason="乙")
    rejected = accounts.role_grant_request(actor=admin, user=people[2], role=Role.INSPECTOR, reason="丙")
    accounts.role_grant_approve(actor=inspector, grant=approved)
    accounts.role_grant_reject(actor=inspector, grant=rejected, reason="不符合条件")
    accounts.role_grant_request(actor=admin, user=factories.user(Role.EXPERT), role=Role.AGENCY)  # not sensitive

    found = {f.subject: f for f in findings.role_grants()}
    assert set(found) == {"candidate-0", "candidate-1", "candidate-2"}
    assert "待审批" in found["candidate-0"].detail and "已批准" in found["candidate-1"].detail
    assert "已驳回" in found["candidate-2"].detail
    for grant in (pending, approved, rejected):
        assert found[grant.user.username].seqs == list(_entries(grant).values_list("seq", flat=True))

    client.force_login(inspector)
    page = client.get("/inspect/findings/").content.decode()
    section = page[page.index('id="finding-role_grants"'):]
    assert all(name in section for name in found) and f"#{found['candidate-2'].seqs[-1]}" in section


def test_a_group_or_permission_given_outside_the_services_is_on_the_ledger_and_a_finding():
    from django.contrib.auth.models import Group, Permission

    person = factories.user(Role.EXPERT, username="sideways")
    group = Group.objects.create(name="后门")
    person.groups.add(group)
    person.user_permissions.add(Permission.objects.get(codename="change_user"))
    events = LedgerEntry.objects.filter(action__in=findings.AUTH_CHANGES)
    assert {e.action for e in events} == {"auth_groups_changed", "auth_permissions_changed"}
    assert {f.seqs[0] for f in findings.role_grants()} == set(events.values_list("seq", flat=True))


def test_the_first_inspector_of_a_fresh_centre_comes_from_the_operators_command_and_is_a_finding():
    person = factories.user(Role.EXPERT, username="first-jijian")
    out = io.StringIO()
    call_command("grant_first_inspector", "first-jijian", "--reason", "纪委派驻文件", stdout=out)
    person.refresh_from_db()
    assert person.role == Role.INSPECTOR and not person.has_usable_password()
    assert re.search(r"/account/set-password/\S+/\S+/", out.getvalue())
    [grant] = RoleGrant.objects.filter(user=person)
    assert grant.state == RoleGrant.State.BOOTSTRAP and grant.requested_by.username == "system"
    assert "系统命令" in findings.role_grants()[0].detail

    factories.user(Role.EXPERT, username="second")
    with pytest.raises(CommandError, match="纪检监察"):
        call_command("grant_first_inspector", "second", "--reason", "再来一个", stdout=io.StringIO())
    assert User.objects.get(username="second").role == Role.EXPERT


def test_the_first_inspector_is_never_the_administrators_account(admin):
    with pytest.raises(CommandError):
        call_command("grant_first_inspector", admin.username, "--reason", "兼任", stdout=io.StringIO())
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN


def test_a_superuser_is_the_administrator_and_never_another_role():
    from django.db import IntegrityError, transaction

    boss = User.objects.create_superuser("boss", password=factories.PASSWORD)
    assert boss.role == Role.ADMIN
    person = factories.user(Role.INSPECTOR)
    person.is_superuser = True
    with pytest.raises(IntegrityError), transaction.atomic():
        person.save()
