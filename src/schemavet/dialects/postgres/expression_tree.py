"""The sqlglot half of :mod:`~schemavet.dialects.postgres.expressions`: an expression parsed,
rewritten into the one spelling both sides are brought to, and printed (see that module for the
rules). Imported only when an expression has to be read.
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from schemavet.dialects.postgres.expressions import FROZEN_WORDS, Context
from schemavet.dialects.postgres.names import quote_ident, split_qualified

_DIALECT = "postgres"
_TEXT_TYPES = frozenset(
    {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR, exp.DataType.Type.BPCHAR}
)
_NUMBER_TYPES = frozenset(exp.DataType.NUMERIC_TYPES)
_INTEGER_TYPES = frozenset(exp.DataType.INTEGER_TYPES)
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.Like, exp.ILike, exp.In, exp.Between)
_OPERATORS = (exp.Binary, exp.Unary, exp.In, exp.Between, exp.Is)
# functions whose first argument is a sequence, as a regclass the server casts a string to
_SEQUENCE_FUNCTIONS = frozenset({"nextval", "currval", "setval"})
_NUMBER = re.compile(r"-?\d+(\.\d+)?\Z")


def printed(text: str, context: Context) -> str | None:
    """``text`` parsed, rewritten and printed; None when sqlglot cannot read or print it."""
    try:
        tree = sqlglot.parse_one(text, read=_DIALECT)
    except SqlglotError:
        return None
    if tree is None:
        return None
    tree = _rewrite(tree, context)
    try:
        return str(_parenthesized(tree).sql(dialect=_DIALECT))
    except SqlglotError:
        return None


def _rewrite(tree: exp.Expr, context: Context) -> exp.Expr:
    tree = _unparenthesized(tree)
    for identifier in list(tree.find_all(exp.Identifier)):
        _canonical_identifier(identifier)
    tree = _local_names(tree, context.namespace)
    tree = tree.transform(_any_as_in, copy=False)
    tree = _without_added_casts(tree, context)
    tree = tree.transform(_negative_number, copy=False)
    tree = tree.transform(_is_not_null, copy=False)
    tree = tree.transform(_in_list, copy=False)
    return tree.transform(_flattened, copy=False)


def _unparenthesized(tree: exp.Expr) -> exp.Expr:
    """The tree without its parentheses: its shape already says what they said."""
    for paren in list(tree.find_all(exp.Paren)):
        tree = _replaced(tree, paren, paren.this)
    return tree


def _canonical_identifier(identifier: exp.Identifier) -> None:
    """An unquoted name folds to lower case; then it is quoted exactly when PostgreSQL would."""
    name = identifier.this if identifier.quoted else identifier.this.lower()
    identifier.set("this", name)
    identifier.set("quoted", quote_ident(name) != name)


def _local_names(tree: exp.Expr, namespace: str) -> exp.Expr:
    """A function, table or sequence loses a schema that goes without saying (own, public, pg_catalog)."""
    local = {namespace, "public", "pg_catalog"}
    for dot in list(tree.find_all(exp.Dot)):
        named = isinstance(dot.this, (exp.Identifier, exp.Var)) and dot.this.name in local
        if named and isinstance(dot.expression, exp.Func):
            # read again unqualified: now() is CURRENT_TIMESTAMP only to a parser that sees it bare
            tree = _replaced(tree, dot, sqlglot.parse_one(dot.expression.sql(_DIALECT), read=_DIALECT))
    for table in list(tree.find_all(exp.Table)):
        if table.args.get("db") is not None and table.db in local and not table.args.get("catalog"):
            table.set("db", None)
    for cast in list(tree.find_all(exp.Cast)):
        if cast.to.sql(_DIALECT).upper() == "REGCLASS" and _is_string(cast.this):
            tree = _replaced(tree, cast, _relation_literal(cast.this, local))
    for call in list(tree.find_all(exp.Anonymous)):
        arguments = call.expressions
        if str(call.this).lower() in _SEQUENCE_FUNCTIONS and arguments and _is_string(arguments[0]):
            arguments[0].replace(_relation_literal(arguments[0], local))
    return tree


def _is_string(node: exp.Expr) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _relation_literal(literal: exp.Expr, local: set[str]) -> exp.Expr:
    """``'public.t_id_seq'`` (a regclass) → ``'t_id_seq'``, its parts quoted as PostgreSQL would."""
    parts = split_qualified(literal.this)
    if len(parts) == 2 and parts[0] in local:
        parts = parts[1:]
    return exp.Literal.string(".".join(quote_ident(p) for p in parts))


def _replaced(tree: exp.Expr, node: exp.Expr, new: exp.Expr) -> exp.Expr:
    """``tree`` with ``node`` replaced by ``new`` (the tree itself when ``node`` is its root)."""
    if node is tree:
        new.parent = None
        return new
    node.replace(new)
    return tree


def _any_as_in(node: exp.Expr) -> exp.Expr:
    """``x = ANY (ARRAY[a, b])`` → ``x IN (a, b)``; ``x <> ALL (ARRAY[…])`` → ``NOT x IN (…)``."""
    if isinstance(node, exp.EQ) and isinstance(node.expression, exp.Any):
        elements = _array_elements(node.expression.this)
        if elements is not None:
            return exp.In(this=node.this, expressions=elements)
    if isinstance(node, exp.NEQ) and _is_all(node.expression):
        elements = _array_elements(node.expression.expressions[0])
        if elements is not None:
            return exp.Not(this=exp.In(this=node.this, expressions=elements))
    return node


def _is_all(node: exp.Expr) -> bool:
    """``ALL (…)``, which sqlglot reads as a call of a function named ALL."""
    return isinstance(node, exp.Anonymous) and str(node.this).upper() == "ALL" and len(node.expressions) == 1


def _array_elements(node: exp.Expr) -> list[exp.Expr] | None:
    """The elements of ``ARRAY[…]``, also when the server cast the array (``::text[]``)."""
    while isinstance(node, (exp.Paren, exp.Cast)):
        if isinstance(node, exp.Cast) and not _is_text_array(node.to):
            return None
        node = node.this
    return list(node.expressions) if isinstance(node, exp.Array) else None


def _is_text_array(to: exp.DataType) -> bool:
    return (
        to.is_type(exp.DataType.Type.ARRAY) and bool(to.expressions) and to.expressions[0].this in _TEXT_TYPES
    )


def _without_added_casts(tree: exp.Expr, context: Context) -> exp.Expr:
    """Drop the casts the server adds; repeated, since it may add one around another."""
    changed = True
    while changed:
        changed = False
        for cast in list(tree.find_all(exp.Cast)):
            plain = _uncast(cast, context)
            if plain is not None:
                tree = _replaced(tree, cast, plain)
                changed = True
    return tree


def _uncast(cast: exp.Cast, context: Context) -> exp.Expr | None:
    """What ``cast`` reads as without the cast, when dropping it cannot change the meaning."""
    inner, to = cast.this, cast.to
    if to.expressions:  # a length or a precision may change the value: 'abc'::varchar(2) is 'ab'
        return None
    if _is_literal(inner):
        if _is_frozen_literal(inner, to) or (to.this in _INTEGER_TYPES and _is_fraction(inner)):
            return None
        whole_default = context.default and cast.parent is None
        if whole_default or _compared(cast) or to.this in _TEXT_TYPES:
            return _as_number(inner) if to.this in _NUMBER_TYPES else inner
        return None
    if _compared(cast) and to.this in _TEXT_TYPES and isinstance(inner, exp.Column):
        return inner if inner.name in context.text_columns else None
    return None


def _is_literal(node: exp.Expr) -> bool:
    return isinstance(node, exp.Literal) or (isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal))


def _is_fraction(node: exp.Expr) -> bool:
    """A number literal with a fraction or an exponent: a cast to an integer type rounds it."""
    literal = node.this if isinstance(node, exp.Neg) else node
    return isinstance(literal, exp.Literal) and any(c in str(literal.this) for c in ".eE")


def _is_frozen_literal(node: exp.Expr, to: exp.DataType) -> bool:
    """``'now'::timestamp`` and its kin: evaluated once, so never the same as ``now()``."""
    return (
        isinstance(node, exp.Literal)
        and node.is_string
        and node.this.strip().lower() in FROZEN_WORDS
        and to.this in exp.DataType.TEMPORAL_TYPES
    )


def _compared(node: exp.Expr) -> bool:
    """True when ``node`` is an operand of a comparison (or an element of a list compared)."""
    parent = node.parent
    if isinstance(parent, exp.Array):
        parent = parent.parent
    return isinstance(parent, _COMPARISONS)


def _as_number(node: exp.Expr) -> exp.Expr:
    """A string literal that spells a number, as that number (``'-1'::integer`` is ``-1``)."""
    if isinstance(node, exp.Literal) and node.is_string and _NUMBER.match(node.this.strip()):
        return exp.Literal.number(node.this.strip())
    return node


def _negative_number(node: exp.Expr) -> exp.Expr:
    if isinstance(node, exp.Neg) and isinstance(node.this, exp.Literal) and not node.this.is_string:
        return exp.Literal.number("-" + node.this.this)
    return node


def _is_not_null(node: exp.Expr) -> exp.Expr:
    """``NOT x IS NULL`` is ``x IS NOT NULL`` (for a single value; the model has no row checks)."""
    negated = isinstance(node, exp.Not) and isinstance(node.this, exp.Is)
    if negated and isinstance(node.this.expression, exp.Null) and not node.this.args.get("negate"):
        return exp.Is(this=node.this.this, expression=exp.Null(), negate=True)
    return node


def _in_list(node: exp.Expr) -> exp.Expr:
    """A list of literals compared with IN in one order (it has none); one item is ``=``."""
    if not isinstance(node, exp.In) or not node.expressions or node.args.get("query"):
        return node
    items = list(node.expressions)
    if len(items) == 1:
        return exp.EQ(this=node.this, expression=items[0])
    if all(_is_literal(item) for item in items):
        node.set("expressions", sorted(items, key=lambda item: item.sql(_DIALECT)))
    return node


def _flattened(node: exp.Expr) -> exp.Expr:
    """``a AND (b AND c)`` is ``a AND b AND c``: the same connective nested is one chain."""
    if isinstance(node, (exp.And, exp.Or)):
        kind = type(node)
        terms = [term for side in (node.this, node.expression) for term in _chain(side, kind)]
        chained: exp.Expr = terms[0]
        for term in terms[1:]:
            chained = kind(this=chained, expression=term)
        return chained
    return node


def _chain(node: exp.Expr, kind: type[exp.Expr]) -> list[exp.Expr]:
    if isinstance(node, kind):
        return _chain(node.this, kind) + _chain(node.expression, kind)
    return [node]


def _parenthesized(node: exp.Expr) -> exp.Expr:
    """Parentheses around every operator inside another (an AND or OR chain stays one chain)."""
    for child in list(node.iter_expressions()):
        _parenthesized(child)
        if _needs_parentheses(child, node):
            child.replace(exp.Paren(this=child.copy()))
    return node


def _needs_parentheses(node: exp.Expr, parent: exp.Expr) -> bool:
    if not isinstance(node, _OPERATORS) or not isinstance(parent, _OPERATORS):
        return False
    return not (type(node) is type(parent) and isinstance(node, (exp.And, exp.Or)))
