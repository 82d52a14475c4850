"""HTML forms. They only shape input; the rules run in the services, whose errors come back onto the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.roles import PERSON_ROLES
from trading.models import Certificate, Complaint, Organisation, Room
from trading.models.projects import DrawProtocol, ProjectType
from trading.models.sessions import RoomKind


class ServiceForm(forms.Form):
    def apply_errors(self, exc: ValidationError) -> None:
        if hasattr(exc, "error_dict"):
            for field, messages in exc.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, exc.messages)


class ProjectForm(ServiceForm):
    type = forms.ChoiceField(label=_("交易类型"), choices=ProjectType.choices)
    title = forms.CharField(label=_("项目名称"), max_length=200)
    tenderer = forms.ChoiceField(label=_("招标人（采购人）"), required=False)
    budget = forms.CharField(label=_("预算金额（元）"))
    fixed_price = forms.CharField(label=_("固定合同价（元，固定价比选必填）"), required=False)
    ceiling_price = forms.CharField(label=_("最高投标限价（元）"), required=False)
    registration_deadline = forms.DateTimeField(label=_("报名截止时间"),
                                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                                           format="%Y-%m-%dT%H:%M"))
    qualification_kind = forms.ChoiceField(label=_("资质要求"), required=False,
                                           choices=[("", _("无特别要求")), *Certificate.Kind.choices[:3]])
    qualification_grade = forms.TypedChoiceField(label=_("最低等级"), coerce=int, choices=Certificate.Grade.choices,
                                                 initial=0)
    external_input_source = forms.CharField(label=_("外部公开随机数来源（可选）"), required=False, max_length=200)
    draw_protocol = forms.ChoiceField(label=_("抽取方式（固定价比选）"), required=False, choices=DrawProtocol.choices)
    draw_sources = forms.CharField(label=_("公开数值来源（RFC 3797，每行一个，如“2026年12月10日福利彩票双色球开奖号码”）"),
                                   widget=forms.Textarea(attrs={"rows": 3}), required=False)
    announcement = forms.CharField(label=_("公告正文"), widget=forms.Textarea(attrs={"rows": 6}), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        """The tenderers the centre has entered, by their code (the rules look the code up; the panel draw's
        recusal reads the tenderer)."""
        super().__init__(*args, **kwargs)
        tenderers = Organisation.objects.filter(kind=Organisation.Kind.TENDERER, is_active=True).order_by("name")
        self.fields["tenderer"].choices = [("", _("未指定")), *tenderers.values_list("uscc", "name")]


class RegistrationForm(ServiceForm):
    manager_name = forms.CharField(label=_("拟派项目经理姓名"), max_length=50)
    manager_certificate = forms.CharField(label=_("注册建造师证书编号"), max_length=64)
    acknowledge_notice = forms.BooleanField(label=_("我已阅读并承诺遵守《随机抽取企业须知》"), required=False)


class SessionForm(ServiceForm):
    kind = forms.ChoiceField(label=_("场次类型"), choices=RoomKind.choices)
    room = forms.ModelChoiceField(label=_("场地"), queryset=Room.objects.filter(is_active=True))
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class ReviewForm(ServiceForm):
    registration = forms.IntegerField(widget=forms.HiddenInput)
    eligible = forms.TypedChoiceField(label=_("复核结论"), coerce=lambda v: v == "1",
                                      choices=[("1", _("符合")), ("0", _("不符合"))])
    reason = forms.CharField(label=_("理由"), max_length=500)


class AnswerForm(ServiceForm):
    complaint = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("质疑是否成立"), choices=[("rejected", _("不成立")), ("upheld", _("成立"))])
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


class ObjectionForm(ServiceForm):
    matter = forms.ChoiceField(label=_("质疑事项"), required=False,
                               choices=[("", _("按项目所处阶段")), *Complaint.Matter.choices])
    text = forms.CharField(label=_("质疑内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class EscalateForm(ServiceForm):
    text = forms.CharField(label=_("投诉事项和理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class ComplaintAcceptForm(ServiceForm):
    complaint = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.TypedChoiceField(label=_("受理审查"), coerce=lambda v: v == "1",
                                    choices=[("1", _("受理")), ("0", _("不予受理"))])
    reason = forms.CharField(label=_("不予受理的理由"), required=False, max_length=5000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class ComplaintDecideForm(ServiceForm):
    complaint = forms.IntegerField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(label=_("处理结果"), choices=[("rejected", _("投诉不成立，驳回")),
                                                          ("upheld", _("投诉成立"))])
    decision = forms.CharField(label=_("处理决定"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class FollowUpForm(ServiceForm):
    officer = forms.ModelChoiceField(label=_("跟踪责任人"), queryset=None)

    def __init__(self, *args: Any, project: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from trading.models import User

        staff = User.objects.filter(is_active=True, role__in=["agency", "admin"])
        if project is not None:
            staff = staff.filter(organisation_id=project.agency_id) | staff.filter(role="admin")
        self.fields["officer"].queryset = staff.order_by("username")


class MilestoneForm(ServiceForm):
    title = forms.CharField(label=_("节点"), max_length=200)
    due = forms.DateField(label=_("计划完成"), widget=forms.DateInput(attrs={"type": "date"}))
    done_on = forms.DateField(label=_("实际完成"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("情况说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TextForm(ServiceForm):
    text = forms.CharField(label=_("内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)


class AttachmentForm(ServiceForm):
    file = forms.FileField(label=_("附件（PDF、Word、Excel、图片）"))


class RepublishForm(ServiceForm):
    registration_deadline = forms.DateTimeField(label=_("新的报名截止时间"),
                                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    reason = forms.CharField(label=_("重新发布的理由"), max_length=500)


class FailRoundForm(ServiceForm):
    reason = forms.CharField(label=_("流标理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
# The end of the life cycle; change notices and clarifications


class ConfirmedForm(ServiceForm):
    """An irreversible step: the box must be ticked, checked here on the server (no script needed)."""

    confirm = forms.BooleanField(label=_("我已核对，确认提交（不可撤销）"), required=True,
                                 error_messages={"required": _("请勾选确认后再提交。")})


class CompleteForm(ConfirmedForm):
    accepted_on = forms.DateField(label=_("竣工验收日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("验收意见"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    field_order = ["accepted_on", "note", "confirm"]


class TerminateForm(ConfirmedForm):
    reason = forms.CharField(label=_("终止理由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)
    field_order = ["reason", "confirm"]


class AmendmentForm(ServiceForm):
    text = forms.CharField(label=_("变更内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    substantive = forms.BooleanField(label=_("实质性变更（报名期自本公告起不少于法定最短期限）"), required=False)
    registration_deadline = forms.DateTimeField(label=_("新的报名截止时间（可选）"), required=False,
                                                widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class QuestionAnswerForm(ServiceForm):
    question = forms.IntegerField(widget=forms.HiddenInput)
    text = forms.CharField(label=_("答复（公开）"), widget=forms.Textarea(attrs={"rows": 2}), max_length=5000)


def form_data(form: forms.Form) -> dict[str, Any]:
    return dict(form.cleaned_data)


# The centre's reference data (trading.services.reference runs the rules)


class OrganisationForm(ServiceForm):
    kind = forms.ChoiceField(label=_("类型"), choices=[
        ("enterprise", _("投标企业")), ("agency", _("招标代理机构")), ("tenderer", _("招标人"))])
    name = forms.CharField(label=_("名称"), max_length=200)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40)


class UserForm(ServiceForm):
    username = forms.CharField(label=_("用户名"), max_length=150)
    name = forms.CharField(label=_("姓名"), max_length=150, required=False)
    password = forms.CharField(label=_("初始密码（纪检监察、现场监督由本人设置）"), required=False,
                               widget=forms.PasswordInput)
    role = forms.ChoiceField(label=_("角色"), choices=[c for c in PERSON_ROLES if c[0] != "none"])
    organisation = forms.ModelChoiceField(label=_("所属机构"), required=False, queryset=Organisation.objects.filter(
        is_active=True).order_by("name"))
    reason = forms.CharField(label=_("理由（纪检监察、现场监督须填写）"), required=False,
                             widget=forms.Textarea(attrs={"rows": 2}))


class RoomForm(ServiceForm):
    name = forms.CharField(label=_("场地名称"), max_length=100)
    kind = forms.ChoiceField(label=_("场地类型"), choices=RoomKind.choices)


class CertificateForm(ServiceForm):
    kind = forms.ChoiceField(label=_("证书类别"), choices=[("qualification", _("资质证书")),
                                                       ("safety_licence", _("安全生产许可证"))])
    category = forms.ChoiceField(label=_("资质类别"), required=False, choices=Certificate.Kind.choices[:3])
    grade = forms.ChoiceField(label=_("资质等级"), required=False, choices=[
        ("", "—"), ("special", _("特级")), ("1", _("一级")), ("2", _("二级")), ("3", _("三级"))])
    number = forms.CharField(label=_("证书编号"), max_length=64)
    valid_until = forms.DateField(label=_("有效期至"), widget=forms.DateInput(attrs={"type": "date"}))


class ManagerForm(ServiceForm):
    name = forms.CharField(label=_("姓名"), max_length=50)
    certificate = forms.CharField(label=_("注册建造师证书编号"), max_length=64)
    grade = forms.ChoiceField(label=_("建造师等级"), choices=[("1", _("一级")), ("2", _("二级"))])


class BadBehaviourForm(ServiceForm):
    reason = forms.CharField(label=_("事由"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    days = forms.IntegerField(label=_("暂停天数（与“暂停至”二选一，均不填按默认期限）"), required=False)
    until = forms.DateField(label=_("暂停至"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


# The centre's notice texts and appeals of bad-behaviour records (trading.services.notices runs the rules)


class NoticeForm(ServiceForm):
    text = forms.CharField(label=_("正文"), widget=forms.Textarea(attrs={"rows": 12}), required=False)
    change_note = forms.CharField(label=_("修改说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class AppealForm(ServiceForm):
    record = forms.TypedChoiceField(label=_("不良行为记录"), coerce=int, choices=[])
    reason = forms.CharField(label=_("申诉理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, records: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["record"].choices = records


class AppealDecisionForm(ServiceForm):
    appeal = forms.TypedChoiceField(label=_("申诉"), coerce=int, choices=[])
    outcome = forms.ChoiceField(label=_("处理结果"), choices=[("upheld", _("申诉成立：撤销记录并解除暂停")),
                                                          ("rejected", _("申诉驳回：记录维持"))])
    reason = forms.CharField(label=_("处理理由"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args: Any, appeals: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["appeal"].choices = appeals
