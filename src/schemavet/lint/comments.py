"""Where a migration file's comments are: ``--`` to the end of the line and ``/* … */``.

Text inside a string literal (``'-- not a comment'``), a quoted identifier (``"a--b"``,
`` `x` ``, ``[x]``) or a PostgreSQL dollar-quoted body (``$$ … $$``, ``$fn$ … $fn$``) is not
a comment; one pass over the file tells them apart, as the database's own tokenizer would.
For PostgreSQL, an escape string (``E'it\'s'``) takes backslash escapes, so ``\'`` does not
end it.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from schemavet.dialect import registry
from schemavet.dialect.registry import DEFAULT_DIALECT

_LEXEME = re.compile(
    r"""
    (?P<line>--[^\n]*)
  | (?P<block>/\*.*?(?:\*/|\Z))
  | '(?:[^']|'')*(?:'|\Z)
  | "(?:[^"]|"")*(?:"|\Z)
  | `(?:[^`]|``)*(?:`|\Z)
  | \[[^\]]*(?:\]|\Z)
  | \$(?P<tag>(?:[A-Za-z_][A-Za-z0-9_]*)?)\$.*?(?:\$(?P=tag)\$|\Z)
  | [^-/'"`\[$]+
  | .
    """,
    re.VERBOSE | re.DOTALL,
)
_ESCAPE_STRING_LEXEME = re.compile(
    r"""
    (?P<line>--[^\n]*)
  | (?P<block>/\*.*?(?:\*/|\Z))
  | (?<![\w$])[Ee]'(?:[^'\\]|\\.|'')*(?:'|\Z)
  | '(?:[^']|'')*(?:'|\Z)
  | "(?:[^"]|"")*(?:"|\Z)
  | `(?:[^`]|``)*(?:`|\Z)
  | \[[^\]]*(?:\]|\Z)
  | \$(?P<tag>(?:[A-Za-z_][A-Za-z0-9_]*)?)\$.*?(?:\$(?P=tag)\$|\Z)
  | (?:[^-/'"`\[$Ee]|[Ee](?!'))+
  | .
    """,
    re.VERBOSE | re.DOTALL,
)


@dataclass(frozen=True)
class Comment:
    """One comment: its text (with the ``--`` or ``/*``) and where it starts and ends."""

    start: int
    end: int
    text: str


class Comments:
    """The comments of one text, in order, with a quick "is this offset in a comment?"."""

    def __init__(self, text: str, dialect: str = DEFAULT_DIALECT) -> None:
        lexeme = _ESCAPE_STRING_LEXEME if registry.get(dialect).escape_strings else _LEXEME
        self.items = [
            Comment(m.start(), m.end(), m.group())
            for m in lexeme.finditer(text)
            if m.lastgroup in ("line", "block")
        ]
        self._starts = [c.start for c in self.items]

    def around(self, offset: int) -> Comment | None:
        """The comment ``offset`` lies in, or None when it is outside every comment."""
        index = bisect.bisect_right(self._starts, offset) - 1
        if index >= 0 and offset < self.items[index].end:
            return self.items[index]
        return None
