"""A schema as Mermaid ``erDiagram`` text: tables with their typed, keyed columns, and one
relationship per foreign key with its cardinality and ON DELETE action.

Mermaid refuses a diagram longer than its ``maxTextSize`` (50,000 characters by default: the
"Maximum text size in diagram exceeded" of big schemas), so a schema whose diagram would be
longer is drawn in parts, by schema when each schema fits, else by groups of tables that foreign
keys connect (a group too big for one part is cut in reading order; a relationship to a table
drawn in another part points at that table's name, drawn empty). Names Mermaid's grammar cannot
take as they are (spaces, quotes, punctuation, non-ASCII, its keywords) get a plain alias with
the name as the label; column names and types go in backticks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from schemavet.model import NO_ACTION, Column, ForeignKey, Schema, Table

MERMAID_MAX_TEXT_SIZE = 50_000  # Mermaid's default maxTextSize

# What each mark looks like (Mermaid classDef styles): review marks, then verify marks.
MARK_STYLES = {
    "added": "fill:#dcfce7,stroke:#15803d,stroke-width:3px",
    "removed": "fill:#fee2e2,stroke:#b91c1c,stroke-width:3px,stroke-dasharray:6 3",
    "changed": "fill:#fef3c7,stroke:#b45309,stroke-width:3px",
    "missing": "fill:#fee2e2,stroke:#b91c1c,stroke-width:3px,stroke-dasharray:6 3",
    "unexpected": "fill:#e0e7ff,stroke:#4338ca,stroke-width:3px",
    "drifted": "fill:#fef3c7,stroke:#b45309,stroke-width:3px",
}

# An entity name Mermaid reads as itself: ASCII word characters, not a word of its grammar.
_PLAIN_ENTITY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_KEYWORDS = frozenset(
    "erdiagram style classdef class subgraph end direction title acctitle accdescr one many only "
    "zero to optionally u pk fk uk".split()
)
# A column name or type Mermaid reads as one word (its lexer's ATTRIBUTE_WORD, ASCII part).
_PLAIN_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_\-\[\]().,*]*\Z")
# What a quoted Mermaid string cannot hold, shown as a look-alike instead.
# (``#name;`` is an entity code to Mermaid, ``<b>`` markup: both are shown as written instead.)
_UNQUOTABLE = str.maketrans(
    {'"': "＂", "%": "％", "\\": "＼", "\n": " ", "\r": " ", "\t": " ", "#": "＃", "<": "‹", ">": "›"}
)
_UNBACKTICKABLE = str.maketrans({"`": "ˋ", "#": "＃", "<": "‹", ">": "›"})


@dataclass(frozen=True)
class TableRef:
    """A table's place in a schema: the keys of its namespace and of the table there."""

    namespace: str
    table: str


@dataclass(frozen=True)
class Part:
    """One Mermaid diagram: its title, the tables it draws (labels) and its text."""

    title: str
    tables: tuple[str, ...]
    text: str


@dataclass(frozen=True)
class Diagram:
    """A schema drawn as one or more Mermaid diagrams, each under the size limit when it can be."""

    parts: tuple[Part, ...]
    max_text_size: int = MERMAID_MAX_TEXT_SIZE

    @property
    def split(self) -> bool:
        """True when the schema needed more than one diagram."""
        return len(self.parts) > 1


@dataclass
class _Entity:
    ref: TableRef
    label: str
    id: str
    lines: list[str] = field(default_factory=list)  # its block and the relationships it owns
    targets: list[_Entity] = field(default_factory=list)
    stub: bool = False  # a table the schema does not hold, drawn empty as a foreign key's target

    @cached_property
    def size(self) -> int:
        """Characters its lines take (read once they are all made)."""
        return sum(len(line) + 1 for line in self.lines)


def build_diagram(
    schema: Schema,
    marks: Mapping[TableRef, str] | None = None,
    max_text_size: int = MERMAID_MAX_TEXT_SIZE,
    notes: Mapping[TableRef, Mapping[str, str]] | None = None,
) -> Diagram:
    """``schema`` as Mermaid ``erDiagram`` parts, each at most ``max_text_size`` characters
    (a single table larger than that is a part of its own); ``marks`` names the tables to
    highlight and how (a key of :data:`MARK_STYLES`), ``notes`` a few words to show beside
    some columns of a table (by column name), such as what a migration did to them."""
    entities = _entities(schema, notes or {})
    marks = dict(marks or {})
    whole = _part_text(entities, marks)
    if len(whole) <= max_text_size:
        return Diagram((Part("", _labels(entities), whole),), max_text_size)
    parts: list[Part] = []
    for title, group in _groups(schema, entities, max_text_size):
        parts += _fitted(title, group, marks, max_text_size)
    return Diagram(tuple(parts), max_text_size)


