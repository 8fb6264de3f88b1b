"""Rendering a review: a text page a reviewer reads beside the SQL, and JSON for programs.

Each change is one line with a marker: ``+`` added, ``-`` removed, ``~`` changed (old → new),
``!`` lost without a DROP, ``#`` row counts, ``✗`` the migration failed to apply (it is then
the last step), then the step's lint findings as ``file:line:col CODE message``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from schemavet.compare.changes import ADDED, REMOVED, Change
from schemavet.compare.findings import CHANGED, show
from schemavet.compare.outcomes import Loss, RowCount, StepEffect
from schemavet.diagnostics import ERROR
from schemavet.model import option_label
from schemavet.sql.tokens import quote_identifier

_MARKERS = {ADDED: "+", REMOVED: "-", CHANGED: "~"}


def render_text(directory: str, effects: Sequence[StepEffect]) -> str:
    """Per step: the file, its changes, its losses, its row counts, its lint findings; a summary."""
    lines: list[str] = []
    for effect in effects:
        lines += _step_lines(effect)
        lines.append("")
    lines.append(summary_line(directory, effects))
    return "\n".join(lines)


def render_json(directory: str, effects: Sequence[StepEffect]) -> str:
    """The review as one JSON document."""
    document = {
        "directory": directory,
        "ok": not any(e.failed for e in effects),
        "steps": [e.as_dict() for e in effects],
    }
    return json.dumps(document, indent=2, default=str)


def _step_lines(effect: StepEffect) -> list[str]:
    header = effect.path + (" (post-apply hook)" if effect.post_apply else "")
    lines = [header]
    lines += ["  " + describe_change(c) for c in effect.changes]
    lines += ["  " + describe_loss(loss) for loss in effect.losses]
    lines += ["  " + describe_rows(r) for r in effect.rows]
    if effect.error is not None:
        lines.append(f"  ✗ failed to apply: {effect.error}")
    elif not (effect.changes or effect.losses or effect.rows):
        lines.append("  (no schema change)")
    lines += [f"  {d.location} {d.code} {d.message}" for d in effect.diagnostics]
    return lines


def summary_line(directory: str, effects: Sequence[StepEffect]) -> str:
    """``OK: reviewed 3 migrations in DIR``, or ``FAIL: …`` with what failed."""
    losses = sum(len(e.losses) for e in effects)
    errors = sum(1 for e in effects for d in e.diagnostics if d.severity == ERROR)
    steps = _count(len(effects), "migration")
    broken = [e.migration for e in effects if e.error is not None]
    if not losses and not errors and not broken:
        return f"OK: reviewed {steps} in {directory}"
    problems = [f"{name} failed to apply" for name in broken]
    problems += [_count(n, noun) for n, noun in ((losses, "implicit loss"), (errors, "lint error")) if n]
    return f"FAIL: reviewed {steps} in {directory}: " + ", ".join(problems)


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ses" if noun.endswith("ss") else noun + "s"
    return f"{n} {noun if n == 1 else plural}"


def describe_change(change: Change) -> str:
    """One line: ``+ index idx_x on cvs (status)``, ``~ column cvs.status: nullable → NOT NULL``."""
    marker = _MARKERS[change.action]
    if change.action == CHANGED:
        return f"{marker} {_subject(change)}: {_attribute_change(change)}"
    definition = change.new if change.action == ADDED else change.old
    return f"{marker} {_unique(definition)}{_subject(change)}{_detail(change.object_type, definition)}"


def describe_loss(loss: Loss) -> str:
    """``! lost index idx_y on cvs (status) (dropped with rebuilt table cvs)``."""
    owner = quote_identifier(loss.table)
    what = f"{_unique(loss.definition)}{loss.object_type} {quote_identifier(loss.name)} on {owner}"
    how = "rebuilt table" if loss.owner_type == "table" else "recreated view"
    return f"! lost {what}{_detail(loss.object_type, loss.definition)} (dropped with {how} {owner})"


def describe_rows(rows: RowCount) -> str:
    """``# rows in projects: 0 → 1``."""
    return f"# rows in {quote_identifier(rows.table)}: {rows.before} → {rows.after}"


def _subject(change: Change) -> str:
    name = quote_identifier(change.name)
    if change.table is None:
        return f"{change.object_type} {name}"
    table = quote_identifier(change.table)
    if change.object_type == "column":
        return f"column {table}.{name}"
    if change.object_type in ("index", "trigger"):
        return f"{change.object_type} {name} on {table}"
    if change.object_type == "primary key":
        return f"primary key of {table}"
    if change.object_type == "check constraint":
        return f"check constraint on {table}: {change.name}"
    return f"{change.object_type} {table} ({_names(change.name.split(', '))})"


