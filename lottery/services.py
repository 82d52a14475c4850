"""The fixed-price draw, step by step: commitment at publication, candidates frozen at close, the
supervisors' sealed inputs, the one draw. Every step is an audit event; the draw checkpoints the audit head."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import checkpoints, ledger
from audit.models import LedgerEntry
from core import clock, context
from core.errors import Conflict
from core.roles import require
from core.timefmt import local_time
from lottery import engine
from lottery import secrets as sealing
from lottery.models import Draw, DrawInput, DrawSecret
from trading.lifecycle import project_transition
from trading.models import Attendance, Project, Registration, Session, User
from trading.models.projects import Status
from trading.selectors import eligible_registrations, session_under_way
from trading.services import notifications
from trading.services.aftercare import publicity_start

REVEAL_WINDOW = dt.timedelta(seconds=settings.DRAW_REVEAL_SECONDS)


def _as_actor(service):
    """Every row and ledger entry the service writes names its actor, whoever calls it (a request, a command,
    the demo): a seal, a reveal or a draw never goes on record without the supervisor who made it."""
    @functools.wraps(service)
    def run(*args: Any, actor: User, **kwargs: Any) -> Any:
        with context.acting(actor):
            return service(*args, actor=actor, **kwargs)
    return run


# --- hooks called by trading ------------------------------------------------------------------------------------

def commit_for_project(*, project: Project, actor: User) -> None:
    """At publication: a fresh secret, sealed at rest; its commitment published with the announcement. An RFC 3797
    draw has no secret: what is fixed in advance is the list of public sources the announcement names, recorded
    in the ledger at publication so that nobody can change them once their values could be known."""
    if not project.is_fixed_price:
        return
    if project.uses_rfc3797:
        ledger.record_event("draw_sources_announced", obj=project, data={
            "round": project.round, "protocol": engine.RFC3797, "sources": list(project.draw_sources or [])})
        return
    secret = engine.new_secret()
    commitment = engine.commitment(secret)
    DrawSecret.objects.create(project=project, round=project.round, commitment=commitment, created_at=clock.now(),
                              sealed_secret=sealing.seal(secret, project.code, project.round))
    project.commitment = commitment
    project._change_reason = _("公布随机数承诺值")
    project.save()
    ledger.record_event("draw_commitment_published", obj=project,
                        data={"round": project.round, "commitment": commitment})


def freeze_candidates(*, project: Project, actor: User) -> None:
    """At close: the eligible candidates' digest, published at once. The list is immutable from then on (DESIGN §3):
    a round's digest is published once; an error found later fails the round (trading.services.projects)."""
    if not project.is_fixed_price:
        return
    identifiers = [r.enterprise.uscc for r in eligible_registrations(project)]
    if not identifiers:
        return
    if published_candidates_digest(project) is not None:
        raise Conflict(_("本轮候选名单已冻结并公布摘要，不能再更改。"))
    digest = engine.candidates_digest(identifiers)
    project.refresh_from_db()
    project.candidates_digest = digest
    project.candidates_frozen_at = clock.now()
    project._change_reason = _("冻结候选名单并公布摘要")
    project.save()
    ledger.record_event("draw_candidates_frozen", obj=project,
                        data={"round": project.round, "count": len(identifiers), "digest": digest})


def published_candidates_digest(project: Project) -> str | None:
    """The digest published at this round's close, as the append-only ledger recorded it (None before)."""
    entry = (LedgerEntry.objects.filter(project=project.code, action="draw_candidates_frozen",
                                        data__round=project.round).order_by("seq").first())
    return entry.data["digest"] if entry is not None else None


# --- the draw session ---------------------------------------------------------------------------------------------

def current_draw_session(project: Project) -> Session | None:
    for session in project.sessions.filter(kind="draw").order_by("starts_at"):
        if session_under_way(session):
            return session
    return None


