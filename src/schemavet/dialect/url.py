"""Database URLs as yoyo writes them (``sqlite:///relative.db``, ``postgresql://…``) or file paths.

The scheme names the dialect (:mod:`schemavet.dialect.registry`); the dialect says where the
URL points. No message ever shows a URL's password: :func:`without_password` is how they are shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemavet.dialect import registry
from schemavet.errors import SchemavetError


@dataclass(frozen=True)
class DatabaseURL:
    """Which dialect, and where: a file path for SQLite, the URL itself for a server."""

    engine: str
    location: str
    url: str

    @property
    def shown(self) -> str:
        """The URL as messages show it: without its password."""
        return without_password(self.url)


def parse_db_url(url: str) -> DatabaseURL:
    """A yoyo-style URL or a plain file path (which means the default dialect, SQLite)."""
    if "://" not in url:
        return DatabaseURL(registry.default_name(), url, url)
    scheme, _, rest = url.partition("://")
    dialect = registry.for_scheme(scheme)
    if dialect is None:
        known = ", ".join(f"{s}://" for d in registry.all_dialects() for s in d.url_schemes[:1])
        raise SchemavetError(
            f'Unknown database URL scheme "{scheme}" in "{without_password(url)}"; use {known} or a file path'
        )
    return DatabaseURL(dialect.name, dialect.location(url, rest), url)


# user:password@ in a URL's authority; password=… in its query or in a key=value conninfo
_URL_PASSWORD = re.compile(r"(://[^/?#@:]*:)[^/?#]*@")
_PARAM_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|[^&\s]*)", re.IGNORECASE)


def without_password(url: str) -> str:
    """``url`` (or a key=value conninfo) with any password replaced by ``***``: for every message."""
    return _PARAM_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", url))