def _labels(entities: Iterable[_Entity]) -> tuple[str, ...]:
    return tuple(entity.label for entity in entities)


# --- entities ------------------------------------------------------------------------------------


def _entities(schema: Schema, notes: Mapping[TableRef, Mapping[str, str]]) -> list[_Entity]:
    """Every table as an entity with its Mermaid lines, in the schema's order."""
    qualified = len(schema.namespaces) > 1
    ids = _Ids()
    entities: dict[TableRef, _Entity] = {}
    for ns_key, namespace in schema.namespaces.items():
        for key, table in namespace.tables.items():
            label = f"{namespace.name}.{table.name}" if qualified else table.name
            entities[TableRef(ns_key, key)] = _Entity(TableRef(ns_key, key), label, ids.take(label))
    stubs: dict[TableRef, _Entity] = {}
    for ref, entity in entities.items():
        table = schema.namespaces[ref.namespace].tables[ref.table]
        entity.lines = _entity_lines(entity, table, notes.get(ref, {}))
        for fk in table.foreign_keys:
            target = _target(schema, ref.namespace, fk, entities, stubs, ids, qualified)
            entity.targets.append(target)
            entity.lines.append(_relationship(target, entity, table, fk))
    return list(entities.values())


class _Ids:
    """Mermaid ids: a plain name is its own id, anything else (or a repeat) gets ``t<n>``."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, label: str) -> str:
        plain = _PLAIN_ENTITY.match(label) and label.lower() not in _KEYWORDS
        candidate = label if plain and label.lower() not in self.used else ""
        n = len(self.used)
        while not candidate or candidate.lower() in self.used:
            n += 1
            candidate = f"t{n}"
        self.used.add(candidate.lower())
        return candidate


def _target(
    schema: Schema,
    ns_key: str,
    fk: ForeignKey,
    entities: dict[TableRef, _Entity],
    stubs: dict[TableRef, _Entity],
    ids: _Ids,
    qualified: bool,
) -> _Entity:
    """The entity a foreign key points at; one drawn empty when the schema does not hold it."""
    space = _find(schema.namespaces, fk.ref_schema) if fk.ref_schema else ns_key
    if space is not None:
        table = _find(schema.namespaces[space].tables, fk.ref_table)
        if table is not None:
            return entities[TableRef(space, table)]
    label = f"{fk.ref_schema}.{fk.ref_table}" if fk.ref_schema and qualified else fk.ref_table
    ref = TableRef(fk.ref_schema or ns_key, fk.ref_table)
    if ref not in stubs:  # outside the schema: another app's, or not created yet
        stubs[ref] = _Entity(ref, label, ids.take(label), stub=True)
    return stubs[ref]


def table_refs(schema: Schema, names: Iterable[str]) -> dict[str, TableRef]:
    """The place of each table called one of ``names`` (as written; any case when that is the only
    match) in ``schema``'s namespaces; a name that is no table there is left out."""
    found: dict[str, TableRef] = {}
    for name in names:
        for ns_key, namespace in schema.namespaces.items():
            key = _find(namespace.tables, name)
            if key is not None:
                found[name] = TableRef(ns_key, key)
                break
    return found


def _find(items: Mapping[str, object], name: str) -> str | None:
    """The key of ``name`` in ``items``: the same spelling, else the only one in another case."""
    if name in items:
        return name
    matches = [key for key, item in items.items() if getattr(item, "name", key).casefold() == name.casefold()]
    return matches[0] if len(matches) == 1 else None


def _entity_lines(entity: _Entity, table: Table, notes: Mapping[str, str]) -> list[str]:
    head = entity.id if entity.id == entity.label else f'{entity.id}["{_quotable(entity.label)}"]'
    if not table.columns:
        return [f"  {head}"]
    keys = _column_keys(table)
    lines = [f"  {head} {{"]
    for key, column in table.columns.items():
        flags = ", ".join(keys.get(key, ()))
        note = notes.get(column.name, notes.get(key))
        lines.append(
            f"    {_word(column.type or 'untyped')} {_word(column.name)}"
            + (f" {flags}" if flags else "")
            + (f' "{_quotable(note)}"' if note else "")
        )
    lines.append("  }")
    return lines


