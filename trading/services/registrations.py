"""An enterprise registers for a fixed-price project: before the deadline, once per round, with its
project manager and the acknowledged notice. The database has the last word on both rules (constraints), so they
hold when registrations race the deadline."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit import ledger
from core import clock, context
from core.errors import Conflict
from core.roles import require
from core.timefmt import local_time
from trading import selectors
from trading.lifecycle import ONGOING
from trading.models import Project, ProjectManager, Registration, User
from trading.models.projects import Status
from trading.services import notices as notice_services
from trading.services import notifications


def _clean(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, list[str]] = {}
    name = str(data.get("manager_name") or "").strip()
    number = str(data.get("manager_certificate") or "").strip().upper()
    if not name:
        errors["manager_name"] = [_("必填：拟派项目经理姓名。")]
    elif len(name) > 50:
        errors["manager_name"] = [_("不超过50字。")]
    if not number:
        errors["manager_certificate"] = [_("必填：注册建造师证书编号。")]
    elif len(number) > 64 or not number.replace("-", "").isalnum():
        errors["manager_certificate"] = [_("证书编号只能包含字母、数字和连字符，不超过64位。")]
    if data.get("acknowledge_notice") not in (True, "true", "on", "1", 1):
        errors["acknowledge_notice"] = [_("须阅读并承诺遵守《随机抽取企业须知》。")]
    if errors:
        raise ValidationError(errors)
    return {"name": name, "number": number}


def _manager_on_file(enterprise_id: int, number: str) -> ProjectManager | None:
    """Reads only: every check runs before the first write, because the first audited write takes the audit
    chain's lock until commit and every registration queues behind it."""
    manager = ProjectManager.objects.filter(certificate_number=number).first()
    if manager is None:  # managers not on file are accepted with their certificate number
        return None
    if manager.organisation_id != enterprise_id:
        raise ValidationError({"manager_certificate": [_("该证书编号登记在其他企业名下。")]})
    if Registration.objects.filter(manager=manager, rank=1, project__status__in=ONGOING).exists():
        raise ValidationError({"manager_certificate": [
            _("项目经理%(n)s正在承担在建项目，不能再报名。") % {"n": manager.name}]})
    return manager


def _check_open(project: Project) -> None:
    if not project.is_fixed_price:
        raise Conflict(_("该项目不是固定价比选项目，无需报名抽取。"), {"project": [project.code]})
    if project.status != Status.PUBLISHED:
        raise Conflict(_("项目当前状态为“%(s)s”，不接受报名。") % {"s": project.get_status_display()})
    if clock.now() >= project.registration_deadline:
        raise Conflict(_("报名已于 %(t)s 截止。") % {"t": local_time(project.registration_deadline)})


def registration_create(*, actor: User, project: Project, data: dict[str, Any]) -> Registration:
    require(actor, "project.register")
    if actor.organisation_id is None:
        raise PermissionDenied(_("账号未关联企业。"))
    fields = _clean(data)
    _check_open(project)
    manager = _manager_on_file(actor.organisation_id, fields["number"])
    try:
        with transaction.atomic(), context.acting(actor, reason=_("企业报名")):
            notice = notice_services.registration_notice(project)
            if manager is None:
                manager = ProjectManager.objects.create(organisation_id=actor.organisation_id, name=fields["name"],
                                                        certificate_number=fields["number"])
            registration = Registration.objects.create(
                project=project, round=project.round, enterprise_id=actor.organisation_id, manager=manager,
                registered_by=actor, acknowledged_notice=True, deadline=project.registration_deadline,
                notice_version=notice.version, notice_sha256=notice.sha256,
            )
            _receipt(registration, actor)
            return registration
    except IntegrityError as exc:
        raise _conflict(exc) from exc


def _receipt(registration: Registration, actor: User) -> None:
    """To the enterprise's own people only; sealed like the registration until the deadline."""
    project = registration.project
    notifications.notify(
        kind=notifications.Kind.REGISTRATION_RECEIPT, event=f"registration:{registration.pk}", project=project,
        recipients=notifications.people_of(registration.enterprise_id), names_registrant=True,
        title=_("报名回执：%(code)s") % {"code": project.code},
        body=_("贵单位已于 %(at)s 报名“%(title)s”（%(code)s），项目经理 %(manager)s。报名截止时间 %(deadline)s；"
               "截止前报名情况对任何人保密。") % {
            "at": local_time(registration.registered_at), "title": project.title, "code": project.code,
            "manager": registration.manager.name, "deadline": local_time(project.registration_deadline)})


def _conflict(exc: IntegrityError) -> Conflict:
    text = str(exc)
    if "registration_before_deadline" in text:
        return Conflict(_("报名已截止。"), {"registration_deadline": [_("已过截止时间")]})
    if "certificate_number" in text:  # the same new manager registered by two requests at once
        return Conflict(_("该项目经理证书编号刚被登记，请重试。"), {"manager_certificate": [_("并发登记")]})
    if "registration_once_per_round" in text or "UNIQUE" in text or "unique" in text:
        return Conflict(_("本企业已报名该项目，不能重复报名。"), {"enterprise": [_("重复报名")]})
    raise exc


def registration_list_read(*, actor: User, project: Project) -> QuerySet[Registration]:
    """Serve the sealed list to a person who asked for it (its page, its API call): after the deadline only (the
    selector's rule), and every such read is an audit event the inspectors see. Pages that merely link to the
    list never call this."""
    registrations = selectors.registration_list(actor, project)
    ledger.record_event("registration_list_viewed", obj=project, actor=actor,
                        data={"round": project.round, "count": registrations.count()})
    return registrations


def sealed_registrations_open(*, actor: User, project: Project, reason: str) -> QuerySet[Registration]:
    """An inspector opens the registrations of a project before its deadline: only while a complaint holds the
    project (legal hold), with a written reason, and each opening is an audit event — which names the project
    and the round, never who or how many registered, since other readers of the ledger see it. Opening is one
    deliberate act: it answers the list once and leaves it sealed."""
    require(actor, "registration.unseal")
    if not selectors.registrations_sealed(project):
        raise Conflict(_("报名已截止，名单不再保密：请查看报名名单（记入审计）。"))
    if not project.legal_hold:
        raise PermissionDenied(_("报名截止前，只有因质疑投诉处于法律保全的项目才能开启报名名单。"))
    reason = str(reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("开启报名名单须写明理由。")]})
    ledger.record_event("sealed_registrations_opened", obj=project, actor=actor,
                        reason=_("法律保全：%(reason)s") % {"reason": reason[:500]}, data={"round": project.round})
    return selectors.current_registrations(project).order_by("registered_at", "id")
