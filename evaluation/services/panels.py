"""The expert pool and the panel draw: conflicts excluded first with reasons, the pool frozen and its
digest published with a secret's commitment when the agency requests the panel, then one `fps-draw-v1` draw by a
supervisor with public inputs; the proof verifies with `python lottery/verify.py`. A member who declines is
replaced by the next in the ranking, recorded."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import checkpoints, ledger
from core import clock, context
from core.errors import Conflict
from core.roles import Role, require
from core.timefmt import local_time
from evaluation.models import Bid, Expert, Panel, PanelInput, PanelMember
from lottery import engine
from lottery import secrets as draw_secrets
from lottery.services import (
    REVEAL_WINDOW,
    check_commitment,
    check_reveal,
    closes_sealing,
    current_draw_session,
    sealing_closed,
)
from trading.models import Attendance, Organisation, Project, User
from trading.models.projects import Status
from trading.selectors import ensure_manages
from trading.services import notifications

MIN_PANEL = 5  # 评标委员会 5 人以上单数 (招标投标法 §37)


def _pad_label(project: Project) -> str:
    return f"{project.code}/panel"  # its own pad: never the fixed-price draw's


def proof_project(project: Project) -> str:
    return f"{project.code}/panel/{project.round}"


@transaction.atomic
def expert_save(*, actor: User, user: User, name: str, specialty: str, employer: Organisation | None = None,
                relations: list[dict[str, str]] | None = None, available: bool = True) -> Expert:
    """Add an expert to the pool or update one (centre administrators)."""
    require(actor, "centre.admin")
    errors: dict[str, list[str]] = {}
    if user.role != Role.EXPERT:
        errors["user"] = [_("账号角色须为评标专家。")]
    if not str(name).strip():
        errors["name"] = [_("必填。")]
    if not str(specialty).strip():
        errors["specialty"] = [_("必填。")]
    relations = list(relations or [])
    for n, item in enumerate(relations):
        if not isinstance(item, dict) or not str(item.get("uscc", "")).strip():
            errors.setdefault("relations", []).append(_("第%(n)d项须写明机构代码 uscc。") % {"n": n + 1})
    if errors:
        raise ValidationError(errors)
    expert = Expert.objects.filter(user=user).first() or Expert(user=user)
    expert.name, expert.specialty, expert.employer = name.strip(), specialty.strip(), employer
    expert.relations = [{"uscc": str(r["uscc"]).strip().upper(), "relation": str(r.get("relation", ""))}
                        for r in relations]
    expert.available = available
    with context.acting(actor, reason=_("维护专家库")):
        expert.save()
    return expert


def parties(project: Project) -> dict[str, str]:
    """USCC → role of everyone an expert must not be tied to: the tenderer, the agency and every bidder."""
    found = {project.agency.uscc: _("招标代理")}
    if project.tenderer_id:
        found[project.tenderer.uscc] = _("招标人")
    bids = Bid.objects.filter(project=project, round=project.round, state=Bid.State.ACTIVE).select_related("bidder")
    for bid in bids:
        found[bid.bidder.uscc] = _("投标人%(name)s") % {"name": bid.bidder.name}
    return found


def conflict_reasons(expert: Expert, involved: dict[str, str]) -> list[str]:
    reasons = []
    if expert.employer_id and expert.employer.uscc in involved:
        reasons.append(_("工作单位是%(who)s") % {"who": involved[expert.employer.uscc]})
    for relation in expert.relations:
        if relation["uscc"] in involved:
            reasons.append(_("申报与%(who)s有利害关系：%(r)s") % {"who": involved[relation["uscc"]],
                                                                "r": relation.get("relation") or "-"})
    return reasons


@transaction.atomic
def panel_request(*, actor: User, project: Project, specialty: str, size: int) -> Panel:
    """After the opening: exclude conflicts with reasons, freeze the candidates, commit to a fresh secret."""
    ensure_manages(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if isinstance(size, bool) or not isinstance(size, int) or size < MIN_PANEL or size % 2 == 0:
        raise ValidationError({"size": [_("评标委员会须为%(n)d人以上单数。") % {"n": MIN_PANEL}]})
    if project.status != Status.OPENED:
        raise Conflict(_("开标后方可抽取评标专家。"))
    if Panel.objects.filter(project=project, round=project.round).exists():
        raise Conflict(_("本轮已申请抽取评标专家。"))
    involved = parties(project)
    candidates, excluded = [], []
    for expert in Expert.objects.filter(specialty=specialty, available=True).select_related("employer"):
        reasons = conflict_reasons(expert, involved)
        if reasons:
            excluded.append({"expert": expert.identifier, "reasons": reasons})
        else:
            candidates.append(expert.identifier)
    if len(candidates) < size:
        raise Conflict(_("专业“%(s)s”可抽取的专家%(n)d名，不足%(k)d名。")
                       % {"s": specialty, "n": len(candidates), "k": size}, {"size": [str(len(candidates))]})
    secret = engine.new_secret()
    panel = Panel.objects.create(
        project=project, round=project.round, specialty=specialty, size=size, requested_by=actor,
        requested_at=clock.now(), sealed_secret=draw_secrets.seal(secret, _pad_label(project), project.round),
        commitment=engine.commitment(secret), candidates=sorted(candidates),
        candidates_digest=engine.candidates_digest(candidates), excluded=excluded)
    ledger.record_event("panel_requested", obj=panel, actor=actor, data={
        "specialty": specialty, "size": size, "commitment": panel.commitment,
        "candidates_digest": panel.candidates_digest, "candidates": len(candidates), "excluded": excluded})
    return panel


def _present(actor: User, project: Project) -> set[int]:
    """The supervisors signed in to the project's draw session under way; the actor must be one of them."""
    require(actor, "draw.input")
    session = current_draw_session(project)
    if session is None:
        raise Conflict(_("本项目没有正在进行的抽取场次。"), {"session": [_("请先预约抽取室并在场次时间内操作")]})
    present = set(session.attendance.filter(badge=Attendance.Badge.SUPERVISOR).values_list("user_id", flat=True))
    if actor.pk not in present:
        raise PermissionDenied(_("您未以现场监督身份在本抽取场次签到。"))
    return present


