"""Notifications: written by a task after the event's transaction commits, one per event and person, mailed once,
in everyone's inbox (page, API, the nav's unread count), and never a word that names a registrant before the
registration deadline to anyone but the registrant."""

from __future__ import annotations

import datetime as dt
import socket
from email.header import decode_header, make_header

import pytest
from django.db import transaction

from audit import sealing
from audit.models import LedgerEntry
from core import clock
from core.models import TaskFailure
from core.roles import Role
from tests import factories
from tests.conftest import login
from trading.models import Notification
from trading.services import notifications
from trading.services.projects import project_amend, question_answer, question_ask

pytestmark = pytest.mark.django_db


def _enterprise(email: str = "bid@example.cn"):
    org, person = factories.enterprise_with_licences()
    person.email = email
    person.save()
    return person


def _register(project, person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return factories.register(project, person)


def test_a_registration_receipt_goes_to_the_enterprise_alone_inbox_and_mail_once(
        django_capture_on_commit_callbacks, mailoutbox):
    project, person = factories.fixed_price_project(), _enterprise()
    _register(project, person, django_capture_on_commit_callbacks)

    [receipt] = Notification.objects.all()
    assert (receipt.recipient, receipt.kind, receipt.project) == (person, "registration_receipt", project)
    assert receipt.names_registrant and receipt.emailed_at is not None and receipt.email_to == "bid@example.cn"
    [mail] = mailoutbox
    assert project.code in mail.subject and mail.to == ["bid@example.cn"] and project.title in mail.body
    created = LedgerEntry.objects.get(object_type="trading.Notification", action="create")
    assert created.actor == "system"


def test_a_task_delivered_twice_tells_nobody_twice(django_capture_on_commit_callbacks, mailoutbox):
    project, person = factories.fixed_price_project(), _enterprise()
    _register(project, person, django_capture_on_commit_callbacks)
    receipt = Notification.objects.get()
    again = {"kind": receipt.kind, "event": receipt.event, "recipient_ids": [person.pk], "title": receipt.title,
             "body": receipt.body, "project_id": project.pk, "names_registrant": True}

    assert notifications.notifications_create(**again) == []
    notifications.notification_email(receipt.pk)

    assert Notification.objects.count() == 1 and len(mailoutbox) == 1


def test_a_rolled_back_event_tells_nobody(django_capture_on_commit_callbacks):
    person = _enterprise()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):  # noqa: PT012
        with transaction.atomic():
            notifications.notify(kind="result", event="x:1", recipients=[person], title="t", body="b")
            raise RuntimeError("the event's transaction fails")
    assert not Notification.objects.exists()


def test_what_names_a_registrant_is_sealed_in_the_ledger_until_the_deadline(
        django_capture_on_commit_callbacks, moved_clock):
    project, person = factories.fixed_price_project(), _enterprise()
    _register(project, person, django_capture_on_commit_callbacks)
    entries = list(LedgerEntry.objects.filter(object_type="trading.Notification").values_list("seq", flat=True))

    assert entries and all(seq in sealing.current() for seq in entries)
    moved_clock.move_past(project.registration_deadline)
    assert not any(seq in sealing.current() for seq in entries)


def test_change_notices_and_answers_reach_the_registered_enterprises_sealed_and_nobody_else(
        django_capture_on_commit_callbacks):
    project = factories.fixed_price_project()
    first, second, outsider = _enterprise("a@example.cn"), _enterprise("b@example.cn"), _enterprise("c@example.cn")
    _register(project, first, django_capture_on_commit_callbacks)
    _register(project, second, django_capture_on_commit_callbacks)
    question = question_ask(actor=outsider, project=project, text="工期能否顺延？")
    with django_capture_on_commit_callbacks(execute=True):
        project_amend(actor=project.created_by, project=project, text="补充场地勘察时间。")
        question_answer(actor=project.created_by, question=question, text="不能顺延。")

    told = Notification.objects.exclude(kind="registration_receipt")
    assert sorted(told.values_list("kind", "recipient__username")) == sorted(
        [(kind, p.username) for kind in ("amendment", "answer") for p in (first, second)])
    assert all(n.names_registrant for n in told)
    assert not Notification.objects.filter(recipient__role=Role.AGENCY).exists()


def test_a_complaint_tells_every_inspector_without_naming_the_complainant(django_capture_on_commit_callbacks):
    from trading.services.aftercare import complaint_open

    project, person = factories.fixed_price_project(), _enterprise()
    _register(project, person, django_capture_on_commit_callbacks)
    inspectors = [factories.user(Role.INSPECTOR), factories.user(Role.INSPECTOR)]
    with django_capture_on_commit_callbacks(execute=True):
        complaint_open(actor=person, project=project, text="资格审查不公。")

    told = Notification.objects.filter(kind="complaint")
    assert sorted(n.recipient_id for n in told) == sorted(i.pk for i in inspectors)
    assert all(person.username not in n.body and person.organisation.name not in n.body for n in told)


