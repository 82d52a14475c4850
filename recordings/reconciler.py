"""The reconciler: what a stopped process or a store outage left behind is resolved here, hourly
(`manage.py reconcile_recordings`). Uploads left pending are finalised or failed; stored recordings whose derived
media were never finished get them from their original (or an explicit failed state); unfinished multipart uploads
are aborted; temporary files of transfers left in FILE_UPLOAD_TEMP_DIR are removed once stale; the objects' legal
holds are brought in line with their projects."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit import ledger
from core import clock, context, tasks
from core.errors import Conflict
from core.storage import ObjectNotFound, ObjectStoreError, get_store
from recordings.analysis import NotAVideo, analyse
from recordings.models import Recording
from recordings.services import mark_failed, recording_finalise, store_derived, sync_legal_holds, temp_dir


@dataclass
class Reconciliation:
    finalised: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    derived: list[int] = field(default_factory=list)
    derivation_failed: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    aborted_uploads: int = 0
    temp_removed: int = 0


def stale_pending(older_than: dt.timedelta):
    return Recording.objects.filter(status=Recording.Status.PENDING, created_at__lt=clock.now() - older_than)


def unfinished_derivation(older_than: dt.timedelta, *, also: Iterable[int] = ()):
    """Stored recordings whose derived media were never finished (the process stopped after the original was
    stored, or the store refused an image), stored at least `older_than` ago so that a running upload is left
    alone, plus `also` (rows the reconciler just finalised: their upload is gone). Null: stored before this was
    tracked."""
    unfinished = Q(derivation=Recording.Derivation.PENDING) | Q(derivation__isnull=True)
    return (Recording.objects.filter(unfinished, status=Recording.Status.STORED)
            .filter(Q(stored_at__lt=clock.now() - older_than) | Q(pk__in=list(also)))
            .select_related("session__project").order_by("pk"))


def recordings_reconcile(*, actor: Any, older_than: dt.timedelta = dt.timedelta(hours=1),
                         progress: Callable[[int], Any] = lambda n: None) -> Reconciliation:
    """Resolve what a stopped process left: pending rows older than `older_than` (the object is there → verify and
    finalise; it is not → failed); stored recordings whose derived media were never finished (made again from the
    original, or marked failed); unfinished multipart uploads; local temporary files of transfers older than
    UPLOAD_TEMP_MAX_AGE_HOURS. Then the objects' legal holds are brought in line with their projects."""
    result, store = Reconciliation(), get_store()
    for recording in stale_pending(older_than).select_related("session__project").iterator():
        try:
            info = store.stat(recording.key)
        except ObjectNotFound:
            mark_failed(actor, recording, _("核对时对象不存在：上传未完成。"))
            result.failed.append(recording.pk)
        except Exception as error:  # noqa: BLE001
            result.errors.append(f"#{recording.pk}: {type(error).__name__}: {error}")
        else:
            try:
                recording_finalise(actor=actor, recording=recording, stored=info)
                result.finalised.append(recording.pk)
            except (ObjectStoreError, Conflict) as error:
                result.errors.append(f"#{recording.pk}: {error}")
        progress(1)
    for recording in unfinished_derivation(older_than, also=result.finalised):
        _reconcile_derivation(actor, recording, result)
        progress(1)
    try:
        result.aborted_uploads = store.abort_incomplete_uploads(clock.now() - older_than)
    except Exception as error:  # noqa: BLE001
        result.errors.append(f"abort_incomplete_uploads: {type(error).__name__}: {error}")
    result.temp_removed = sweep_temp_files(clock.now() - dt.timedelta(hours=settings.UPLOAD_TEMP_MAX_AGE_HOURS))
    result.errors += sync_legal_holds()
    return result


def _reconcile_derivation(actor: Any, recording: Recording, result: Reconciliation) -> None:
    try:
        done = recording_derive(actor=actor, recording=recording)
    except Exception as error:  # noqa: BLE001 - the store unreachable: left pending for the next run
        result.errors.append(f"#{recording.pk} derived media: {type(error).__name__}: {error}")
        return
    if done.derivation == Recording.Derivation.DONE:
        result.derived.append(done.pk)
    elif done.derivation == Recording.Derivation.FAILED:
        result.derivation_failed.append(done.pk)
        result.errors.append(f"#{done.pk} derived media: {'; '.join(done.flags.get('derived_errors', []))}")
    else:
        result.errors.append(f"#{done.pk} derived media still incomplete: "
                             + "; ".join(done.flags.get("derived_errors", [])))


