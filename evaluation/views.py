"""Pages: the bidder's sealed-bid form, the agency's opening and evaluation screen, the expert's scoring screen,
the public winning-candidate page and the auction screen. Each POST names one action, which calls one service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from core.errors import Conflict
from core.roles import can, require
from core.views import confirm_first
from evaluation import selectors
from evaluation.models import Candidate, Objection, PanelMember
from evaluation.services import auctions, bidfiles, evaluating, objections, panels
from evaluation.services import bids as bid_services
from lottery.services import sealing_closed
from trading.models import Organisation, User
from trading.selectors import ensure_manages, manages, project_for


def _run(request: HttpRequest, actions: dict[str, Callable[[], Any]], done: str) -> HttpResponse | int:
    """Run the posted action: done, a redirect to the same page; refused, the status the page is shown again with
    (400 bad input, 409 the state), the reason a message on it."""
    refused = _attempt(request, actions)
    if refused is not None:
        return refused
    messages.success(request, done)
    return redirect(request.get_full_path())


def _attempt(request: HttpRequest, actions: dict[str, Callable[[], Any]]) -> int | None:
    """Run the posted action: None when done, else the status of the refusal (400 bad input, 409 the state),
    whose reason is a message on the page, the field named in Chinese."""
    action = actions.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, _("未知操作。"))
        return 400
    try:
        action()
    except ValidationError as exc:
        for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]:
            label = _field_labels().get(field, field)
            messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return 400
    except Conflict as exc:
        messages.error(request, exc.detail)
        return 409
    except (ObjectDoesNotExist, ValueError):
        messages.error(request, _("所选对象不存在或输入无效。"))
        return 400
    return None


def _field_labels() -> dict[str, str]:
    return {"method": _("评标办法"), "price_weight": _("价格分"), "criteria": _("评分因素"),
            "specialty": _("专业"), "size": _("人数"), "reason": _("原因"),
            "price": _("投标报价（元）"), "duration": _("工期/交货期"), "terms": _("其他承诺")}


@login_required
def bid_page(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "project.register")
    project = project_for(request.user, code)
    receipt, status = {}, 200
    if request.method == "POST":
        status = _attempt(request, {
            "withdraw": lambda: bid_services.bid_withdraw(actor=request.user, project=project),
            "submit": lambda: receipt.update(bid_services.bid_submit(actor=request.user, project=project,
                                                                     data=request.POST.dict())[1])})
        if status is None and request.POST.get("action") == "withdraw":
            messages.success(request, _("已撤回。"))
            return redirect(request.get_full_path())
        if status is None:  # the receipt is shown once, on the page that answers the submission
            messages.success(request, _("投标文件已加密递交，请保存回执。"))
    box = selectors.box(project)
    return render(request, "evaluation/bid.html", {
        "project": project, "receipt": receipt, "bids": selectors.own_bids(request.user, project), "box": box,
        "round_data": _bid_file_round(request.user, project, box)}, status=status or 200)


def _bid_file_round(user: User, project, box) -> dict[str, Any] | None:
    """What the bidder's browser encrypts to, in a bid-file round whose every key holder has registered."""
    if box is None or box.mode != "bidder" or box.keys.count() < box.holders or user.organisation_id is None:
        return None
    return {"project": project.code, "round": project.round, "bidder": user.organisation.uscc,
            "threshold": box.threshold, "url": reverse("api-bid-files", args=[project.code]),
            "holders": [{"position": k.position, "public_jwk": k.public_jwk, "fingerprint": k.fingerprint}
                        for k in box.keys.order_by("position")]}


def _manage_confirmations() -> dict[str, tuple[str, str]]:
    """Closing the bid box, opening the bids, ending the evaluation and the award cannot be undone."""
    return {
        "close": (_("投标截止"), _("投标箱将关闭、报名名单冻结，此后不再接受投标文件。")),
        "open": (_("开标（解密）"), _("全部投标文件将被解密并向在场人员公开，开标记录随即生成。")),
        "finish": (_("汇总评分，结束评标"), _("评分将被汇总并排出中标候选人，专家不能再修改评分；候选人随即公示。")),
        "award": (_("公示期满，定标"), _("将向排名第一的中标候选人发出中标通知。")),
    }


def _ask_first(request: HttpRequest, project, texts: dict[str, tuple[str, str]], cancel: str) -> HttpResponse | None:
    """The posted action asked once more when it is one of `texts` (core.views.confirm_first); others run at once."""
    found = texts.get(request.POST.get("action", ""))
    if found is None:
        return None
    return confirm_first(request, title=f"{found[0]}：{project.code} {project.title}", consequence=found[1],
                         confirm_label=found[0], cancel_url=reverse(cancel, args=[project.code]))


