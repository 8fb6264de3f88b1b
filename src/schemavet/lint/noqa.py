"""Inline silencing: ``-- schemavet: noqa SV101 <why>`` beside a statement, or on the line before.

A noqa comment silences a finding of a code it names, and only when it gives a reason: a
silenced finding is a decision a reviewer reads (SV508 reports one without codes or reason).
It reaches the statement it is written in or after (any line of a multi-line statement, or
after its end on its last line), or the statement that starts on the line after it when the
comment stands alone on its line, or that starts right after it on its line when nothing
stands before it (``/* … */ DROP TABLE c;``). Only real comments count: the same words
inside a string literal or a quoted name are data.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from schemavet.diagnostics import Diagnostic
from schemavet.dialect.registry import DEFAULT_DIALECT
from schemavet.lint.comments import Comments
from schemavet.lint.source import MigrationFile

_NOQA = re.compile(r"schemavet\s*:\s*noqa\b(?P<rest>.*)$", re.IGNORECASE | re.MULTILINE)
_CODE = re.compile(r"SV\d{3}\b", re.IGNORECASE)
_COMMENT_END = re.compile(r"\s*\*/\s*$")


@dataclass(frozen=True)
class Noqa:
    """One silencing comment: where it is, the codes it names, the reason given, and whether
    nothing but white space stands before it on its line."""

    line: int
    column: int
    codes: frozenset[str]
    reason: str
    offset: int = 0
    alone: bool = True  # nothing but white space before it on its line
    ends_line: bool = True  # nothing but white space after it on its (last) line


def find_noqa(text: str, comments: Comments | None = None, dialect: str = DEFAULT_DIALECT) -> list[Noqa]:
    """Every noqa comment in a file (inside real comments only)."""
    found = []
    for comment in (comments or Comments(text, dialect)).items:
        body = comment.text[2:]  # after "--" or "/*"
        match = _NOQA.search(body)
        if match is None or body[: match.start()].strip(" \t-*"):
            continue  # the comment says something else first: not a directive
        rest = match.group("rest")
        if comment.text.startswith("/*"):
            rest = _COMMENT_END.sub("", rest)
        line_start = text.rfind("\n", 0, comment.start) + 1
        line_end = text.find("\n", comment.end)
        codes, reason = _codes_and_reason(rest)
        found.append(
            Noqa(
                line=text.count("\n", 0, comment.start) + 1,
                column=comment.start - line_start + 1,
                codes=codes,
                reason=reason,
                offset=comment.start,
                alone=not text[line_start : comment.start].strip(),
                ends_line=not text[comment.end : len(text) if line_end < 0 else line_end].strip(),
            )
        )
    return found


def _codes_and_reason(rest: str) -> tuple[frozenset[str], str]:
    codes: list[str] = []
    words = re.split(r"[\s,]+", rest.strip())
    while words and _CODE.fullmatch(words[0]):
        codes.append(words.pop(0).upper())
    return frozenset(codes), " ".join(w for w in words if w)


class Silencer:
    """Which findings in one file its noqa comments silence."""

    def __init__(self, migration: MigrationFile, dialect: str = DEFAULT_DIALECT) -> None:
        text = migration.text
        comments = Comments(text, dialect)
        self.comments = [c for c in find_noqa(text, comments) if c.codes and c.reason]
        # Each statement: its first code line and column, its last code line, and the stretch
        # of text a noqa comment in it reaches (to the end of its last line, or the next one).
        self._firsts: list[tuple[int, int]] = []
        self._last_lines: list[int] = []
        self._reach: list[tuple[int, int]] = []
        if not self.comments:
            return  # nothing to silence: no need to map the statements
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        bounds = [
            _code_bounds(text, comments, s.offset, s.offset + len(s.text)) for s in migration.statements
        ]
        bounds = [b for b in bounds if b[0] < b[1]]
        for index, (first, end) in enumerate(bounds):
            line = self._line_of(first)
            line_start = text.rfind("\n", 0, first) + 1
            self._firsts.append((line, first - line_start + 1))
            self._last_lines.append(self._line_of(end - 1))
            newline = text.find("\n", end)
            stop = len(text) if newline < 0 else newline
            if index + 1 < len(bounds):
                stop = min(stop, bounds[index + 1][0])
            self._reach.append((first, stop))

    def _line_of(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def silences(self, finding: Diagnostic) -> bool:
        """True when a noqa comment with a reason names the finding's code and reaches it."""
        comments = [c for c in self.comments if finding.code in c.codes]
        if not comments:
            return False
        if finding.line is None:
            return any(c.line == 1 for c in comments)
        statement = self._statement_at(finding.line, finding.column)
        if statement is None:
            return any(
                c.line == finding.line or (c.alone and c.ends_line and c.line == finding.line - 1)
                for c in comments
            )
        start, stop = self._reach[statement]
        first_line = self._firsts[statement][0]
        return any(
            start <= c.offset < stop
            or (c.alone and c.ends_line and c.line == first_line - 1)
            or (c.alone and c.line == first_line and c.offset < start)  # /* noqa … */ DROP …
            for c in comments
        )

    def _statement_at(self, line: int, column: int | None) -> int | None:
        """The statement a finding at ``line``:``column`` is about: the last one starting at or
        before that place whose lines reach it."""
        index = bisect.bisect_right(self._firsts, (line, column if column is not None else 1 << 30)) - 1
        while index >= 0:
            if self._last_lines[index] < line:
                return None
            if self._firsts[index][0] <= line:
                return index
            index -= 1
        return None


def _code_bounds(text: str, comments: Comments, start: int, end: int) -> tuple[int, int]:
    """Where the SQL of ``text[start:end]`` begins and ends, leaving out the comments and
    white space around it (sqlparse keeps comments before and after a statement in it)."""
    while start < end:
        comment = comments.around(start)
        if comment is not None and comment.start == start:
            start = comment.end
        elif text[start].isspace():
            start += 1
        else:
            break
    while end > start:
        comment = comments.around(end - 1)
        if comment is not None:
            end = comment.start
        elif text[end - 1].isspace():
            end -= 1
        else:
            break
    return start, end


def silenced(
    migrations: list[MigrationFile], findings: list[Diagnostic], dialect: str = DEFAULT_DIALECT
) -> list[Diagnostic]:
    """``findings`` less those a noqa comment of their file (a migration or its rollback) silences."""
    if not findings:
        return []
    silencers: dict[str, Silencer] = {}
    for migration in migrations:
        silencers[migration.path] = Silencer(migration, dialect)
        if migration.rollback is not None:
            silencers[migration.rollback.path] = Silencer(migration.rollback, dialect)
    return [d for d in findings if d.path not in silencers or not silencers[d.path].silences(d)]
