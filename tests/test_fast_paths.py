"""The shortcuts verify takes for speed give exactly what the plain pipeline gives.

* ``normalize_sqlite_pair`` normalizes a table written alike on both sides once and shares it:
  over every drift and equivalence case, its result equals normalizing each side on its own.
  Asked for no more than a diff needs (``whole=False``), it shares such a table without
  normalizing it at all: the findings are the same as from normalizing each side on its own.
* The catalog is read in a forked child while the spec is parsed: the schema is the same as
  reading it in the process, errors come back as the same sentence, and no child outlives
  the call, whether the catalog was asked for or not.
* The ``schemavet`` program ends a verify's process without the interpreter's teardown: its
  whole report still arrives, with the same exit code; every other command exits as usual.
  The models it compared are left for the process's end to free, never in a process that goes on.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import weakref
from pathlib import Path
from typing import Any

import pytest
import yaml

import schemavet
from schemavet import forking, memory
from schemavet.compare.diff import diff_schemas
from schemavet.dialects.sqlite import background
from schemavet.dialects.sqlite.inspect import build_schema
from schemavet.dialects.sqlite.normalize import normalize_sqlite, normalize_sqlite_pair
from schemavet.errors import DatabaseError, SpecError
from schemavet.spec.load import load_spec, parse_spec
from tests.conftest import RECRUITING_SPEC, case_dialects, run_sql

CASES = Path(__file__).parent / "cases"
# SQLite's shortcuts: the cases that run on SQLite
DRIFTS = [c for c in yaml.safe_load((CASES / "drift.yaml").read_text()) if "sqlite" in case_dialects(c)]
EQUIVALENCES = [
    c for c in yaml.safe_load((CASES / "equivalence.yaml").read_text()) if "sqlite" in case_dialects(c)
]


def _assert_pair_is_plain(spec_path: Path, db: Path) -> None:
    expected, actual = load_spec(spec_path).schema, schemavet.inspect(str(db))
    plain = (normalize_sqlite(expected), normalize_sqlite(actual))
    assert normalize_sqlite_pair(expected, actual) == plain
    assert diff_schemas(*normalize_sqlite_pair(expected, actual, whole=False)) == diff_schemas(*plain)


@pytest.mark.parametrize("case", DRIFTS, ids=[c["name"] for c in DRIFTS])
def test_pair_normalization_after_each_drift(
    case: dict[str, Any], recruiting_db: Path, tmp_path: Path
) -> None:
    db, spec = recruiting_db, RECRUITING_SPEC
    if case.get("base") != "recruiting":
        db, spec = tmp_path / "case.db", tmp_path / "case.yaml"
        run_sql(db, case["schema"])
        spec.write_text(case["spec"])
    _assert_pair_is_plain(spec, db)  # every table alike: all shared
    run_sql(db, case["drift"])
    _assert_pair_is_plain(spec, db)  # the drifted ones normalized on their own


@pytest.mark.parametrize("case", EQUIVALENCES, ids=[c["name"] for c in EQUIVALENCES])
def test_pair_normalization_of_each_spelling(case: dict[str, Any], make_db: Any, tmp_path: Path) -> None:
    db = make_db(case["ddl"])
    spec = tmp_path / "spec.yaml"
    spec.write_text(yaml.safe_dump({"tables": {"t": case["spec"], **case.get("extra", {})}}, sort_keys=False))
    _assert_pair_is_plain(spec, db)


def test_implicit_foreign_key_target_is_not_shared_when_the_parents_key_differs(make_db: Any) -> None:
    # the child tables are written alike, but "REFERENCES parent" means a different column
    db = make_db("CREATE TABLE parent (code TEXT PRIMARY KEY); CREATE TABLE child (p REFERENCES parent);")
    spec = parse_spec(
        "tables:\n  parent: {columns: {id: TEXT PRIMARY KEY}}\n  child: {columns: {p: REFERENCES parent}}\n"
    ).schema
    actual = schemavet.inspect(str(db))
    for whole in (True, False):
        exp, act = normalize_sqlite_pair(spec, actual, whole)
        assert exp.namespaces["main"].tables["child"].foreign_keys[0].ref_columns == ("id",)
        assert act.namespaces["main"].tables["child"].foreign_keys[0].ref_columns == ("code",)


def _children() -> list[str]:
    """This process's child processes that still exist (zombies included)."""
    path = Path(f"/proc/{os.getpid()}/task/{os.getpid()}/children")
    return path.read_text().split() if path.exists() else []


