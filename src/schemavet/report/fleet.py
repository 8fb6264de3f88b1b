"""Rendering a fleet: databases grouped by identical findings, each group's findings once."""

from __future__ import annotations

import json
from typing import Any

from schemavet.compare.findings import CHANGED, MISSING, UNEXPECTED, UNREADABLE, Finding
from schemavet.compare.fleet import Fleet, Group

#: How many members a group shows in text (``--format json`` lists them all).
SHOWN_MEMBERS = 3


def render_fleet_text(fleet: Fleet, baseline_path: str | None = None) -> str:
    """The summary line, each group that differs with a few members and its findings, the verdict."""
    lines = [summary(fleet)]
    for group in fleet.ordered_groups():
        if not group.ok or group.label is not None:
            lines += _group_lines(fleet, group)
    lines += [
        f"warning: {sentence} ({count:,} {_databases(count)})"
        for sentence, count in sorted(fleet.warnings.items())
    ]
    lines += _baseline_lines(fleet, baseline_path)
    lines.append(_verdict(fleet))
    return "\n".join(lines)


def summary(fleet: Fleet) -> str:
    """``9,950 match · 40 missing index "idx_cvs_status" · 10 at migration 0003 (missing table …)``:
    every group, largest first."""
    parts = [f"{len(g.members):,} {group_summary(g)}" for g in fleet.ordered_groups()]
    return " · ".join(parts) if parts else "no databases verified"


def group_summary(group: Group) -> str:
    """``match``, the findings' headline, or where a database behind stands and then that in
    parentheses: ``at migration 0003.usage-tracking (missing table "usage_events" (+3 more))``."""
    said = "match" if group.ok else headline(group)
    return said if group.label is None else f"{group.label} ({said})"


def headline(group: Group) -> str:
    """A group's findings in a few words: the first one's, and how many more."""
    first = _label(group.findings[0])
    more = len(group.findings) - 1
    return first + (f" (+{more} more)" if more else "")


def _label(finding: Finding) -> str:
    subject = f'{finding.object_type} "{finding.object}"'
    if finding.kind == UNREADABLE:
        return f"unreadable: {finding.detail}"
    if finding.kind in (MISSING, UNEXPECTED):
        return f"{finding.kind} {subject}"
    if finding.kind == CHANGED:
        return f"{subject}: {(finding.attribute or '').replace('_', ' ')} differs"
    return f"{finding.kind} {subject}"


def _group_lines(fleet: Fleet, group: Group) -> list[str]:
    count = len(group.members)
    shown = ", ".join(group.members[:SHOWN_MEMBERS])
    rest = count - SHOWN_MEMBERS
    noun = _databases(count)
    where = f" {group.label}" if group.label is not None else ""
    lines = [f"{count:,} {noun}{where} ({shown}{f', and {rest:,} more' if rest > 0 else ''}):"]
    if group.ok:  # shown for where it stands (--migrations): its schema matches
        return [*lines, "  no findings: the schema matches the spec"]
    return lines + [f"  {f.message}{_where(fleet, f)}" for f in group.findings]


def _databases(count: int) -> str:
    return "database" if count == 1 else "databases"


def _where(fleet: Fleet, finding: Finding) -> str:
    if finding.path is not None:
        return f" ({finding.path})"
    return f" ({fleet.spec_path}:{finding.line})" if finding.line else ""


def _baseline_lines(fleet: Fleet, baseline_path: str | None) -> list[str]:
    if baseline_path is None:
        return []
    lines = (
        [f"{fleet.accepted:,} findings accepted by the baseline {baseline_path}"] if fleet.accepted else []
    )
    for fields, database in fleet.stale:
        place = "any database" if database == "*" else database
        lines.append(
            f"Stale baseline entry: {_entry_label(fields)} no longer occurs in {place}; "
            f"remove it from {baseline_path} (--write-baseline rewrites it)"
        )
    return lines


def _entry_label(fields: dict[str, Any]) -> str:
    finding = Finding(
        fields["kind"],
        fields["object_type"],
        fields["object"],
        fields.get("attribute"),
        fields.get("expected"),
        fields.get("actual"),
        detail=fields.get("detail"),
        path=fields.get("path"),
    )
    return _label(finding)


def _verdict(fleet: Fleet) -> str:
    stop = f"INTERRUPTED after {fleet.done:,} of {fleet.total:,} databases; " if fleet.interrupted else ""
    differing = sum(len(g.members) for g in fleet.groups.values() if not g.ok)
    if not fleet.done:
        return f"{stop}nothing verified"
    if fleet.ok:
        return f"{stop}OK: {fleet.done:,} databases match {fleet.spec_path}"
    return f"{stop}FAIL: {differing:,} of {fleet.done:,} databases differ from {fleet.spec_path}"


def _positions(group: Group) -> dict[str, Any]:
    """With --migrations: the group's position, and each member's last applied migration (null:
    none recorded, or the database could not be read)."""
    place = group.position.as_dict() if group.position is not None else None
    migration = group.position.migration if group.position is not None else None
    return {"migration": place, "member_migrations": {member: migration for member in group.members}}


def render_fleet_json(fleet: Fleet) -> str:
    """The whole fleet as one JSON document: every group with every member."""
    groups = [
        {
            "count": len(g.members),
            "ok": g.ok,
            "summary": group_summary(g),
            "members": g.members,
            **(_positions(g) if fleet.migrations is not None else {}),
            "findings": [f.as_dict(fleet.spec_path) for f in g.findings],
        }
        for g in fleet.ordered_groups()
    ]
    document = {
        "spec": fleet.spec_path,
        "ok": fleet.ok,
        "databases": fleet.total,
        **({"migrations": fleet.migrations} if fleet.migrations is not None else {}),
        "verified": fleet.done,
        "interrupted": fleet.interrupted,
        "accepted": fleet.accepted,
        "groups": groups,
        "stale": [{"finding": fields, "database": db} for fields, db in fleet.stale],
        **(
            {"warnings": [{"message": m, "databases": n} for m, n in sorted(fleet.warnings.items())]}
            if fleet.warnings
            else {}
        ),
    }
    return json.dumps(document, indent=2, default=str)
