"""Reading the ledger: the filters every timeline shares (the API, the inspector's pages, the exports), keyset pages
that stay fast on millions of entries, and the diff of each change. Nothing here knows a domain app: a change's
historical model is found by the label its entry recorded, and an entry sealed for now (audit.sealing) is shown
masked, or left out where the selection is narrowed to a person or a project."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit import checkpoints, merkle, sealing
from audit.models import Leaf, LedgerEntry, PendingEntry

SHANGHAI = ZoneInfo("Asia/Shanghai")
PAGE_SIZE = 50
# fields whose values are sealed or secret: the diff says that they changed, never what they hold
REDACTED_MARKERS = ("secret", "sealed", "envelope", "password", "token", "shares")


@dataclass(frozen=True)
class TimelineFilter:
    """What the timeline is narrowed by. `actor` is a user name or id; `model` an app label like
    `trading.Project`; the period is [since, until)."""

    project: str = ""
    actor: str = ""
    model: str = ""
    action: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> TimelineFilter:
        """From a query string. A bad time raises ValidationError naming the parameter; nothing is guessed."""
        values: dict[str, Any] = {name: str(params.get(name, "") or "").strip() for name in cls.names()}
        errors: dict[str, list[str]] = {}
        for name in ("since", "until"):
            try:
                values[name] = parse_moment(values[name], end_of_day=name == "until")
            except ValueError as exc:
                errors[name] = [str(exc)]
        if errors:
            raise ValidationError(errors)
        return cls(**values)

    def queryset(self) -> QuerySet[LedgerEntry]:
        """The matching entries, newest first. Narrowed to a person or a project, without the entries sealed now:
        listing one there would say whom or what it concerns."""
        qs = self.matching()
        return sealing.current().exclude(qs) if self.narrowed() else qs

    def matching(self) -> QuerySet[LedgerEntry]:
        return ledger_entries(self)

    def narrowed(self) -> bool:
        """Whether the filters name a person or a project."""
        return bool(self.project or self.actor)

    def as_params(self) -> dict[str, str]:
        """The non-empty filters as query parameters (times as ISO 8601 with their offset)."""
        out = {}
        for name, value in asdict(self).items():
            if value:
                out[name] = value.isoformat() if isinstance(value, dt.datetime) else str(value)
        return out

    def is_empty(self) -> bool:
        return not self.as_params()


def parse_moment(raw: str, *, end_of_day: bool = False) -> dt.datetime | None:
    """ISO 8601 with an offset, or a date (a whole day in Asia/Shanghai: `until` a date means the day's end)."""
    if not raw:
        return None
    try:
        day = parse_date(raw)
        moment = None if day else parse_datetime(raw)
    except ValueError:
        day = moment = None
    if moment is not None and moment.tzinfo is None:
        raise ValueError(_("时间须带时区偏移（ISO 8601）：%(v)s") % {"v": raw})
    try:
        if moment is None and day is not None:
            moment = dt.datetime.combine(day + dt.timedelta(days=1) if end_of_day else day, dt.time(),
                                         tzinfo=SHANGHAI)
        if moment is not None:
            moment.astimezone(dt.UTC)  # a moment at the calendar's edge has no UTC equivalent to compare with
    except OverflowError:
        moment = None
    if moment is None:
        raise ValueError(_("不是有效的日期或时间：%(v)s") % {"v": raw})
    return moment


def ledger_entries(filters: TimelineFilter | None = None, **kwargs: Any) -> QuerySet[LedgerEntry]:
    """Newest first. Each filter is served by an index led by its column and `seq`; the period is turned into a
    range of `seq` (the chain is timestamped in order, so seq and time rise together) and also checked on `at`."""
    f = filters or TimelineFilter(**kwargs)
    qs = LedgerEntry.objects.all()
    if f.project:
        qs = qs.filter(project=f.project)
    if f.actor:
        qs = qs.filter(_actor_q(f.actor))
    if f.model:
        qs = qs.filter(object_type=f.model)
    if f.action:
        qs = qs.filter(action=f.action)
    if f.since or f.until:
        qs = _period(qs, f.since, f.until)
    return qs.order_by("-seq")


def _actor_q(actor: str) -> Q:
    if actor.isdigit():
        return Q(actor_id=int(actor))
    user_id = get_user_model().objects.filter(username=actor).values_list("pk", flat=True).first()
    return Q(actor_id=user_id) if user_id is not None else Q(actor=actor)


def _period(qs: QuerySet[LedgerEntry], since: dt.datetime | None, until: dt.datetime | None) -> QuerySet[LedgerEntry]:
    if since:
        first = LedgerEntry.objects.filter(at__gte=since).order_by("at", "seq").values_list("seq", flat=True).first()
        qs = qs.filter(seq__gte=first if first is not None else 2**62, at__gte=since)
    if until:
        after = LedgerEntry.objects.filter(at__gte=until).order_by("at", "seq").values_list("seq", flat=True).first()
        qs = qs.filter(at__lt=until) if after is None else qs.filter(seq__lt=after, at__lt=until)
    return qs


@dataclass
class TimelinePage:
    entries: list[LedgerEntry]
    next_before: int | None  # pass as `before` for the next (older) page; None on the last page


def timeline_page(filters: TimelineFilter, *, before: int | None = None, size: int = PAGE_SIZE) -> TimelinePage:
    """One page of the filtered timeline, newest first, by keyset (`seq < before`): no OFFSET, no COUNT, so the
    thousandth page costs what the first does."""
    qs = filters.queryset()
    if before is not None:
        qs = qs.filter(seq__lt=before)
    rows = list(qs[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return TimelinePage(entries=rows, next_before=rows[-1].seq if more and rows else None)


def project_trail(code: str, *, sealed: sealing.Sealed | None = None) -> QuerySet[LedgerEntry]:
    """A project's whole trail, oldest first: every change and event filed under its code, but those sealed now
    (`sealed=sealing.NOTHING` for a deliberate, recorded opening)."""
    sealed = sealing.current() if sealed is None else sealed
    return sealed.exclude(LedgerEntry.objects.filter(project=code)).order_by("seq")


def entry(seq: int) -> LedgerEntry | None:
    """The entry as a reader may see it (masked while sealed)."""
    found = LedgerEntry.objects.filter(seq=seq).first()
    return None if found is None else sealing.current().show(found)


def choices() -> dict[str, list[str]]:
    """The models and actions present in the ledger, for the filter form."""
    return {"models": [m for m in _distinct("object_type") if m], "actions": _distinct("action")}


def _distinct(column: str) -> list[str]:
    """DISTINCT by hopping along the column's index, one probe per value: a plain DISTINCT reads every entry
    (a million on a busy year), this reads as many index entries as there are values."""
    table = LedgerEntry._meta.db_table
    sql = (f"WITH RECURSIVE v(x) AS (SELECT MIN({column}) FROM {table} "  # noqa: S608 - fixed names
           f"UNION ALL SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > v.x) FROM v WHERE v.x IS NOT NULL) "
           f"SELECT x FROM v WHERE x IS NOT NULL")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


# --- diffs ----------------------------------------------------------------------------------------------------

_SKIP = {"history_id", "history_date", "history_change_reason", "history_type", "history_user",
         "history_user_id", "history_ip", "history_role"}
REDACTED = gettext_lazy("（已隐藏）")


def entry_diff(entry: LedgerEntry) -> list[dict[str, Any]]:
    """Field by field what an entry changed: [{"field", "name", "old", "new"}]. A row change is read from its
    historical record and the one before it; an event shows its recorded data (old is None). Sealed or secret
    fields show only that they changed; a masked entry (audit.sealing) shows nothing."""
    if getattr(entry, "sealed", False):
        return []
    if not entry.history_model or entry.history_id is None:
        return _event_diff(entry)
    try:
        model = apps.get_model(entry.history_model)
    except LookupError:
        return []
    record = model.objects.filter(pk=entry.history_id).first()
    if record is None:
        return []
    previous = record.prev_record
    changes = []
    for field in model._meta.concrete_fields:
        if field.name in _SKIP or field.attname in _SKIP:
            continue
        new = getattr(record, field.attname)
        old = getattr(previous, field.attname) if previous is not None else None
        if (previous is None and new in (None, "")) or (previous is not None and old == new):
            continue
        changes.append({"field": str(field.verbose_name), "name": field.attname,
                        "old": _readable(field, old), "new": _readable(field, new)})
    return changes


def _readable(field: Any, value: Any) -> Any:
    """A reference as the object's name with its id, a choice with its label; everything else as stored."""
    if value is None or value == "":
        return _show(field.attname, value)
    if field.is_relation and field.related_model is not None:
        target = field.related_model._default_manager.filter(pk=value).first()
        return f"{target} (#{value})" if target is not None else f"#{value}"
    if field.choices:
        label = dict(field.flatchoices).get(value)
        return f"{label} ({value})" if label is not None else _show(field.attname, value)
    return _show(field.attname, value)


def _event_diff(entry: LedgerEntry) -> list[dict[str, Any]]:
    if not isinstance(entry.data, dict):
        return [] if entry.data is None else [{"field": "data", "name": "data", "old": None, "new": entry.data}]
    return [{"field": key, "name": key, "old": None, "new": _show(key, value)} for key, value in entry.data.items()]


def _show(name: str, value: Any) -> Any:
    if value not in (None, "") and any(marker in name.lower() for marker in REDACTED_MARKERS):
        return REDACTED
    if value is None or isinstance(value, bool | int | str | float):
        return value
    return str(value)


# --- chain status -----------------------------------------------------------------------------------------------

VERIFIED_ACTION = "audit_verified"


def leaf_index(seq: int) -> int | None:
    """The entry's position in the tree, None while it waits for the sequencer."""
    return Leaf.objects.filter(entry_seq=seq).values_list("index", flat=True).first()


def log_status() -> dict[str, Any]:
    """The tree as it stands (size, root, entries still waiting for a position) and the latest signed checkpoint
    with its witnesses' cosignatures: what the home page publishes."""
    size = merkle.tree_size()
    latest = checkpoints.latest()
    return {
        "tree_size": size, "root_hash": merkle.root(size).hex(), "pending": PendingEntry.objects.count(),
        "checkpoint": latest, "cosignatures": list(latest.cosignatures.order_by("witness")) if latest else [],
        "vkey": checkpoints.verifier_keys()[0],
    }


def chain_status() -> dict[str, Any]:
    """The log's status and the last recorded verification (an `audit_verified` event)."""
    last = LedgerEntry.objects.filter(action=VERIFIED_ACTION).order_by("-seq").first()
    return {**log_status(), "last_verification": last}


def with_diffs(entries: list[LedgerEntry], *, sealed: sealing.Sealed | None = None,
               ) -> list[tuple[LedgerEntry, list[dict[str, Any]]]]:
    """Each entry as a reader may see it, with its diff."""
    sealed = sealing.current() if sealed is None else sealed
    return [(shown, entry_diff(shown)) for shown in map(sealed.show, entries)]
