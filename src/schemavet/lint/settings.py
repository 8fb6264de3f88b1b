"""Lint's rule choices, as ``[tool.schemavet.lint]`` states them (read by :mod:`schemavet.config`)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase

from schemavet.diagnostics import ERROR, WARNING, Diagnostic


@dataclass(frozen=True)
class LintSettings:
    """``[tool.schemavet.lint]``'s rule choices: which rules run, which findings are dropped
    (everywhere, or in files matching a pattern relative to the pyproject.toml), the severity
    each rule reports at, and the severity from which lint fails."""

    select: tuple[str, ...] | None = None
    ignore: frozenset[str] = frozenset()
    per_file_ignores: Mapping[str, frozenset[str]] = field(default_factory=dict)
    severity: Mapping[str, str] = field(default_factory=dict)
    fail_on: str = ERROR
    root: str = "."

    def apply(self, diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
        """The findings left once ignored ones are dropped, at their configured severity."""
        kept = []
        for d in diagnostics:
            if d.code in self.ignore or d.code in self._ignored_in(d.path):
                continue
            severity = self.severity.get(d.code, d.severity)
            kept.append(d if severity == d.severity else replace(d, severity=severity))
        return kept

    def fails(self, diagnostics: Iterable[Diagnostic]) -> bool:
        """True when a finding is at the failing severity (or above)."""
        failing = {ERROR} if self.fail_on == ERROR else {ERROR, WARNING}
        return any(d.severity in failing for d in diagnostics)

    def _ignored_in(self, path: str) -> frozenset[str]:
        relative = os.path.relpath(os.path.abspath(path), self.root).replace(os.sep, "/")
        codes: frozenset[str] = frozenset()
        for pattern, ignored in self.per_file_ignores.items():
            if fnmatchcase(relative, pattern) or fnmatchcase(os.path.basename(path), pattern):
                codes |= ignored
        return codes
