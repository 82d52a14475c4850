"""Pages of the archive: a project's records and dossiers (staff), statistics with charts."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from archive import charts, selectors, services, signatures
from archive import statistics as stats_module
from core import clock
from core.errors import Conflict
from core.roles import can


@login_required
def project_records(request: HttpRequest, code: str) -> HttpResponse:
    project = selectors.project_by_code(code)
    selectors.ensure_can_read_records(request.user, project)
    records = selectors.available_records(project)
    return render(request, "archive/project_records.html", {
        "project": project, "records": records, "now": clock.now(),
        "panels": [(r, signatures.signing_panel(request.user, r)) for r in records if signatures.is_signed_kind(r.kind)],
        "dossiers": selectors.project_dossiers(project) if can(request.user, "dossier.read") else [],
        "can_build": can(request.user, "dossier.build"), "finished": project.status in selectors.FINISHED,
    })


@login_required
@require_GET
def record_signatures(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    """One record's signatures and its sign button: for its readers and for the bidders and experts who sign it
    without reading the project's other records."""
    record = selectors.record_for(selectors.project_by_code(code), kind)
    signatures.ensure_can_see_signatures(request.user, record)
    return render(request, "archive/record_signatures.html", {
        "project": record.project, "record": record, "panel": signatures.signing_panel(request.user, record)})


@login_required
def record_pdf(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    filename, content = services.record_download(request.user, selectors.project_by_code(code), kind)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_POST
def dossier_build(request: HttpRequest, code: str) -> HttpResponse:
    try:  # the service checks dossier.build; the build itself runs in the background
        job = services.dossier_build_start(actor=request.user, code=code)
    except (services.DossierRefused, Conflict) as exc:
        messages.error(request, str(exc))
        return redirect("archive-records", code=code)
    return redirect("job", pk=job.pk)


@login_required
def dossier_download(request: HttpRequest, code: str, version: int) -> FileResponse:
    selectors.ensure_can_read_dossier(request.user)
    dossier = selectors.dossier_version(selectors.project_by_code(code), version)
    return FileResponse(services.dossier_download(actor=request.user, dossier=dossier), as_attachment=True,
                        content_type="application/zip", filename=f"{code}-dossier-v{version}.zip")


def _requested_statistics(request: HttpRequest) -> stats_module.Statistics:
    """Public, as the centre publishes them: aggregates of published projects only (counts, amounts, failed rounds,
    complaints), never a registrant or a draft. The period from ?year=&month= (ValueError naming a bad one)."""
    year, month = stats_module.parse_period(request.GET.get("year"), request.GET.get("month"))
    return stats_module.trading_statistics(year=year, month=month)


def statistics_page(request: HttpRequest) -> HttpResponse:
    try:
        stats = _requested_statistics(request)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    categories, series = stats_module.month_series(stats)
    return render(request, "archive/statistics.html", {
        "stats": stats, "headers": stats_module.HEADERS, "rows": stats_module.table_rows(stats),
        "months": range(1, 13), "year": stats.year, "month": stats.month,
        "count_chart": charts.stacked_bars_svg(categories, series, title=_("各月发布项目数（按交易类型）"),
                                               integer=True),
        "amount_chart": charts.stacked_bars_svg(categories, stats_module.amount_series(stats),
                                                title=_("各月定标金额（万元）")),
    })


def statistics_pdf(request: HttpRequest) -> HttpResponse:
    try:
        stats = _requested_statistics(request)
    except ValueError as exc:
        return HttpResponseBadRequest(str(exc))
    content = stats_module.statistics_pdf(stats, issued_at=clock.now(), centre=selectors.centre_name())
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statistics-{stats.year}-{stats.month or "all"}.pdf"'
    return response
