"""The rule catalogue: one rule per module in ``schemavet.lint.rules``, each with a stable code."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable, Iterator
from typing import ClassVar

from schemavet.diagnostics import ERROR, WARNING, Diagnostic
from schemavet.lint.context import FileContext, StatementContext
from schemavet.lint.state import ScratchState
from schemavet.lint.statements import ParsedStatement

SQLITE, POSTGRES = "sqlite", "postgresql"  # the dialects' names in the registry
BOTH = frozenset({SQLITE, POSTGRES})


class Rule:
    """A lint rule. The class docstring's first line is its summary; the rest documents it.

    ``check_statement`` runs before each statement is applied (the schema as it stood then);
    ``check_file`` runs once the whole file has been applied; ``finish_directory`` once the
    whole directory has (a rule instance lives for one run, so it may collect candidates in
    ``check_file`` and decide there). ``fallback`` rules are reported
    only for statements no other rule flagged (a failing statement that a precise rule
    already explains is not reported twice).
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str] = ERROR
    dialects: ClassVar[frozenset[str]] = BOTH
    hint: ClassVar[str] = ""
    fallback: ClassVar[bool] = False

    @classmethod
    def summary(cls) -> str:
        """The first line of the rule's docstring."""
        return (cls.__doc__ or "").strip().splitlines()[0]

    def check_statement(self, ctx: StatementContext) -> Iterable[Diagnostic]:
        """Findings for one statement, before it is applied."""
        return ()

    def check_file(self, ctx: FileContext) -> Iterable[Diagnostic]:
        """Findings for a whole file, after it is applied."""
        return ()

    def finish_directory(self, scratch: ScratchState) -> Iterable[Diagnostic]:
        """Findings that wait for the whole directory (the schema after its last migration)."""
        return ()

    def at(
        self, path: str, line: int | None, column: int | None, message: str, hint: str | None = None
    ) -> Diagnostic:
        """A finding of this rule at a place in a file."""
        return Diagnostic(path, line, column, self.code, self.severity, message, hint or self.hint or None)

    def on(
        self,
        ctx: StatementContext | FileContext,
        statement: ParsedStatement,
        message: str,
        hint: str | None = None,
    ) -> Diagnostic:
        """A finding of this rule at a statement."""
        file = ctx.file if isinstance(ctx, StatementContext) else ctx
        return self.at(file.file.path, statement.line, statement.column, message, hint)


RULES: dict[str, type[Rule]] = {}


def register(rule: type[Rule]) -> type[Rule]:
    """Add a rule to the catalogue; a second rule with the same code is a programming error."""
    if rule.code in RULES:
        raise ValueError(
            f"Duplicate lint rule code {rule.code}: {RULES[rule.code].__name__} and {rule.__name__}"
        )
    if rule.severity not in (ERROR, WARNING):
        raise ValueError(f"Rule {rule.code} has unknown severity {rule.severity!r}")
    RULES[rule.code] = rule
    return rule


def load_rules() -> dict[str, type[Rule]]:
    """Import every module of ``schemavet.lint.rules`` (each registers its rule); the catalogue."""
    from schemavet.lint import rules

    for module in _rule_modules(rules.__path__):
        importlib.import_module(f"schemavet.lint.rules.{module}")
    return dict(sorted(RULES.items()))


def _rule_modules(path: Iterable[str]) -> Iterator[str]:
    for info in pkgutil.iter_modules(path):
        if info.name.startswith("SV"):
            yield info.name
