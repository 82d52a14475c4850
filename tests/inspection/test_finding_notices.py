"""New risk findings reach every inspector once (the hourly task); a finding that grows is not news."""

import pytest

from audit import ledger
from core.roles import Role
from inspection.tasks import notify_new_findings
from tests import factories
from trading.models import Notification

pytestmark = pytest.mark.django_db


def _failed_login(name: str) -> None:
    ledger.record_event("login_failed", data={"username": name})


def test_a_new_finding_is_told_to_every_inspector_once(django_capture_on_commit_callbacks):
    inspectors = [factories.user(Role.INSPECTOR), factories.user(Role.INSPECTOR)]
    for _ in range(3):
        _failed_login("guessed")
    with django_capture_on_commit_callbacks(execute=True):
        notify_new_findings()
    _failed_login("guessed")  # the same finding, one more entry
    with django_capture_on_commit_callbacks(execute=True):
        notify_new_findings()

    told = Notification.objects.filter(kind="finding", body__contains="guessed")
    assert sorted(n.recipient_id for n in told) == sorted(i.pk for i in inspectors)
    assert not Notification.objects.exclude(recipient__role=Role.INSPECTOR).exists()
