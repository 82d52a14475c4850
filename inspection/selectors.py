"""What the inspectors' workspace reads beyond the ledger itself: the timeline narrowed by organisation, the inbox of
referrals and complaints, projects under legal hold. The workspace stands above every domain app and reads them
directly; the ledger below it knows none of them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from audit.models import LedgerEntry
from audit.selectors import TimelineFilter, ledger_entries
from trading.models import Complaint, Organisation, Project, Referral, RoleGrant, User


@dataclass(frozen=True)
class InspectionFilter(TimelineFilter):
    """The timeline's filters, and `organisation` (an id or a USCC): its people's acts and changes to it."""

    organisation: str = ""

    def matching(self) -> QuerySet[LedgerEntry]:
        qs = ledger_entries(self)
        return qs.filter(_organisation_q(self.organisation)) if self.organisation else qs

    def narrowed(self) -> bool:
        return super().narrowed() or bool(self.organisation)


def _organisation_q(organisation: str) -> Q:
    lookup = Q(pk=int(organisation)) if organisation.isdigit() else Q(uscc=organisation.upper())
    org_id = Organisation.objects.filter(lookup).values_list("pk", flat=True).first()
    if org_id is None:
        return Q(pk__in=[])
    people = list(User.objects.filter(organisation_id=org_id).values_list("pk", flat=True))
    return Q(actor_id__in=people) | Q(object_type=Organisation._meta.label, object_id=str(org_id))


def inbox() -> dict[str, Any]:
    """Referrals to discipline inspection and complaints (open first), and projects under legal hold."""
    return {
        "referrals": Referral.objects.select_related("project", "referred_by").order_by("-created_at")[:200],
        "complaints": Complaint.objects.select_related("project", "complainant").order_by("state", "-created_at")[:200],
        "held": Project.objects.filter(legal_hold=True).order_by("code"),
    }


def project_by_code(code: str) -> Project | None:
    return Project.objects.filter(code=code).first()


def role_grants() -> dict[str, Any]:
    """Role changes that wait for an inspector (oldest first), and the sensitive ones already decided."""
    grants = RoleGrant.objects.select_related("user", "requested_by", "decided_by")
    return {
        "pending": grants.filter(state=RoleGrant.State.PENDING).order_by("requested_at", "pk"),
        "decided": grants.filter(sensitive=True).exclude(state=RoleGrant.State.PENDING)[:200],
    }


def role_grant(pk: int) -> RoleGrant | None:
    return RoleGrant.objects.select_related("user").filter(pk=pk).first()
