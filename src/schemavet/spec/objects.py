"""The spec's schema objects beyond tables and views: sequences, domains, functions, extensions,
and a table's EXCLUDE constraints and row-level-security policies (``row_policies``).

PostgreSQL has all of them; the spec format is the engine's own words as keys (see
``docs/spec.md``). Unknown keys are errors here too.
"""

from __future__ import annotations

from collections.abc import Callable

import yaml

from schemavet.model import Check, Domain, Exclusion, Extension, Function, Policy, Sequence
from schemavet.spec.engines import KEY as ENGINES_KEY
from schemavet.spec.yamlnodes import Nodes, line_of

Entries = dict[str, tuple[yaml.Node, yaml.Node]]
SqlReader = Callable[[yaml.Node, str], str]
CheckReader = Callable[[yaml.Node, str], Check]
Here = Callable[[yaml.Node], bool]

NAMESPACE_OBJECTS = frozenset({"sequences", "domains", "functions", "extensions"})
# each object may say the engines it exists on (``engines:``, see spec/engines.py)
SEQUENCE_KEYS = frozenset(
    {"description", "type", "increment", "minimum", "maximum", "cycle", "owned_by", ENGINES_KEY}
)
DOMAIN_KEYS = frozenset({"description", "type", "nullable", "default", "collation", "checks", ENGINES_KEY})
FUNCTION_KEYS = frozenset({"description", "returns", "language", ENGINES_KEY})
EXTENSION_KEYS = frozenset({"description", ENGINES_KEY})
EXCLUSION_KEYS = frozenset({"definition", "name", "deferrable", ENGINES_KEY})
ROW_POLICY_KEYS = frozenset(
    {"description", "command", "permissive", "roles", "using", "with_check", ENGINES_KEY}
)
_COMMANDS = ("ALL", "SELECT", "INSERT", "UPDATE", "DELETE")


