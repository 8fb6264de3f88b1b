"""Fuzzing what users write: every input gives a result or a one-sentence error, never a traceback.

The readers of the files a user writes (the spec, the migration files, ``pyproject.toml``'s
``[tool.schemavet]``) get real files mutated (Samsara's spec and migrations, the lint
pitfalls, this project's pyproject) and documents generated from their vocabularies. Each
must return a result or raise a :class:`SchemavetError` (which the CLI prints as one sentence
with exit code 2); any other exception is an internal error, and fails the test. A crash found
once is pinned as an ``@example``. How many examples: ``tests/fuzzing.py``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

import schemavet
from schemavet.cli import main
from schemavet.config import ignore_patterns, lint_dialect, lint_settings, load_apps
from schemavet.dialects.sqlite import background
from schemavet.errors import SchemavetError
from schemavet.lint import lint_paths
from schemavet.sql.tokens import tokenize
from tests.fuzzing import fuzz_settings, mutated

ROOT = Path(__file__).resolve().parents[1]
SAMSARA_SPEC = (ROOT / "schema" / "samsara.yaml").read_text(encoding="utf-8")
MIGRATIONS = sorted((ROOT / "migrations" / "samsara").glob("*.sql")) + sorted(
    (ROOT / "tests" / "lint" / "pitfalls").rglob("*.sql")
)
PYPROJECT = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
TOOL_TABLE = PYPROJECT[PYPROJECT.index("[tool.schemavet") : PYPROJECT.index("[tool.pytest")]


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    """A directory for the examples' files (in memory where the machine has /dev/shm)."""
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    path = Path(tempfile.mkdtemp(prefix="schemavet-fuzz-", dir=base))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(autouse=True, scope="module")
def read_in_process() -> Iterator[None]:
    """Read catalogs in this process: a fork per example costs more than the example."""
    saved = background._can_fork
    background._can_fork = lambda: False
    yield
    background._can_fork = saved


@pytest.fixture(scope="module")
def empty_db(scratch: Path) -> str:
    """An empty SQLite database: a spec read against it is read and normalized whole."""
    path = scratch / "empty.db"
    sqlite3.connect(path).close()
    return str(path)


def result_or_sentence(call: Any, *args: Any) -> Any:
    """``call(*args)``, or None when it refused the input with a one-sentence SchemavetError."""
    try:
        return call(*args)
    except SchemavetError as e:
        message = str(e)
        assert message.strip() and "Traceback" not in message, message
        return None


# --- the spec -------------------------------------------------------------------------------

SPEC_WORDS = (
    "schemavet engine tables columns primary_key foreign_keys indexes checks unique views triggers "
    "policies queries rule table on_delete on_update references nullable default collation type "
    "generated stored expression where name sql columns deferrable rowid_alias on_conflict "
    "autoincrement without_rowid strict uses scan query sort description enums values allowed "
    "forbidden identity schemas flag op using"
).split()
SQL_BITS = [
    "TEXT",
    "INTEGER PRIMARY KEY",
    "TEXT NOT NULL DEFAULT 'x'",
    "REAL CHECK (x > 0)",
    "INT REFERENCES t(id) ON DELETE CASCADE",
    "id",
    "t",
    "CASCADE",
    "SET NULL",
    "lower(name)",
    "x > 0",
    "DEFERRABLE INITIALLY DEFERRED",
    "NOCASE",
    "SELECT 1",
    "CREATE TRIGGER x AFTER INSERT ON t BEGIN SELECT 1; END",
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.floats(allow_nan=True)
    | st.sampled_from(SQL_BITS)
    | st.sampled_from(SPEC_WORDS)
    | st.text(max_size=12)
)
spec_values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(SPEC_WORDS) | st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=10,
)
names = st.sampled_from(["id", "t", "p", "T", "é", "a b", "", "x"])
columns = st.dictionaries(names, st.sampled_from(SQL_BITS) | scalars | spec_values, min_size=1, max_size=4)
table_bodies = st.fixed_dictionaries(
    {"columns": columns | spec_values},
    optional={
        word: spec_values | st.lists(st.sampled_from(SQL_BITS) | names, max_size=3)
        for word in ["primary_key", "foreign_keys", "indexes", "checks", "unique", "triggers"]
    },
)
generated_specs = st.fixed_dictionaries(
    {
        "schemavet": st.just(1) | st.sampled_from([2, "1", None]),
        "tables": st.dictionaries(names, table_bodies | spec_values, max_size=3),
    },
    optional={
        "engine": st.just("sqlite") | st.sampled_from(["postgresql", "mysql", "", None, 1]),
        "views": spec_values,
        "policies": spec_values,
        "queries": spec_values,
    },
)


def verified(db: str, spec: Path, text: str) -> None:
    spec.write_text(text, encoding="utf-8", errors="surrogatepass")
    result_or_sentence(schemavet.verify, db, spec)


@given(text=mutated(SAMSARA_SPEC, SQL_BITS + SPEC_WORDS))
@fuzz_settings()
def test_a_mutated_spec_is_read_or_refused(scratch: Path, empty_db: str, text: str) -> None:
    verified(empty_db, scratch / "mutated.yaml", text)


@given(document=generated_specs)
@fuzz_settings(0.7)
def test_a_generated_spec_is_read_or_refused(scratch: Path, empty_db: str, document: dict[str, Any]) -> None:
    verified(empty_db, scratch / "generated.yaml", yaml.safe_dump(document, allow_unicode=True))


