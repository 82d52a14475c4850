"""The centre's reference data, entered by its administrator: organisations, accounts with their role, rooms, an
enterprise's certificates and project managers, bad-behaviour records with the suspension they bring. The API, the
centre's pages and the contract lapse all call these functions; every write is audited through the models' history.
Every rule runs before the first write (which takes the audit chain's lock), so a refusal writes nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock, context
from core.errors import Conflict
from core.roles import SENSITIVE_ROLES, Role, can, is_system, require
from trading.models import (
    BadBehaviourRecord,
    Certificate,
    Organisation,
    Project,
    ProjectManager,
    RoleGrant,
    Room,
    Suspension,
    User,
)
from trading.models.sessions import RoomKind
from trading.services import accounts
from trading.validators import normalise_uscc, validate_uscc

# the API's two certificate kinds; a qualification names its category (Certificate.Kind without the licence)
CERTIFICATE_KINDS = ("qualification", "safety_licence")
QUALIFICATION_CATEGORIES = [k for k in Certificate.Kind.values if k != Certificate.Kind.SAFETY]
GRADES = {"special": Certificate.Grade.SPECIAL, "1": Certificate.Grade.GRADE_1, "2": Certificate.Grade.GRADE_2,
          "3": Certificate.Grade.GRADE_3, "特级": Certificate.Grade.SPECIAL, "一级": Certificate.Grade.GRADE_1,
          "二级": Certificate.Grade.GRADE_2, "三级": Certificate.Grade.GRADE_3}
# the organisation a role's account belongs to: agency staff to an agency or tenderer, enterprise staff to theirs
ROLE_ORGANISATION_KINDS = {Role.AGENCY: (Organisation.Kind.AGENCY, Organisation.Kind.TENDERER),
                           Role.ENTERPRISE: (Organisation.Kind.ENTERPRISE,)}
MAX_SUSPENSION_DAYS = 3650
REASON_MAX = 2000


def _text(value: Any, field: str, label: str, errors: dict[str, list[str]], *, max_length: int,
          required: bool = True) -> str:
    text = str(value if value is not None else "").strip()
    if not text and required:
        errors[field] = [_("%(f)s：必填。") % {"f": label}]
    elif len(text) > max_length:
        errors[field] = [_("%(f)s：不超过%(n)d个字符。") % {"f": label, "n": max_length}]
    return text


def _raise(errors: dict[str, list[str]]) -> None:
    if errors:
        raise ValidationError(errors)


# --- organisations ---------------------------------------------------------------------------------------------

@transaction.atomic
def organisation_create(*, actor: User, kind: str, name: str, uscc: str) -> Organisation:
    require(actor, "centre.admin")
    errors: dict[str, list[str]] = {}
    if kind not in (Organisation.Kind.AGENCY, Organisation.Kind.ENTERPRISE, Organisation.Kind.TENDERER):
        errors["kind"] = [_("类型：须为 agency、enterprise、tenderer 之一。")]
    name = _text(name, "name", _("名称"), errors, max_length=200)
    code = normalise_uscc(uscc)
    if not code:
        errors["uscc"] = [_("统一社会信用代码：必填。")]
    else:
        try:
            validate_uscc(code)
        except ValidationError as exc:
            errors["uscc"] = exc.messages
    _raise(errors)
    if Organisation.objects.filter(uscc=code).exists():
        raise Conflict(_("统一社会信用代码 %(c)s 已登记。") % {"c": code}, {"uscc": [_("已登记。")]})
    try:
        with transaction.atomic(), context.acting(actor, reason=_("登记机构")):
            return Organisation.objects.create(kind=kind, name=name, uscc=code)
    except IntegrityError as exc:  # registered by someone else meanwhile
        raise Conflict(_("统一社会信用代码 %(c)s 已登记。") % {"c": code}, {"uscc": [_("已登记。")]}) from exc


# --- accounts --------------------------------------------------------------------------------------------------

def _user_organisation(role: str, organisation: Organisation | None, errors: dict[str, list[str]]) -> None:
    kinds = ROLE_ORGANISATION_KINDS.get(role)
    if kinds and organisation is None:
        errors["organisation"] = [_("所属机构：该角色须关联机构。")]
    elif organisation is not None and not organisation.is_active:
        errors["organisation"] = [_("所属机构：该机构已停用。")]
    elif kinds and organisation.kind not in kinds:
        errors["organisation"] = [_("所属机构：%(role)s须属于%(kinds)s。") % {
            "role": Role(role).label, "kinds": "、".join(str(Organisation.Kind(k).label) for k in kinds)}]


@transaction.atomic
def user_create(*, actor: User, username: str, password: str, role: str, organisation: Organisation | None = None,
                name: str = "", reason: str = "") -> tuple[User, RoleGrant | None]:
    """A new account, holding no role until its role grant (trading.services.accounts, the only way a role
    changes) gives it one: at once for most roles, after an inspector's approval for inspector and supervisor.
    Those two never get the password the administrator typed: approval makes it unusable and the person sets
    their own through a one-time link, so the account is created without one."""
    require(actor, "centre.admin")
    errors: dict[str, list[str]] = {}
    username = _text(username, "username", _("用户名"), errors, max_length=150)
    name = _text(name, "name", _("姓名"), errors, max_length=150, required=False)
    sensitive = role in SENSITIVE_ROLES
    candidate = User(username=username, role=Role.NONE, first_name=name)
    if username and not errors.get("username"):
        try:
            User.username_validator(username)
        except ValidationError:
            errors["username"] = [_("用户名：只能包含字母、数字和 @/./+/-/_。")]
    if not sensitive:
        try:
            validate_password(str(password or ""), candidate)
        except ValidationError as exc:
            errors["password"] = [_("密码：%(why)s") % {"why": " ".join(exc.messages)}]
    if role == Role.NONE:
        errors["role"] = [_("角色：须授予一个角色。")]
    else:
        _user_organisation(role, organisation, errors)
        try:
            accounts.role_grant_check(actor=actor, user=candidate, role=role, reason=reason)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                label = {"role": _("角色"), "reason": _("理由")}.get(field, field)
                errors.setdefault(field, []).extend(f"{label}：{m}" for m in messages)
    _raise(errors)
    if User.objects.filter(username__iexact=username).exists():
        raise Conflict(_("用户名 %(u)s 已存在。") % {"u": username}, {"username": [_("已存在。")]})
    candidate.organisation = organisation
    if sensitive:
        candidate.set_unusable_password()
    else:
        candidate.set_password(password)
    try:
        with transaction.atomic(), context.acting(actor, reason=_("新建账号")):
            candidate.save()
    except IntegrityError as exc:
        raise Conflict(_("用户名 %(u)s 已存在。") % {"u": username}, {"username": [_("已存在。")]}) from exc
    grant = accounts.role_grant_request(actor=actor, user=candidate, role=role, reason=reason)
    candidate.refresh_from_db()
    return candidate, grant


# --- rooms -----------------------------------------------------------------------------------------------------

@transaction.atomic
def room_create(*, actor: User, name: str, kind: str) -> Room:
    require(actor, "centre.admin")
    errors: dict[str, list[str]] = {}
    name = _text(name, "name", _("场地名称"), errors, max_length=100)
    if kind not in RoomKind.values:
        errors["kind"] = [_("场地类型：须为 %(v)s 之一。") % {"v": ", ".join(RoomKind.values)}]
    _raise(errors)
    if Room.objects.filter(name=name).exists():
        raise Conflict(_("场地“%(n)s”已存在。") % {"n": name}, {"name": [_("已存在。")]})
    try:
        with transaction.atomic(), context.acting(actor, reason=_("新增场地")):
            return Room.objects.create(name=name, kind=kind)
    except IntegrityError as exc:
        raise Conflict(_("场地“%(n)s”已存在。") % {"n": name}, {"name": [_("已存在。")]}) from exc


# --- certificates and managers ---------------------------------------------------------------------------------

def _enterprise(organisation: Organisation) -> None:
    if organisation.kind != Organisation.Kind.ENTERPRISE:
        raise ValidationError({"organisation": [_("机构：只有投标企业登记资质证书、项目经理和不良行为记录。")]})
    if not organisation.is_active:
        raise ValidationError({"organisation": [_("机构：该企业已停用。")]})


def _valid_until(value: Any, errors: dict[str, list[str]]) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip())
        except ValueError:
            errors["valid_until"] = [_("有效期至：须为日期（YYYY-MM-DD）。")]
            return None
    if day < timezone.localdate(clock.now()):
        errors["valid_until"] = [_("有效期至：证书已过期。")]
    return day


@transaction.atomic
def certificate_add(*, actor: User, organisation: Organisation, kind: str, number: str, valid_until: Any,
                    grade: Any = None, category: str = "") -> Certificate:
    """A qualification certificate (its category and grade, which eligibility compares with the project's
    requirement) or the safety production licence, each valid until a date."""
    require(actor, "centre.admin")
    _enterprise(organisation)
    errors: dict[str, list[str]] = {}
    if kind in QUALIFICATION_CATEGORIES:  # the model's own kind names the category directly
        kind, category = "qualification", category or kind
    if kind not in CERTIFICATE_KINDS:
        errors["kind"] = [_("证书类别：须为 qualification（资质证书）或 safety_licence（安全生产许可证）。")]
    number = _text(number, "number", _("证书编号"), errors, max_length=64).upper()
    day = _valid_until(valid_until, errors)
    model_kind, model_grade = Certificate.Kind.SAFETY, Certificate.Grade.NONE
    if kind == "qualification":
        model_kind = category or Certificate.Kind.CONSTRUCTION
        if model_kind not in QUALIFICATION_CATEGORIES:
            errors["category"] = [_("资质类别：须为 %(v)s 之一。") % {"v": ", ".join(QUALIFICATION_CATEGORIES)}]
        model_grade = GRADES.get(str(grade if grade is not None else "").strip())
        if model_grade is None:
            errors["grade"] = [_("资质等级：须为 特级、一级、二级、三级（special、1、2、3）之一。")]
    elif kind == "safety_licence" and grade not in (None, ""):
        errors["grade"] = [_("资质等级：安全生产许可证没有等级。")]
    _raise(errors)
    if Certificate.objects.filter(kind=model_kind, number=number).exists():
        raise Conflict(_("证书编号 %(n)s 已登记。") % {"n": number}, {"number": [_("已登记。")]})
    try:
        with transaction.atomic(), context.acting(actor, reason=_("登记资质证书")):
            return Certificate.objects.create(organisation=organisation, kind=model_kind, grade=model_grade,
                                              number=number, valid_until=day)
    except IntegrityError as exc:
        raise Conflict(_("证书编号 %(n)s 已登记。") % {"n": number}, {"number": [_("已登记。")]}) from exc


def may_enter_managers(actor: User, organisation: Organisation) -> bool:
    """The administrator, or the enterprise's own staff."""
    return can(actor, "centre.admin") or (
        can(actor, "project.register") and actor.organisation_id == organisation.pk)


