"""Writes of the archive: building a project's dossier; recording its OCDS releases (release_record).

The ZIP is written to a temporary file, then stored write-once in object storage under `archive/`, and only
then is the `Dossier` row recorded (with its ledger event). A build that fails at any step before the row leaves
the previous version current; a rebuild is always a new version under a new key, never an overwrite."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from archive import dossier_check, ocds, pdf, selectors, signatures
from archive.models import Dossier, RecordNumber, Release
from audit import checkpoints, ledger, merkle
from audit.selectors import project_trail
from core import clock, context, signing, tasks
from core.errors import Conflict
from core.roles import is_system
from core.storage import get_store
from lottery.models import Draw
from lottery.services import proof_bytes
from recordings.services import recordings_retain_with_dossier
from trading.models import Project, User

ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest ZIP time: entries carry no build clock
LEDGER_COLUMNS = ("seq", "at", "actor", "role", "ip", "action", "object_type", "object_id", "history_model",
                  "history_id", "reason", "data", "digest", "hash")


class DossierRefused(Exception):
    """The project cannot have a dossier (unknown, or not finished): nothing was built or stored."""


def dossier_files(project: Project) -> Iterator[tuple[str, Callable[[], bytes]]]:
    """(path in the ZIP, content) of everything a dossier holds except manifest.json, in a stable order. Each PDF
    record comes with the data it was built from, as the canonical JSON whose SHA-256 the PDF's last page prints
    (archive.pdf.content_digest), so the digest can be recomputed from the dossier alone."""
    for record in selectors.available_records(project):
        content = _once(record.content)
        yield f"records/{record.filename}", lambda r=record, c=content: r.builder(signatures.with_signatures(r, c()))
        yield f"records/{record.filename[:-4]}.json", lambda c=content: pdf.canonical_json(c()).encode("utf-8")
        if signatures.is_signed_kind(record.kind):  # checked offline: python logverify.py signatures FILE --log-key
            yield (f"records/{record.filename[:-4]}-signatures.json",
                   lambda r=record: _json_bytes(signatures.signatures_export(r)))
    for draw in Draw.objects.filter(project=project).order_by("round"):
        yield f"proof/{project.code}-round{draw.round}-proof.json", lambda d=draw: proof_bytes(d.proof)
    yield f"audit/{project.code}-ledger.csv", lambda: audit_extract(project)
    yield f"audit/{project.code}-log-proofs.json", lambda: _json_bytes(audit_proofs(project))
    yield "recordings/manifest.json", lambda: _json_bytes(recording_manifest(project))


def _once(compute: Callable[[], Any]) -> Callable[[], Any]:
    """`compute`, called at most once: a record's PDF and its data file are built from the same reading."""
    cache: list[Any] = []

    def value() -> Any:
        if not cache:
            cache.append(compute())
        return cache[0]
    return value


def audit_extract(project: Project) -> bytes:
    """Every ledger entry of the project in chain order, as CSV (UTF-8 with a BOM so spreadsheets read Chinese);
    before the registration deadline, without the entries that would name a registrant (audit.sealing)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(LEDGER_COLUMNS)
    for entry in project_trail(project.code).iterator(chunk_size=2000):
        row = {name: getattr(entry, name) for name in LEDGER_COLUMNS}
        row["at"] = entry.at.astimezone(dt.UTC).isoformat()
        row["data"] = "" if entry.data is None else json.dumps(entry.data, ensure_ascii=False, sort_keys=True)
        writer.writerow(["" if row[name] is None else row[name] for name in LEDGER_COLUMNS])
    return "\ufeff".encode() + buffer.getvalue().encode("utf-8")


def audit_proofs(project: Project) -> dict[str, Any]:
    """The project's entries (as the CSV lists them) with their inclusion proofs into a checkpoint signed for this
    dossier: `python logverify.py export` checks each entry against the centre's signed root, offline."""
    checkpoint = checkpoints.publish(f"dossier {project.code}")
    if checkpoint is None:
        return {"checkpoint": None, "entries": []}
    return merkle.export(project_trail(project.code).iterator(chunk_size=2000), checkpoints.as_dict(checkpoint))


def recording_manifest(project: Project) -> dict[str, Any]:
    """Keys, hashes and retention of the project's session videos (the videos themselves stay in storage)."""
    try:
        recording_model = apps.get_model("recordings", "Recording")
    except LookupError:
        return {"project": project.code, "recordings": [],
                "note": "this installation has no recordings model: no video is linked to the project"}
    now = clock.now()
    rows = recording_model.objects.filter(session__project=project).select_related("session__room")
    return {"project": project.code, "legal_hold": project.legal_hold, "recordings": [{
        "session": r.session_id, "session_kind": r.session.kind, "room": r.session.room.name, "key": r.key,
        "version_id": r.version_id, "sha256": r.sha256, "size": r.size, "status": r.status,
        "duration_s": r.duration_s, "retention_until": r.retention_until.isoformat(),
        "retained": now < r.retention_until or project.legal_hold,
        "purged_at": r.purged_at.isoformat() if r.purged_at else None,
    } for r in rows.order_by("session__starts_at", "id")]}


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")


