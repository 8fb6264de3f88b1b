"""The spec's ``queries:`` section: named hot queries and the plans they must have.

```yaml
queries:
  next_queued_cv:
    description: the worker takes the oldest queued CV
    sql: SELECT id FROM cvs WHERE status = 'queued' ORDER BY created_at LIMIT 1
    uses: idx_cvs_status_created_at     # or a list; "primary key" for the table's key
    sort: forbidden                     # default: allowed
    scan: forbidden                     # the default
```
"""

from __future__ import annotations

import yaml

from schemavet.compare.plans import PRIMARY_KEY, Query
from schemavet.dialect import registry
from schemavet.errors import SchemavetError
from schemavet.model import Schema
from schemavet.spec.yamlnodes import Nodes, line_of
from schemavet.sql.tokens import check_sql, tokenize

QUERY_KEYS = frozenset({"description", "sql", "uses", "scan", "sort"})
_PERMISSIONS = {"allowed": True, "forbidden": False}


def parse_queries(nodes: Nodes, node: yaml.Node, schema: Schema) -> tuple[Query, ...]:
    """The queries of a ``queries:`` mapping, each index it names checked against ``schema``."""
    indexes = {
        name.lower() for ns in schema.namespaces.values() for t in ns.tables.values() for name in t.indexes
    }
    queries = []
    for name, (key, value) in nodes.mapping(node, '"queries"').items():
        query = _query(nodes, name, value, line_of(key), schema.engine)
        for index in query.uses:
            if index.lower() != PRIMARY_KEY and index.lower() not in indexes:
                raise nodes.error(
                    value, f'Query "{name}" uses index "{index}", which the spec does not declare'
                )
        queries.append(query)
    return tuple(queries)


def _query(nodes: Nodes, name: str, node: yaml.Node, line: int, engine: str) -> Query:
    what = f'query "{name}"'
    if isinstance(node, yaml.ScalarNode):
        return Query(name, _sql(nodes, node, what), line=line)
    entries = nodes.mapping(node, what, QUERY_KEYS)
    if "sql" not in entries:
        raise nodes.error(node, f'{what} has no "sql"')
    value = {k: n for k, (_, n) in entries.items()}
    return Query(
        name,
        _sql(nodes, _for_engine(nodes, value["sql"], engine, what), what),
        uses=nodes.names(value["uses"], f'"uses" of {what}') if "uses" in value else (),
        scan=_permission(nodes, value, "scan", what, default=False),
        sort=_permission(nodes, value, "sort", what, default=True),
        description=nodes.scalar(value["description"], what) if "description" in value else None,
        line=line,
    )


def _for_engine(nodes: Nodes, node: yaml.Node, engine: str, what: str) -> yaml.Node:
    """The SQL as written, or its entry for ``engine`` in ``{sqlite: …, postgresql: …}``."""
    if not isinstance(node, yaml.MappingNode):
        return node
    entries = nodes.mapping(node, f'"sql" of {what}', frozenset(registry.names()))
    if engine not in entries:
        raise nodes.error(node, f'"sql" of {what} gives no statement for engine "{engine}"')
    return entries[engine][1]


def _sql(nodes: Nodes, node: yaml.Node, what: str) -> str:
    text = nodes.scalar(node, f'"sql" of {what}').strip()
    try:
        check_sql(text)
    except SchemavetError as e:
        raise nodes.error(node, f"Cannot read the SQL of {what}: {e}") from e
    tokens = tokenize(text)
    while tokens and tokens[-1].text == ";":
        tokens.pop()
    if any(t.kind == "op" and t.text == ";" for t in tokens):
        raise nodes.error(node, f"The SQL of {what} should be one statement")
    return text[: tokens[-1].start + len(tokens[-1].text)] if tokens else text


def _permission(nodes: Nodes, value: dict[str, yaml.Node], key: str, what: str, default: bool) -> bool:
    if key not in value:
        return default
    word = nodes.scalar(value[key], f'"{key}" of {what}').lower()
    if word not in _PERMISSIONS:
        raise nodes.error(value[key], f'"{key}" of {what} should be "allowed" or "forbidden"')
    return _PERMISSIONS[word]
