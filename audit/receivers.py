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


# Who can do what outside the roles: Django's groups and permissions, and API tokens. Nothing on the platform hands
# them out but the token service (trading.services.accounts), and the admin offers no form for any of them; these
# receivers put whatever path still writes them (a shell, a command, a migration) on the ledger. Generic auth
# models only: the ledger knows no domain app.
# a clear is recorded before it happens (afterwards nothing says what was cleared); its ids are not listed
_M2M_ACTIONS = {"post_add": "add", "post_remove": "remove", "pre_clear": "clear"}


def _auth_m2m_changed(action_name: str):
    def handler(sender: Any, instance: Any, action: str, model: Any, pk_set: Any, **kwargs: Any) -> None:
        if action not in _M2M_ACTIONS:
            return
        ledger.record_event(action_name, data={
            "object": f"{instance._meta.label}:{instance.pk}", "change": _M2M_ACTIONS[action],
            "ids": sorted(pk_set or ()), "names": sorted(str(obj) for obj in model.objects.filter(pk__in=pk_set or ())),
        })

    return handler


def _token_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    if created:  # never the key: it is the credential itself (and the token's primary key)
        ledger.record_event("api_token_issued", data={"username": instance.user.get_username(),
                                                      "user_id": instance.user_id})


def _token_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    ledger.record_event("api_token_revoked", data={"username": instance.user.get_username(),
                                                   "user_id": instance.user_id})


def connect() -> None:
    """Called from AuditConfig.ready(), once every app's models are loaded."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db.models.signals import m2m_changed, post_delete, post_save
    from rest_framework.authtoken.models import Token

    user_model = get_user_model()
    for through, action_name in (
        (user_model.groups.through, "auth_groups_changed"),
        (user_model.user_permissions.through, "auth_permissions_changed"),
        (Group.permissions.through, "auth_group_permissions_changed"),
    ):
        m2m_changed.connect(_auth_m2m_changed(action_name), sender=through, weak=False,
                            dispatch_uid=f"audit_{action_name}")
    post_save.connect(_token_saved, sender=Token, dispatch_uid="audit_api_token_issued")
    post_delete.connect(_token_deleted, sender=Token, dispatch_uid="audit_api_token_revoked")
