"""Demo: the closed fixed-price project is drawn in a past session by the two demo supervisors, so the result
page, the proof and the verifier can be tried at once."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from config import clock
from lottery import services
from lottery.models import Draw
from trading.models import Project, Room, User
from trading.models.projects import Status
from trading.services.sessions import attendance_sign, session_book

DEMO_TITLE = "青龙镇农村公路安全生命防护工程"


def load(out=print) -> None:
    project = Project.objects.filter(title=DEMO_TITLE).first()
    if project is None or project.status != Status.QUALIFIED or Draw.objects.filter(project=project).exists():
        return
    room = Room.objects.filter(kind="draw").order_by("name").last()
    starts = timezone.now() - dt.timedelta(hours=3)
    with clock.travel(-dt.timedelta(days=1)):
        session = session_book(actor=User.objects.get(username="agency"), project=project, room=room, kind="draw",
                               starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    supervisors = [User.objects.get(username=name) for name in ("supervisor", "supervisor2")]
    with clock.travel(-dt.timedelta(hours=2, minutes=30)):
        for supervisor in supervisors:
            attendance_sign(actor=supervisor, session=session, badge="supervisor")
        picks = [("demo-nonce-0001", "3176"), ("demo-nonce-0002", "52")]
        for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
            services.input_seal(actor=supervisor, project=project,
                                commitment=hashlib.sha256((nonce + value).encode()).hexdigest())
        for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
            services.input_reveal(actor=supervisor, project=project, value=value, nonce=nonce)
        draw = services.draw_run(actor=supervisors[0], project=project)
    out(f"demo draw of {project.code}: winner {draw.proof['ranking'][0]}; result at /projects/{project.code}/result/")
