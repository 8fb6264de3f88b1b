"""Rendering reports for people (text) and for programs (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from schemavet.compare.findings import Finding
from schemavet.compare.migration_findings import MigrationFinding
from schemavet.compare.outcomes import Report
from schemavet.diagnostics import ERROR

if TYPE_CHECKING:
    from schemavet.report.formats import RuleInfo


def _location(report: Report, finding: Finding) -> str:
    if finding.path is not None:
        return f"{finding.path}:{finding.line}" if finding.line else finding.path
    return f"{report.spec_path}:{finding.line}" if finding.line else report.spec_path


def render_text(report: Report, hints: bool = True) -> str:
    """One line per finding (its hint indented below), then a one-line summary."""
    lines = []
    for f in report.findings:
        lines.append(f"{f.message} ({_location(report, f)})")
        hint = f.as_diagnostic(report.spec_path).hint if hints else None
        if hint:
            lines.append(f"    hint: {hint}")
    lines += [f"warning: {warning}" for warning in report.warnings]
    lines.append(_summary(report))
    return "\n".join(lines)


def _summary(report: Report) -> str:
    """The verdict: differences between schema and spec apart from the migrations' problems."""
    checked = f" (also {', '.join(report.checked)})" if report.checked else ""
    if report.ok:
        return f"OK: {report.database} matches {report.spec_path}{checked}"
    others = [f for f in report.findings if isinstance(f, MigrationFinding)]
    count = len(report.findings) - len(others)
    if count:
        verdict = f"{_plural(count, 'difference')} between {report.database} and {report.spec_path}"
    else:
        verdict = f"{report.database} matches {report.spec_path}, but"
    if others:
        kinds = ", ".join(sorted({f.kind for f in others}))
        verdict += (
            "; " if count else " "
        ) + f"{_plural(len(others), 'problem')} with the migrations ({kinds})"
    return f"FAIL: {verdict}{checked}"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


def report_document(report: Report) -> dict[str, Any]:
    """A report as JSON-ready data: what was compared, whether it matched, the findings."""
    return {
        "database": report.database,
        "spec": report.spec_path,
        "ok": report.ok,
        "findings": [f.as_dict(report.spec_path) for f in report.findings],
        "checked": list(report.checked),
        **({"warnings": list(report.warnings)} if report.warnings else {}),
    }


def render_json(report: Report) -> str:
    """One report as a JSON document."""
    return json.dumps(report_document(report), indent=2, default=str)


def render_json_many(reports: Sequence[tuple[str, Report]]) -> str:
    """Several named reports (one per application) as one JSON document."""
    documents = [{"app": name, **report_document(report)} for name, report in reports]
    return json.dumps({"ok": all(r.ok for _, r in reports), "reports": documents}, indent=2, default=str)


def render_rehearsal(rehearsal: Any) -> str:
    """Row counts per table, then the findings, the verification and a one-line summary."""
    applied = ", ".join(rehearsal.applied) or "nothing (none pending)"
    lines = [f"Adopted the copy: marked {', '.join(rehearsal.adopted)} applied"] if rehearsal.adopted else []
    lines.append(f"Applied to a copy of {rehearsal.database}: {applied}")
    width = max((len(t.table) for t in rehearsal.tables), default=0)
    for rows in rehearsal.tables:
        flag = f"  LOST {rows.lost}" if rows.lost else ""
        if rows.renamed_to is not None:
            flag = f"  renamed to {rows.renamed_to}{flag}"
        lines.append(
            f"  {rows.table:<{width}}  {_count(rows.before):>9} -> {_count(rows.after):<9}{flag}".rstrip()
        )
    lines += [f"{f.message} ({f.path})" for f in rehearsal.findings]
    lines += [f"warning: {warning}" for warning in rehearsal.warnings]
    lines += [f"Checked: {rehearsal.checked}"] if getattr(rehearsal, "checked", "") else []
    if rehearsal.verification is not None:
        lines += render_text(rehearsal.verification).splitlines()
    problems = len(rehearsal.findings) + (
        len(rehearsal.verification.findings) if rehearsal.verification else 0
    )
    lines.append(
        "OK: the rehearsal kept every row"
        if rehearsal.ok
        else f"FAIL: {_plural(problems, 'problem')} in the rehearsal"
    )
    return "\n".join(lines)


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def render_rehearsal_json(rehearsal: Any) -> str:
    """A rehearsal as one JSON document."""
    document = {
        "database": rehearsal.database,
        "ok": rehearsal.ok,
        "adopted": list(rehearsal.adopted),
        "applied": list(rehearsal.applied),
        "tables": [
            {
                "table": t.table,
                "before": t.before,
                "after": t.after,
                "lost": t.lost,
                "renamed_to": t.renamed_to,
            }
            for t in rehearsal.tables
        ],
        "findings": [f.as_dict() for f in rehearsal.findings],
        "verification": report_document(rehearsal.verification) if rehearsal.verification else None,
        "warnings": list(rehearsal.warnings),
        "checked": getattr(rehearsal, "checked", ""),
    }
    return json.dumps(document, indent=2, default=str)


_VERIFY_RULES = {
    "missing": "An object the spec declares is missing from the database",
    "unexpected": "The database has an object the spec does not declare",
    "changed": "An object differs between the spec and the database",
    "policy": "A policy the spec states does not hold",
    "plan": "A query the spec names does not have the plan it declares",
    "behaviour": "A foreign-key action the spec declares did not happen when tried",
    "unproven": "A foreign-key action the spec declares could not be tried",
}


def verify_rules() -> dict[str, RuleInfo]:
    """The SARIF catalogue entries of verify's finding kinds (codes ``verify/<kind>``)."""
    from schemavet.report.formats import RuleInfo

    return {
        f"verify/{kind}": RuleInfo(f"verify/{kind}", kind, summary, ERROR)
        for kind, summary in _VERIFY_RULES.items()
    }
