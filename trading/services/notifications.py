"""Telling people: the inbox and the mail. A service that causes an event calls `notify` once, inside its own
transaction; the rows are written by a task after it commits (a rolled-back change tells nobody), one per recipient
and event (`Notification.event` is unique per recipient, so a task delivered twice never tells anyone twice), and
each row's mail is sent by a task of its own, retried with backoff, its sending recorded on the row.

Registrants stay sealed until the registration deadline (招标投标法 art. 22): nobody but the enterprise itself is
told anything that names one before it, and what it is told is sealed in the ledger like the registration
(`names_registrant`, trading.selectors.sealed_ledger_entries)."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock, context, tasks
from core.errors import Conflict
from core.roles import Role
from trading.models import Notification, Organisation, Project, Registration, User

Kind = Notification.Kind


# --- who is told ---

def people_of(organisation: Organisation | int) -> list[User]:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    return list(User.objects.filter(organisation_id=org_id, is_active=True))


def registrants(project: Project) -> list[User]:
    """The people of every enterprise registered in the project's current round."""
    orgs = Registration.objects.filter(project=project, round=project.round).values("enterprise_id")
    return list(User.objects.filter(organisation_id__in=orgs, role=Role.ENTERPRISE, is_active=True))


def inspectors() -> list[User]:
    return list(User.objects.filter(role=Role.INSPECTOR, is_active=True))


# --- sending ---

def notify(*, kind: str, event: str, recipients: Iterable[User], title: str, body: str,
           project: Project | None = None, names_registrant: bool = False) -> None:
    """Inside the event's transaction: the recipients are fixed now, the rows and mails follow on commit."""
    ids = sorted({user.pk for user in recipients if user.is_active})
    if ids:
        tasks.enqueue(notifications_create, kind=str(kind), event=event, recipient_ids=ids, title=str(title)[:200],
                      body=str(body), project_id=project.pk if project else None, names_registrant=names_registrant)


@tasks.task(retries=5)
def notifications_create(*, kind: str, event: str, recipient_ids: list[int], title: str, body: str,
                         project_id: int | None, names_registrant: bool) -> list[int]:
    """The inbox rows (as the system account), then one mail task per row not yet mailed."""
    to_mail = []
    project = Project.objects.filter(pk=project_id).first() if project_id else None  # once, not per row's audit
    for user in User.objects.filter(pk__in=recipient_ids, is_active=True).order_by("pk"):
        with transaction.atomic(), context.acting(reason=_("发送通知")):
            row, _created = Notification.objects.get_or_create(event=event, recipient=user, defaults={
                "kind": kind, "title": title, "body": body, "project": project,
                "names_registrant": names_registrant, "created_at": clock.now()})
        if row.emailed_at is None and user.email:
            to_mail.append(row.pk)
    for pk in to_mail:
        tasks.enqueue(notification_email, pk)
    return to_mail


@tasks.task(retries=6, backoff_s=30)  # a mail server down for up to half an hour is waited for
def notification_email(notification_id: int) -> str:
    """Mail one notification, once. The row is locked while the message goes out, so a second delivery of this
    task waits and then finds it sent; only a process killed between the server's answer and the commit can send
    it again (the Message-ID is the same, so mail clients show it once)."""
    with transaction.atomic():
        row = (Notification.objects.select_for_update(of=("self",)).select_related("recipient", "project")
               .get(pk=notification_id))
        if row.emailed_at is not None or not row.recipient.email:
            return row.email_to
        link = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/notifications/"
        message = EmailMessage(
            subject=_("【公共资源交易平台】%(title)s") % {"title": row.title},
            body=f"{row.body}\n\n{_('在平台查看：')}{link}\n", to=[row.recipient.email],
            headers={"Message-ID": f"<notification-{row.pk}@{urlsplit(settings.PUBLIC_BASE_URL).hostname}>"})
        message.send()
        row.emailed_at, row.email_to = clock.now(), row.recipient.email
        with context.acting(reason=_("通知邮件已发送")):
            row.save()
    return row.email_to


def notification_read(*, actor: User, notification: Notification) -> Notification:
    if notification.recipient_id != actor.pk:
        raise Conflict(_("只能标记自己的通知。"))
    with transaction.atomic(), context.acting(actor, reason=_("阅读通知")):
        row = Notification.objects.select_for_update().get(pk=notification.pk)
        if row.read_at is None:
            row.read_at = clock.now()
            row.save()
    return row


def notifications_read_all(*, actor: User) -> int:
    unread = list(Notification.objects.filter(recipient=actor, read_at__isnull=True))
    for row in unread:
        notification_read(actor=actor, notification=row)
    return len(unread)
