"""Compare two normalized schemas into typed findings.

Objects are compared with ``==`` first; only the tables (and views) that differ are handed to
deepdiff, whose paths are translated here into findings so they never reach a report. Both
schemas must already be in the same normal form: no dialect knowledge lives in this module.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import Any

from schemavet.compare.findings import CHANGED, MISSING, UNEXPECTED, Finding
from schemavet.model import EXTRA_DEFAULTS, ForeignKey, Namespace, Schema, Table, View, comparable

# Attributes the spec may leave unstated; then whatever the database has is accepted.
_UNSTATED_OK = frozenset({"name"})

_MEMBER_TYPES = {
    "columns": "column",
    "foreign_keys": "foreign key",
    "unique": "unique constraint",
    "checks": "check constraint",
    "indexes": "index",
    "triggers": "trigger",
    "exclusions": "exclusion constraint",
    "policies": "policy",
}


def diff_schemas(expected: Schema, actual: Schema) -> list[Finding]:
    """Every difference between an expected and an actual schema, in a stable order."""
    findings: list[Finding] = []
    single = len(expected.namespaces) == 1 and expected.namespaces.keys() == actual.namespaces.keys()
    for key in _union(expected.namespaces, actual.namespaces):
        exp, act = expected.namespaces.get(key), actual.namespaces.get(key)
        prefix = "" if single else f"{(exp or act).name}."  # type: ignore[union-attr]
        if exp is None or act is None:
            kind = MISSING if act is None else UNEXPECTED
            line = exp.line if exp else None
            findings.append(Finding(kind, "schema", prefix.rstrip("."), line=line, where=("schema", key)))
            continue
        findings += [_placed(f, "schema", key) for f in _diff_namespace(exp, act, prefix)]
    return findings


def _placed(finding: Finding, kind: str, key: str) -> Finding:
    """``finding`` with its place inside the ``kind`` called ``key`` prefixed to its ``where``."""
    return replace(finding, where=(kind, key, *finding.where))


def _union(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    return list(first) + [key for key in second if key not in first]


def _diff_namespace(expected: Namespace, actual: Namespace, prefix: str) -> list[Finding]:
    findings: list[Finding] = []
    for kind, exp_objects, act_objects in (
        ("table", expected.tables, actual.tables),
        ("view", expected.views, actual.views),
        ("enum", expected.enums, actual.enums),
        ("sequence", expected.sequences, actual.sequences),
        ("domain", expected.domains, actual.domains),
        ("function", expected.functions, actual.functions),
        ("extension", expected.extensions, actual.extensions),
    ):
        for key in _union(exp_objects, act_objects):
            exp, act = exp_objects.get(key), act_objects.get(key)
            if exp is not None and act is not None and exp == act and _same_order(exp, act):
                continue
            label = prefix + (exp if exp is not None else act).name  # type: ignore[union-attr]
            if exp is None or act is None:
                missing = MISSING if act is None else UNEXPECTED
                line = exp.line if exp else None
                findings.append(Finding(missing, kind, label, line=line, where=(kind, key)))
            else:
                findings += [_placed(f, kind, key) for f in _diff_object(kind, label, exp, act)]
    return findings


def _same_order(expected: Any, actual: Any) -> bool:
    """Dicts compare equal in any order; a table's columns must also come in the same order."""
    return not isinstance(expected, Table) or list(expected.columns) == list(actual.columns)


def _column_order(label: str, expected: Table, actual: Table) -> list[Finding]:
    """A finding when the columns both sides have come in another order (SELECT *, INSERT)."""
    common = expected.columns.keys() & actual.columns.keys()
    exp_order = tuple(expected.columns[k].name for k in expected.columns if k in common)
    act_order = tuple(actual.columns[k].name for k in actual.columns if k in common)
    if [k for k in expected.columns if k in common] == [k for k in actual.columns if k in common]:
        return []
    return [Finding(CHANGED, "table", label, "column_order", exp_order, act_order, line=expected.line)]


def _diff_object(kind: str, label: str, expected: Any, actual: Any) -> list[Finding]:
    """Findings for one table, view or enum that exists on both sides but differs."""
    from deepdiff import DeepDiff  # only a schema that drifted pays for the import

    exp_doc, act_doc = _document(expected, actual), _document(actual, expected)
    tree = DeepDiff(exp_doc, act_doc, view="tree", threshold_to_diff_deeper=0)
    seen: set[tuple[str, ...]] = set()
    findings: list[Finding] = []
    for report_type, levels in tree.items():
        for level in levels:
            path = tuple(level.path(output_format="list"))
            finding = _translate(kind, label, (expected, actual), exp_doc, act_doc, path, report_type)
            if finding is None:
                continue
            identity = (finding.kind, finding.object, finding.attribute or "")
            if identity not in seen:
                seen.add(identity)
                findings.append(finding)
    if isinstance(expected, Table):
        findings += _column_order(label, expected, actual)
    return sorted(findings, key=lambda f: (f.line or 0, f.object, f.attribute or ""))


def _document(obj: Table | View | Any, other: Any) -> dict[str, Any]:
    """The object as plain nested dicts, collections keyed by identity (a table without the
    dialect options the other side has reads as having that dialect's plain ones)."""
    if isinstance(obj, Table):
        options = obj.options
        if options is None and other.options is not None:
            options = type(other.options)()
        return {
            "options": comparable(options) if options is not None else {},
            "primary_key": {"primary_key": comparable(obj.primary_key)},
            **{section: comparable(members) for section, members in _members(obj).items()},
        }
    if isinstance(obj, View):
        return {
            "options": {"query": obj.query, "columns": obj.columns, "materialized": obj.materialized},
            "triggers": comparable(obj.triggers),
            "indexes": comparable(obj.indexes),
        }
    return {"options": {k: v for k, v in comparable(obj).items()}}


