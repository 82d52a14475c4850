"""Pages: public announcements and results, the enterprise's registration, the agency's workspace."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from audit import checkpoints, ledger
from core import clock
from core.errors import Conflict
from core.roles import can, require
from trading import selectors
from trading.forms import (
    AnswerForm,
    AttachmentForm,
    FollowUpForm,
    MilestoneForm,
    ProjectForm,
    RegistrationForm,
    RepublishForm,
    ReviewForm,
    SessionForm,
    TextForm,
    form_data,
)
from trading.models import Registration
from trading.models.projects import ProjectType, Status
from trading.services import aftercare, attachments
from trading.services import projects as project_services
from trading.services import registrations as registration_services
from trading.services import sessions as session_services


def home(request: HttpRequest) -> HttpResponse:
    ptype, status = request.GET.get("type", ""), request.GET.get("status", "")
    page = Paginator(selectors.public_projects(type=ptype, status=status), 20).get_page(request.GET.get("page"))
    seq, head = ledger.head()
    return render(request, "trading/home.html", {
        "page": page, "types": ProjectType.choices, "statuses": Status.choices[1:], "type": ptype,
        "status": status, "audit_head": head, "audit_seq": seq, "checkpoint": checkpoints.latest_published(),
    })


class LoginView(auth_views.LoginView):
    # one answer for an unknown name and a wrong password: the form's generic error, same status, same page
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


def project_detail(request: HttpRequest, code: str, complaint_form: TextForm | None = None,
                   status: int = 400) -> HttpResponse:
    project = selectors.project_for(request.user, code)
    return render(request, "trading/project_detail.html", {
        "project": project, "now": clock.now(), "own": selectors.own_registration(request.user, project),
        "manages": selectors.manages(request.user, project),
        "can_list": can(request.user, "registration.list"),
        "sessions": selectors.project_sessions(project), "contracts": selectors.contracts(project),
        "attachments": selectors.attachments(project), "complaint_form": complaint_form or TextForm(),
        "complaint_refusal": aftercare.complaint_standing(request.user, project) if request.user.is_authenticated
        else "",
    }, status=status if complaint_form is not None else 200)


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
    return render(request, "trading/session_attendance.html", {
        "session": session, "sheet": sheet, "badges": session_services.badges_for(request.user),
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
    form = TextForm(request.POST)
    if aftercare.complaint_standing(request.user, project):  # the page says why in place of the form
        return project_detail(request, code, complaint_form=form, status=403)
    status = 400
    if form.is_valid():
        try:
            aftercare.complaint_open(actor=request.user, project=project, text=form.cleaned_data["text"])
        except ValidationError as exc:
            form.apply_errors(exc)
        except (Conflict, aftercare.TooManyComplaints) as exc:
            form.add_error(None, exc.detail)
            status = 429 if isinstance(exc, aftercare.TooManyComplaints) else 409
        else:
            messages.success(request, _("质疑投诉已提交，代理机构将书面答复；相关录像已法律保全。"))
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
    return render(request, "trading/register.html", {"project": project, "form": form}, status=400 if form.errors else 200)


@login_required
def project_registrations(request: HttpRequest, code: str) -> HttpResponse:
    project = selectors.project_for(request.user, code)
    registrations = registration_services.registration_list_read(actor=request.user, project=project)
    return render(request, "trading/registrations.html", {
        "project": project, "registrations": registrations,
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


def _manage_forms(request: HttpRequest, project, action: str) -> dict:
    def bound(name: str):
        return request.POST if action == name else None

    return {"session": SessionForm(bound("session")), "review": ReviewForm(bound("review")),
            "answer": AnswerForm(bound("answer")), "followup": FollowUpForm(bound("followup"), project=project),
            "milestone": MilestoneForm(bound("milestone")), "referral": TextForm(bound("referral")),
            "republish": RepublishForm(bound("republish")),
            "attachment": AttachmentForm(bound("attachment"), request.FILES if action == "attachment" else None)}


@login_required
@require_http_methods(["GET", "POST"])
def project_manage(request: HttpRequest, code: str) -> HttpResponse:
    project = selectors.project_for(request.user, code)
    selectors.ensure_manages(request.user, project)
    action = request.POST.get("action", "")
    forms = _manage_forms(request, project, action)
    form = forms.get(action)
    if request.method == "POST" and action in MANAGE_ACTIONS and (form is None or form.is_valid()):
        try:
            MANAGE_ACTIONS[action](request, project, form)
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
            else:
                form.apply_errors(exc)
        except (Conflict, PermissionDenied) as exc:
            messages.error(request, getattr(exc, "detail", str(exc)))
        else:  # a review is made on the list's own page: back to it
            return redirect("project-registrations" if action == "review" else "project-manage", code=project.code)
    project.refresh_from_db()
    return render(request, "trading/project_manage.html", {
        "project": project, "forms": forms, "list_open": clock.now() >= project.registration_deadline,
        "sessions": selectors.project_sessions(project), "contracts": selectors.contracts(project),
        "complaints": selectors.complaints_for(request.user, project), "milestones": selectors.milestones(project),
        "followup": selectors.followup(project), "attachments": selectors.attachments(project),
    }, status=400 if form is not None and form.errors else 200)


def _publish(request, project, form):
    project_services.project_publish(actor=request.user, project=project)
    messages.success(request, _("公告已发布。"))


def _close(request, project, form):
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
    aftercare.complaint_resolve(actor=request.user, complaint=complaint, answer=form.cleaned_data["answer"])
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


def _republish(request, project, form):
    project_services.project_republish(actor=request.user, project=project, **form.cleaned_data)
    messages.success(request, _("已作为第%(n)d轮重新发布。") % {"n": project.round + 1})


MANAGE_ACTIONS = {"publish": _publish, "close": _close, "review": _review, "session": _session, "award": _award,
                  "sign": _sign, "answer": _answer, "followup": _followup, "milestone": _milestone,
                  "referral": _referral, "republish": _republish, "attachment": _attachment}
