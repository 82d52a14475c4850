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

from archive.models import Release
from archive.selectors import verify_url
from core.errors import ConfidentialNotFound
from evaluation.models import Auction, Bid, BidRound, Candidate, EvaluationResult
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


def iso(value: dt.datetime | None) -> str | None:
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
    """Every release stored for the project, oldest first (call archive.services.release_record first)."""
    releases = [row.data for row in Release.objects.filter(project=project).order_by("date", "id")]
    return {"uri": package_uri(project), "version": OCDS_VERSION,
            "publishedDate": max((r["date"] for r in releases), default=None), "publisher": _publisher(),
            "releases": releases}


def record_package(project: Project) -> dict[str, Any]:
    """One record per contracting process (round): the releases linked, and the compiled release merged from them
    by the OCDS merge rules (archive.ocds.compile_releases)."""
    rows = list(Release.objects.filter(project=project).order_by("date", "id"))
    records = []
    for process in dict.fromkeys(row.ocid for row in rows):
        releases = [row.data for row in rows if row.ocid == process]
        records.append({"ocid": process, "releases": [
            {"url": f"{package_uri(project)}#{r['id']}", "date": r["date"], "tag": r["tag"]} for r in releases],
            "compiledRelease": compile_releases(releases)})
    return {"uri": f"{package_uri(project)}/record", "version": OCDS_VERSION,
            "publishedDate": max((row.data["date"] for row in rows), default=None), "publisher": _publisher(),
            "packages": [package_uri(project)], "records": records}


def package_uri(project: Project) -> str:
    return f"{_base()}/api/ocds/{project.code}"


def _publisher() -> dict[str, Any]:
    centre = Organisation.objects.filter(kind=Organisation.Kind.CENTRE).order_by("pk").first()
    publisher: dict[str, Any] = {"name": centre.name if centre else "公共资源交易中心"}
    if centre:
        publisher |= {"scheme": "CN-USCC", "uid": centre.uscc}
    return publisher


def compile_releases(releases: list[dict[str, Any]]) -> dict[str, Any]:
    """The compiled release of one process from its releases, oldest first, by the OCDS merge rules
    (https://standard.open-contracting.org/1.1/en/schema/merging/): objects merge field by field, arrays of objects
    with an `id` merge by id, any other value (and array) is replaced by the newer one, null removes a field. The
    tests check the result against ocdskit's compile."""
    compiled: dict[str, Any] = {}
    for release in releases:
        compiled = _merge(compiled, {k: v for k, v in release.items() if k not in ("id", "tag")})
    last = releases[-1]
    return {**compiled, "id": f"{last['ocid']}-{last['date']}", "tag": ["compiled"], "date": last["date"]}


def _merge(old: Any, new: Any) -> Any:
    if isinstance(new, dict):
        merged = dict(old) if isinstance(old, dict) else {}
        for key, value in new.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = _merge(merged.get(key), value)
        return merged
    if isinstance(new, list) and new and all(isinstance(i, dict) and "id" in i for i in new):
        items = {i["id"]: i for i in old if isinstance(i, dict) and "id" in i} if isinstance(old, list) else {}
        for item in new:
            items[item["id"]] = _merge(items.get(item["id"]), item)
        return list(items.values())
    return new


def _round_state(project: Project, round_: int) -> dict[str, Any]:
    """The project as it stood at the end of a round: the current row, or the last history row of that round."""
    if round_ == project.round:
        return {"status": project.status, "published_at": project.published_at,
                "deadline": project.registration_deadline}
    row = project.history.filter(round=round_).order_by("-history_date", "-history_id").first()
    return {"status": row.status, "published_at": row.published_at, "deadline": row.registration_deadline}


def release_content(project: Project, round_: int) -> dict[str, Any]:
    """What the project discloses now about one round, as an OCDS release without its `id` and `date` (those are
    given when it is stored, archive.services.release_record)."""
    state = _round_state(project, round_)
    current = round_ == project.round
    sealed = current and registrations_sealed(project)
    draw = Draw.objects.filter(project=project, round=round_).first()
    auction = Auction.objects.filter(project=project, round=round_).select_related("winner").first()
    contracts = list(project.contracts.select_related("enterprise").order_by("offered_at", "id")) if current else []
    tenderers = None if sealed else _tenderers(project, round_, auction)
    awards = _awards(project, round_, draw, auction, contracts) if current else []
    release: dict[str, Any] = {
        "ocid": ocid(project, round_), "tag": _tags(state["status"], awards, contracts),
        "initiationType": "tender", "language": "zh",
        "parties": _parties(project, tenderers, awards),
        "buyer": _org_ref(project.tenderer or project.agency),
        "tender": _tender(project, round_, state, tenderers, draw, auction),
    }
    if awards:
        release["awards"] = awards
    if contracts:
        release["contracts"] = [_contract(project, round_, c) for c in contracts]
    related = [_unsuccessful(project, n) for n in range(1, round_)]
    if related:
        release["relatedProcesses"] = related
    return release


