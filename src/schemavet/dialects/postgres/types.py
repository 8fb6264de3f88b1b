"""PostgreSQL's type names in one spelling: the one ``format_type`` prints.

``int4``, ``int`` and ``integer`` are one type; so are ``varchar(20)`` and ``character
varying(20)``, ``timestamptz`` and ``timestamp with time zone``. A user's type (an enum, a
domain) is written unqualified when it lives in the owner's schema or in ``public``, qualified
otherwise (see :func:`canonical_type`).
"""

from __future__ import annotations

import re
from functools import cache

from schemavet.dialects.postgres.names import quote_ident, split_qualified

# every spelling of a built-in type → format_type's; None for a serial (see SERIALS)
_ALIASES = {
    "int": "integer",
    "int4": "integer",
    "integer": "integer",
    "int2": "smallint",
    "smallint": "smallint",
    "int8": "bigint",
    "bigint": "bigint",
    "bool": "boolean",
    "boolean": "boolean",
    "float8": "double precision",
    "double precision": "double precision",
    "float4": "real",
    "real": "real",
    "decimal": "numeric",
    "dec": "numeric",
    "numeric": "numeric",
    "varchar": "character varying",
    "character varying": "character varying",
    "char varying": "character varying",
    "char": "character",
    "character": "character",
    "bpchar": "bpchar",
    "varbit": "bit varying",
    "bit varying": "bit varying",
    "bit": "bit",
    "timestamp": "timestamp without time zone",
    "timestamp without time zone": "timestamp without time zone",
    "timestamptz": "timestamp with time zone",
    "timestamp with time zone": "timestamp with time zone",
    "time": "time without time zone",
    "time without time zone": "time without time zone",
    "timetz": "time with time zone",
    "time with time zone": "time with time zone",
}
# serial types: the integer type each stands for, with its sequence's upper bound
SERIALS = {
    "serial": ("integer", 2**31 - 1),
    "serial4": ("integer", 2**31 - 1),
    "bigserial": ("bigint", 2**63 - 1),
    "serial8": ("bigint", 2**63 - 1),
    "smallserial": ("smallint", 2**15 - 1),
    "serial2": ("smallint", 2**15 - 1),
}
# types format_type prints with one modifier when a declaration gives none
_ONE_BY_DEFAULT = frozenset({"character", "bit"})
_BUILTIN_SCHEMAS = frozenset({"pg_catalog"})
_SHAPE = re.compile(
    r"""^\s*(?P<base>.*?)\s*(?:\(\s*(?P<mods>[^)]*)\)\s*)?(?P<zone>with(?:out)?\s+time\s+zone)?\s*
    (?P<array>(?:\[\s*\d*\s*\]\s*)+|array(?:\s*\[\s*\d*\s*\])?)?\s*$""",
    re.IGNORECASE | re.VERBOSE,
)
_INTEGER_BOUNDS = {
    "smallint": (-(2**15), 2**15 - 1),
    "integer": (-(2**31), 2**31 - 1),
    "bigint": (-(2**63), 2**63 - 1),
}


@cache
def canonical_type(declared: str, owner_schema: str = "public") -> str:
    """``declared`` as format_type prints it (a user's type: qualified outside ``owner_schema``)."""
    match = _SHAPE.match(declared)
    if not match or not match["base"]:
        return " ".join(declared.split())
    base, mods = _base_name(match["base"], match["zone"], owner_schema), match["mods"]
    if base.startswith(("timestamp ", "time ")) and mods is not None:
        word, _, zone = base.partition(" ")
        name = f"{word}({mods.strip()}) {zone}"
    else:
        name = _with_modifiers(base, mods)
    return name + ("[]" if match["array"] else "")


def serial_type(declared: str) -> tuple[str, int] | None:
    """The integer type and sequence bound a serial type stands for; None for any other type."""
    if "serial" not in declared.lower():
        return None
    return SERIALS.get(" ".join(declared.lower().split()))


def integer_bounds(type_name: str) -> tuple[int, int] | None:
    """The least and greatest value of an integer type, in format_type's spelling."""
    return _INTEGER_BOUNDS.get(type_name)


def _base_name(base: str, zone: str | None, owner_schema: str) -> str:
    """A built-in type's one name; a user's type named the way :func:`canonical_type` says."""
    parts = split_qualified(base)
    if len(parts) == 2 and parts[0] in (owner_schema, "public", *_BUILTIN_SCHEMAS):
        parts = parts[1:]  # a name resolved through the usual search path
    if len(parts) == 1 and '"' not in base:
        words = " ".join(parts[0].split())
        if zone:
            words += " " + " ".join(zone.lower().split())
        return "double precision" if words == "float" else _ALIASES.get(words, words)
    return ".".join(quote_ident(part) for part in parts)


def _with_modifiers(base: str, mods: str | None) -> str:
    if mods is None:
        return f"{base}(1)" if base in _ONE_BY_DEFAULT else base
    values = ",".join(part.strip() for part in mods.split(","))
    if base == "double precision" and values.isdigit():  # float(p)
        return "real" if int(values) <= 24 else "double precision"
    return f"{base}({values})"