def _column_keys(table: Table) -> dict[str, list[str]]:
    """PK, FK and UK for each column key that is in a primary key, foreign key or unique key."""
    by_name = {column.name: key for key, column in table.columns.items()}
    by_name.update({key: key for key in table.columns})
    keys: dict[str, list[str]] = {}

    def mark(columns: Iterable[str], flag: str) -> None:
        for name in columns:
            key = by_name.get(name)
            if key is not None and flag not in keys.setdefault(key, []):
                keys[key].append(flag)

    if table.primary_key is not None:
        mark(table.primary_key.columns, "PK")
    for fk in table.foreign_keys:
        mark(fk.columns, "FK")
    for columns in _unique_sets(table):
        mark(columns, "UK")
    return keys


def _unique_sets(table: Table) -> Iterator[tuple[str, ...]]:
    """Column sets whose values are unique: UNIQUE constraints and whole (not partial) unique indexes."""
    for unique in table.uniques:
        yield unique.columns
    for index in table.indexes.values():
        if index.unique and index.where is None:
            yield index.columns


def _relationship(parent: _Entity, child: _Entity, table: Table, fk: ForeignKey) -> str:
    """``parent ||--o{ child : "label"``: the parent is optional when a key column is nullable,
    the child at most one when the key columns are unique; identifying (``--``) when they are in
    the child's primary key, else ``..``."""
    nullable = any(column is None or column.nullable for column in (_column(table, n) for n in fk.columns))
    parent_side = "|o" if nullable else "||"
    child_side = "o|" if _is_unique(table, fk.columns) else "o{"
    primary = set(table.primary_key.columns) if table.primary_key else set()
    line = "--" if primary and set(fk.columns) <= primary else ".."
    action = fk.on_delete or NO_ACTION
    label = f"{', '.join(fk.columns)}: ON DELETE {action}"
    return f'  {parent.id} {parent_side}{line}{child_side} {child.id} : "{_quotable(label)}"'


def _column(table: Table, name: str) -> Column | None:
    if name in table.columns:
        return table.columns[name]
    return next((c for c in table.columns.values() if c.name == name), None)


def _is_unique(table: Table, columns: tuple[str, ...]) -> bool:
    wanted = set(columns)
    sets = list(_unique_sets(table))
    if table.primary_key is not None:
        sets.append(table.primary_key.columns)
    return any(set(unique) <= wanted for unique in sets if unique)


def _word(text: str) -> str:
    """A column name or type as one Mermaid word: bare when it can be, else in backticks."""
    if _PLAIN_WORD.match(text) and text.lower() not in _KEYWORDS:
        return text
    return "`" + " ".join(text.translate(_UNBACKTICKABLE).split()) + "`"


def _quotable(text: str) -> str:
    """``text`` inside Mermaid's double quotes: the characters it cannot hold as look-alikes."""
    return text.translate(_UNQUOTABLE)


# --- parts ---------------------------------------------------------------------------------------


def _part_text(entities: list[_Entity], marks: Mapping[TableRef, str]) -> str:
    """One ``erDiagram``: the entities, empty ones for targets drawn elsewhere, the marks."""
    drawn = {id(entity) for entity in entities}
    lines = ["erDiagram"]
    stubs: dict[int, _Entity] = {}  # targets drawn in another part, or not in the schema
    for entity in entities:
        lines += entity.lines
        stubs.update({id(t): t for t in entity.targets if id(t) not in drawn})
    for stub in stubs.values():
        lines.append(f'  {stub.id}["{_quotable(stub.label)}"]' if stub.id != stub.label else f"  {stub.id}")
    lines += _mark_lines([e for e in entities if e.ref in marks], marks)
    return "\n".join(lines) + "\n"


def _mark_lines(entities: list[_Entity], marks: Mapping[TableRef, str]) -> list[str]:
    by_mark: dict[str, list[str]] = {}
    for entity in entities:
        by_mark.setdefault(marks[entity.ref], []).append(entity.id)
    lines = [f"  classDef {mark} {MARK_STYLES[mark]}" for mark in by_mark]
    return lines + [f"  class {','.join(ids)} {mark}" for mark, ids in by_mark.items()]