def _tenderers(project: Project, round_: int, auction: Auction | None) -> list[Organisation] | None:
    """Who took part in the round, once that may be known (None before): the bidders whose bids were opened
    (procurement: who bid and how many is known at the opening), the registered bidders of an auction, or the
    enterprises registered by the deadline (fixed-price selection)."""
    if project.type == ProjectType.PROCUREMENT:
        box = BidRound.objects.filter(project=project, round=round_, opened_at__isnull=False).first()
        if box is None:
            return None
        bids = Bid.objects.filter(project=project, round=round_, state=Bid.State.ACTIVE).select_related("bidder")
        return sorted({b.bidder for b in bids}, key=lambda o: o.uscc)
    if auction is not None:
        return sorted((b.bidder for b in auction.bidders.select_related("bidder")), key=lambda o: o.uscc)
    registrations = (Registration.objects.filter(project=project, round=round_).select_related("enterprise")
                     .order_by("enterprise__uscc"))
    return [r.enterprise for r in registrations]


def _tags(status: str, awards: list[dict], contracts: list[Contract]) -> list[str]:
    if contracts:
        return ["award", "contract"]
    if awards:
        return ["award"]
    return ["tenderCancellation"] if status == Status.TERMINATED else ["tender"]


def _org_ref(org: Organisation) -> dict[str, str]:
    return {"id": f"CN-USCC-{org.uscc}", "name": org.name}


def _party(org: Organisation, roles: list[str]) -> dict[str, Any]:
    return {**_org_ref(org), "identifier": {"scheme": "CN-USCC", "id": org.uscc, "legalName": org.name},
            "roles": roles}


def _parties(project: Project, tenderers: list[Organisation] | None, awards: list[dict]) -> list[dict]:
    roles: dict[int, tuple[Organisation, list[str]]] = {}

    def add(org: Organisation | None, role: str) -> None:
        if org is not None and role not in roles.setdefault(org.pk, (org, []))[1]:
            roles[org.pk][1].append(role)

    add(project.tenderer or project.agency, "buyer")
    add(project.agency, "procuringEntity")
    for org in tenderers or []:
        add(org, "tenderer")
    suppliers = {s["id"] for award in awards if award["status"] != "cancelled" for s in award["suppliers"]}
    for org in Organisation.objects.filter(uscc__in=[i.removeprefix("CN-USCC-") for i in suppliers]):
        add(org, "supplier")
    return [_party(org, role_list) for org, role_list in roles.values()]


def _tender(project: Project, round_: int, state: dict, tenderers: list[Organisation] | None,
            draw: Draw | None, auction: Auction | None) -> dict[str, Any]:
    """`tenderers` is None while the registrations are sealed: then neither who nor how many."""
    tender: dict[str, Any] = {
        "id": f"{project.code}-r{round_}", "title": project.title, "status": TENDER_STATUS[state["status"]],
        "value": _value(project.fixed_price if project.is_fixed_price else project.budget),
        "procurementMethod": "open", "procurementMethodDetails": project.get_type_display(),
        "mainProcurementCategory": CATEGORY[project.type], "procuringEntity": _org_ref(project.agency),
        "tenderPeriod": {"startDate": iso(state["published_at"]), "endDate": iso(state["deadline"])},
        "documents": [{"id": f"{project.code}-r{round_}-notice", "documentType": "tenderNotice",
                       "title": f"{project.title} 公告", "url": f"{_base()}/projects/{project.code}/",
                       "datePublished": iso(state["published_at"]), "language": "zh", "format": "text/html"}],
    }
    if tenderers is not None:
        tender["numberOfTenderers"] = len(tenderers)
        if tenderers:
            tender["tenderers"] = [_org_ref(o) for o in tenderers]
    if project.is_fixed_price:
        tender |= {"awardCriteria": RANDOM_SELECTION, "awardCriteriaDetails": RANDOM_SELECTION_DETAILS}
    if auction is not None:
        tender["minValue"] = _value(auction.starting_price)
        tender |= {"awardCriteria": "priceOnly", "awardCriteriaDetails": "拍卖：价高者得（起拍价、加价幅度、保留价见公告）"}
    if state["status"] == Status.FAILED:
        tender["statusDetails"] = (auction.outcome if auction is not None and auction.outcome
                                   else "流标：符合条件的报名企业不足")
    if draw is not None:
        tender["documents"].append(_proof_document(project, draw))
    return tender


