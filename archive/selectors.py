"""Reads of the archive: who may fetch records and dossiers, and each PDF record's data built from the models as
the plain dicts `archive.pdf.records` takes. Every date printed is a stored one (never "now"), so a record built
twice from the same rows has the same bytes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from archive import pdf
from archive.models import Dossier, RecordNumber
from core.errors import ConfidentialNotFound
from core.roles import Role, can, require
from evaluation import selectors as evaluation_selectors
from lottery.models import Draw
from lottery.selectors import source_rows
from lottery.services import proof_sha256
from trading.models import Contract, FollowUp, Milestone, Organisation, Project, Registration, Session, User
from trading.models.projects import ProjectType, Status

# a dossier is the record of a finished selection: before a result (or a failure) there is nothing to archive
FINISHED = frozenset({Status.DRAWN, Status.PUBLICITY, Status.AWARDED, Status.CONTRACTED, Status.IN_PROGRESS,
                      Status.COMPLETED, Status.FAILED, Status.TERMINATED})
KIND_LABELS = {
    "announcement": gettext_lazy("招标公告"), "registrations": gettext_lazy("报名及资格审查名单"), "draw": gettext_lazy("固定价比选抽取记录"),
    "bid-opening": gettext_lazy("开标记录"), "evaluation": gettext_lazy("评标报告"), "award": gettext_lazy("中标（中选）通知书"),
    "attendance": gettext_lazy("现场签到表"), "followup": gettext_lazy("合同履约跟踪报告"),
    "auction-result": gettext_lazy("成交确认书"),
}
ANNOUNCEMENT_LABELS = {ProjectType.LAND_AUCTION: gettext_lazy("拍卖出让公告"),
                       ProjectType.ASSET_TRANSFER: gettext_lazy("国有资产转让公告")}
AUCTION_RESULT_LABELS = {ProjectType.ASSET_TRANSFER: gettext_lazy("国有资产转让成交确认书")}


# --- who may read ---

def can_read_records(user: User, project: Project) -> bool:
    """Staff records: the project's own agency, supervisors, inspectors and administrators."""
    return can(user, "record.read") and not (user.role == Role.AGENCY and project.agency_id != user.organisation_id)


def ensure_can_read_records(user: User, project: Project) -> None:
    require(user, "record.read")
    if not can_read_records(user, project):
        raise PermissionDenied(_("只能下载本机构项目的档案记录。"))


def ensure_can_build_dossier(user: User) -> None:
    require(user, "dossier.build")


def ensure_can_read_dossier(user: User) -> None:
    """A dossier carries the project's audit extract: inspectors and administrators."""
    require(user, "dossier.read")


def project_by_code(code: str) -> Project:
    project = Project.objects.select_related("agency", "tenderer").filter(code=code).first()
    if project is None:
        raise ConfidentialNotFound(_("项目不存在。"))
    return project


def project_dossiers(project: Project) -> QuerySet[Dossier]:
    return Dossier.objects.filter(project=project).select_related("built_by").order_by("-version")


def dossier_version(project: Project, version: int) -> Dossier:
    dossier = Dossier.objects.filter(project=project, version=version).first()
    if dossier is None:
        raise ConfidentialNotFound(_("没有该版本的档案。"))
    return dossier


def current_dossier(project: Project) -> Dossier | None:
    return project_dossiers(project).first()


# --- records ---

@dataclass(frozen=True)
class Record:
    kind: str  # announcement, draw, attendance-12, …
    label: str
    filename: str
    project: Project
    builder: Callable[[dict], bytes]
    data: Callable[[], dict]  # the record's content without its document number

    def content(self) -> dict[str, Any]:
        """Everything the PDF prints, its document number included: what its footer digest is computed from."""
        return {**self.data(), "doc_number": assigned_number(self.project, self.kind)}

    def build(self) -> bytes:
        return self.builder(self.content())


def assigned_number(project: Project, kind: str) -> str | None:
    """The record's 文号 once archive.services.record_number has assigned it (None before)."""
    return (RecordNumber.objects.filter(project=project, round=project.round, kind=kind)
            .values_list("number", flat=True).first())