@given(text=st.text(max_size=200))
@fuzz_settings(0.3)
def test_any_text_as_a_spec_is_read_or_refused(scratch: Path, empty_db: str, text: str) -> None:
    verified(empty_db, scratch / "text.yaml", text)


# --- migration files ------------------------------------------------------------------------


def lint_directory(directory: Path, files: dict[str, str]) -> None:
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir()
    for name, text in files.items():
        (directory / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    result_or_sentence(lint_paths, [str(directory)])


@st.composite
def migration_directories(draw: st.DrawFn) -> dict[str, str]:
    """One or two migrations from the real files, one of them mutated, perhaps with its rollback."""
    source = draw(st.sampled_from(MIGRATIONS))
    text = draw(mutated(source.read_text(encoding="utf-8"), SQL_BITS))
    files = {"0001.fuzz.sql": text}
    if draw(st.booleans()):
        files["0000.first.sql"] = draw(st.sampled_from(MIGRATIONS)).read_text(encoding="utf-8")
    if draw(st.booleans()):
        rollback = draw(st.sampled_from(MIGRATIONS)).read_text(encoding="utf-8")
        files["0001.fuzz.rollback.sql"] = draw(mutated(rollback, SQL_BITS))
    return files


@given(files=migration_directories())
@example(files={"0001.fuzz.sql": "ALTER TABLE customers ADD C"})  # a column with nothing after its name
@example(files={"0001.fuzz.sql": "ALTER TABLE orders ADD COLUMN referrer_id IN"})  # sqlglot: no kind
@fuzz_settings()
def test_mutated_migrations_are_linted_or_refused(scratch: Path, files: dict[str, str]) -> None:
    lint_directory(scratch / "migrations", files)


@given(text=st.text(max_size=300))
@fuzz_settings(0.5)
def test_any_text_as_a_migration_is_linted_or_refused(scratch: Path, text: str) -> None:
    lint_directory(scratch / "text", {"0001.text.sql": text})


@given(text=st.text(max_size=300) | mutated("CREATE TABLE t (a INT, b TEXT DEFAULT 'x' CHECK (a > 0));\n"))
@fuzz_settings(0.5)
def test_the_tokenizer_reads_or_refuses_any_text(text: str) -> None:
    result_or_sentence(tokenize, text)


# --- pyproject.toml -------------------------------------------------------------------------

toml_keys = st.sampled_from(
    [
        "apps",
        "lint",
        "dialects",
        "dialect",
        "migrations",
        "spec",
        "samsara",
        "ignore",
        "engine",
        "select",
        "severity",
        "per-file-ignores",
        "fail-on",
        "SV101",
        "x",
    ]
) | st.text(max_size=6)
toml_scalars = st.sampled_from(
    [
        '"sqlite"',
        '"postgresql"',
        '"migrations/samsara"',
        '"schema/samsara.yaml"',
        '""',
        "1",
        "true",
        "[]",
        "{}",
        '"\\u0000"',
        '["a", 1]',
        "{ migrations = 1 }",
        '"../../.."',
        "1979-05-27",
    ]
)


def toml_key(key: str) -> str:
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"').encode("unicode_escape").decode("ascii") + '"'


@st.composite
def tool_tables(draw: st.DrawFn) -> str:
    """A ``[tool.schemavet…]`` document: tables and keys from the vocabulary, odd values."""
    lines = []
    for _ in range(draw(st.integers(0, 4))):
        header = ".".join(toml_key(k) for k in draw(st.lists(toml_keys, max_size=3)))
        lines.append(f"[tool.schemavet{'.' + header if header else ''}]")
        for key in draw(st.lists(toml_keys, max_size=3, unique=True)):
            lines.append(f"{toml_key(key)} = {draw(toml_scalars)}")
    if draw(st.booleans()):
        lines.insert(0, f"tool = {draw(toml_scalars)}")
    return "\n".join(lines) + "\n"


def configured(directory: Path, text: str | bytes) -> None:
    shutil.rmtree(directory, ignore_errors=True)
    (directory / "migrations" / "samsara").mkdir(parents=True)
    path = directory / "pyproject.toml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    result_or_sentence(load_apps, str(path))
    result_or_sentence(lint_dialect, str(directory), str(directory / "migrations" / "samsara"))
    result_or_sentence(ignore_patterns, str(directory))
    result_or_sentence(lint_settings, str(directory))


@given(text=tool_tables())
@example(text="tool = 1\n")
@example(text='[tool]\nschemavet = "x"\n')
@example(text='[tool.schemavet]\napps = { samsara = { migrations = ["a"], spec = "s" } }\n')
@example(text='[tool.schemavet.apps.a]\nmigrations = "\\u0000"\nspec = "s"\n')
@fuzz_settings()
def test_a_generated_config_is_read_or_refused(scratch: Path, text: str) -> None:
    configured(scratch / "config", text)


@given(text=mutated(TOOL_TABLE) | st.binary(max_size=60).map(lambda b: TOOL_TABLE.encode() + b))
@example(text=b"\xff\xfe[tool.schemavet.apps.a]\n")
@fuzz_settings()
def test_a_mutated_config_is_read_or_refused(scratch: Path, text: str | bytes) -> None:
    configured(scratch / "config", text)


def test_a_bad_config_is_one_sentence_and_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text("tool = 1\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "pyproject.toml" in result.stderr
