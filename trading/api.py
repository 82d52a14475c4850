"""The trading rows of the API. Views parse, check, call a service or selector, answer."""

from __future__ import annotations

import functools

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from audit import receipts
from core.api import API, MultiPartParser, paginated, request_data
from core.parsing import aware_datetime, date_value, int_value, text_value
from core.roles import Role, can, require, role_of
from trading import reference_selectors, selectors
from trading.models import (
    Appeal,
    BadBehaviourRecord,
    Complaint,
    Contract,
    NoticeKind,
    NoticeText,
    Notification,
    Organisation,
    Project,
    Question,
    Room,
    Session,
    User,
)
from trading.models.sessions import RoomKind
from trading.serializers import (
    AmendmentCreateSerializer,
    AmendmentSerializer,
    AppealDecideSerializer,
    AppealSerializer,
    AttachmentSerializer,
    AttendanceSerializer,
    BadBehaviourSerializer,
    CertificateSerializer,
    ComplaintAcceptSerializer,
    ComplaintDecideSerializer,
    ComplaintSerializer,
    CompleteSerializer,
    ContractSerializer,
    FollowUpSerializer,
    ManagerSerializer,
    MilestoneSerializer,
    ObjectionAnswerSerializer,
    ObjectionSerializer,
    OrganisationSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    QuestionSerializer,
    ReasonSerializer,
    ReferralSerializer,
    RegistrationCreateSerializer,
    RegistrationSerializer,
    RoomSerializer,
    SessionCreateSerializer,
    SessionSerializer,
    TextSerializer,
    UserCreatedSerializer,
)
from trading.services import accounts, aftercare, attachments, complaints, reference
from trading.services import notices as notice_services
from trading.services import notifications as notification_services
from trading.services import projects as project_services
from trading.services import registrations as registration_services
from trading.services import sessions as session_services


class ProjectListView(API):
    @extend_schema(parameters=[OpenApiParameter("type", str), OpenApiParameter("status", str)],
                   responses=ProjectSerializer(many=True))
    def get(self, request: Request) -> Response:
        qs = selectors.public_projects(type=request.query_params.get("type", ""),
                                       status=request.query_params.get("status", ""))
        return paginated(request, self, qs, ProjectSerializer)

    @extend_schema(request=ProjectCreateSerializer, responses={201: ProjectSerializer})
    def post(self, request: Request) -> Response:
        require(request.user, "project.manage")
        data = dict(request_data(request))
        if "registration_deadline" in data:
            data["registration_deadline"] = aware_datetime(data["registration_deadline"], "registration_deadline")
        project = project_services.project_create(actor=request.user, data=data)
        return Response(ProjectSerializer(project).data, status=status.HTTP_201_CREATED)


class ProjectDetailView(API):
    @extend_schema(responses=ProjectSerializer)
    def get(self, request: Request, code: str) -> Response:
        return Response(ProjectSerializer(selectors.project_for(request.user, code)).data)


class ProjectPublishView(API):
    @extend_schema(request=None, responses=ProjectSerializer)
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        project = project_services.project_publish(actor=request.user, project=project)
        return Response(ProjectSerializer(project).data)


class ProjectCloseView(API):
    @extend_schema(request=None, responses=ProjectSerializer)
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        project = project_services.project_close(actor=request.user, project=project)
        return Response(ProjectSerializer(project).data)


class ProjectFailRoundView(API):
    @extend_schema(request=ReasonSerializer, responses=ProjectSerializer,
                   description="流标: end the current round with a written reason (e.g. a material error in the frozen "
                               "candidate list, which no review may change); the project can then be re-published.")
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        project = project_services.project_fail_round(actor=request.user, project=project,
                                                      reason=_text(request, "reason"))
        return Response(ProjectSerializer(project).data)