def _present_supervisors(project: Project) -> tuple[Session, set[int]]:
    session = current_draw_session(project)
    if session is None:
        raise Conflict(_("本项目没有正在进行的抽取场次。"), {"session": [_("请先预约抽取室并在场次时间内操作")]})
    present = set(session.attendance.filter(badge=Attendance.Badge.SUPERVISOR).values_list("user_id", flat=True))
    return session, present


def _check_supervisor(actor: User, project: Project) -> Session:
    require(actor, "draw.input")
    if project.status != Status.QUALIFIED:
        raise Conflict(_("项目当前状态为“%(s)s”，不能进行抽取。") % {"s": project.get_status_display()})
    session, present = _present_supervisors(project)
    if actor.pk not in present:
        raise PermissionDenied(_("您未以现场监督身份在本抽取场次签到。"))
    return session


def _inputs(project: Project):
    return DrawInput.objects.filter(project=project, round=project.round).order_by("position")


def closes_sealing(sealed: set[int], present: set[int]) -> bool:
    """A seal closes the set of participants when, with it, every supervisor signed in has sealed (and at least
    DRAW_MIN_SUPERVISORS have): from then on nobody seals, every sealer reveals or gets the empty string, and a
    supervisor who signs in later is recorded as present but neither seals nor blocks (DESIGN §3)."""
    return len(sealed) >= settings.DRAW_MIN_SUPERVISORS and present <= sealed


def sealing_closed(inputs) -> bool:
    """Sealing has closed: marked on the seal that closed it, or (rounds sealed before that was recorded) once
    the first input was revealed."""
    return any(i.closed_sealing or i.revealed_at for i in inputs)


def check_commitment(commitment: Any) -> str:
    commitment = str(commitment or "").strip().lower()
    if len(commitment) != 64 or any(c not in "0123456789abcdef" for c in commitment):
        raise ValidationError({"commitment": [_("须为64位十六进制的 SHA-256 值（nonce + 数值）。")]})
    return commitment


def check_reveal(value: Any, nonce: Any) -> None:
    """A reveal's value and nonce, for the fixed-price draw and the panel draw alike. The nonce is exactly 32
    lower-case hex characters: with a free length, a seal of nonce + "424242" would open as "24242" too."""
    errors: dict[str, list[str]] = {}
    if not isinstance(value, str):
        errors["value"] = [_("须为字符串。")]
    elif len(value) > settings.DRAW_INPUT_MAX_LENGTH:
        errors["value"] = [_("最长%(n)d个字符。") % {"n": settings.DRAW_INPUT_MAX_LENGTH}]
    try:
        engine.check_nonce(nonce)
    except ValueError:
        errors["nonce"] = [_("须为32位小写十六进制字符（16个随机字节），与密封时所用的一致。")]
    if errors:
        raise ValidationError(errors)


@_as_actor
@transaction.atomic
def input_seal(*, actor: User, project: Project, commitment: str) -> DrawInput:
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_supervisor(actor, project)
    if project.uses_rfc3797:
        raise Conflict(_("本项目按 RFC 3797 以公告指定的公开数值抽取，不使用现场密封输入。"))
    commitment = check_commitment(commitment)
    inputs = list(_inputs(project))
    if sealing_closed(inputs):
        raise Conflict(_("密封已截止：密封时在场的监督人员均已密封。您的签到已记录，但不参与本轮输入。"))
    if any(i.supervisor_id == actor.pk for i in inputs):
        raise Conflict(_("您已密封过输入。"))
    name = actor.get_full_name() or actor.username
    closing = closes_sealing({i.supervisor_id for i in inputs} | {actor.pk}, _present_supervisors(project)[1])
    sealed = DrawInput.objects.create(project=project, round=project.round, position=len(inputs) + 1,
                                      supervisor=actor, source=_("现场监督%(name)s") % {"name": name},
                                      commitment=commitment, sealed_at=clock.now(), closed_sealing=closing)
    ledger.record_event("draw_input_sealed", obj=project, data={
        "round": project.round, "position": sealed.position, "source": sealed.source, "commitment": commitment,
        "closed_sealing": closing})
    return sealed