@transaction.atomic
def manager_add(*, actor: User, organisation: Organisation, name: str, certificate: str,
                grade: str = "") -> ProjectManager:
    if not may_enter_managers(actor, organisation):
        raise PermissionDenied(_("您的角色无权执行此操作。"))
    _enterprise(organisation)
    errors: dict[str, list[str]] = {}
    name = _text(name, "name", _("姓名"), errors, max_length=50)
    number = _text(certificate, "certificate", _("注册建造师证书编号"), errors, max_length=64).upper()
    if number and not number.replace("-", "").isalnum():
        errors["certificate"] = [_("注册建造师证书编号：只能包含字母、数字和连字符。")]
    grade = str(grade or "").strip()
    grade = {"一级": "1", "二级": "2"}.get(grade, grade)
    if grade not in ProjectManager.Grade.values:
        errors["grade"] = [_("建造师等级：须为 1（一级）或 2（二级）。")]
    _raise(errors)
    if ProjectManager.objects.filter(certificate_number=number).exists():
        raise Conflict(_("注册建造师证书编号 %(n)s 已登记。") % {"n": number}, {"certificate": [_("已登记。")]})
    try:
        with transaction.atomic(), context.acting(actor, reason=_("登记项目经理")):
            return ProjectManager.objects.create(organisation=organisation, name=name, certificate_number=number,
                                                 grade=grade)
    except IntegrityError as exc:
        raise Conflict(_("注册建造师证书编号 %(n)s 已登记。") % {"n": number},
                       {"certificate": [_("已登记。")]}) from exc


