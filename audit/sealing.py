"""Entries the ledger records whole but may not yet show whole.

A law can keep a party secret for a while — who registered for a project, and how many, until its registration
deadline (招标投标法 art. 22) — while the ledger must record the act the moment it happens, and its chain is
never changed. So a reader of the ledger shows such an entry *masked*: what happened and when, not who, from
where, on which object or in which project; and leaves it out of any selection narrowed to a person, an
organisation or a project, where its mere presence would say it. The app that knows the rule registers it here
(`register`, from its AppConfig.ready: audit imports no domain app); every reader of the ledger — the inspectors'
timeline, entry pages, trails, exports and API, the admin, the dossier's audit extract — asks `current()` once
per answer."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from audit.models import LedgerEntry
from core import clock


@dataclass(frozen=True)
class Seal:
    """Entries sealed now, and what a reader sees in place of who."""

    seqs: frozenset[int]
    note: Any  # text, or a lazy translation resolved when shown


Rule = Callable[[dt.datetime], Iterable[Seal]]
_rules: list[Rule] = []

# what a masked entry keeps empty: every field that could name a person, an organisation, an object or a project
MASKED = {"actor_id": None, "actor": "", "ip": "", "object_id": "", "history_id": None, "project": "", "data": None}


def register(rule: Rule) -> None:
    if rule not in _rules:
        _rules.append(rule)


@dataclass(frozen=True)
class Sealed:
    """The entries sealed at one moment, by seq, with their notes."""

    notes: Mapping[int, Any] = field(default_factory=dict)

    def __contains__(self, seq: object) -> bool:
        return seq in self.notes

    def exclude(self, qs: QuerySet[LedgerEntry]) -> QuerySet[LedgerEntry]:
        """A narrowed selection without the sealed entries."""
        return qs.exclude(seq__in=list(self.notes)) if self.notes else qs

    def show(self, entry: LedgerEntry) -> LedgerEntry:
        """The entry as a reader may see it: itself, or its masked copy."""
        return masked(entry, self.notes[entry.seq]) if entry.seq in self.notes else entry


NOTHING = Sealed()


def current(at: dt.datetime | None = None) -> Sealed:
    at = at or clock.now()
    notes: dict[int, Any] = {}
    for rule in _rules:
        for seal in rule(at):
            for seq in seal.seqs:
                notes.setdefault(seq, seal.note)
    return Sealed(notes)


def _refuse(*args: Any, **kwargs: Any) -> None:
    raise TypeError("a masked ledger entry is a view of the entry; it is never written")


def masked(entry: LedgerEntry, note: Any) -> LedgerEntry:
    """A copy to show, never to save: the identifying fields empty, the note as its reason, `sealed` set. The
    hashes stay, so the entry still has its place in the chain."""
    shown = copy.copy(entry)
    for name, value in MASKED.items():
        setattr(shown, name, value)
    shown.reason = str(note)
    shown.sealed = True
    shown.save = shown.delete = _refuse
    return shown
