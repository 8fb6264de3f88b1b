"""SQLite's canonical text of names and expressions, the form comparisons are made in.

Keywords are upper-cased, identifiers folded to lower case (SQLite compares them
case-insensitively, ASCII letters only), spacing made uniform and redundant outer parentheses
dropped. Where the table is known, a double-quoted word that names none of its columns is the
string it spells, as SQLite reads it: ``CHECK (kind IN ("A", "B"))`` checks for ``'A'``.
"""

from __future__ import annotations

from functools import cache

from schemavet.dialects.sqlite.names import fold
from schemavet.sql.tokens import KEYWORDS, Token, quote_identifier, strip_outer_parens, tokenize, unquote

_NO_SPACE_AFTER = frozenset({"(", ".", "~"})
_NO_SPACE_BEFORE = frozenset({")", ",", ".", ";"})
_OPERATORS = frozenset("= == < > <= >= != <> + - * / % || & | << >>".split())
_UNARY_CONTEXT = _OPERATORS | {"(", ","}
NO_COLUMNS: frozenset[str] = frozenset()
# Keywords SQLite never reads as a column's name where an expression names one (tried on
# SQLite 3.40: CHECK (word > 0) beside a column "word"): ``x IS NULL`` is no column "null".
# The others (KEY, ACTION, VIRTUAL, TRUE …) name a column where there is one.
NEVER_NAMES = frozenset(
    """
    ADD ALL AND AS AUTOINCREMENT BETWEEN CASE CAST CHECK COLLATE CONSTRAINT CREATE CURRENT_DATE
    CURRENT_TIME CURRENT_TIMESTAMP DEFAULT DEFERRABLE DELETE DISTINCT DROP ELSE ESCAPE EXCEPT
    EXISTS FOREIGN FROM GROUP HAVING IN INDEX INSERT INTERSECT INTO IS ISNULL JOIN LIMIT NOT
    NOTHING NOTNULL NULL ON OR ORDER PRIMARY RAISE REFERENCES RETURNING SELECT SET TABLE THEN
    TO UNION UNIQUE UPDATE USING VALUES WHEN WHERE
    """.split()
)


def canonical_expression(sql: str, columns: frozenset[str] | None = None) -> str:
    """The canonical text of an expression; ``columns``: the folded column names in scope."""
    if columns is not None:
        # only the columns the expression could name matter: so CHECK (x > 0) in a thousand
        # tables is read once, not once per table
        columns = columns & _names_in(sql)
    return _canonical_expression(sql, columns)


@cache
def _canonical_expression(sql: str, columns: frozenset[str] | None) -> str:
    return render(strip_outer_parens(tokenize(sql)), columns)


@cache
def _names_in(sql: str) -> frozenset[str]:
    """The folded words and quoted names of an expression: what could be a column."""
    return frozenset(fold(t.name) for t in tokenize(sql) if t.kind in ("word", "quoted"))


def render(tokens: list[Token], columns: frozenset[str] | None = None) -> str:
    """Tokens joined in canonical form (see the module's docstring)."""
    parts: list[str] = []
    texts: list[str] = []  # each token's canonical text
    for i, token in enumerate(tokens):
        text = _canonical_token(token, columns)
        if i and _needs_space(tokens[i - 1], texts[-1], token, texts[-2] if i > 1 else None):
            parts.append(" ")
        parts.append(text)
        texts.append(text)
    return "".join(parts)


def _canonical_token(token: Token, columns: frozenset[str] | None) -> str:
    kind, text = token.kind, token.text
    if kind == "word":
        folded = fold(text)
        if columns and folded in columns and token.upper not in NEVER_NAMES:
            return quote_identifier(folded)  # a column named like a keyword ("action", "key")
        upper = text.upper()
        return upper if upper in KEYWORDS else folded
    if kind == "quoted":
        name = unquote(text)
        if columns is not None and text[0] == '"' and fold(name) not in columns:
            return "'" + name.replace("'", "''") + "'"
        return quote_identifier(fold(name))
    if kind == "string" and text[0] in "xX":
        return "X" + text[1:].upper()
    return text


def _needs_space(prev: Token, prev_text: str, token: Token, before_prev: str | None) -> bool:
    if prev_text in _NO_SPACE_AFTER or token.text in _NO_SPACE_BEFORE:
        return False
    if token.text == "(":
        # a function call hugs its parenthesis; a keyword (IN, AS, VALUES) does not
        return prev.kind not in ("word", "quoted") or prev_text.upper() in KEYWORDS
    return not (prev_text in ("-", "+") and _is_unary(before_prev))


def _is_unary(before: str | None) -> bool:
    """True when a sign after ``before`` (canonical text) is unary: a keyword, not a column
    named like one (canonical text quotes those), leaves an operand to come."""
    return before is None or before in _UNARY_CONTEXT or before in KEYWORDS
