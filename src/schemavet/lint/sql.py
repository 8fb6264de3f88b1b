"""Questions rules ask of a parsed statement: which table it alters, which columns it adds."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from schemavet.lint.names import identifier, table_name
from schemavet.lint.statements import ParsedStatement
from schemavet.sql.tokens import Token

if TYPE_CHECKING:
    from sqlglot import exp


@dataclass(frozen=True)
class DeclaredForeignKey:
    """A foreign key a statement declares, as written (names not yet resolved)."""

    table: str
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]


def kind_of(tree: Any) -> str:
    """The object kind of a CREATE or DROP (``TABLE``, ``INDEX`` …), upper-cased."""
    return str(tree.args.get("kind") or "").upper()


def alter_actions(statement: ParsedStatement) -> tuple[str, list[Any]] | None:
    """For ``ALTER TABLE``: the table and its actions; None for any other statement."""
    from sqlglot import exp

    if statement.words[:2] != ("ALTER", "TABLE"):
        return None
    tree = statement.expression
    if not isinstance(tree, exp.Alter) or kind_of(tree) != "TABLE":
        return None
    return table_name(tree.this), list(tree.args.get("actions") or [])


def alter_table_tokens(statement: ParsedStatement) -> tuple[str, list[Token]] | None:
    """For ``ALTER TABLE [schema.]name …``, read token by token (for what sqlglot cannot parse):
    the table, and the tokens after its name; None for any other statement."""
    tokens = list(statement.tokens)
    if len(tokens) < 3 or not (tokens[0].is_word("ALTER") and tokens[1].is_word("TABLE")):
        return None
    position = 2
    if len(tokens) > position + 2 and tokens[position + 1].text == ".":
        position += 2  # main.t, "schema"."t"
    return tokens[position].name, tokens[position + 1 :]


@dataclass(frozen=True)
class AddedColumnTokens:
    """An ``ALTER TABLE … ADD [COLUMN]`` read token by token: the table, the column, and what
    its definition says at the top level (outside any parentheses)."""

    table: str
    column: str
    type_name: str  # the first word after the column's name ("" when none)
    not_null: bool
    default: bool  # a DEFAULT other than NULL
    generated: bool


def added_column_tokens(statement: ParsedStatement) -> AddedColumnTokens | None:
    """The column an ``ALTER TABLE … ADD`` adds, read from tokens; None for other statements."""
    altered = alter_table_tokens(statement)
    if altered is None:
        return None
    table, rest = altered
    if not rest or not rest[0].is_word("ADD"):
        return None
    rest = rest[1:]
    if rest and rest[0].is_word("COLUMN"):
        rest = rest[1:]
    if not rest or rest[0].is_word("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"):
        return None
    top: list[Token] = []  # the definition's tokens outside parentheses
    depth = 0
    for token in rest[1:]:
        if token.text == "(" and token.kind == "op":
            depth += 1
        elif token.text == ")" and token.kind == "op":
            depth -= 1
        elif depth == 0:
            top.append(token)
    words = [t.upper if t.kind == "word" else "" for t in top]
    pairs = list(zip(words, [*words[1:], ""], strict=True)) if words else []  # "ADD c": a name alone
    default = any(w == "DEFAULT" and following != "NULL" for w, following in pairs)
    return AddedColumnTokens(
        table=table,
        column=rest[0].name,
        type_name=rest[1].text if len(rest) > 1 and rest[1].kind == "word" else "",
        not_null=("NOT", "NULL") in pairs,
        default=default,
        generated="AS" in words,
    )


def added_columns(statement: ParsedStatement) -> list[tuple[str, exp.ColumnDef]]:
    """The columns an ``ALTER TABLE … ADD COLUMN`` adds, with their table."""
    from sqlglot import exp

    altered = alter_actions(statement)
    if altered is None:
        return []
    table, actions = altered
    return [(table, a) for a in actions if isinstance(a, exp.ColumnDef)]


def constraint(column: exp.ColumnDef, kind: type) -> Any:
    """The first constraint of this kind on a column definition, or None."""
    from sqlglot import exp

    for item in column.args.get("constraints") or []:
        # a constraint comes wrapped (ColumnConstraint, its kind inside) or, for what sqlglot
        # reads from a bare word after the name (IN, OUT), as itself
        found = item.args.get("kind") if isinstance(item, exp.ColumnConstraint) else item
        if isinstance(found, kind):
            return found
    return None


def is_constant(node: Any, top: bool = True) -> bool:
    """True for what SQLite accepts as a constant default when it adds a column to a table with
    rows (its ``sqlite3ValueFromExpr``): a literal (string, number, blob, NULL, TRUE/FALSE), in
    any parentheses, negated, or CAST to a type. A ``COLLATE`` after an unparenthesized
    default is the column's collation, not part of the value."""
    from sqlglot import exp

    if isinstance(node, exp.Collate) and top:
        return is_constant(node.this, top=False)
    if isinstance(node, exp.Paren | exp.Neg | exp.Cast):
        return is_constant(node.this, top=False)
    return isinstance(node, exp.Literal | exp.Null | exp.Boolean | exp.HexString)


