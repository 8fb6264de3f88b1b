"""Objects of a multi-engine spec that exist on some engines only: ``engines: [postgresql]``.

A spec whose ``engine:`` names several engines describes one schema built on each; an enum or
a domain may exist on PostgreSQL only, and a CHECK stand in for it on SQLite. Such an object
says so with an ``engines:`` list, and a spec read for another engine leaves it out, as if it
were not written. The list may name only engines the spec itself names.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

import yaml

from schemavet.spec.yamlnodes import Nodes

KEY = "engines"
_T = TypeVar("_T")


def marked_engines(nodes: Nodes, node: yaml.Node, spec_engines: tuple[str, ...]) -> tuple[str, ...] | None:
    """The engines a mapping node's ``engines:`` names (None when it names none), checked."""
    if not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if isinstance(key, yaml.ScalarNode) and key.value == KEY:
            engines = nodes.names(value, f'"{KEY}"')
            unknown = [name for name in engines if name not in spec_engines]
            if not engines:
                raise nodes.error(
                    value, f'"{KEY}" names no engine; expected some of: ' + ", ".join(spec_engines)
                )
            if unknown:
                raise nodes.error(
                    value,
                    f'"{KEY}" names engine "{unknown[0]}", which the spec\'s "engine:" does not; '
                    f"expected some of: " + ", ".join(spec_engines),
                )
            return engines
    return None


def applies(nodes: Nodes, node: yaml.Node, engine: str, spec_engines: tuple[str, ...]) -> bool:
    """Whether the object written at ``node`` exists on ``engine``."""
    engines = marked_engines(nodes, node, spec_engines)
    return engines is None or engine in engines


def on_engine(
    nodes: Nodes, items: Iterable[tuple[_T, yaml.Node]], engine: str, spec_engines: tuple[str, ...]
) -> list[tuple[_T, yaml.Node]]:
    """The ``(key, node)`` pairs whose object exists on ``engine``, in order."""
    return [(key, node) for key, node in items if applies(nodes, node, engine, spec_engines)]
