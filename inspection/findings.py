"""Risk findings for discipline inspectors: one selector per finding, each answering `Finding`s that name the
ledger entries they rest on. Thresholds are settings (AUDIT_* in config/settings.py)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, F, Q
from django.utils.translation import gettext_lazy as _

from audit import sealing
from audit.models import LedgerEntry
from audit.selectors import SHANGHAI
from core.roles import Role
from evaluation.models import Bid, Score
from trading.models import Attendance, Project, Registration, RoleGrant

ROW_CHANGES = ("create", "update", "delete")
SCAN_LIMIT = 20000  # a finding reads at most this many recent entries of its kind


@dataclass
class Finding:
    subject: str  # who or what: a user name, a project code, an enterprise
    detail: str
    seqs: list[int] = field(default_factory=list)
    project: str = ""


@dataclass
class FindingKind:
    key: str
    title: Any
    explain: Any
    select: Callable[[], list[Finding]]


# --- the findings --------------------------------------------------------------------------------------------

LIST_READS = ("registration_list_viewed", "sealed_registrations_opened")


def registration_list_reads() -> list[Finding]:
    """Every read of a registration list — after the deadline, or opened before it under legal hold — grouped by
    reader and project."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for seq, actor, project in (LedgerEntry.objects.filter(action__in=LIST_READS).order_by("-seq")
                                .values_list("seq", "actor", "project")[:SCAN_LIMIT]):
        groups[(actor, project)].append(seq)
    return [Finding(subject=actor or "—", project=project, seqs=seqs,
                    detail=_("查看报名名单 %(n)d 次") % {"n": len(seqs)}) for (actor, project), seqs in groups.items()]


def repeated_failed_logins() -> list[Finding]:
    """A user name with at least AUDIT_FAILED_LOGIN_THRESHOLD (3) failed logins within a day."""
    threshold = settings.AUDIT_FAILED_LOGIN_THRESHOLD
    groups: dict[tuple[str, dt.date], list[int]] = defaultdict(list)
    ips: dict[tuple[str, dt.date], set[str]] = defaultdict(set)
    for seq, at, ip, data in (LedgerEntry.objects.filter(action="login_failed").order_by("-seq")
                              .values_list("seq", "at", "ip", "data")[:SCAN_LIMIT]):
        key = (str((data or {}).get("username", "")), at.astimezone(SHANGHAI).date())
        groups[key].append(seq)
        ips[key].add(ip)
    return [Finding(subject=name or "—", seqs=seqs,
                    detail=_("%(day)s 登录失败 %(n)d 次，来自 %(ips)s") % {
                        "day": day.isoformat(), "n": len(seqs), "ips": "、".join(sorted(ips[(name, day)]))})
            for (name, day), seqs in groups.items() if len(seqs) >= threshold]


def office_hours() -> tuple[dt.time, dt.time]:
    """AUDIT_OFFICE_HOURS, "08:30-18:00" by default, Asia/Shanghai, Monday to Friday."""
    start, end = settings.AUDIT_OFFICE_HOURS.split("-")
    return dt.time.fromisoformat(start.strip()), dt.time.fromisoformat(end.strip())


def outside_office_hours(moment: dt.datetime) -> bool:
    local = moment.astimezone(SHANGHAI)
    start, end = office_hours()
    return local.weekday() >= 5 or not start <= local.time() < end


def changes_outside_office_hours() -> list[Finding]:
    """Row changes by a person (not the system account, not anonymous) at night or at the weekend; a change sealed
    now (a registration before its deadline) is not named by its person and project."""
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    changes = LedgerEntry.objects.filter(action__in=ROW_CHANGES, actor_id__isnull=False).exclude(role=Role.SYSTEM)
    rows = (sealing.current().exclude(changes).order_by("-seq")
            .values_list("seq", "at", "actor", "project")[:SCAN_LIMIT])
    for seq, at, actor, project in rows:
        if outside_office_hours(at):
            groups[(actor, project)].append(seq)
    return [Finding(subject=actor, project=project, seqs=seqs,
                    detail=_("非工作时间修改数据 %(n)d 处") % {"n": len(seqs)}) for (actor, project), seqs in groups.items()]