@login_required
def manage_page(request: HttpRequest, code: str) -> HttpResponse:
    project, refused = project_for(request.user, code), None
    ensure_manages(request.user, project)
    if request.method == "POST":
        if asked := _ask_first(request, project, _manage_confirmations(), "evaluation-manage"):
            return asked
        post, user = request.POST, request.user
        actions = {
            "close": lambda: bid_services.bids_close(actor=user, project=project),
            "mode": lambda: bidfiles.bid_round_mode_set(actor=user, project=project, mode=post.get("mode", "")),
            "open": lambda: bid_services.bids_open(actor=user, project=project),
            "objection": lambda: objections.objection_raise(actor=user, project=project, stage="opening",
                                                            raised_by=post.get("raised_by", ""),
                                                            content=post.get("content", "")),
            "answer": lambda: objections.objection_answer(
                actor=user, objection=Objection.objects.get(pk=int(post.get("objection", 0)), project=project),
                answer=post.get("answer", "")),
            "plan": lambda: evaluating.plan_set(actor=user, project=project, method=post.get("method", ""),
                                                price_weight=post.get("price_weight") or "0",
                                                criteria=_plan_criteria(post)),
            "panel": lambda: panels.panel_request(actor=user, project=project, specialty=post.get("specialty", ""),
                                                  size=int(post.get("size") or 0)),
            "finish": lambda: evaluating.evaluation_finish(actor=user, project=project),
            "award": lambda: evaluating.candidate_award(actor=user, project=project),
            "withdraw": lambda: evaluating.candidate_withdraw(
                actor=user, project=project, candidate=Candidate.objects.get(pk=int(post.get("candidate", 0))),
                reason=post.get("reason", "")),
        }
        refused = _attempt(request, actions)
        if refused is None:
            messages.success(request, _("操作完成。"))
            return redirect(request.get_full_path())
        project.refresh_from_db()
    members, plan = selectors.panel_rows(request.user, project), selectors.plan(project)
    return render(request, "evaluation/manage.html", {
        "project": project, "box": selectors.box(project), "bids": selectors.opened_bids(project),
        "objections": selectors.objections(project), "panel": selectors.panel(project),
        "deadline_passed": clock.now() >= project.registration_deadline, "members": members,
        "plan": plan, "plan_rows": _plan_rows(plan),
        "plan_open": project.status in PLAN_STATUSES and not any(m["submitted"] for m in members),
        "result": selectors.result(project), "candidates": selectors.candidates(project)},
        status=refused or 200)


@login_required
def panel_draw_page(request: HttpRequest, code: str) -> HttpResponse:
    """Supervisors seal, reveal and draw here (through the API); the page shows only commitments until revealed."""
    require(request.user, "draw.input")
    project = project_for(request.user, code)
    found = selectors.panel(project)
    inputs = list(found.inputs.order_by("position")) if found else []
    return render(request, "evaluation/panel_draw.html", {
        "project": project, "panel": found, "inputs": inputs, "sealing_closed": sealing_closed(inputs),
        "mine": next((i for i in inputs if i.supervisor_id == request.user.pk), None)})


@login_required
def my_panels(request: HttpRequest) -> HttpResponse:
    return render(request, "evaluation/my_panels.html", {"seats": selectors.expert_seats(request.user)})


@login_required
def score_page(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request.user, code)
    member = panels.member_for(request.user, project)
    plan = selectors.plan(project)
    bids, status = list(evaluating.valid_bids(project)), 200
    if request.method == "POST":
        if request.POST.get("action") == "decline":
            outcome = _run(request, {"decline": lambda: panels.member_decline(
                actor=request.user, member=member, reason=request.POST.get("reason", ""))}, _("已谢绝。"))
            if isinstance(outcome, HttpResponse):
                return redirect("evaluation-my-panels")
        else:
            sheet = {str(b.pk): {c["code"]: request.POST.get(f"s-{b.pk}-{c['code']}", "")
                                 for c in (plan.criteria if plan else [])} for b in bids}
            outcome = _run(request, {"submit": lambda: evaluating.score_submit(
                actor=request.user, project=project, sheet=sheet)}, _("评分已提交并锁定。"))
            if isinstance(outcome, HttpResponse):
                return outcome
        status = outcome
        member.refresh_from_db()
    scores = {(s.bid_id, s.criterion): s.value for s in member.scores.all()}
    rows = [{"bid": b, "cells": [{"criterion": c, "value": scores.get((b.pk, c["code"]), "")}
                                 for c in (plan.criteria if plan else [])]} for b in bids]
    return render(request, "evaluation/score.html", {
        "project": project, "member": member, "plan": plan, "rows": rows,
        "locked": member.submitted_at is not None or member.state != PanelMember.State.SEATED}, status=status)


def candidates_page(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request.user, code)
    return render(request, "evaluation/candidates.html", {
        "project": project, "candidates": selectors.public_candidates(project),
        "objections": selectors.objections(project, Objection.Stage.PUBLICITY),
        "panel": selectors.panel(project)})


