"""Each statement parsed with sqlglot, with a token-level view for what sqlglot cannot read.

sqlglot reads most DDL and DML; ``CREATE TRIGGER`` and some ``ALTER TABLE`` forms come back
as an opaque ``Command`` or a parse error. Rules look at ``expression`` when it is there and
at ``tokens`` (comments and white space dropped) otherwise, so no statement crashes the run.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from schemavet.dialect import registry
from schemavet.lint.source import Statement
from schemavet.sql.tokens import Token, scan

if TYPE_CHECKING:
    from sqlglot import exp


@dataclass(frozen=True)
class ParsedStatement:
    """A statement of a migration: where it is, its tokens, and sqlglot's tree when it has one."""

    source: Statement
    tokens: tuple[Token, ...]
    dialect: str
    line: int
    column: int

    @cached_property
    def expression(self) -> exp.Expression | None:
        """sqlglot's tree, parsed on first use (None when sqlglot cannot read the statement).

        Rules look at the leading keywords first, so most statements are never parsed by a
        rule that does not concern them: parsing is most of lint's time.
        """
        return _sqlglot(self.text, self.dialect)

    @property
    def text(self) -> str:
        """The statement as yoyo executes it."""
        return self.source.text

    @property
    def words(self) -> tuple[str, ...]:
        """The leading keywords, upper-cased (``CREATE``, ``UNIQUE``, ``INDEX`` …), up to eight."""
        return tuple(t.upper for t in self.tokens[:8])

    def key(self, name: str) -> str:
        """``name`` keyed as this statement's dialect keys an identifier written without quotes."""
        return registry.get(self.dialect).word_key(name)

    def starts_with(self, *words: str) -> bool:
        """True when the statement's first tokens are these keywords."""
        return self.words[: len(words)] == words


def parse_statement(statement: Statement, dialect: str) -> ParsedStatement:
    """Parse one statement; its line and column are those of its first token (not a comment)."""
    tokens = tuple(scan(statement.text))
    line, column = statement.line, statement.column
    if tokens:
        line, column = _position(statement, tokens[0].start)
    return ParsedStatement(statement, tokens, dialect, line, column)


def _position(statement: Statement, offset: int) -> tuple[int, int]:
    before = statement.text[:offset]
    newlines = before.count("\n")
    if not newlines:
        return statement.line, statement.column + offset
    return statement.line + newlines, offset - before.rfind("\n")


def _sqlglot(text: str, dialect: str) -> exp.Expression | None:
    import sqlglot
    from sqlglot import exp

    _quiet_sqlglot()
    try:
        trees: list[Any] = sqlglot.parse(text, read=registry.get(dialect).sqlglot_dialect)
    except Exception:  # sqlglot raises ParseError, TokenError and, on odd input, others
        return None
    # A comment after the statement's ";" comes back as an expression of its own (a Semicolon
    # carrying the comment): the statement is still the one expression before it.
    trees = [t for t in trees if t is not None and not isinstance(t, exp.Semicolon)]
    if len(trees) != 1 or isinstance(trees[0], exp.Command | exp.Block):
        return None
    return trees[0]  # type: ignore[no-any-return]


def _quiet_sqlglot() -> None:
    # sqlglot logs a warning for every statement it falls back on; the token view covers those.
    logging.getLogger("sqlglot").setLevel(logging.ERROR)