def agency_and_supervisor() -> list[Finding]:
    """A person signed in as supervisor to a session of a project that their own organisation acts as agency or
    tenderer for, or that they created."""
    found = []
    rows = (Attendance.objects.filter(badge=Attendance.Badge.SUPERVISOR)
            .filter(Q(user__organisation_id__isnull=False, user__organisation_id=F("session__project__agency_id"))
                    | Q(user__organisation_id__isnull=False,
                        user__organisation_id=F("session__project__tenderer_id"))
                    | Q(user_id=F("session__project__created_by_id")))
            .select_related("user", "session__project"))
    for row in rows:
        project = row.session.project
        seqs = list(LedgerEntry.objects.filter(object_type=Attendance._meta.label, object_id=str(row.pk))
                    .values_list("seq", flat=True))
        seqs += list(LedgerEntry.objects.filter(project=project.code, actor_id=row.user_id)
                     .exclude(object_type=Attendance._meta.label).values_list("seq", flat=True)[:20])
        found.append(Finding(subject=row.user.username, project=project.code, seqs=sorted(seqs),
                             detail=_("既代表招标方（代理/招标人/创建人）又以现场监督身份签到")))
    return found


def frequent_winners() -> list[Finding]:
    """An enterprise that won at least AUDIT_WINS_THRESHOLD (2) draws and more than twice what chance gives it
    (the sum over the draws it entered of 1 / pool size)."""
    threshold = settings.AUDIT_WINS_THRESHOLD
    pools = {(row["project_id"], row["round"]): row["n"] for row in Registration.objects.filter(rank__isnull=False)
             .values("project_id", "round").annotate(n=Count("id"))}
    entered: dict[int, list[Any]] = defaultdict(list)
    for reg in Registration.objects.filter(rank__isnull=False).select_related("enterprise", "project"):
        entered[reg.enterprise_id].append(reg)
    found = []
    for regs in entered.values():
        wins = [r for r in regs if r.rank == 1]
        expected = sum(1 / pools[(r.project_id, r.round)] for r in regs)
        if len(wins) >= threshold and len(wins) > 2 * expected:
            seqs = list(LedgerEntry.objects.filter(
                object_type=Registration._meta.label, object_id__in=[str(r.pk) for r in wins], action="update",
            ).values_list("seq", flat=True))
            found.append(Finding(subject=str(wins[0].enterprise), seqs=sorted(seqs),
                                 detail=_("参加 %(n)d 次抽取，中选 %(w)d 次（随机期望 %(e).1f 次）") % {
                                     "n": len(regs), "w": len(wins), "e": expected}))
    return found


def thin_candidate_pools() -> list[Finding]:
    """A draw whose frozen pool was at most AUDIT_THIN_POOL (FPS_MIN_CANDIDATES + 1) candidates: barely enough."""
    limit = settings.AUDIT_THIN_POOL
    found = []
    for entry in LedgerEntry.objects.filter(action="draw_candidates_frozen").order_by("-seq")[:SCAN_LIMIT]:
        count = int((entry.data or {}).get("count", 0))
        if count <= limit:
            found.append(Finding(subject=entry.project, project=entry.project, seqs=[entry.seq],
                                 detail=_("候选企业仅 %(n)d 家") % {"n": count}))
    return found


def repeated_draws() -> list[Finding]:
    """A project whose draw was attempted again after it was run (each refused attempt is a `draw_refused`)."""
    groups: dict[str, list[int]] = defaultdict(list)
    for seq, project in (LedgerEntry.objects.filter(action__in=("draw_completed", "draw_refused"))
                         .order_by("seq").values_list("seq", "project")[:SCAN_LIMIT]):
        groups[project].append(seq)
    refused = set(LedgerEntry.objects.filter(action="draw_refused", data__already_drawn=True)
                  .values_list("project", flat=True))
    return [Finding(subject=project, project=project, seqs=seqs,
                    detail=_("抽取操作 %(n)d 次（已抽取后再次尝试）") % {"n": len(seqs)})
            for project, seqs in groups.items() if project in refused]


