"""API rows of the recordings: upload to a session (people or the room's recorder token), read
metadata, delete after retention, a playback link."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import TemporaryFileUploadHandler
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import (
    BaseAuthentication,
    SessionAuthentication,
    TokenAuthentication,
    get_authorization_header,
)
from rest_framework.exceptions import APIException, AuthenticationFailed
from rest_framework.request import Request
from rest_framework.response import Response

from core import context
from core.api import API, FormParser, MultiPartParser, paginated
from core.jobs import latest_job
from core.parsing import aware_datetime
from recordings import selectors, services
from recordings.models import RecorderToken, Recording


class RecorderTokenAuthentication(BaseAuthentication):
    """`Authorization: Recorder <token>`: the room's recorder acts as the system account, limited to uploads to
    sessions in its room (services.check_upload_allowed); the system account is inactive, so every other
    endpoint refuses it."""

    keyword = b"recorder"

    def authenticate(self, request: Request) -> tuple[Any, RecorderToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed(_("录像机令牌格式应为：Authorization: Recorder <令牌>。"))
        recorder = selectors.recorder_for_token(parts[1].decode("latin-1"))
        if recorder is None:
            raise AuthenticationFailed(_("录像机令牌无效或已吊销。"))
        return context.system_user(), recorder

    def authenticate_header(self, request: Request) -> str:
        return "Recorder"


class RecorderTokenScheme(OpenApiAuthenticationExtension):
    target_class = RecorderTokenAuthentication
    name = "recorderToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "Recorder <token> — a room recorder's token, for unattended upload"}


class UploadSpool(TemporaryFileUploadHandler):
    """Django's temporary-file handler (into FILE_UPLOAD_TEMP_DIR), made to remove its file on every way out of
    the request: when the transfer is cut off mid-body the parser raises before the file is handed over, and the
    file would otherwise wait for the garbage collector — or stay for good if the process dies first."""

    def discard(self) -> None:
        self.upload_interrupted()  # closes and removes the file, if any; a file already gone is fine


class StorageUnavailableError(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "storage_unavailable"


class RecordingSerializer(serializers.ModelSerializer):
    duration = serializers.FloatField(source="duration_s", allow_null=True)
    legal_hold = serializers.BooleanField(read_only=True)
    project = serializers.CharField(source="session.project.code", read_only=True)
    job = serializers.SerializerMethodField(help_text="the analysis job: id, state, progress (GET /api/jobs/{id})")

    class Meta:
        model = Recording
        fields = ["id", "session", "project", "status", "derivation", "job", "sha256", "size", "duration", "fps", "frames", "width",
                  "height", "retention_until", "legal_hold", "flags", "original_name", "created_at", "stored_at",
                  "purged_at", "version_id"]
        read_only_fields = fields

    def get_job(self, recording: Recording) -> dict[str, Any] | None:
        job = latest_job(f"recording:{recording.pk}", "recording_analysis")
        return None if job is None else {"id": job.pk, "state": job.state, "progress": job.progress}


UPLOAD_SCHEMA = {"multipart/form-data": {"type": "object", "required": ["file"], "properties": {
    "file": {"type": "string", "format": "binary", "description": "the video file"},
    "recorded_start": {"type": "string", "format": "date-time",
                       "description": "when the recording began (default: the session's scheduled start)"}}}}


class SessionRecordingsView(API):
    authentication_classes = [RecorderTokenAuthentication, SessionAuthentication, TokenAuthentication]
    parser_classes = [MultiPartParser, FormParser]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # before anything reads the body (the CSRF check does): uploads go to a temporary file in parts, never
        # whole into memory, and an oversized body is refused from its declared length
        if request.method == "POST":
            request._request.upload_handlers = [UploadSpool(request._request)]
            services.check_declared_size(request.META.get("CONTENT_LENGTH"))
        super().initial(request, *args, **kwargs)

    def dispatch(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:  # the upload has been stored (or refused): its spool goes now, whatever happened
            for handler in request.__dict__.get("_upload_handlers", []):
                if isinstance(handler, UploadSpool):
                    handler.discard()

    @extend_schema(responses=RecordingSerializer(many=True))
    def get(self, request: Request, pk: int) -> Response:
        recordings = selectors.session_recordings(request.user, selectors.session_for(pk))
        return paginated(request, self, recordings, RecordingSerializer)

    @extend_schema(request=UPLOAD_SCHEMA, responses={201: RecordingSerializer}, parameters=[
        OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER,
                         description="a retried upload with the same key answers with the first result")])
    def post(self, request: Request, pk: int) -> Response:
        session = selectors.session_for(pk)
        recorder = request.auth if isinstance(request.auth, RecorderToken) else None
        services.check_upload_allowed(actor=request.user, session=session, recorder=recorder)
        started = request.data.get("recorded_start")
        try:
            result = services.recording_upload(
                actor=request.user, session=session, upload=request.FILES.get("file"), recorder=recorder,
                idempotency_key=request.headers.get("Idempotency-Key", ""),
                recorded_start=aware_datetime(started, "recorded_start") if started else None)
        except services.StorageUnavailable as error:
            raise StorageUnavailableError(str(error)) from error
        response = Response(RecordingSerializer(result.recording).data, status=status.HTTP_201_CREATED)
        if not result.created:
            response["Idempotent-Replayed"] = "true"
        return response


class RecordingView(API):
    @extend_schema(responses=RecordingSerializer)
    def get(self, request: Request, pk: int) -> Response:
        return Response(RecordingSerializer(selectors.recording_for(request.user, pk)).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, pk: int) -> Response:
        services.recording_delete(actor=request.user, recording=selectors.recording_for(request.user, pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PlaybackSerializer(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()


class PlaybackView(API):
    @extend_schema(request=None, responses={201: PlaybackSerializer})
    def post(self, request: Request, pk: int) -> Response:
        link = services.playback_link(actor=request.user, recording=selectors.recording_for(request.user, pk))
        return Response(PlaybackSerializer(link).data, status=status.HTTP_201_CREATED)
