"""Logins, logouts and failed logins become ledger events. (Historical rows get their entries where they are
written: audit.history.)"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit import ledger
from core import context


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
