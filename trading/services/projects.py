"""Writes on projects: create, publish, close with eligibility, review, re-publish after failure."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import checkpoints
from core import clock, context
from core.errors import Conflict
from core.roles import is_system, require
from trading import hooks, selectors
from trading.eligibility import exclusion_reasons
from trading.lifecycle import project_transition
from trading.models import Project, Registration, User
from trading.models.projects import ProjectType, Status
from trading.notices import default_notice
from trading.rules import validate_project

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


def _next_code(ptype: str, *, offset: int = 0) -> str:
    year = clock.now().year
    prefix = f"{CODE_PREFIX[ptype]}-{year}-"
    return f"{prefix}{Project.objects.filter(code__startswith=prefix).count() + 1 + offset:04d}"


@transaction.atomic
def project_publish(*, actor: User, project: Project, reason: str = "") -> Project:
    selectors.ensure_manages(actor, project)
    now = clock.now()
    if project.status == Status.DRAFT:
        validate_project(_as_data(project), now=now)
    changes: dict[str, Any] = {"published_at": now}
    if project.is_fixed_price and not project.notice:
        changes["notice"] = default_notice(project)
    project = project_transition(project, Status.PUBLISHED, actor=actor, reason=reason or _("发布公告"), **changes)
    with context.acting(actor):
        hooks.run("published", project=project, actor=actor)
    return project


def _as_data(project: Project) -> dict[str, Any]:
    return {"type": project.type, "title": project.title, "budget": project.budget,
            "fixed_price": project.fixed_price, "ceiling_price": project.ceiling_price,
            "registration_deadline": project.registration_deadline,
            "government_invested": project.government_invested, "construction": project.construction}


@transaction.atomic
def project_close(*, actor: User, project: Project) -> Project:
    """At or after the deadline: freeze the candidates, check each one's eligibility with its reasons, and either
    qualify the project or fail it (流标) when fewer than FPS_MIN_CANDIDATES are eligible."""
    if not is_system(actor):
        selectors.ensure_manages(actor, project)
    now = clock.now()
    if now < project.registration_deadline:
        raise Conflict(_("报名尚未截止（%(t)s），不能关闭。") % {"t": project.registration_deadline.isoformat()})
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
    """A reviewer confirms the automatic result or overrides it, always with a written reason; an override
    re-freezes the candidate list (a new digest, published and audited)."""
    selectors.ensure_manages(actor, registration.project)
    project = Project.objects.select_for_update().get(pk=registration.project_id)
    if project.status not in (Status.QUALIFIED, Status.REGISTRATION_CLOSED):
        raise Conflict(_("只能在抽取前复核资格。"))
    if not reason.strip():
        raise _field_error("reason", _("复核须写明理由。"))
    overridden = registration.eligible is not eligible
    registration.eligible = eligible
    registration.review = Registration.Review.OVERRIDDEN if overridden else Registration.Review.CONFIRMED
    registration.review_reason = reason.strip()
    registration.reviewed_by = actor
    registration._change_reason = reason.strip()
    with context.acting(actor):
        registration.save()
    if overridden and project.status == Status.QUALIFIED:
        count = selectors.eligible_registrations(project).count()
        if count < settings.FPS_MIN_CANDIDATES:
            project_transition(project, Status.FAILED, actor=actor, reason=_("复核后符合条件的企业不足，流标"))
        else:
            with context.acting(actor):
                hooks.run("closed", project=project, actor=actor)
    return registration


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
