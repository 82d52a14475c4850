"""Pages: public announcements and results, the enterprise's registration, the agency's workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import selectors as audit_selectors
from core import clock, context
from core.errors import Conflict
from core.roles import can, require
from core.views import confirm_first
from trading import notices as notices_module
from trading import reference_selectors, selectors
from trading.forms import (
    AmendmentForm,
    AnswerForm,
    AppealDecisionForm,
    AppealForm,
    AttachmentForm,
    BadBehaviourForm,
    CertificateForm,
    CompleteForm,
    EscalateForm,
    FailRoundForm,
    FollowUpForm,
    ManagerForm,
    MilestoneForm,
    NoticeForm,
    ObjectionForm,
    OrganisationForm,
    ProjectForm,
    QuestionAnswerForm,
    RegistrationForm,
    RepublishForm,
    ReviewForm,
    RoomForm,
    SessionForm,
    TerminateForm,
    TextForm,
    UserForm,
    form_data,
)
from trading.lifecycle import TRANSITIONS
from trading.models import Appeal, BadBehaviourRecord, NoticeKind, Registration
from trading.models.projects import ProjectType, Status
from trading.services import aftercare, attachments, notices, reference
from trading.services import notifications as notification_services
from trading.services import projects as project_services
from trading.services import registrations as registration_services
from trading.services import sessions as session_services


def home(request: HttpRequest) -> HttpResponse:
    ptype, status = request.GET.get("type", ""), request.GET.get("status", "")
    page = Paginator(selectors.public_projects(type=ptype, status=status), 20).get_page(request.GET.get("page"))
    return render(request, "trading/home.html", {
        "page": page, "types": ProjectType.choices, "statuses": Status.choices[1:], "type": ptype,
        "status": status, "log": audit_selectors.log_status(), "results": selectors.published_results(),
    })


class LoginView(auth_views.LoginView):
    # one answer for an unknown name and a wrong password: the form's generic error, same status, same page
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class SetPasswordView(auth_views.PasswordResetConfirmView):
    """A person sets their own password through the one-time link an inspector handed them when approving their
    inspector or supervisor role (trading.services.accounts.password_link): nobody else ever knew it."""

    template_name = "registration/set_password.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        with context.acting(form.user, reason=_("本人通过一次性链接设置密码")):
            answer = super().form_valid(form)
        messages.success(self.request, _("密码已设置，请登录。"))
        return answer


def project_detail(request: HttpRequest, code: str, complaint_form: ObjectionForm | None = None,
                   question_form: TextForm | None = None, status: int = 400) -> HttpResponse:
    project = selectors.project_for(request.user, code)
    invalid = complaint_form is not None or question_form is not None
    return render(request, "trading/project_detail.html", {
        "result": selectors.result_page(project),
        "amendments": selectors.amendments(project), "questions": selectors.questions_for(request.user, project),
        "question_form": question_form or TextForm(prefix="question"),
        "project": project, "now": clock.now(), "own": selectors.own_registration(request.user, project),
        "manages": selectors.manages(request.user, project),
        "can_list": can(request.user, "registration.list"),
        "sessions": selectors.project_sessions(project), "contracts": selectors.contracts(project),
        "attachments": selectors.attachments(project), "complaint_form": complaint_form or ObjectionForm(),
        "my_complaints": selectors.own_complaints(request.user, project), "escalate_form": EscalateForm(),
        "decisions": selectors.published_decisions().filter(project=project),
        "complaint_refusal": aftercare.complaint_standing(request.user, project) if request.user.is_authenticated
        else "",
    }, status=status if invalid else 200)


@login_required
@require_http_methods(["GET", "POST"])
def session_attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session, sheet = selectors.session_sheet(pk)
    if request.method == "POST":
        try:
            session_services.attendance_sign(actor=request.user, session=session,
                                             badge=request.POST.get("badge", ""))
        except (ValidationError, Conflict, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "detail", None) or " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("签到成功。"))
            return redirect("session-attendance", pk=session.pk)
    badges = session_services.badges_for(request.user)
    return render(request, "trading/session_attendance.html", {
        "session": session, "sheet": sheet, "badges": badges, "rules": reference_selectors.room_rules(badges),
        "signed": sheet.filter(user=request.user).exists(),
        "open": selectors.session_under_way(session),
    }, status=400 if request.method == "POST" else 200)


def attachment_download(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    project = selectors.project_for(request.user, code)
    attachment = get_object_or_404(selectors.attachments(project), pk=pk)
    response = FileResponse(attachments.attachment_open(attachment), as_attachment=True, filename=attachment.name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["POST"])
def project_complaint(request: HttpRequest, code: str) -> HttpResponse:
    project = selectors.project_for(request.user, code)
    form = ObjectionForm(request.POST)
    if aftercare.complaint_standing(request.user, project):  # the page says why in place of the form
        return project_detail(request, code, complaint_form=form, status=403)
    status = 400
    if form.is_valid():
        try:
            aftercare.complaint_open(actor=request.user, project=project, text=form.cleaned_data["text"],
                                     matter=form.cleaned_data["matter"])
        except ValidationError as exc:
            form.apply_errors(exc)
        except (Conflict, aftercare.TooManyComplaints) as exc:
            form.add_error(None, exc.detail)
            status = 429 if isinstance(exc, aftercare.TooManyComplaints) else 409
        else:
            messages.success(request, _("质疑已提交，代理机构将在法定期限内书面答复；相关录像已法律保全。"))
            return redirect("project-detail", code=project.code)
    return project_detail(request, code, complaint_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def project_register(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "project.register")
    project = selectors.project_for(request.user, code)
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration_services.registration_create(actor=request.user, project=project, data=form_data(form))
        except ValidationError as exc:
            form.apply_errors(exc)
        except Conflict as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("报名成功。报名信息在截止前对任何人保密。"))
            return redirect("my-registrations")
    notice, notice_text = reference_selectors.registration_notice(project)
    return render(request, "trading/register.html", {
        "project": project, "form": form, "notice": notice, "notice_text": notice_text,
    }, status=400 if form.errors else 200)


@login_required
def project_registrations(request: HttpRequest, code: str) -> HttpResponse:
    project = selectors.project_for(request.user, code)
    registrations = registration_services.registration_list_read(actor=request.user, project=project)
    return render(request, "trading/registrations.html", {
        "project": project, "registrations": registrations, "list_frozen": bool(project.candidates_digest),
        "review_form": ReviewForm() if selectors.manages(request.user, project) else None})


@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    return render(request, "trading/my_registrations.html", {"registrations": selectors.own_registrations(request.user)})


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    projects = selectors.agency_projects(request.user).order_by("-id")
    return render(request, "trading/workspace.html", {"projects": projects})


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request: HttpRequest) -> HttpResponse:
    require(request.user, "project.manage")
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            project = project_services.project_create(actor=request.user, data=form_data(form))
        except ValidationError as exc:
            form.apply_errors(exc)
        else:
            messages.success(request, _("项目草稿已保存：%(code)s") % {"code": project.code})
            return redirect("project-manage", code=project.code)
    return render(request, "trading/project_new.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request: HttpRequest, code: str) -> HttpResponse:
    """A draft, corrected by its agency before publication (the service refuses once it is published)."""
    project = selectors.project_for(request.user, code)
    selectors.ensure_manages(request.user, project)
    if project.status != Status.DRAFT:
        messages.error(request, _("项目已发布，不能再修改；如需变更，请发布变更公告。"))
        return redirect("project-manage", code=project.code)
    form = ProjectForm(request.POST or None, initial=project_services.draft_initial(project))
    form.fields["type"].disabled = True  # the type is part of the code: a wrong type is a new project
    if request.method == "POST" and form.is_valid():
        try:
            project_services.project_update(actor=request.user, project=project, data=form_data(form))
        except ValidationError as exc:
            form.apply_errors(exc)
        except Conflict as exc:
            messages.error(request, exc.detail)
            return redirect("project-manage", code=project.code)
        else:
            messages.success(request, _("项目草稿已修改。"))
            return redirect("project-manage", code=project.code)
    return render(request, "trading/project_new.html", {"form": form, "project": project},
                  status=400 if form.errors else 200)


def _manage_forms(request: HttpRequest, project, action: str) -> dict:
    def bound(name: str):
        return request.POST if action == name else None

    return {"session": SessionForm(bound("session")), "review": ReviewForm(bound("review")),
            "answer": AnswerForm(bound("answer")), "followup": FollowUpForm(bound("followup"), project=project),
            "milestone": MilestoneForm(bound("milestone")), "referral": TextForm(bound("referral")),
            "republish": RepublishForm(bound("republish")), "fail": FailRoundForm(bound("fail")),
            "complete": CompleteForm(bound("complete")), "terminate": TerminateForm(bound("terminate")),
            "amend": AmendmentForm(bound("amend")), "question_answer": QuestionAnswerForm(bound("question_answer")),
            "attachment": AttachmentForm(bound("attachment"), request.FILES if action == "attachment" else None)}


@login_required
@require_http_methods(["GET", "POST"])
def project_manage(request: HttpRequest, code: str) -> HttpResponse:
    project = selectors.project_for(request.user, code)
    selectors.ensure_manages(request.user, project)
    action = request.POST.get("action", "")
    forms = _manage_forms(request, project, action)
    form = forms.get(action)
    conflict = False
    if request.method == "POST" and action in MANAGE_ACTIONS and (form is None or form.is_valid()):
        if asked := _ask_first(request, project, action):
            return asked
        try:
            MANAGE_ACTIONS[action](request, project, form)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
            else:
                form.apply_errors(exc)
        except (Conflict, PermissionDenied) as exc:
            conflict = isinstance(exc, Conflict)
            messages.error(request, getattr(exc, "detail", str(exc)))
        else:  # a review is made on the list's own page: back to it
            return redirect("project-registrations" if action == "review" else "project-manage", code=project.code)
    project.refresh_from_db()
    return render(request, "trading/project_manage.html", {
        "project": project, "forms": forms, "list_open": clock.now() >= project.registration_deadline,
        "sessions": selectors.project_sessions(project), "contracts": selectors.contracts(project),
        "complaints": selectors.complaints_for(request.user, project), "milestones": selectors.milestones(project),
        "followup": selectors.followup(project), "attachments": selectors.attachments(project),
        "can_fail_round": project.status in project_services.FAILABLE,
        "amendments": selectors.amendments(project), "questions": selectors.questions_for(request.user, project),
        "registration_open": project.status == Status.PUBLISHED and clock.now() < project.registration_deadline,
        "can_terminate": Status.TERMINATED in TRANSITIONS[project.status],
    }, status=409 if conflict else 400 if form is not None and form.errors else 200)


def _ask_first(request: HttpRequest, project, action: str) -> HttpResponse | None:
    """The steps that cannot be undone (a published announcement, a frozen list, an award, a failed round) are
    asked once more, on a page that says what follows; the others run at once."""
    texts = {
        "publish": (_("发布公告"), _("发布后公告立即公开，项目不能再修改，只能发布变更公告；固定价比选项目同时公布抽取承诺值。")),
        "close": (_("截止并冻结名单"),
                  _("候选名单将被冻结并公布其摘要，此后不得增删；资格条件自动核验，符合条件的企业不足时本轮流标。")),
        "award": (_("公示期满，定标"), _("将向排名第一的企业发出中选通知，合同签订期限随即开始计算。")),
        "fail": (_("流标终止本轮"), _("本轮将以流标终止，理由记入审计记录并公开；之后只能作为新一轮重新发布。")),
        "republish": (_("作为新一轮发布"), _("项目将作为新一轮重新发布并公开，新一轮报名随即开始。")),
    }.get(action)
    if texts is None:
        return None
    return confirm_first(request, title=f"{texts[0]}：{project.code} {project.title}", consequence=texts[1],
                         confirm_label=texts[0], cancel_url=reverse("project-manage", args=[project.code]))


def _publish(request, project, form):
    project_services.project_publish(actor=request.user, project=project)
    messages.success(request, _("公告已发布。"))


def _close(request, project, form):
    if not project.is_fixed_price:  # a tender closes at 投标截止 (evaluation), an auction when it starts
        raise Conflict(_("此处只截止固定价比选的报名：招标项目在开标评标页“投标截止”，拍卖项目在拍卖现场开拍时截止。"))
    project = project_services.project_close(actor=request.user, project=project)
    messages.success(request, _("报名已截止，名单已冻结：%(s)s") % {"s": project.get_status_display()})


def _review(request, project, form):
    registration = Registration.objects.filter(pk=form.cleaned_data["registration"], project=project).first()
    if registration is None:
        raise ValidationError(_("该报名不属于本项目。"))
    project_services.registration_review(actor=request.user, registration=registration,
                                         eligible=form.cleaned_data["eligible"], reason=form.cleaned_data["reason"])
    messages.success(request, _("复核已记录。"))


def _session(request, project, form):
    session_services.session_book(actor=request.user, project=project, **form.cleaned_data)
    messages.success(request, _("场地已预约。"))


def _award(request, project, form):
    contract = aftercare.project_award(actor=request.user, project=project)
    messages.success(request, _("已定标，向%(e)s发出中选通知。") % {"e": contract.enterprise.name})


def _sign(request, project, form):
    contract = project.contracts.filter(pk=request.POST.get("contract"), state="offered").first()
    if contract is None:
        raise ValidationError(_("没有待签订的合同要约。"))
    aftercare.contract_sign(actor=request.user, contract=contract)
    messages.success(request, _("合同签订已记录。"))


def _answer(request, project, form):
    complaint = project.complaints.filter(pk=form.cleaned_data["complaint"]).first()
    if complaint is None:
        raise ValidationError(_("该质疑投诉不属于本项目。"))
    aftercare.complaint_resolve(actor=request.user, complaint=complaint, answer=form.cleaned_data["answer"],
                                outcome=form.cleaned_data["outcome"])
    messages.success(request, _("答复已记录。"))


def _followup(request, project, form):
    aftercare.followup_assign(actor=request.user, project=project, officer=form.cleaned_data["officer"])
    messages.success(request, _("已指定跟踪责任人。"))


def _milestone(request, project, form):
    aftercare.milestone_record(actor=request.user, project=project, **form.cleaned_data)
    messages.success(request, _("进度已记录。"))


def _referral(request, project, form):
    aftercare.referral_create(actor=request.user, project=project, text=form.cleaned_data["text"])
    messages.success(request, _("已移送纪检监察。"))


def _attachment(request, project, form):
    upload = form.cleaned_data["file"]
    attachments.attachment_add(actor=request.user, project=project, name=upload.name, stream=upload,
                               size=upload.size)
    messages.success(request, _("附件已上传。"))


def _fail(request, project, form):
    project_services.project_fail_round(actor=request.user, project=project, reason=form.cleaned_data["reason"])
    messages.success(request, _("本轮已流标，可作为新一轮重新发布。"))


def _republish(request, project, form):
    project_services.project_republish(actor=request.user, project=project, **form.cleaned_data)
    messages.success(request, _("已作为第%(n)d轮重新发布。") % {"n": project.round + 1})


# The end of the life cycle; change notices and clarifications


def _complete(request, project, form):
    aftercare.project_complete(actor=request.user, project=project, accepted_on=form.cleaned_data["accepted_on"],
                               note=form.cleaned_data["note"])
    messages.success(request, _("竣工验收已记录，项目已完工。"))


def _terminate(request, project, form):
    aftercare.project_terminate(actor=request.user, project=project, reason=form.cleaned_data["reason"])
    messages.success(request, _("项目已终止。"))


def _amend(request, project, form):
    amendment = project_services.project_amend(actor=request.user, project=project, text=form.cleaned_data["text"],
                                               substantive=form.cleaned_data["substantive"],
                                               registration_deadline=form.cleaned_data["registration_deadline"])
    messages.success(request, _("变更公告第%(n)d号已发布。") % {"n": amendment.number})


def _question_answer(request, project, form):
    question = project.questions.filter(pk=form.cleaned_data["question"]).first()
    if question is None:
        raise ValidationError(_("该问题不属于本项目。"))
    project_services.question_answer(actor=request.user, question=question, text=form.cleaned_data["text"])
    messages.success(request, _("答复已公开发布。"))


@login_required
@require_http_methods(["POST"])
def project_question(request: HttpRequest, code: str) -> HttpResponse:
    require(request.user, "project.register")
    project = selectors.project_for(request.user, code)
    form = TextForm(request.POST, prefix="question")
    if form.is_valid():
        try:
            project_services.question_ask(actor=request.user, project=project, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.apply_errors(exc)
        except Conflict as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("问题已提交。代理机构的答复将向所有人公开，不显示提问企业。"))
            return redirect("project-detail", code=project.code)
    return project_detail(request, code, question_form=form)


MANAGE_ACTIONS = {"publish": _publish, "close": _close, "review": _review, "session": _session, "award": _award,
                  "sign": _sign, "answer": _answer, "followup": _followup, "milestone": _milestone,
                  "referral": _referral, "republish": _republish, "attachment": _attachment, "fail": _fail,
                  "complete": _complete, "terminate": _terminate, "amend": _amend,
                  "question_answer": _question_answer}


# The centre's reference data (中心管理): the administrator's pages; the enterprise's own page. The rules are in
# trading.services.reference; these pages only shape the input and show the refusals on the fields.


def _submit(request: HttpRequest, form, write, done: str) -> bool:
    """Run `write(cleaned_data)` for a valid bound form; errors come back onto the fields."""
    if request.method != "POST" or not form.is_valid():
        return False
    try:
        write(form.cleaned_data)
    except ValidationError as exc:
        form.apply_errors(exc)
    except Conflict as exc:
        form.add_error(None, exc.detail)
        for field, errors in exc.errors.items():
            if field in form.fields:
                form.add_error(field, errors)
    else:
        messages.success(request, done)
        return True
    return False


def _bound(request: HttpRequest, form_class, action: str, **kwargs):
    return form_class(request.POST if request.POST.get("action") == action else None, **kwargs)


@login_required
@require_http_methods(["GET", "POST"])
def centre_organisations(request: HttpRequest) -> HttpResponse:
    require(request.user, "centre.admin")
    form = _bound(request, OrganisationForm, "organisation")
    if _submit(request, form, lambda d: reference.organisation_create(actor=request.user, **d), _("机构已登记。")):
        return redirect("centre-organisations")
    return render(request, "trading/centre_organisations.html", {
        "organisations": reference_selectors.organisations(), "form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def centre_organisation(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, "centre.admin")
    organisation = get_object_or_404(reference_selectors.organisations(), pk=pk)
    appeals = reference_selectors.organisation_appeals(organisation)
    forms = {"certificate": _bound(request, CertificateForm, "certificate"),
             "manager": _bound(request, ManagerForm, "manager"),
             "bad_behaviour": _bound(request, BadBehaviourForm, "bad_behaviour"),
             "appeal_decision": _bound(request, AppealDecisionForm, "appeal_decision", appeals=[
                 (a.pk, _appeal_label(a)) for a in appeals if a.state == Appeal.State.OPEN])}
    writes = {
        "certificate": lambda d: reference.certificate_add(actor=request.user, organisation=organisation, **d),
        "manager": lambda d: reference.manager_add(actor=request.user, organisation=organisation, **d),
        "bad_behaviour": lambda d: reference.bad_behaviour_record(actor=request.user, enterprise=organisation, **d),
        "appeal_decision": lambda d: notices.appeal_decide(
            actor=request.user, appeal=appeals.get(pk=d["appeal"]), outcome=d["outcome"], reason=d["reason"]),
    }
    action = request.POST.get("action", "")
    if action in forms and _submit(request, forms[action], writes[action], _("已登记。")):
        return redirect("centre-organisation", pk=organisation.pk)
    return render(request, "trading/centre_organisation.html", {
        "organisation": reference_selectors.organisation_detail(organisation.pk), "forms": forms,
        "appeals": appeals,
        "flags": reference_selectors.expiring_certificates(organisation),
        "suspension": reference_selectors.active_suspension(organisation),
    }, status=400 if any(f.errors for f in forms.values()) else 200)


@login_required
@require_http_methods(["GET", "POST"])
def centre_rooms(request: HttpRequest) -> HttpResponse:
    require(request.user, "centre.admin")
    form = _bound(request, RoomForm, "room")
    if _submit(request, form, lambda d: reference.room_create(actor=request.user, **d), _("场地已新增。")):
        return redirect("centre-rooms")
    return render(request, "trading/centre_rooms.html", {
        "calendar": reference_selectors.calendar(), "days": reference_selectors.CALENDAR_DAYS, "form": form,
    }, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def centre_users(request: HttpRequest) -> HttpResponse:
    require(request.user, "centre.admin")
    form = _bound(request, UserForm, "user")

    def create(data: dict) -> None:
        user, grant = reference.user_create(actor=request.user, **data)
        if grant is not None and grant.state == grant.State.PENDING:
            messages.warning(request, _("角色申请已提交，待纪检监察人员审批后生效：%(role)s") % {
                "role": grant.get_role_display()})

    if _submit(request, form, create, _("账号已创建。")):
        return redirect("centre-users")
    return render(request, "trading/centre_users.html", {"users": reference_selectors.users(), "form": form},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def my_organisation(request: HttpRequest) -> HttpResponse:
    """The enterprise's own record: its certificates (flagged when they lapse before an open deadline) and its
    project managers, which it may enter itself."""
    require(request.user, "project.register")
    organisation = request.user.organisation
    if organisation is None:
        raise PermissionDenied(_("账号未关联企业。"))
    form = _bound(request, ManagerForm, "manager")
    appeal_form = _bound(request, AppealForm, "appeal", records=[
        (r.pk, _record_label(r)) for r in reference_selectors.appealable_records(organisation)])
    if _submit(request, form, lambda d: reference.manager_add(actor=request.user, organisation=organisation, **d),
               _("项目经理已登记。")) or _submit(request, appeal_form, lambda d: notices.appeal_file(
                   actor=request.user, record=BadBehaviourRecord.objects.get(pk=d["record"]), reason=d["reason"]),
                   _("申诉已提交，由中心管理员处理。")):
        return redirect("my-organisation")
    return render(request, "trading/my_organisation.html", {
        "organisation": reference_selectors.organisation_detail(organisation.pk), "form": form,
        "appeal_form": appeal_form, "appeals": reference_selectors.organisation_appeals(organisation),
        "flags": reference_selectors.expiring_certificates(organisation),
        "suspension": reference_selectors.active_suspension(organisation),
    }, status=400 if form.errors or appeal_form.errors else 200)


def _record_label(record: BadBehaviourRecord) -> str:
    return f"{record.recorded_at:%Y-%m-%d} · {record.reason[:40]}"


def _appeal_label(appeal: Appeal) -> str:
    return f"{appeal.filed_at:%Y-%m-%d} · {_record_label(appeal.record)}"


@login_required
@require_http_methods(["GET"])
def centre_notices(request: HttpRequest) -> HttpResponse:
    require(request.user, "centre.admin")
    return render(request, "trading/centre_notices.html", {"notices": reference_selectors.current_notices()})


@login_required
@require_http_methods(["GET", "POST"])
def centre_notice(request: HttpRequest, notice: str) -> HttpResponse:
    """One notice text: a new version from the edited text; every earlier version listed and readable."""
    require(request.user, "centre.admin")
    kind = notice
    if kind not in NoticeKind.values:
        raise Http404(_("没有这种须知。"))
    current = reference_selectors.current_notice(kind)
    form = _bound(request, NoticeForm, "notice", initial={"text": current.text})
    if _submit(request, form, lambda d: notices.notice_publish(actor=request.user, kind=kind, **d),
               _("新版本已发布。")):
        return redirect("centre-notice", notice=kind)
    return render(request, "trading/centre_notice.html", {
        "kind": NoticeKind(kind), "current": current, "versions": reference_selectors.notice_versions(kind),
        "form": form, "placeholders": notices_module.PLACEHOLDERS if kind == NoticeKind.DRAWN_ENTERPRISES else (),
    }, status=400 if form.errors else 200)


@login_required
def notifications_inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "trading/notifications.html", {"page": page})


@login_required
@require_http_methods(["POST"])
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    if pk == 0:
        notification_services.notifications_read_all(actor=request.user)
    else:
        notification_services.notification_read(actor=request.user,
                                                 notification=selectors.notification_for(request.user, pk))
    return redirect("notifications")
