"""Names out of sqlglot trees, compared as the dialect compares them."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlglot import exp


def identifier(node: exp.Expression | None) -> str:
    """The name an Identifier, Column or Table node spells, quotes removed."""
    if node is None:
        return ""
    from sqlglot import exp

    if isinstance(node, exp.Identifier):
        return str(node.this)
    if isinstance(node, exp.Table | exp.Column):
        return identifier(node.this)
    if isinstance(node, exp.Schema):
        return identifier(node.this)
    return node.name


def table_name(node: exp.Expression | None) -> str:
    """The table a Table or Schema node names (without its schema qualifier)."""
    from sqlglot import exp

    if isinstance(node, exp.Schema):
        node = node.this
    return identifier(node) if isinstance(node, exp.Table) else ""