def auction_page(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request.user, code)
    found, outcome = selectors.auction(project), 200
    if request.method == "POST" and found is None:  # the agency sets the auction's rules first
        ensure_manages(request.user, project)
        outcome = _run(request, {"setup": lambda: auctions.auction_setup(
            actor=request.user, project=project, starting_price=request.POST.get("starting_price", ""),
            increment=request.POST.get("increment", ""), reserve_price=request.POST.get("reserve_price") or None)},
            _("拍卖规则已设置。"))
    elif request.method == "POST":
        ensure_manages(request.user, project)
        hammer = {"hammer": (_("落槌"), _("拍卖将以当前最高应价落槌结束（未达保留价则流拍），此后不再接受应价。"))}
        if asked := _ask_first(request, project, hammer, "evaluation-auction"):
            return asked
        post, user = request.POST, request.user
        outcome = _run(request, {
            "register": lambda: auctions.auction_register(
                actor=user, auction=found, number=post.get("number", ""),
                bidder=Organisation.objects.get(uscc=post.get("bidder", "").strip().upper())),
            "start": lambda: auctions.auction_start(actor=user, auction=found),
            "bid": lambda: auctions.auction_bid(actor=user, auction=found, bidder_number=post.get("bidder_number", ""),
                                                amount=post.get("amount", "")),
            "hammer": lambda: auctions.auction_hammer(actor=user, auction=found),
        }, _("已记录。"))
    if isinstance(outcome, HttpResponse):
        return outcome
    view = selectors.auction_view(request.user, found) if found else None
    return render(request, "evaluation/auction.html", {"project": project, "auction": view,
                                                       "can_manage": manages(request.user, project)}, status=outcome)


def index(request: HttpRequest) -> HttpResponse:
    """Projects this evaluation app serves, for whoever asks: the agency's own, open tenders, publicised results."""
    return render(request, "evaluation/index.html", selectors.project_lists(request.user))


@login_required
def expert_pool(request: HttpRequest) -> HttpResponse:
    """The centre's expert pool (专家库): administrators enter an expert account's name, specialty, employer and
    declared relations (one `USCC 关系` a line), which the panel draw's recusal reads; inspectors read it."""
    if not (can(request.user, "centre.admin") or can(request.user, "audit.read")):
        raise PermissionDenied(_("您的角色无权执行此操作。"))
    status = 200
    if request.method == "POST":
        require(request.user, "centre.admin")
        post = request.POST
        outcome = _run(request, {"expert": lambda: panels.expert_save(
            actor=request.user, user=_expert_account(post.get("user", "")), name=post.get("name", ""),
            specialty=post.get("specialty", ""), available=post.get("available") == "on",
            employer=Organisation.objects.get(pk=int(post["employer"])) if post.get("employer") else None,
            relations=_relations(post.get("relations", "")))}, _("专家信息已保存。"))
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    return render(request, "evaluation/experts.html", {
        "experts": selectors.expert_pool(), "accounts": selectors.expert_accounts(),
        "organisations": Organisation.objects.filter(is_active=True).order_by("name"),
        "can_edit": can(request.user, "centre.admin")}, status=status)


PLAN_STATUSES = ("draft", "published", "registration_closed", "qualified", "opened")
PLAN_ROWS = 4  # rows of criteria on the plan form; a blank row is left out


def _plan_criteria(post) -> list[dict[str, str]]:
    """The plan form's criteria rows (name, kind, points at full marks) as the service takes them; an expert
    scores 0 to the full marks and the score counts as points (weight = max score)."""
    rows = []
    for n in range(1, 100):
        if f"c{n}-name" not in post:
            break
        name, points = post.get(f"c{n}-name", "").strip(), post.get(f"c{n}-max", "").strip()
        if name or points:
            rows.append({"code": f"c{n}", "name": name or f"c{n}", "kind": post.get(f"c{n}-kind", ""),
                         "weight": points, "max_score": points})
    return rows


def _plan_rows(plan) -> list[dict[str, Any]]:
    """The form's rows, the saved criteria first (to correct them), then blank ones."""
    saved = list(plan.criteria) if plan else []
    blank = {"name": "", "kind": "technical", "max_score": ""}
    return [{"n": n, **(saved[n - 1] if n <= len(saved) else blank)}
            for n in range(1, max(PLAN_ROWS, len(saved)) + 1)]


def _expert_account(value: str) -> User:
    user = User.objects.filter(pk=int(value)).first() if value.isdigit() else None
    if user is None:
        raise ValidationError({"user": [_("专家账号：须选择一个账号。")]})
    return user


def _relations(text: str) -> list[dict[str, str]]:
    """`USCC 关系` a line; a line without a code is passed on so that the service names it."""
    rows = []
    for line in text.splitlines():
        if line.strip():
            uscc, _sep, relation = line.strip().partition(" ")
            rows.append({"uscc": uscc, "relation": relation.strip()})
    return rows
