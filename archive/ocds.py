"""A project as an OCDS 1.1 release package (docs/ocds.md says how our fields map).

Each round of a project is one contracting process (ocid `<prefix>-<code>-r<round>`): a round that failed (流标)
is released with tender status `unsuccessful`, and the round re-published after it names it in
`relatedProcesses` with the relationship `unsuccessfulProcess`. Fixed-price selection (固定价比选) has no bid
prices to compare: the winner is chosen by the verifiable draw, so `tender.awardCriteria` is `randomSelection`
(an extension of the open awardCriteria codelist, explained in `awardCriteriaDetails`) and the draw proof is a
tender document. Amounts are JSON numbers (OCDS `Value.amount`): yuan with two places, exact in a double below
10^13. Until a round's registration deadline its release names no tenderer and gives no number of tenderers
(招标投标法 art. 22): `tenderers`, `numberOfTenderers` and the parties with role `tenderer` appear only after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Max

from archive.selectors import verify_url
from core import clock
from core.errors import ConfidentialNotFound
from lottery.models import Draw
from trading.models import Contract, Organisation, Project, Registration
from trading.models.projects import ProjectType, Status
from trading.selectors import registrations_sealed

OCDS_VERSION = "1.1"
RANDOM_SELECTION = "randomSelection"
RANDOM_SELECTION_DETAILS = (
    "固定价比选：合同价在公告中固定，符合资格条件的报名企业通过可验证随机抽取（fps-draw-v1）排序，第一名中选，"
    "其余依次为候补。Fixed-price selection: the contract price is fixed in the notice; eligible registered "
    "enterprises are ranked by the verifiable draw fps-draw-v1 (see the proof document); the first is selected.")
TENDER_STATUS = {
    Status.DRAFT: "planning", Status.PUBLISHED: "active", Status.REGISTRATION_CLOSED: "active",
    Status.QUALIFIED: "active", Status.OPENED: "active", Status.EVALUATED: "active", Status.FAILED: "unsuccessful",
    Status.TERMINATED: "cancelled", Status.DRAWN: "complete", Status.PUBLICITY: "complete",
    Status.AWARDED: "complete", Status.CONTRACTED: "complete", Status.IN_PROGRESS: "complete",
    Status.COMPLETED: "complete",
}
CATEGORY = {ProjectType.FIXED_PRICE: "works", ProjectType.PROCUREMENT: "goods",
            ProjectType.LAND_AUCTION: "services", ProjectType.ASSET_TRANSFER: "services"}
CONTRACT_STATUS = {Contract.State.OFFERED: "pending", Contract.State.SIGNED: "active",
                   Contract.State.LAPSED: "cancelled"}


def prefix() -> str:
    return settings.OCDS_PREFIX


def ocid(project: Project, round_: int) -> str:
    return f"{prefix()}-{project.code}-r{round_}"


def _base() -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/")


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def _value(amount: Decimal | None) -> dict[str, Any] | None:
    return None if amount is None else {"amount": float(amount), "currency": "CNY"}


def public_project(code: str) -> Project:
    """Anyone may read a published project's OCDS; a draft does not exist for this API."""
    project = Project.objects.select_related("agency", "tenderer").filter(code=code).first()
    if project is None or project.status == Status.DRAFT:
        raise ConfidentialNotFound("no such project")
    return project


def release_package(project: Project) -> dict[str, Any]:
    releases = [round_release(project, n) for n in range(1, project.round + 1)]
    centre = Organisation.objects.filter(kind=Organisation.Kind.CENTRE).order_by("pk").first()
    publisher: dict[str, Any] = {"name": centre.name if centre else "公共资源交易中心"}
    if centre:
        publisher |= {"scheme": "CN-USCC", "uid": centre.uscc}
    return {"uri": f"{_base()}/api/ocds/{project.code}", "version": OCDS_VERSION,
            "publishedDate": max(r["date"] for r in releases), "publisher": publisher, "releases": releases}


def _round_state(project: Project, round_: int) -> dict[str, Any]:
    """The project as it stood at the end of a round: the current row, or the last history row of that round."""
    if round_ == project.round:
        last = project.history.aggregate(at=Max("history_date"))["at"] or clock.now()
        return {"status": project.status, "published_at": project.published_at, "date": last,
                "deadline": project.registration_deadline}
    row = project.history.filter(round=round_).order_by("-history_date", "-history_id").first()
    return {"status": row.status, "published_at": row.published_at, "date": row.history_date,
            "deadline": row.registration_deadline}


def round_release(project: Project, round_: int) -> dict[str, Any]:
    state = _round_state(project, round_)
    current = round_ == project.round
    registrations = None if current and registrations_sealed(project) else list(
        Registration.objects.filter(project=project, round=round_).select_related("enterprise")
        .order_by("enterprise__uscc"))
    draw = Draw.objects.filter(project=project, round=round_).first()
    contracts = list(project.contracts.select_related("enterprise").order_by("offered_at", "id")) if current else []
    release: dict[str, Any] = {
        "ocid": ocid(project, round_), "id": f"{project.code}-r{round_}-{_iso(state['date'])}",
        "date": _iso(state["date"]), "tag": _tags(state["status"], contracts), "initiationType": "tender",
        "language": "zh", "parties": _parties(project, registrations, contracts),
        "buyer": _org_ref(project.tenderer or project.agency),
        "tender": _tender(project, round_, state, registrations, draw),
    }
    awards = _awards(project, draw, contracts) if current else []
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = [_contract(project, c) for c in contracts]
    related = [_unsuccessful(project, n) for n in range(1, round_)]
    if related:
        release["relatedProcesses"] = related
    return release