def all_sealed(project: Project) -> bool:
    inputs = list(_inputs(project))
    if sealing_closed(inputs):
        return True
    return closes_sealing({i.supervisor_id for i in inputs}, _present_supervisors(project)[1])


@_as_actor
@transaction.atomic
def input_reveal(*, actor: User, project: Project, value: Any, nonce: Any) -> DrawInput:
    project = Project.objects.select_for_update().get(pk=project.pk)
    _check_supervisor(actor, project)
    check_reveal(value, nonce)
    mine = _inputs(project).filter(supervisor=actor).first()
    if mine is None:
        raise Conflict(_("您没有密封过输入。"))
    if mine.revealed_at:
        raise Conflict(_("您已揭示过输入。"))
    if not all_sealed(project):
        raise Conflict(_("还有在场监督人员未密封输入，暂不能揭示。"))
    if engine.input_commitment(nonce, value) != mine.commitment:
        raise ValidationError({"value": [_("揭示的数值与密封值不符（SHA-256(nonce + 数值) 不一致）。")]})
    mine.value, mine.nonce, mine.revealed_at = value, nonce, clock.now()
    mine.save()
    ledger.record_event("draw_input_revealed", obj=project,
                        data={"round": project.round, "position": mine.position, "value": value})
    return mine


@_as_actor
def draw_run(*, actor: User, project: Project, external_value: str = "", source_values: Any = None) -> Draw:
    """Run the draw once. A refused attempt is recorded too, after its transaction rolled back: a draw attempted
    after it was run is a risk finding for the inspectors (audit.findings.repeated_draws)."""
    try:
        if project.uses_rfc3797:
            return _draw_rfc3797_once(actor=actor, project=project, source_values=source_values)
        return _draw_once(actor=actor, project=project, external_value=external_value)
    except Conflict as exc:
        already = Draw.objects.filter(project=project, round=project.round).exists()
        with context.acting(actor):
            ledger.record_event("draw_refused", obj=project, data={
                "round": project.round, "already_drawn": already, "detail": str(exc.detail)})
        raise


