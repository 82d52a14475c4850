"""Reads, scoped to who is asking, and the plain records Archive turns into PDFs (`opening_record`,
`evaluation_report`, shaped like `archive.pdf.samples`). Before the opening nobody learns who bid or how many;
expert names are hidden from agencies and bidders until the evaluation ends."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core import clock
from core.money import format_yuan
from core.roles import Role, can, role_of
from evaluation.models import (
    Auction,
    AuctionBidder,
    Bid,
    BidRound,
    Candidate,
    EvaluationPlan,
    EvaluationResult,
    Expert,
    Objection,
    OpeningConfirmation,
    Panel,
    PanelMember,
    Score,
)
from trading.models import Organisation, Project, User
from trading.models.projects import Status
from trading.selectors import manages

CANDIDATE_VISIBLE = frozenset({Status.PUBLICITY, Status.AWARDED, Status.CONTRACTED, Status.IN_PROGRESS,
                               Status.COMPLETED})


def box(project: Project) -> BidRound | None:
    return BidRound.objects.filter(project=project, round=project.round).first()


def is_opened(project: Project) -> bool:
    found = box(project)
    return bool(found and found.opened_at)


def own_bids(user: User, project: Project) -> list[Bid]:
    """A bidder's own submissions of this round, every state (its receipts' history)."""
    if not can(user, "project.register") or user.organisation_id is None:
        return []
    return list(Bid.objects.filter(project=project, round=project.round, bidder_id=user.organisation_id)
                .order_by("submitted_at", "pk"))


def opened_bids(project: Project) -> list[Bid]:
    """The opened list (public once opened); before the opening, nothing — not even the count."""
    if not is_opened(project):
        return []
    return list(Bid.objects.filter(project=project, round=project.round, state=Bid.State.ACTIVE)
                .select_related("bidder").order_by("submitted_at", "pk"))


def objections(project: Project, stage: str | None = None):
    qs = Objection.objects.filter(project=project, round=project.round)
    return qs.filter(stage=stage) if stage else qs


def panel(project: Project) -> Panel | None:
    return Panel.objects.filter(project=project, round=project.round).first()


def names_visible(user: User, found: Panel) -> bool:
    """Supervisors, inspectors and administrators always; agencies and bidders once the evaluation ended."""
    return bool(found.ended_at) or role_of(user) in ("supervisor", "inspector", "admin")


def panel_rows(user: User, project: Project) -> list[dict[str, Any]]:
    found = panel(project)
    if found is None or found.drawn_at is None:
        return []
    visible = names_visible(user, found)
    rows = []
    for member in found.members.select_related("expert", "replaces").order_by("pk"):
        own = member.expert.user_id == getattr(user, "pk", None)
        shown = visible or own
        rows.append({
            "id": member.pk, "rank": member.rank, "state": member.state, "state_label": member.get_state_display(),
            "name": member.expert.name if shown else _("评委%(n)d") % {"n": member.rank},
            "identifier": member.expert.identifier if shown else "",
            "specialty": member.expert.specialty, "declined_reason": member.declined_reason,
            "replaces_rank": member.replaces.rank if member.replaces else None,
            "submitted": bool(member.submitted_at), "is_me": own,
        })
    return rows


def expert_seats(user: User) -> list[PanelMember]:
    """The panels an expert sits on, newest first."""
    if not can(user, "bid.score"):
        raise PermissionDenied(_("您的角色无权执行此操作。"))
    return list(PanelMember.objects.filter(expert__user=user).select_related("panel__project")
                .order_by("-panel__requested_at"))


def plan(project: Project) -> EvaluationPlan | None:
    return EvaluationPlan.objects.filter(project=project, round=project.round).first()


def result(project: Project) -> EvaluationResult | None:
    return EvaluationResult.objects.filter(project=project, round=project.round).first()


def candidates(project: Project) -> list[Candidate]:
    return list(Candidate.objects.filter(project=project, round=project.round).select_related("bid__bidder"))


def public_candidates(project: Project) -> list[dict[str, Any]]:
    """The publicised winning candidates (条例 §54): empty before publicity."""
    if project.status not in CANDIDATE_VISIBLE:
        return []
    return [{"rank": c.rank, "bidder": c.bid.bidder.name, "uscc": c.bid.bidder.uscc, "price": c.bid.price,
             "total": c.total, "state": c.state, "state_label": c.get_state_display(), "reason": c.reason}
            for c in candidates(project)]


def auction(project: Project) -> Auction | None:
    return Auction.objects.filter(project=project, round=project.round).select_related("winner").first()


def auction_view(user: User, found: Auction) -> dict[str, Any]:
    """The log is public; the reserve price only for the agency until the hammer."""
    log = [{"seq": e.seq, "bidder_number": e.bidder_number, "amount": e.amount, "at": e.at} for e in found.log.all()]
    reserve_shown = found.hammered_at is not None or manages(user, found.project)
    current = log[-1]["amount"] if log else None
    return {
        "id": found.pk, "project": found.project.code, "starting_price": found.starting_price,
        "increment": found.increment, "reserve_price": found.reserve_price if reserve_shown else None,
        "started_at": found.started_at, "hammered_at": found.hammered_at, "sold": found.sold,
        "hammer_price": found.hammer_price, "winner": found.winner.name if found.winner else None,
        "outcome": found.outcome, "current": current,
        "next_minimum": (current + found.increment) if current is not None else found.starting_price,
        "bidders": [{"number": b.number, "bidder": b.bidder.name} for b in found.bidders.select_related("bidder")],
        "log": log,
    }


# --- records for Archive ------------------------------------------------------------------------------------

def _common(project: Project) -> dict[str, Any]:
    centre = Organisation.objects.filter(kind=Organisation.Kind.CENTRE).order_by("pk").first()
    return {
        "project": {"code": project.code, "title": project.title, "type": project.get_type_display(),
                    "tenderer": project.tenderer.name if project.tenderer_id else "", "agency": project.agency.name,
                    "budget": project.budget, "fixed_price": project.fixed_price},
        "issued_at": clock.now(), "centre": centre.name if centre else _("公共资源交易中心"),
    }


def _person(user: User) -> str:
    return user.get_full_name() or user.username


def opening_record(project: Project) -> dict[str, Any]:
    """开标记录 as data: attendees (trading's sheet), every bid with price and terms, on-site objections."""
    found = box(project)
    if found is None or found.opened_at is None:
        raise ValueError(f"project {project.code} round {project.round} has not been opened")
    session = found.opening_session
    attendees = [{"name": _person(a.user), "organisation": a.user.organisation.name if a.user.organisation_id
                  else "", "role": a.get_badge_display()}
                 for a in session.attendance.select_related("user__organisation").order_by("signed_at", "pk")]
    record = {
        **_common(project), "opened_at": found.opened_at, "room": session.room.name,
        "host": _person(found.opened_by), "ceiling_price": project.ceiling_price, "attendees": attendees,
        "bids": [{"bidder": b.bidder.name, "price": b.price, "duration": b.duration, "terms": b.terms,
                  "valid": bool(b.valid), "reason": b.invalid_reason} for b in opened_bids(project)],
        "objections": [{"raised_by": o.raised_by, "content": o.content, "answer": o.answer}
                       for o in objections(project, Objection.Stage.OPENING)],
    }
    if found.mode == BidRound.Mode.BIDDER:
        record["ceremony"] = ceremony(project)
    return record


def ceremony(project: Project) -> dict[str, Any]:
    """What the remote opening shows and the record keeps: the key holders, each bid's hashes, the room's
    recordings bound by SHA-256, the bidders' confirmations, and the digest they confirmed."""
    found = box(project)
    session = found.opening_session
    return {
        "mode": found.mode, "threshold": found.threshold, "holders": found.holders,
        "keys": [{"position": k.position, "holder": _person(k.holder), "fingerprint": k.fingerprint}
                 for k in found.keys.select_related("holder").order_by("position")],
        "bids": opening_digest_body(project)["bids"],
        "recordings": _room_recordings(session),
        "record_sha256": opening_digest(project),
        "confirmations": [{"bidder": c.bidder.name, "record_sha256": c.record_sha256, "confirmed_at": c.confirmed_at}
                          for c in OpeningConfirmation.objects.filter(project=project, round=project.round)
                          .select_related("bidder")],
    }


def _room_recordings(session) -> list[dict[str, Any]]:
    """The opening room's stored videos by SHA-256, through the session's relation (evaluation does not import
    recordings: the apps stand side by side on trading)."""
    if session is None:
        return []
    return [{"id": r.pk, "sha256": r.sha256}
            for r in session.recordings.filter(status="stored").order_by("stored_at", "pk")]


def opening_digest_body(project: Project) -> dict[str, Any]:
    """What a bidder confirms: every bid opened, as opened (never times of reading, never the confirmations)."""
    found = box(project)
    bids = [{"bidder": b.bidder.uscc, "name": b.bidder.name, "price": str(b.price) if b.price is not None else "",
             "duration": b.duration, "terms": b.terms, "valid": bool(b.valid), "reason": b.invalid_reason,
             "ciphertext_sha256": b.envelope_sha256, "document_sha256": b.document_sha256}
            for b in opened_bids(project)]
    return {"project": project.code, "round": project.round,
            "opened_at": found.opened_at.isoformat() if found and found.opened_at else "", "bids": bids}


def opening_digest(project: Project) -> str:
    body = json.dumps(opening_digest_body(project), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def live_opening(project: Project) -> dict[str, Any]:
    """The remote opening as it happens (the live page and its event stream): shares in per bid (never their
    values), each bid's hash check and, once decrypted, its price. Nothing before the close."""
    found = box(project)
    if found is None or found.mode != BidRound.Mode.BIDDER or found.closed_at is None:
        return {"state": "waiting", "bids": [], "keys": []}
    rows = []
    for b in Bid.objects.filter(project=project, round=project.round, state=Bid.State.ACTIVE) \
            .select_related("bidder").order_by("submitted_at", "pk"):
        rows.append({"id": b.pk, "bidder": b.bidder.name, "ciphertext_sha256": b.envelope_sha256,
                     "shares": sorted(b.opening_shares.values_list("key__position", flat=True)),
                     "decrypted": b.decrypted_at is not None, "valid": b.valid, "reason": b.invalid_reason,
                     "price": str(b.price) if b.price is not None else None,
                     "hash_checked": b.decrypted_at is not None})
    return {"state": "opened" if found.opened_at else "opening", "threshold": found.threshold,
            "keys": [{"position": k.position, "holder": _person(k.holder)} for k in found.keys.order_by("position")],
            "bids": rows, "record_sha256": opening_digest(project) if found.opened_at else None}


def evaluation_report(project: Project) -> dict[str, Any]:
    """评标报告 as data: panel, criteria, every expert's scores, the ranking with the top three marked."""
    found, computed, chosen = panel(project), result(project), plan(project)
    if found is None or computed is None or chosen is None:
        raise ValueError(f"project {project.code} round {project.round} has not been evaluated")
    members = list(found.members.filter(state=PanelMember.State.SEATED).select_related("expert"))
    experts = [{"id": m.expert.identifier, "name": m.expert.name, "specialty": m.expert.specialty} for m in members]
    criteria = [{"key": c["code"], "name": c["name"], "max": Decimal(c["max_score"])} for c in chosen.criteria]
    names = {str(b.pk): b.bidder.name for b in Bid.objects.filter(project=project, round=project.round)
             .select_related("bidder")}
    scores = []
    for member in members:
        by_bid: dict[str, dict[str, Decimal]] = {}
        for score in Score.objects.filter(member=member).order_by("bid_id", "criterion"):
            by_bid.setdefault(str(score.bid_id), {})[score.criterion] = score.value
        for bid_id, values in by_bid.items():
            scores.append({"bidder": names[bid_id], "expert": member.expert.identifier, "values": values,
                           "subtotal": sum(values.values(), Decimal(0))})
    ranking = [{"rank": r["rank"], "bidder": names[r["bid"]], "price": Decimal(r["price"]),
                **{k: Decimal(r[k]) for k in ("price_score", "technical", "commercial") if r.get(k) is not None},
                "total": Decimal(r["total"]), "candidate": r["rank"] <= 3} for r in computed.figures["ranking"]]
    return {
        **_common(project), "method": chosen.get_method_display(), "evaluated_at": computed.computed_at,
        "room": _evaluation_room(project), "experts": experts, "criteria": criteria, "scores": scores,
        "ranking": ranking, "price_rule": _price_rule(chosen, computed.figures), "invalid": [{"bidder": names[i["bid"]], "reason": i["reason"]}
                                        for i in computed.figures["invalid"]],
        "outliers": [{**o, "bidder": names[o["bid"]]} for o in computed.figures["outliers"]],
        "conclusion": _("评标委员会按招标文件规定的评标办法独立评审，推荐排名前三的投标人为中标候选人。"),
    }


def _price_rule(chosen: EvaluationPlan, figures: dict[str, Any]) -> str:
    """How the price score was computed (DESIGN §3), with the figures a reader needs to recompute it."""
    if chosen.method == EvaluationPlan.Method.LOWEST_PRICE or not figures.get("lowest_valid_price"):
        return _("经评审的最低投标价法：不计价格分，按评审价由低到高排序。")
    return _("价格分 = 评标基准价 ÷ 投标报价 × 价格分权重；评标基准价为最低有效投标报价 %(low)s 元，价格分权重 %(w)s 分。"
             "最终得分 = 价格分 + 技术分 + 商务分。") % {
        "low": format_yuan(Decimal(figures["lowest_valid_price"])), "w": f"{chosen.price_weight:f}"}


def _evaluation_room(project: Project) -> str:
    session = project.sessions.filter(kind="evaluation").order_by("-starts_at").select_related("room").first()
    return session.room.name if session else ""


def project_lists(user: User) -> dict[str, Any]:
    """The index page: the agency's tenders and auctions, tenders open for bids, candidates in publicity."""
    kinds = ("procurement", "land_auction", "asset_transfer")
    mine = []
    if can(user, "project.manage"):
        qs = Project.objects.filter(type__in=kinds)
        mine = list(qs if user.role == Role.ADMIN else qs.filter(agency_id=user.organisation_id))
    return {
        "mine": mine,
        "open": list(Project.objects.filter(type="procurement", status=Status.PUBLISHED)),
        "auctions": list(Project.objects.filter(type__in=kinds[1:]).exclude(status=Status.DRAFT)),
        "publicity": list(Project.objects.filter(type="procurement", status__in=CANDIDATE_VISIBLE)),
        "panel_draws": [p.project for p in Panel.objects.filter(drawn_at__isnull=True).select_related("project")]
        if can(user, "draw.input") else [],
        "remote_openings": [b.project for b in BidRound.objects.filter(mode=BidRound.Mode.BIDDER, opened_at__isnull=True)
                            .select_related("project")] if can(user, "draw.input") else [],
    }


def is_party(*, project: Project, organisation_id: int) -> bool:
    """A bidder in the project, for standing (trading's `is_party` question): a bid not withdrawn, or an auction
    bidder number."""
    return (Bid.objects.filter(project=project, bidder_id=organisation_id).exclude(state=Bid.State.WITHDRAWN).exists()
            or AuctionBidder.objects.filter(auction__project=project, bidder_id=organisation_id).exists())


def expert_pool() -> QuerySet[Expert]:
    return Expert.objects.select_related("user", "employer").order_by("specialty", "name", "pk")


def expert_accounts() -> QuerySet[User]:
    """Active expert accounts, the ones to enter into the pool."""
    return User.objects.filter(role=Role.EXPERT, is_active=True).order_by("username")


def may_watch_opening(user: User, project: Project) -> bool:
    """The remote opening is watched by the project's bidders, its agency, supervisors, inspectors, administrators."""
    if role_of(user) in ("supervisor", "inspector", "admin") or manages(user, project):
        return True
    return bool(can(user, "project.register") and user.organisation_id
                and Bid.objects.filter(project=project, round=project.round, bidder_id=user.organisation_id).exists())


def ensure_may_watch_opening(user: User, project: Project) -> None:
    if not may_watch_opening(user, project):
        raise PermissionDenied(_("只有本项目的投标人、代理机构、监督、纪检和管理员可以观看开标。"))