# --- bad behaviour ---------------------------------------------------------------------------------------------

def _suspension_end(now: dt.datetime, days: Any, until: Any, errors: dict[str, list[str]]) -> dt.datetime | None:
    if days not in (None, "") and until not in (None, ""):
        errors["until"] = [_("暂停至：与暂停天数二选一。")]
        return None
    if until not in (None, ""):
        try:
            day = until if isinstance(until, dt.date) else dt.date.fromisoformat(str(until).strip())
        except ValueError:
            errors["until"] = [_("暂停至：须为日期（YYYY-MM-DD）。")]
            return None
        end = timezone.make_aware(dt.datetime.combine(day, dt.time.min)) + dt.timedelta(days=1)
        if end <= now:
            errors["until"] = [_("暂停至：须晚于今天。")]
        return end  # to the end of that day in the centre's time zone
    if days in (None, ""):
        days = settings.SUSPENSION_DAYS
    try:
        n = int(days)
    except (TypeError, ValueError):
        errors["days"] = [_("暂停天数：须为整数。")]
        return None
    if not 1 <= n <= MAX_SUSPENSION_DAYS:
        errors["days"] = [_("暂停天数：须在1至%(n)d之间。") % {"n": MAX_SUSPENSION_DAYS}]
        return None
    return now + dt.timedelta(days=n)


@transaction.atomic
def bad_behaviour_record(*, actor: User, enterprise: Organisation, reason: str, project: Project | None = None,
                         days: Any = None, until: Any = None) -> tuple[BadBehaviourRecord, Suspension]:
    """不良行为记录 and the suspension from fixed-price selection it brings (SUSPENSION_DAYS unless `days` or
    `until` says otherwise): entered by the administrator, or by the system when a winner fails to sign."""
    if not is_system(actor):
        require(actor, "centre.admin")
    _enterprise(enterprise)
    errors: dict[str, list[str]] = {}
    reason = _text(reason, "reason", _("事由"), errors, max_length=REASON_MAX)
    now = clock.now()
    ends_at = _suspension_end(now, days, until, errors)
    _raise(errors)
    with context.acting(actor, reason=reason):
        record = BadBehaviourRecord.objects.create(enterprise=enterprise, project=project, reason=reason,
                                                   recorded_at=now)
        suspension = Suspension.objects.create(enterprise=enterprise, starts_at=now, ends_at=ends_at, record=record,
                                               reason=reason)
    return record, suspension