def changes_near_deadline() -> list[Finding]:
    """A bid submitted, replaced or withdrawn within AUDIT_NEAR_DEADLINE_MINUTES (60) before the project's bid
    deadline, and any score changed after it was written (scores are written once, on submission)."""
    window = dt.timedelta(minutes=settings.AUDIT_NEAR_DEADLINE_MINUTES)
    entries = list(LedgerEntry.objects.filter(object_type=Bid._meta.label, action__in=ROW_CHANGES)
                   .order_by("-seq")[:SCAN_LIMIT])
    deadlines = dict(Project.objects.filter(code__in={e.project for e in entries})
                     .values_list("code", "registration_deadline"))
    found = []
    for entry in entries:
        deadline = deadlines.get(entry.project)
        if deadline and deadline - window <= entry.at <= deadline:
            found.append(Finding(subject=entry.actor, project=entry.project, seqs=[entry.seq],
                                 detail=_("投标截止前 %(m)d 分钟内投标文件变动") % {
                                     "m": int((deadline - entry.at).total_seconds() // 60)}))
    for entry in LedgerEntry.objects.filter(object_type=Score._meta.label, action__in=("update", "delete"))[:SCAN_LIMIT]:
        found.append(Finding(subject=entry.actor, project=entry.project, seqs=[entry.seq],
                             detail=_("评分写入后被修改")))
    return found


AUTH_CHANGES = ("auth_groups_changed", "auth_permissions_changed", "auth_group_permissions_changed")


def role_grants() -> list[Finding]:
    """Every request to give or take a sensitive role (inspector, supervisor): pending, approved or rejected, and the
    first inspector granted by the operator's command; and any change to Django's groups or permissions (nothing on
    the platform makes one, so each is a write around the services)."""
    grants = list(RoleGrant.objects.filter(sensitive=True).select_related("user", "requested_by", "decided_by")
                  .order_by("-requested_at", "-pk")[:SCAN_LIMIT])
    seqs: dict[str, list[int]] = defaultdict(list)
    for seq, object_id in (LedgerEntry.objects.filter(object_type=RoleGrant._meta.label,
                                                      object_id__in=[str(g.pk) for g in grants])
                           .order_by("seq").values_list("seq", "object_id")):
        seqs[object_id].append(seq)
    found = [Finding(subject=grant.user.username, seqs=seqs[str(grant.pk)], detail=_grant_detail(grant))
             for grant in grants]
    for entry in LedgerEntry.objects.filter(action__in=AUTH_CHANGES).order_by("-seq")[:SCAN_LIMIT]:
        data = entry.data or {}
        found.append(Finding(subject=entry.actor or "—", seqs=[entry.seq], detail=_(
            "绕过角色直接变更 Django 权限组或权限：%(object)s %(change)s %(names)s") % {
                "object": data.get("object", ""), "change": data.get("change", ""),
                "names": "、".join(data.get("names", []))}))
    return found


def _grant_detail(grant: RoleGrant) -> str:
    change = {"old": grant.get_old_role_display(), "new": grant.get_role_display(), "by": grant.requested_by,
              "who": grant.decided_by or "—"}
    if grant.state == RoleGrant.State.BOOTSTRAP:
        return _("首位纪检监察人员由系统命令授予（原角色“%(old)s”），无第二人审批") % change
    if grant.state == RoleGrant.State.APPROVED:
        return _("%(by)s 申请“%(old)s”→“%(new)s”，%(who)s 已批准") % change
    if grant.state == RoleGrant.State.REJECTED:
        return _("%(by)s 申请“%(old)s”→“%(new)s”，%(who)s 已驳回") % change
    return _("%(by)s 申请“%(old)s”→“%(new)s”，待审批") % change


KINDS = [
    FindingKind("registration_reads", _("查看报名名单"),
                _("报名截止后每次查看报名名单、以及截止前因法律保全开启报名名单的人和次数。"), registration_list_reads),
    FindingKind("failed_logins", _("多次登录失败"), _("同一用户名一天内登录失败达到阈值。"), repeated_failed_logins),
    FindingKind("off_hours", _("非工作时间修改"), _("工作日 08:30–18:00（上海时间）以外的数据修改。"),
                changes_outside_office_hours),
    FindingKind("agency_supervisor", _("代理兼任监督"), _("同一人在同一项目既代表招标方又以监督身份签到。"),
                agency_and_supervisor),
    FindingKind("frequent_winners", _("异常高频中选"), _("中选次数明显高于随机期望的企业。"), frequent_winners),
    FindingKind("thin_pools", _("候选企业过少"), _("冻结的候选名单刚够最低人数。"), thin_candidate_pools),
    FindingKind("repeated_draws", _("重复抽取"), _("已抽取后再次尝试抽取的项目。"), repeated_draws),
    FindingKind("near_deadline", _("临近截止变动"), _("投标截止前短时间内的投标变动，以及写入后被修改的评分。"),
                changes_near_deadline),
    FindingKind("role_grants", _("敏感角色授予"), _("纪检监察、现场监督角色的每一次授予或撤销申请及其审批，以及对 Django 权限组和权限的直接变更。"),
                role_grants),
]


def all_findings() -> list[tuple[FindingKind, list[Finding]]]:
    return [(kind, kind.select()) for kind in KINDS]
