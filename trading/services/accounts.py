"""Who holds which role, and API tokens. This is the only way a role changes: the admin's forms, the commands and
the demo all call it. A change that gives or takes a role that watches the others (inspector, supervisor) waits for
an inspector who neither filed it nor holds the account concerned, so that the administrator who manages accounts
cannot make themselves, or an account of their own making, the one who checks them. Every such change is a risk
finding on the inspectors' page (inspection.findings)."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from core import clock, context
from core.context import SYSTEM_USERNAME
from core.errors import Conflict
from core.roles import PERSON_ROLES, SENSITIVE_ROLES, STAFF_ROLES, Role, require
from trading.models import RoleGrant, User

REASON_MAX = 2000
_PERSON_ROLES = {value for value, _label in PERSON_ROLES}


def needs_approval(old_role: str, new_role: str) -> bool:
    """Giving or taking a sensitive role: taking one away could blind the inspection as surely as giving one."""
    return old_role in SENSITIVE_ROLES or new_role in SENSITIVE_ROLES


def role_grant_check(*, actor: User, user: User, role: str, reason: str = "") -> bool:
    """Every rule of a request, before anything is written: answers whether it needs an inspector's approval.
    The admin's forms call it to show the errors next to their fields."""
    require(actor, "role.request")
    if user.pk is not None and user.pk == actor.pk:
        raise PermissionDenied(_("不能为自己的账号申请角色变更。"))
    if user.username == SYSTEM_USERNAME or user.role == Role.SYSTEM:
        raise ValidationError({"user": [_("系统账号的角色不能变更。")]})
    if role not in _PERSON_ROLES:
        raise ValidationError({"role": [_("未知角色：%(role)s。") % {"role": role}]})
    if role == user.role:
        raise ValidationError({"role": [_("该账号已是此角色。")]})
    sensitive = needs_approval(user.role, role)
    reason = (reason or "").strip()
    if sensitive and not reason:
        raise ValidationError({"reason": [_("授予或撤销纪检监察、现场监督角色须写明理由。")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("最长%(n)d个字符。") % {"n": REASON_MAX}]})
    if user.pk is not None and RoleGrant.objects.filter(user=user, state=RoleGrant.State.PENDING).exists():
        raise Conflict(_("该账号已有待审批的角色申请。"), {"role": [_("该账号已有待审批的角色申请。")]})
    return sensitive


@transaction.atomic
def role_grant_request(*, actor: User, user: User, role: str, reason: str = "") -> RoleGrant:
    """File a change of `user`'s role. A sensitive one is pending (the account keeps its role meanwhile); any
    other applies at once and is recorded the same way."""
    sensitive = role_grant_check(actor=actor, user=user, role=role, reason=reason)
    reason = (reason or "").strip()
    user = User.objects.select_for_update().get(pk=user.pk)
    now = clock.now()
    with context.acting(actor, reason=reason or _("变更角色")):
        try:
            with transaction.atomic():
                grant = RoleGrant.objects.create(
                    user=user, old_role=user.role, role=role, sensitive=sensitive, requested_by=actor,
                    request_reason=reason, requested_at=now,
                    state=RoleGrant.State.PENDING if sensitive else RoleGrant.State.APPLIED,
                    decided_at=None if sensitive else now)
        except IntegrityError as exc:  # a second request raced this one
            raise Conflict(_("该账号已有待审批的角色申请。")) from exc
        if not sensitive:
            _apply(user, role)
    return grant


def _decidable(actor: User, grant: RoleGrant) -> RoleGrant:
    require(actor, "role.approve")
    grant = RoleGrant.objects.select_for_update().select_related("user").get(pk=grant.pk)
    if actor.pk in (grant.requested_by_id, grant.user_id):
        raise PermissionDenied(_("申请人和被授予角色的本人不能审批这项申请。"))
    if grant.state != RoleGrant.State.PENDING:
        raise Conflict(_("这项申请已处理。"))
    return grant


def _decide(grant: RoleGrant, actor: User, state: str, reason: str) -> None:
    grant.state, grant.decided_by, grant.decided_at = state, actor, clock.now()
    grant.decision_reason = reason
    grant.save()


