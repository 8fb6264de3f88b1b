"""Rendering reports for people (text) and for programs (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from schemavet.api import Report
from schemavet.findings import Finding


def _location(report: Report, finding: Finding) -> str:
    return f"{report.spec_path}:{finding.line}" if finding.line else report.spec_path


def render_text(report: Report) -> str:
    """One line per finding, then a one-line summary."""
    lines = [f"{f.message} ({_location(report, f)})" for f in report.findings]
    if report.ok:
        lines.append(f"OK: {report.database} matches {report.spec_path}")
    else:
        count = len(report.findings)
        noun = "difference" if count == 1 else "differences"
        lines.append(f"FAIL: {count} {noun} between {report.database} and {report.spec_path}")
    return "\n".join(lines)


def report_document(report: Report) -> dict[str, Any]:
    """A report as JSON-ready data: what was compared, whether it matched, the findings."""
    return {
        "database": report.database,
        "spec": report.spec_path,
        "ok": report.ok,
        "findings": [f.as_dict(report.spec_path) for f in report.findings],
    }


def render_json(report: Report) -> str:
    """One report as a JSON document."""
    return json.dumps(report_document(report), indent=2, default=str)


def render_json_many(reports: Sequence[tuple[str, Report]]) -> str:
    """Several named reports (one per application) as one JSON document."""
    documents = [{"app": name, **report_document(report)} for name, report in reports]
    return json.dumps({"ok": all(r.ok for _, r in reports), "reports": documents}, indent=2, default=str)
