"""A small SQL tokenizer, and the helpers every dialect needs to walk tokens.

sqlglot is the project's SQL parser, but it cannot read every type SQLite accepts (it fails on
``UNSIGNED BIG INT``) and parsing a thousand tables with it takes seconds; comparing schemas
only needs tokens, so one compiled regular expression does the job in milliseconds.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from schemavet.errors import SqlSyntaxError

# SQL keywords: a bare word among these is a keyword, not an identifier.
KEYWORDS = frozenset(
    """
    ABORT ACTION ADD AFTER ALL ALWAYS AND ANY AS ASC AUTOINCREMENT BEFORE BEGIN BETWEEN BY
    CASCADE CASE CAST CHECK COLLATE COLUMN CONFLICT CONSTRAINT CREATE CROSS CURRENT CURRENT_DATE
    CURRENT_TIME CURRENT_TIMESTAMP DEFAULT DEFERRABLE DEFERRED DELETE DESC DISTINCT DO DROP EACH
    ELSE END ESCAPE EXCEPT EXCLUDE EXISTS FAIL FALSE FILTER FIRST FOLLOWING FOR FOREIGN FROM
    FULL GENERATED GLOB GROUP GROUPS HAVING IF IGNORE IMMEDIATE IN INDEX INDEXED INITIALLY INNER
    INSERT INSTEAD INTERSECT INTO IS ISNULL JOIN KEY LAST LEFT LIKE LIMIT MATCH MATERIALIZED
    NATURAL NO NOT NOTHING NOTNULL NULL NULLS OF OFFSET ON OR ORDER OTHERS OUTER OVER PARTITION
    PRECEDING PRIMARY RAISE RANGE RECURSIVE REFERENCES REGEXP REPLACE RESTRICT RETURNING RIGHT
    ROLLBACK ROW ROWS SELECT SET STORED STRICT TABLE TEMP TEMPORARY THEN TIES TO TRIGGER TRUE
    UNBOUNDED UNION UNIQUE UPDATE USING VALUES VIEW VIRTUAL WHEN WHERE WINDOW WITH WITHOUT
    """.split()
)

# White space is SQLite's: ASCII only. A character beyond ASCII (U+00A0, U+3000 …) is part of a
# name, as every one is.
#
# A name starts with an ASCII letter, "_" or any character beyond ASCII (as in SQLite), and
# goes on with those, digits and "$". Written as the ASCII characters it cannot hold: a class
# ranging up to U+10FFFF would cost milliseconds to compile in every process.
_NAME_START = r"[^\x00-\x40\x5b-\x5e\x60\x7b-\x7f]"
_NAME_PART = r"[^\x00-\x23\x25-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]"

_TOKEN_RE = re.compile(
    rf"""
    (?P<space>[ \t\n\x0b\x0c\r]+)
  | (?P<comment>--[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<string>[xX]?'(?:[^']|'')*')
  | (?P<quoted>"(?:[^"]|"")*"|`(?:[^`]|``)*`|\[[^\]]*\])
  | (?P<number>(?:0[xX][0-9A-Fa-f]+)|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<word>{_NAME_START}{_NAME_PART}*)
  | (?P<param>[?:@$][A-Za-z0-9_]*)
  | (?P<op>->>|->|\|\||<<|>>|<=|>=|==|!=|<>|[-+*/%&|~<>=(),.;])
  | (?P<error>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_SKIPPED = frozenset({"space", "comment"})
_PLAIN_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Token(NamedTuple):
    """One lexical token: its kind (word, quoted, string, number, op, param) and text."""

    kind: str
    text: str
    start: int

    @property
    def upper(self) -> str:
        """The text upper-cased, for keyword tests."""
        return self.text.upper()

    def is_word(self, *words: str) -> bool:
        """True when this is a bare word equal (case-insensitively) to one of ``words``."""
        return self.kind == "word" and self.text.upper() in words

    @property
    def name(self) -> str:
        """The identifier this token spells, with any quoting removed.

        SQLite also reads a 'single-quoted' word as an identifier where one is expected.
        """
        if self.kind == "quoted" or (self.kind == "string" and self.text[0] == "'"):
            return unquote(self.text)
        return self.text


def tokenize(sql: str) -> list[Token]:
    """Split SQL into tokens, dropping white space and comments."""
    tokens = [
        Token(m.lastgroup or "", m.group(), m.start())
        for m in _TOKEN_RE.finditer(sql)
        if m.lastgroup not in _SKIPPED
    ]
    for token in tokens:
        if token.kind == "error":
            raise SqlSyntaxError(f"Unexpected character {token.text!r} at offset {token.start} in {sql!r}")
    return tokens


def scan(sql: str) -> list[Token]:
    """Like :func:`tokenize`, but never refuses: a character no rule knows becomes an error token."""
    return [
        Token(m.lastgroup or "", m.group(), m.start())
        for m in _TOKEN_RE.finditer(sql)
        if m.lastgroup not in _SKIPPED
    ]


def unquote(text: str) -> str:
    """The identifier inside ``"x"``, `` `x` `` or ``[x]``, with doubled quotes undone."""
    if text[:1] == "[":
        return text[1:-1]
    quote = text[0]
    return text[1:-1].replace(quote * 2, quote)


def is_plain_identifier(name: str) -> bool:
    """True when ``name`` can be written bare: letters, digits and underscores, not a keyword."""
    return _PLAIN_IDENTIFIER.match(name) is not None and name.upper() not in KEYWORDS


def quote_identifier(name: str) -> str:
    """``name`` as SQL: bare when that is unambiguous, double-quoted otherwise."""
    if is_plain_identifier(name):
        return name
    return '"' + name.replace('"', '""') + '"'


def strip_outer_parens(tokens: list[Token]) -> list[Token]:
    """Drop parentheses that enclose the whole token list: ``((a > 0))`` reads as ``a > 0``."""
    while len(tokens) >= 2 and tokens[0].text == "(" and tokens[-1].text == ")":
        if matching_paren(tokens, 0) != len(tokens) - 1:
            break
        tokens = tokens[1:-1]
    return tokens


def matching_paren(tokens: list[Token], open_index: int) -> int:
    """Index of the ``)`` that closes the ``(`` at ``open_index``."""
    depth = 0
    for i in range(open_index, len(tokens)):
        text = tokens[i].text
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
            if depth == 0:
                return i
    raise SqlSyntaxError("Unbalanced parentheses in " + " ".join(t.text for t in tokens))


def split_top_level(tokens: list[Token], separator: str = ",") -> list[list[Token]]:
    """Split a token list at separators that are not inside parentheses."""
    parts: list[list[Token]] = [[]]
    depth = 0
    for token in tokens:
        text = token.text
        if text == "(":
            depth += 1
        elif text == ")":
            depth -= 1
        if text == separator and depth == 0 and token.kind == "op":
            parts.append([])
        else:
            parts[-1].append(token)
    return parts


@lru_cache(maxsize=4096)
def check_sql(sql: str) -> None:
    """Refuse SQL text that is empty, does not tokenize, or has unbalanced parentheses.

    Checked once per distinct text: specs repeat their checks and index terms.
    """
    if _PLAIN_IDENTIFIER.match(sql):
        return  # a column name: most index terms
    tokens = tokenize(sql)
    if not tokens:
        raise SqlSyntaxError("it is empty")
    depth = 0
    for token in tokens:
        depth += (token.text == "(") - (token.text == ")")
        if depth < 0:
            break
    if depth != 0:
        raise SqlSyntaxError(f"unbalanced parentheses in {sql!r}")