def test_the_inbox_lists_only_ones_own_and_marks_read(client, api, django_capture_on_commit_callbacks):
    project, person, other = factories.fixed_price_project(), _enterprise(), _enterprise("x@example.cn")
    _register(project, person, django_capture_on_commit_callbacks)
    receipt = Notification.objects.get()

    page = login(client, person).get("/notifications/")
    assert page.status_code == 200 and receipt.title in page.content.decode()
    assert 'aria-label="1 条未读"' in page.content.decode()
    api.force_login(other)
    assert api.get("/api/notifications").json() == {"items": [], "count": 0}
    assert api.post(f"/api/notifications/{receipt.pk}/read").status_code == 404
    api.force_login(person)
    [item] = api.get("/api/notifications?unread=1").json()["items"]
    assert (item["kind"], item["project"], item["read_at"]) == ("registration_receipt", project.code, None)
    assert api.post(f"/api/notifications/{receipt.pk}/read").json()["read_at"] is not None
    assert api.get("/api/notifications?unread=1").json()["count"] == 0
    assert LedgerEntry.objects.filter(object_type="trading.Notification", action="update",
                                      actor=person.username).exists()


def test_an_overdue_milestone_tells_its_officer_once(moved_clock, django_capture_on_commit_callbacks):
    from trading.services import deadlines

    project = _awarded_project(moved_clock)
    officer = project.created_by
    from trading.services.aftercare import followup_assign, milestone_record

    followup_assign(actor=officer, project=project, officer=officer)
    milestone_record(actor=officer, project=project, title="基础完工", due=clock.now().date() + dt.timedelta(days=1))
    moved_clock.travel(dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines.deadlines_run()
        deadlines.deadlines_run()

    [told] = Notification.objects.filter(kind="milestone_overdue")
    assert told.recipient == officer and "基础完工" in told.body


def _awarded_project(moved_clock):
    from trading.models import Project
    from trading.models.projects import Status

    project = factories.fixed_price_project()
    with factories_context(project):
        project.status = Status.IN_PROGRESS
        project.save()
    return Project.objects.get(pk=project.pk)


def factories_context(project):
    from core import context

    return context.acting(project.created_by, reason="test: a project under way")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mail_goes_through_a_real_smtp_server(settings, django_capture_on_commit_callbacks):
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Inbox(Message):
        def handle_message(self, message):
            received.append(message)

    port = _closed_port()
    server = Controller(Inbox(), hostname="127.0.0.1", port=port)
    server.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        project, person = factories.fixed_price_project(), _enterprise("real@example.cn")
        _register(project, person, django_capture_on_commit_callbacks)
    finally:
        server.stop()

    [message] = received
    subject = str(make_header(decode_header(message["Subject"])))
    assert message["To"] == "real@example.cn" and subject == f"【公共资源交易平台】报名回执：{project.code}"
    assert message["Message-ID"].strip() == f"<notification-{Notification.objects.get().pk}@127.0.0.1>"
    assert Notification.objects.get().emailed_at is not None


def test_a_mail_that_keeps_failing_is_kept_for_the_administrators(settings, django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _closed_port(), 2
    project, person = factories.fixed_price_project(), _enterprise()
    _register(project, person, django_capture_on_commit_callbacks)

    receipt = Notification.objects.get()
    assert receipt.emailed_at is None  # in the inbox all the same
    [failure] = TaskFailure.objects.all()
    assert failure.task == "trading.services.notifications:notification_email"
    assert failure.arguments == {"args": [receipt.pk], "kwargs": {}} and "Connection" in failure.error


@pytest.mark.parametrize(("kind", "word"), [("fixed_price", "中选"), ("procurement", "中标"), ("land_auction", "成交")])
def test_the_contract_offer_calls_the_winner_by_the_projects_own_word(kind, word, django_capture_on_commit_callbacks):
    """中选 in a fixed-price selection, 中标 in a tender, 成交 in an auction: in the notice and in the history."""
    from decimal import Decimal

    from trading.services.aftercare import contract_offer
    from trading.services.projects import project_create

    agency = factories.agency_user()
    project = project_create(actor=agency, data={
        "type": kind, "title": "称谓测试项目", "budget": Decimal("1800000.00"),
        "fixed_price": Decimal("1780000.00") if kind == "fixed_price" else None,
        "registration_deadline": clock.now() + dt.timedelta(days=30)})
    person = _enterprise()
    with django_capture_on_commit_callbacks(execute=True):
        contract_offer(actor=agency, project=project, enterprise=person.organisation, amount=Decimal("1700000.00"))

    [told] = Notification.objects.filter(kind="contract_offer")
    assert told.title.startswith(f"{word}通知") and f"的{word}单位" in told.body
    others = {"中选", "中标", "成交"} - {word}
    assert not any(other in told.title + told.body for other in others)
    created = LedgerEntry.objects.get(object_type="trading.Contract", action="create")
    assert created.reason == f"发出{word}通知，要约签订合同"
