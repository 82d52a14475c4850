"""Pages of the objection and complaint procedure beyond the project page: a party escalates its objection to a
complaint (投诉) or withdraws; the supervising department's desk (accept, refuse, decide); the public decisions.
Views parse, check, call trading.services.complaints, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core import clock
from core.errors import Conflict
from core.roles import require
from trading import selectors
from trading.forms import ComplaintAcceptForm, ComplaintDecideForm, EscalateForm
from trading.models import Complaint
from trading.services import complaints


def _error(exc: Exception) -> str:
    return getattr(exc, "detail", None) or " ".join(getattr(exc, "messages", [str(exc)]))


@login_required
@require_http_methods(["POST"])
def complaint_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_object_or_404(Complaint.objects.select_related("project", "complainant"), pk=pk)
    complaints.ensure_party(request.user, objection, _("只有提出该质疑的当事人可以就其投诉。"))
    form = EscalateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("投诉事项和理由：必填。"))
        return redirect(f"/projects/{objection.project.code}/#complaint")
    try:
        complaints.complaint_escalate(actor=request.user, objection=objection, text=form.cleaned_data["text"])
    except (ValidationError, Conflict, complaints.TooManyComplaints) as exc:  # a denial is a 403 (logged)
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("投诉已提交行政监督部门，将在法定期限内审查是否受理。"))
    return redirect(f"/projects/{objection.project.code}/#complaint")


@login_required
@require_http_methods(["POST"])
def complaint_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint.objects.select_related("project", "complainant"), pk=pk)
    try:
        complaints.complaint_withdraw(actor=request.user, complaint=complaint)
    except Conflict as exc:
        messages.error(request, _error(exc))
    else:
        messages.success(request, _("已撤回。"))
    return redirect(f"/projects/{complaint.project.code}/#complaint")


DESK_ACTIONS = {"accept": ComplaintAcceptForm, "decide": ComplaintDecideForm}


@login_required
@require_http_methods(["GET", "POST"])
def complaint_desk(request: HttpRequest) -> HttpResponse:
    """The supervising department's desk: every complaint, with its statutory periods, to accept and decide."""
    require(request.user, "complaint.decide")
    action = request.POST.get("action", "")
    bound = DESK_ACTIONS[action](request.POST) if request.method == "POST" and action in DESK_ACTIONS else None
    status = 200
    if bound is not None and bound.is_valid():
        complaint = get_object_or_404(Complaint, pk=bound.cleaned_data["complaint"])
        try:
            _desk_act(request, action, complaint, bound.cleaned_data)
        except ValidationError as exc:
            bound.apply_errors(exc)
        except Conflict as exc:
            messages.error(request, exc.detail)
            status = 409
        else:
            return redirect("complaint-desk")
    if bound is not None and bound.errors:
        status = 400
        messages.error(request, " ".join(e for errs in bound.errors.values() for e in errs))
    return render(request, "trading/complaint_desk.html", {
        "complaints": selectors.complaints_to_decide()[:200], "now": clock.now(),
        "accept_form": ComplaintAcceptForm(), "decide_form": ComplaintDecideForm(),
    }, status=status)


def _desk_act(request: HttpRequest, action: str, complaint: Complaint, data: dict) -> None:
    if action == "accept":
        complaints.complaint_accept(actor=request.user, complaint=complaint, accept=data["accept"],
                                    reason=data["reason"])
        messages.success(request, _("已受理。") if data["accept"] else _("已决定不予受理。"))
    else:
        complaints.complaint_decide(actor=request.user, complaint=complaint, outcome=data["outcome"],
                                    decision=data["decision"])
        messages.success(request, _("处理决定已作出并公开。"))


@require_http_methods(["GET"])
def complaint_decisions(request: HttpRequest) -> HttpResponse:
    """Public: the department's decisions and refusals, the complainant named as complainant_label allows."""
    return render(request, "trading/complaint_decisions.html",
                  {"decisions": selectors.published_decisions()[:200]})