def _columns_key(columns: tuple[str, ...]) -> str:
    return ", ".join(columns)


def _members(table: Table) -> dict[str, dict[str, Any]]:
    """A table's members by section, each keyed by what identifies it on both sides."""
    return {
        "columns": table.columns,
        "foreign_keys": _distinct(_keyed_foreign_keys(table.foreign_keys)),
        "unique": _distinct((_columns_key(u.columns), u) for u in table.uniques),
        "checks": _distinct((c.expression, c) for c in table.checks),
        "indexes": table.indexes,
        "triggers": table.triggers,
        "exclusions": _distinct((x.definition, x) for x in table.exclusions),
        "policies": table.policies,
    }


def _distinct(pairs: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """Pairs as a dict; a key that repeats gets " #2", " #3" so no member hides another."""
    keyed: dict[str, Any] = {}
    for key, member in pairs:
        unique_key, n = key, 1
        while unique_key in keyed:
            n += 1
            unique_key = f"{key} #{n}"
        keyed[unique_key] = member
    return keyed


def _keyed_foreign_keys(foreign_keys: tuple[ForeignKey, ...]) -> Iterator[tuple[str, ForeignKey]]:
    """Foreign keys keyed by their columns; by columns and target where columns repeat."""
    counts: dict[tuple[str, ...], int] = {}
    for fk in foreign_keys:
        counts[fk.columns] = counts.get(fk.columns, 0) + 1
    for fk in foreign_keys:
        key = _columns_key(fk.columns)
        yield (key if counts[fk.columns] == 1 else f"{key} -> {fk.ref_table}"), fk


def _translate(
    kind: str,
    label: str,
    pair: tuple[Any, Any],
    exp_doc: dict[str, Any],
    act_doc: dict[str, Any],
    path: tuple[Any, ...],
    report_type: str,
) -> Finding | None:
    expected, actual = pair
    section = path[0]
    if section in ("options", "primary_key"):
        return _attribute_change(kind, label, expected, exp_doc, act_doc, path)
    if len(path) == 2:
        member_kind = MISSING if "removed" in report_type else UNEXPECTED
        member = path[1]
        line = _member_line(expected, section, member) if member_kind == MISSING else expected.line
        owner = expected if member_kind == MISSING else actual
        return Finding(
            member_kind,
            _MEMBER_TYPES[section],
            _member_label(label, section, member, owner),
            expected=exp_doc[section].get(member),
            actual=act_doc[section].get(member),
            line=line,
            where=(_MEMBER_TYPES[section], member),
        )
    attribute = path[2]
    exp_value = _value(exp_doc[section][path[1]], attribute)
    act_value = _value(act_doc[section][path[1]], attribute)
    if attribute in _UNSTATED_OK and exp_value is None:
        return None
    return Finding(
        CHANGED,
        _MEMBER_TYPES[section],
        _member_label(label, section, path[1], expected),
        attribute,
        exp_value,
        act_value,
        line=_member_line(expected, section, path[1]),
        where=(_MEMBER_TYPES[section], path[1]),
    )


def _attribute_change(
    kind: str,
    label: str,
    expected: Any,
    exp_doc: dict[str, Any],
    act_doc: dict[str, Any],
    path: tuple[Any, ...],
) -> Finding | None:
    section = path[0]
    if section == "primary_key":
        exp_pk, act_pk = exp_doc[section]["primary_key"], act_doc[section]["primary_key"]
        if exp_pk is None or act_pk is None:
            return Finding(
                MISSING if act_pk is None else UNEXPECTED,
                "primary key",
                label,
                line=expected.line,
                where=("primary key",),
            )
        attribute = path[2]
        if attribute in _UNSTATED_OK and exp_pk[attribute] is None:
            return None
        line = expected.primary_key.line or expected.line
        return Finding(
            CHANGED,
            "primary key",
            label,
            attribute,
            _value(exp_pk, attribute),
            _value(act_pk, attribute),
            line=line,
            where=("primary key",),
        )
    attribute = path[1]
    return Finding(
        CHANGED,
        kind,
        label,
        attribute,
        _value(exp_doc[section], attribute),
        _value(act_doc[section], attribute),
        line=expected.line,
    )


def _value(document: dict[str, Any], attribute: str) -> Any:
    """An attribute of a member's plain data; one only some dialects use may be left out."""
    return document.get(attribute, EXTRA_DEFAULTS.get(attribute))


def _member_line(expected: Any, section: str, key: str) -> int | None:
    members = _members(expected)[section] if isinstance(expected, Table) else getattr(expected, section)
    member = members.get(key)
    line: int | None = member.line if member is not None and member.line else expected.line
    return line


def _member_label(label: str, section: str, key: str, owner: Any) -> str:
    if section == "checks":
        return f"{label}: CHECK ({key})"
    if section == "unique":
        return f"{label}({key})"
    if section == "foreign_keys":
        return f"{label}.{key}" if "," not in key else f"{label}({key})"
    members = _members(owner)[section] if isinstance(owner, Table) else getattr(owner, section, {})
    named = members.get(key)
    return f"{label}.{named.name or key if named is not None else key}"
