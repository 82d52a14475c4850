"""Who may do what, in one place: views, the API, the admin and commands all ask `can`/`require`. It lives in core/
because every app, audit included, asks it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    AGENCY = "agency", _("招标代理")
    SUPERVISOR = "supervisor", _("现场监督")
    INSPECTOR = "inspector", _("纪检监察")
    ENTERPRISE = "enterprise", _("投标企业")
    EXPERT = "expert", _("评标专家")
    ADMIN = "admin", _("中心管理员")
    # the one account that commands, deadlines and tasks act as (core.context.system_user): inactive, no password,
    # and held by no person (a database constraint on the user table); it has no capability
    SYSTEM = "system", _("系统")
    # an account whose role is not (yet) granted: a new account waiting for an inspector's approval; no capability
    NONE = "none", _("未授予角色")


# the roles a person's account may be given
PERSON_ROLES = [(value, label) for value, label in Role.choices if value != Role.SYSTEM]
# the roles that watch the others (the draw's co-signers, discipline inspection): given or taken away only with the
# approval of an inspector who is neither the requester nor the account concerned (trading.services.accounts)
SENSITIVE_ROLES = frozenset({Role.INSPECTOR, Role.SUPERVISOR})
# the roles that open the Django admin (is_staff follows the role; is_superuser is the administrator's alone)
STAFF_ROLES = frozenset({Role.ADMIN, Role.INSPECTOR})

CAPABILITIES: dict[str, frozenset[str]] = {
    # create, publish, close own projects (admin: all)
    "project.manage": frozenset({Role.AGENCY, Role.ADMIN}),
    "project.register": frozenset({Role.ENTERPRISE}),
    # after the deadline only (trading.selectors)
    "registration.list": frozenset({Role.AGENCY, Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN}),
    # before the deadline, only under a complaint's legal hold, each opening recorded (trading.services)
    "registration.unseal": frozenset({Role.INSPECTOR}),
    "qualification.review": frozenset({Role.AGENCY, Role.ADMIN}),
    "qualification.read": frozenset({Role.AGENCY, Role.INSPECTOR, Role.ADMIN}),
    "draw.input": frozenset({Role.SUPERVISOR}),
    "draw.read": frozenset({Role.AGENCY, Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN}),
    "bid.score": frozenset({Role.EXPERT}),
    "score.read": frozenset({Role.INSPECTOR, Role.ADMIN}),
    "audit.read": frozenset({Role.INSPECTOR, Role.ADMIN}),
    "audit.verify": frozenset({Role.INSPECTOR}),
    "recording.play": frozenset({Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN}),
    "recording.upload": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "recording.delete": frozenset({Role.ADMIN}),
    "legal_hold.release": frozenset({Role.INSPECTOR}),
    "session.manage": frozenset({Role.AGENCY, Role.ADMIN}),
    "followup.manage": frozenset({Role.AGENCY, Role.ADMIN}),
    "complaint.read": frozenset({Role.AGENCY, Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN}),
    # the supervising department (行政监督部门) accepts and decides complaints (投诉; trading.services.complaints)
    "complaint.decide": frozenset({Role.SUPERVISOR}),
    "referral.read": frozenset({Role.INSPECTOR, Role.ADMIN}),
    # PDF records and statistics (agency: own projects)
    "record.read": frozenset({Role.AGENCY, Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN}),
    "dossier.build": frozenset({Role.ADMIN}),
    "dossier.read": frozenset({Role.INSPECTOR, Role.ADMIN}),
    "centre.admin": frozenset({Role.ADMIN}),
    # hold a personal signing key (what it may sign is decided per record: archive.signatures.standing)
    "signing_key.hold": frozenset({Role.AGENCY, Role.SUPERVISOR, Role.ENTERPRISE, Role.EXPERT}),
    # bind a key to its holder's account, or revoke it
    "signing_key.bind": frozenset({Role.ADMIN}),
    # file a change of someone's role; approve or reject one that gives or takes a sensitive role
    "role.request": frozenset({Role.ADMIN}),
    "role.approve": frozenset({Role.INSPECTOR}),
}


def role_of(user: Any) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return str(getattr(user, "role", "") or "")


def can(user: Any, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"unknown capability {capability!r}")
    if not getattr(user, "is_active", False):
        return False
    return role_of(user) in CAPABILITIES[capability]


def is_system(user: Any) -> bool:
    """The system account: acting on a rule's own behalf (a deadline, a lapse), not on anyone's permission."""
    return role_of(user) == Role.SYSTEM


def require(user: Any, capability: str) -> None:
    """Raise PermissionDenied (a logged 403) unless the user's role has the capability."""
    if not can(user, capability):
        raise PermissionDenied(_("您的角色无权执行此操作。"))
