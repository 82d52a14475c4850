"""Demo data for trading: one login per role, organisations with valid codes, rooms, projects in many states.
Idempotent: everything is looked up by its natural key first."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.utils import timezone
from stdnum.cn import uscc as std_uscc

from core import clock, context
from core.roles import SENSITIVE_ROLES, STAFF_ROLES, Role
from trading.models import Certificate, Organisation, Project, ProjectManager, Room, User
from trading.models.projects import Status
from trading.services import accounts
from trading.services import projects as project_services
from trading.services import registrations as registration_services
from trading.services import sessions as session_services

PASSWORD = "Demo-pass-2026"
ENTERPRISES = ["四川蜀都建设工程有限公司", "成都锦城建筑有限责任公司", "绵阳涪江市政工程有限公司",
               "德阳旌湖建工集团有限公司", "乐山嘉州路桥建设有限公司", "宜宾三江建筑安装有限公司"]
MANAGERS = ["张建国", "李卫东", "王晓明", "赵春华", "刘志强", "陈思远"]
ROOMS = [("opening", "第一开标室"), ("opening", "第二开标室"), ("evaluation", "第一评标室"), ("evaluation", "第二评标室"),
         ("draw", "第一抽取室"), ("draw", "第二抽取室"), ("auction", "第一拍卖室"), ("auction", "第二拍卖室")]


def code_for(n: int, prefix: str = "91510100MA6") -> str:
    body = f"{prefix}{n:06d}"[:17]
    return body + std_uscc.calc_check_digit(body)


def _org(name: str, kind: str, n: int) -> Organisation:
    org = Organisation.objects.filter(name=name).first()
    return org or Organisation.objects.create(name=name, kind=kind, uscc=code_for(n))


def _user(username: str, role: str, *, org: Organisation | None = None, name: str = "") -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        sensitive = role in SENSITIVE_ROLES  # granted below through the two-person approval, like any centre's
        user = User.objects.create_user(
            username=username, password=PASSWORD, role=Role.NONE if sensitive else role, organisation=org,
            first_name=name, is_staff=role in STAFF_ROLES and not sensitive, is_superuser=role == Role.ADMIN,
        )
    return user


def _grant_sensitive_roles(users: dict[str, User]) -> None:
    """The first inspector as a fresh centre gets one (the operator's command), the supervisors as requested by the
    administrator and approved by that inspector: the demo's findings page shows each grant. Approval makes the
    password unusable (the person sets their own); the demo logins keep the demo password."""
    admin, inspector = users["admin"], users["inspector"]
    if inspector.role == Role.NONE:
        accounts.role_grant_first_inspector(user=inspector, reason="演示数据：首位纪检监察人员")
        _demo_password(inspector)
    for username in ("supervisor", "supervisor2"):
        if users[username].role == Role.NONE:
            grant = accounts.role_grant_request(actor=admin, user=users[username], role=Role.SUPERVISOR,
                                                reason="演示数据：现场监督员")
            accounts.role_grant_approve(actor=inspector, grant=grant, reason="演示数据：已核实本人")
            _demo_password(grant.user)
    for username in ("inspector", "supervisor", "supervisor2"):
        users[username].refresh_from_db()


def _demo_password(user: User) -> None:
    user.refresh_from_db()
    user.set_password(PASSWORD)
    user.save()


def load(out=print) -> dict:
    with context.acting_as_system(reason="demo data"):
        centre = _org("某县公共资源交易中心", Organisation.Kind.CENTRE, 1)
        agency_org = _org("四川诚信招标代理有限公司", Organisation.Kind.AGENCY, 2)
        tenderer = _org("某县住房和城乡建设局", Organisation.Kind.TENDERER, 3)
        users = {
            "admin": _user("admin", Role.ADMIN, org=centre, name="管理员"),
            "agency": _user("agency", Role.AGENCY, org=agency_org, name="代理员"),
            "supervisor": _user("supervisor", Role.SUPERVISOR, org=centre, name="监督员甲"),
            "supervisor2": _user("supervisor2", Role.SUPERVISOR, org=centre, name="监督员乙"),
            "inspector": _user("inspector", Role.INSPECTOR, name="纪检员"),
            # the 招标人's own staff: agency-role accounts of a tenderer organisation (trading.services.reference)
            "tenderer": _user("tenderer", Role.AGENCY, org=tenderer, name="建设局经办人"),
        }
        _grant_sensitive_roles(users)
        for n, name in enumerate(ENTERPRISES, start=1):
            org = _org(name, Organisation.Kind.ENTERPRISE, 100 + n)
            users[f"enterprise{n}"] = _user(f"enterprise{n}", Role.ENTERPRISE, org=org, name=f"{name[:4]}经办人")
            _licences(org, n)
        for n in range(1, 10):
            users[f"expert{n}"] = _user(f"expert{n}", Role.EXPERT, name=f"专家{n}")
        for kind, name in ROOMS:
            if not Room.objects.filter(name=name).exists():
                Room.objects.create(kind=kind, name=name)
    _projects(users, tenderer)
    out(f"demo data ready; password for every demo login: {PASSWORD}")
    out("logins: " + ", ".join(users))
    return users


def _licences(org: Organisation, n: int) -> None:
    until = (timezone.now() + dt.timedelta(days=3 * 365)).date()
    if not org.certificates.exists():
        Certificate.objects.create(organisation=org, kind="construction", grade=Certificate.Grade.GRADE_2,
                                   number=f"D251{n:06d}", valid_until=until)
        Certificate.objects.create(organisation=org, kind="safety", number=f"(川)JZ安许证字[2024]{n:06d}",
                                   valid_until=until)
    if not org.managers.exists():
        ProjectManager.objects.create(organisation=org, name=MANAGERS[n - 1], certificate_number=f"川251{n:09d}")


PROJECTS = [
    # (title, type, budget, fixed price, state)
    ("城东小学运动场改造工程", "fixed_price", "1850000.00", "1780000.00", "published"),
    ("青龙镇农村公路安全生命防护工程", "fixed_price", "1960000.00", "1900000.00", "closed"),
    ("县人民医院门诊楼维修工程", "fixed_price", "980000.00", "950000.00", "draft"),
    ("县政务服务中心办公设备采购", "procurement", "3200000.00", None, "published"),
    ("城南片区经营性用地使用权拍卖（2026-07号地块）", "land_auction", "46000000.00", None, "published"),
    ("县属国有企业闲置车辆转让", "asset_transfer", "380000.00", None, "draft"),
]


# the showcase fixed-price project: its registrations are stamped by the database's clock (real time), so its
# deadline is real time a few seconds ahead, and everything after it (the close, the draw) happens after that,
# in time order; its draw session is booked by the agency while registration is open
CLOSING_IN = dt.timedelta(seconds=3)
DRAW_STARTS_AFTER_CLOSE = dt.timedelta(seconds=2)
DRAW_SESSION = dt.timedelta(seconds=10)


def _projects(users: dict, tenderer: Organisation) -> None:
    agency = users["agency"]
    for title, ptype, budget, fixed, state in PROJECTS:
        if Project.objects.filter(title=title).exists():
            continue
        closing = state == "closed"
        deadline = timezone.now() + (CLOSING_IN if closing else dt.timedelta(days=10))
        with clock.travel(-dt.timedelta(days=10) if closing else dt.timedelta(0)):
            project = project_services.project_create(actor=agency, data={
                "type": ptype, "title": title, "budget": Decimal(budget), "fixed_price": fixed and Decimal(fixed),
                "registration_deadline": deadline, "tenderer": tenderer.uscc,
                "announcement": f"{title}已批准建设，资金来源为财政资金，现公开{ '比选' if fixed else '招标' }。",
            })
            if state == "draft":
                continue
            project_services.project_publish(actor=agency, project=project)
            if closing:
                _book_draw_session(agency, project)
        if closing:
            _register_then_close(users, project)


def _book_draw_session(agency: User, project: Project) -> None:
    """Booked a day after publication, for right after the close."""
    room = Room.objects.filter(kind="draw").order_by("name").last()
    starts = project.registration_deadline + DRAW_STARTS_AFTER_CLOSE
    with clock.travel(dt.timedelta(days=1)):
        session_services.session_book(actor=agency, project=project, room=room, kind="draw", starts_at=starts,
                                      ends_at=starts + DRAW_SESSION)


def _register_then_close(users: dict, project: Project) -> None:
    """Five enterprises register (now, before the deadline, by the database's clock), then the deadline passes
    and the system closes registration: the candidates are frozen after the last registration, before any draw."""
    for n in range(1, 6):
        registration_services.registration_create(
            actor=users[f"enterprise{n}"], project=project,
            data={"manager_name": MANAGERS[n - 1], "manager_certificate": f"川251{n:09d}", "acknowledge_notice": True})
    time.sleep(max(0.0, (project.registration_deadline - timezone.now()).total_seconds()) + 0.2)
    with context.acting_as_system():
        project_services.project_close(actor=context.system_user(), project=project)


__all__ = ["load", "PASSWORD", "Status"]