def _open_panel(project: Project) -> Panel:
    panel = Panel.objects.select_for_update().filter(project=project, round=project.round).first()
    if panel is None:
        raise Conflict(_("代理机构尚未申请抽取评标专家。"))
    if panel.drawn_at:
        raise Conflict(_("本轮评标专家已抽取，不能重复抽取。"))
    return panel


def _all_sealed(panel: Panel, present: set[int]) -> bool:
    inputs = list(panel.inputs.all())
    if sealing_closed(inputs):
        return True
    return closes_sealing({i.supervisor_id for i in inputs}, present)


@transaction.atomic
def panel_input_seal(*, actor: User, project: Project, commitment: str) -> PanelInput:
    """A present supervisor seals SHA-256(nonce + value); nobody reveals before every present supervisor sealed.
    The seal that completes the set closes sealing: a supervisor signing in later does not block the draw."""
    present = _present(actor, project)
    panel = _open_panel(project)
    commitment = check_commitment(commitment)
    inputs = list(panel.inputs.all())
    if sealing_closed(inputs):
        raise Conflict(_("密封已截止：密封时在场的监督人员均已密封。您的签到已记录，但不参与本轮输入。"))
    if any(i.supervisor_id == actor.pk for i in inputs):
        raise Conflict(_("您已密封过输入。"))
    closing = closes_sealing({i.supervisor_id for i in inputs} | {actor.pk}, present)
    sealed = PanelInput.objects.create(
        panel=panel, position=len(inputs) + 1, supervisor=actor, commitment=commitment, sealed_at=clock.now(),
        source=_("现场监督%(name)s") % {"name": actor.get_full_name() or actor.username}, closed_sealing=closing)
    ledger.record_event("panel_input_sealed", obj=panel, actor=actor, data={
        "position": sealed.position, "source": sealed.source, "commitment": commitment, "closed_sealing": closing})
    return sealed