def _tags(status: str, contracts: list[Contract]) -> list[str]:
    if contracts:
        return ["award", "contract"]
    if status in (Status.DRAWN, Status.PUBLICITY, Status.AWARDED):
        return ["award"]
    return ["tenderCancellation"] if status == Status.TERMINATED else ["tender"]


def _org_ref(org: Organisation) -> dict[str, str]:
    return {"id": f"CN-USCC-{org.uscc}", "name": org.name}


def _party(org: Organisation, roles: list[str]) -> dict[str, Any]:
    return {**_org_ref(org), "identifier": {"scheme": "CN-USCC", "id": org.uscc, "legalName": org.name},
            "roles": roles}


def _parties(project: Project, registrations: list[Registration] | None, contracts: list[Contract]) -> list[dict]:
    roles: dict[int, tuple[Organisation, list[str]]] = {}

    def add(org: Organisation | None, role: str) -> None:
        if org is not None and role not in roles.setdefault(org.pk, (org, []))[1]:
            roles[org.pk][1].append(role)

    add(project.tenderer or project.agency, "buyer")
    add(project.agency, "procuringEntity")
    for registration in registrations or []:
        add(registration.enterprise, "tenderer")
    for contract in contracts:
        add(contract.enterprise, "supplier")
    return [_party(org, role_list) for org, role_list in roles.values()]


def _tender(project: Project, round_: int, state: dict, registrations: list[Registration] | None,
            draw: Draw | None) -> dict[str, Any]:
    """`registrations` is None while they are sealed: then neither who nor how many."""
    tender: dict[str, Any] = {
        "id": f"{project.code}-r{round_}", "title": project.title, "status": TENDER_STATUS[state["status"]],
        "value": _value(project.fixed_price if project.is_fixed_price else project.budget),
        "procurementMethod": "open", "procurementMethodDetails": project.get_type_display(),
        "mainProcurementCategory": CATEGORY[project.type], "procuringEntity": _org_ref(project.agency),
        "tenderPeriod": {"startDate": _iso(state["published_at"]), "endDate": _iso(state["deadline"])},
        "documents": [{"id": f"{project.code}-r{round_}-notice", "documentType": "tenderNotice",
                       "title": f"{project.title} 公告", "url": f"{_base()}/projects/{project.code}/",
                       "datePublished": _iso(state["published_at"]), "language": "zh", "format": "text/html"}],
    }
    if registrations is not None:
        tender |= {"numberOfTenderers": len(registrations),
                   "tenderers": [_org_ref(r.enterprise) for r in registrations]}
    if project.is_fixed_price:
        tender |= {"awardCriteria": RANDOM_SELECTION, "awardCriteriaDetails": RANDOM_SELECTION_DETAILS}
    if state["status"] == Status.FAILED:
        tender["statusDetails"] = "流标：符合条件的报名企业不足"
    if draw is not None:
        tender["documents"].append(_proof_document(project, draw))
    return tender


def _proof_document(project: Project, draw: Draw) -> dict[str, Any]:
    return {"id": f"{project.code}-r{draw.round}-proof", "documentType": "evaluationReports",
            "title": "随机抽取验证材料（fps-draw-v1 proof）",
            "description": (f"SHA-256 {draw.proof_sha256}; commitment {draw.proof['commitment']}; verify offline "
                            f"with lottery/verify.py or at {verify_url(project)}"),
            "url": f"{_base()}/api/projects/{project.code}/proof", "datePublished": _iso(draw.drawn_at),
            "format": "application/json"}


def _awards(project: Project, draw: Draw | None, contracts: list[Contract]) -> list[dict[str, Any]]:
    if contracts:
        return [{"id": f"{project.code}-award-{c.pk}", "title": project.title,
                 "status": "cancelled" if c.state == Contract.State.LAPSED else "active", "date": _iso(c.offered_at),
                 "value": _value(c.amount), "suppliers": [_org_ref(c.enterprise)]} for c in contracts]
    if draw is None:
        return []
    winner = Organisation.objects.filter(uscc=draw.proof["ranking"][0]).first()
    return [{"id": f"{project.code}-r{draw.round}-draw", "title": project.title, "status": "pending",
             "date": _iso(draw.drawn_at), "value": _value(project.fixed_price),
             "suppliers": [_org_ref(winner)] if winner else []}]


def _contract(project: Project, contract: Contract) -> dict[str, Any]:
    status = CONTRACT_STATUS[contract.state]
    if contract.state == Contract.State.SIGNED and project.status == Status.COMPLETED:
        status = "terminated"  # OCDS: a contract that has ended
    result = {"id": f"{project.code}-contract-{contract.pk}", "awardID": f"{project.code}-award-{contract.pk}",
              "title": project.title, "status": status, "value": _value(contract.amount)}
    if contract.signed_at:
        result["dateSigned"] = _iso(contract.signed_at)
    return result


def _unsuccessful(project: Project, round_: int) -> dict[str, Any]:
    return {"id": f"round-{round_}", "relationship": ["unsuccessfulProcess"],
            "title": f"{project.title}（第{round_}轮，流标）", "scheme": "ocid",
            "identifier": ocid(project, round_), "uri": f"{_base()}/api/ocds/{project.code}"}


def exportable_projects():
    return Project.objects.exclude(status=Status.DRAFT).select_related("agency", "tenderer").order_by("code")
