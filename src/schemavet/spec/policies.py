"""The spec's ``policies:`` section read into :class:`~schemavet.compare.policies.Policy` values."""

from __future__ import annotations

import yaml

from schemavet.compare.policies import POLICY_KEYS, RULES, Policy
from schemavet.spec.yamlnodes import Nodes, line_of


def parse_policy(nodes: Nodes, node: yaml.Node) -> Policy:
    """A policy from its spec entry."""
    entries = nodes.mapping(node, "a policy", POLICY_KEYS)
    if "rule" not in entries:
        raise nodes.error(node, 'A policy has no "rule"')
    rule = nodes.scalar(entries["rule"][1], '"rule"')
    if rule not in RULES:
        raise nodes.error(
            entries["rule"][1], f'Unknown policy rule "{rule}"; expected one of: ' + ", ".join(sorted(RULES))
        )
    value = {k: n for k, (_, n) in entries.items()}
    policy = Policy(
        rule=rule,
        tables=nodes.names(value["tables"], '"tables"') if "tables" in value else (),
        target=nodes.scalar(value["table"], '"table"') if "table" in value else None,
        on_delete=nodes.scalar(value["on_delete"], '"on_delete"') if "on_delete" in value else None,
        description=nodes.scalar(value["description"], '"description"') if "description" in value else None,
        line=line_of(node),
        columns=nodes.names(value["columns"], '"columns"') if "columns" in value else (),
        exempt=nodes.names(value["except"], '"except"') if "except" in value else (),
    )
    if rule == "references" and policy.target is None:
        raise nodes.error(node, 'A "references" policy needs "table", the table referenced')
    if "columns" in value and rule not in ("references", "columns-required"):
        raise nodes.error(entries["columns"][0], f'A "{rule}" policy takes no "columns"')
    if rule == "columns-required" and not policy.columns:
        raise nodes.error(node, 'A "columns-required" policy needs "columns", the columns every table has')
    return policy