def available_records(project: Project) -> list[Record]:
    """The records this project has so far, in the order of its life."""
    records: list[Record] = []
    draw = _draw(project)
    contract = _award_contract(project)

    def add(kind: str, label: str, builder: Callable[[dict], bytes], data: Callable[[], dict]) -> None:
        records.append(Record(kind, label, f"{project.code}-{kind}.pdf", project, builder, data))

    if project.published_at:
        add("announcement", ANNOUNCEMENT_LABELS.get(project.type, KIND_LABELS["announcement"]),
            pdf.build_announcement, lambda: announcement_data(project))
    if project.candidates_frozen_at:
        add("registrations", KIND_LABELS["registrations"], pdf.build_registration_list,
            lambda: registration_list_data(project))
    for session in project.sessions.select_related("room").order_by("starts_at", "id"):
        if session.attendance.exists():
            add(f"attendance-{session.pk}", f"{KIND_LABELS['attendance']} · {session.get_kind_display()}",
                pdf.build_attendance_sheet, lambda s=session: attendance_data(s))
    for kind, builder, data in _evaluation_records(project):
        add(kind, KIND_LABELS[kind], builder, data)
    auction = evaluation_selectors.auction(project)
    if auction is not None and auction.sold:
        add("auction-result", AUCTION_RESULT_LABELS.get(project.type, KIND_LABELS["auction-result"]),
            pdf.build_auction_result, lambda: auction_result_data(project, auction))
    if draw is not None:
        add("draw", KIND_LABELS["draw"], pdf.build_draw_record, lambda: draw_record_data(project, draw))
    if contract is not None and auction is None:  # a sale's notice is its 成交确认书 (auction-result)
        add("award", KIND_LABELS["award"], pdf.build_award_notice, lambda: award_notice_data(project, contract))
    if FollowUp.objects.filter(project=project).exists():
        add("followup", KIND_LABELS["followup"], pdf.build_followup_report, lambda: followup_data(project))
    return records


def _evaluation_records(project: Project) -> list[tuple[str, Callable[[dict], bytes], Callable[[], dict]]]:
    """The opening record and the evaluation report, from evaluation's own data, dated when they happened."""
    found = []
    box = evaluation_selectors.box(project)
    if box is not None and box.opened_at is not None:
        found.append(("bid-opening", pdf.build_bid_opening_record, lambda: {
            **evaluation_selectors.opening_record(project), **_common(project, box.opened_at)}))
    result = evaluation_selectors.result(project)
    if result is not None:
        found.append(("evaluation", pdf.build_evaluation_report, lambda: {
            **evaluation_selectors.evaluation_report(project), **_common(project, result.computed_at)}))
    return found


def record_for(project: Project, kind: str) -> Record:
    record = next((r for r in available_records(project) if r.kind == kind), None)
    if record is None:
        raise ConfidentialNotFound(_("该项目没有此类记录：%(kind)s") % {"kind": kind})
    return record


def centre_name() -> str:
    centre = Organisation.objects.filter(kind=Organisation.Kind.CENTRE, is_active=True).order_by("pk").first()
    return centre.name if centre else _("公共资源交易中心")


def _common(project: Project, issued_at: dt.datetime) -> dict[str, Any]:
    return {"project": project_facts(project), "issued_at": issued_at, "centre": centre_name(),
            "time_zone": settings.TIME_ZONE}


def _moment(value: Any) -> dt.datetime | None:
    """A time a proof's metadata keeps as ISO 8601 text, as a datetime (the PDF prints it in TIME_ZONE)."""
    return dt.datetime.fromisoformat(value) if isinstance(value, str) and value else None


def project_facts(project: Project) -> dict[str, Any]:
    return {"code": project.code, "title": project.title, "type": project.get_type_display(),
            "tenderer": project.tenderer.name if project.tenderer_id else None, "agency": project.agency.name,
            "budget": project.budget, "fixed_price": project.fixed_price}