class RegistrationListView(API):
    @extend_schema(responses=RegistrationSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        registrations = registration_services.registration_list_read(actor=request.user, project=project)
        return paginated(request, self, registrations, RegistrationSerializer)

    @extend_schema(request=RegistrationCreateSerializer, responses={201: RegistrationSerializer})
    def post(self, request: Request, code: str) -> Response:
        require(request.user, "project.register")
        project = selectors.project_for(request.user, code)
        registration = registration_services.registration_create(
            actor=request.user, project=project, data=request_data(request))
        return Response({**RegistrationSerializer(registration).data, "receipt": receipts.for_object(registration)},
                        status=status.HTTP_201_CREATED)


class RoomListView(API):
    @extend_schema(parameters=[OpenApiParameter("kind", str)], responses=RoomSerializer(many=True))
    def get(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            self.permission_denied(request)
        return paginated(request, self, selectors.rooms(kind=request.query_params.get("kind", "")), RoomSerializer)


class SessionCreateView(API):
    @extend_schema(request=SessionCreateSerializer, responses={201: SessionSerializer})
    def post(self, request: Request, code: str) -> Response:
        require(request.user, "session.manage")
        project = selectors.project_for(request.user, code)
        data = request_data(request)
        room = Room.objects.filter(pk=int_value(data.get("room"), "room", minimum=1)).first()
        if room is None:
            raise ValidationError({"room": [_("没有编号为 %(v)s 的场地。") % {"v": data.get("room")}]})
        session = session_services.session_book(
            actor=request.user, project=project, room=room, kind=text_value(data.get("kind"), "kind"),
            starts_at=aware_datetime(data.get("starts_at"), "starts_at"),
            ends_at=aware_datetime(data.get("ends_at"), "ends_at"),
        )
        return Response(SessionSerializer(session).data, status=status.HTTP_201_CREATED)


class AttendanceView(API):
    @extend_schema(responses=AttendanceSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        if not request.user.is_authenticated:
            self.permission_denied(request)
        session = get_object_or_404(Session, pk=pk)
        return paginated(request, self, session.attendance.select_related("user").order_by("signed_at"),
                          AttendanceSerializer)

    @extend_schema(request={"application/json": {"type": "object", "properties": {"badge": {"type": "string"}}}},
                   responses={201: AttendanceSerializer})
    def post(self, request: Request, pk: int) -> Response:
        if not request.user.is_authenticated:
            self.permission_denied(request)
        session = get_object_or_404(Session, pk=pk)
        badge = text_value(request_data(request).get("badge"), "badge")
        attendance = session_services.attendance_sign(actor=request.user, session=session, badge=badge)
        return Response(AttendanceSerializer(attendance).data, status=status.HTTP_201_CREATED)


# After the draw: award, contract, complaints and legal hold, follow-up, referrals


def _text(request: Request, field: str) -> str:
    return text_value(request_data(request).get(field), field)


class AwardView(API):
    @extend_schema(request=None, responses={201: ContractSerializer})
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        contract = aftercare.project_award(actor=request.user, project=project)
        return Response(ContractSerializer(contract).data, status=status.HTTP_201_CREATED)


class ContractListView(API):
    @extend_schema(responses=ContractSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        return paginated(request, self, selectors.contracts(project), ContractSerializer)


class ContractSignView(API):
    @extend_schema(request=None, responses=ContractSerializer)
    def post(self, request: Request, pk: int) -> Response:
        contract = get_object_or_404(Contract, pk=pk)
        contract = aftercare.contract_sign(actor=request.user, contract=contract)
        return Response(ContractSerializer(contract).data)


class TooManyComplaintsError(APIException):
    """429, with Retry-After (DRF's handler sets it from `wait`)."""

    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_code = "too_many_complaints"

    def __init__(self, detail: str, wait: int) -> None:
        super().__init__(detail)
        self.wait = wait


class ComplaintListView(API):
    @extend_schema(responses=ComplaintSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        return paginated(request, self, selectors.complaints_for(request.user, project), _complaints(request))

    @extend_schema(request=ObjectionSerializer, responses={201: ComplaintSerializer},
                   description="An objection (质疑/异议) to the agency; `matter` defaults to what the project's stage "
                               "suggests. 403 without standing, 409 outside the statutory period or over the limit "
                               "of open ones, 429 over the daily limit.")
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        data = request_data(request)
        try:
            complaint = complaints.complaint_open(actor=request.user, project=project, text=_text(request, "text"),
                                                  matter=text_value(data.get("matter"), "matter"))
        except complaints.TooManyComplaints as exc:
            raise TooManyComplaintsError(exc.detail, exc.retry_after) from None
        return _complaint(request, complaint, status.HTTP_201_CREATED)


def _complaints(request: Request) -> functools.partial:
    """The serializer with the viewer, who decides how the complainant is named (selectors.complainant_label)."""
    return functools.partial(ComplaintSerializer, context={"request": request})


def _complaint(request: Request, complaint: Complaint, code: int = status.HTTP_200_OK) -> Response:
    return Response(ComplaintSerializer(complaint, context={"request": request}).data, status=code)


def _complaint_at(pk: int) -> Complaint:
    return get_object_or_404(Complaint.objects.select_related("project", "complainant"), pk=pk)


class ComplaintAnswerView(API):
    @extend_schema(request=ObjectionAnswerSerializer, responses=ComplaintSerializer)
    def post(self, request: Request, pk: int) -> Response:
        data = request_data(request)
        complaint = complaints.complaint_resolve(actor=request.user, complaint=_complaint_at(pk),
                                                 answer=_text(request, "answer"),
                                                 outcome=text_value(data.get("outcome"), "outcome"))
        return _complaint(request, complaint)


class ComplaintEscalateView(API):
    @extend_schema(request=TextSerializer, responses={201: ComplaintSerializer},
                   description="A complaint (投诉) to the supervising department about an objection of the caller's, "
                               "once answered or its answer period lapsed, within the statutory period (409 else).")
    def post(self, request: Request, pk: int) -> Response:
        try:
            complaint = complaints.complaint_escalate(actor=request.user, objection=_complaint_at(pk),
                                                      text=_text(request, "text"))
        except complaints.TooManyComplaints as exc:
            raise TooManyComplaintsError(exc.detail, exc.retry_after) from None
        return _complaint(request, complaint, status.HTTP_201_CREATED)


class ComplaintWithdrawView(API):
    @extend_schema(request=None, responses=ComplaintSerializer)
    def post(self, request: Request, pk: int) -> Response:
        return _complaint(request, complaints.complaint_withdraw(actor=request.user, complaint=_complaint_at(pk)))


class ComplaintAcceptView(API):
    @extend_schema(request=ComplaintAcceptSerializer, responses=ComplaintSerializer)
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "complaint.decide")
        data = request_data(request)
        accept = data.get("accept")
        if not isinstance(accept, bool):
            raise ValidationError({"accept": [_("须为 true（受理）或 false（不予受理）。")]})
        complaint = complaints.complaint_accept(actor=request.user, complaint=_complaint_at(pk), accept=accept,
                                                reason=text_value(data.get("reason"), "reason"))
        return _complaint(request, complaint)


class ComplaintDecideView(API):
    @extend_schema(request=ComplaintDecideSerializer, responses=ComplaintSerializer)
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "complaint.decide")
        data = request_data(request)
        complaint = complaints.complaint_decide(actor=request.user, complaint=_complaint_at(pk),
                                                outcome=text_value(data.get("outcome"), "outcome"),
                                                decision=_text(request, "decision"))
        return _complaint(request, complaint)


class ComplaintDeskView(API):
    @extend_schema(responses=ComplaintSerializer(many=True),
                   description="Every complaint (投诉), for the supervising department, inspectors and administrators.")
    def get(self, request: Request) -> Response:
        if role_of(request.user) not in (Role.SUPERVISOR, Role.INSPECTOR, Role.ADMIN):
            self.permission_denied(request)
        return paginated(request, self, selectors.complaints_to_decide(), _complaints(request))


class ComplaintDecisionListView(API):
    permission_classes: list = []

    @extend_schema(responses=ComplaintSerializer(many=True),
                   description="Published complaint decisions (投诉处理决定) and refusals, public.")
    def get(self, request: Request) -> Response:
        return paginated(request, self, selectors.published_decisions(), _complaints(request))


class LegalHoldReleaseView(API):
    @extend_schema(request=ReasonSerializer, responses=ProjectSerializer)
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        project = aftercare.legal_hold_release(actor=request.user, project=project, reason=_text(request, "reason"))
        return Response(ProjectSerializer(project).data)


class FollowUpView(API):
    @extend_schema(request={"application/json": {"type": "object", "properties": {"officer": {"type": "integer"}}}},
                   responses=FollowUpSerializer)
    def post(self, request: Request, code: str) -> Response:
        require(request.user, "followup.manage")
        project = selectors.project_for(request.user, code)
        officer_id = int_value(request_data(request).get("officer"), "officer", minimum=1)
        officer = User.objects.filter(pk=officer_id, is_active=True).first()
        if officer is None:
            raise ValidationError({"officer": [_("没有这个在职用户。")]})
        followup = aftercare.followup_assign(actor=request.user, project=project, officer=officer)
        return Response(FollowUpSerializer(followup).data)


class MilestoneListView(API):
    @extend_schema(responses=MilestoneSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        return paginated(request, self, selectors.milestones(project), MilestoneSerializer)

    @extend_schema(request=MilestoneSerializer, responses={201: MilestoneSerializer})
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        aftercare.ensure_officer(request.user, project)  # who may, before what was sent
        data = request_data(request)
        milestone = aftercare.milestone_record(
            actor=request.user, project=project, title=_text(request, "title"),
            due=date_value(data.get("due"), "due"), done_on=date_value(data.get("done_on"), "done_on", required=False),
            note=_text(request, "note"))
        return Response(MilestoneSerializer(milestone).data, status=status.HTTP_201_CREATED)


class ReferralView(API):
    @extend_schema(request=TextSerializer, responses={201: ReferralSerializer})
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        referral = aftercare.referral_create(actor=request.user, project=project, text=_text(request, "text"))
        return Response(ReferralSerializer(referral).data, status=status.HTTP_201_CREATED)



class AttachmentListView(API):
    parser_classes = [MultiPartParser]

    @extend_schema(responses=AttachmentSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        return paginated(request, self, selectors.attachments(project), AttachmentSerializer)

    @extend_schema(request={"multipart/form-data": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}}, responses={201: AttachmentSerializer})
    def post(self, request: Request, code: str) -> Response:
        require(request.user, "project.manage")  # who may, before what was sent
        project = selectors.project_for(request.user, code)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("请选择要上传的文件（multipart 字段 file）。")]})
        attachment = attachments.attachment_add(actor=request.user, project=project, name=upload.name,
                                                stream=upload, size=upload.size)
        return Response(AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class ApiTokenView(API):
    """The caller's own API token: issued (a new one replaces the old, shown once) or revoked. Only from a
    password login's session, never with a token: a leaked token cannot mint its successor."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={201: inline_serializer("ApiToken", {
        "username": serializers.CharField(), "token": serializers.CharField()})})
    def post(self, request: Request) -> Response:
        key = accounts.api_token_issue(actor=request.user, user=request.user)
        return Response({"username": request.user.get_username(), "token": key}, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        accounts.api_token_revoke(actor=request.user, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


# Reference data of the centre (DESIGN §5): organisations, accounts, rooms and their calendar, certificates, project
# managers, bad-behaviour records. The rules are in trading.services.reference.

def _organisation(pk: int) -> Organisation:
    return get_object_or_404(Organisation, pk=pk)


def _created(body: dict) -> Response:
    return Response(body, status=status.HTTP_201_CREATED)


class OrganisationCreateView(API):
    @extend_schema(request=inline_serializer("OrganisationCreate", {
        "kind": serializers.ChoiceField(["agency", "enterprise", "tenderer"]), "name": serializers.CharField(),
        "uscc": serializers.CharField()}), responses={201: OrganisationSerializer})
    def post(self, request: Request) -> Response:
        require(request.user, "centre.admin")
        data = request_data(request)
        organisation = reference.organisation_create(actor=request.user, kind=str(data.get("kind", "")),
                                                     name=data.get("name"), uscc=str(data.get("uscc") or ""))
        return _created(OrganisationSerializer(organisation).data)


class UserCreateView(API):
    @extend_schema(request=inline_serializer("UserCreate", {
        "username": serializers.CharField(), "password": serializers.CharField(), "role": serializers.CharField(),
        "organisation": serializers.IntegerField(required=False), "name": serializers.CharField(required=False),
        "reason": serializers.CharField(required=False)}), responses={201: UserCreatedSerializer},
        description="The role goes through the role-grant service: inspector and supervisor wait for an "
                    "inspector's approval (`role` stays `none`, `role_grant.state` is `pending`) and get no "
                    "password: the person sets their own through the link the approving inspector hands them.")
    def post(self, request: Request) -> Response:
        require(request.user, "centre.admin")
        data = request_data(request)
        organisation = None
        if data.get("organisation") not in (None, ""):
            organisation = Organisation.objects.filter(pk=int_value(data["organisation"], "organisation")).first()
            if organisation is None:
                raise ValidationError({"organisation": [_("所属机构：没有编号为 %(v)s 的机构。") % {
                    "v": data["organisation"]}]})
        user, grant = reference.user_create(
            actor=request.user, username=str(data.get("username") or ""), password=str(data.get("password") or ""),
            role=str(data.get("role") or ""), organisation=organisation, name=str(data.get("name") or ""),
            reason=str(data.get("reason") or ""))
        return _created(UserCreatedSerializer({"user": user, "grant": grant}).data)


class RoomsView(RoomListView):
    """`GET /api/rooms` (RoomListView) and the administrator's `POST`."""

    @extend_schema(request=inline_serializer("RoomCreate", {
        "name": serializers.CharField(), "kind": serializers.ChoiceField(RoomKind.choices)}),
        responses={201: RoomSerializer})
    def post(self, request: Request) -> Response:
        require(request.user, "centre.admin")
        data = request_data(request)
        room = reference.room_create(actor=request.user, name=data.get("name"), kind=str(data.get("kind", "")))
        return _created(RoomSerializer(room).data)


class RoomSessionsView(API):
    @extend_schema(parameters=[OpenApiParameter("since", str), OpenApiParameter("until", str)],
                   responses=SessionSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        if not request.user.is_authenticated:
            self.permission_denied(request)
        room = get_object_or_404(Room, pk=pk)
        since, until = reference_selectors.calendar_period(request.query_params.get("since", ""),
                                                           request.query_params.get("until", ""))
        return paginated(request, self, reference_selectors.room_sessions(room, since=since, until=until),
                         SessionSerializer)


class CertificateCreateView(API):
    @extend_schema(request=inline_serializer("CertificateCreate", {
        "kind": serializers.ChoiceField(["qualification", "safety_licence"]), "number": serializers.CharField(),
        "category": serializers.ChoiceField(["construction", "municipal", "decoration"], required=False),
        "grade": serializers.CharField(required=False), "valid_until": serializers.DateField()}),
        responses={201: CertificateSerializer})
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "centre.admin")
        data = request_data(request)
        certificate = reference.certificate_add(
            actor=request.user, organisation=_organisation(pk), kind=str(data.get("kind", "")),
            number=data.get("number"), valid_until=data.get("valid_until"), grade=data.get("grade"),
            category=str(data.get("category") or ""))
        return _created(CertificateSerializer(certificate).data)


class ManagerCreateView(API):
    @extend_schema(request=inline_serializer("ManagerCreate", {
        "name": serializers.CharField(), "certificate": serializers.CharField(),
        "grade": serializers.ChoiceField(["1", "2"])}), responses={201: ManagerSerializer})
    def post(self, request: Request, pk: int) -> Response:
        if not (can(request.user, "centre.admin") or can(request.user, "project.register")):
            self.permission_denied(request)  # before the lookup: who may, before what exists
        organisation = _organisation(pk)
        if not reference.may_enter_managers(request.user, organisation):
            self.permission_denied(request)
        data = request_data(request)
        manager = reference.manager_add(actor=request.user, organisation=organisation, name=data.get("name"),
                                        certificate=data.get("certificate"), grade=str(data.get("grade") or ""))
        return _created(ManagerSerializer(manager).data)


class BadBehaviourCreateView(API):
    @extend_schema(request=inline_serializer("BadBehaviourCreate", {
        "reason": serializers.CharField(), "days": serializers.IntegerField(required=False),
        "until": serializers.DateField(required=False), "project": serializers.CharField(required=False)}),
        responses={201: BadBehaviourSerializer},
        description="The suspension lasts `days` or until the end of `until` (one of them; SUSPENSION_DAYS "
                    "when neither is given).")
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "centre.admin")
        data = request_data(request)
        project = None
        if data.get("project"):
            project = Project.objects.filter(code=str(data["project"])).first()
            if project is None:
                raise ValidationError({"project": [_("项目：没有编号为 %(c)s 的项目。") % {"c": data["project"]}]})
        record, suspension = reference.bad_behaviour_record(
            actor=request.user, enterprise=_organisation(pk), reason=data.get("reason"), project=project,
            days=data.get("days"), until=data.get("until"))
        return _created(BadBehaviourSerializer(record).data)

class AppealListView(API):
    """申诉 of a bad-behaviour record: the enterprise concerned files one (while the record stands and no appeal of it
    is open); it, the administrators and the inspectors read them."""

    @extend_schema(responses=AppealSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        record = get_object_or_404(BadBehaviourRecord, pk=pk)
        if not (can(request.user, "centre.admin") or can(request.user, "audit.read")
                or request.user.organisation_id == record.enterprise_id):
            self.permission_denied(request)
        return paginated(request, self, record.appeals.order_by("-filed_at", "-id"), AppealSerializer)

    @extend_schema(request=ReasonSerializer, responses={201: AppealSerializer})
    def post(self, request: Request, pk: int) -> Response:
        record = get_object_or_404(BadBehaviourRecord, pk=pk)
        appeal = notice_services.appeal_file(actor=request.user, record=record, reason=_text(request, "reason"))
        return _created(AppealSerializer(appeal).data)


class AppealDecideView(API):
    @extend_schema(request=AppealDecideSerializer, responses=AppealSerializer,
                   description="The administrator's decision: `outcome` upheld (the record annulled, its suspensions "
                               "lifted from now) or rejected, with a `reason`.")
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "centre.admin")
        appeal = get_object_or_404(Appeal, pk=pk)
        data = request_data(request)
        appeal = notice_services.appeal_decide(actor=request.user, appeal=appeal,
                                               outcome=text_value(data.get("outcome"), "outcome"),
                                               reason=_text(request, "reason"))
        return Response(AppealSerializer(appeal).data)


# The end of the life cycle: acceptance and termination (the agency managing the project)


class ProjectCompleteView(API):
    @extend_schema(request=CompleteSerializer, responses=ProjectSerializer)
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        selectors.ensure_manages(request.user, project)  # who may, before what was sent
        project = aftercare.project_complete(
            actor=request.user, project=project, note=_text(request, "note"),
            accepted_on=date_value(request.data.get("accepted_on"), "accepted_on"))
        return Response(ProjectSerializer(project).data)


class ProjectTerminateView(API):
    @extend_schema(request=ReasonSerializer, responses=ProjectSerializer)
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        project = aftercare.project_terminate(actor=request.user, project=project, reason=_text(request, "reason"))
        return Response(ProjectSerializer(project).data)


# Change notices (变更公告) and clarifications (答疑): public lists, the asker never named


class AmendmentListView(API):
    @extend_schema(responses=AmendmentSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        return paginated(request, self, selectors.amendments(project), AmendmentSerializer)

    @extend_schema(request=AmendmentCreateSerializer, responses={201: AmendmentSerializer})
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        selectors.ensure_manages(request.user, project)  # who may, before what was sent
        deadline = request.data.get("registration_deadline")
        substantive = request.data.get("substantive", False)
        if not isinstance(substantive, bool):
            raise ValidationError({"substantive": [_("须为 true 或 false。")]})
        amendment = project_services.project_amend(
            actor=request.user, project=project, text=_text(request, "text"), substantive=substantive,
            registration_deadline=aware_datetime(deadline, "registration_deadline") if deadline else None)
        return Response(AmendmentSerializer(amendment).data, status=status.HTTP_201_CREATED)


class QuestionListView(API):
    @extend_schema(responses=QuestionSerializer(many=True))
    def get(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        return paginated(request, self, selectors.questions_for(request.user, project), QuestionSerializer)

    @extend_schema(request=TextSerializer, responses={201: QuestionSerializer})
    def post(self, request: Request, code: str) -> Response:
        require(request.user, "project.register")
        project = selectors.project_for(request.user, code)
        question = project_services.question_ask(actor=request.user, project=project, text=_text(request, "text"))
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


class QuestionAnswerView(API):
    @extend_schema(request=TextSerializer, responses=QuestionSerializer)
    def post(self, request: Request, pk: int) -> Response:
        question = get_object_or_404(Question.objects.select_related("project"), pk=pk)
        selectors.ensure_manages(request.user, question.project)  # who may, before what was sent
        question = project_services.question_answer(actor=request.user, question=question,
                                                    text=_text(request, "text"))
        return Response(QuestionSerializer(question).data)


# The centre's notice texts (随机抽取企业须知 and the room rules): public, the current version of each, and every
# version of one; edited on the centre's page (trading.views.centre_notices)


class NoticeTextSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)  # null: the default, not yet stored

    class Meta:
        model = NoticeText
        fields = ["kind", "kind_display", "version", "text", "sha256", "published_at", "change_note"]
        read_only_fields = fields


class NoticeListView(API):
    @extend_schema(responses=NoticeTextSerializer(many=True),
                   description="The current version of each notice text (version 1, the default text, until the "
                               "centre publishes another; then `published_at` is set).")
    def get(self, request: Request) -> Response:
        return paginated(request, self, reference_selectors.current_notices(), NoticeTextSerializer)


class NoticeDetailView(API):
    @extend_schema(responses=inline_serializer("NoticeWithVersions", {
        "kind": serializers.CharField(), "kind_display": serializers.CharField(), "current": NoticeTextSerializer(),
        "versions": NoticeTextSerializer(many=True)}))
    def get(self, request: Request, notice: str) -> Response:
        kind = notice
        if kind not in NoticeKind.values:
            raise NotFound(_("须知类别：没有“%(k)s”，可用的有 %(v)s。") % {"k": kind[:40],
                                                                "v": ", ".join(NoticeKind.values)})
        versions = reference_selectors.notice_versions(kind)
        return Response({"kind": kind, "kind_display": str(NoticeKind(kind).label),
                         "current": NoticeTextSerializer(versions[0]).data,
                         "versions": NoticeTextSerializer(versions, many=True).data})


# Everyone's inbox: their own notifications, newest first; marking one read

class NotificationSerializer(serializers.ModelSerializer):
    project = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "project", "created_at", "read_at"]
        read_only_fields = fields


class NotificationListView(API):
    permission_classes = [IsAuthenticated]

    @extend_schema(responses=NotificationSerializer(many=True), parameters=[
        OpenApiParameter("unread", bool, description="only those not yet read")])
    def get(self, request: Request) -> Response:
        rows = selectors.inbox(request.user)
        if request.query_params.get("unread") in ("1", "true"):
            rows = rows.filter(read_at__isnull=True)
        return paginated(request, self, rows, NotificationSerializer)


class NotificationReadView(API):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=NotificationSerializer)
    def post(self, request: Request, pk: int) -> Response:
        row = notification_services.notification_read(
            actor=request.user, notification=selectors.notification_for(request.user, pk))
        return Response(NotificationSerializer(row).data)
