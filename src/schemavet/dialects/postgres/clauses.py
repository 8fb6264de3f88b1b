"""PostgreSQL's clauses in one spelling: index key terms, trigger definitions, partition keys
and bounds, EXCLUDE definitions, routine signatures. The expressions inside them go through
:mod:`schemavet.dialects.postgres.expressions`; the words around them are only respelled."""

from __future__ import annotations

import re
from functools import lru_cache

from schemavet.dialects.postgres.expressions import Context, canonical_expression
from schemavet.dialects.postgres.names import quote_ident, read_name, split_qualified
from schemavet.dialects.postgres.types import canonical_type

_TOKEN = re.compile(
    r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"|[A-Za-z_][A-Za-z0-9_$]*|\d+(?:\.\d+)?|[-+*/<>=~!@#%^&|`?]+|\S"
)
# words of the clauses below that are syntax, not names: written upper case
_CLAUSE_WORDS = frozenset(
    """
    AFTER AND AS BEFORE CONSTRAINT DEFAULT DEFERRABLE DEFERRED DELETE EACH EXECUTE FOR FROM FUNCTION
    HASH IMMEDIATE IN INITIALLY INSERT INSTEAD LIST MAXVALUE MINVALUE MODULUS NEW NOT OF OLD ON OR
    PROCEDURE RANGE REFERENCING REMAINDER ROW STATEMENT TABLE TO TRUNCATE UPDATE USING VALUES WHEN
    WHERE WITH
    """.split()
)
_ORDER_WORDS = ("ASC", "DESC")
_TRIGGER_LEVELS = {"FOR ROW": "FOR EACH ROW", "FOR STATEMENT": "FOR EACH STATEMENT"}


def tokens(text: str) -> list[str]:
    """Strings, quoted names, words, numbers and single characters, white space dropped."""
    return _TOKEN.findall(text)


def join(parts: list[str]) -> str:
    """Tokens as text: a space between words, none inside a call, a list or a qualified name."""
    out = ""
    for i, part in enumerate(parts):
        previous = parts[i - 1] if i else ""
        tight = part in (",", ")", ".") or previous in ("(", ".") or (part == "(" and _is_name(previous))
        out += part if not out or tight else " " + part
    return out


def _is_name(token: str) -> bool:
    return (
        bool(token)
        and (token[0] == '"' or (token[0].isalpha() or token[0] == "_"))
        and token.upper() not in _CLAUSE_WORDS
    )


def _closing(parts: list[str], start: int) -> int:
    """The index of the ")" matching the "(" at ``start``."""
    depth = 0
    for i in range(start, len(parts)):
        depth += {"(": 1, ")": -1}.get(parts[i], 0)
        if depth == 0:
            return i
    return len(parts) - 1


@lru_cache(maxsize=65536)
def canonical_index_term(term: str, context: Context) -> str:
    """An index key term: expression, COLLATE, operator class, order (its default NULLS left out)."""
    parts = tokens(term)
    end = _expression_end(parts)
    expression, rest = parts[:end], [_order_word(p) for p in parts[end:]]
    out = [_index_expression(expression, context)]
    descending = "DESC" in rest
    nulls = rest[rest.index("NULLS") + 1] if "NULLS" in rest else ("FIRST" if descending else "LAST")
    words = [p for p in rest if p not in ("NULLS", "FIRST", "LAST", *_ORDER_WORDS)]
    if words[:1] == ["COLLATE"]:
        out.append("COLLATE " + _qualified_name(words[1]))
        words = words[2:]
    if words:
        out.append(join([_qualified_name(words[0]), *words[1:]]))
    if descending:
        out.append("DESC")
    if (nulls == "FIRST") != descending:
        out.append(f"NULLS {nulls}")
    return " ".join(out)


def _order_word(part: str) -> str:
    return part.upper() if part.upper() in ("COLLATE", "NULLS", "FIRST", "LAST", *_ORDER_WORDS) else part


def _expression_end(parts: list[str]) -> int:
    """Where an index term's expression ends: a parenthesized expression, a call, or a name."""
    if not parts:
        return 0
    if parts[0] == "(":
        return _closing(parts, 0) + 1
    end = 1
    while end + 1 < len(parts) and parts[end] == ".":
        end += 2
    if end < len(parts) and parts[end] == "(":
        return _closing(parts, end) + 1
    return end


def _index_expression(parts: list[str], context: Context) -> str:
    if len(parts) == 1 and _is_name(parts[0]):
        return quote_ident(read_name(parts[0]))
    return canonical_expression(join(parts), context)