def announcement_data(project: Project) -> dict[str, Any]:
    data = {**_common(project, project.published_at), "published_at": project.published_at,
            "deadline": project.registration_deadline, "body": project.announcement or project.title,
            "requirements": _requirements(project), "notice": project.notice or None}
    if project.type in (ProjectType.LAND_AUCTION, ProjectType.ASSET_TRANSFER):
        auction = evaluation_selectors.auction(project)
        data["kind"] = "土地拍卖" if project.type == ProjectType.LAND_AUCTION else "资产转让"
        data["auction"] = {"starting_price": auction.starting_price if auction else None,
                           "increment": auction.increment if auction else None,
                           "method": _("增价拍卖，价高者得；设有保留价的，最高应价不低于保留价方可成交")}
    return data


def _requirements(project: Project) -> list[str]:
    """资格要求 of a fixed-price selection, 竞买人资格 of an auction; a procurement's are in its tender documents."""
    if project.is_fixed_price:
        requirements = []
        if project.qualification_kind:
            requirements.append(_("具有有效的%(kind)s%(grade)s及以上资质") % {
                "kind": project.get_qualification_kind_display(),
                "grade": project.get_qualification_grade_display()})
        return requirements + [_("具有有效的安全生产许可证"), _("拟派项目经理无在建项目"), _("企业未处于固定价比选暂停期")]
    if project.type == ProjectType.LAND_AUCTION:
        return [_("中华人民共和国境内外的法人和其他组织，除法律、法规另有规定外，均可申请参加竞买"),
                _("竞买人须在竞买申请截止时间前提交竞买申请并按规定交纳竞买保证金"),
                _("在本市有拖欠土地出让价款、闲置土地或不良行为记录且在处理期内的，不得参加竞买"),
                _("本次出让不接受联合竞买")]
    if project.type == ProjectType.ASSET_TRANSFER:
        return [_("意向受让方须为依法设立并有效存续的法人、其他组织或具有完全民事行为能力的自然人"),
                _("意向受让方须按规定交纳交易保证金，并承诺以现金方式一次性支付成交价款"),
                _("有不良行为记录且在处理期内的，不得参加竞买")]
    return [_("符合《中华人民共和国政府采购法》第二十二条规定的条件"), _("其他资格要求详见招标文件")]


def auction_result_data(project: Project, auction: Any) -> dict[str, Any]:
    """成交确认书 of a sold auction, from the auction's own append-only log."""
    numbers = {b.bidder_id: b.number for b in auction.bidders.all()}
    session = auction.session
    return {**_common(project, auction.hammered_at),
            "kind": "资产转让" if project.type == ProjectType.ASSET_TRANSFER else "土地拍卖",
            "subject": project.title, "seller": project.tenderer.name if project.tenderer_id else project.agency.name,
            "winner": {"name": auction.winner.name, "uscc": auction.winner.uscc,
                       "number": numbers.get(auction.winner_id)},
            "hammer_price": auction.hammer_price, "starting_price": auction.starting_price,
            "increment": auction.increment, "started_at": auction.started_at, "hammered_at": auction.hammered_at,
            "room": session.room.name if session else None, "auctioneer": str(project.created_by),
            "bids": [{"seq": b.seq, "number": b.bidder_number, "amount": b.amount, "at": b.at}
                     for b in auction.log.order_by("seq")],
            "sign_days": settings.SIGN_DAYS}


def registration_list_data(project: Project) -> dict[str, Any]:
    registrations = (Registration.objects.filter(project=project, round=project.round)
                     .select_related("enterprise", "reviewed_by").order_by("registered_at", "id"))
    reviewers = sorted({str(r.reviewed_by) for r in registrations if r.reviewed_by_id})
    return {**_common(project, project.candidates_frozen_at), "deadline": project.registration_deadline,
            "reviewer": "、".join(reviewers) or _("系统自动核验"),
            "candidates": [_candidate(r) for r in registrations]}


def _candidate(registration: Registration) -> dict[str, Any]:
    reasons = list(registration.exclusion_reasons) or [_("资质、安全生产许可证、项目经理及在手项目核验通过")]
    override = registration.review_reason if registration.review == Registration.Review.OVERRIDDEN else None
    return {"name": registration.enterprise.name, "uscc": registration.enterprise.uscc,
            "registered_at": registration.registered_at, "eligible": bool(registration.eligible),
            "reasons": reasons, "override": override}


