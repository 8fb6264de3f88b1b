"""The foreign-keys-indexed policy reads index terms as column names, whatever the names hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import schemavet

_PARENT = "CREATE TABLE p (id INTEGER PRIMARY KEY);\n"
_CASES = [
    # (the child's column, the index's key, whether the policy holds)
    ('"a COLLATE b"', '"a COLLATE b"', True),
    ('"x DESC"', '"x DESC" DESC', True),
    ('"q""q"', '"q""q" COLLATE NOCASE', True),
    ("c", "lower(c), c", False),  # led by an expression, not the column
    ("c", "c, lower(c)", True),
]


@pytest.mark.parametrize("column, key, holds", _CASES, ids=[c[1] for c in _CASES])
def test_foreign_key_column_leading_an_index(
    make_db: Any, tmp_path: Path, column: str, key: str, holds: bool
) -> None:
    db = make_db(
        _PARENT
        + f"CREATE TABLE child (id INTEGER PRIMARY KEY, {column} INTEGER REFERENCES p(id));\n"
        + f"CREATE INDEX ix ON child ({key});\n"
    )
    spec = tmp_path / "spec.yaml"
    spec.write_text(schemavet.snapshot(str(db)) + "policies:\n  - rule: foreign-keys-indexed\n")

    report = schemavet.verify(str(db), spec)

    assert report.ok is holds, [f.message for f in report.findings]
    if not holds:
        assert {f.kind for f in report.findings} == {"policy"}


_TENANTS = """
CREATE TABLE tenants (id TEXT PRIMARY KEY, created_at TEXT);
CREATE TABLE jobs (id TEXT PRIMARY KEY, tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
                   created_at TEXT);
CREATE TABLE notes (id TEXT PRIMARY KEY, owner TEXT REFERENCES tenants(id) ON DELETE CASCADE,
                    tenant_id TEXT REFERENCES tenants(id));
"""
_RULES = """
policies:
  - rule: columns-required
    description: timestamps
    columns: [id, created_at]
  - rule: references
    description: tenant cascades
    columns: [tenant_id]
    table: tenants
    on_delete: CASCADE
    except: [tenants]
"""


def test_columns_required_and_references_on_given_columns(make_db: Any, tmp_path: Path) -> None:
    db = make_db(_TENANTS)
    spec = tmp_path / "spec.yaml"
    spec.write_text(schemavet.snapshot(str(db)) + _RULES)

    findings = schemavet.verify(str(db), spec).findings

    # notes breaks both, in the spec and in the database: no created_at, and its CASCADE is on
    # owner, not on tenant_id; tenants is exempt from the second rule, jobs keeps both
    details = sorted({f.detail.split(": ", 1)[1] for f in findings if f.detail})
    assert details == [
        '"notes" has no column "created_at"',
        '"notes" references "tenants" with ON DELETE NO ACTION, not CASCADE',
    ]
    # each break once, saying it is in both (not once for the spec and once for the database)
    assert {f.kind for f in findings} == {"policy"} and len(findings) == 2
    places = {f.detail.split(" in the ")[1].split(":")[0] for f in findings if f.detail}
    assert places == {"spec and the database"}


@pytest.mark.parametrize(
    ("policy", "says"),
    [
        ("  - rule: columns-required\n", '"columns-required" policy needs "columns"'),
        (
            "  - {rule: foreign-keys-indexed, columns: [a]}\n",
            'A "foreign-keys-indexed" policy takes no "columns"',
        ),
        ("  - {rule: columns-required, columns: [id], except: [nowhere]}\n", 'names table "nowhere"'),
    ],
)
def test_a_wrong_policy_is_a_spec_error(make_db: Any, tmp_path: Path, policy: str, says: str) -> None:
    from schemavet.errors import SpecError
    from schemavet.spec.load import parse_spec

    with pytest.raises(SpecError, match=says):
        parse_spec(schemavet.snapshot(str(make_db(_TENANTS))) + "policies:\n" + policy)
