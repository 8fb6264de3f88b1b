"""Database URLs as yoyo writes them (``sqlite:///relative.db``, ``sqlite:////abs.db``) or paths."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

from schemavet.errors import SchemavetError

_SCHEMES = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "postgresql+psycopg": "postgresql",
}


@dataclass(frozen=True)
class DatabaseURL:
    """Which engine, and where: a file path for SQLite, the URL itself otherwise."""

    engine: str
    location: str
    url: str


def parse_db_url(url: str) -> DatabaseURL:
    """A yoyo-style URL or a plain file path (which means SQLite)."""
    if "://" not in url:
        return DatabaseURL("sqlite", url, url)
    scheme, _, rest = url.partition("://")
    engine = _SCHEMES.get(scheme.lower())
    if engine is None:
        raise SchemavetError(
            f'Unknown database URL scheme "{scheme}" in "{without_password(url)}"; '
            "use sqlite:///path/to/file.db, postgresql://… or a file path"
        )
    if engine == "sqlite":
        if not rest.startswith("/") or rest == "/":
            raise SchemavetError(
                f'SQLite URL "{url}" has no file path; write sqlite:///relative.db '
                f"or sqlite:////absolute/path.db"
            )
        return DatabaseURL(engine, unquote(rest[1:]), url)
    return DatabaseURL(engine, url, url)


# user:password@ in a URL's authority; password=… in its query or in a key=value conninfo
_URL_PASSWORD = re.compile(r"(://[^/?#@:]*:)[^/?#]*@")
_PARAM_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)", re.IGNORECASE)


def without_password(url: str) -> str:
    """``url`` (or a key=value conninfo) with any password replaced by ``***``: for every message."""
    return _PARAM_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", url))
