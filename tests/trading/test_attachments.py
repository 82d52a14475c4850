"""Announcement attachments are checked by their bytes, limited in size, stored write-once, and never leave an
orphan object or a row without its file."""

import hashlib
import io
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from reportlab.pdfgen import canvas

from audit.models import LedgerEntry
from tests import factories
from trading.models import Attachment

pytestmark = pytest.mark.django_db


def real_pdf() -> bytes:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "Tender documents")
    page.save()
    return buffer.getvalue()


def real_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as docx:
        docx.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        docx.writestr("word/document.xml", '<?xml version="1.0"?><document/>')
    return buffer.getvalue()


def stored_objects(settings) -> list[Path]:
    root = Path(settings.OBJECT_STORE_DIR)
    return [p for p in root.rglob("*") if p.is_file() and "attachments" in p.parts] if root.exists() else []


def _upload(api, project, name: str, content: bytes):
    api.force_login(project.created_by)
    return api.post(f"/api/projects/{project.code}/attachments",
                    {"file": SimpleUploadedFile(name, content)}, format="multipart")


@pytest.mark.parametrize("name,content", [("招标文件.pdf", real_pdf()), ("工程量清单.docx", real_docx())])
def test_a_real_document_is_stored_and_downloads_byte_for_byte(api, settings, name, content):
    project = factories.fixed_price_project()

    answer = _upload(api, project, name, content)

    assert answer.status_code == 201, answer.json()
    assert answer.json()["sha256"] == hashlib.sha256(content).hexdigest()
    api.logout()
    download = api.get(answer.json()["url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert name in download["Content-Disposition"] or "filename*" in download["Content-Disposition"]
    entry = LedgerEntry.objects.get(object_type="trading.Attachment")
    assert entry.actor == project.created_by.username and entry.reason == "上传公告附件"


def test_an_executable_renamed_to_pdf_is_refused_and_nothing_is_stored(api, settings):
    project = factories.fixed_price_project()

    answer = _upload(api, project, "招标文件.pdf", b"MZ\x90\x00" + b"\x00" * 200)

    assert answer.status_code == 400
    assert "不是 .pdf 文件" in answer.json()["errors"]["file"][0]
    assert not Attachment.objects.exists() and stored_objects(settings) == []


@pytest.mark.parametrize("name,content,message", [
    ("空.pdf", b"", "空的"),
    ("clearance.exe", b"MZ" + b"\x00" * 100, "只接受"),
    ("no-extension", real_pdf(), "只接受"),
    ("图.png", real_pdf(), "不是 .png 文件"),
])
def test_bad_attachments_get_an_error_on_the_file_field(api, settings, name, content, message):
    project = factories.fixed_price_project()

    answer = _upload(api, project, name, content)

    assert answer.status_code == 400 and message in answer.json()["errors"]["file"][0]
    assert not Attachment.objects.exists() and stored_objects(settings) == []


def test_an_attachment_over_the_limit_is_refused(api, settings):
    settings.ATTACHMENT_MAX_BYTES = 1000
    project = factories.fixed_price_project()

    answer = _upload(api, project, "大文件.pdf", real_pdf() + b"%" * 2000)

    assert answer.status_code == 400 and "超过上限 1000 字节" in answer.json()["errors"]["file"][0]
    assert not Attachment.objects.exists()


def test_a_missing_file_field_is_named(api):
    project = factories.fixed_price_project()
    api.force_login(project.created_by)

    answer = api.post(f"/api/projects/{project.code}/attachments", {}, format="multipart")

    assert answer.status_code == 400 and "file" in answer.json()["errors"]


def test_only_the_owning_agency_uploads(api, settings):
    project = factories.fixed_price_project()
    api.force_login(factories.agency_user())

    answer = api.post(f"/api/projects/{project.code}/attachments",
                      {"file": SimpleUploadedFile("a.pdf", real_pdf())}, format="multipart")

    assert answer.status_code == 403 and stored_objects(settings) == []


def test_when_the_row_cannot_be_written_the_object_is_removed(api, settings, monkeypatch):
    project = factories.fixed_price_project()

    def fail(**kwargs):
        raise RuntimeError("database went away")  # a fault we cannot cause for real mid-request

    monkeypatch.setattr(Attachment.objects, "create", fail)
    api.raise_request_exception = False
    answer = _upload(api, project, "招标文件.pdf", real_pdf())

    assert answer.status_code == 500
    assert stored_objects(settings) == []
