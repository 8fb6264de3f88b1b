"""The one-match fast path for a spec's foreign-key line reads exactly what the token grammar reads."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from schemavet.dialect import registry
from schemavet.sql.ddl import parse_reference_tokens, parse_simple_reference

_WORDS = st.sampled_from(
    ["a", "user_id", "t$1", "_x", "KEY", "FOREIGN", "CONSTRAINT", "references", "on", "delete", "Été", '"q"']
)
_SPACE = st.sampled_from([" ", "  ", "\n", "\t", ""])
_ACTIONS = st.sampled_from(["CASCADE", "restrict", "SET NULL", "set  default", "NO ACTION", "NOTHING"])


@st.composite
def reference_lines(draw: st.DrawFn) -> str:
    """Lines shaped like a spec's foreign key, many of them near misses of the common shape."""
    parts = []
    if draw(st.booleans()):
        parts += ["CONSTRAINT", draw(_WORDS)]
    if draw(st.booleans()):
        parts += [draw(st.sampled_from(["FOREIGN KEY", "foreign  key", "FOREIGN"]))]
    column = draw(_WORDS)
    parts.append(draw(st.sampled_from([column, f"({column})", f"( {column} )", f"({column}, b)"])))
    parts += ["REFERENCES", draw(_WORDS) + draw(st.sampled_from(["(id)", " ( id )", "", "(a, b)"]))]
    for event in draw(st.lists(st.sampled_from(["DELETE", "UPDATE", "delete"]), max_size=2)):
        parts += ["ON", event, draw(_ACTIONS)]
    return "".join(draw(_SPACE) + part for part in parts) + draw(_SPACE)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@given(text=reference_lines())
@example(text="CONSTRAINT fk FOREIGN KEY user_id REFERENCES users(id) ON DELETE CASCADE")
@example(text="CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users(id)")
@example(text="aREFERENCES t(id)")
@example(text="FOREIGN KEY REFERENCES t(id)")
@example(text="FOREIGN KEYa REFERENCES t(id)")
def test_the_fast_path_agrees_with_the_grammar(dialect: str, text: str) -> None:
    fast = parse_simple_reference(text)
    if fast is None:
        return  # the grammar's alone to read
    assert fast == parse_reference_tokens(text, registry.get(dialect).grammar())


def test_a_named_key_takes_the_fast_path() -> None:
    fk = parse_simple_reference("CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE SET NULL")
    assert fk is not None and (fk.name, fk.columns, fk.table, fk.on_delete) == (
        "fk",
        ("user_id",),
        "users",
        "SET NULL",
    )
