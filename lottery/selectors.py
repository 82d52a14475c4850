"""What the live draw screen and the public result page show. Never the secret before the draw."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from core.errors import ConfidentialNotFound
from lottery.models import Draw, DrawInput
from trading.models import Project, Registration
from trading.selectors import eligible_registrations


def draw_for(project: Project) -> Draw | None:
    return Draw.objects.filter(project=project, round=project.round).first()


def published_draw(project: Project) -> Draw:
    draw = Draw.objects.filter(project=project).order_by("-round").first()
    if draw is None:
        raise ConfidentialNotFound(_("尚未抽取。"))
    return draw


def draw_state(project: Project) -> dict[str, Any]:
    from lottery.services import all_sealed, current_draw_session, sealing_closed

    session = current_draw_session(project)
    inputs = list(DrawInput.objects.filter(project=project, round=project.round).order_by("position"))
    draw = draw_for(project)
    present = []
    if session is not None:
        present = [a.user.get_full_name() or a.user.username
                   for a in session.attendance.filter(badge="supervisor").select_related("user")]
    try:
        sealed_all = session is not None and all_sealed(project)
    except Exception:  # noqa: BLE001 - no session under way: nothing to reveal
        sealed_all = False
    state: dict[str, Any] = {
        "project": project.code, "title": project.title, "round": project.round, "status": project.status,
        "fixed_price": str(project.fixed_price) if project.fixed_price is not None else None,
        "commitment": project.commitment, "candidates_digest": project.candidates_digest,
        "candidates_count": eligible_registrations(project).count() if project.candidates_digest else 0,
        "session": session.pk if session else None, "supervisors_present": present, "all_sealed": sealed_all,
        "sealing_closed": sealing_closed(inputs),
        "external_input_source": project.external_input_source,
        "protocol": project.draw_protocol or "fps-draw-v1", "draw_sources": project.draw_sources or [],
        "inputs": [{"position": i.position, "source": i.source, "commitment": i.commitment,
                    "revealed": i.revealed_at is not None, "value": i.value if i.revealed_at else None}
                   for i in inputs],
        "draw": None,
    }
    if draw is not None:
        state["draw"] = {"seed": draw.seed, "secret": draw.proof.get("secret", ""), "ranking": ranking_rows(project, draw),
                         "proof_sha256": draw.proof_sha256, "drawn_at": draw.drawn_at.isoformat()}
    return state


def ranking_rows(project: Project, draw: Draw) -> list[dict[str, Any]]:
    names = {r.enterprise.uscc: r.enterprise.name for r in
             Registration.objects.filter(project=project, round=draw.round).select_related("enterprise")}
    return [{"rank": n, "uscc": uscc, "name": names.get(uscc, "")}
            for n, uscc in enumerate(draw.proof["ranking"], start=1)]


def source_rows(draw: Draw) -> list[dict[str, str]]:
    """An RFC 3797 draw's public sources as announced, each with the values entered after the close."""
    proof = draw.proof
    if proof.get("protocol") != "rfc3797":
        return []
    names = proof.get("metadata", {}).get("sources_announced", [])
    return [{"source": name, "values": " ".join(str(v) for v in values)}
            for name, values in zip(names, proof["sources"], strict=False)]
