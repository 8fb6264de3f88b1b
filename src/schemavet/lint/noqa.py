"""Inline silencing: ``-- schemavet: noqa SV101 <why>`` on a statement's line or the line before."""

from __future__ import annotations

import re
from dataclasses import dataclass

from schemavet.diagnostics import Diagnostic

_NOQA = re.compile(r"--\s*schemavet\s*:\s*noqa\b(?P<rest>.*)$", re.IGNORECASE)
_CODE = re.compile(r"SV\d{3}\b", re.IGNORECASE)


@dataclass(frozen=True)
class Noqa:
    """One silencing comment: the line it is on, the codes it names, and the reason given."""

    line: int
    column: int
    codes: frozenset[str]
    reason: str


def find_noqa(text: str) -> list[Noqa]:
    """Every noqa comment in a file."""
    found = []
    for number, line in enumerate(text.split("\n"), start=1):
        match = _NOQA.search(line)
        if match:
            codes, reason = _codes_and_reason(match.group("rest"))
            found.append(Noqa(number, match.start() + 1, codes, reason))
    return found


def _codes_and_reason(rest: str) -> tuple[frozenset[str], str]:
    codes: list[str] = []
    words = re.split(r"[\s,]+", rest.strip())
    while words and _CODE.fullmatch(words[0]):
        codes.append(words.pop(0).upper())
    return frozenset(codes), " ".join(w for w in words if w)


def is_silenced(finding: Diagnostic, comments: list[Noqa]) -> bool:
    """True when a comment on the finding's line or the line before names its code."""
    if finding.line is None:
        return any(c.line == 1 and finding.code in c.codes for c in comments)
    return any(finding.code in c.codes and c.line in (finding.line, finding.line - 1) for c in comments)
