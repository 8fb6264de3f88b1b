"""The HTML pages: a schema's diagram, a review (one card per migration, its tables drawn before
and after with the changed ones highlighted), a verification (the drifted tables highlighted).

What is highlighted is read from typed data, never from labels: a review step's changes
(:class:`schemavet.compare.changes.Change`) and losses, a finding's ``where``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from html import escape

from schemavet.compare.changes import ADDED, REMOVED
from schemavet.compare.findings import MISSING, UNEXPECTED, Finding
from schemavet.compare.outcomes import Report, StepEffect
from schemavet.model import Schema
from schemavet.report.diagram import Diagram, TableRef, build_diagram, table_refs
from schemavet.report.html import diagram_html, legend_html, render_page
from schemavet.report.review import describe_change, describe_loss, describe_rows, summary_line

_REVIEW_MARKS = {"added": "added table", "removed": "removed table", "changed": "changed table"}
_VERIFY_MARKS = {
    "missing": "missing from the database",
    "unexpected": "in the database, not in the spec",
    "drifted": "differs from the spec",
}


def diagram_page(diagram: Diagram, source: str, version: str = "") -> str:
    """A page with the diagram of ``source`` (a spec file or a database URL without password)."""
    tables = sum(len(part.tables) for part in diagram.parts)
    return render_page(f"Schema: {source}", escape(f"{tables} tables"), diagram_html(diagram), version)


# --- review --------------------------------------------------------------------------------------


def review_page(directory: str, effects: Sequence[StepEffect], version: str = "") -> str:
    """One card per migration: changes, losses, row counts, lint findings, error, and its
    touched tables before and after."""
    summary = summary_line(directory, effects)
    status = "fail" if summary.startswith("FAIL") else "ok"
    marks = [mark for e in effects for side in _step_marks(e) for mark in side.values()]
    body = legend_html(marks, _REVIEW_MARKS) + "".join(_card(effect) for effect in effects)
    return render_page(
        f"Review: {directory}", f'<span class="{status}">{escape(summary)}</span>', body, version
    )


def _card(effect: StepEffect) -> str:
    title = escape(effect.path + (" (post-apply hook)" if effect.post_apply else ""))
    sections = [
        _items("Changes", [(_change_class(c.action), describe_change(c)) for c in effect.changes]),
        _items("Implicit losses", [("loss", describe_loss(loss)) for loss in effect.losses]),
        _items("Row counts", [("rows", describe_rows(r)) for r in effect.rows]),
        _items("Lint", [("lint", f"{d.location} {d.code} {d.message}") for d in effect.diagnostics]),
    ]
    if effect.error is not None:
        sections.append(_items("Failed to apply", [("error", f"✗ {effect.error}")]))
    if not (effect.changes or effect.losses or effect.rows or effect.error):
        sections.append('<p class="muted">No schema change.</p>')
    sections.append(_before_after(effect))
    failed = " failed" if effect.failed else ""
    opening = f'<section class="card{failed}" data-migration="{escape(effect.migration)}">'
    return f"{opening}<h2>{title}</h2>{''.join(sections)}</section>"


def _change_class(action: str) -> str:
    return {ADDED: "added", REMOVED: "removed"}.get(action, "changed")


def _items(heading: str, items: list[tuple[str, str]]) -> str:
    if not items:
        return ""
    lis = "".join(f'<li class="{cls}">{escape(text)}</li>' for cls, text in items)
    return f'<h3>{escape(heading)}</h3><ul class="items">{lis}</ul>'


def _before_after(effect: StepEffect) -> str:
    """The tables the step touched, before and after, side by side (only where there are any)."""
    before_marks, after_marks = _step_marks(effect)
    figures = []
    for caption, schema, marks in (
        ("Before", effect.before, before_marks),
        ("After", effect.after, after_marks),
    ):
        if schema is not None and any(ns.tables for ns in schema.namespaces.values()):
            notes = _column_notes(effect, schema, after=caption == "After")
            figures.append(diagram_html(build_diagram(schema, marks, notes=notes), caption))
        elif schema is not None:
            figures.append(
                f'<figure><figcaption>{caption}</figcaption><p class="muted">No table.</p></figure>'
            )
    if not any("<pre" in figure for figure in figures):
        return ""
    return f'<h3>Tables touched</h3><div class="pair">{"".join(figures)}</div>'


def _step_marks(effect: StepEffect) -> tuple[dict[TableRef, str], dict[TableRef, str]]:
    """What to highlight before and after: tables removed or changed, and added or changed."""
    removed: set[str] = set()
    added: set[str] = set()
    changed: set[str] = set()
    for change in effect.changes:
        if change.table is None and change.object_type == "table":
            (added if change.action == ADDED else removed if change.action == REMOVED else changed).add(
                change.name
            )
        elif change.table is not None:
            changed.add(change.table)
    changed |= {loss.table for loss in effect.losses if loss.owner_type == "table"}
    before = _marked(effect.before, [(removed, "removed"), (changed, "changed")])
    after = _marked(effect.after, [(added, "added"), (changed, "changed")])
    return before, after


def _column_notes(effect: StepEffect, schema: Schema, after: bool) -> dict[TableRef, dict[str, str]]:
    """Beside each column the step added (after), removed (before) or changed (both): what it did."""
    words: dict[TableRef, dict[str, list[str]]] = {}
    refs = table_refs(schema, {c.table for c in effect.changes if c.table is not None})
    for change in effect.changes:
        if change.object_type != "column" or change.table not in refs:
            continue
        if change.action == (REMOVED if after else ADDED):
            continue
        word = {ADDED: "added", REMOVED: "removed"}.get(change.action)
        attribute = word or (change.attribute or "definition").replace("_", " ")
        words.setdefault(refs[change.table], {}).setdefault(change.name, []).append(attribute)
    return {ref: {name: _note(said) for name, said in columns.items()} for ref, columns in words.items()}


def _note(said: list[str]) -> str:
    """``added``, ``removed``, or the attributes that changed: ``default, nullable changed``."""
    return said[0] if said[0] in ("added", "removed") else f"{', '.join(said)} changed"


def _marked(schema: Schema | None, groups: Iterable[tuple[set[str], str]]) -> dict[TableRef, str]:
    if schema is None:
        return {}
    marks: dict[TableRef, str] = {}
    for names, mark in groups:
        for ref in table_refs(schema, names).values():
            marks.setdefault(ref, mark)
    return marks


# --- verify --------------------------------------------------------------------------------------


def verify_page(report: Report, expected: Schema, actual: Schema, summary: str, version: str = "") -> str:
    """The drift report: the findings, and the spec's tables (with the database's unexpected ones)
    drawn with the drifted tables highlighted."""
    marks = drift_marks(report.findings)
    notes = drift_notes(report.findings)
    schema = with_unexpected_objects(expected, actual, marks, notes)
    findings = [(f.kind, f.message + (f" (line {f.line})" if f.line else "")) for f in report.findings]
    body = _items("Findings", findings) + _items("Warnings", [("warning", w) for w in report.warnings])
    body += legend_html(marks.values(), _VERIFY_MARKS)
    if any(ns.tables for ns in schema.namespaces.values()):
        body += diagram_html(build_diagram(schema, marks, notes=notes))
    status = "ok" if report.ok else "fail"
    title = f"Verify: {report.database} against {report.spec_path}"
    return render_page(
        title,
        f'<span class="{status}">{escape(summary)}</span>',
        f'<section class="card">{body}</section>',
        version,
    )


def drift_marks(findings: Iterable[Finding]) -> dict[TableRef, str]:
    """Each table a finding is about: missing, unexpected, or drifted (a member or attribute)."""
    marks: dict[TableRef, str] = {}
    for finding in findings:
        where = finding.where
        if len(where) < 4 or where[0] != "schema" or where[2] != "table":
            continue
        ref = TableRef(where[1], where[3])
        whole = len(where) == 4 and finding.kind in (MISSING, UNEXPECTED)
        mark = ("missing" if finding.kind == MISSING else "unexpected") if whole else "drifted"
        if whole or ref not in marks:
            marks[ref] = mark
    return marks


def drift_notes(findings: Iterable[Finding]) -> dict[TableRef, dict[str, str]]:
    """Beside each column a finding is about: missing, unexpected, or which attribute differs."""
    notes: dict[TableRef, dict[str, str]] = {}
    for finding in findings:
        where = finding.where
        if len(where) != 6 or where[0] != "schema" or where[2] != "table" or where[4] != "column":
            continue
        if finding.kind in (MISSING, UNEXPECTED):
            note = finding.kind
        else:
            note = (finding.attribute or "definition").replace("_", " ") + " differs"
        notes.setdefault(TableRef(where[1], where[3]), {})[where[5]] = note
    return notes


def with_unexpected_objects(
    expected: Schema, actual: Schema, marks: dict[TableRef, str], notes: dict[TableRef, dict[str, str]]
) -> Schema:
    """The expected schema with what only the database has added: the tables marked unexpected,
    and the columns noted unexpected (after the table's own)."""
    namespaces = dict(expected.namespaces)
    for ref in dict.fromkeys([*marks, *notes]):  # in the findings' order
        table = (
            actual.namespaces[ref.namespace].tables.get(ref.table)
            if ref.namespace in actual.namespaces
            else None
        )
        if table is None:
            continue
        base = namespaces.get(ref.namespace) or replace(actual.namespaces[ref.namespace], tables={})
        drawn = base.tables.get(ref.table)
        if marks.get(ref) == "unexpected" or drawn is None:
            drawn = table
        else:
            extra = {k: c for k, c in table.columns.items() if notes.get(ref, {}).get(k) == UNEXPECTED}
            drawn = replace(drawn, columns={**drawn.columns, **extra})
        namespaces[ref.namespace] = replace(base, tables={**base.tables, ref.table: drawn})
    return replace(expected, namespaces=namespaces)
