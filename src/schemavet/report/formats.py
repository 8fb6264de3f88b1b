"""Render located diagnostics for people and for CI: text, JSON, GitHub annotations, SARIF 2.1.0.

Every function takes a list of :class:`~schemavet.diagnostics.Diagnostic`, whatever command
produced it (lint points at migration files, verify at spec lines), and returns the text.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Protocol

from schemavet.diagnostics import ERROR, Diagnostic

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/schemavet/schemavet"
LINT_DOCS_URI = INFORMATION_URI + "/blob/main/docs/lint.md"


@dataclass(frozen=True)
class RuleInfo:
    """What SARIF's ``tool.driver.rules`` says of a rule: its code, name, summary, severity."""

    code: str
    name: str
    summary: str
    severity: str
    help: str = ""
    help_uri: str = ""


def render_text(diagnostics: list[Diagnostic]) -> str:
    """``path:line:col CODE message`` per finding, the hint indented below, and a count."""
    lines = []
    for d in diagnostics:
        lines.append(f"{d.location} {d.code} {d.message}")
        if d.hint:
            lines.append(f"    hint: {d.hint}")
    errors = sum(d.severity == ERROR for d in diagnostics)
    lines.append(
        f"{len(diagnostics)} finding{'s' * (len(diagnostics) != 1)} ({errors} at error severity)"
        if diagnostics
        else "No findings."
    )
    return "\n".join(lines)


def render_json(diagnostics: list[Diagnostic]) -> str:
    """One JSON document: ``{"findings": [...], "errors": n, "warnings": n}``."""
    errors = sum(d.severity == ERROR for d in diagnostics)
    document = {
        "findings": [asdict(d) for d in diagnostics],
        "errors": errors,
        "warnings": len(diagnostics) - errors,
    }
    return json.dumps(document, indent=2)


def render_github(diagnostics: list[Diagnostic]) -> str:
    """GitHub Actions workflow commands: ``::error file=…,line=…,col=…,title=CODE::message``."""
    return "\n".join(_github_line(d) for d in diagnostics)


def _github_line(d: Diagnostic) -> str:
    level = "error" if d.severity == ERROR else "warning"
    properties = [f"file={_github_property(d.path)}"]
    if d.line is not None:
        properties.append(f"line={d.line}")
        if d.column is not None:
            properties.append(f"col={d.column}")
    properties.append(f"title={_github_property(d.code)}")
    message = d.message + (f"\n{d.hint}" if d.hint else "")
    return f"::{level} {','.join(properties)}::{_github_data(message)}"


def _github_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _github_property(text: str) -> str:
    return _github_data(text).replace(":", "%3A").replace(",", "%2C")


def render_sarif(
    diagnostics: list[Diagnostic], rules: Mapping[str, RuleInfo] | None = None, tool_version: str = "0"
) -> str:
    """A SARIF 2.1.0 log with one run: the rule catalogue and one result per finding."""
    catalogue = dict(rules or {})
    for d in diagnostics:  # codes outside the catalogue (verify's kinds) still get a rule entry
        catalogue.setdefault(d.code, RuleInfo(d.code, d.code, d.code, d.severity))
    codes = sorted(catalogue)
    run = {
        "tool": {
            "driver": {
                "name": "schemavet",
                "version": tool_version,
                "informationUri": INFORMATION_URI,
                "rules": [_sarif_rule(catalogue[c]) for c in codes],
            }
        },
        "results": [_sarif_result(d, codes.index(d.code)) for d in diagnostics],
    }
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _sarif_rule(rule: RuleInfo) -> dict[str, object]:
    entry: dict[str, object] = {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary},
        "defaultConfiguration": {"level": _sarif_level(rule.severity)},
    }
    if rule.help:
        entry["help"] = {"text": rule.help}
    if rule.help_uri:
        entry["helpUri"] = rule.help_uri
    return entry


def _sarif_result(d: Diagnostic, rule_index: int) -> dict[str, object]:
    region: dict[str, int] = {}
    if d.line is not None:
        region["startLine"] = d.line
        if d.column is not None:
            region["startColumn"] = d.column
    location: dict[str, object] = {"artifactLocation": {"uri": _uri(d.path)}}
    if region:
        location["region"] = region
    text = d.message + (f" Hint: {d.hint}" if d.hint else "")
    return {
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": _sarif_level(d.severity),
        "message": {"text": text},
        "locations": [{"physicalLocation": location}],
    }


def _sarif_level(severity: str) -> str:
    return "error" if severity == ERROR else "warning"


def _uri(path: str) -> str:
    """The file as a SARIF URI: relative to the working directory when it is under it (what code
    scanning resolves against the repository), a file:// URI otherwise; reserved characters escaped."""
    import os
    from urllib.parse import quote

    if os.path.isabs(path):
        relative = os.path.relpath(path)
        if relative.startswith(".."):
            return "file://" + quote(path.replace("\\", "/"), safe="/")
        path = relative
    return quote(path.replace("\\", "/"), safe="/")


def error_document(output_format: str, message: str, tool_version: str = "0") -> str:
    """An input error (exit 2) as a document of ``output_format``: JSON ``{"ok": false,
    "error": …}``, a SARIF log whose run failed with the error as a notification, or one GitHub
    ``::error`` annotation."""
    if output_format == "github":
        return f"::error title=schemavet::{_github_data(message)}"
    if output_format == "sarif":
        run = {
            "tool": {
                "driver": {"name": "schemavet", "version": tool_version, "informationUri": INFORMATION_URI}
            },
            "invocations": [
                {
                    "executionSuccessful": False,
                    "toolExecutionNotifications": [{"level": "error", "message": {"text": message}}],
                }
            ],
            "results": [],
        }
        return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)
    return json.dumps({"ok": False, "error": message, "findings": []}, indent=2)


RENDERERS: dict[str, Callable[[list[Diagnostic]], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "sarif": render_sarif,
}


class _Described(Protocol):
    """A catalogue entry: a lint rule class has these as class attributes."""

    code: str
    name: str
    severity: str


def rule_infos(rules: Iterable[_Described]) -> dict[str, RuleInfo]:
    """RuleInfo for each lint rule class: code, name, severity, and its docstring as help."""
    infos = {}
    for rule in rules:
        doc = inspect.cleandoc(rule.__doc__ or "")
        summary = doc.splitlines()[0] if doc else rule.code
        infos[rule.code] = RuleInfo(rule.code, rule.name, summary, rule.severity, doc, rule_help_uri(rule))
    return infos


def rule_help_uri(rule: _Described) -> str:
    """The rule's section of docs/lint.md (GitHub's anchor of ``#### SV101 `drop-table```)."""
    return f"{LINT_DOCS_URI}#{rule.code.lower()}-{rule.name}"