def _names(names: Sequence[str]) -> str:
    return ", ".join(quote_identifier(n) for n in names)


def _detail(object_type: str, definition: Any) -> str:
    if not isinstance(definition, dict):
        return ""
    render = _DETAILS.get(object_type)
    return render(definition) if render is not None else ""


def _table_detail(definition: dict[str, Any]) -> str:
    columns = definition.get("columns") or {}
    text = f" ({_names(list(columns))})" if columns else ""
    key = definition.get("primary_key") or {}
    if key.get("columns"):
        text += f" PRIMARY KEY ({_names(key['columns'])})"
    if definition.get("virtual"):
        text += f" USING {definition['virtual']}"
    return text


def _view_detail(definition: dict[str, Any]) -> str:
    query = " ".join(str(definition.get("query", "")).split())
    return f" AS {query}" if query else ""


def _column_detail(definition: dict[str, Any]) -> str:
    parts = [definition.get("type") or ""]
    if definition.get("nullable") is False:
        parts.append("NOT NULL")
    if definition.get("default") is not None:
        parts.append(f"DEFAULT {definition['default']}")
    if definition.get("collation"):
        parts.append(f"COLLATE {definition['collation']}")
    generated = definition.get("generated")
    if generated:
        stored = "STORED" if generated.get("stored") else "VIRTUAL"
        parts.append(f"AS ({generated.get('expression')}) {stored}")
    text = " ".join(p for p in parts if p)
    return f" {text}" if text else ""


def _unique(definition: Any) -> str:
    return "unique " if isinstance(definition, dict) and definition.get("unique") is True else ""


def _index_detail(definition: dict[str, Any]) -> str:
    text = f" ({', '.join(definition.get('columns') or ())})"
    if definition.get("where"):
        text += f" WHERE {definition['where']}"
    return text


def _foreign_key_detail(definition: dict[str, Any]) -> str:
    target = quote_identifier(str(definition.get("ref_table", "")))
    ref_columns = definition.get("ref_columns") or ()
    text = f" → {target}" + (f" ({_names(ref_columns)})" if ref_columns else "")
    for event in ("delete", "update"):
        action = definition.get(f"on_{event}")
        if action and action != "NO ACTION":
            text += f" ON {event.upper()} {action}"
    deferrable = definition.get("deferrable")
    if deferrable and deferrable != "NOT DEFERRABLE":
        text += f" {deferrable}"
    return text


def _trigger_detail(definition: dict[str, Any]) -> str:
    words = str(definition.get("definition", "")).split()
    upper = [w.upper() for w in words]
    head = " ".join(words[: upper.index("ON")] if "ON" in upper else words[:3])
    return f" {head}" if head else ""


def _primary_key_detail(definition: dict[str, Any]) -> str:
    return f" ({', '.join(definition.get('columns') or ())})"


_DETAILS: dict[str, Callable[[dict[str, Any]], str]] = {
    "table": _table_detail,
    "view": _view_detail,
    "column": _column_detail,
    "index": _index_detail,
    "foreign key": _foreign_key_detail,
    "trigger": _trigger_detail,
    "primary key": _primary_key_detail,
}


def _attribute_change(change: Change) -> str:
    attribute = change.attribute or ""
    label = _ATTRIBUTE_LABELS.get(attribute, option_label(attribute) or attribute.replace("_", " "))
    render = _ATTRIBUTE_VALUES.get(change.attribute or "", show)
    old, new = render(change.old), render(change.new)
    return f"{old} → {new}" if label == "" else f"{label} {old} → {new}"


def _nullable(value: Any) -> str:
    return "nullable" if value else "NOT NULL"


def _default(value: Any) -> str:
    return "no default" if value is None else f"DEFAULT {value}"


def _type(value: Any) -> str:
    return str(value) if value else "no type"


_ATTRIBUTE_LABELS = {
    "nullable": "",
    "default": "",
    "type": "type",
    "column_order": "column order",
    "on_delete": "ON DELETE",
    "on_update": "ON UPDATE",
}


def _one_line(value: Any) -> str:
    """A view's query or a trigger's body on one line: its line breaks are layout."""
    return " ".join(str(value).split()) if value is not None else "none"


_ATTRIBUTE_VALUES: dict[str, Callable[[Any], str]] = {
    "nullable": _nullable,
    "default": _default,
    "type": _type,
    "query": _one_line,
    "definition": _one_line,
}
