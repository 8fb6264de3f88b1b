"""Values for probe rows: fresh ones of each column's affinity, and candidates for CHECKs.

A fresh value is one no other row holds, so UNIQUE constraints are met; candidates add the
literals a table's CHECK constraints mention (and their neighbours), NULL where allowed, and a
few shapes CHECKs often ask for (short strings, dates, JSON), for the solver in ``rows.py``.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from schemavet.sql.tokens import Token, tokenize, unquote

INTEGER, TEXT, BLOB, REAL, NUMERIC = "INTEGER", "TEXT", "BLOB", "REAL", "NUMERIC"
_PREFIX = "sv"
_EPOCH = datetime(2020, 1, 1)
_GLOB_CLASS = re.compile(r"\[(\^?\]?[^\]]*)\]")
_SHAPES: tuple[Any, ...] = (
    0,
    1,
    -1,
    2,
    10,
    100,
    0.5,
    "2024-01-01",
    "2024-01-01 00:00:00",
    "2024-01-01T00:00:00.000Z",
    "{}",
    "[]",
    "a",
    "A",
)


def affinity(declared: str) -> str:
    """SQLite's column affinity for a declared type (section 3.1 of its datatype document)."""
    upper = declared.upper()
    if "INT" in upper:
        return INTEGER
    if any(word in upper for word in ("CHAR", "CLOB", "TEXT")):
        return TEXT
    if "BLOB" in upper:
        return BLOB
    if any(word in upper for word in ("REAL", "FLOA", "DOUB")):
        return REAL
    # no type at all (BLOB affinity) takes any value: text reads best in messages
    return TEXT if not upper.strip() or upper.strip() == "ANY" else NUMERIC


class Fresh:
    """A counter of values no row holds yet."""

    def __init__(self, start: int = 7_000_001) -> None:
        self._numbers = itertools.count(start)
        # text and numeric columns get timestamps instead of words: a trigger that reads a
        # column as a date (``DATE(NEW.created_at)``) fails on anything else
        self.dates = False

    def value(self, kind: str) -> Any:
        """A new value of affinity ``kind``."""
        n = next(self._numbers)
        if self.dates and kind in (TEXT, NUMERIC):
            return (_EPOCH + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        if kind == TEXT:
            return f"{_PREFIX}{n}"
        if kind == BLOB:
            return f"{_PREFIX}{n}".encode()
        if kind == REAL:
            return n + 0.5
        return n

    def strings(self) -> Iterator[str]:
        """Fresh strings of every length from 1 to 16 (for ``length(x) = 3``-style CHECKs)."""
        n = next(self._numbers)
        letters = _letters(n)
        for length in range(1, 17):
            yield (letters * length)[:length] if length < len(letters) else letters.rjust(length, "x")


def _letters(n: int) -> str:
    out = ""
    while n:
        n, digit = divmod(n, 26)
        out = chr(ord("a") + digit) + out
    return out or "a"


def literals(expression: str) -> list[Any]:
    """The string and number literals of an SQL expression, with the neighbours of numbers."""
    found: list[Any] = []
    for token in tokenize(expression):
        found.extend(_literal_values(token))
    return found


def _literal_values(token: Token) -> list[Any]:
    if token.kind == "string" and token.text[0] == "'":
        text = unquote(token.text)
        return [text, *_pattern_fillings(text)]
    if token.kind == "number":
        text = token.text
        if text[:2].lower() == "0x":
            number: float = int(text, 16)
        else:
            number = float(text) if any(c in text for c in ".eE") else int(text)
        return [number, number + 1, number - 1]
    return []


def _pattern_fillings(pattern: str) -> list[str]:
    """LIKE and GLOB patterns made concrete: wildcards filled in, character classes chosen from.

    Two GLOB fillings, one with the first and one with the last character of every class, so
    that a key and a different new key can both be found.
    """
    if not any(c in pattern for c in "%_*?["):
        return []
    fillings = [pattern.replace("%", "x").replace("_", "x")]
    for pick in (0, -1):
        glob = _GLOB_CLASS.sub(partial(_class_member, pick=pick), pattern)
        fillings += [glob.replace("*", "x").replace("?", "x"), glob.replace("*", "").replace("?", "x")]
    return fillings


def _class_member(match: re.Match[str], pick: int) -> str:
    """A character a GLOB class ``[…]`` accepts (its first or last), or one a negated class leaves out."""
    body = match.group(1)
    if body.startswith("^"):
        excluded = set(body[1:])
        return next(c for c in "xX_~" if c not in excluded)
    return body[pick]


def candidates(kind: str, nullable: bool, fresh: Fresh, mentioned: list[Any]) -> list[Any]:
    """Values to try, best first, for a column a CHECK constraint reads."""
    values: list[Any] = [None] if nullable else []
    values += [fresh.value(kind), *mentioned, *_SHAPES, *fresh.strings(), fresh.value(TEXT)]
    values.append(fresh.value(BLOB))
    unique: dict[tuple[type, Any], Any] = {}  # the first of each value of each type: 1 and 1.0 differ
    for value in values:
        unique.setdefault((type(value), value), value)
    return list(unique.values())


def sql_literal(value: Any) -> str:
    """A value as an SQL literal (for the body of a temporary trigger, which takes no parameters)."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return "X'" + value.hex() + "'"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"
