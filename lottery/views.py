"""Pages: the live draw screen (supervisors and the room's big screen), the public result, how to verify."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from core.errors import Conflict
from core.roles import can
from lottery import selectors, services
from recordings.selectors import session_manifest
from trading.selectors import project_for


def draw_screen(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request.user, code)
    return _draw_page(request, project)


def _draw_page(request: HttpRequest, project, *, values=None, errors=None, status: int = 200) -> HttpResponse:
    names = project.draw_sources or []
    values = values or [""] * len(names)
    return render(request, "lottery/draw_screen.html", {
        "project": project, "is_supervisor": can(request.user, "draw.input"),
        "reveal_seconds": int(services.REVEAL_WINDOW.total_seconds()),
        "source_fields": [{"n": n, "name": name, "value": value}
                          for n, (name, value) in enumerate(zip(names, values, strict=False), start=1)],
        "errors": errors or [], "state": selectors.draw_state(project) if project.uses_rfc3797 else None,
    }, status=status)


@login_required
@require_POST
def draw_rfc3797(request: HttpRequest, code: str) -> HttpResponse:
    """An RFC 3797 draw from the screen: the supervisor enters each announced source's published numbers."""
    project = project_for(request.user, code)
    values = request.POST.getlist("source_values")
    try:
        services.draw_run(actor=request.user, project=project, source_values=values)
    except ValidationError as exc:
        messages = [m for field in exc.message_dict.values() for m in field]
        return _draw_page(request, project, values=values, errors=messages, status=400)
    except Conflict as exc:
        return _draw_page(request, project, values=values, errors=[str(exc.detail)], status=409)
    return redirect("draw-result", code=project.code)


def draw_result(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request.user, code)
    draw = selectors.published_draw(project)
    return render(request, "lottery/result.html", {
        "project": project, "draw": draw, "proof": draw.proof, "ranking": selectors.ranking_rows(project, draw),
        "source_rows": selectors.source_rows(draw),
        "recordings": session_manifest(draw.session) if draw.session else [],
    })


def verify_page(request: HttpRequest) -> HttpResponse:
    return render(request, "lottery/verify.html", {})


def verifier_download(request: HttpRequest) -> FileResponse:
    path = Path(__file__).with_name("verify.py")
    return FileResponse(path.open("rb"), as_attachment=True, filename="verify.py", content_type="text/x-python")
