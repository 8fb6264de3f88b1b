"""PostgreSQL expressions in one spelling, so that what the server prints and what a person
writes compare equal when they mean the same.

The server adds casts (``'x'::text``, ``s::text = ANY (ARRAY[…]::text[])``), rewrites ``IN (…)``
as ``= ANY (ARRAY[…])``, prints ``now()`` where ``CURRENT_TIMESTAMP`` was written (and keeps
either), and drops or adds parentheses. Both sides are parsed with sqlglot and rewritten alike:
the casts the server adds are dropped where they cannot change the meaning (a literal compared
with, or defaulting, a value of its type), ``= ANY (ARRAY[…])`` becomes ``IN (…)``, and the result
is printed with a parenthesis around every operator inside another, so that different trees never
print alike. Text sqlglot cannot parse is compared with its white space and case normalized.

A default of ``'now'::timestamp`` is evaluated once, when the table is created: it keeps its
text (``is_frozen_time`` tells a finding so), where ``now()`` and ``CURRENT_TIMESTAMP`` agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

#: the words a date or time literal takes its value from when it is evaluated
FROZEN_WORDS = frozenset({"now", "today", "tomorrow", "yesterday"})
# a date or time literal with a time of day to the microsecond: how a frozen 'now' reads back
_FROZEN_STAMP = re.compile(r"'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+([+-]\d\d(:\d\d)?)?'::(timestamp|time)")


@dataclass(frozen=True)
class Context:
    """Where an expression stands: its schema, its table's text columns, whether it is a DEFAULT."""

    namespace: str = "public"
    text_columns: frozenset[str] = frozenset()
    default: bool = False


PLAIN = Context()


def canonical_expression(text: str, context: Context = PLAIN) -> str:
    """``text`` in the one spelling both sides of a comparison are brought to."""
    named: frozenset[str] = frozenset()
    if context.text_columns and "::" in text:
        # only the text columns it casts matter: the cache then serves every table alike
        named = frozenset(column for column in context.text_columns if column in text)
    return _canonical(text, context.namespace, named, context.default)


@lru_cache(maxsize=65536)
def _canonical(text: str, namespace: str, text_columns: frozenset[str], default: bool) -> str:
    # sqlglot is imported only once an expression is to be read: a run comparing tables the two
    # sides state alike (see alike.py) never needs it
    from schemavet.dialects.postgres.expression_tree import printed

    canonical = printed(text, Context(namespace, text_columns, default))
    return canonical if canonical is not None else plain(text)


def is_frozen_time(default: str | None) -> bool:
    """True for a default that took its value when the table was made (``'now'::timestamp``)."""
    if default is None:
        return False
    lowered = default.lower()
    return bool(_FROZEN_STAMP.search(lowered)) or any(f"'{word}'" in lowered for word in FROZEN_WORDS)


def plain(text: str) -> str:
    """White space collapsed (outside quotes); the fallback when sqlglot cannot parse ``text``."""
    parts = re.split(r"('(?:[^']|'')*'|\"(?:[^\"]|\"\")*\")", text.strip())
    return "".join(p if i % 2 else " ".join(p.split()) for i, p in enumerate(parts))
