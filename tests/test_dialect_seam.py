"""A dialect is one folder plus one registry line: a tiny one, defined here, is enough for the CLI,
config, URL parsing, spec loading and lint's dialect choice, with no edit anywhere else.

And the rule that keeps it so: no module outside a dialect's folder compares an engine name to a
string literal (it asks the dialect instead); the import contracts of the layers hold.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from schemavet.cli import main
from schemavet.config import lint_dialect
from schemavet.dialect import registry
from schemavet.dialect.base import Dialect
from schemavet.dialect.url import parse_db_url
from schemavet.model import Column, Namespace, PrimaryKey, Schema, Table
from schemavet.spec.load import parse_spec
from schemavet.sql.ddl import CORE_HANDLERS, Grammar, default_term

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "schemavet"

# The databases of the fake engine: a URL's host part names one.
_DATABASES = {
    "shop": Schema(
        "fakedb",
        {
            "store": Namespace(
                "store",
                tables={
                    "items": Table(
                        "items",
                        columns={"id": Column("id", "int", nullable=False), "name": Column("name", "text")},
                        primary_key=PrimaryKey(("id",)),
                    )
                },
            )
        },
    )
}


class FakeDB(Dialect):
    """A dialect of the test's own: its databases live in a dict; names ignore case."""

    name = "fakedb"
    title = "FakeDB"
    aliases = ("fake",)
    url_schemes = ("fakedb",)
    default_namespace = "store"

    def name_key(self, name: str) -> str:
        return name.lower()

    def location(self, url: str, rest: str) -> str:
        return rest

    def inspect(self, location: str) -> Schema:
        return _DATABASES[location]

    def normalize(self, schema: Schema) -> Schema:
        return schema

    def grammar(self) -> Grammar:
        return Grammar("FakeDB", CORE_HANDLERS, default_term)

    def lint_replay(self, server: str | None, python_steps: bool) -> _Replay:
        return _Replay()


class _Replay:
    """The least a replay state does: accept every statement, know no table."""

    def tables_among(self, names: frozenset[str]) -> frozenset[str]:
        return frozenset()

    def attach(self, ctx: object) -> None: ...
    def before_file(self, names: frozenset[str]) -> None: ...
    def start_file(self, transactional: bool) -> None: ...
    def before_statement(self, ctx: object, statement: object) -> None: ...
    def end_file(self) -> None: ...
    def close(self) -> None: ...

    def apply(self, statement: object) -> str | None:
        return None

    def apply_with_yoyo(self, migration: object) -> str | None:
        return None


@pytest.fixture
def fake_dialect() -> Iterator[Dialect]:
    """FakeDB in the registry for one test: a module of its own, one registry line."""
    module = types.ModuleType("fake_dialect_for_tests")
    module.DIALECT = FakeDB()  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    registry.register("fakedb", module.__name__)
    try:
        yield module.DIALECT  # type: ignore[attr-defined]
    finally:
        registry.unregister("fakedb")
        del sys.modules[module.__name__]


_SPEC = """\
engine: fakedb
tables:
  items:
    columns:
      id: int NOT NULL PRIMARY KEY
      name: text
"""


def test_urls_name_the_fake_dialect(fake_dialect: Dialect) -> None:
    url = parse_db_url("fakedb://shop")
    assert (url.engine, url.location) == ("fakedb", "shop")


def test_a_spec_for_it_loads_into_its_default_namespace(fake_dialect: Dialect) -> None:
    spec = parse_spec(_SPEC)
    assert spec.engines == ("fakedb",)
    assert list(spec.schema.namespaces) == ["store"]
    assert spec.schema.namespaces["store"].tables["items"].columns["id"].nullable is False


def test_verify_through_the_cli(fake_dialect: Dialect, tmp_path: Path) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(_SPEC)
    clean = CliRunner().invoke(main, ["verify", "--db", "fakedb://shop", "--spec", str(spec)])
    assert clean.exit_code == 0, clean.output
    spec.write_text(_SPEC.replace("name: text", "name: text NOT NULL"))
    drifted = CliRunner().invoke(main, ["verify", "--db", "fakedb://shop", "--spec", str(spec)])
    assert drifted.exit_code == 1 and 'Column "items.name"' in drifted.output


def test_config_and_lint_accept_it(fake_dialect: Dialect, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.schemavet.lint]\ndialect = "fake"\n')
    assert lint_dialect(str(tmp_path)) == "fake"
    migrations = tmp_path / "migrations"
    migrations.mkdir()
    (migrations / "0001.items.sql").write_text("CREATE TABLE items (id int PRIMARY KEY);\n")
    result = CliRunner().invoke(main, ["lint", "--dialect", "fakedb", str(migrations)])
    assert result.exit_code == 0, result.output


def test_an_unknown_dialect_is_one_sentence() -> None:
    result = CliRunner().invoke(main, ["lint", "--dialect", "oracle", "."])
    assert result.exit_code == 2 and "'oracle' is not one of: sqlite, postgresql, postgres" in result.output


