"""Announcement attachments: checked by their bytes, not their names (a renamed executable is refused), limited
in size, stored write-once in the object store under attachments/. The object goes first, outside any database
transaction; the row follows, and if the row cannot be written the object is removed, so neither an orphan object
nor a row without its file is left."""

from __future__ import annotations

import logging
import os
import uuid
from typing import BinaryIO

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import clock, context
from core.errors import Conflict
from core.storage import get_store
from trading.models import Attachment, Project, User
from trading.models.projects import Status
from trading.selectors import ensure_manages

log = logging.getLogger(__name__)

# extension → the MIME type the bytes must show (Office files are ZIP containers told apart by their parts)
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
}
NAME_MAX = 200


def detected_type(head: bytes) -> str:
    kind = filetype.guess(head)
    return kind.mime if kind else ""


def check_attachment(name: str, head: bytes, size: int) -> str:
    """The MIME type of an acceptable file, or a ValidationError on `file` saying what is wrong."""
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX or any(c in name for c in "/\\\x00"):
        raise ValidationError({"file": [_("文件名须为1至%(n)d个字符，不得含路径。") % {"n": NAME_MAX}]})
    if size == 0:
        raise ValidationError({"file": [_("文件是空的。")]})
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError({"file": [_("文件 %(size)d 字节，超过上限 %(max)d 字节。")
                                        % {"size": size, "max": settings.ATTACHMENT_MAX_BYTES}]})
    extension = os.path.splitext(name)[1].lower().lstrip(".")
    if extension not in ALLOWED:
        raise ValidationError({"file": [_("只接受 %(ext)s 文件。") % {"ext": "、".join(sorted(set(ALLOWED)))}]})
    actual = detected_type(head)
    if actual != ALLOWED[extension]:
        raise ValidationError({"file": [_("“%(name)s”的内容不是 .%(ext)s 文件（实际内容：%(actual)s）。")
                                        % {"name": name, "ext": extension, "actual": actual or _("无法识别")}]})
    return actual


def attachment_add(*, actor: User, project: Project, name: str, stream: BinaryIO, size: int) -> Attachment:
    ensure_manages(actor, project)
    if project.status not in (Status.DRAFT, Status.PUBLISHED):
        raise Conflict(_("报名截止后不能再增加公告附件。"))
    head = stream.read(8192)
    content_type = check_attachment(name, head, size)
    stream.seek(0)  # the store hashes the bytes as it writes them: one pass over the file
    key = f"attachments/{project.code}/{uuid.uuid4().hex}.{name.rsplit('.', 1)[1].lower()}"
    stored = get_store().put(key, stream, size=size, content_type=content_type, metadata={"project": project.code},
                             retention_until=None)
    try:
        with transaction.atomic(), context.acting(actor, reason=_("上传公告附件")):
            return Attachment.objects.create(project=project, name=name.strip(), content_type=content_type,
                                             size=stored.size, sha256=stored.sha256, key=stored.key,
                                             version_id=stored.version_id)
    except Exception:
        get_store().delete(stored.key, stored.version_id, now=clock.now())
        raise


def attachment_open(attachment: Attachment) -> BinaryIO:
    return get_store().open(attachment.key, attachment.version_id or None)