def created_table(statement: ParsedStatement) -> str | None:
    """The table a ``CREATE TABLE`` creates, or None."""
    from sqlglot import exp

    if statement.words[:1] != ("CREATE",) or "TABLE" not in statement.words[:4]:
        return None
    tree = statement.expression
    if isinstance(tree, exp.Create) and kind_of(tree) == "TABLE":
        return table_name(tree.this)
    return None


def dropped(statement: ParsedStatement, kind: str) -> list[str]:
    """The objects of ``kind`` (TABLE, INDEX) a DROP statement drops."""
    from sqlglot import exp

    if statement.words[:1] != ("DROP",) or kind not in statement.words[:4]:
        return []
    tree = statement.expression
    if not isinstance(tree, exp.Drop) or kind_of(tree) != kind:
        return []
    return [identifier(node) for node in tree.args.get("tables") or []]


def has_if_not_exists(statement: ParsedStatement) -> bool:
    """True for ``CREATE … IF NOT EXISTS``."""
    words = statement.words
    return (
        bool(words)
        and words[0] == "CREATE"
        and any(words[i : i + 3] == ("IF", "NOT", "EXISTS") for i in range(len(words)))
    )


def declared_foreign_keys(statement: ParsedStatement) -> list[DeclaredForeignKey]:
    """Foreign keys a CREATE TABLE or an ALTER TABLE … ADD declares."""
    from sqlglot import exp

    tree = statement.expression
    table = created_table(statement)
    if table is None:
        altered = alter_actions(statement)
        if altered is None:
            return []
        table = altered[0]
    assert tree is not None
    found = []
    for reference in tree.find_all(exp.Reference):
        columns = _referencing_columns(reference)
        target = reference.this
        ref_columns = (
            tuple(identifier(c) for c in target.expressions) if isinstance(target, exp.Schema) else ()
        )
        found.append(DeclaredForeignKey(table, columns, table_name(target), ref_columns))
    return found


def _referencing_columns(reference: Any) -> tuple[str, ...]:
    from sqlglot import exp

    parent = reference.parent
    if isinstance(parent, exp.ForeignKey):
        return tuple(identifier(c) for c in parent.expressions)
    column = reference.find_ancestor(exp.ColumnDef)
    return (identifier(column.this),) if column is not None else ()


def is_command(statement: ParsedStatement, *first_words: str) -> bool:
    """True when the statement starts with one of ``first_words`` (or a WITH clause)."""
    return bool(statement.words) and statement.words[0] in (*first_words, "WITH")


def creates_index(statement: ParsedStatement) -> bool:
    """True for ``CREATE [UNIQUE] INDEX``."""
    return statement.words[:1] == ("CREATE",) and "INDEX" in statement.words[:3]


def where_clause(statement: ParsedStatement) -> Any:
    """The WHERE of an UPDATE or DELETE (None when it has none)."""
    tree = statement.expression
    return tree.args.get("where") if tree is not None else None


def renames(statement: ParsedStatement) -> list[tuple[str, str]]:
    """``(old, new)`` for an ``ALTER TABLE old RENAME TO new``."""
    from sqlglot import exp

    altered = alter_actions(statement)
    if altered is None:
        return []
    return [(altered[0], table_name(a.this)) for a in altered[1] if isinstance(a, exp.AlterRename)]


def declaring_statements(
    statements: list[ParsedStatement],
) -> list[tuple[ParsedStatement, DeclaredForeignKey]]:
    """Every foreign key the file's statements declare, with the statement declaring it.

    A table renamed later in the file (a rebuild's new table) is named by its final name.
    """
    found = []
    for index, statement in enumerate(statements):
        for fk in declared_foreign_keys(statement):
            found.append((statement, replace(fk, table=_final_name(fk.table, statements[index + 1 :]))))
    return found


def _final_name(table: str, later: list[ParsedStatement]) -> str:
    for statement in later:
        for old, new in renames(statement):
            if statement.key(old) == statement.key(table):
                table = new
    return table