@transaction.atomic
def role_grant_approve(*, actor: User, grant: RoleGrant, reason: str = "") -> RoleGrant:
    """An inspector, second to the requester, approves: the role applies now. When it gives a sensitive role the
    account's password becomes unusable and its API tokens are revoked, so that whoever set the password (the
    administrator, when the account is new) cannot use it; `password_link` gives the person their own."""
    grant = _decidable(actor, grant)
    reason = _reason(reason, required=False)
    user = User.objects.select_for_update().get(pk=grant.user_id)
    if user.role != grant.old_role:
        raise Conflict(_("账号的角色在申请后已变化，请重新申请。"))
    with context.acting(actor, reason=reason or _("批准角色变更")):
        _decide(grant, actor, RoleGrant.State.APPROVED, reason)
        _apply(user, grant.role)
    grant.user = user
    return grant


@transaction.atomic
def role_grant_reject(*, actor: User, grant: RoleGrant, reason: str) -> RoleGrant:
    grant = _decidable(actor, grant)
    reason = _reason(reason, required=True)
    with context.acting(actor, reason=reason):
        _decide(grant, actor, RoleGrant.State.REJECTED, reason)
    return grant


@transaction.atomic
def role_grant_first_inspector(*, user: User, reason: str) -> RoleGrant:
    """A fresh centre has no inspector to approve the first one: the operator grants it on the server (the
    `grant_first_inspector` command), as the system account, only while no active inspector exists; it is a finding
    like every grant. Never the administrator's own account."""
    reason = _reason(reason, required=True)
    if User.objects.filter(role=Role.INSPECTOR, is_active=True).exists():
        raise Conflict(_("已有在职的纪检监察人员：新的纪检监察角色须由其审批。"))
    if user.role in (Role.ADMIN, Role.SYSTEM) or not user.is_active:
        raise ValidationError({"user": [_("首位纪检监察人员须是在用的、非管理员的个人账号。")]})
    if RoleGrant.objects.filter(user=user, state=RoleGrant.State.PENDING).exists():
        raise Conflict(_("该账号已有待审批的角色申请。"))
    with context.acting_as_system(reason=reason):
        now = clock.now()
        user = User.objects.select_for_update().get(pk=user.pk)
        grant = RoleGrant.objects.create(
            user=user, old_role=user.role, role=Role.INSPECTOR, sensitive=True, state=RoleGrant.State.BOOTSTRAP,
            requested_by=context.current().actor, request_reason=reason, requested_at=now, decided_at=now)
        _apply(user, Role.INSPECTOR)
    return grant


def _reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": [_("须写明理由。")]})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": [_("最长%(n)d个字符。") % {"n": REASON_MAX}]})
    return reason


def _apply(user: User, role: str) -> None:
    """The role, and the Django flags that follow it: the admin site for administrators and inspectors, the
    superuser flag for the administrator alone. Inside the caller's acting context and transaction."""
    user.role = role
    user.is_staff = role in STAFF_ROLES
    user.is_superuser = role == Role.ADMIN
    if role in SENSITIVE_ROLES:
        user.set_unusable_password()  # also ends every session the old password opened
        for token in Token.objects.filter(user=user):
            token.delete()
    user.save()


def password_link(user: User) -> str:
    """The one-time link with which a person sets their own password (Django's reset token: it stops working once
    the password is set, and after PASSWORD_RESET_TIMEOUT). Shown once to the approving inspector, never stored."""
    return reverse("account-set-password", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user)})


# --- API tokens ----------------------------------------------------------------------------------------------

def api_token_issue(*, actor: User, user: User) -> str:
    """A person's own API token (a new one replaces the old): never one for somebody else. The ledger records
    the issue and the revocation (audit.receivers), never the key."""
    if not getattr(actor, "is_authenticated", False) or not actor.is_active:
        raise PermissionDenied(_("请先登录。"))
    if actor.pk != user.pk:
        raise PermissionDenied(_("接口令牌只能由本人为自己签发。"))
    if user.role in (Role.SYSTEM, Role.NONE):
        raise PermissionDenied(_("尚未授予角色的账号不能签发接口令牌。"))
    with transaction.atomic(), context.acting(actor, reason=_("签发接口令牌")):
        for old in Token.objects.select_for_update().filter(user=user):
            old.delete()
        return Token.objects.create(user=user).key


def api_token_revoke(*, actor: User, user: User) -> bool:
    if not getattr(actor, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    if actor.pk != user.pk:
        raise PermissionDenied(_("接口令牌只能由本人撤销。"))
    with transaction.atomic(), context.acting(actor, reason=_("撤销接口令牌")):
        tokens = list(Token.objects.select_for_update().filter(user=user))
        for token in tokens:
            token.delete()
    return bool(tokens)
