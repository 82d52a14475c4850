"""The discipline inspector's workspace (/inspect/): the timeline, a project's trail, exports, chain status, inbox,
risk findings, legal-hold release. Inspectors use everything; administrators read only."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from audit import sealing
from audit import selectors as ledger_selectors
from core.errors import Conflict
from core.roles import can, require
from inspection import exports, findings, labels, selectors
from inspection.selectors import InspectionFilter
from inspection.services import chain_verify_start
from trading.selectors import registrations_sealed
from trading.services import accounts
from trading.services.aftercare import legal_hold_release
from trading.services.registrations import sealed_registrations_open


def reader(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of the workspace: logged in, GET, and the audit.read capability (inspectors; administrators)."""
    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        require(request.user, "audit.read")
        return view(request, *args, **kwargs)

    return login_required(require_GET(wrapped))


def _filters(request: HttpRequest) -> tuple[InspectionFilter, dict[str, list[str]]]:
    try:
        return InspectionFilter.from_params(request.GET), {}
    except ValidationError as exc:
        return InspectionFilter(), exc.message_dict


@reader
def timeline(request: HttpRequest) -> HttpResponse:
    filters, errors = _filters(request)
    before = request.GET.get("before", "")
    page = ledger_selectors.timeline_page(filters, before=int(before) if before.isdigit() else None)
    return render(request, "inspection/timeline.html", {
        "filters": filters, "errors": errors, "raw": request.GET, "rows": labels.labelled(ledger_selectors.with_diffs(page.entries)),
        "next_before": page.next_before, "qs": urlencode(filters.as_params()), "choices": ledger_selectors.choices(),
    }, status=400 if errors else 200)


@reader
def entry_detail(request: HttpRequest, seq: int) -> HttpResponse:
    entry = ledger_selectors.entry(seq)
    if entry is None:
        raise Http404(_("没有这条审计记录。"))
    return render(request, "inspection/entry.html", {"entry": entry, "diff": ledger_selectors.entry_diff(entry),
                                                     "name": labels.object_names([entry]).get((entry.object_type,
                                                                                                entry.object_id), ""),
                                                     "leaf_index": ledger_selectors.leaf_index(entry.seq)})


@reader
def project_trail(request: HttpRequest, code: str) -> HttpResponse:
    entries = list(ledger_selectors.project_trail(code))
    project = selectors.project_by_code(code)
    if project is None and not entries:
        raise Http404(_("项目不存在。"))
    return render(request, "inspection/project.html", _trail_context(request, code, project, entries))


def _trail_context(request: HttpRequest, code: str, project: Any, entries: list, *,
                   sealed: sealing.Sealed | None = None, opened: Any = None) -> dict[str, Any]:
    return {"code": code, "project": project, "rows": labels.labelled(ledger_selectors.with_diffs(entries, sealed=sealed)),
            "can_release": can(request.user, "legal_hold.release"), "opened": opened,
            "registrations_sealed": project is not None and registrations_sealed(project),
            "can_unseal": can(request.user, "registration.unseal")}


@login_required
@require_POST
def registrations_open(request: HttpRequest, code: str) -> HttpResponse:
    """Under a complaint's legal hold, an inspector opens the sealed registrants, with a reason: the answer shows
    them once (with the trail unmasked) and the opening is recorded; nothing stays open. Without a hold: a 403,
    logged like every denial."""
    require(request.user, "registration.unseal")
    project = selectors.project_by_code(code)
    if project is None:
        raise Http404(_("项目不存在。"))
    try:
        registrations = sealed_registrations_open(actor=request.user, project=project,
                                                  reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.detail)
    else:
        entries = list(ledger_selectors.project_trail(code, sealed=sealing.NOTHING))
        return render(request, "inspection/project.html", _trail_context(
            request, code, project, entries, sealed=sealing.NOTHING, opened=registrations))
    return redirect("inspect-project", code=code)


@reader
def export(request: HttpRequest, fmt: str) -> HttpResponse:
    filters, errors = _filters(request)
    if errors:
        return HttpResponse("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), status=400,
                            content_type="text/plain; charset=utf-8")
    name = f"audit-{filters.project or 'trail'}"
    if fmt == "csv":
        response = StreamingHttpResponse(exports.export_csv(filters, actor=request.user),
                                         content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(exports.export_pdf(filters, actor=request.user), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


@reader
def chain(request: HttpRequest) -> HttpResponse:
    return render(request, "inspection/chain.html", {"status": ledger_selectors.chain_status(),
                                                "can_verify": can(request.user, "audit.verify")})


@login_required
@require_POST
def chain_verify(request: HttpRequest) -> HttpResponse:
    """The whole chain is verified in the background; the job's page follows it and links back here."""
    job = chain_verify_start(actor=request.user)
    return redirect("job", pk=job.pk)


@reader
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "inspection/inbox.html", {**selectors.inbox(),
                                                "can_release": can(request.user, "legal_hold.release")})


@reader
def risk_findings(request: HttpRequest) -> HttpResponse:
    return render(request, "inspection/findings.html", {"groups": findings.all_findings()})


@login_required
@require_POST
def hold_release(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "legal_hold.release")
    project = selectors.project_by_code(code)
    if project is None:
        raise Http404(_("项目不存在。"))
    try:
        legal_hold_release(actor=request.user, project=project, reason=request.POST.get("reason", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except (Conflict, PermissionDenied) as exc:
        messages.error(request, getattr(exc, "detail", str(exc)))
    else:
        messages.success(request, _("已解除 %(code)s 的法律保全。") % {"code": code})
    return redirect("inspect-project", code=code)


@reader
def role_grants(request: HttpRequest) -> HttpResponse:
    return render(request, "inspection/role_grants.html", {**selectors.role_grants(),
                                                      "can_decide": can(request.user, "role.approve")})


@login_required
@require_POST
def role_grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """An inspector approves or rejects a role change; the requester and the account's holder may not (403)."""
    require(request.user, "role.approve")
    grant = selectors.role_grant(pk)
    if grant is None:
        raise Http404(_("没有这项角色申请。"))
    decision, reason = request.POST.get("decision", ""), request.POST.get("reason", "")
    try:
        if decision == "approve":
            grant = accounts.role_grant_approve(actor=request.user, grant=grant, reason=reason)
            _approved(request, grant)
        elif decision == "reject":
            accounts.role_grant_reject(actor=request.user, grant=grant, reason=reason)
            messages.success(request, _("已驳回 %(user)s 的角色申请。") % {"user": grant.user})
        else:
            messages.error(request, _("须选择批准或驳回（decision）。"))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except Conflict as exc:
        messages.error(request, exc.detail)
    return redirect("inspect-role-grants")


def _approved(request: HttpRequest, grant: Any) -> None:
    messages.success(request, _("已批准：%(user)s 现为%(role)s。") % {
        "user": grant.user, "role": grant.get_role_display()})
    if not grant.user.has_usable_password():  # a sensitive role: the person sets their own password
        messages.warning(request, _("请将此一次性链接当面交给 %(user)s 本人设置密码（仅显示这一次）：%(link)s") % {
            "user": grant.user, "link": request.build_absolute_uri(accounts.password_link(grant.user))})
