"""Reads of the centre's reference data: organisations with their certificates, managers and records, a room's
calendar, and certificates that would lapse before an open project's registration deadline (flagged now, not found
at the close)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from trading.models import Certificate, Organisation, Project, Room, Session, Suspension, User
from trading.models.projects import Status

EXPIRY_WARNING_DAYS = 30
CALENDAR_DAYS = 28  # the booking calendar shows the coming four weeks


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.exclude(kind=Organisation.Kind.CENTRE).order_by("kind", "name")


def organisation_detail(pk: int) -> Organisation:
    return (Organisation.objects.prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("kind", "valid_until")),
        "managers", "bad_records", Prefetch("suspensions", queryset=Suspension.objects.order_by("-starts_at")),
        "users").get(pk=pk))


def users() -> QuerySet[User]:
    return User.objects.exclude(role="system").select_related("organisation").order_by("username")


def rooms_all() -> QuerySet[Room]:
    return Room.objects.order_by("kind", "name")


def room_sessions(room: Room, *, since: dt.datetime | None = None,
                  until: dt.datetime | None = None) -> QuerySet[Session]:
    """The room's bookings overlapping [since, until); both open when left out."""
    qs = room.sessions.select_related("project").order_by("starts_at")
    if since is not None:
        qs = qs.filter(ends_at__gt=since)
    if until is not None:
        qs = qs.filter(starts_at__lt=until)
    return qs


def calendar(*, days: int = CALENDAR_DAYS) -> list[tuple[Room, list[Session]]]:
    """Every active room with its sessions of the coming `days`."""
    now = clock.now()
    return [(room, list(room_sessions(room, since=now, until=now + dt.timedelta(days=days))))
            for room in Room.objects.filter(is_active=True).order_by("kind", "name")]


def calendar_period(since: str, until: str) -> tuple[dt.datetime | None, dt.datetime | None]:
    """`since`/`until` of the calendar query: an ISO 8601 time with its offset, or a date (its start in the centre's
    time zone)."""
    return _moment(since, "since"), _moment(until, "until")


def _moment(value: str, field: str) -> dt.datetime | None:
    text = (value or "").strip()
    if not text:
        return None
    try:
        if len(text) == 10:
            return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(text), dt.time.min))
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError({field: [_("%(f)s：“%(v)s”不是日期或 ISO 8601 时间。") % {
            "f": field, "v": text[:40]}]}) from None
    if moment.tzinfo is None:
        raise ValidationError({field: [_("%(f)s：须带时区，例如 2026-12-08T09:00:00+08:00。") % {"f": field}]})
    return moment


@dataclass(frozen=True)
class ExpiryFlag:
    certificate: Certificate
    message: str


def expiring_certificates(organisation: Organisation) -> list[ExpiryFlag]:
    """Certificates that expire within EXPIRY_WARNING_DAYS, or before the registration deadline of a fixed-price
    project open for registration (eligibility wants them valid at the deadline: trading.eligibility)."""
    today = timezone.localdate(clock.now())
    open_projects = list(Project.objects.filter(status=Status.PUBLISHED, registration_deadline__gt=clock.now())
                         .order_by("-registration_deadline").only("code", "registration_deadline"))
    flags = []
    for certificate in organisation.certificates.filter(valid_until__gte=today).order_by("valid_until"):
        late = [p for p in open_projects
                if certificate.valid_until < timezone.localdate(p.registration_deadline)]
        if late:
            flags.append(ExpiryFlag(certificate, _("有效期至 %(d)s，早于项目 %(code)s 的报名截止日 %(end)s") % {
                "d": certificate.valid_until.isoformat(), "code": late[0].code,
                "end": timezone.localdate(late[0].registration_deadline).isoformat()}))
        elif certificate.valid_until <= today + dt.timedelta(days=EXPIRY_WARNING_DAYS):
            flags.append(ExpiryFlag(certificate, _("有效期至 %(d)s，%(n)d日内到期") % {
                "d": certificate.valid_until.isoformat(), "n": EXPIRY_WARNING_DAYS}))
    return flags


def active_suspension(organisation: Organisation) -> Suspension | None:
    now = clock.now()
    return organisation.suspensions.filter(starts_at__lte=now, ends_at__gt=now).order_by("-ends_at").first()
