"""Demo: the closed fixed-price project is drawn in a session five days ago by the two demo supervisors, so the
result page, the proof and the verifier can be tried at once; its publicity has ended, so it is awarded, the
contract signed, and a follow-up officer records milestones (one of them overdue)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from core import clock
from lottery import services
from lottery.models import Draw
from trading.models import Project, Room, User
from trading.models.projects import Status
from trading.services import aftercare
from trading.services.sessions import attendance_sign, session_book

DEMO_TITLE = "青龙镇农村公路安全生命防护工程"


DRAWN_AGO = dt.timedelta(days=5)


def load(out=print) -> None:
    project = Project.objects.filter(title=DEMO_TITLE).first()
    if project is None:
        return
    if project.status == Status.QUALIFIED and not Draw.objects.filter(project=project).exists():
        _draw(project, out)
        project.refresh_from_db()
    if project.status == Status.PUBLICITY and project.publicity_until < clock.now():
        _award_and_follow_up(project, out)


def _draw(project: Project, out) -> None:
    room = Room.objects.filter(kind="draw").order_by("name").last()
    starts = timezone.now() - DRAWN_AGO - dt.timedelta(hours=3)
    with clock.travel(-DRAWN_AGO - dt.timedelta(days=1)):
        session = session_book(actor=User.objects.get(username="agency"), project=project, room=room, kind="draw",
                               starts_at=starts, ends_at=starts + dt.timedelta(hours=2))
    supervisors = [User.objects.get(username=name) for name in ("supervisor", "supervisor2")]
    with clock.travel(-DRAWN_AGO - dt.timedelta(hours=2, minutes=30)):
        for supervisor in supervisors:
            attendance_sign(actor=supervisor, session=session, badge="supervisor")
        picks = [("de30" * 8, "3176"), ("de31" * 8, "52")]  # nonces: 32 hex, fixed so the demo repeats
        for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
            services.input_seal(actor=supervisor, project=project,
                                commitment=hashlib.sha256((nonce + value).encode()).hexdigest())
        for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
            services.input_reveal(actor=supervisor, project=project, value=value, nonce=nonce)
        draw = services.draw_run(actor=supervisors[0], project=project)
    out(f"demo draw of {project.code}: winner {draw.proof['ranking'][0]}; result at /projects/{project.code}/result/")


def _award_and_follow_up(project: Project, out) -> None:
    agency = User.objects.get(username="agency")
    with clock.travel(-dt.timedelta(days=2)):
        contract = aftercare.project_award(actor=agency, project=project)
    with clock.travel(-dt.timedelta(days=1)):
        aftercare.contract_sign(actor=agency, contract=contract)
    aftercare.followup_assign(actor=agency, project=project, officer=agency)
    today = timezone.localdate(clock.now())
    for title, due, done in (("施工合同备案", -3, -2), ("进场开工", -1, None), ("主体工程完工", 45, None),
                             ("竣工验收", 90, None)):
        aftercare.milestone_record(actor=agency, project=project, title=title, due=today + dt.timedelta(days=due),
                                   done_on=done and today + dt.timedelta(days=done))
    out(f"{project.code} awarded to {contract.enterprise.name}, contract signed, follow-up by agency")
