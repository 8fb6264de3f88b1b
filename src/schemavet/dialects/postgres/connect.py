"""Connecting to PostgreSQL with psycopg 3: yoyo's URLs, one-sentence errors, no password shown."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from schemavet.dialect.url import without_password
from schemavet.errors import DatabaseError

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S = 10
_DRIVER_SUFFIX = "+psycopg"
_HIDDEN_LENGTH = 4


def conninfo(url: str) -> str:
    """What libpq accepts: ``postgresql+psycopg://`` (yoyo's spelling) loses its driver suffix."""
    scheme, sep, rest = url.partition("://")
    if sep and scheme.lower().endswith(_DRIVER_SUFFIX):
        return scheme[: -len(_DRIVER_SUFFIX)] + sep + rest
    return url


@contextmanager
def connect(url: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """An autocommit connection to ``url``; a failure is a ``DatabaseError`` naming no password."""
    try:
        import psycopg
    except ImportError as e:
        raise DatabaseError("Reading PostgreSQL needs psycopg: pip install 'schemavet[postgres]'") from e
    try:
        conn = psycopg.connect(conninfo(url), autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
    except psycopg.Error as e:
        raise DatabaseError(f'Cannot connect to "{without_password(url)}": {reason(e, url)}') from e
    with conn:
        yield conn


def reason(error: Exception, url: str) -> str:
    """The first line of a driver error, without libpq's prefix and without any password in it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    text = " ".join(text.removeprefix("connection failed: ").replace("FATAL: ", "").split()).rstrip(".")
    password = _password(url)
    # libpq does not echo passwords; a short one would only mangle the message if replaced
    return text.replace(password, "***") if password and len(password) >= _HIDDEN_LENGTH else text


def _password(url: str) -> str | None:
    try:
        from psycopg.conninfo import conninfo_to_dict

        value = conninfo_to_dict(conninfo(url)).get("password")
    except Exception:  # a URL libpq cannot parse has no password to hide from its own message
        return None
    return str(value) if value else None