def _draw(project: Project) -> Draw | None:
    return Draw.objects.filter(project=project).select_related("session__room", "drawn_by").order_by("-round").first()


def verify_url(project: Project) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/projects/{project.code}/result/"


def draw_record_data(project: Project, draw: Draw) -> dict[str, Any]:
    proof, meta = draw.proof, draw.proof.get("metadata", {})
    names = dict(Registration.objects.filter(project=project, round=draw.round)
                 .values_list("enterprise__uscc", "enterprise__name"))
    # fps-draw-v1: the supervisors who sealed inputs; RFC 3797: those present when the values were entered
    usernames = meta.get("supervisors") or meta.get("supervisors_present", [])
    by_name = {u.username: str(u) for u in User.objects.filter(username__in=usernames)}
    return {**_common(project, draw.drawn_at), "drawn_at": draw.drawn_at,
            "room": draw.session.room.name if draw.session_id else meta.get("room"),
            "supervisors": [by_name.get(name, name) for name in usernames],
            "operator": str(draw.drawn_by), "proof": proof,
            "commitment_published_at": _moment(meta.get("commitment_published_at")
                                               or meta.get("sources_announced_at")),
            "digest_published_at": _moment(meta.get("candidates_frozen_at")), "names": names,
            "source_rows": source_rows(draw),
            "proof_sha256": draw.proof_sha256 or proof_sha256(proof), "verify_url": verify_url(project)}


def _award_contract(project: Project) -> Contract | None:
    """The standing offer: the signed contract, else the latest offer that has not lapsed."""
    contracts = project.contracts.select_related("enterprise").order_by("-offered_at", "-id")
    return contracts.filter(state=Contract.State.SIGNED).first() or contracts.exclude(
        state=Contract.State.LAPSED).first()


def award_notice_data(project: Project, contract: Contract) -> dict[str, Any]:
    return {**_common(project, contract.offered_at), "price": contract.amount,
            "winner": {"name": contract.enterprise.name, "uscc": contract.enterprise.uscc},
            "duration": None, "sign_by": contract.sign_deadline,
            "issuer": project.tenderer.name if project.tenderer_id else project.agency.name}


def attendance_data(session: Session) -> dict[str, Any]:
    rows = session.attendance.select_related("user__organisation").order_by("signed_at", "id")
    return {**_common(session.project, session.starts_at),
            "session": {"kind": session.get_kind_display(), "room": session.room.name,
                        "starts_at": session.starts_at},
            "attendees": [{"name": str(a.user), "organisation": a.user.organisation.name if a.user.organisation_id
                           else None, "role": a.get_badge_display(), "signed_in_at": a.signed_at} for a in rows]}


def followup_data(project: Project) -> dict[str, Any]:
    followup = FollowUp.objects.select_related("officer").get(project=project)
    contract = _award_contract(project)
    milestones = list(Milestone.objects.filter(project=project).order_by("due", "id"))
    issued = (Milestone.history.filter(project_id=project.pk).aggregate(at=Max("history_date"))["at"]
              or followup.history.aggregate(at=Max("history_date"))["at"])
    today = timezone.localdate(issued)  # the centre's day, as 制表时间 prints it: not UTC's
    return {**_common(project, issued), "staff": str(followup.officer), "period": None,
            "contract": {"contractor": contract.enterprise.name if contract else None,
                         "signed_at": contract.signed_at if contract else None,
                         "price": contract.amount if contract else None, "due": None},
            "milestones": [{"name": m.title, "due": m.due, "done_at": m.done_on, "note": m.note,
                            "status": _milestone_status(m, today)} for m in milestones],
            "issues": [{"found_at": r.created_at, "description": r.text, "action": _("移送纪检监察"),
                        "referral": _("是")} for r in project.referrals.order_by("created_at")]}


def _milestone_status(milestone: Milestone, today: dt.date) -> str:
    if milestone.done_on:
        return _("已完成")
    return _("逾期预警") if milestone.due < today else _("进行中")