def _open_draw(actor: User, project: Project) -> tuple[Project, Session, set[int]]:
    """The project locked, the draw session under way with the acting supervisor signed in, enough supervisors."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if Draw.objects.filter(project=project, round=project.round).exists():
        raise Conflict(_("本轮已抽取，不能重复抽取。"))
    session = _check_supervisor(actor, project)
    present = _present_supervisors(project)[1]
    if len(present) < settings.DRAW_MIN_SUPERVISORS:
        raise Conflict(_("至少需要%(n)d名现场监督人员签到。") % {"n": settings.DRAW_MIN_SUPERVISORS})
    return project, session, present


def _record_draw(*, actor: User, project: Project, session: Session, proof: dict[str, Any], seed: str) -> Draw:
    try:
        with transaction.atomic():
            draw = Draw.objects.create(
                project=project, round=project.round, session=session, drawn_by=actor, drawn_at=clock.now(),
                seed=seed, proof=proof, proof_sha256=proof_sha256(proof))
    except IntegrityError as exc:
        raise Conflict(_("本轮已抽取，不能重复抽取。")) from exc
    _record_ranking(project, proof["ranking"], actor)
    project_transition(project, Status.DRAWN, actor=actor, reason=_("固定价比选随机抽取"))
    publicity_start(actor=actor, project=project, reason=_("抽取结果公示"))
    ledger.record_event("draw_completed", obj=project, data={
        "round": project.round, "protocol": proof["protocol"], "seed": seed, "winner": proof["ranking"][0],
        "proof_sha256": draw.proof_sha256, "record_digest": proof["record_digest"]})
    checkpoints.publish_on_commit(f"draw {project.code}")
    notifications.notify(
        kind=notifications.Kind.RESULT, event=f"draw:{draw.pk}:result", project=project,
        recipients=notifications.registrants(project), title=_("抽取结果：%(code)s") % {"code": project.code},
        body=_("“%(title)s”（%(code)s）已于 %(at)s 完成随机抽取，结果公示至 %(until)s；在项目页面可查看排序和抽取证明。") % {
            "title": project.title, "code": project.code, "at": local_time(draw.drawn_at),
            "until": local_time(project.publicity_until)})
    return draw


@transaction.atomic
def _draw_once(*, actor: User, project: Project, external_value: str = "") -> Draw:
    project, session, present = _open_draw(actor, project)
    inputs = list(_inputs(project))
    public_inputs, commitments = _collect_inputs(project, inputs, external_value)
    proof = _proof(project, session, inputs, public_inputs, commitments, present)
    return _record_draw(actor=actor, project=project, session=session, proof=proof, seed=proof["seed"])


# --- RFC 3797 mode: public sources named in the announcement, their values entered after the close ---------------

SOURCE_VALUE = re.compile(r"[0-9]{1,15}(\.[0-9]{1,15})?")
SOURCE_SEPARATORS = re.compile(r"[\s,，、;；]+")
SOURCE_MAX_VALUES = 64


def parse_source_values(project: Project, texts: Any) -> list[list[Decimal]]:
    """The values of each announced source, in announced order, each a text of non-negative numbers (digits and at
    most one decimal point, ASCII) separated by spaces or commas, exactly as published (the order within a source
    does not matter: RFC 3797 sorts it). Every bad source is reported at once, named."""
    names = list(project.draw_sources or [])
    if not isinstance(texts, list) or len(texts) != len(names):
        raise ValidationError({"source_values": [_("须按公告顺序录入全部%(n)d个公开数值来源的数值。") % {"n": len(names)}]})
    errors: dict[str, list[str]] = {}
    sources = []
    for n, (name, text) in enumerate(zip(names, texts, strict=True), start=1):
        field = f"source_values.{n}"
        tokens = [t for t in SOURCE_SEPARATORS.split(text.strip())] if isinstance(text, str) else None
        tokens = [t for t in tokens or [] if t]
        bad = [t for t in tokens if not SOURCE_VALUE.fullmatch(t)]
        if not tokens:
            errors[field] = [_("“%(s)s”：须录入公布的数值。") % {"s": name}]
        elif len(tokens) > SOURCE_MAX_VALUES:
            errors[field] = [_("“%(s)s”：最多%(n)d个数值。") % {"s": name, "n": SOURCE_MAX_VALUES}]
        elif bad:
            errors[field] = [_("“%(s)s”：“%(v)s”不是非负数（只能是数字，最多一个小数点）。") % {"s": name, "v": bad[0][:20]}]
        else:
            sources.append([Decimal(t) for t in tokens])
    if errors:
        raise ValidationError(errors)
    return sources


@transaction.atomic
def _draw_rfc3797_once(*, actor: User, project: Project, source_values: Any) -> Draw:
    project, session, present = _open_draw(actor, project)
    sources = parse_source_values(project, source_values)
    candidates = sorted(_candidates(project))  # the pool's published order: the order its digest fixes
    ledger.record_event("draw_sources_entered", obj=project, data={
        "round": project.round, "sources": project.draw_sources,
        "values": [[str(v) for v in source] for source in sources]})
    metadata = {
        "kind": engine.KIND_FIXED_PRICE, "round": project.round, "fixed_price": str(project.fixed_price),
        "drawn_at": clock.now().isoformat(), "sources_announced": list(project.draw_sources or []),
        "sources_announced_at": project.published_at.isoformat() if project.published_at else None,
        "candidates_frozen_at": project.candidates_frozen_at.isoformat() if project.candidates_frozen_at else None,
        "session": session.pk, "room": session.room.name, "entered_by": actor.username,
        "supervisors_present": sorted(User.objects.filter(pk__in=present).values_list("username", flat=True)),
    }
    try:
        proof = engine.build_rfc3797_proof(project=project.code, pool=candidates, sources=sources,
                                           k=len(candidates), metadata=metadata,
                                           published_digest=published_candidates_digest(project))
    except ValueError as exc:
        raise ValidationError({"source_values": [str(exc)]}) from exc
    return _record_draw(actor=actor, project=project, session=session, proof=proof, seed="")


def _collect_inputs(project: Project, inputs: list[DrawInput], external_value: str):
    if len(inputs) < settings.DRAW_MIN_SUPERVISORS:
        raise Conflict(_("至少需要%(n)d名现场监督人员密封输入。") % {"n": settings.DRAW_MIN_SUPERVISORS})
    if not all_sealed(project):
        raise Conflict(_("还有在场监督人员未密封输入。"))
    waiting = [i for i in inputs if not i.revealed_at]
    last_seal = max(i.sealed_at for i in inputs)
    if waiting and clock.now() < last_seal + REVEAL_WINDOW:
        raise Conflict(_("还有%(n)d名监督人员未揭示；揭示时限至 %(t)s，逾期按空值记录。")
                       % {"n": len(waiting), "t": local_time(last_seal + REVEAL_WINDOW)})
    public = [{"source": i.source, "value": i.value if i.revealed_at else ""} for i in inputs]
    sealed = [{"source": i.source, "commitment": i.commitment, "nonce": i.nonce if i.revealed_at else ""}
              for i in inputs]
    if project.external_input_source:
        value = engine.check_input_value(str(external_value or "").strip())
        if not value:
            raise ValidationError({"external_value": [_("须录入公告指定的外部公开随机数：%(s)s")
                                                      % {"s": project.external_input_source}]})
        public.append({"source": project.external_input_source, "value": value})
        sealed.append({"source": project.external_input_source, "commitment": engine.input_commitment("", value),
                       "nonce": ""})
    return public, sealed


def _candidates(project: Project) -> list[str]:
    """The eligible candidates, refused unless they are the list whose digest was published at the close: the
    list is immutable from then on, so a difference is an error that fails the round, never a new list."""
    candidates = [r.enterprise.uscc for r in eligible_registrations(project)]
    published = published_candidates_digest(project)
    if not candidates or published is None or project.candidates_digest != published \
            or engine.candidates_digest(candidates) != published:
        raise Conflict(_("候选名单与截止时公布的摘要不一致，抽取中止。名单自公布摘要起不得更改：如确有实质性错误，"
                         "须以流标终止本轮并重新发布。"))
    return candidates


def _proof(project, session, inputs, public_inputs, commitments, present: set[int]) -> dict[str, Any]:
    record = DrawSecret.objects.get(project=project, round=project.round)
    candidates = _candidates(project)
    secret = sealing.unseal(record.sealed_secret, project.code, project.round)
    metadata = {
        "kind": engine.KIND_FIXED_PRICE,
        "round": project.round, "fixed_price": str(project.fixed_price), "drawn_at": clock.now().isoformat(),
        "commitment_published_at": project.published_at.isoformat() if project.published_at else None,
        "candidates_frozen_at": project.candidates_frozen_at.isoformat() if project.candidates_frozen_at else None,
        "session": session.pk, "room": session.room.name,
        "supervisors": [i.supervisor.username for i in inputs],
        "supervisors_present": sorted(User.objects.filter(pk__in=present).values_list("username", flat=True)),
        "not_revealed": [i.source for i in inputs if not i.revealed_at],
    }
    return engine.build_proof(project=project.code, secret=secret, candidates=candidates,
                              public_inputs=public_inputs, selected=1, input_commitments=commitments,
                              metadata=metadata, proof_format=engine.PROOF_FORMAT)


def proof_sha256(proof: dict[str, Any]) -> str:
    return hashlib.sha256(proof_bytes(proof)).hexdigest()


def proof_bytes(proof: dict[str, Any]) -> bytes:
    return json.dumps(proof, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def _record_ranking(project: Project, ranking: list[str], actor: User) -> None:
    position = {uscc: n for n, uscc in enumerate(ranking, start=1)}
    with context.acting(actor, reason=_("记录抽取顺位")):
        for registration in Registration.objects.filter(project=project, round=project.round, eligible=True) \
                .select_related("enterprise"):
            registration.rank = position[registration.enterprise.uscc]
            registration.save()