class OriginalUnusable(Exception):
    """The stored original cannot give derived media: missing, not the bytes recorded, or no longer decodable."""


def recording_derive(*, actor: Any, recording: Recording) -> Recording:
    """Finish the derived media of a stored recording from its original in the store: what an interrupted run
    wrote is adopted, the rest is made. An original that is gone, is not the bytes whose SHA-256 was recorded or
    cannot be decoded leaves `derivation` failed, with the reason in the flags and a `recording_derivation_failed`
    event. A store that cannot be reached raises, and the recording stays pending."""
    if recording.derivation is None and recording.derived and not recording.flags.get("derived_errors"):
        return _derivation_settled(actor, recording)  # stored before derivation was tracked, and complete
    session = recording.session
    try:
        with _original_copy(recording) as path:
            tasks.progress(20)
            try:
                analysis = analyse(path, thumb_every_s=settings.RECORDING_THUMB_EVERY_S,
                                   scheduled_start=session.starts_at, scheduled_end=session.ends_at,
                                   recorded_start=recording.recorded_start or session.starts_at)
            except NotAVideo as error:
                raise OriginalUnusable(str(error)) from error
            tasks.progress(60)
            return store_derived(actor, recording, analysis, path, reason=_("核对：补全缩略图与回放副本"))
    except OriginalUnusable as error:
        return _derivation_failed(actor, recording, str(error))


@contextlib.contextmanager
def _original_copy(recording: Recording) -> Iterator[Path]:
    """The stored original as a local file (OpenCV reads a path), checked against the SHA-256 recorded at upload."""
    store, digest = get_store(), hashlib.sha256()
    suffix = Path(recording.key).suffix
    with tempfile.NamedTemporaryFile(suffix=suffix, dir=temp_dir()) as copy:
        try:
            source = store.open(recording.key, recording.version_id)
        except ObjectNotFound as error:
            raise OriginalUnusable(_("原始录像对象不存在。")) from error
        with source:
            while chunk := source.read(1024 * 1024):
                digest.update(chunk)
                copy.write(chunk)
        copy.flush()
        if digest.hexdigest() != recording.sha256:
            raise OriginalUnusable(_("原始录像的 SHA-256 与上传时记录的不一致。"))
        yield Path(copy.name)


def _derivation_settled(actor: Any, recording: Recording) -> Recording:
    with transaction.atomic(), context.acting(actor, reason=_("核对：派生媒体已齐全")):
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        locked.derivation = Recording.Derivation.DONE
        locked.save()
    return locked


def _derivation_failed(actor: Any, recording: Recording, why: str) -> Recording:
    with transaction.atomic(), context.acting(actor, reason=_("核对：无法生成缩略图与回放副本")):
        locked = Recording.objects.select_for_update().get(pk=recording.pk)
        locked.derivation = Recording.Derivation.FAILED
        locked.flags = {**locked.flags, "derived_errors": [why]}
        locked.save()
        ledger.record_event("recording_derivation_failed", obj=locked, actor=actor, data={
            "key": locked.key, "version_id": locked.version_id, "reason": why})
    return locked


def sweep_temp_files(older_than: dt.datetime) -> int:
    """Remove what transfers left in FILE_UPLOAD_TEMP_DIR untouched since `older_than` (a killed upload's spool, a
    killed transcode's folder); returns how many entries went. A live transfer writes to its file, and the bound
    (UPLOAD_TEMP_MAX_AGE_HOURS) is far longer than any step that only reads one."""
    cutoff, removed = older_than.timestamp(), 0
    for path in temp_dir().iterdir():
        try:
            if _newest_mtime(path) >= cutoff:
                continue
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            else:
                path.unlink()
        except FileNotFoundError:  # its own process removed it meanwhile
            continue
        removed += 1
    return removed


def _newest_mtime(path: Path) -> float:
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for inner in path.rglob("*"):
            with contextlib.suppress(FileNotFoundError):
                newest = max(newest, inner.lstat().st_mtime)
    return newest