@transaction.atomic
def panel_input_reveal(*, actor: User, project: Project, value: Any, nonce: Any) -> PanelInput:
    present = _present(actor, project)
    panel = _open_panel(project)
    check_reveal(value, nonce)
    mine = panel.inputs.filter(supervisor=actor).first()
    if mine is None or mine.revealed_at:
        raise Conflict(_("您没有待揭示的密封输入。"))
    if not _all_sealed(panel, present):
        raise Conflict(_("还有在场监督人员未密封输入，暂不能揭示。"))
    if engine.input_commitment(nonce, value) != mine.commitment:
        raise ValidationError({"value": [_("揭示的数值与密封值不符（SHA-256(nonce + 数值) 不一致）。")]})
    mine.value, mine.nonce, mine.revealed_at = value, nonce, clock.now()
    with context.acting(actor, reason=_("揭示公开输入")):
        mine.save()
    ledger.record_event("panel_input_revealed", obj=panel, actor=actor, data={"position": mine.position,
                                                                            "value": value})
    return mine


def _inputs_for_proof(panel: Panel, present: set[int]) -> tuple[list[dict], list[dict]]:
    """Every sealer's value, or the empty string once the reveal window has passed (recorded, never a re-draw)."""
    inputs = list(panel.inputs.order_by("position"))
    if not _all_sealed(panel, present):
        raise Conflict(_("至少需要%(n)d名在场监督人员密封输入。") % {"n": settings.DRAW_MIN_SUPERVISORS})
    waiting = [i for i in inputs if not i.revealed_at]
    deadline = max(i.sealed_at for i in inputs) + REVEAL_WINDOW
    if waiting and clock.now() < deadline:
        raise Conflict(_("还有%(n)d名监督人员未揭示；揭示时限至 %(t)s，逾期按空值记录。")
                       % {"n": len(waiting), "t": local_time(deadline)})
    public = [{"source": i.source, "value": i.value if i.revealed_at else ""} for i in inputs]
    sealed = [{"source": i.source, "commitment": i.commitment, "nonce": i.nonce if i.revealed_at else ""}
              for i in inputs]
    return public, sealed


@transaction.atomic
def panel_draw(*, actor: User, project: Project) -> Panel:
    """The one draw: rank the frozen candidates with fps-draw-v1 and seat the first `size`."""
    present = _present(actor, project)
    panel = _open_panel(project)
    public_inputs, commitments = _inputs_for_proof(panel, present)
    secret = draw_secrets.unseal(panel.sealed_secret, _pad_label(project), project.round)
    metadata = {"kind": engine.KIND_EXPERT_PANEL, "specialty": panel.specialty, "size": panel.size,
                "requested_at": panel.requested_at.isoformat(), "drawn_at": clock.now().isoformat(),
                "supervisors": [i.supervisor.username for i in panel.inputs.order_by("position")],
                "supervisors_present": sorted(User.objects.filter(pk__in=present).values_list("username", flat=True)),
                "not_revealed": [i["source"] for i, c in zip(public_inputs, commitments, strict=True)
                                 if not c["nonce"]],
                "excluded": len(panel.excluded)}
    proof = engine.build_proof(project=proof_project(project), secret=secret, candidates=panel.candidates,
                               public_inputs=public_inputs, selected=panel.size, input_commitments=commitments,
                               metadata=metadata, proof_format=engine.PROOF_FORMAT)
    if proof["candidates_digest"] != panel.candidates_digest:
        raise Conflict(_("候选专家名单与公布的摘要不一致，抽取中止。"))
    panel.proof, panel.proof_sha256 = proof, proof_sha256(proof)
    panel.drawn_at, panel.drawn_by = clock.now(), actor
    experts = {e.identifier: e for e in Expert.objects.filter(pk__in=[int(i[1:]) for i in panel.candidates])}
    with context.acting(actor, reason=_("抽取评标专家")):
        panel.save()
        for rank, identifier in enumerate(proof["ranking"][: panel.size], start=1):
            PanelMember.objects.create(panel=panel, expert=experts[identifier], rank=rank)
    ledger.record_event("panel_drawn", obj=panel, actor=actor, data={
        "seed": proof["seed"], "proof_sha256": panel.proof_sha256, "selected": panel.size,
        "record_digest": proof["record_digest"]})
    checkpoints.publish_on_commit(f"panel draw {project.code}")
    for member in panel.members.select_related("expert__user"):
        notifications.notify(
            kind=notifications.Kind.EXPERT_CALLED, event=f"panel-member:{member.pk}", project=project,
            recipients=[member.expert.user], title=_("评标专家抽取通知：%(code)s") % {"code": project.code},
            body=_("您已被抽取为“%(title)s”（%(code)s）的评标专家（%(specialty)s）。请按通知时间到场；"
                   "如有利害关系须回避，请在平台声明。") % {
                "title": project.title, "code": project.code, "specialty": panel.specialty})
    return panel


