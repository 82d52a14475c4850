"""Pages of the remote opening (不见面开标) of bid files: the ceremony page (key holders make and use their keys,
everyone watching sees shares, hash checks and prices live; bidders confirm the record or object) and its event
stream. The bidder's own encrypting page is `views.bid_page` in a bid-file round."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.roles import can
from evaluation import selectors
from evaluation.api import plain
from evaluation.models import BidRound
from evaluation.services import objections, opening
from evaluation.views import _ask_first, _run
from trading.models import Project
from trading.selectors import manages, project_for

STREAM_SECONDS = 20  # one connection at most this long; EventSource reconnects by itself (retry below)
POLL_SECONDS = 1.0


def _context(request: HttpRequest, project: Project) -> dict:
    box = selectors.box(project)
    bidder_mode = bool(box and box.mode == BidRound.Mode.BIDDER)
    my_key = box.keys.filter(holder=request.user).first() if bidder_mode else None
    may_hold = can(request.user, "draw.input") or manages(request.user, project)
    is_bidder = can(request.user, "project.register") and selectors.may_watch_opening(request.user, project)
    opened = bool(box and box.opened_at)
    states = {"waiting": _("等待投标截止"), "opening": _("开标中"), "opened": _("开标结束")}
    live = selectors.live_opening(project)
    return {
        "project": project, "box": box, "bidder_mode": bidder_mode, "my_key": my_key,
        "can_register": bidder_mode and may_hold and my_key is None and box.keys.count() < box.holders
        and project.status == "published",
        "can_post": bool(my_key and box.closed_at and not opened), "is_bidder": is_bidder, "opened": opened,
        "live": live, "live_label": states[live["state"]], "objections": selectors.objections(project, "opening"),
        "ceremony": selectors.ceremony(project) if opened and bidder_mode else None,
        "page_data": {
            "project": project.code, "round": project.round,
            "keys_url": reverse("api-opening-keys", args=[project.code]),
            "shares_url": reverse("api-opening-shares", args=[project.code]),
            "events_url": reverse("evaluation-opening-events", args=[project.code]),
            "states": states,
            "labels": {"matched": _("与回执一致"), "failed": _("未通过"), "waiting": _("等待分片"),
                       "valid": _("有效")}},
    }


@login_required
def opening_page(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request.user, code)
    selectors.ensure_may_watch_opening(request.user, project)
    status = 200
    if request.method == "POST":
        confirm = {"confirm": (_("确认开标记录"), _("贵单位将确认所见开标记录（按其 SHA-256）无误，确认后不能撤回。"))}
        if asked := _ask_first(request, project, confirm, "evaluation-opening"):
            return asked
        post, user = request.POST, request.user
        outcome = _run(request, {
            "confirm": lambda: opening.opening_confirm(actor=user, project=project,
                                                       record_sha256=post.get("record_sha256", "")),
            "objection": lambda: objections.objection_raise(actor=user, project=project, stage="opening",
                                                            content=post.get("content", "")),
        }, _("已记录。"))
        if isinstance(outcome, HttpResponse):
            return outcome
        status = outcome
    return render(request, "evaluation/opening.html", _context(request, project), status=status)


def _events(project: Project) -> Iterator[str]:
    last, started = None, time.monotonic()
    yield "retry: 2000\n\n"
    while True:
        live = plain(selectors.live_opening(project))
        state = json.dumps(live, ensure_ascii=False)
        if state != last:
            last = state
            yield f"data: {state}\n\n"
        else:
            yield ": .\n\n"
        if live["state"] == "opened" or time.monotonic() - started >= STREAM_SECONDS:
            return
        time.sleep(POLL_SECONDS)  # a cheap poll of a few rows; the real clock here, never in tests


@require_GET
@login_required
def opening_events(request: HttpRequest, code: str) -> StreamingHttpResponse:
    """Server-sent events of the live opening: the state whenever it changes, for at most STREAM_SECONDS."""
    project = project_for(request.user, code)
    selectors.ensure_may_watch_opening(request.user, project)
    response = StreamingHttpResponse(_events(project), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


@login_required
def bid_document(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    project = project_for(request.user, code)
    found, stream = opening.bid_document_read(actor=request.user, project=project, bid_id=pk)
    return FileResponse(stream, filename=f"{project.code}-{found.bidder.uscc}.pdf", content_type="application/pdf")
