"""Pages: the live draw screen (supervisors and the room's big screen), the public result, how to verify."""

from __future__ import annotations

from pathlib import Path

from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from core.roles import can
from lottery import selectors, services
from recordings.selectors import session_manifest
from trading.selectors import project_for


def draw_screen(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request.user, code)
    return render(request, "lottery/draw_screen.html", {
        "project": project, "is_supervisor": can(request.user, "draw.input"),
        "reveal_seconds": int(services.REVEAL_WINDOW.total_seconds()),
    })


def draw_result(request: HttpRequest, code: str) -> HttpResponse:
    project = project_for(request.user, code)
    draw = selectors.published_draw(project)
    return render(request, "lottery/result.html", {
        "project": project, "draw": draw, "proof": draw.proof, "ranking": selectors.ranking_rows(project, draw),
        "recordings": session_manifest(draw.session) if draw.session else [],
    })


def verify_page(request: HttpRequest) -> HttpResponse:
    return render(request, "lottery/verify.html", {})


def verifier_download(request: HttpRequest) -> FileResponse:
    path = Path(__file__).with_name("verify.py")
    return FileResponse(path.open("rb"), as_attachment=True, filename="verify.py", content_type="text/x-python")
