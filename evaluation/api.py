"""The evaluation rows of the API (conventions: lists {"items","count"}, errors {"detail","errors"},
409 for state conflicts). Views parse, call a service or selector, answer; every rule is in the services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import API, request_data
from core.errors import ConfidentialNotFound
from core.money import AMOUNT_PATTERN
from core.parsing import int_value, text_value
from core.roles import can, require
from evaluation import selectors
from evaluation.models import Bid, Candidate, Expert, Objection, PanelMember
from evaluation.services import auctions, evaluating, objections, panels
from evaluation.services import bids as bid_services
from lottery.verification import proof_filename
from trading.models import Organisation, User
from trading.selectors import ensure_manages, project_for

STR, INT = {"type": "string"}, {"type": "integer"}
MONEY = {"type": "string", "pattern": AMOUNT_PATTERN, "description": "CNY yuan, e.g. \"1850000.00\""}
ANY = {"type": "object", "additionalProperties": True}


def _obj(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


def _req(**props: Any) -> dict[str, Any]:
    """A JSON request body schema, as drf-spectacular takes it: keyed by media type."""
    return {"application/json": _obj(**props)}


def _list(item: dict[str, Any] = ANY) -> dict[str, Any]:
    return _obj(items={"type": "array", "items": item}, count=INT)


def plain(value: Any) -> Any:
    """JSON for the API: Decimals as strings (never floats), times ISO 8601 with an offset."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return value


def _items(rows: list[Any]) -> Response:
    return Response({"items": plain(rows), "count": len(rows)})




def bid_row(bid: Bid, *, opened: bool) -> dict[str, Any]:
    row = {"id": bid.pk, "bidder": bid.bidder.name, "uscc": bid.bidder.uscc, "state": bid.state,
           "submitted_at": bid.submitted_at, "envelope_sha256": bid.envelope_sha256}
    if opened:
        row.update(price=bid.price, duration=bid.duration, terms=bid.terms, valid=bid.valid,
                   invalid_reason=bid.invalid_reason, plaintext_sha256=bid.plaintext_sha256)
    return row