needs_fork = pytest.mark.skipif(not background._can_fork(), reason="needs fork and 2 cores")


@needs_fork
def test_child_reads_what_the_process_reads(recruiting_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fallback(self: object) -> None:
        raise AssertionError("the child gave no answer; the catalog was read in the parent")

    monkeypatch.setattr(background._Child, "read_here", no_fallback)
    with background.catalog_reader(str(recruiting_db)) as catalog:
        from_child = catalog()
    assert from_child == background.read(str(recruiting_db))
    assert build_schema(from_child) == schemavet.inspect(str(recruiting_db))
    assert _children() == []


@needs_fork
def test_child_is_stopped_when_the_spec_fails(recruiting_db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("tables: [unclosed\n")
    with pytest.raises(SpecError):
        schemavet.verify(str(recruiting_db), bad)
    assert _children() == []


@needs_fork
def test_database_error_comes_back_from_the_child(tmp_path: Path) -> None:
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("plain text, not a database\n" * 50)
    with (
        pytest.raises(DatabaseError, match="not a SQLite database"),
        background.catalog_reader(str(not_a_db)) as catalog,
    ):
        catalog()
    assert _children() == []


@needs_fork
def test_child_that_dies_without_answering_is_replaced_by_a_read_here(
    recruiting_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "_serve", lambda path, writer: os._exit(3))
    with background.catalog_reader(str(recruiting_db)) as catalog:
        assert catalog() == background.read(str(recruiting_db))
    assert _children() == []


def test_without_fork_the_catalog_is_read_in_the_process(
    recruiting_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(background, "_can_fork", lambda: False)
    assert schemavet.verify(str(recruiting_db), RECRUITING_SPEC).ok


@needs_fork
def test_interrupted_wait_leaves_no_child(recruiting_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import signal
    import time

    def slow(path: str) -> bytes:
        time.sleep(30)
        return b""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(background, "_serve", slow)
    previous = signal.signal(signal.SIGALRM, interrupt)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.2)
        with pytest.raises(KeyboardInterrupt), background.catalog_reader(str(recruiting_db)) as catalog:
            catalog()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    assert _children() == []


def test_a_fork_that_fails_reads_in_the_process(recruiting_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(forking.os, "fork", no_fork)
    monkeypatch.setattr(background, "_can_fork", lambda: True)
    opened = len(os.listdir("/proc/self/fd"))
    assert schemavet.verify(str(recruiting_db), RECRUITING_SPEC).ok
    assert len(os.listdir("/proc/self/fd")) == opened  # the pipe and the answer's file were closed again


# the program as the console script runs it, with an exit handler standing for any teardown
_PROGRAM = """
import atexit, sys
atexit.register(lambda: sys.stderr.write("teardown ran\\n"))
sys.argv = ["schemavet", *sys.argv[1:]]
from schemavet.cli import run
run()
"""


def _program(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", _PROGRAM, *args], capture_output=True, text=True, timeout=120
    )


def test_verify_leaves_without_teardown_and_its_whole_report_arrives(
    recruiting_db: Path, tmp_path: Path
) -> None:
    clean = _program("verify", "--db", str(recruiting_db), "--spec", str(RECRUITING_SPEC))
    assert (clean.returncode, clean.stdout.startswith("OK: ")) == (0, True), clean.stderr
    assert "teardown ran" not in clean.stderr
    # a report far larger than a pipe's buffer, and findings: exit 1, every line of it there
    spec = tmp_path / "big.yaml"
    tables = "".join(f"  t{i}:\n    columns:\n      id: INTEGER PRIMARY KEY\n" for i in range(3000))
    spec.write_text("tables:\n" + tables)
    drift = _program("verify", "--db", str(recruiting_db), "--spec", str(spec), "--format", "json")
    assert drift.returncode == 1, drift.stderr
    findings = json.loads(drift.stdout)["findings"]
    assert len(findings) > 3000 and "teardown ran" not in drift.stderr


def test_other_commands_and_errors_exit_as_usual(recruiting_db: Path, tmp_path: Path) -> None:
    version = _program("--version")
    assert version.returncode == 0 and "teardown ran" in version.stderr
    missing = _program("verify", "--db", str(tmp_path / "none.db"), "--spec", str(RECRUITING_SPEC))
    assert missing.returncode == 2 and "teardown ran" in missing.stderr
    assert missing.stderr.startswith("schemavet: error: ")


def test_a_report_that_cannot_be_written_exits_as_before(recruiting_db: Path) -> None:
    """Standard output closed by its reader (``| head`` done): the flush fails, and the process
    ends the usual way, teardown included, with the exit code ``main`` alone gives."""
    args = ("verify", "--db", str(recruiting_db), "--spec", str(RECRUITING_SPEC))
    plain = _PROGRAM.replace("import run\nrun()", "import main\nmain()")
    assert plain != _PROGRAM
    codes = []
    for program in (_PROGRAM, plain):
        reader, writer = os.pipe()
        os.close(reader)
        try:
            ended = subprocess.run(
                [sys.executable, "-c", program, *args],
                stdout=writer,
                stderr=subprocess.PIPE,
                text=True,
                timeout=120,
            )
        finally:
            os.close(writer)
        assert "teardown ran" in ended.stderr
        codes.append(ended.returncode)
    assert codes[0] == codes[1] != 0


_MODEL_CLASSES = sorted(
    name
    for name, value in vars(__import__("schemavet.model").model).items()
    if isinstance(value, type)
    and getattr(value, "__init__", None) is not None
    and getattr(value.__init__, "__qualname__", "") == f"{name}.__init__"
    and hasattr(value, "__repr_fields__")
)


@pytest.mark.parametrize("name", _MODEL_CLASSES)
def test_model_objects_are_built_as_dataclasses_build_them(name: str) -> None:
    """The model's own methods (an ``__init__`` filling a dict at once, shared ``__eq__``,
    ``__hash__`` and ``__repr__``) give what ``@dataclass(frozen=True)`` gives: the same
    defaults, a fresh value from each factory, equality and hash over the compared fields, the
    same text, and still frozen."""
    import dataclasses

    from schemavet import model

    cls = getattr(model, name)
    fields = dataclasses.fields(cls)
    missing = dataclasses.MISSING
    required = {
        f.name: f"v_{f.name}" for f in fields if f.default is missing and f.default_factory is missing
    }
    first, second = cls(**required), cls(**required)
    for f in fields:
        value = getattr(first, f.name)
        if f.default is not missing:
            assert value == f.default
        elif f.default_factory is not missing:
            assert value == f.default_factory() and value is not getattr(second, f.name)
        else:
            assert value == required[f.name]
    assert first == second
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(first, fields[0].name, "changed")
    positional = cls(*[getattr(first, f.name) for f in fields])
    assert positional == first and positional.__dict__ == first.__dict__
    # the same methods as a frozen dataclass of the same fields has
    twin_cls = dataclasses.make_dataclass(
        cls.__qualname__,
        [(f.name, f.type, _same_field(f)) for f in fields],
        frozen=True,
    )
    twin = twin_cls(**required)
    assert repr(first) == repr(twin) and _hashed(first) == _hashed(twin)
    assert first.__eq__(twin) is NotImplemented and first != object()
    with pytest.raises(dataclasses.FrozenInstanceError):
        delattr(first, fields[0].name)
    compared = [f for f in fields if f.compare]
    if compared:  # a compared field changed: unequal; a field left out of comparisons: equal
        changed = dataclasses.replace(first, **{compared[0].name: "other"})
        assert changed != first
        assert _hashed(changed) == _hashed(dataclasses.replace(twin, **{compared[0].name: "other"}))
    for f in fields:  # the model's replace gives what dataclasses' gives
        made, expected = (
            model.replace(first, **{f.name: "new"}),
            dataclasses.replace(first, **{f.name: "new"}),
        )
        assert made.__class__ is cls and made.__dict__ == expected.__dict__ and made == expected
        assert first.__dict__ == second.__dict__  # the original untouched
    with pytest.raises(TypeError):
        model.replace(first, no_such_field=1)
    for f in fields:
        if not f.compare:
            assert dataclasses.replace(first, **{f.name: 42}) == first
            assert _hashed(dataclasses.replace(first, **{f.name: 42})) == _hashed(first)


def _hashed(obj: object) -> object:
    """The object's hash, or the error hashing it raises (a table's dicts: unhashable)."""
    try:
        return hash(obj)
    except TypeError as e:
        return str(e)


def _same_field(f: Any) -> Any:
    import dataclasses

    if f.default_factory is not dataclasses.MISSING:
        return dataclasses.field(
            default_factory=f.default_factory, compare=f.compare, hash=f.hash, repr=f.repr
        )
    return dataclasses.field(default=f.default, compare=f.compare, hash=f.hash, repr=f.repr)


_KEYS_SAY_NOTHING_MORE = [
    # beyond-PRAGMA words, foreign keys with neither a name nor DEFERRABLE: not read
    "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
    "CREATE TABLE c (a INTEGER REFERENCES p ON DELETE CASCADE, b TEXT COLLATE NOCASE CHECK (b <> ''),"
    " d INTEGER REFERENCES p(id) ON UPDATE SET NULL, FOREIGN KEY (b) REFERENCES p(code));",
    # a name or DEFERRABLE anywhere in the text: every key read, by position
    "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE);"
    "CREATE TABLE c (a INTEGER REFERENCES p, b TEXT REFERENCES p(code) DEFERRABLE INITIALLY DEFERRED,"
    " d INTEGER CONSTRAINT d_fk REFERENCES p, e INTEGER REFERENCES p COLLATE BINARY);",
    "CREATE TABLE p (id INTEGER PRIMARY KEY);"
    "CREATE TABLE c (a INTEGER, b INTEGER, CONSTRAINT one FOREIGN KEY (a) REFERENCES p,"
    " CONSTRAINT two FOREIGN KEY (b) REFERENCES p, CHECK (a < b));",
]


@pytest.mark.parametrize("sql", _KEYS_SAY_NOTHING_MORE)
def test_foreign_keys_are_read_from_the_text_only_when_it_can_say_more(
    sql: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schemavet.dialects.sqlite import ddl

    db = tmp_path / "keys.db"
    run_sql(db, sql)
    shortcut = background.read(str(db))
    monkeypatch.setattr(ddl, "_KEY_WORDS", frozenset({"CHECK", "COLLATE", "CONSTRAINT", "DEFERRABLE"}))
    every_key_read = background.read(str(db))
    assert build_schema(shortcut) == build_schema(every_key_read)


class _Model:
    """Stands for a model verify compared (any object a weak reference can follow)."""


def _kept_in_a_block() -> weakref.ref[_Model]:
    with memory.kept_to_the_end():
        model = _Model()
        memory.keep(model)
        memory.nothing_left_to_close()
        assert not gc.isenabled()  # paused for the whole command
    return weakref.ref(model)


def test_what_a_command_keeps_is_freed_at_its_end_unless_the_process_ends(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(memory, "_done", False)
    monkeypatch.setattr(memory, "_forever", [])
    monkeypatch.setattr(memory, "_ends_after", False)  # main called by a test: the process goes on
    was_enabled = gc.isenabled()  # (the CLI's main pauses the collector for its process)
    gc.enable()
    try:
        assert _kept_in_a_block()() is None and gc.isenabled()
        memory.keep(_Model())  # outside a block: not held
        assert memory._forever == []
        monkeypatch.setattr(memory, "_ends_after", True)  # the program: it ends right after
        kept = _kept_in_a_block()
        assert kept() is not None and not gc.isenabled()
    finally:
        if was_enabled:
            gc.enable()
        else:
            gc.disable()
