from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.core.validators import RegexValidator
from rest_framework import serializers

from core.money import AMOUNT_PATTERN
from trading.models import (
    Amendment,
    Appeal,
    Attachment,
    Attendance,
    BadBehaviourRecord,
    Certificate,
    Complaint,
    Contract,
    FollowUp,
    Milestone,
    Organisation,
    Project,
    ProjectManager,
    Question,
    Referral,
    Registration,
    Room,
    Session,
)
from trading.selectors import complainant_label


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
                  "draw_protocol", "draw_sources",
                  "publicity_until", "legal_hold", "agency", "announcement", "notice", "accepted_on",
                  "acceptance_note", "termination_reason"]
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
    tenderer = serializers.CharField(required=False, allow_blank=True, max_length=18,
                                     help_text="the 招标人's unified social credit code (a registered tenderer)")
    draw_protocol = serializers.ChoiceField(choices=["fps-draw-v1", "rfc3797"], required=False, allow_blank=True)
    draw_sources = serializers.ListField(child=serializers.CharField(max_length=200), required=False, max_length=16,
                                         help_text="rfc3797: the public numeric sources, in announced order")


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
    """An objection (kind `objection`) or complaint (`complaint`); `complainant` as the viewer may see it
    (trading.selectors.complainant_label: a potential bidder is not named to the agency before the deadline)."""

    project = serializers.CharField(source="project.code", read_only=True)
    complainant = serializers.SerializerMethodField()
    kind = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = ["id", "project", "kind", "matter", "objection", "complainant", "text", "state", "outcome",
                  "answer", "answer_due", "answered_at", "accept_due", "accepted_at", "decide_due", "decided_at",
                  "decision", "withdrawn_at", "created_at"]
        read_only_fields = fields

    def get_complainant(self, complaint: Complaint) -> str:
        request = self.context.get("request")
        return complainant_label(complaint, request.user if request else AnonymousUser())

    def get_kind(self, complaint: Complaint) -> str:
        return complaint.kind or Complaint.Kind.OBJECTION


class TextSerializer(serializers.Serializer):
    text = serializers.CharField()


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()


class ObjectionAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField()
    outcome = serializers.ChoiceField(choices=["upheld", "rejected"])


class ObjectionSerializer(serializers.Serializer):
    text = serializers.CharField()
    matter = serializers.ChoiceField(choices=["documents", "onsite", "result", "process"], required=False)


class ComplaintAcceptSerializer(serializers.Serializer):
    accept = serializers.BooleanField()
    reason = serializers.CharField(required=False)


class ComplaintDecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["upheld", "rejected"])
    decision = serializers.CharField()


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


# Reference data of the centre


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "kind", "name", "uscc", "is_active"]
        read_only_fields = fields


class UserCreatedSerializer(serializers.Serializer):
    """A new account and its role grant: `role` is what the account holds now (`none` while a grant waits)."""

    def to_representation(self, instance: dict) -> dict:
        user, grant = instance["user"], instance["grant"]
        return {"id": user.pk, "username": user.username, "role": user.role,
                "organisation": user.organisation_id, "password_usable": user.has_usable_password(),
                "role_grant": None if grant is None else {
                    "id": grant.pk, "role": grant.role, "state": grant.state, "sensitive": grant.sensitive}}


class CertificateSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    kind = serializers.SerializerMethodField()
    category = serializers.CharField(source="kind", read_only=True)
    grade = serializers.CharField(source="get_grade_display", read_only=True)

    class Meta:
        model = Certificate
        fields = ["id", "organisation", "kind", "category", "number", "grade", "valid_until"]
        read_only_fields = fields

    def get_kind(self, obj: Certificate) -> str:
        return "safety_licence" if obj.kind == Certificate.Kind.SAFETY else "qualification"


class ManagerSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    certificate = serializers.CharField(source="certificate_number", read_only=True)

    class Meta:
        model = ProjectManager
        fields = ["id", "organisation", "name", "certificate", "grade"]
        read_only_fields = fields


class BadBehaviourSerializer(serializers.ModelSerializer):
    organisation = serializers.IntegerField(source="enterprise_id", read_only=True)
    project = serializers.CharField(source="project.code", read_only=True, default=None)
    suspension = serializers.SerializerMethodField()

    class Meta:
        model = BadBehaviourRecord
        fields = ["id", "organisation", "project", "reason", "recorded_at", "suspension"]
        read_only_fields = fields

    def get_suspension(self, obj: BadBehaviourRecord) -> dict | None:
        suspension = obj.suspension_set.order_by("-pk").first()
        return None if suspension is None else {
            "id": suspension.pk, "starts_at": serializers.DateTimeField().to_representation(suspension.starts_at),
            "ends_at": serializers.DateTimeField().to_representation(suspension.ends_at)}
# The end of the life cycle; change notices and clarifications


class CompleteSerializer(serializers.Serializer):
    accepted_on = serializers.DateField(help_text="竣工验收日期, YYYY-MM-DD: not in the future, not before signing")
    note = serializers.CharField(help_text="验收意见")


class AmendmentCreateSerializer(serializers.Serializer):
    text = serializers.CharField()
    registration_deadline = serializers.CharField(required=False, help_text="ISO 8601 with an offset")
    substantive = serializers.BooleanField(required=False, default=False)


class AmendmentSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Amendment
        fields = ["id", "project", "number", "text", "substantive", "deadline_before", "deadline_after",
                  "published_at"]
        read_only_fields = fields


class QuestionSerializer(serializers.ModelSerializer):
    """A question as everybody sees it: never who asked."""

    project = serializers.CharField(source="project.code", read_only=True)

    class Meta:
        model = Question
        fields = ["id", "project", "text", "asked_at", "answer", "answered_at"]
        read_only_fields = fields


class AppealSerializer(serializers.ModelSerializer):
    """申诉 of a bad-behaviour record and its decision."""

    organisation = serializers.IntegerField(source="enterprise_id", read_only=True)

    class Meta:
        model = Appeal
        fields = ["id", "record", "organisation", "reason", "state", "filed_at", "decided_at", "decision_reason"]
        read_only_fields = fields


class AppealDecideSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=["upheld", "rejected"])
    reason = serializers.CharField()
