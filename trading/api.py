"""The trading rows of the API. Views parse, check, call a service or selector, answer."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import API, paginated
from core.parsing import aware_datetime, date_value, int_value
from core.roles import require
from trading import selectors
from trading.models import Complaint, Contract, Room, Session, User
from trading.serializers import (
    AnswerSerializer,
    AttachmentSerializer,
    AttendanceSerializer,
    ComplaintSerializer,
    ContractSerializer,
    FollowUpSerializer,
    MilestoneSerializer,
    ProjectCreateSerializer,
    ProjectSerializer,
    ReasonSerializer,
    ReferralSerializer,
    RegistrationCreateSerializer,
    RegistrationSerializer,
    RoomSerializer,
    SessionCreateSerializer,
    SessionSerializer,
    TextSerializer,
)
from trading.services import aftercare, attachments
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
        data = dict(request.data.items()) if hasattr(request.data, "items") else {}
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
            actor=request.user, project=project, data=dict(request.data.items()))
        return Response(RegistrationSerializer(registration).data, status=status.HTTP_201_CREATED)


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
        data = request.data
        room = Room.objects.filter(pk=int_value(data.get("room"), "room")).first()
        if room is None:
            raise ValidationError({"room": [_("没有编号为 %(v)s 的场地。") % {"v": data.get("room")}]})
        session = session_services.session_book(
            actor=request.user, project=project, room=room, kind=str(data.get("kind", "")),
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
        attendance = session_services.attendance_sign(actor=request.user, session=session,
                                                      badge=str(request.data.get("badge", "")))
        return Response(AttendanceSerializer(attendance).data, status=status.HTTP_201_CREATED)


# After the draw: award, contract, complaints and legal hold, follow-up, referrals


def _text(request: Request, field: str) -> str:
    value = request.data.get(field, "") if hasattr(request.data, "get") else ""
    if not isinstance(value, str):
        raise ValidationError({field: [_("须为文本。")]})
    return value


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
        return paginated(request, self, selectors.complaints_for(request.user, project), ComplaintSerializer)

    @extend_schema(request=TextSerializer, responses={201: ComplaintSerializer})
    def post(self, request: Request, code: str) -> Response:
        project = selectors.project_for(request.user, code)
        try:
            complaint = aftercare.complaint_open(actor=request.user, project=project, text=_text(request, "text"))
        except aftercare.TooManyComplaints as exc:
            raise TooManyComplaintsError(exc.detail, exc.retry_after) from None
        return Response(ComplaintSerializer(complaint).data, status=status.HTTP_201_CREATED)


class ComplaintAnswerView(API):
    @extend_schema(request=AnswerSerializer, responses=ComplaintSerializer)
    def post(self, request: Request, pk: int) -> Response:
        complaint = get_object_or_404(Complaint, pk=pk)
        complaint = aftercare.complaint_resolve(actor=request.user, complaint=complaint,
                                                answer=_text(request, "answer"))
        return Response(ComplaintSerializer(complaint).data)


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
        officer = User.objects.filter(pk=int_value(request.data.get("officer"), "officer"), is_active=True).first()
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
        data = request.data
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
