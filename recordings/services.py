"""Writes of the recordings app: upload (analyse, row first, then the object, verify and finalise, then the derived
media), playback links, legal hold on the stored objects, deletion and purge after retention; what a stopped process
leaves is resolved by `recordings.reconciler`. Every function takes the acting user explicitly; storage I/O never
runs while a row lock is held, except in the purge (see there). Local files of a transfer live in
FILE_UPLOAD_TEMP_DIR, where the reconciler finds what a killed process left."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import logging
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import ledger
from core import clock, context, tasks
from core.errors import Conflict
from core.roles import require
from core.storage import ObjectExists, ObjectInfo, ObjectNotFound, ObjectStoreError, StoredObject, get_store
from core.timefmt import local_time
from recordings.analysis import Analysis, NotAVideo, probe
from recordings.models import RecorderToken, Recording
from recordings.transcode import transcode_for_browser
from trading.models import Project, Room, Session

logger = logging.getLogger(__name__)

PLAYBACK_LINK = dt.timedelta(minutes=15)
IMAGE_LINK = dt.timedelta(minutes=15)
VIDEO_TYPES = {".mp4": "video/mp4", ".mov": "video/quicktime", ".mkv": "video/x-matroska", ".avi": "video/x-msvideo",
               ".webm": "video/webm", ".ts": "video/mp2t", ".flv": "video/x-flv", ".m4v": "video/mp4"}


class StorageUnavailable(Exception):
    """The object store failed during an upload: nothing was finalised; the reconciler resolves the row."""


def retention_for(session: Session) -> dt.datetime:
    """Kept at least RECORDING_RETENTION_DAYS from the end of the session."""
    return session.ends_at + dt.timedelta(days=settings.RECORDING_RETENTION_DAYS)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def temp_dir() -> Path:
    """FILE_UPLOAD_TEMP_DIR: Django spools uploads here, and every local copy of a transfer (a small upload written
    out, a download of an original, a transcode) is made here too, so that what a killed process leaves behind is
    in one directory of ours, which the reconciler sweeps (never the system's /tmp, which is not ours to clear)."""
    path = Path(settings.FILE_UPLOAD_TEMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


# --- recorder tokens ---

def recorder_token_issue(*, actor: Any, room: Room, label: str = "") -> tuple[RecorderToken, str]:
    """A new token for a room's recorder; the plain token is returned once and never stored."""
    require(actor, "centre.admin")
    token = secrets.token_urlsafe(32)
    with transaction.atomic(), context.acting(actor, reason=_("签发录像机令牌")):
        issued = RecorderToken.objects.create(room=room, token_hash=token_digest(token), label=label.strip()[:100],
                                              created_by=actor, created_at=clock.now())
    return issued, token


def recorder_token_revoke(*, actor: Any, token: RecorderToken) -> RecorderToken:
    require(actor, "centre.admin")
    with transaction.atomic(), context.acting(actor, reason=_("吊销录像机令牌")):
        locked = RecorderToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = clock.now()
            locked.save()
    return locked


# --- upload ---

def check_upload_allowed(*, actor: Any, session: Session, recorder: RecorderToken | None) -> None:
    """Supervisors and administrators upload to any session; a recorder token only to sessions in its room."""
    if recorder is None:
        require(actor, "recording.upload")
        return
    if not recorder.is_active:
        raise PermissionDenied(_("录像机令牌已吊销。"))
    if recorder.room_id != session.room_id:
        raise PermissionDenied(_("该录像机令牌属于“%(room)s”，不能上传其他场地的场次录像。") % {"room": recorder.room})


def check_declared_size(content_length: Any) -> None:
    """Refuse an oversized body from its Content-Length, before a byte of it is read."""
    try:
        declared = int(content_length or 0)
    except ValueError:
        return
    if declared > settings.RECORDING_MAX_BYTES + 1024 * 1024:  # multipart framing
        raise ValidationError({"file": [_too_large(declared)]})


def _not_a_video(name: str, error: NotAVideo) -> str:
    """The refusal in the reader's language (the analysis core words it in English, for the log)."""
    why = {
        "empty": _("文件为空"),
        "unreadable": _("无法读取视频流（不是视频文件，或文件已损坏、不完整）"),
        "no_frames": _("没有可解码的画面"),
        "no_format": _("无法识别帧率或画面尺寸"),
    }.get(error.reason, _("无法解码"))
    return _("“%(name)s”不是可解码的视频：%(why)s。未保存任何内容，请上传现场录像的视频文件。") % {"name": name, "why": why}


def _too_large(size: int) -> str:
    return _("文件 %(size)s 字节，超过上限 %(limit)s 字节（RECORDING_MAX_BYTES）。") % {
        "size": size, "limit": settings.RECORDING_MAX_BYTES}


def _check_file(upload: UploadedFile | None) -> str:
    if upload is None:
        raise ValidationError({"file": [_("请以 multipart 字段 file 上传录像文件。")]})
    name = Path(str(upload.name or "")).name[:255]
    if upload.size == 0:
        raise ValidationError({"file": [_("文件“%(name)s”为空。") % {"name": name}]})
    if upload.size > settings.RECORDING_MAX_BYTES:
        raise ValidationError({"file": [_too_large(upload.size)]})
    return name


def _check_idempotency_key(key: str) -> str:
    key = (key or "").strip()
    if len(key) > 200 or not key.isprintable():
        raise ValidationError({"Idempotency-Key": [_("幂等键须为不超过 200 个可打印字符。")]})
    return key


def uploader_of(actor: Any, recorder: RecorderToken | None) -> str:
    return f"recorder:{recorder.pk}" if recorder is not None else f"user:{actor.pk}"


@dataclass
class UploadResult:
    recording: Recording
    created: bool  # False: a retried upload answered with the first one's result


def recording_upload(
    *, actor: Any, session: Session, upload: UploadedFile | None, idempotency_key: str = "",
    recorder: RecorderToken | None = None, recorded_start: dt.datetime | None = None,
) -> UploadResult:
    """Probe the uploaded file (not a video: refused, nothing stored), write the pending row, stream the file
    to the object store, verify and finalise; then the full analysis (every frame: black and frozen stretches,
    thumbnails, contact sheet) and the playback copy run as a background job, so a long video never holds a web
    worker for its whole analysis. The same idempotency key from the same uploader for the same session answers
    with the first upload, never a second recording."""
    check_upload_allowed(actor=actor, session=session, recorder=recorder)
    key = _check_idempotency_key(idempotency_key)
    uploader = uploader_of(actor, recorder)
    if (first := _replayed(session, uploader, key)) is not None:
        return UploadResult(first, created=False)
    try:
        name = _check_file(upload)
    except ValidationError as error:
        _record_refusal(actor, session, getattr(upload, "name", "") or "", getattr(upload, "size", 0) or 0,
                        "; ".join(error.messages))
        raise
    with _local_path(upload) as path:
        try:
            analysis = probe(path)
        except NotAVideo as error:
            _record_refusal(actor, session, name, upload.size, str(error).replace(path.name, name))
            raise ValidationError({"file": [_not_a_video(name, error)]}) from None
        try:
            recording = _pending_row(actor, session, uploader, key, recorder, name, analysis, recorded_start)
        except IntegrityError:  # the same key raced in from a parallel retry
            first = _replayed(session, uploader, key)
            if first is None:
                raise
            return UploadResult(first, created=False)
        stored = _put_original(actor, recording, path, upload.size)
        try:
            recording = recording_finalise(actor=actor, recording=recording, stored=stored)
        except (Conflict, ValidationError):
            raise
        except Exception as error:  # the store went away between the write and the check: left pending
            logger.exception("verifying recording %s failed", recording.pk)
            raise StorageUnavailable(_("录像已写入但未能核验（%(why)s），稍后由核对程序处理。") % {
                "why": type(error).__name__}) from error
    analysis_start(actor=actor, recording=recording)
    recording.refresh_from_db()  # in-process, the analysis has run on commit by now
    return UploadResult(recording, created=True)


def analysis_start(*, actor: Any, recording: Recording) -> Any:
    """The job that reads the stored original in full and makes the derived media (recordings.tasks)."""
    from recordings.tasks import analyse_recording

    return tasks.job_start(kind="recording_analysis", subject=f"recording:{recording.pk}", actor=actor,
                           fn=analyse_recording, args=(recording.pk,))


def _replayed(session: Session, uploader: str, key: str) -> Recording | None:
    if not key:
        return None
    first = Recording.objects.filter(session=session, uploader=uploader, idempotency_key=key).first()
    if first is None or first.status == Recording.Status.FAILED:
        return None
    if first.status == Recording.Status.PENDING:
        raise Conflict(_("同一幂等键的上传仍在进行或待核对，请稍后重试。"))
    return first


@contextlib.contextmanager
def _local_path(upload: UploadedFile) -> Iterator[Path]:
    """OpenCV reads a path: an upload spooled to disk by Django is used in place, a small in-memory one is
    written out first."""
    if hasattr(upload, "temporary_file_path"):
        yield Path(upload.temporary_file_path())
        return
    suffix = Path(upload.name or "").suffix.lower()
    with tempfile.NamedTemporaryFile(suffix=suffix if suffix in VIDEO_TYPES else ".bin", dir=temp_dir()) as spool:
        upload.seek(0)
        shutil.copyfileobj(upload, spool, 1024 * 1024)
        spool.flush()
        yield Path(spool.name)


def _record_refusal(actor: Any, session: Session, name: str, size: int, why: str) -> None:
    ledger.record_event("recording_refused", obj=session, actor=actor, data={
        "session": session.pk, "file": name, "size": size, "reason": why})


def _pending_row(actor, session, uploader, key, recorder, name, analysis: Analysis, recorded_start) -> Recording:
    suffix = Path(name).suffix.lower()
    values = dict(
        status=Recording.Status.PENDING, original_name=name, content_type=VIDEO_TYPES.get(suffix, "video/octet-stream"),
        uploaded_by=None if recorder is not None else actor, recorder=recorder, fps=analysis.fps,
        frames=analysis.frames, duration_s=round(analysis.duration_s, 3), width=analysis.width,
        height=analysis.height, flags={"analysis_pending": True}, recorded_start=recorded_start,
        retention_until=retention_for(session), created_at=clock.now(), error="", derived=[],
        derivation=Recording.Derivation.PENDING,
    )
    with transaction.atomic(), context.acting(actor, reason=_("录像上传")):
        failed = (Recording.objects.select_for_update()
                  .filter(session=session, uploader=uploader, idempotency_key=key, status=Recording.Status.FAILED)
                  .first() if key else None)
        recording = failed or Recording(session=session, uploader=uploader, idempotency_key=key,
                                        key=f"pending/{secrets.token_hex(16)}")
        for name_, value in values.items():
            setattr(recording, name_, value)
        recording.save()
        if recording.key.startswith("pending/"):  # the key names the row, so a retry can never clobber another
            recording.key = original_key(recording, f"original{suffix if suffix in VIDEO_TYPES else '.bin'}")
            recording.save()
    return recording


def original_key(recording: Recording, name: str) -> str:
    """The row's id names the object, and a random part keeps it unique even against a bucket that outlived a
    database (objects are locked: a clash could not be cleared for the whole retention)."""
    project = recording.session.project.code
    return f"recordings/{project}/session-{recording.session_id}/{recording.pk}-{secrets.token_hex(4)}/{name}"


def derived_key(recording: Recording, name: str) -> str:
    return f"{recording.key.rsplit('/', 1)[0]}/{name}"


def _flags(analysis: Analysis) -> dict[str, Any]:
    return {
        "black": [list(span) for span in analysis.black],
        "frozen": [list(span) for span in analysis.frozen],
        "coverage_gaps": [[start.isoformat(), end.isoformat()] for start, end in analysis.coverage_gaps],
        "truncated": analysis.truncated,
        "declared_frames": analysis.declared_frames,
    }


def _put_original(actor: Any, recording: Recording, path: Path, size: int) -> StoredObject:
    try:
        with open(path, "rb") as stream:
            return get_store().put(recording.key, stream, size=size, content_type=recording.content_type,
                                   metadata=_object_metadata(recording), retention_until=recording.retention_until,
                                   legal_hold=recording.legal_hold)
    except Exception as error:  # noqa: BLE001 - any failure of the store (refused, down, cut off) ends the same way
        logger.exception("upload of recording %s to %s failed", recording.pk, recording.key)
        _after_failed_put(actor, recording, error)
        raise StorageUnavailable(_("录像存储暂不可用，未保存（%(why)s）。请稍后用同一幂等键重试。") % {
            "why": type(error).__name__}) from error


def _object_metadata(recording: Recording) -> dict[str, str]:
    return {"project": recording.session.project.code, "session": str(recording.session_id),
            "recording": str(recording.pk)}


def _after_failed_put(actor: Any, recording: Recording, error: Exception) -> None:
    """No object at the key: the row fails now (a retry may reuse it). Unknown (the store is unreachable):
    it stays pending with the error, for the reconciler."""
    try:
        get_store().stat(recording.key)
    except ObjectNotFound:
        mark_failed(actor, recording, f"{type(error).__name__}: {error}")
        return
    except Exception:  # noqa: BLE001 - still unreachable
        pass
    with transaction.atomic(), context.acting(actor, reason=_("录像存储失败，待核对")):
        recording.error = f"{type(error).__name__}: {error}"[:2000]
        recording.save()


def mark_failed(actor: Any, recording: Recording, why: str) -> None:
    with transaction.atomic(), context.acting(actor, reason=_("录像对象未到达")):
        recording.status, recording.error = Recording.Status.FAILED, why[:2000]
        recording.save()


def recording_finalise(*, actor: Any, recording: Recording, stored: StoredObject | ObjectInfo) -> Recording:
    """Check the object in the store is the one written (size and SHA-256 read back), then mark the row stored
    and link the hash into the session's record."""
    info = get_store().stat(recording.key, stored.version_id)
    if info.sha256 != stored.sha256 or info.size != stored.size:
        raise ObjectStoreError(f"{recording.key}: the stored object does not match what was written")
    with transaction.atomic(), context.acting(actor, reason=_("录像存储完成")):
        locked = Recording.objects.select_for_update().select_related("session__project").get(pk=recording.pk)
        if locked.status != Recording.Status.PENDING:
            raise Conflict(_("录像 #%(id)s 不在上传中状态。") % {"id": locked.pk})
        locked.status, locked.version_id, locked.sha256, locked.size = (
            Recording.Status.STORED, info.version_id, info.sha256, info.size)
        locked.stored_at, locked.error = clock.now(), ""
        locked.save()
        ledger.record_event("recording_stored", obj=locked, actor=actor, data={
            "session": locked.session_id, "key": locked.key, "version_id": locked.version_id,
            "sha256": locked.sha256, "size": locked.size, "retention_until": locked.retention_until.isoformat()})
    return locked


# --- derived objects: contact sheet, thumbnails, playback copy ---

# a playback copy of a recording longer than RECORDING_INLINE_TRANSCODE_MAX_S is left to the periodic
# make_playback_copies task (or `manage.py make_playback_copies`): transcoding runs at a few times real time, and a
# long one should not hold the worker that analyses the next upload


def store_derived(actor: Any, recording: Recording, analysis: Analysis, path: Path, *, reason: str) -> Recording:
    """Browsing aids beside the evidence, kept as long as it: the contact sheet, the thumbnails and, for a short
    recording, the playback copy (a long one is flagged `playback_pending` for make_playback_copies). All there:
    `derivation` done. An image the store did not take leaves it pending, the error in the flags, for the
    reconciler; a failed playback copy is left to make_playback_copies. The original is what counts, so none of
    this fails the upload; an object an interrupted run already wrote is adopted, not written twice."""
    derived, errors = [], []
    items = [("contact_sheet", "contact-sheet.jpg", "image/jpeg", analysis.contact_sheet)]
    items += [("thumbnail", f"thumbs/{round(t.at_s):06d}s.jpg", "image/jpeg", t.jpeg) for t in analysis.thumbnails]
    for kind, name, content_type, data in items:
        if data:
            try:
                derived.append(_put_derived(recording, kind, name, content_type, io.BytesIO(data), len(data)))
            except Exception as error:  # noqa: BLE001
                errors.append(f"{name}: {type(error).__name__}: {error}")
    if analysis.duration_s <= settings.RECORDING_INLINE_TRANSCODE_MAX_S:
        try:
            derived.append(_put_playback(recording, path))
        except Exception as error:  # noqa: BLE001
            logger.exception("playback copy of recording %s failed", recording.pk)
            errors.append(f"playback: {type(error).__name__}: {error}")
    images_missing = any(not e.startswith("playback:") for e in errors)
    with transaction.atomic(), context.acting(actor, reason=reason):
        locked = Recording.objects.select_for_update().select_related("session__project").get(pk=recording.pk)
        if locked.status != Recording.Status.STORED:  # purged meanwhile: nothing to record against
            return locked
        known = {item["key"] for item in derived}
        locked.derived = [item for item in locked.derived if item["key"] not in known] + derived
        flags = {k: v for k, v in locked.flags.items() if k not in ("derived_errors", "analysis_pending")}
        flags |= _flags(analysis)
        locked.frames, locked.duration_s = analysis.frames, round(analysis.duration_s, 3)
        flags["playback_pending"] = locked.derived_of("playback") is None
        if errors:
            flags["derived_errors"] = errors
        locked.flags = flags
        locked.derivation = Recording.Derivation.PENDING if images_missing else Recording.Derivation.DONE
        locked.save()
    return locked


def playback_pending():
    return Recording.objects.filter(status=Recording.Status.STORED, flags__playback_pending=True)


def playback_copies_make(*, actor: Any, progress: Callable[[int], Any] = lambda n: None) -> Run:
    """Browser copies of stored recordings that have none yet (long ones, or a transcode that failed)."""
    run, store = Run(), get_store()
    for recording in playback_pending():
        try:
            with (tempfile.TemporaryDirectory(dir=temp_dir()) as directory,
                  store.open(recording.key, recording.version_id) as src):
                original = Path(directory) / f"original{Path(recording.key).suffix}"
                with open(original, "wb") as out:
                    shutil.copyfileobj(src, out, 1024 * 1024)
                item = _put_playback(recording, original)
            with transaction.atomic(), context.acting(actor, reason=_("生成回放副本")):
                recording.derived = [*recording.derived, item]
                recording.flags = {k: v for k, v in recording.flags.items() if k != "derived_errors"} | {
                    "playback_pending": False}
                recording.save()
            run.done.append(recording.pk)
        except Exception as error:  # noqa: BLE001 - report and go on with the others
            run.failed.append(f"#{recording.pk}: {type(error).__name__}: {error}")
        progress(1)
    return run


def _put_derived(recording: Recording, kind: str, name: str, content_type: str, stream, size: int) -> dict:
    key = derived_key(recording, name)
    try:
        stored = get_store().put(key, stream, size=size, content_type=content_type,
                                 metadata={**_object_metadata(recording), "kind": kind.replace("_", "-")},
                                 retention_until=recording.retention_until, legal_hold=recording.legal_hold)
    except ObjectExists:  # written by a run that stopped before recording it (objects appear whole or not at all)
        return _existing_derived(recording, kind, name)
    return {"kind": kind, "key": key, "version_id": stored.version_id, "size": stored.size}


def _existing_derived(recording: Recording, kind: str, name: str) -> dict:
    info = get_store().stat(derived_key(recording, name))
    return {"kind": kind, "key": info.key, "version_id": info.version_id, "size": info.size}


def _put_playback(recording: Recording, path: Path) -> dict:
    with contextlib.suppress(ObjectNotFound):  # an interrupted run made it already: not transcoded twice
        return _existing_derived(recording, "playback", "playback.mp4")
    with tempfile.TemporaryDirectory(dir=temp_dir()) as directory:
        target = Path(directory) / "playback.mp4"
        transcode_for_browser(path, target)
        with open(target, "rb") as stream:
            return _put_derived(recording, "playback", "playback.mp4", "video/mp4", stream, target.stat().st_size)


# --- playback ---

@dataclass(frozen=True)
class Link:
    url: str
    expires_at: dt.datetime


def playback_link(*, actor: Any, recording: Recording) -> Link:
    """A short-lived link to the browser copy (the original when there is none); every playback is an event."""
    require(actor, "recording.play")
    if recording.status != Recording.Status.STORED:
        raise Conflict(_("录像 #%(id)s 未存储或已销毁，无法回放。") % {"id": recording.pk})
    item = recording.derived_of("playback") or {"key": recording.key, "version_id": recording.version_id}
    url = get_store().presigned_url(item["key"], item["version_id"], PLAYBACK_LINK)
    expires_at = clock.now() + PLAYBACK_LINK
    ledger.record_event("recording_played", obj=recording, actor=actor, data={
        "key": item["key"], "version_id": item["version_id"], "expires_at": expires_at.isoformat()})
    return Link(url, expires_at)


# --- legal hold ---

def on_complaint_opened(*, project: Project, actor: Any) -> None:
    _legal_hold_changed(project, actor, "recording_legal_hold_set")


def on_legal_hold_released(*, project: Project, actor: Any) -> None:
    _legal_hold_changed(project, actor, "recording_legal_hold_released")


def _legal_hold_changed(project: Project, actor: Any, action: str) -> None:
    """Inside trading's transaction: one event per recording now; the objects follow on commit (storage I/O
    stays outside the locked transaction; the reconciler repeats it if the store was down)."""
    ids = []
    for recording in Recording.objects.filter(session__project=project, status=Recording.Status.STORED):
        ledger.record_event(action, obj=recording, actor=actor, data={"key": recording.key,
                                                                      "version_id": recording.version_id})
        ids.append(recording.pk)
    if ids:
        transaction.on_commit(lambda: sync_legal_holds(ids))


def sync_legal_holds(ids: list[int] | None = None) -> list[str]:
    """Make every stored object's legal hold match its project's (the database is the record); returns errors."""
    qs = Recording.objects.filter(status=Recording.Status.STORED).select_related("session__project")
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    store, errors = get_store(), []
    for recording in qs:
        for key, version_id in _objects_of(recording):
            try:
                if store.stat(key, version_id).legal_hold != recording.legal_hold:
                    store.set_legal_hold(key, version_id, recording.legal_hold)
            except Exception as error:  # noqa: BLE001
                errors.append(f"#{recording.pk} {key}: {type(error).__name__}: {error}")
    return errors


def _objects_of(recording: Recording) -> list[tuple[str, str]]:
    return [(item["key"], item["version_id"]) for item in recording.derived] + [(recording.key, recording.version_id)]


# --- kept with the dossier ---

@transaction.atomic
def recordings_retain_with_dossier(*, actor: Any, project: Project, until: dt.datetime) -> list[Recording]:
    """A dossier that lists a project's recordings keeps them as long as itself (DOSSIER_RETENTION_YEARS): their
    retention is extended to the dossier's, never shortened. Not a legal hold, which says "under complaint or
    investigation" and ends when an inspector releases it; not a copy, which would store the largest objects twice.
    The object store extends the lock too (on S3, object-lock retention can grow, never shrink); on commit, like
    every storage write, and the database row is the record the reconciler follows."""
    extended = []
    for recording in (Recording.objects.select_for_update()
                      .filter(session__project=project, status=Recording.Status.STORED, retention_until__lt=until)):
        before = recording.retention_until
        recording.retention_until = until
        recording._change_reason = _("随项目档案保存")
        with context.acting(actor):
            recording.save()
        ledger.record_event("recording_retention_extended", obj=recording, actor=actor, data={
            "key": recording.key, "from": before.isoformat(), "until": until.isoformat(), "reason": "dossier"})
        extended.append(recording)
    if extended:
        ids = [r.pk for r in extended]
        transaction.on_commit(lambda: sync_retention(ids))
    return extended


def sync_retention(ids: list[int]) -> list[str]:
    """Extend each stored object's retention to its recording's (the database is the record); returns errors."""
    store, errors = get_store(), []
    for recording in Recording.objects.filter(pk__in=ids, status=Recording.Status.STORED):
        for key, version_id in _objects_of(recording):
            try:
                if (store.stat(key, version_id).retention_until or recording.retention_until) \
                        <= recording.retention_until:
                    store.extend_retention(key, version_id, recording.retention_until)
            except Exception as error:  # noqa: BLE001 - reported; the reconciler repeats it
                errors.append(f"#{recording.pk} {key}: {type(error).__name__}: {error}")
                logger.warning("retention of %s not extended: %s", key, error)
    return errors


# --- deletion and purge ---

def deletion_refusal(recording: Recording, now: dt.datetime) -> str:
    """Why the recording may not go yet ('' once it may)."""
    if recording.status != Recording.Status.STORED:
        return _("录像 #%(id)s 状态为“%(status)s”，无可删除的对象。") % {
            "id": recording.pk, "status": recording.get_status_display()}
    if recording.legal_hold:
        return _("录像 #%(id)s 处于法律保全（项目 %(code)s），须纪检监察解除后方可删除。") % {
            "id": recording.pk, "code": recording.session.project.code}
    if now < recording.retention_until:
        return _("录像 #%(id)s 保存期至 %(until)s，期满前不得删除。") % {
            "id": recording.pk, "until": local_time(recording.retention_until)}
    return ""


def recording_delete(*, actor: Any, recording: Recording) -> Recording:
    """Administrators only; refused (and the refusal recorded) while retained or on hold."""
    require(actor, "recording.delete")
    refusal = deletion_refusal(recording, clock.now())
    if refusal:
        ledger.record_event("recording_delete_refused", obj=recording, actor=actor, data={"reason": refusal})
        raise Conflict(refusal)
    return _purge(actor, recording, reason=_("管理员删除期满录像"))


def _purge(actor: Any, recording: Recording, *, reason: str) -> Recording:
    # The row lock is held while the objects are deleted, so that a second purge run (or a delete racing a
    # purge) waits and then finds the row purged: each recording gets exactly one tombstone.
    with transaction.atomic(), context.acting(actor, reason=reason):
        locked = Recording.objects.select_for_update().select_related("session__project").get(pk=recording.pk)
        now = clock.now()
        refusal = deletion_refusal(locked, now)
        if refusal:
            raise Conflict(refusal)
        store = get_store()
        recorded, found = _objects_of(locked), _objects_in_store(store, locked)
        for key, version_id in dict.fromkeys(recorded + found):
            with contextlib.suppress(ObjectNotFound):  # an earlier, interrupted run may have taken it already
                store.delete(key, version_id, now=now)
        locked.status, locked.purged_at = Recording.Status.PURGED, now
        locked.save()
        derived = sorted({key for key, _version in recorded + found if key != locked.key})
        ledger.record_event("recording_purged", obj=locked, actor=actor, data={
            "key": locked.key, "version_id": locked.version_id, "sha256": locked.sha256, "size": locked.size,
            "session": locked.session_id, "stored_at": locked.stored_at.isoformat() if locked.stored_at else None,
            "retention_until": locked.retention_until.isoformat(), "purged_at": now.isoformat(),
            "derived": derived, "derived_unrecorded": sorted({key for key, _v in found} - {k for k, _v in recorded})})
    return locked


def _objects_in_store(store: Any, recording: Recording) -> list[tuple[str, str]]:
    """Every object version under the recording's own prefix (its key's folder, named by the row's id and a random
    part): derived media a stopped run wrote but never recorded on the row go with the original too."""
    prefix = recording.key.rsplit("/", 1)[0] + "/"
    return [(info.key, info.version_id) for info in store.list(prefix)]


def expired_recordings():
    return (Recording.objects.filter(status=Recording.Status.STORED, retention_until__lte=clock.now(),
                                     session__project__legal_hold=False)
            .select_related("session__project").order_by("retention_until", "pk"))


@dataclass
class Run:
    done: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recordings_purge(*, actor: Any, dry_run: bool = False, progress: Callable[[int], Any] = lambda n: None) -> Run:
    """Delete every expired recording not under hold (original, thumbnails, playback copy), each leaving a
    tombstone. Safe to interrupt (each recording is one transaction) and to run twice at once."""
    run = Run()
    for recording in expired_recordings().iterator(chunk_size=500):
        if dry_run:
            run.done.append(recording.pk)
        else:
            try:
                _purge(actor, recording, reason=_("保存期满，定期销毁"))
                run.done.append(recording.pk)
            except Conflict:
                run.skipped.append(recording.pk)  # purged by a parallel run, or put on hold meanwhile
            except Exception as error:  # noqa: BLE001 - report and go on with the others
                run.failed.append(f"#{recording.pk} {recording.key}: {type(error).__name__}: {error}")
        progress(1)
    return run
