"""Policies: rules a spec states across tables, checked against the spec and the database.

Each rule is a function from a normalized schema to the tables that break it. A spec writes
``policies: [{rule: foreign-keys-indexed}, {rule: references, tables: […], table: projects,
on_delete: CASCADE}]``; the rules and their parameters are documented in ``docs/spec.md``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from schemavet.compare.findings import POLICY, Finding
from schemavet.model import Schema, Table
from schemavet.sql.tokens import tokenize

NameKey = Callable[[str], str]


@dataclass(frozen=True)
class Policy:
    """One stated rule with its parameters and the spec line that states it."""

    rule: str
    tables: tuple[str, ...] = ()
    target: str | None = None
    on_delete: str | None = None
    description: str | None = None
    line: int | None = field(default=None, compare=False)
    columns: tuple[str, ...] = ()
    exempt: tuple[str, ...] = ()  # the spec's ``except:``: tables the rule does not cover

    @property
    def title(self) -> str:
        """How findings name the policy."""
        return f'"{self.description or self.rule}"'


Violation = tuple[str, str]  # (table name, what is wrong)
_Rule = Callable[[Policy, Schema, NameKey], Iterator[Violation]]


def _tables(policy: Policy, schema: Schema, key: NameKey) -> Iterator[tuple[str, Table]]:
    """The tables a policy covers: those it names, or every real table; less those it exempts.

    A named table that is absent is skipped: the diff already reports a missing table, and
    the spec loader refuses a policy that names a table the spec does not declare.
    """
    tables = {k: t for ns in schema.namespaces.values() for k, t in ns.tables.items()}
    exempt = {key(name) for name in policy.exempt}
    if policy.tables:
        named = ((key(name), name) for name in policy.tables)
        yield from ((name, tables[k]) for k, name in named if k in tables and k not in exempt)
    else:
        yield from ((t.name, t) for k, t in tables.items() if not t.is_virtual and k not in exempt)


def _foreign_keys_indexed(policy: Policy, schema: Schema, key: NameKey) -> Iterator[Violation]:
    for name, table in _tables(policy, schema, key):
        leading = _index_prefixes(table)
        for fk in table.foreign_keys:
            if not any(prefix[: len(fk.columns)] == fk.columns for prefix in leading):
                yield (
                    name,
                    (
                        f'foreign key ({", ".join(fk.columns)}) of "{name}" is not the '
                        f"leading column list of any index"
                    ),
                )


def _index_prefixes(table: Table) -> list[tuple[str, ...]]:
    """Column lists that lead an index: explicit indexes, UNIQUE constraints, the primary key."""
    lists = [_leading_columns(ix.columns) for ix in table.indexes.values() if ix.where is None]
    lists += [u.columns for u in table.uniques]
    if table.primary_key is not None:
        lists.append(table.primary_key.columns)
    return lists


def _leading_columns(terms: tuple[str, ...]) -> tuple[str, ...]:
    """The columns an index's key starts with, up to its first expression."""
    columns = []
    for term in terms:
        column = _plain_column(term)
        if column is None:
            break
        columns.append(column)
    return tuple(columns)


def _plain_column(term: str) -> str | None:
    """The column a normalized index term names (``"a b" COLLATE NOCASE DESC`` → ``a b``), or
    None for an expression."""
    tokens = tokenize(term)
    if tokens and tokens[-1].is_word("DESC"):
        tokens = tokens[:-1]
    if len(tokens) >= 3 and tokens[-2].is_word("COLLATE"):
        tokens = tokens[:-2]
    if len(tokens) == 1 and tokens[0].kind in ("word", "quoted"):
        return tokens[0].name
    return None


def _references(policy: Policy, schema: Schema, key: NameKey) -> Iterator[Violation]:
    target = key(policy.target or "")
    action = (policy.on_delete or "").upper()
    columns = tuple(key(c) for c in policy.columns)
    for name, table in _tables(policy, schema, key):
        refs = [fk for fk in table.foreign_keys if fk.ref_table == target]
        if columns:
            refs = [fk for fk in refs if tuple(key(c) for c in fk.columns) == columns]
        if not refs:
            through = f" on ({', '.join(policy.columns)})" if columns else ""
            yield name, f'"{name}" has no foreign key{through} to "{policy.target}"'
        elif action and all(fk.on_delete != action for fk in refs):
            found = ", ".join(sorted({fk.on_delete for fk in refs}))
            yield name, (f'"{name}" references "{policy.target}" with ON DELETE {found}, not {action}')


def _columns_required(policy: Policy, schema: Schema, key: NameKey) -> Iterator[Violation]:
    for name, table in _tables(policy, schema, key):
        for column in policy.columns:
            if key(column) not in table.columns:
                yield name, f'"{name}" has no column "{column}"'


def _primary_key_required(policy: Policy, schema: Schema, key: NameKey) -> Iterator[Violation]:
    for name, table in _tables(policy, schema, key):
        if table.primary_key is None:
            yield name, f'"{name}" has no primary key'


RULES: dict[str, _Rule] = {
    "columns-required": _columns_required,
    "foreign-keys-indexed": _foreign_keys_indexed,
    "references": _references,
    "primary-key-required": _primary_key_required,
}
POLICY_KEYS = frozenset({"rule", "description", "tables", "table", "on_delete", "columns", "except"})


def check_policies(policies: tuple[Policy, ...], schema: Schema, key: NameKey, where: str) -> list[Finding]:
    """Findings for every policy the schema breaks; ``where`` says which side (spec, database)."""
    findings = []
    for policy in policies:
        for table, problem in RULES[policy.rule](policy, schema, key):
            findings.append(
                Finding(
                    POLICY,
                    "table",
                    table,
                    line=policy.line,
                    detail=f"{policy.title} in the {where}: {problem}",
                )
            )
    return findings


def check_policies_on_both(
    policies: tuple[Policy, ...], spec: Schema, database: Schema, key: NameKey
) -> list[Finding]:
    """Each policy break once, saying whether it is in the spec, the database, or both (a key
    the spec leaves unindexed is usually unindexed in the database too: one finding, not two)."""
    findings = []
    for policy in policies:
        in_spec = list(RULES[policy.rule](policy, spec, key))
        in_database = list(RULES[policy.rule](policy, database, key))
        both = set(in_spec) & set(in_database)
        places = [(v, "spec and the database" if v in both else "spec") for v in in_spec]
        places += [(v, "database") for v in in_database if v not in both]
        for (table, problem), where in places:
            detail = f"{policy.title} in the {where}: {problem}"
            findings.append(Finding(POLICY, "table", table, line=policy.line, detail=detail))
    return findings
