"""CSV and PDF exports of a filtered trail. Each export is itself a ledger event naming the filters and the number
of entries exported, so an inspector's own reading leaves a trace. An entry sealed now is exported masked, as the
timeline shows it (audit.sealing)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from django.conf import settings

from archive.pdf.document import RecordDocument
from audit import ledger, sealing
from audit.models import LedgerEntry
from audit.selectors import SHANGHAI, TimelineFilter, entry_diff
from inspection.labels import action_label, model_label, role_label

CSV_COLUMNS = ["seq", "at", "actor", "role", "ip", "action", "object_type", "object_id", "project", "reason",
               "changes", "hash"]
EXPORT_ACTION = "audit_exported"


def pdf_max_rows() -> int:
    return settings.AUDIT_PDF_MAX_ROWS


def diff_text(entry: LedgerEntry) -> str:
    return "; ".join(f"{c['field']}: {_text(c['old'])} → {_text(c['new'])}" for c in entry_diff(entry))


def _text(value: Any) -> str:
    return "—" if value is None or value == "" else str(value)


def _row(entry: LedgerEntry) -> list[str]:
    return [str(entry.seq), entry.at.astimezone(SHANGHAI).isoformat(), entry.actor, entry.role, entry.ip,
            entry.action, entry.object_type, entry.object_id, entry.project, entry.reason, diff_text(entry),
            entry.hash]


def trail_csv_lines(entries: Iterable[LedgerEntry]) -> Iterator[str]:
    """The CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese), a line at a time for streaming.
    `entries` as a reader may see them (masked where sealed)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    yield "\ufeff"
    for row in _rows(entries):
        writer.writerow(row)
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


def _rows(entries: Iterable[LedgerEntry]) -> Iterator[list[str]]:
    yield CSV_COLUMNS
    for entry in entries:
        yield _row(entry)


def export_csv(filters: TimelineFilter, *, actor: Any) -> Iterator[str]:
    """Record the export, then stream every matching entry, oldest first."""
    qs = filters.queryset().order_by("seq")
    sealed = sealing.current()
    ledger.record_event(EXPORT_ACTION, actor=actor, data={"format": "csv", "filters": filters.as_params(),
                                                          "entries": qs.count()})
    return trail_csv_lines(map(sealed.show, qs.iterator(chunk_size=2000)))


def export_pdf(filters: TimelineFilter, *, actor: Any) -> bytes:
    """An A4 record of the trail (at most `AUDIT_PDF_MAX_ROWS` entries, oldest first; narrow the filters for more),
    laid out by the archive's PDF layout with its embedded CJK font."""
    qs = filters.queryset().order_by("seq")
    total = qs.count()
    entries = list(map(sealing.current().show, qs[: pdf_max_rows()]))
    event = ledger.record_event(EXPORT_ACTION, actor=actor, data={
        "format": "pdf", "filters": filters.as_params(), "entries": total, "printed": len(entries)})
    data = {"project": {"code": filters.project or "—", "title": "审计记录导出"}, "issued_at": event.at,
            "filters": filters.as_params(), "seqs": [e.seq for e in entries], "export_seq": event.seq}
    doc = RecordDocument(data, title="审计记录")
    conditions = [(name, value) for name, value in filters.as_params().items()] or [("筛选条件", "全部")]
    doc.facts([*conditions, ("符合条件的记录", total), ("本文件收录", len(entries)),
               ("导出人", getattr(actor, "username", "")), ("导出记录序号", event.seq)])
    if len(entries) < total:
        doc.paragraph(f"仅收录最早的 {len(entries)} 条；请缩小筛选范围后分次导出。")
    doc.table(["序号", "时间", "操作人", "动作", "对象", "变更"],
              [[e.seq, e.at, f"{e.actor} {role_label(e.role)}".strip(), action_label(e.action),
                f"{model_label(e.object_type)} #{e.object_id}".strip(" #"),
                diff_text(e) or e.reason] for e in entries],
              widths=[0.45, 1.0, 0.85, 2.2, 1.3, 2.6], align="r")
    return doc.to_bytes()