class ObjectReader:
    """Reads the objects above from their spec nodes; ``sql`` and ``check`` are the spec's own
    readers, ``here`` says whether an object exists on the engine read (its ``engines:``)."""

    def __init__(self, nodes: Nodes, sql: SqlReader, check: CheckReader, here: Here) -> None:
        self.nodes = nodes
        self.sql = sql
        self.check = check
        self.here = here

    def _items(self, node: yaml.Node, what: str) -> Entries:
        """A mapping's entries whose object exists on the engine read."""
        return {name: (k, v) for name, (k, v) in self.nodes.mapping(node, what).items() if self.here(v)}

    # --- namespace level --------------------------------------------------------------------

    def sequences(self, node: yaml.Node) -> dict[str, Sequence]:
        """``sequences: {name: {type, increment, minimum, maximum, cycle, owned_by}}``."""
        items = self._items(node, '"sequences"')
        return {name: self._sequence(name, value, line_of(key)) for name, (key, value) in items.items()}

    def _sequence(self, name: str, node: yaml.Node, line: int) -> Sequence:
        what = f'sequence "{name}"'
        entries = self.nodes.mapping(node, what, SEQUENCE_KEYS) if not _empty(node) else {}
        return Sequence(
            name=name,
            type=self._text(entries, "type", what) or "bigint",
            increment=self._integer(entries, "increment", what) or 1,
            minimum=self._integer(entries, "minimum", what),
            maximum=self._integer(entries, "maximum", what),
            cycle="cycle" in entries and self.nodes.boolean(entries["cycle"][1], f'"cycle" of {what}'),
            owned_by=self._text(entries, "owned_by", what),
            line=line,
        )

    def domains(self, node: yaml.Node) -> dict[str, Domain]:
        """``domains: {name: type}`` or ``{name: {type, nullable, default, collation, checks}}``."""
        items = self._items(node, '"domains"')
        return {name: self._domain(name, value, line_of(key)) for name, (key, value) in items.items()}

    def _domain(self, name: str, node: yaml.Node, line: int) -> Domain:
        what = f'domain "{name}"'
        if isinstance(node, yaml.ScalarNode):
            return Domain(name=name, type=self.nodes.scalar(node, what), line=line)
        entries = self.nodes.mapping(node, what, DOMAIN_KEYS)
        if "type" not in entries:
            raise self.nodes.error(node, f'{what} has no "type"')
        checks = (
            self.nodes.sequence(entries["checks"][1], f'"checks" of {what}') if "checks" in entries else []
        )
        return Domain(
            name=name,
            type=self.nodes.scalar(entries["type"][1], f'"type" of {what}'),
            nullable="nullable" not in entries or self.nodes.boolean(entries["nullable"][1], what),
            default=self.sql(entries["default"][1], f'"default" of {what}') if "default" in entries else None,
            collation=self._text(entries, "collation", what),
            checks=tuple(self.check(check, what) for check in checks),
            line=line,
        )

    def functions(self, node: yaml.Node) -> dict[str, Function]:
        """``functions: {"name(argument types)": {returns, language}}``: keyed by signature."""
        items = self._items(node, '"functions"')
        return {signature: self._function(signature, key, value) for signature, (key, value) in items.items()}

    def _function(self, signature: str, key: yaml.Node, node: yaml.Node) -> Function:
        what = f'function "{signature}"'
        name, arguments = _split_signature(signature)
        if name is None:
            raise self.nodes.error(key, f'{what} should be written as its signature, "name(argument types)"')
        entries = self.nodes.mapping(node, what, FUNCTION_KEYS) if not _empty(node) else {}
        return Function(
            name=name,
            arguments=arguments,
            returns=self._text(entries, "returns", what) or "",
            language=self._text(entries, "language", what) or "",
            line=line_of(key),
        )

    def extensions(self, node: yaml.Node) -> dict[str, Extension]:
        """``extensions: [pg_trgm, citext]``, or a mapping of name to ``{description}``."""
        if isinstance(node, yaml.MappingNode):
            items = self._items(node, '"extensions"')
            for name, (_, value) in items.items():
                if not _empty(value):
                    self.nodes.mapping(value, f'extension "{name}"', EXTENSION_KEYS)
            return {name: Extension(name, line=line_of(key)) for name, (key, _) in items.items()}
        names = self.nodes.sequence(node, '"extensions"')
        return {
            self.nodes.scalar(item, '"extensions"'): Extension(
                self.nodes.scalar(item, '"extensions"'), line_of(item)
            )
            for item in names
        }

    # --- table level ------------------------------------------------------------------------

    def exclusions(self, node: yaml.Node, what: str) -> tuple[Exclusion, ...]:
        """``exclusions: ["USING gist (room WITH =, during WITH &&)", {definition, name, deferrable}]``."""
        return tuple(
            self._exclusion(item, what)
            for item in self.nodes.sequence(node, f'"exclusions" of {what}')
            if self.here(item)
        )

    def _exclusion(self, node: yaml.Node, what: str) -> Exclusion:
        what = f"an exclusion constraint of {what}"
        if isinstance(node, yaml.ScalarNode):
            return Exclusion(self.sql(node, what), line=line_of(node))
        entries = self.nodes.mapping(node, what, EXCLUSION_KEYS)
        if "definition" not in entries:
            raise self.nodes.error(node, f'{what} has no "definition"')
        return Exclusion(
            self.sql(entries["definition"][1], what),
            name=self._text(entries, "name", what),
            deferrable=self._text(entries, "deferrable", what) or "NOT DEFERRABLE",
            line=line_of(node),
        )

    def row_policies(self, node: yaml.Node, what: str) -> dict[str, Policy]:
        """``row_policies: {name: {command, permissive, roles, using, with_check}}`` (CREATE POLICY)."""
        items = self._items(node, f'"row_policies" of {what}')
        return {name: self._row_policy(name, value, line_of(key)) for name, (key, value) in items.items()}

    def _row_policy(self, name: str, node: yaml.Node, line: int) -> Policy:
        what = f'row policy "{name}"'
        entries = self.nodes.mapping(node, what, ROW_POLICY_KEYS) if not _empty(node) else {}
        command = " ".join((self._text(entries, "command", what) or "ALL").upper().split())
        if command not in _COMMANDS:
            raise self.nodes.error(
                entries["command"][1],
                f'"command" of {what} should be one of: ' + ", ".join(sorted(_COMMANDS)),
            )
        roles = (
            self.nodes.names(entries["roles"][1], f'"roles" of {what}') if "roles" in entries else ("public",)
        )
        return Policy(
            name=name,
            command=command,
            permissive="permissive" not in entries or self.nodes.boolean(entries["permissive"][1], what),
            roles=roles,
            using=self.sql(entries["using"][1], f'"using" of {what}') if "using" in entries else None,
            with_check=self.sql(entries["with_check"][1], f'"with_check" of {what}')
            if "with_check" in entries
            else None,
            line=line,
        )

    # --- values -----------------------------------------------------------------------------

    def _text(self, entries: Entries, key: str, what: str) -> str | None:
        return self.nodes.scalar(entries[key][1], f'"{key}" of {what}') if key in entries else None

    def _integer(self, entries: Entries, key: str, what: str) -> int | None:
        text = self._text(entries, key, what)
        if text is None:
            return None
        try:
            return int(text)
        except ValueError:
            raise self.nodes.error(entries[key][1], f'"{key}" of {what} should be a whole number') from None


def _empty(node: yaml.Node) -> bool:
    """True for ``name:`` or ``name: {}``: an object that states nothing beyond its name."""
    if isinstance(node, yaml.ScalarNode):
        return not node.style and node.value in ("", "~", "null", "Null", "NULL")
    return isinstance(node, yaml.MappingNode) and not node.value


def _split_signature(signature: str) -> tuple[str | None, str]:
    """``touch(integer, text)`` → (``touch``, ``integer, text``); (None, "") when it is no signature."""
    text = signature.strip()
    if not text.endswith(")"):
        return None, ""
    depth, quoted = 0, False
    for at in range(len(text) - 1, -1, -1):
        char = text[at]
        if char == '"':
            quoted = not quoted
        elif not quoted and char == ")":
            depth += 1
        elif not quoted and char == "(":
            depth -= 1
            if depth == 0:
                name = text[:at].strip()
                return (name or None), text[at + 1 : -1].strip()
    return None, ""
