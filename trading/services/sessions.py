"""Booking rooms and signing in to sessions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import clock, context
from core.errors import Conflict
from trading import selectors
from trading.models import Attendance, Project, Room, Session, User
from trading.models.sessions import RoomKind
from trading.selectors import ensure_manages

# who may wear which badge
BADGE_ROLES = {
    Attendance.Badge.SUPERVISOR: {"supervisor"},
    Attendance.Badge.AGENCY: {"agency", "admin"},
    Attendance.Badge.TENDERER: {"agency", "admin"},
    Attendance.Badge.BIDDER: {"enterprise"},
    Attendance.Badge.EXPERT: {"expert"},
}


def session_book(*, actor: User, project: Project, room: Room, kind: str, starts_at: dt.datetime,
                 ends_at: dt.datetime) -> Session:
    ensure_manages(actor, project)
    errors: dict[str, list[str]] = {}
    if kind not in RoomKind.values:
        errors["kind"] = [_("场次类型须为 %(v)s 之一。") % {"v": ", ".join(RoomKind.values)}]
    elif room.kind != kind:
        errors["room"] = [_("%(room)s是%(k)s，不能安排%(want)s。")
                          % {"room": room.name, "k": room.get_kind_display(), "want": RoomKind(kind).label}]
    if not room.is_active:
        errors["room"] = [_("该场地已停用。")]
    if ends_at <= starts_at:
        errors["ends_at"] = [_("结束时间须晚于开始时间。")]
    if starts_at < clock.now():
        errors["starts_at"] = [_("不能预约已经过去的时间。")]
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic(), context.acting(actor, reason=_("预约场地")):
            # bookings of one room queue on its row: two inserts checking each other's uncommitted rows deadlock
            Room.objects.select_for_update().filter(pk=room.pk).first()
            return Session.objects.create(project=project, room=room, kind=kind, starts_at=starts_at,
                                          ends_at=ends_at, booked_by=actor)
    except IntegrityError as exc:
        if "double_booking" in str(exc) or "session_no_double_booking" in str(exc):
            raise Conflict(_("%(room)s在该时段已被预约。") % {"room": room.name}, {"room": [room.name]}) from exc
        raise


def attendance_sign(*, actor: User, session: Session, badge: str) -> Attendance:
    if badge not in Attendance.Badge.values:
        raise ValidationError({"badge": [_("身份须为 %(v)s 之一。") % {"v": ", ".join(Attendance.Badge.values)}]})
    if actor.role not in BADGE_ROLES[badge]:
        raise PermissionDenied(_("您的角色不能以“%(b)s”身份签到。") % {"b": Attendance.Badge(badge).label})
    if not selectors.session_under_way(session):
        raise Conflict(_("只能在场次开始前1小时至结束前签到。"), {"session": [str(session.pk)]})
    try:
        with transaction.atomic(), context.acting(actor, reason=_("现场签到")):
            return Attendance.objects.create(session=session, user=actor, badge=badge)
    except IntegrityError as exc:
        raise Conflict(_("您已在本场次签到。")) from exc


def badges_for(user: User) -> list[tuple[str, str]]:
    """The badges a person may sign in under, for the sign-in form."""
    return [(badge.value, badge.label) for badge in Attendance.Badge if getattr(user, "role", "") in BADGE_ROLES[badge]]
