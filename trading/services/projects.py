"""Writes on projects: create, publish, change notices and clarifications while registration is open, close with
eligibility, review, re-publish after failure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import checkpoints
from core import clock, context
from core.errors import Conflict
from core.roles import is_system, require
from core.timefmt import local_time
from trading import hooks, selectors
from trading.eligibility import exclusion_reasons
from trading.lifecycle import project_transition
from trading.models import Amendment, NoticeKind, Project, Question, Registration, User
from trading.models.projects import ProjectType, Status
from trading.notices import render_notice
from trading.rules import validate_project
from trading.services import notices as notice_services
from trading.services import notifications

CODE_PREFIX = {ProjectType.PROCUREMENT: "CG", ProjectType.LAND_AUCTION: "TD",
               ProjectType.ASSET_TRANSFER: "ZC", ProjectType.FIXED_PRICE: "GD"}


@transaction.atomic
def project_create(*, actor: User, data: dict[str, Any]) -> Project:
    require(actor, "project.manage")
    if actor.organisation_id is None:
        raise PermissionDenied(_("账号未关联招标代理机构。"))
    clean = validate_project(data, now=clock.now())
    for attempt in range(5):
        code = _next_code(clean["type"], offset=attempt)
        try:
            with transaction.atomic(), context.acting(actor, reason=_("新建项目")):
                return Project.objects.create(code=code, agency_id=actor.organisation_id, created_by=actor,
                                              **clean)
        except IntegrityError:
            continue  # two agencies took the same number at once: take the next
    raise Conflict(_("项目编号分配失败，请重试。"))


# what a draft's edit may change, and the value of an optional field left empty (validate_project omits it)
EDITABLE = {"title": None, "budget": None, "fixed_price": None, "ceiling_price": None, "registration_deadline": None,
            "qualification_kind": "", "qualification_grade": 0, "announcement": "", "external_input_source": "",
            "tenderer": None}


@transaction.atomic
def project_update(*, actor: User, project: Project, data: dict[str, Any]) -> Project:
    """A draft corrected by its agency before publication. Once published, what enterprises read changes only
    by a change notice (变更公告), which stays on record; the trading type is part of the code (GD-, CG-), so a
    wrong type is a new project."""
    selectors.ensure_manages(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Status.DRAFT:
        raise Conflict(_("项目已发布，不能再修改；如需变更，请发布变更公告。"))
    if data.get("type", project.type) != project.type:
        raise ValidationError({"type": [_("交易类型决定项目编号，不能修改；请新建项目。")]})
    clean = validate_project({**data, "type": project.type}, now=clock.now())
    for field, empty in EDITABLE.items():
        setattr(project, field, clean.get(field, empty))
    with context.acting(actor, reason=_("修改项目草稿")):
        project.save()
    return project


def draft_initial(project: Project) -> dict[str, Any]:
    """A draft's fields, as the project form starts from them."""
    return {"type": project.type, **{field: getattr(project, field) for field in EDITABLE},
            "tenderer": project.tenderer.uscc if project.tenderer_id else ""}


def _next_code(ptype: str, *, offset: int = 0) -> str:
    year = timezone.localdate(clock.now()).year  # the centre's year: 1 January begins at 00:00 in Beijing
    prefix = f"{CODE_PREFIX[ptype]}-{year}-"
    return f"{prefix}{Project.objects.filter(code__startswith=prefix).count() + 1 + offset:04d}"


@transaction.atomic
def project_publish(*, actor: User, project: Project, reason: str = "") -> Project:
    selectors.ensure_manages(actor, project)
    now = clock.now()
    if project.status == Status.DRAFT:
        validate_project(_as_data(project), now=now)
    changes: dict[str, Any] = {"published_at": now}
    if project.is_fixed_price and project.notice_version is None:
        # the announcement carries the centre's current 随机抽取企业须知 (one text, the centre's: trading.notices),
        # and keeps that version when the centre publishes another; a re-published round keeps it too
        version = notice_services.notice_seeded(NoticeKind.DRAWN_ENTERPRISES)
        changes.update(notice_version=version.version, notice=render_notice(version, project))
    project = project_transition(project, Status.PUBLISHED, actor=actor, reason=reason or _("发布公告"), **changes)
    with context.acting(actor):
        hooks.run("published", project=project, actor=actor)
    return project


def _as_data(project: Project) -> dict[str, Any]:
    return {"type": project.type, "title": project.title, "budget": project.budget,
            "fixed_price": project.fixed_price, "ceiling_price": project.ceiling_price,
            "registration_deadline": project.registration_deadline,
            "government_invested": project.government_invested, "construction": project.construction,
            "draw_protocol": project.draw_protocol, "draw_sources": project.draw_sources}


