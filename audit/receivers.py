"""The audit fan-in, the one signal receiver with a job: every historical record becomes a ledger entry in the
same transaction; logins, logouts and failed logins become events."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from simple_history.signals import post_create_historical_record, pre_create_historical_record

from audit import context, ledger
from audit.history import HISTORY_ACTIONS, history_digest


@receiver(pre_create_historical_record)
def _stamp_history(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    ctx = context.current()
    history_instance.history_ip = ctx.ip
    user = history_instance.history_user
    history_instance.history_role = str(getattr(user, "role", "") or "") if user else ""
    if not history_instance.history_change_reason and ctx.reason:
        history_instance.history_change_reason = ctx.reason


@receiver(post_create_historical_record)
def _append_history(sender: Any, instance: Any, history_instance: Any, **kwargs: Any) -> None:
    ledger.append(
        action=HISTORY_ACTIONS.get(history_instance.history_type, history_instance.history_type),
        digest=history_digest(history_instance),
        object_type=instance._meta.label,
        object_id=str(instance.pk),
        history_model=history_instance._meta.label,
        history_id=history_instance.pk,
        project=ledger.project_code_of(instance),
        reason=history_instance.history_change_reason or "",
        actor=history_instance.history_user,
    )


def _ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR", "") if request is not None else None


@receiver(user_logged_in)
def _login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    with context.acting(user, ip=_ip(request)):
        ledger.record_event("login", data={"username": user.get_username()})


@receiver(user_logged_out)
def _logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        with context.acting(user, ip=_ip(request)):
            ledger.record_event("logout", data={"username": user.get_username()})


@receiver(user_login_failed)
def _login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    # the attempted name is kept for inspectors (repeated failures); the password never is
    with context.acting(ip=_ip(request)):
        ledger.record_event("login_failed", data={"username": str(credentials.get("username", ""))[:150]})