def _proof_document(project: Project, draw: Draw) -> dict[str, Any]:
    return {"id": f"{project.code}-r{draw.round}-proof", "documentType": "evaluationReports",
            "title": f"随机抽取验证材料（{draw.proof['protocol']} proof）",
            "description": (f"SHA-256 {draw.proof_sha256}; commitment {draw.proof.get('commitment', '—')}; verify "
                            f"offline with lottery/verify.py or at {verify_url(project)}"),
            "url": f"{_base()}/api/projects/{project.code}/proof", "datePublished": iso(draw.drawn_at),
            "format": "application/json"}


def award_id(project: Project, round_: int, supplier: Organisation) -> str:
    """One award per supplier and round, the same id at every stage (draw or evaluation, award, contract), so that
    merging the releases gives one award per supplier."""
    return f"{project.code}-r{round_}-award-{supplier.uscc}"


def _awards(project: Project, round_: int, draw: Draw | None, auction: Auction | None,
            contracts: list[Contract]) -> list[dict[str, Any]]:
    """The round's award decisions: the provisional one (the draw's first, the evaluation's first candidate, the
    auction's winner at the hammer price), then each contract offer to its supplier at the contract amount."""
    awards: dict[str, dict[str, Any]] = {}

    def put(org: Organisation, status: str, date: dt.datetime | None, amount: Decimal | None) -> None:
        awards[org.uscc] = {"id": award_id(project, round_, org), "title": project.title, "status": status,
                            "date": iso(date), "value": _value(amount), "suppliers": [_org_ref(org)]}

    if draw is not None and draw.proof.get("ranking"):
        winner = Organisation.objects.filter(uscc=draw.proof["ranking"][0]).first()
        if winner is not None:
            put(winner, "pending", draw.drawn_at, project.fixed_price)
    result = EvaluationResult.objects.filter(project=project, round=round_).first()
    for candidate in (Candidate.objects.filter(project=project, round=round_).select_related("bid__bidder")
                      .order_by("rank")):
        if candidate.state == Candidate.State.WITHDRAWN:  # once the first: its award is cancelled
            put(candidate.bid.bidder, "cancelled", result and result.computed_at, candidate.bid.price)
            continue
        put(candidate.bid.bidder, "pending", result and result.computed_at, candidate.bid.price)
        break
    if auction is not None and auction.sold and auction.winner is not None:
        put(auction.winner, "active", auction.hammered_at, auction.hammer_price)
    for contract in contracts:
        put(contract.enterprise, "cancelled" if contract.state == Contract.State.LAPSED else "active",
            contract.offered_at, contract.amount)
    return [{k: v for k, v in award.items() if v is not None} for award in awards.values()]


def _contract(project: Project, round_: int, contract: Contract) -> dict[str, Any]:
    status = CONTRACT_STATUS[contract.state]
    if contract.state == Contract.State.SIGNED and project.status == Status.COMPLETED:
        status = "terminated"  # OCDS: a contract that has ended
    result = {"id": f"{project.code}-contract-{contract.pk}", "awardID": award_id(project, round_, contract.enterprise),
              "title": project.title, "status": status, "value": _value(contract.amount)}
    if contract.signed_at:
        result["dateSigned"] = iso(contract.signed_at)
    return result


def _unsuccessful(project: Project, round_: int) -> dict[str, Any]:
    return {"id": f"round-{round_}", "relationship": ["unsuccessfulProcess"],
            "title": f"{project.title}（第{round_}轮，流标）", "scheme": "ocid",
            "identifier": ocid(project, round_), "uri": package_uri(project)}


def exportable_projects():
    return Project.objects.exclude(status=Status.DRAFT).select_related("agency", "tenderer").order_by("code")
