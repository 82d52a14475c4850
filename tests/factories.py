"""Plain builder functions for tests."""

from __future__ import annotations

import itertools

from config.roles import Role
from trading.models import Organisation, User

PASSWORD = "Demo-pass-2026"
_seq = itertools.count(1)

# valid unified social credit codes (GB 32100-2015 check characters computed by python-stdnum)
_BASE17 = "91510100MA6C{:05d}"


def uscc(n: int | None = None) -> str:
    from stdnum.cn import uscc as std

    body = _BASE17.format(next(_seq) if n is None else n)
    return body + std.calc_check_digit(body)


def organisation(*, name: str = "", kind: str = Organisation.Kind.ENTERPRISE, code: str = "") -> Organisation:
    n = next(_seq)
    return Organisation.objects.create(name=name or f"测试机构{n}", uscc=code or uscc(n), kind=kind)


def user(role: str = Role.ENTERPRISE, *, username: str = "", organisation: Organisation | None = None) -> User:
    n = next(_seq)
    return User.objects.create_user(
        username=username or f"{role}{n}", password=PASSWORD, role=role, organisation=organisation,
        is_staff=role == Role.ADMIN, is_superuser=role == Role.ADMIN,
    )
