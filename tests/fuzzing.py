"""Hypothesis strategies for fuzzing what users write: mutations of real files, and the
profile that decides how many examples each fuzz target gets.

``SCHEMAVET_HYPOTHESIS`` picks the profile (as for the differential test): ``ci`` (the
default, 200 examples per target, less for the cheapest) or ``long`` (fifty times as many)::

    SCHEMAVET_HYPOTHESIS=long PYTHONPATH=src python -m pytest -n 0 -q tests/test_fuzz_inputs.py

The same profiles are registered with Hypothesis as ``schemavet-ci`` and ``schemavet-long``
(``--hypothesis-profile schemavet-long``).
"""

from __future__ import annotations

import os
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

PROFILE = os.environ.get("SCHEMAVET_HYPOTHESIS", "ci")
_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
CI_EXAMPLES, LONG_EXAMPLES = 200, 10_000
settings.register_profile(
    "schemavet-ci", max_examples=CI_EXAMPLES, deadline=None, suppress_health_check=_SUPPRESSED
)
settings.register_profile(
    "schemavet-long", max_examples=LONG_EXAMPLES, deadline=None, suppress_health_check=_SUPPRESSED
)


def long_profile() -> bool:
    """True when the long profile is chosen, by the variable or by ``--hypothesis-profile``."""
    return PROFILE == "long" or settings.default.max_examples == LONG_EXAMPLES


def fuzz_settings(share: float = 1.0) -> Any:
    """Settings for one fuzz target: ``share`` of the profile's examples."""
    examples = LONG_EXAMPLES if long_profile() else CI_EXAMPLES
    return settings(
        max_examples=max(1, int(examples * share)),
        deadline=None,
        suppress_health_check=_SUPPRESSED,
        database=None if long_profile() else settings.default.database,
    )


# What breaks readers: quotes and brackets left open, comment starts, separators, odd
# scalars, non-ASCII, control characters, and YAML's and TOML's own syntax.
ODD_TEXTS = [
    "",
    " ",
    "\t",
    "\n",
    "\r\n",
    "\x00",
    "\x0b",
    "\ufeff",
    "\u2028",
    "é",
    "𝔘",
    "名前",
    "'",
    '"',
    "`",
    "[",
    "]",
    "(",
    ")",
    "{",
    "}",
    ",",
    ";",
    ":",
    "-",
    "--",
    "/*",
    "*/",
    "#",
    "\\",
    "&a",
    "*a",
    "!!binary",
    "!!python/object:os.system",
    "? ",
    "|",
    ">",
    "~",
    "null",
    "true",
    "0",
    "-1",
    "1e999",
    "0x10",
    ".nan",
    "[]",
    "{}",
    "''",
    '""',
    "[[",
    "]]",
    "= ",
    "CREATE",
    "TABLE",
    "INDEX",
    "TRIGGER",
    "VIEW",
    "BEGIN",
    "END",
    "CASE",
    "SELECT",
    "NOT NULL",
    "PRIMARY KEY",
    "REFERENCES",
    "CHECK (",
    "DEFAULT",
    "COLLATE",
    "GENERATED ALWAYS AS (",
    "ON DELETE CASCADE",
    "DEFERRABLE",
    "WITHOUT ROWID",
    "STRICT",
    "-- depends:",
    "-- transactional: false",
    "x" * 300,
    "(" * 200,
    ")" * 50,
    "[" * 200,
]


@st.composite
def mutated(draw: st.DrawFn, text: str, extra: list[str] | None = None) -> str:
    """``text`` after one to four mutations: lines deleted, duplicated, swapped or cut, an odd
    text put in anywhere, a span deleted, or everything after a point dropped."""
    pieces = ODD_TEXTS + (extra or [])
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True) or [""]
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace", "span", "truncate"]))
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        at = draw(st.integers(0, len(text)))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(j, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "insert":
            text = text[:at] + draw(st.sampled_from(pieces) | st.text(max_size=8)) + text[at:]
            continue
        elif kind == "replace":
            end = min(len(text), at + draw(st.integers(1, 12)))
            text = text[:at] + draw(st.sampled_from(pieces)) + text[end:]
            continue
        elif kind == "span":
            text = text[:at] + text[at + draw(st.integers(1, 200)) :]
            continue
        else:
            text = text[:at]
            continue
        text = "".join(lines)
    return text
