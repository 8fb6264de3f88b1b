"""The spec side printed by the server: spellings no text normalizer knows compare equal, and
differences stay differences (both sides printed on the embedded server)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from schemavet.compare.diff import diff_schemas
from schemavet.dialects.postgres.inspect import inspect_postgres
from schemavet.dialects.postgres.normalize import normalize_postgres_pair
from tests.dialects.postgres.conftest import Database
from tests.dialects.postgres.test_equivalence import replaced_at

SQL = """
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE t (
  a int, b text, d date DEFAULT '2020-01-01', i interval DEFAULT '1 day', m mood DEFAULT 'ok',
  ts timestamptz, n numeric DEFAULT 1.50,
  CONSTRAINT c1 CHECK (date_trunc('day', ts) = ts),
  CONSTRAINT c2 CHECK (a BETWEEN 1 AND 10)
);
CREATE INDEX t_expr ON t ((a::text));
CREATE VIEW v AS SELECT a, b FROM t WHERE a > 0;
"""

# (path, a spelling the server reads as what it printed): beyond the text normalizer
SAME = [
    ("public/tables/t/columns/d/default", "'2020-1-1'"),
    ("public/tables/t/columns/i/default", "interval '1 day'"),
    ("public/tables/t/columns/i/default", "'1 days'::interval"),
    ("public/tables/t/columns/n/default", "'1.50'"),
    ("public/tables/t/indexes/t_expr/columns", ["(CAST(a AS text))"]),
    ("public/views/v/query", "SELECT t.a, t.b FROM public.t WHERE t.a > 0"),
]
DIFFERENT = [
    ("public/tables/t/columns/d/default", "'2020-1-2'"),
    ("public/tables/t/columns/i/default", "'24 hours'::interval"),  # not a day: DST tells them apart
    ("public/tables/t/checks/1/expression", "a >= 1 and a < 10"),
    ("public/views/v/query", "select a, b from t where a >= 0"),
]


@pytest.fixture
def inspected(pg_database: Database) -> Any:
    pg_database.run(SQL)
    return inspect_postgres(pg_database.url)


@pytest.mark.parametrize(("path", "spelling"), SAME, ids=[f"{p}={v}" for p, v in SAME])
def test_printed_by_the_server_the_spellings_agree(
    inspected: Any, pg_server: str, path: str, spelling: Any
) -> None:
    spec = replaced_at(inspected, path, spelling)
    text_only = diff_schemas(*normalize_postgres_pair(spec, inspected))
    printed = diff_schemas(*normalize_postgres_pair(spec, inspected, server=pg_server))
    assert text_only, "a case the text normalizer alone already handles proves nothing here"
    assert printed == []


@pytest.mark.parametrize(("path", "spelling"), DIFFERENT, ids=[f"{p}={v}" for p, v in DIFFERENT])
def test_printed_by_the_server_differences_remain(
    inspected: Any, pg_server: str, path: str, spelling: Any
) -> None:
    spec = replaced_at(inspected, path, spelling)
    assert diff_schemas(*normalize_postgres_pair(spec, inspected, server=pg_server)) != []


def test_an_expression_the_server_refuses_keeps_its_text(inspected: Any, pg_server: str) -> None:
    spec = replaced_at(inspected, "public/tables/t/checks/1/expression", "no_such_function(a)")
    findings = diff_schemas(*normalize_postgres_pair(spec, inspected, server=pg_server))
    assert [f.object for f in findings] != []


def test_rendering_leaves_the_server_as_it_was(inspected: Any, pg_server: str, pg_database: Database) -> None:
    spec = replaced_at(inspected, "public/tables/t/columns/d/default", "'2020-1-1'")
    databases = "SELECT datname FROM pg_database ORDER BY 1"
    before = pg_database.query(databases)
    normalize_postgres_pair(spec, replace(inspected), server=pg_server)
    assert pg_database.query(databases) == before
