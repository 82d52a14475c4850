"""Reads of the centre's reference data: organisations with their certificates, managers and records, a room's
calendar, and certificates that would lapse before an open project's registration deadline (flagged now, not found
at the close)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from trading import notices
from trading.models import (
    Appeal,
    BadBehaviourRecord,
    Certificate,
    NoticeKind,
    NoticeText,
    Organisation,
    Project,
    Room,
    Session,
    Suspension,
    User,
)
from trading.models.projects import Status

EXPIRY_WARNING_DAYS = 30
CALENDAR_DAYS = 28  # the booking calendar shows the coming four weeks


def organisations() -> QuerySet[Organisation]:
    return Organisation.objects.exclude(kind=Organisation.Kind.CENTRE).order_by("kind", "name")


def organisation_detail(pk: int) -> Organisation:
    return (Organisation.objects.prefetch_related(
        Prefetch("certificates", queryset=Certificate.objects.order_by("kind", "valid_until")),
        "managers", Prefetch("bad_records", queryset=BadBehaviourRecord.objects.select_related("project")
                             .prefetch_related("appeals").order_by("-recorded_at")),
        Prefetch("suspensions", queryset=Suspension.objects.order_by("-starts_at")),
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
    return (organisation.suspensions.filter(starts_at__lte=now, ends_at__gt=now)
            .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=now)).order_by("-ends_at").first())


# --- notice texts and appeals -----------------------------------------------------------------------------------

def current_notice(kind: str) -> NoticeText:
    """The current version of a notice text: the highest stored, else version 1, the default text (unsaved until
    something points at it: trading.services.notices.notice_seeded)."""
    stored = NoticeText.objects.filter(kind=kind).select_related("published_by").order_by("-version").first()
    return stored if stored is not None else notices.default_version(kind)


def current_notices() -> list[NoticeText]:
    return [current_notice(kind) for kind in NoticeKind.values]


def notice_versions(kind: str) -> list[NoticeText]:
    """Every version, newest first (version 1 the default text while none is stored)."""
    stored = list(NoticeText.objects.filter(kind=kind).select_related("published_by").order_by("-version"))
    return stored or [current_notice(kind)]


def registration_notice(project: Project) -> tuple[NoticeText, str]:
    """The version of 随机抽取企业须知 an enterprise registering now acknowledges, with the text it reads: the
    version the project was announced with, or the current one for a project announced before versions existed."""
    version = None
    if project.notice_version is not None:
        version = NoticeText.objects.filter(kind=NoticeKind.DRAWN_ENTERPRISES,
                                            version=project.notice_version).first()
    if version is None:
        return (current := current_notice(NoticeKind.DRAWN_ENTERPRISES)), notices.render_notice(current, project)
    return version, project.notice or notices.render_notice(version, project)


ROOM_RULES_BY_BADGE = {"expert": NoticeKind.EXPERTS, "supervisor": NoticeKind.SUPERVISORS}


def room_rules(badges: list[tuple[str, str]]) -> list[NoticeText]:
    """The rules that apply in a session room to a person with these sign-in badges: 会议纪律 for everyone, and the
    notice of their role (评标专家须知 for experts, 监督管理人员须知 for supervisors)."""
    kinds = [NoticeKind.MEETING_DISCIPLINE]
    kinds += [ROOM_RULES_BY_BADGE[value] for value, _label in badges if value in ROOM_RULES_BY_BADGE]
    return [current_notice(kind) for kind in dict.fromkeys(kinds)]


def open_appeals() -> QuerySet[Appeal]:
    return Appeal.objects.filter(state=Appeal.State.OPEN).select_related("record", "enterprise").order_by("filed_at")


def appealable_records(organisation: Organisation) -> QuerySet[BadBehaviourRecord]:
    """The enterprise's records that stand and have no open appeal."""
    return (organisation.bad_records.filter(annulled_at__isnull=True)
            .exclude(appeals__state=Appeal.State.OPEN).order_by("-recorded_at"))


def organisation_appeals(organisation: Organisation) -> QuerySet[Appeal]:
    return (Appeal.objects.filter(enterprise=organisation)
            .select_related("record", "filed_by", "decided_by").order_by("-filed_at", "-pk"))