def _qualified_name(text: str) -> str:
    """A (qualified) name with each part quoted as PostgreSQL would, ``pg_catalog`` left out."""
    names = split_qualified(text)
    if len(names) == 2 and names[0] == "pg_catalog":
        names = names[1:]
    return ".".join(quote_ident(name) for name in names)


@lru_cache(maxsize=16384)
def canonical_trigger(definition: str, context: Context) -> str:
    """A trigger from after its name, respelled alike (FOR EACH said, EXECUTE FUNCTION, WHEN canonical)."""
    parts = tokens(definition)
    upper = [p.upper() for p in parts]
    execute = upper.index("EXECUTE") if "EXECUTE" in upper else len(parts)
    when = upper.index("WHEN") if "WHEN" in upper[:execute] else execute
    head = join(_local_names(_respelled(parts[:when]), context.namespace))
    for short, full in _TRIGGER_LEVELS.items():
        head = head.replace(short, full)
    if "FOR EACH" not in head:
        head += " FOR EACH STATEMENT"
    condition = ""
    if when < execute:
        inner = parts[when + 1 : execute]
        if inner[:1] == ["("] and _closing(inner, 0) == len(inner) - 1:
            inner = inner[1:-1]
        condition = f" WHEN ({canonical_expression(join(inner), context)})"
    tail = join(_local_names(_respelled(parts[execute:]), context.namespace))
    return f"{head}{condition} {tail.replace('EXECUTE PROCEDURE', 'EXECUTE FUNCTION')}".rstrip()


def _respelled(parts: list[str]) -> list[str]:
    """Clause words upper case, unquoted names lower case (PostgreSQL folds them), the rest as is."""
    out = []
    for part in parts:
        if part.upper() in _CLAUSE_WORDS:
            out.append(part.upper())
        elif part[0].isalpha() or part[0] == "_" or part[0] == '"':
            out.append(quote_ident(read_name(part)))
        else:
            out.append(part)
    return out


def _local_names(parts: list[str], namespace: str) -> list[str]:
    """``schema.name`` → ``name`` where the schema is the object's own or ``public``."""
    local = {quote_ident(namespace), "public", "pg_catalog"}
    out: list[str] = []
    i = 0
    while i < len(parts):
        if (
            parts[i] in local
            and i + 2 < len(parts)
            and parts[i + 1] == "."
            and (i == 0 or parts[i - 1] != ".")
        ):
            i += 2
            continue
        out.append(parts[i])
        i += 1
    return out


@lru_cache(maxsize=4096)
def canonical_clause(text: str, context: Context) -> str:
    """A partition key or bound, or an EXCLUDE definition: words respelled, a WHERE canonical."""
    parts = _respelled(tokens(text))
    if "WHERE" not in parts:
        return join(parts)
    at = parts.index("WHERE")
    condition = parts[at + 1 :]
    if condition[:1] == ["("] and _closing(condition, 0) == len(condition) - 1:
        condition = condition[1:-1]
    return join(parts[: at + 1]) + " (" + canonical_expression(join(condition), context) + ")"


def canonical_arguments(arguments: str, namespace: str) -> str:
    """A routine's argument types, names and modes left out: what tells overloads apart."""
    if not arguments.strip():
        return ""
    return ", ".join(_argument_type(argument, namespace) for argument in _split_arguments(arguments))


def _split_arguments(arguments: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for token in tokens(arguments):
        depth += {"(": 1, ")": -1}.get(token, 0)
        if token == "," and depth == 0:
            parts.append(" ".join(current))
            current = []
        else:
            current.append(token)
    parts.append(" ".join(current))
    return parts


def _argument_type(argument: str, namespace: str) -> str:
    """An argument's type: modes, its name and its default left out."""
    words = argument.split()
    while words and words[0].upper() in ("IN", "INOUT", "VARIADIC"):
        words = words[1:]
    upper = [word.upper() for word in words]
    if "DEFAULT" in upper:
        words = words[: upper.index("DEFAULT")]
    text = " ".join(words)
    if len(words) > 1 and not _is_multiword_type(text):
        text = " ".join(words[1:])  # the first word is the argument's name
    return canonical_type(text, namespace)


def _is_multiword_type(text: str) -> bool:
    return re.split(r"[(\[]", canonical_type(text))[0].strip() in _MULTIWORD_TYPES


_MULTIWORD_TYPES = frozenset(
    {
        "double precision",
        "character varying",
        "bit varying",
        "timestamp without time zone",
        "timestamp with time zone",
        "time without time zone",
        "time with time zone",
    }
)
