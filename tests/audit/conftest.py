"""The world the route matrix and the secret walk share."""

import datetime as dt

import pytest
from django.utils import timezone

from audit import checkpoints
from audit.models import LedgerEntry
from core import clock, context
from core.roles import Role
from tests import factories
from trading.models import Session
from trading.services import aftercare


@pytest.fixture
def world(settings):
    settings.REGISTRATION_MIN_DAYS = 0
    settings.AXES_ENABLED = False
    agency = factories.agency_user()
    with clock.travel(-dt.timedelta(days=3)):
        project = factories.fixed_price_project(agency=agency, deadline=clock.now() + dt.timedelta(days=1))
    now = timezone.now()
    with context.acting(agency):
        session = Session.objects.create(project=project, room=factories.room("draw"), kind="draw", starts_at=now,
                                         ends_at=now + dt.timedelta(hours=2), booked_by=agency)
    complainant = factories.tenderer_user(project)  # a party: only parties may complain
    complaint = aftercare.complaint_open(actor=complainant, project=project, text="质疑")
    users = {
        Role.AGENCY: agency, Role.SUPERVISOR: factories.user(Role.SUPERVISOR),
        Role.INSPECTOR: factories.user(Role.INSPECTOR), Role.ENTERPRISE: factories.user(Role.ENTERPRISE),
        Role.EXPERT: factories.user(Role.EXPERT), Role.ADMIN: factories.user(Role.ADMIN),
    }
    values = {"code": project.code, "seq": 1, "fmt": "csv", "kind": "announcement", "notice": "experts", "version": 1, "key": "x/y",
              "uidb64": "MQ", "token": "not-a-token"}
    ids = {"api-attendance": session.pk, "api-session-recordings": session.pk, "session-recordings": session.pk,
           "recording-upload": session.pk, "session-attendance": session.pk, "api-complaint-answer": complaint.pk,
           "api-complaint-escalate": complaint.pk, "api-complaint-withdraw": complaint.pk,
           "api-complaint-accept": complaint.pk, "api-complaint-decide": complaint.pk,
           "complaint-escalate": complaint.pk, "complaint-withdraw": complaint.pk}
    enterprise = factories.organisation(name="参照企业")  # the centre's reference data about an enterprise
    ids.update({"api-room-sessions": session.room_id, "api-certificates": enterprise.pk,
                "api-managers": enterprise.pk, "api-bad-behaviour": enterprise.pk,
                "centre-organisation": enterprise.pk})
    checkpoints.publish("test")  # the log's public checkpoint exists
    values["seq"] = LedgerEntry.objects.order_by("seq").values_list("seq", flat=True).first()
    return {"users": users, "values": values, "ids": ids}
