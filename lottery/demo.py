"""Demo: the showcase fixed-price project is drawn in its draw session, which starts right after its registration
close (trading.demo), by the two demo supervisors: they sign in, seal, reveal, and the first runs the draw. Every
domain time follows the one before it: registrations, deadline, close (candidates frozen), session start, seals,
reveals, draw, publicity. Publicity runs PUBLICITY_DAYS from the draw, so the award, the contract and the
follow-up come when the demo is run again after it has ended (the command is idempotent and continues the story)."""

from __future__ import annotations

import datetime as dt
import time

from django.utils import timezone

from core import clock
from lottery import engine, services
from lottery.models import Draw
from trading.models import Project, User
from trading.models.projects import Status
from trading.services import aftercare
from trading.services.sessions import attendance_sign

DEMO_TITLE = "青龙镇农村公路安全生命防护工程"


def load(out=print) -> None:
    project = Project.objects.filter(title=DEMO_TITLE).first()
    if project is None:
        return
    if project.status == Status.QUALIFIED and not Draw.objects.filter(project=project).exists():
        _draw(project, out)
        project.refresh_from_db()
    if project.status == Status.PUBLICITY and project.publicity_until < clock.now():
        _award_and_follow_up(project, out)


def _wait_until(moment: dt.datetime) -> None:
    """Real waiting, a few seconds: the session's times are real times, like the registrations before them."""
    time.sleep(max(0.0, (moment - timezone.now()).total_seconds()))


def _draw(project: Project, out) -> None:
    session = project.sessions.filter(kind="draw").order_by("starts_at").first()
    if session is None:
        return
    _wait_until(session.starts_at)
    supervisors = [User.objects.get(username=name) for name in ("supervisor", "supervisor2")]
    for supervisor in supervisors:
        attendance_sign(actor=supervisor, session=session, badge="supervisor")
    picks = [("de30" * 8, "3176"), ("de31" * 8, "52")]  # nonces: 32 hex, fixed so the demo repeats
    for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
        services.input_seal(actor=supervisor, project=project, commitment=engine.input_commitment(nonce, value))
    for supervisor, (nonce, value) in zip(supervisors, picks, strict=True):
        services.input_reveal(actor=supervisor, project=project, value=value, nonce=nonce)
    draw = services.draw_run(actor=supervisors[0], project=project)
    _wait_until(session.ends_at)  # the session's recording is stored once it has ended (recordings.demo)
    out(f"demo draw of {project.code}: winner {draw.proof['ranking'][0]}; result at /projects/{project.code}/result/")


def _award_and_follow_up(project: Project, out) -> None:
    """After publicity: the agency awards and records the contract, then assigns the follow-up and plans its
    milestones from that day on (none can be overdue the day the contract is signed)."""
    agency = User.objects.get(username="agency")
    contract = aftercare.project_award(actor=agency, project=project)
    aftercare.contract_sign(actor=agency, contract=contract)
    aftercare.followup_assign(actor=agency, project=project, officer=agency)
    today = timezone.localdate(clock.now())
    for title, due in (("施工合同备案", 3), ("进场开工", 10), ("主体工程完工", 60), ("竣工验收", 120)):
        aftercare.milestone_record(actor=agency, project=project, title=title, due=today + dt.timedelta(days=due))
    out(f"{project.code} awarded to {contract.enterprise.name}, contract signed, follow-up by agency")
