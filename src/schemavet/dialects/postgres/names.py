"""PostgreSQL's identifiers: when a name needs quotes, and how unquoted words fold."""

from __future__ import annotations

import re

# pg_get_keywords() where catcode <> 'U' (PostgreSQL 18): quote_ident quotes these
_QUOTED_KEYWORDS = frozenset(
    """
    all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean
    both case cast char character check coalesce collate collation column concurrently constraint create
    cross current_catalog current_date current_role current_schema current_time current_timestamp
    current_user dec decimal default deferrable desc distinct do else end except exists extract false
    fetch float for foreign freeze from full grant greatest group grouping having ilike in initially
    inner inout int integer intersect interval into is isnull join json json_array json_arrayagg
    json_exists json_object json_objectagg json_query json_scalar json_serialize json_table json_value
    lateral leading least left like limit localtime localtimestamp merge_action national natural nchar
    none normalize not notnull null nullif numeric offset on only or order out outer overlaps overlay
    placing position precision primary real references returning right row select session_user setof
    similar smallint some substring symmetric system_user table tablesample then time timestamp to
    trailing treat trim true union unique user using values varchar variadic verbose when where window
    with xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot
    xmlserialize xmltable
    """.split()
)
_SAFE = re.compile(r"[a-z_][a-z0-9_$]*\Z")


def quote_ident(name: str) -> str:
    """``name`` as PostgreSQL's quote_ident writes it: bare only when it would read back the same."""
    if _SAFE.match(name) and name not in _QUOTED_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def qualified(schema: str, name: str) -> str:
    """``schema.name``, each part quoted as needed."""
    return f"{quote_ident(schema)}.{quote_ident(name)}"


def read_name(text: str) -> str:
    """The name an identifier spells: a quoted one exactly, an unquoted one folded to lower case."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text.lower()


def split_qualified(text: str) -> list[str]:
    """``a."B c".d`` → the names ``a``, ``B c``, ``d`` (dots inside quotes are no separators)."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in text.strip():
        if char == '"':
            quoted = not quoted
        if char == "." and not quoted:
            parts.append(read_name("".join(current)))
            current = []
        else:
            current.append(char)
    parts.append(read_name("".join(current)))
    return parts


NAME_LIMIT = 63  # NAMEDATALEN - 1: the longest name PostgreSQL keeps


def generated_name(table: str, columns: tuple[str, ...], label: str) -> str:
    """The name PostgreSQL chooses (``makeObjectName``): ``table_columns_label``, the longer
    part cut to fit 63 bytes (the columns' part on a tie)."""
    first, second = table, "_".join(columns)
    room = NAME_LIMIT - len(label) - 1 - (len(second.encode()) and 1)
    while len(first.encode()) + len(second.encode()) > room:
        if len(first.encode()) > len(second.encode()):
            first = first[:-1]
        else:
            second = second[:-1]
    return "_".join(part for part in (first, second, label) if part)


def default_not_null_name(table: str, column: str) -> str:
    """The name PostgreSQL 18 gives a column's NOT NULL constraint when none is written."""
    return generated_name(table, (column,), "not_null")
