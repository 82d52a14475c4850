from __future__ import annotations

from django.core.validators import RegexValidator
from rest_framework import serializers

from core.money import AMOUNT_PATTERN
from trading.models import (
    Attachment,
    Attendance,
    Certificate,
    Complaint,
    Contract,
    FollowUp,
    Milestone,
    Project,
    Referral,
    Registration,
    Room,
    Session,
)


class ProjectSerializer(serializers.ModelSerializer):
    agency = serializers.CharField(source="agency.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    # "" is no requirement; the schema says so (a read-only model field would list the kinds only)
    qualification_kind = serializers.ChoiceField(choices=Certificate.Kind.choices, allow_blank=True, read_only=True)

    class Meta:
        model = Project
        fields = ["code", "round", "type", "title", "status", "status_display", "budget", "fixed_price",
                  "ceiling_price", "registration_deadline", "published_at", "commitment", "candidates_digest",
                  "candidates_frozen_at", "qualification_kind", "qualification_grade", "external_input_source",
                  "publicity_until", "legal_hold", "agency", "announcement", "notice"]
        read_only_fields = fields


def _amount(**kwargs) -> serializers.CharField:
    return serializers.CharField(validators=[RegexValidator(AMOUNT_PATTERN)], **kwargs,
                                 help_text="CNY yuan, ASCII digits, up to 2 decimals, e.g. \"1850000.00\"")


class ProjectCreateSerializer(serializers.Serializer):
    """Documents the create payload; the rules themselves live in trading.rules."""

    type = serializers.ChoiceField(choices=["procurement", "land_auction", "asset_transfer", "fixed_price"])
    title = serializers.CharField(max_length=200)
    budget = _amount()
    fixed_price = _amount(required=False, allow_null=True)
    ceiling_price = _amount(required=False, allow_null=True)
    registration_deadline = serializers.DateTimeField(help_text="ISO 8601 with an offset")
    qualification_kind = serializers.ChoiceField(choices=Certificate.Kind.values, required=False, allow_blank=True)
    qualification_grade = serializers.ChoiceField(choices=Certificate.Grade.values, required=False)
    announcement = serializers.CharField(required=False, allow_blank=True)
    notice = serializers.CharField(required=False, allow_blank=True)
    external_input_source = serializers.CharField(max_length=200, required=False, allow_blank=True)


class RegistrationSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    manager_name = serializers.CharField(source="manager.name", read_only=True)
    manager_certificate = serializers.CharField(source="manager.certificate_number", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Registration
        fields = ["id", "project", "round", "enterprise", "uscc", "manager_name", "manager_certificate",
                  "registered_at", "eligible", "exclusion_reasons", "review", "review_reason", "rank"]
        read_only_fields = fields


class RegistrationCreateSerializer(serializers.Serializer):
    manager_name = serializers.CharField()
    manager_certificate = serializers.CharField()
    acknowledge_notice = serializers.BooleanField()


class RoomSerializer(serializers.ModelSerializer):
    class Meta:
        model = Room
        fields = ["id", "kind", "name"]


class SessionSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    room_name = serializers.CharField(source="room.name", read_only=True)

    class Meta:
        model = Session
        fields = ["id", "project", "kind", "room", "room_name", "starts_at", "ends_at"]
        read_only_fields = fields


class SessionCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["opening", "evaluation", "draw", "auction"])
    room = serializers.IntegerField(min_value=1)
    starts_at = serializers.DateTimeField(help_text="ISO 8601 with an offset")
    ends_at = serializers.DateTimeField(help_text="ISO 8601 with an offset")


class AttendanceSerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(source="user.get_full_name", read_only=True)

    class Meta:
        model = Attendance
        fields = ["id", "session", "user", "name", "badge", "signed_at"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    enterprise = serializers.CharField(source="enterprise.name", read_only=True)
    uscc = serializers.CharField(source="enterprise.uscc", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "project", "enterprise", "uscc", "amount", "state", "offered_at", "sign_deadline",
                  "signed_at"]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Complaint
        fields = ["id", "project", "text", "state", "answer", "created_at"]
        read_only_fields = fields


class TextSerializer(serializers.Serializer):
    text = serializers.CharField()


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class MilestoneSerializer(serializers.ModelSerializer):
    overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Milestone
        fields = ["id", "title", "due", "done_on", "note", "overdue"]
        read_only_fields = ["id", "overdue"]


class FollowUpSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)
    officer = serializers.CharField(source="officer.username", read_only=True)

    class Meta:
        model = FollowUp
        fields = ["project", "officer"]
        read_only_fields = fields


class ReferralSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "project", "text", "created_at"]
        read_only_fields = fields


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "sha256", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment: Attachment) -> str:
        from django.urls import reverse

        return reverse("attachment-download", args=[attachment.project.code, attachment.pk])
