"""Shared fixtures: the recruiting fixture schema built once from its migrations and copied per
test, and ``dialect``, one test's databases on each engine schemavet can inspect here.

The recruiting fixture (tests/fixtures/recruiting) is a frozen copy of the Samsara app's
migrations and spec: the tool's tests read it, never the app, whose own tests are in
tests/apps/samsara.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from schemavet.dialect import registry
from tests.databases import Databases, Engines, run_sql

ROOT = Path(__file__).resolve().parents[1]
RECRUITING = Path(__file__).parent / "fixtures" / "recruiting"
RECRUITING_MIGRATIONS = RECRUITING / "migrations"
RECRUITING_SPEC = RECRUITING / "spec.yaml"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Stop the embedded PostgreSQL the session's tests shared: an xdist worker leaves without
    running ``atexit``, and its server would outlive it."""
    from schemavet.dialects.postgres.server import stop_shared_postgres_server

    stop_shared_postgres_server()


@pytest.fixture(scope="session")
def engines(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engines]:
    """The session's engines, each set up when a test first asks for it (a server only then)."""
    with contextlib.ExitStack() as stack:
        yield Engines(stack, tmp_path_factory.mktemp("engines"))


@pytest.fixture(params=registry.names())
def dialect(request: pytest.FixtureRequest, engines: Engines, tmp_path: Path) -> Iterator[Databases]:
    """One test's databases on an engine (``dialect.make_db(sql).url``): every registered dialect,
    or the ones a test names with :func:`by_dialect`. An engine that cannot be used here (no
    inspector yet, no server) skips the test with the reason."""
    engine = engines.get(request.param)
    if engine is None:
        pytest.skip(f'{request.param}: the tests have no way to make "{request.param}" databases')
    reason = engine.unavailable()
    if reason is not None:
        pytest.skip(f"{request.param}: {reason}")
    with engine.databases(tmp_path) as databases:
        yield databases


def case_dialects(case: dict[str, Any]) -> tuple[str, ...]:
    """The dialects a case names with ``dialect:`` (one name or a list; the default when none)."""
    named = case.get("dialect", registry.default_name())
    return tuple(registry.get(name).name for name in ([named] if isinstance(named, str) else named))


def by_dialect(cases: list[dict[str, Any]]) -> list[Any]:
    """``(case, dialect)`` parameters: each case once per dialect it names, for a test
    parametrized with ``indirect=["dialect"]`` (its ``dialect`` fixture is then that one)."""
    return [
        pytest.param(case, name, id=f"{case['name']}-{name}")
        for case in cases
        for name in case_dialects(case)
    ]


@pytest.fixture(scope="session")
def recruiting_template(engines: Engines) -> Path:
    """The recruiting schema built by yoyo from the fixture's migrations, once per session."""
    return engines.sqlite.template(RECRUITING_MIGRATIONS)


@pytest.fixture
def recruiting_db(recruiting_template: Path, tmp_path: Path) -> Path:
    """A private copy of the migrated recruiting database."""
    path = tmp_path / "recruiting.db"
    shutil.copyfile(recruiting_template, path)
    return path


@pytest.fixture
def make_db(tmp_path: Path) -> Callable[[str, str], Path]:
    """Build a database from an SQL script: ``make_db(sql, name="test.db")``."""

    def make(sql: str, name: str = "test.db") -> Path:
        path = tmp_path / name
        run_sql(path, sql)
        return path

    return make


def digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (tests/browser.py): skipped loudly where it is
    missing, a failure when ``SCHEMAVET_REQUIRE_BROWSER=1``. One per test module, closed after
    it: a browser left running is a child process other tests do not expect (test_fast_paths)."""
    from tests.browser import launch

    yield from launch()
