"""Personal signing keys in the API: register one's own, list one's own; the administrator approves or revokes."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import API, paginated, request_data
from core.parsing import text_value
from core.roles import require
from trading.models import SigningKey
from trading.services import signing_keys


class SigningKeySerializer(serializers.ModelSerializer):
    state = serializers.CharField(read_only=True)
    user = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = SigningKey
        fields = ["id", "user", "suite", "label", "public_key", "fingerprint", "state", "registered_at",
                  "approved_at", "revoked_at", "revocation_reason"]


KEY_BODY = {"application/json": {"type": "object", "required": ["public_key"], "properties": {
    "public_key": {"type": "string", "description": "base64 of the P-256 public key's SubjectPublicKeyInfo"},
    "label": {"type": "string"}, "suite": {"type": "string", "enum": SigningKey.Suite.values}}}}


class SigningKeysView(API):
    """GET: the caller's own keys. POST: register a public key (pending until an administrator approves it)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=SigningKeySerializer(many=True))
    def get(self, request: Request) -> Response:
        return paginated(request, self, SigningKey.objects.filter(user=request.user).select_related("user"),
                         SigningKeySerializer)

    @extend_schema(request=KEY_BODY, responses={201: SigningKeySerializer})
    def post(self, request: Request) -> Response:
        require(request.user, "signing_key.hold")
        data = request_data(request)
        key = signing_keys.signing_key_register(
            actor=request.user, public_key=text_value(data.get("public_key"), "public_key", required=True),
            label=text_value(data.get("label"), "label"),
            suite=text_value(data.get("suite"), "suite") or SigningKey.Suite.ECDSA_P256)
        return Response(SigningKeySerializer(key).data, status=status.HTTP_201_CREATED)


class SigningKeyApproveView(API):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses=SigningKeySerializer)
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "signing_key.bind")
        key = signing_keys.signing_key_approve(actor=request.user, key=get_object_or_404(SigningKey, pk=pk))
        return Response(SigningKeySerializer(key).data)


class SigningKeyRevokeView(API):
    permission_classes = [IsAuthenticated]

    @extend_schema(request={"application/json": {"type": "object", "required": ["reason"],
                                                 "properties": {"reason": {"type": "string"}}}},
                   responses=SigningKeySerializer)
    def post(self, request: Request, pk: int) -> Response:
        require(request.user, "signing_key.bind")
        key = get_object_or_404(SigningKey, pk=pk)
        reason = text_value(request_data(request).get("reason"), "reason", required=True)
        return Response(SigningKeySerializer(
            signing_keys.signing_key_revoke(actor=request.user, key=key, reason=reason)).data)
