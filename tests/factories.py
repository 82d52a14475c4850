"""Plain builder functions for tests."""

from __future__ import annotations

import itertools

from core.roles import Role
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


def enterprise_with_licences(name: str = "") -> tuple[Organisation, User]:
    import datetime as dt

    from django.utils import timezone

    from trading.models import Certificate

    org = organisation(name=name, kind=Organisation.Kind.ENTERPRISE)
    until = (timezone.now() + dt.timedelta(days=365)).date()
    Certificate.objects.create(organisation=org, kind="construction", grade=Certificate.Grade.GRADE_2,
                               number=f"C{org.pk:08d}", valid_until=until)
    Certificate.objects.create(organisation=org, kind="safety", number=f"S{org.pk:08d}", valid_until=until)
    return org, user(Role.ENTERPRISE, organisation=org)


def logged_in(user: User):
    """A test client signed in as `user`."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def agency_user() -> User:
    return user(Role.AGENCY, organisation=organisation(kind=Organisation.Kind.AGENCY))


def fixed_price_project(*, agency: User | None = None, deadline=None, publish: bool = True, **data):
    import datetime as dt
    from decimal import Decimal

    from core import clock
    from trading.services.projects import project_create, project_publish

    agency = agency or agency_user()
    payload = {"type": "fixed_price", "title": "城东小学运动场改造工程", "budget": Decimal("1850000.00"),
               "fixed_price": Decimal("1780000.00"),
               "registration_deadline": deadline or clock.now() + dt.timedelta(days=7)}
    payload.update(data)
    project = project_create(actor=agency, data=payload)
    if publish:
        project = project_publish(actor=agency, project=project)
    return project


def register(project, enterprise_user: User, n: int = 0):
    from trading.services.registrations import registration_create

    return registration_create(actor=enterprise_user, project=project, data={
        "manager_name": f"经理{enterprise_user.pk}", "manager_certificate": f"川251{enterprise_user.pk:09d}",
        "acknowledge_notice": True})


def room(kind: str = "draw", name: str = ""):
    from trading.models import Room

    return Room.objects.create(kind=kind, name=name or f"{kind}-room-{next(_seq)}")


def past_deadline_project(moved_clock, *, enterprises: int = 5, prefix: str = "报名企业", **data):
    """A fixed-price project with `enterprises` eligible registrations, the platform's clock then moved past its
    deadline for the rest of the test. The registrations come first, while the deadline is ahead by the database's
    clock too (it stamps them, and refuses a registration at or after the deadline)."""
    project = fixed_price_project(**data)
    for n in range(enterprises):
        register(project, enterprise_with_licences(f"{prefix}{n}")[1])
    moved_clock.move_past(project.registration_deadline)
    return project


def tenderer_user(project) -> User:
    """An account of the project's tenderer (招标人), a party with standing to complain about it; a project without
    a tenderer gets one first (the create API has no tenderer field)."""
    from core import context

    if project.tenderer_id is None:
        project.tenderer = organisation(kind=Organisation.Kind.TENDERER)
        with context.acting(project.created_by, reason="test: the project's tenderer"):
            project.save()
    return user(Role.AGENCY, organisation=project.tenderer)


def registrants(project) -> list[User]:
    """An account of each enterprise registered for the project, in registration order: parties to it."""
    return [User.objects.filter(organisation=registration.enterprise).order_by("pk").first()
            for registration in project.registrations.order_by("pk")]