# --- no engine names compared outside a dialect's folder ------------------------------------------

_ENGINE_NAMES = frozenset({"sqlite", "sqlite3", "postgres", "postgresql", "pg", "mysql"})


def engine_comparisons(source: str) -> list[int]:
    """Lines where an engine name as a string literal is compared (==, !=, in, not in, match)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            if any(_names_an_engine(operand) for operand in operands):
                lines.append(node.lineno)
        elif isinstance(node, ast.match_case) and _names_an_engine(node.pattern):
            lines.append(node.pattern.lineno)
    return lines


def _names_an_engine(node: ast.AST) -> bool:
    if isinstance(node, ast.MatchValue):
        node = node.value
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value.lower() in _ENGINE_NAMES
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return any(_names_an_engine(item) for item in node.elts)
    return False


def _outside_dialect_folders() -> list[Path]:
    dialect_folders = [p for p in (SRC / "dialects").iterdir() if (p / "__init__.py").exists()]
    return [
        path
        for path in sorted(SRC.rglob("*.py"))
        if not any(folder in path.parents for folder in dialect_folders)
    ]


@pytest.mark.parametrize(
    "snippet, flagged",
    [
        ('if url.engine == "sqlite": pass', True),
        ('ok = dialect != "postgres"', True),
        ('ok = name in ("sqlite", "postgresql")', True),
        ('match engine:\n    case "postgresql": pass', True),
        ("if dialect.name == registry.default_name(): pass", False),
        ('label = "sqlite"', False),
    ],
)
def test_the_detector_sees_a_comparison(snippet: str, flagged: bool) -> None:
    assert bool(engine_comparisons(snippet)) is flagged


def test_no_module_outside_a_dialect_compares_an_engine_name() -> None:
    offenders = {
        str(path.relative_to(ROOT)): lines
        for path in _outside_dialect_folders()
        if (lines := engine_comparisons(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_the_import_contracts_hold() -> None:
    """The layers in pyproject.toml's [tool.importlinter] (import-linter, a test dependency)."""
    result = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]


# --- the spec's column language is the dialect's -----------------------------------------------

_PG_COLUMNS = {
    "id": "bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY",
    "created_at": "timestamptz NOT NULL DEFAULT now()",
    "settings": "jsonb NOT NULL DEFAULT '{}'::jsonb",
    "account_id": "bigint NOT NULL REFERENCES billing.accounts(id) ON DELETE CASCADE",
}


def _spec_with(engine: str, columns: dict[str, str]) -> str:
    lines = "".join(f"      {name}: {definition}\n" for name, definition in columns.items())
    return f"engine: {engine}\ntables:\n  invoices:\n    columns:\n{lines}"


def test_postgresql_column_lines_load_with_their_meaning() -> None:
    # billing.accounts belongs to another application: listed as external, not declared
    spec = _spec_with("postgresql", _PG_COLUMNS) + "external: [billing.accounts]\n"
    table = parse_spec(spec).schema.namespaces["public"].tables["invoices"]
    columns = table.columns
    assert columns["id"].identity == "ALWAYS" and table.primary_key is not None
    assert columns["created_at"].default == "now()" and not columns["created_at"].nullable
    assert columns["settings"].default == "'{}'::jsonb"
    (fk,) = table.foreign_keys
    assert (fk.ref_schema, fk.ref_table, fk.ref_columns, fk.on_delete) == (
        "billing",
        "accounts",
        ("id",),
        "CASCADE",
    )


@pytest.mark.parametrize(
    "column, sentence",
    [
        ("id", "SQLite has no identity columns"),
        ("created_at", "SQLite needs parentheses around a DEFAULT expression"),
        ("settings", "SQLite has no '::' casts"),
        ("account_id", "SQLite foreign keys reference a table of the same database"),
    ],
)
def test_the_same_lines_fail_under_sqlite_with_a_sentence(column: str, sentence: str) -> None:
    from schemavet.errors import SpecError

    with pytest.raises(SpecError) as raised:
        parse_spec(_spec_with("sqlite", {column: _PG_COLUMNS[column]}))
    assert sentence in str(raised.value) and f'column "{column}"' in str(raised.value)


@pytest.mark.parametrize(
    "definition, sentence",
    [
        ("INTEGER PRIMARY KEY AUTOINCREMENT", "Unexpected 'AUTOINCREMENT'"),
        ("TEXT NOT NULL ON CONFLICT REPLACE", "Unexpected 'ON'"),
    ],
)
def test_sqlite_clauses_fail_under_postgresql(definition: str, sentence: str) -> None:
    from schemavet.errors import SpecError

    with pytest.raises(SpecError) as raised:
        parse_spec(_spec_with("postgresql", {"c": definition}))
    assert sentence in str(raised.value)