def _groups(schema: Schema, entities: list[_Entity], budget: int) -> Iterator[tuple[str, list[_Entity]]]:
    """By schema when there are several and each fits; else by foreign-key-connected groups."""
    by_space: dict[str, list[_Entity]] = {}
    for entity in entities:
        by_space.setdefault(entity.ref.namespace, []).append(entity)
    if len(by_space) > 1 and all(sum(e.size for e in g) < budget for g in by_space.values()):
        for key, group in by_space.items():
            yield f"schema {schema.namespaces[key].name}", group
        return
    for number, group in enumerate(_packed(_connected(entities), budget), start=1):
        yield f"group {number}", group


def _connected(entities: list[_Entity]) -> list[list[_Entity]]:
    """The entities in groups that foreign keys connect, each in breadth-first order."""
    neighbours: dict[int, list[_Entity]] = {id(e): [] for e in entities}
    for entity in entities:
        for target in entity.targets:
            if id(target) in neighbours and target is not entity:
                neighbours[id(entity)].append(target)
                neighbours[id(target)].append(entity)
    seen: set[int] = set()
    groups: list[list[_Entity]] = []
    for entity in entities:
        if id(entity) in seen:
            continue
        seen.add(id(entity))
        group, queue = [], [entity]
        while queue:
            current = queue.pop(0)
            group.append(current)
            for other in neighbours[id(current)]:
                if id(other) not in seen:
                    seen.add(id(other))
                    queue.append(other)
        groups.append(group)
    return groups


def _packed(groups: list[list[_Entity]], budget: int) -> Iterator[list[_Entity]]:
    """Groups packed into parts by size, largest first (first fit); a group bigger than a part
    is cut in its breadth-first order, so neighbours stay together."""
    room = budget * 9 // 10  # the empty entities and marks a part adds
    bins: list[list[_Entity]] = []
    for group in sorted(groups, key=lambda g: -sum(e.size for e in g)):
        size = sum(e.size for e in group)
        if size > room:
            bins += _cut(group, room)
            continue
        fit = next((b for b in bins if sum(e.size for e in b) + size <= room), None)
        if fit is None:
            bins.append(list(group))
        else:
            fit += group
    yield from bins


def _cut(group: list[_Entity], room: int) -> list[list[_Entity]]:
    pieces: list[list[_Entity]] = [[]]
    for entity in group:
        if pieces[-1] and sum(e.size for e in pieces[-1]) + entity.size > room:
            pieces.append([])
        pieces[-1].append(entity)
    return pieces


def _fitted(title: str, group: list[_Entity], marks: Mapping[TableRef, str], budget: int) -> list[Part]:
    """Parts of ``group``: one when its text fits, else its halves, each fitted in turn."""
    text = _part_text(group, marks)
    if len(text) <= budget or len(group) == 1:
        return [Part(title, _labels(group), text)]
    half = len(group) // 2
    return _fitted(title, group[:half], marks, budget) + _fitted(title, group[half:], marks, budget)


def render_markdown(diagram: Diagram, source: str) -> str:
    """Markdown: one ``mermaid`` block, or an index and a section per part when split."""
    head = f"<!-- schemavet diagram of {source.replace('--', '- -')} -->\n"
    if not diagram.split:
        return head + _fenced(diagram.parts[0].text)
    lines = [
        f"# Schema diagram: {_markdown(source)}",
        "",
        f"Drawn in {len(diagram.parts)} parts, each under Mermaid's "
        f"{diagram.max_text_size:,}-character limit.",
        "",
    ]
    titles = [
        f"Part {n}" + (f": {_markdown(p.title)}" if p.title else "")
        for n, p in enumerate(diagram.parts, start=1)
    ]
    for n, (title, part) in enumerate(zip(titles, diagram.parts, strict=True), start=1):
        shown = ", ".join(_markdown(t) for t in part.tables[:8])
        shown += f", … ({len(part.tables)} tables)" if len(part.tables) > 8 else ""
        lines.append(f"{n}. [{title}](#part-{n}): {shown}")
    for n, (title, part) in enumerate(zip(titles, diagram.parts, strict=True), start=1):
        lines += ["", f'<a id="part-{n}"></a>', "", f"## {title}", "", _fenced(part.text)]
    return head + "\n".join(lines).rstrip("\n") + "\n"


def _markdown(text: str) -> str:
    """``text`` as literal Markdown: its punctuation backslash-escaped, on one line."""
    return re.sub(r"([\\`*_{}\[\]()<>#+\-.!|~&])", r"\\\1", " ".join(text.split()))


def _fenced(text: str) -> str:
    return f"```mermaid\n{text}```\n"