@transaction.atomic
def project_close(*, actor: User, project: Project) -> Project:
    """At or after the deadline: freeze the candidates, check each one's eligibility with its reasons, and either
    qualify the project or fail it (流标) when fewer than FPS_MIN_CANDIDATES are eligible."""
    if not is_system(actor):
        selectors.ensure_manages(actor, project)
    now = clock.now()
    if now < project.registration_deadline:
        raise Conflict(_("报名尚未截止（%(t)s），不能关闭。") % {"t": local_time(project.registration_deadline)})
    project = project_transition(project, Status.REGISTRATION_CLOSED, actor=actor, reason=_("报名截止，冻结名单"),
                                 candidates_frozen_at=now)
    with context.acting(actor, reason=_("资格条件自动核验")):
        for registration in selectors.current_registrations(project):
            reasons = exclusion_reasons(registration, at=project.registration_deadline)
            registration.eligible = not reasons
            registration.exclusion_reasons = reasons
            registration.save()
    project = _settle_candidates(project, actor=actor)
    checkpoints.publish_on_commit(f"registration closed {project.code}")
    return project


def _settle_candidates(project: Project, *, actor: User) -> Project:
    count = selectors.eligible_registrations(project).count()
    if project.is_fixed_price and count < settings.FPS_MIN_CANDIDATES:
        return project_transition(
            project, Status.FAILED, actor=actor,
            reason=_("符合条件的企业%(n)d家，少于%(min)d家，流标") % {"n": count, "min": settings.FPS_MIN_CANDIDATES},
        )
    with context.acting(actor):
        hooks.run("closed", project=project, actor=actor)
    return project_transition(project, Status.QUALIFIED, actor=actor, reason=_("资格审查完成"))


@transaction.atomic
def registration_review(*, actor: User, registration: Registration, eligible: bool, reason: str) -> Registration:
    """A reviewer confirms the automatic result, always with a written reason. The candidate list is immutable
    from the publication of its digest at the close (DESIGN §3): the checks at the deadline are the review that
    comes before it, so an override that would change the list afterwards is refused; a material error found
    later fails the round (`project_fail_round`) and the project is published again as a new round."""
    selectors.ensure_manages(actor, registration.project)
    project = Project.objects.select_for_update().get(pk=registration.project_id)
    if project.status not in (Status.QUALIFIED, Status.REGISTRATION_CLOSED):
        raise Conflict(_("只能在抽取前复核资格。"))
    if not reason.strip():
        raise _field_error("reason", _("复核须写明理由。"))
    overridden = registration.eligible is not eligible
    if overridden and project.candidates_digest:
        raise Conflict(
            _("候选名单已于 %(t)s 冻结并公布摘要，此后不得更改。复核只能确认原结论；如确有实质性错误，"
              "须以流标终止本轮（写明理由）并重新发布。")
            % {"t": local_time(project.candidates_frozen_at) or "-"},
            {"eligible": [_("名单已冻结")]})
    registration.eligible = eligible
    registration.review = Registration.Review.OVERRIDDEN if overridden else Registration.Review.CONFIRMED
    registration.review_reason = reason.strip()
    registration.reviewed_by = actor
    registration._change_reason = reason.strip()
    with context.acting(actor):
        registration.save()
    return registration


FAILABLE = frozenset({Status.REGISTRATION_CLOSED, Status.QUALIFIED, Status.PUBLICITY})


@transaction.atomic
def project_fail_round(*, actor: User, project: Project, reason: str) -> Project:
    """流标 by the managing agency, with a written reason: the way to correct a frozen candidate list (a material
    error in the eligibility found after the close) or any other fault of the round before the award. The
    project can then be published again as a new round, with a new commitment and a new list."""
    selectors.ensure_manages(actor, project)
    reason = str(reason or "").strip()
    if not reason:
        raise _field_error("reason", _("须写明流标理由。"))
    if len(reason) > 2000:
        raise _field_error("reason", _("不超过2000字。"))
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if locked.status not in FAILABLE:
        raise Conflict(_("项目当前状态为“%(s)s”，不能以流标终止本轮。") % {"s": locked.get_status_display()},
                       {"status": [locked.status]})
    project = project_transition(locked, Status.FAILED, actor=actor, reason=_("流标：%(r)s") % {"r": reason})
    checkpoints.publish_on_commit(f"round failed {project.code}")
    return project


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError({field: [message]})


@transaction.atomic
def project_republish(*, actor: User, project: Project, registration_deadline, reason: str) -> Project:
    """A failed round (流标) is published again as the next round of the same project."""
    selectors.ensure_manages(actor, project)
    data = {**_as_data(project), "registration_deadline": registration_deadline}
    validate_project(data, now=clock.now())
    project = project_transition(
        project, Status.PUBLISHED, actor=actor, reason=reason or _("流标后重新发布"),
        round=project.round + 1, registration_deadline=registration_deadline, published_at=clock.now(),
        candidates_digest="", candidates_frozen_at=None, commitment="",
    )
    with context.acting(actor):
        hooks.run("published", project=project, actor=actor)
    return project