class BidsView(API):
    @extend_schema(responses={200: _list()}, description="Before the opening: the bidder's own submissions (never anyone "
                   "else's, never a count). After the opening: every bid with price, terms and validity.")
    def get(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        if selectors.is_opened(project):
            return _items([bid_row(b, opened=True) for b in selectors.opened_bids(project)])
        return _items([bid_row(b, opened=False) for b in selectors.own_bids(request.user, project)])

    @extend_schema(request=_req(price=MONEY, duration=STR, terms=STR),
                   responses={201: _obj(id=INT, receipt=ANY)})
    def post(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        bid, receipt = bid_services.bid_submit(actor=request.user, project=project, data=request_data(request))
        return Response({"id": bid.pk, "receipt": receipt}, status=status.HTTP_201_CREATED)


class BidWithdrawView(API):
    @extend_schema(request=None, responses={200: ANY})
    def post(self, request: Request, code: str) -> Response:
        bid = bid_services.bid_withdraw(actor=request.user, project=project_for(request.user, code))
        return Response(plain(bid_row(bid, opened=False)))


class BidCloseView(API):
    @extend_schema(request=None, responses={200: _obj(status=STR, bids=INT)})
    def post(self, request: Request, code: str) -> Response:
        project = bid_services.bids_close(actor=request.user, project=project_for(request.user, code))
        return Response({"status": project.status, "bids": selectors.box(project).bid_count})


class OpeningView(API):
    @extend_schema(responses={200: ANY}, description="The bid-opening record (开标记录) as data, once opened.")
    def get(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        if not selectors.is_opened(project):
            raise ConfidentialNotFound(_("尚未开标。"))
        return Response(plain(selectors.opening_record(project)))

    @extend_schema(request=None, responses={200: _list()})
    def post(self, request: Request, code: str) -> Response:
        opened = bid_services.bids_open(actor=request.user, project=project_for(request.user, code))
        return _items([bid_row(b, opened=True) for b in opened])


def objection_row(o: Objection) -> dict[str, Any]:
    return {"id": o.pk, "stage": o.stage, "raised_by": o.raised_by, "content": o.content, "raised_at": o.raised_at,
            "answer": o.answer, "answered_at": o.answered_at}


class ObjectionsView(API):
    @extend_schema(responses={200: _list()})
    def get(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        return _items([objection_row(o) for o in selectors.objections(project)])

    @extend_schema(request=_req(stage=STR, content=STR, raised_by=STR), responses={201: ANY})
    def post(self, request: Request, code: str) -> Response:
        data = request_data(request)
        objection = objections.objection_raise(
            actor=request.user, project=project_for(request.user, code), stage=text_value(data.get("stage"), "stage"),
            content=text_value(data.get("content"), "content"),
            raised_by=text_value(data.get("raised_by"), "raised_by"))
        return Response(plain(objection_row(objection)), status=status.HTTP_201_CREATED)


class ObjectionAnswerView(API):
    @extend_schema(request=_req(answer=STR), responses={200: ANY})
    def post(self, request: Request, pk: int) -> Response:
        objection = get_object_or_404(Objection, pk=pk)
        objection = objections.objection_answer(actor=request.user, objection=objection,
                                                answer=text_value(request_data(request).get("answer"), "answer"))
        return Response(plain(objection_row(objection)))


def expert_row(e: Expert) -> dict[str, Any]:
    return {"id": e.pk, "identifier": e.identifier, "name": e.name, "specialty": e.specialty,
            "employer": e.employer.uscc if e.employer_id else None, "relations": e.relations,
            "available": e.available}


class ExpertsView(API):
    @extend_schema(responses={200: _list()}, description="The expert pool: centre administrators and inspectors.")
    def get(self, request: Request) -> Response:
        if not (can(request.user, "centre.admin") or can(request.user, "audit.read")):
            raise PermissionDenied(_("您的角色无权执行此操作。"))
        return _items([expert_row(e) for e in Expert.objects.select_related("employer")])

    @extend_schema(request=_req(user=STR, name=STR, specialty=STR, employer=STR, available={"type": "boolean"},
                                relations={"type": "array", "items": _obj(uscc=STR, relation=STR)}),
                   responses={201: ANY})
    def post(self, request: Request) -> Response:
        require(request.user, "centre.admin")
        data = request_data(request)
        username = text_value(data.get("user"), "user")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise ValidationError({"user": [_("没有用户名为 %(u)s 的账号。") % {"u": username}]})
        employer = None
        uscc = text_value(data.get("employer"), "employer").upper()
        if uscc:
            employer = Organisation.objects.filter(uscc=uscc).first()
            if employer is None:
                raise ValidationError({"employer": [_("没有代码为 %(c)s 的机构。") % {"c": uscc}]})
        expert = panels.expert_save(actor=request.user, user=user, name=text_value(data.get("name"), "name"),
                                    specialty=text_value(data.get("specialty"), "specialty"), employer=employer,
                                    relations=data.get("relations") or [], available=data.get("available", True)
                                    is not False)
        return Response(expert_row(expert), status=status.HTTP_201_CREATED)


def panel_body(request: Request, project) -> dict[str, Any]:
    found = selectors.panel(project)
    if found is None:
        raise ConfidentialNotFound(_("尚未申请抽取评标专家。"))
    see_excluded = selectors.names_visible(request.user, found)
    return {"specialty": found.specialty, "size": found.size, "commitment": found.commitment,
            "candidates_digest": found.candidates_digest, "candidates": len(found.candidates),
            "requested_at": found.requested_at, "drawn_at": found.drawn_at, "ended_at": found.ended_at,
            "excluded": found.excluded if see_excluded else len(found.excluded),
            "proof_sha256": found.proof_sha256, "members": selectors.panel_rows(request.user, project)}


class PanelView(API):
    @extend_schema(responses={200: ANY}, description="Expert names are hidden from agencies and bidders until the end.")
    def get(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        return Response(plain(panel_body(request, project)))

    @extend_schema(request=_req(specialty=STR, size=INT), responses={201: ANY})
    def post(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        ensure_manages(request.user, project)  # who may, before what was sent
        data = request_data(request)
        panels.panel_request(actor=request.user, project=project,
                             specialty=text_value(data.get("specialty"), "specialty"),
                             size=int_value(data.get("size"), "size", minimum=1, maximum=99))
        return Response(plain(panel_body(request, project)), status=status.HTTP_201_CREATED)


class PanelInputsView(API):
    @extend_schema(request=_req(commitment=STR, value=STR, nonce=STR), responses={201: ANY},
                   description="A supervisor present at the draw session seals {\"commitment\": SHA-256(nonce + "
                   "value)}; once every present supervisor has sealed, reveals {\"value\", \"nonce\"}.")
    def post(self, request: Request, code: str) -> Response:
        project, data = project_for(request.user, code), request_data(request)
        if "commitment" in data:
            sealed = panels.panel_input_seal(actor=request.user, project=project, commitment=data["commitment"])
        else:
            sealed = panels.panel_input_reveal(actor=request.user, project=project, value=data.get("value"),
                                               nonce=data.get("nonce"))
        return Response({"id": sealed.pk, "position": sealed.position, "source": sealed.source,
                         "commitment": sealed.commitment, "revealed": sealed.revealed_at is not None},
                        status=status.HTTP_201_CREATED)


class PanelDrawView(API):
    @extend_schema(request=None, responses={200: ANY})
    def post(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        panels.panel_draw(actor=request.user, project=project)
        return Response(plain(panel_body(request, project)))


class PanelProofView(API):
    @extend_schema(responses={200: ANY}, description="The fps-draw-v1 proof; check it with `python lottery/verify.py`.")
    def get(self, request: Request, code: str) -> HttpResponse:
        project = project_for(request.user, code)
        found = selectors.panel(project)
        if found is None or found.proof is None:
            raise ConfidentialNotFound(_("尚未抽取。"))
        response = HttpResponse(panels.proof_bytes(found.proof), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'inline; filename="{proof_filename(project.code, found.round, panel=True)}"'
        return response


class MemberDeclineView(API):
    @extend_schema(request=_req(reason=STR), responses={201: ANY})
    def post(self, request: Request, pk: int) -> Response:
        member = get_object_or_404(PanelMember, pk=pk)
        reason = text_value(request_data(request).get("reason"), "reason")
        substitute = panels.member_decline(actor=request.user, member=member, reason=reason)
        return Response({"id": substitute.pk, "rank": substitute.rank}, status=status.HTTP_201_CREATED)


class PlanView(API):
    @extend_schema(request=_req(method=STR, price_weight=STR, outlier_share=STR,
                                criteria={"type": "array", "items": _obj(code=STR, name=STR, kind=STR, weight=STR,
                                                                         max_score=STR)}),
                   responses={200: ANY})
    def put(self, request: Request, code: str) -> Response:
        data = request_data(request)
        plan = evaluating.plan_set(actor=request.user, project=project_for(request.user, code),
                                   method=text_value(data.get("method"), "method"), price_weight=data.get("price_weight", "0"),
                                   criteria=data.get("criteria") or [], outlier_share=data.get("outlier_share", "0.20"))
        return Response(plain({"method": plan.method, "price_weight": plan.price_weight, "criteria": plan.criteria,
                               "outlier_share": plan.outlier_share}))


class ScoresView(API):
    @extend_schema(request=_req(scores={"type": "object", "additionalProperties": ANY}), responses={201: ANY},
                   description="An expert's whole sheet {bid id: {criterion: score}}; it locks on submission.")
    def post(self, request: Request, code: str) -> Response:
        member = evaluating.score_submit(actor=request.user, project=project_for(request.user, code),
                                         sheet=request_data(request).get("scores"))
        return Response({"id": member.pk, "submitted_at": member.submitted_at.isoformat()},
                        status=status.HTTP_201_CREATED)


class EvaluationView(API):
    @extend_schema(responses={200: ANY}, description="The evaluation report as data: inspectors and administrators, or "
                   "the project's agency once the evaluation has ended.")
    def get(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        if not can(request.user, "score.read"):
            ensure_manages(request.user, project)
        if selectors.result(project) is None:
            raise ConfidentialNotFound(_("尚未完成评标。"))
        return Response(plain(selectors.evaluation_report(project)))

    @extend_schema(request=None, responses={200: ANY})
    def post(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        result = evaluating.evaluation_finish(actor=request.user, project=project)
        return Response(plain(result.figures))


class CandidatesView(API):
    @extend_schema(responses={200: _list()}, description="Public winning candidates once publicised (条例 §54).")
    def get(self, request: Request, code: str) -> Response:
        project = project_for(request.user, code)
        return _items(selectors.public_candidates(project))


class AwardView(API):
    @extend_schema(request=None, responses={200: ANY})
    def post(self, request: Request, code: str) -> Response:
        first = evaluating.candidate_award(actor=request.user, project=project_for(request.user, code))
        return Response({"id": first.pk, "rank": first.rank, "bidder": first.bid.bidder.name})


class CandidateWithdrawView(API):
    @extend_schema(request=_req(reason=STR), responses={200: ANY})
    def post(self, request: Request, pk: int) -> Response:
        candidate = get_object_or_404(Candidate, pk=pk)
        nxt = evaluating.candidate_withdraw(actor=request.user, project=candidate.project, candidate=candidate,
                                            reason=text_value(request_data(request).get("reason"), "reason"))
        return Response({"next": {"id": nxt.pk, "rank": nxt.rank} if nxt else None})


def _auction(request: Request, code: str):
    project = project_for(request.user, code)
    found = selectors.auction(project)
    if found is None:
        raise ConfidentialNotFound(_("本项目未设拍卖。"))
    return found


class AuctionView(API):
    @extend_schema(responses={200: ANY}, description="The auction with its public bid log; the reserve price only for "
                   "the agency before the hammer.")
    def get(self, request: Request, code: str) -> Response:
        return Response(plain(selectors.auction_view(request.user, _auction(request, code))))

    @extend_schema(request=_req(starting_price=MONEY, increment=MONEY, reserve_price=MONEY), responses={201: ANY})
    def post(self, request: Request, code: str) -> Response:
        data = request_data(request)
        found = auctions.auction_setup(actor=request.user, project=project_for(request.user, code),
                                       starting_price=data.get("starting_price"), increment=data.get("increment"),
                                       reserve_price=data.get("reserve_price"))
        return Response(plain(selectors.auction_view(request.user, found)), status=status.HTTP_201_CREATED)


class AuctionBiddersView(API):
    @extend_schema(request=_req(bidder=STR, number=STR), responses={201: ANY})
    def post(self, request: Request, code: str) -> Response:
        found, data = _auction(request, code), request_data(request)
        uscc = text_value(data.get("bidder"), "bidder").upper()
        org = Organisation.objects.filter(uscc=uscc).first()
        if org is None:
            raise ValidationError({"bidder": [_("没有代码为 %(c)s 的机构。") % {"c": uscc}]})
        row = auctions.auction_register(actor=request.user, auction=found, bidder=org,
                                        number=text_value(data.get("number"), "number"))
        return Response({"id": row.pk, "number": row.number, "bidder": org.name}, status=status.HTTP_201_CREATED)


class AuctionStartView(API):
    @extend_schema(request=None, responses={200: ANY})
    def post(self, request: Request, code: str) -> Response:
        found = auctions.auction_start(actor=request.user, auction=_auction(request, code))
        return Response(plain(selectors.auction_view(request.user, found)))


class AuctionBidsView(API):
    @extend_schema(request=_req(bidder_number=STR, amount=MONEY), responses={201: ANY})
    def post(self, request: Request, code: str) -> Response:
        data = request_data(request)
        row = auctions.auction_bid(actor=request.user, auction=_auction(request, code),
                                   bidder_number=text_value(data.get("bidder_number"), "bidder_number"),
                                   amount=data.get("amount"))
        return Response(plain({"id": row.pk, "seq": row.seq, "bidder_number": row.bidder_number,
                               "amount": row.amount, "at": row.at}), status=status.HTTP_201_CREATED)


class AuctionHammerView(API):
    @extend_schema(request=None, responses={200: ANY})
    def post(self, request: Request, code: str) -> Response:
        found = auctions.auction_hammer(actor=request.user, auction=_auction(request, code))
        return Response(plain(selectors.auction_view(request.user, found)))