def write_dossier_zip(target: Path, project: Project, *, version: int, built_at: dt.datetime,
                      progress: Callable[[str], object] = lambda path: None) -> int:
    """Write the ZIP to `target`; returns the number of files (manifest.json included)."""
    listed = []
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path, content in dossier_files(project):
            data = content()
            archive.writestr(zipfile.ZipInfo(path, ZIP_TIME), data, compress_type=zipfile.ZIP_DEFLATED)
            listed.append({"path": path, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
            progress(path)
        manifest = {"project": project.code, "title": project.title, "version": version,
                    "built_at": built_at.isoformat(), "algorithm": "sha256", "files": listed,
                    "signing_key_id": signing.fingerprint()}
        manifest_bytes = _json_bytes(manifest)
        archive.writestr(zipfile.ZipInfo("manifest.json", ZIP_TIME), manifest_bytes,
                         compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr(zipfile.ZipInfo(dossier_check.SIGNATURE, ZIP_TIME), _json_bytes(signature_of(manifest_bytes)),
                         compress_type=zipfile.ZIP_DEFLATED)
    return len(listed) + 2


def signature_of(manifest_bytes: bytes) -> dict[str, str]:
    """The centre's Ed25519 signature of manifest.json's exact bytes, with the key that checks it. The key in
    the file only names which one was used: check it against the public key the centre publishes."""
    return {"file": "manifest.json", "algorithm": signing.ALGORITHM, "key_id": signing.fingerprint(),
            "public_key_pem": signing.public_key_pem(), "signature": signing.sign(manifest_bytes).hex()}


def check_dossier_project(code: str) -> Project:
    project = Project.objects.select_related("agency", "tenderer").filter(code=code).first()
    if project is None:
        raise DossierRefused(_("项目 %(code)s 不存在。") % {"code": code})
    if project.status not in selectors.FINISHED:
        raise DossierRefused(_("项目 %(code)s 当前状态为“%(status)s”，尚未产生结果，不能生成档案。")
                             % {"code": code, "status": project.get_status_display()})
    return project


def retention_until(built_at: dt.datetime) -> dt.datetime:
    years = settings.DOSSIER_RETENTION_YEARS
    try:
        return built_at.replace(year=built_at.year + years)
    except ValueError:  # 29 February
        return built_at.replace(year=built_at.year + years, day=28)


def dossier_build(*, actor: User, code: str, progress: Callable[[str], object] = lambda path: None) -> Dossier:
    """Build, store and record a new dossier version of a finished project."""
    if not is_system(actor):
        selectors.ensure_can_build_dossier(actor)
    project = check_dossier_project(code)
    record_numbers_assign(actor=actor, project=project)
    built_at = clock.now().astimezone(dt.UTC).replace(microsecond=0)
    # the videos the dossier lists are kept as long as the dossier (recordings.services explains why not a hold)
    recordings_retain_with_dossier(actor=actor, project=project, until=retention_until(built_at))
    version = (Dossier.objects.filter(project=project).aggregate(v=Max("version"))["v"] or 0) + 1
    key = f"archive/{project.code}/dossier-v{version}-{built_at:%Y%m%dT%H%M%SZ}.zip"
    # slow work (PDFs, ZIP, upload) outside any transaction; a temporary file so no partial ZIP is ever stored
    with tempfile.NamedTemporaryFile(suffix=".zip", dir=_tmp_dir()) as temporary:
        files = write_dossier_zip(Path(temporary.name), project, version=version, built_at=built_at,
                                  progress=progress)
        temporary.seek(0)
        stored = get_store().put(
            key, temporary, size=Path(temporary.name).stat().st_size, content_type="application/zip",
            metadata={"project": project.code, "version": str(version)}, retention_until=retention_until(built_at))
    return _record(project, actor=actor, version=version, stored=stored, files=files, built_at=built_at)


def dossier_build_start(*, actor: User, code: str) -> Any:
    """Refused at once when the actor may not or the project cannot; otherwise built by a job (archive.tasks)."""
    selectors.ensure_can_build_dossier(actor)
    check_dossier_project(code)
    from archive.tasks import build_dossier

    return tasks.job_start(kind="dossier_build", subject=f"project:{code}", actor=actor, fn=build_dossier,
                           args=(code, actor.pk))


def _tmp_dir() -> Path:
    directory = Path(settings.VAR_DIR) / "tmp"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _record(project: Project, *, actor: User, version: int, stored: Any, files: int,
            built_at: dt.datetime) -> Dossier:
    try:
        with transaction.atomic(), context.acting(actor, reason=_("生成项目档案")):
            dossier = Dossier.objects.create(
                project=project, version=version, key=stored.key, version_id=stored.version_id,
                sha256=stored.sha256, size=stored.size, files=files, built_at=built_at, built_by=actor,
                retention_until=retention_until(built_at))
            ledger.record_event("dossier_built", obj=dossier, actor=actor, data={
                "version": version, "key": stored.key, "sha256": stored.sha256, "size": stored.size,
                "files": files})
    except IntegrityError as exc:
        raise Conflict(_("另一次档案生成同时完成了第 %(v)d 版，请重试。") % {"v": version}) from exc
    return dossier


def dossier_open(dossier: Dossier):
    return get_store().open(dossier.key, dossier.version_id or None)


def dossier_download(*, actor: User, dossier: Dossier):
    """A person fetches a stored dossier: logged, then streamed from storage."""
    ledger.record_event("dossier_downloaded", obj=dossier, actor=actor, data={"version": dossier.version})
    return dossier_open(dossier)


def _canonical(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


@transaction.atomic
def release_record(project: Project) -> list[Release]:
    """Append a release for each round whose disclosed content changed since its last stored release (a round
    already stored and no longer current is final: it is never rebuilt). Called when a project changes state (the
    `status_changed` hook, after the commit) and before the package is served or exported, so a change that is not
    a state change (a contract signed, a candidate withdrawn) is released at the latest when someone asks.
    Returns the rows added. A release's `date` is when it was recorded, strictly after the previous one."""
    project = Project.objects.select_for_update().get(pk=project.pk)  # one release writer per project at a time
    if project.status == "draft":
        return []
    added = []
    stored = {row.ocid: row for row in Release.objects.filter(project=project).order_by("date", "id")}
    last_date = max((row.date for row in stored.values()), default=None)
    for round_ in range(1, project.round + 1):
        previous = stored.get(ocds.ocid(project, round_))
        if previous is not None and round_ < project.round:
            continue
        content = ocds.release_content(project, round_)
        if previous is not None and {k: v for k, v in previous.data.items() if k not in ("id", "date")} == content:
            continue
        date = clock.now()
        if last_date is not None and date <= last_date:
            date = last_date + dt.timedelta(microseconds=1)
        last_date = date
        sequence = Release.objects.filter(project=project, ocid=content["ocid"]).count() + 1
        data = {"id": f"{content['ocid']}-{sequence:03d}", "date": ocds.iso(date), **content}
        with context.acting_as_system(reason=_("OCDS 发布")):
            added.append(Release.objects.create(
                project=project, round=round_, ocid=content["ocid"], release_id=data["id"], date=date, data=data,
                sha256=hashlib.sha256(_canonical(data)).hexdigest()))
    return added


def release_on_commit(*, project: Project, actor: Any = None) -> None:
    """The `status_changed` hook: record the releases once the whole change (status, contract, …) is committed; a
    failure there is logged and leaves the trading action done (the next read records the release)."""
    pk = project.pk
    transaction.on_commit(lambda: release_record(Project.objects.get(pk=pk)), robust=True)


def record_download(user: User, project: Project, kind: str) -> tuple[str, bytes]:
    """A staff member fetches one record: checked, built from the current rows, and logged (a registration list
    read after the deadline is an audit event like any other view of it)."""
    record = selectors.record_for(project, kind)
    signatures.ensure_can_read_record(user, record)
    record_number(actor=user, record=record)
    content = record.builder(signatures.with_signatures(record, record.content()))
    ledger.record_event("record_downloaded", obj=project, actor=user,
                        data={"kind": kind, "sha256": hashlib.sha256(content).hexdigest()})
    return record.filename, content


# --- document numbers (文号) ---

def record_number(*, actor: User, record: selectors.Record) -> str:
    """The one place a record gets its 文号: RECORD_NUMBER_PREFIX〔year〕serial号, the year the record was issued
    (in TIME_ZONE), the serial the next of that prefix and year. Assigned the first time the record is issued
    (downloaded, or put in a dossier) and kept: asking again answers the same number."""
    project = record.project
    existing = selectors.assigned_number(project, record.kind)
    if existing is not None:
        return existing
    issued_at = record.data().get("issued_at") or clock.now()
    prefix, year = settings.RECORD_NUMBER_PREFIX, timezone.localtime(issued_at).year
    for _attempt in range(5):
        serial = (RecordNumber.objects.filter(prefix=prefix, year=year).aggregate(n=Max("serial"))["n"] or 0) + 1
        number = f"{prefix}〔{year}〕{serial}号"
        try:
            with transaction.atomic(), context.acting(actor, reason=_("编发文号")):
                RecordNumber.objects.create(project=project, round=project.round, kind=record.kind, prefix=prefix,
                                            year=year, serial=serial, number=number, assigned_at=clock.now())
            return number
        except IntegrityError:  # another issue took this serial, or numbered this very record, at the same moment
            existing = selectors.assigned_number(project, record.kind)
            if existing is not None:
                return existing
    raise Conflict(_("文号分配失败，请重试。"))


def record_numbers_assign(*, actor: User, project: Project) -> list[str]:
    """Every record the project has so far numbered, in the order of its life (a dossier issues them all)."""
    return [record_number(actor=actor, record=record) for record in selectors.available_records(project)]