# Change notices (变更公告) and clarifications (答疑/澄清): while registration is open, in public.

TEXT_MAX = 5000


def _registration_open(project: Project, what: str) -> None:
    if project.status != Status.PUBLISHED or clock.now() >= project.registration_deadline:
        raise Conflict(_("报名已截止或项目不在报名中（%(s)s），不能%(what)s。")
                       % {"s": project.get_status_display(), "what": what})


def _text(field: str, text: str, missing: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise _field_error(field, missing)
    if len(text) > TEXT_MAX:
        raise _field_error(field, _("最长%(n)d个字符。") % {"n": TEXT_MAX})
    return text.strip()


@transaction.atomic
def project_amend(*, actor: User, project: Project, text: str, registration_deadline: dt.datetime | None = None,
                  substantive: bool = False) -> Amendment:
    """Publish a change notice; every earlier one stays public. A new deadline must leave the shortest
    registration period (REGISTRATION_MIN_DAYS) from the notice. A substantive change without a new deadline
    moves a deadline closer than that to exactly that far (招标投标法 art. 23's logic: bidders get the full period
    after a change of substance); with an explicit new deadline that is too close, the notice is refused."""
    selectors.ensure_manages(actor, project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _registration_open(project, _("发布变更公告"))
    text = _text("text", text, _("须写明变更内容。"))
    now = clock.now()
    earliest = now + dt.timedelta(days=settings.REGISTRATION_MIN_DAYS)
    before = project.registration_deadline
    after = registration_deadline or before
    if registration_deadline is not None and registration_deadline < earliest:
        raise _field_error("registration_deadline", _(
            "变更后的报名截止时间须在变更公告发布之日起不少于%(d)d日，最早为 %(t)s。")
            % {"d": settings.REGISTRATION_MIN_DAYS, "t": local_time(earliest)})
    if registration_deadline is None and substantive and before < earliest:
        after = earliest
    number = project.amendments.count() + 1
    with context.acting(actor, reason=_("变更公告第%(n)d号") % {"n": number}):
        amendment = Amendment.objects.create(project=project, number=number, text=text, substantive=substantive,
                                             deadline_before=before, deadline_after=after, published_at=now,
                                             published_by=actor)
        if after != before:
            project.registration_deadline = after
            project._change_reason = _("变更公告第%(n)d号：报名截止时间由 %(a)s 改为 %(b)s") % {
                "n": number, "a": local_time(before),
                "b": local_time(after)}
            project.save()
        _tell_registrants(project, kind=notifications.Kind.AMENDMENT, event=f"amendment:{amendment.pk}",
                          title=_("变更公告：%(code)s 第%(n)d号") % {"code": project.code, "n": number},
                          body=amendment.text)
    return amendment


def _tell_registrants(project: Project, *, kind: str, event: str, title: str, body: str) -> None:
    """Change notices and answers reach every enterprise registered so far, each told alone; before the deadline
    the rows are sealed like the registrations they imply."""
    notifications.notify(kind=kind, event=event, project=project, recipients=notifications.registrants(project),
                         title=title, body=body, names_registrant=selectors.registrations_sealed(project))


def question_ask(*, actor: User, project: Project, text: str) -> Question:
    """An enterprise's question before the deadline; who asked is kept for the record, never published."""
    require(actor, "project.register")
    _registration_open(project, _("提问"))
    text = _text("text", text, _("须写明问题。"))
    with transaction.atomic(), context.acting(actor, reason=_("提出答疑问题")):
        return Question.objects.create(project=project, asked_by=actor, text=text, asked_at=clock.now())


def question_answer(*, actor: User, question: Question, text: str) -> Question:
    """The agency's answer, published to every enterprise at once; only before the deadline, where it can still
    help someone register."""
    selectors.ensure_manages(actor, question.project)
    with transaction.atomic():
        question = Question.objects.select_for_update().select_related("project").get(pk=question.pk)
        if question.answered_at is not None:
            raise Conflict(_("该问题已答复，答复已公开。"))
        _registration_open(question.project, _("答复"))
        question.answer = _text("text", text, _("须写明答复。"))
        question.answered_at, question.answered_by = clock.now(), actor
        with context.acting(actor, reason=_("答疑答复（公开）")):
            question.save()
        _tell_registrants(question.project, kind=notifications.Kind.ANSWER, event=f"question:{question.pk}:answer",
                          title=_("答疑答复：%(code)s") % {"code": question.project.code},
                          body=_("问题：%(q)s\n答复：%(a)s") % {"q": question.text, "a": question.answer})
    return question
