"""Who may do what (DESIGN §4), in one place: views, the API, the admin and commands all ask `can`/`require`.
It lives in config/ because every app, audit included, asks it and audit imports no domain app."""

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


A, S, INS, E, X, M = Role.AGENCY, Role.SUPERVISOR, Role.INSPECTOR, Role.ENTERPRISE, Role.EXPERT, Role.ADMIN

CAPABILITIES: dict[str, frozenset[str]] = {
    "project.manage": frozenset({A, M}),            # create, publish, close own projects (admin: all)
    "project.register": frozenset({E}),
    "registration.list": frozenset({A, S, INS, M}),   # after the deadline only (trading.selectors)
    "qualification.review": frozenset({A, M}),
    "qualification.read": frozenset({A, INS, M}),
    "draw.input": frozenset({S}),
    "draw.read": frozenset({A, S, INS, M}),
    "bid.score": frozenset({X}),
    "score.read": frozenset({INS, M}),
    "audit.read": frozenset({INS, M}),
    "audit.verify": frozenset({INS}),
    "recording.play": frozenset({S, INS, M}),
    "recording.upload": frozenset({S, M}),
    "recording.delete": frozenset({M}),
    "legal_hold.release": frozenset({INS}),
    "session.manage": frozenset({A, M}),
    "followup.manage": frozenset({A, M}),
    "complaint.read": frozenset({A, INS, M}),
    "referral.read": frozenset({INS, M}),
    "record.read": frozenset({A, S, INS, M}),       # PDF records and statistics (agency: own projects)
    "dossier.build": frozenset({M}),
    "dossier.read": frozenset({INS, M}),
    "centre.admin": frozenset({M}),
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


def require(user: Any, capability: str) -> None:
    """Raise PermissionDenied (a logged 403) unless the user's role has the capability."""
    if not can(user, capability):
        raise PermissionDenied(_("您的角色无权执行此操作。"))
