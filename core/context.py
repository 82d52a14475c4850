"""Who is acting, from where and why: set once per request (middleware) or per command/service call, read by
the ledger and by django-simple-history. A contextvar, so threads and async tasks never see each other's."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

SYSTEM_USERNAME = "system"


@dataclass(frozen=True)
class AuditContext:
    actor: Any = None  # a user instance or None (anonymous)
    ip: str = ""
    reason: str = ""


_EMPTY = AuditContext()
_current: ContextVar[AuditContext] = ContextVar("audit_context", default=_EMPTY)  # noqa: B039 - frozen


def current() -> AuditContext:
    return _current.get()


@contextlib.contextmanager
def acting(actor: Any = None, *, ip: str | None = None, reason: str | None = None) -> Iterator[AuditContext]:
    """Attribute every change and event inside the block to `actor` (keeping the request's IP unless given)."""
    ctx = current()
    changes: dict[str, Any] = {}
    if actor is not None:
        changes["actor"] = actor
    if ip is not None:
        changes["ip"] = ip
    if reason is not None:
        changes["reason"] = reason
    token = _current.set(replace(ctx, **changes))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


def set_for_request(actor: Any, ip: str) -> Any:
    return _current.set(AuditContext(actor=actor, ip=ip))


def reset(token: Any) -> None:
    _current.reset(token)


def system_user() -> Any:
    """The named account that commands and background tasks act as: never nobody. Inactive and without a password,
    so nobody can log in as it; its role is `system`, which no person's account can hold."""
    from django.contrib.auth import get_user_model
    from django.db import IntegrityError, transaction

    from core.roles import Role

    user_model = get_user_model()
    user = user_model.objects.filter(username=SYSTEM_USERNAME).first()
    if user is None:
        user = user_model(username=SYSTEM_USERNAME, is_active=False, role=Role.SYSTEM, first_name="系统")
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # two commands (or threads) acting for the first time at once: one of them made it
            user = user_model.objects.get(username=SYSTEM_USERNAME)
    return user


@contextlib.contextmanager
def acting_as_system(reason: str = "") -> Iterator[AuditContext]:
    with acting(system_user(), ip="", reason=reason) as ctx:
        yield ctx
