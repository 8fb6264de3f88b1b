"""A fleet's outcome: each database's findings, databases grouped by identical findings, a baseline.

Plain data and pure functions: the fleet command (:mod:`schemavet.commands.fleet`) fills them and
the renderer (:mod:`schemavet.report.fleet`) reads them. A finding's identity is what it says
about the schema (kind, object, attribute, expected, actual, detail), never its message, so two
databases with the same drift share a group whatever their names. With ``--migrations`` a group
is also one :class:`Position` in the migrations directory: databases with the same findings, one
never migrated past 0003 and one up to date, are two groups.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from schemavet.compare.findings import CHANGED, MISSING, POLICY, UNEXPECTED, UNREADABLE, Finding, plain

#: A baseline entry's database that stands for every database of the fleet.
ANY_DATABASE = "*"


def identity(finding: Finding) -> str:
    """A finding's stable identity as one line of JSON (keys sorted): what it says, not where it is shown."""
    return json.dumps(identity_fields(finding), sort_keys=True, default=str)


def identity_fields(finding: Finding) -> dict[str, Any]:
    """The fields a finding's identity is made of (the baseline file writes them out)."""
    fields: dict[str, Any] = {
        "kind": finding.kind,
        "object_type": finding.object_type,
        "object": finding.object,
    }
    optional = {
        "attribute": finding.attribute,
        "expected": plain(finding.expected),
        "actual": plain(finding.actual),
        "detail": finding.detail,
        "path": finding.path,
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    return fields


def unreadable(error: str, *names: str) -> Finding:
    """Why a database could not be read, as a finding (its own group, and a baseline can accept it).

    The database's ``names`` (its label, its path) are taken out of the reason, so that every
    file corrupt in the same way shares one group.
    """
    for name in sorted(filter(None, names), key=len, reverse=True):
        error = re.sub(rf'(?i)(?:database(?: file| path)? )?"{re.escape(name)}"', "the database", error)
        error = error.replace(name, "the database")
    return Finding(UNREADABLE, "database", "", detail=error[:1].lower() + error[1:])


# --- where a database stands in the migrations directory (--migrations) ---------------------------

LATEST = "latest"  # every migration of the directory is applied
BEHIND = "behind"  # some are not applied yet: the position names the furthest one that is
UNTRACKED = "untracked"  # yoyo recorded no migration: the database was not migrated by yoyo
UNKNOWN = "unknown"  # the database could not be read: where it stands is not known

_MISSED_SHOWN = 2  # migrations a label names that were skipped before the furthest applied


@dataclass(frozen=True)
class Position:
    """A database's place in the migrations directory, read from yoyo's bookkeeping.

    ``migration`` is the furthest migration (in the directory's order) yoyo recorded as applied:
    the directory's last one when the database is up to date, None when yoyo recorded none.
    ``missed`` are the migrations before it that are not applied (one added to the middle of
    the directory later, by a merge): a database can be behind at the directory's last migration.
    """

    state: str
    migration: str | None = None
    missed: tuple[str, ...] = ()

    @property
    def label(self) -> str | None:
        """``at migration 0003.usage-tracking`` for a database behind; None when up to date."""
        if self.state == BEHIND:
            return f"at migration {self.migration}{self._but_not()}"
        if self.state == UNTRACKED:
            return "not migrated by yoyo"
        if self.state == UNKNOWN:
            return "at an unknown migration"
        return None

    def _but_not(self) -> str:
        if not self.missed:
            return ""
        shown = ", ".join(self.missed[:_MISSED_SHOWN])
        rest = len(self.missed) - _MISSED_SHOWN
        return f" but not {shown}" + (f" and {rest} more" if rest > 0 else "")

    def as_dict(self) -> dict[str, Any]:
        """What ``--format json`` says of a group's position."""
        return {"state": self.state, "migration": self.migration, "missed": list(self.missed)}

    def sort_key(self) -> tuple[str, str, tuple[str, ...]]:
        """Orders positions (up to date first among groups of one size)."""
        return ("" if self.state == LATEST else self.state, self.migration or "", self.missed)


def position(applied: Sequence[str], directory: Sequence[str]) -> Position:
    """Where a database stands: ``applied`` are the ids yoyo recorded (oldest first), ``directory``
    the directory's ids in yoyo's order. Up to date when every migration of the directory is
    applied (one applied that the directory no longer has is a content finding, not a position);
    else behind, at the furthest migration of the directory applied (the last recorded when the
    directory has none of them)."""
    if not applied:
        return Position(UNTRACKED)
    done = set(applied)
    if all(migration in done for migration in directory):
        return Position(LATEST, directory[-1] if directory else applied[-1])
    reached = [index for index, migration in enumerate(directory) if migration in done]
    if not reached:
        return Position(BEHIND, applied[-1])
    furthest = reached[-1]
    missed = tuple(m for m in directory[:furthest] if m not in done)
    return Position(BEHIND, directory[furthest], missed)


@dataclass
class Group:
    """Databases with exactly the same findings (by identity), and those findings once; with
    ``--migrations``, also at the same position in the migrations directory."""

    findings: tuple[Finding, ...]
    members: list[str] = field(default_factory=list)
    position: Position | None = None  # None without --migrations (and for unreadable databases)

    @property
    def label(self) -> str | None:
        """What the position adds to the group's summary (None: nothing, up to date or not asked;
        and for unreadable databases, whose reason says why their position is unknown)."""
        if self.position is None or self.unreadable:
            return None
        return self.position.label

    @property
    def ok(self) -> bool:
        """True for the group of databases that match the spec."""
        return not self.findings

    @property
    def unreadable(self) -> bool:
        """True for a group of databases that could not be read."""
        return any(f.kind == UNREADABLE for f in self.findings)


@dataclass
class Fleet:
    """Every database verified so far, grouped; with a baseline, what it accepted and what is stale."""

    spec_path: str
    total: int
    groups: dict[tuple[Position | None, tuple[str, ...]], Group] = field(default_factory=dict)
    interrupted: bool = False
    accepted: int = 0  # findings the baseline accepted (counted once per database)
    stale: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    # what databases hold that schemavet does not model (without --strict): sentence → databases
    warnings: dict[str, int] = field(default_factory=dict)
    migrations: str | None = None  # the --migrations directory positions are read against

    def warn(self, sentence: str) -> None:
        """Count one database holding what ``sentence`` says."""
        self.warnings[sentence] = self.warnings.get(sentence, 0) + 1

    @property
    def done(self) -> int:
        """How many databases were verified (fewer than ``total`` after an interruption)."""
        return sum(len(g.members) for g in self.groups.values())

    @property
    def ok(self) -> bool:
        """True when every database verified matches the spec, up to what the baseline accepts."""
        return all(group.ok for group in self.groups.values())

    def add(self, database: str, findings: Iterable[Finding], position: Position | None = None) -> None:
        """File ``database`` under the group of its findings (and its position, when known)."""
        ordered = sorted(findings, key=_finding_order)
        key = (position, tuple(identity(f) for f in ordered))
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(tuple(ordered), position=position)
        group.members.append(database)

    def ordered_groups(self) -> list[Group]:
        """Groups largest first (matching databases first among equals), then by their findings;
        each group's members sorted (they arrive in the order the workers finish)."""
        for group in self.groups.values():
            group.members.sort()
        return sorted(self.groups.values(), key=lambda g: (-len(g.members), not g.ok, _group_key(g)))


def _group_key(group: Group) -> tuple[tuple[str, ...], tuple[str, str, tuple[str, ...]]]:
    place = group.position.sort_key() if group.position is not None else ("", "", ())
    return tuple(identity(f) for f in group.findings), place


# the catalog's differences before what follows from them (a plan that lost its index)
_KIND_ORDER = {kind: rank for rank, kind in enumerate((UNREADABLE, MISSING, UNEXPECTED, CHANGED, POLICY))}


def _finding_order(finding: Finding) -> tuple[int, str]:
    return _KIND_ORDER.get(finding.kind, len(_KIND_ORDER)), identity(finding)


# --- the baseline: accepted findings, keyed by identity and database ----------------------------


@dataclass
class Baseline:
    """Accepted findings: identity → the databases it is accepted in (``*``: any database)."""

    entries: dict[str, set[str]] = field(default_factory=dict)
    # identity → the finding's fields, as the file states them (for the stale report)
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (identity, database) pairs seen in this run
    seen: set[tuple[str, str]] = field(default_factory=set)

    def accepts(self, key: str, database: str) -> bool:
        """True when the finding ``key`` is accepted in ``database``; remembers that it occurred."""
        places = self.entries.get(key)
        if places is None:
            return False
        place = database if database in places else ANY_DATABASE if ANY_DATABASE in places else None
        if place is None:
            return False
        self.seen.add((key, place))
        return True

    def stale(self, verified: set[str]) -> Iterator[tuple[dict[str, Any], str]]:
        """Entries that no longer occur: for a database verified in this run, or ``*`` not seen at all."""
        for key, places in sorted(self.entries.items()):
            for place in sorted(places):
                checked = place == ANY_DATABASE or place in verified
                if checked and (key, place) not in self.seen:
                    yield self.fields[key], place


def split_accepted(
    database: str, findings: tuple[Finding, ...], baseline: Baseline | None
) -> tuple[list[Finding], int]:
    """The findings the baseline does not accept, and how many it did."""
    if baseline is None:
        return list(findings), 0
    kept = [f for f in findings if not baseline.accepts(identity(f), database)]
    return kept, len(findings) - len(kept)


BASELINE_VERSION = 1


def baseline_document(spec_path: str, outcomes: Iterable[tuple[str, tuple[Finding, ...]]]) -> dict[str, Any]:
    """The baseline file's content for these databases' findings: one entry per finding identity,
    with the databases it occurs in, sorted (stable and diff-friendly)."""
    places: dict[str, set[str]] = {}
    shown: dict[str, Finding] = {}
    for database, findings in outcomes:
        for finding in findings:
            key = identity(finding)
            places.setdefault(key, set()).add(database)
            shown.setdefault(key, finding)
    entries = [
        {
            "finding": identity_fields(shown[key]),
            "message": shown[key].message,
            "databases": sorted(places[key]),
        }
        for key in sorted(places)
    ]
    return {"schemavet_baseline": BASELINE_VERSION, "spec": spec_path, "accepted": entries}


def read_baseline(document: Any, where: str) -> Baseline:
    """A baseline from the parsed file; raises ValueError with what is wrong (``where`` names the file)."""
    if not isinstance(document, dict) or document.get("schemavet_baseline") != BASELINE_VERSION:
        raise ValueError(
            f'"{where}" is not a schemavet baseline (no "schemavet_baseline": {BASELINE_VERSION})'
        )
    entries = document.get("accepted")
    if not isinstance(entries, list):
        raise ValueError(f'Baseline "{where}" has no "accepted" list')
    baseline = Baseline()
    for number, entry in enumerate(entries, 1):
        fields, databases = _entry(entry, number, where)
        key = json.dumps(fields, sort_keys=True, default=str)
        baseline.entries.setdefault(key, set()).update(databases)
        baseline.fields[key] = fields
    return baseline


def _entry(entry: Any, number: int, where: str) -> tuple[dict[str, Any], list[str]]:
    fields = entry.get("finding") if isinstance(entry, dict) else None
    databases = entry.get("databases") if isinstance(entry, dict) else None
    if not isinstance(fields, dict) or not {"kind", "object_type", "object"} <= fields.keys():
        raise ValueError(
            f'Entry {number} of baseline "{where}" has no "finding" with kind, object_type and object'
        )
    if not isinstance(databases, list) or not all(isinstance(d, str) for d in databases):
        raise ValueError(f'Entry {number} of baseline "{where}" has no "databases" list of names (or "*")')
    return fields, databases
