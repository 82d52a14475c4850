"""Eligibility of a fixed-price registration at the deadline, each failed check with its reason."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from trading.lifecycle import ONGOING
from trading.models import Certificate, Contract, Project, Registration, Suspension
from trading.models.projects import ProjectType


def exclusion_reasons(registration: Registration, *, at: dt.datetime) -> list[str]:
    """Empty when eligible. `at` is the deadline: certificates must be valid then."""
    project, enterprise = registration.project, registration.enterprise
    reasons: list[str] = []
    certificates = Certificate.objects.filter(organisation=enterprise, valid_until__gte=timezone.localdate(at))
    if project.qualification_kind:
        held = certificates.filter(kind=project.qualification_kind, grade__gte=project.qualification_grade)
        if not held.exists():
            reasons.append(_("无有效的%(kind)s%(grade)s及以上资质")
                           % {"kind": Certificate.Kind(project.qualification_kind).label,
                              "grade": Certificate.Grade(project.qualification_grade).label})
    if not certificates.filter(kind=Certificate.Kind.SAFETY).exists():
        reasons.append(_("无有效的安全生产许可证"))
    busy = (Registration.objects.filter(manager=registration.manager, rank=1, project__status__in=ONGOING)
            .exclude(project=project).select_related("project").first())
    if busy is not None:
        reasons.append(_("项目经理%(name)s正在承担在建项目 %(code)s") % {"name": registration.manager.name,
                                                                    "code": busy.project.code})
    # a suspension lifted by an upheld appeal counts only until it was lifted (trading.services.notices)
    if (Suspension.objects.filter(enterprise=enterprise, starts_at__lte=at, ends_at__gt=at)
            .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=at)).exists()):
        reasons.append(_("企业处于固定价比选暂停期"))
    ongoing = ongoing_fixed_price_count(enterprise.pk, exclude=project)
    if ongoing >= settings.FPS_MAX_ONGOING:
        reasons.append(_("企业已有%(n)d个中选未完工的固定价项目，须少于%(max)d个")
                       % {"n": ongoing, "max": settings.FPS_MAX_ONGOING})
    return reasons


def ongoing_fixed_price_count(enterprise_id: int, *, exclude: Project | None = None) -> int:
    # one filter() over the contracts: the enterprise's own offer that has not lapsed (an exclude() would drop a
    # project as soon as any contract of it lapsed, the alternate's live offer included)
    qs = Project.objects.filter(type=ProjectType.FIXED_PRICE, status__in=ONGOING,
                                contracts__enterprise_id=enterprise_id,
                                contracts__state__in=[Contract.State.OFFERED, Contract.State.SIGNED])
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.distinct().count()