def proof_bytes(proof: dict[str, Any]) -> bytes:
    return json.dumps(proof, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def proof_sha256(proof: dict[str, Any]) -> str:
    return hashlib.sha256(proof_bytes(proof)).hexdigest()


@transaction.atomic
def member_decline(*, actor: User, member: PanelMember, reason: str) -> PanelMember:
    """The expert (or the agency on the expert's call) declines; the next in the ranking not yet asked is seated."""
    member = PanelMember.objects.select_for_update().select_related("panel__project", "expert").get(pk=member.pk)
    panel = member.panel
    if actor.pk != member.expert.user_id:
        ensure_manages(actor, panel.project)
    if not str(reason or "").strip():
        raise ValidationError({"reason": [_("须写明谢绝原因。")]})
    if member.state != PanelMember.State.SEATED or member.submitted_at or panel.ended_at:
        raise Conflict(_("该评委已谢绝或已提交评分，不能再谢绝。"))
    asked = set(panel.members.values_list("expert_id", flat=True))
    ranking = panel.proof["ranking"]
    nxt = next(((n, i) for n, i in enumerate(ranking, start=1) if int(i[1:]) not in asked), None)
    if nxt is None:
        raise Conflict(_("排序名单中已无可递补的专家，须重新申请抽取。"))
    member.state, member.declined_reason = PanelMember.State.DECLINED, reason.strip()
    with context.acting(actor, reason=_("评委谢绝，按抽取顺位递补")):
        member.save()
        try:
            with transaction.atomic():
                substitute = PanelMember.objects.create(panel=panel, expert_id=int(nxt[1][1:]), rank=nxt[0],
                                                        replaces=member)
        except IntegrityError as exc:
            raise Conflict(_("递补冲突，请重试。")) from exc
    ledger.record_event("panel_member_replaced", obj=panel, actor=actor, data={
        "declined_rank": member.rank, "substitute_rank": substitute.rank, "reason": member.declined_reason})
    return substitute


def seated(panel: Panel):
    return panel.members.filter(state=PanelMember.State.SEATED).select_related("expert")


def member_for(actor: User, project: Project) -> PanelMember:
    """The actor's seat on this project's panel, or 403: experts score only their own panel."""
    require(actor, "bid.score")
    member = (PanelMember.objects.filter(panel__project=project, panel__round=project.round, expert__user=actor,
                                         state=PanelMember.State.SEATED)
              .select_related("panel", "expert").first())
    if member is None:
        raise PermissionDenied(_("您不是本项目评标委员会成员。"))
    return member
