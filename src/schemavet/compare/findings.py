"""Typed findings: what differs, where, what was expected and what was found."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from schemavet.model import option_label

if TYPE_CHECKING:
    from schemavet.diagnostics import Diagnostic

MISSING, UNEXPECTED, CHANGED, POLICY = "missing", "unexpected", "changed", "policy"
# proofs and plans: a behaviour the database did not show, one that could not be tested,
# and a query plan that is not the one the spec asks for; ``detail`` holds the sentence
BEHAVIOUR, UNPROVEN, PLAN = "behaviour", "unproven", "plan"
# an object the database holds that the model cannot: a warning, or with --strict a finding
NOT_MODELLED = "not modelled"
# a database of a fleet that could not be read at all; ``detail`` says why
UNREADABLE = "unreadable"


@dataclass(frozen=True)
class Finding:
    """One difference between the spec and the database, or one broken policy.

    ``object_type`` is the kind of object (table, column, index, foreign key …), ``object``
    its dotted name (``cvs.status``), ``attribute`` what changed on it (None for a missing or
    unexpected object), and ``line`` the spec line that declares it. ``path`` is the file the
    finding belongs to when that is not the spec (a migration file, a ``schemavet.sum``).
    ``where`` is the object's place as structured data, for programs that act on findings:
    ``("table", "cvs", "column", "status")`` (keyed as the schema keys them; not in messages).
    """

    kind: str
    object_type: str
    object: str
    attribute: str | None = None
    expected: Any = None
    actual: Any = None
    line: int | None = None
    detail: str | None = None
    path: str | None = None
    where: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def message(self) -> str:
        """One sentence: what is wrong, with names double-quoted."""
        subject = f'{self.object_type.capitalize()} "{self.object}"'
        if self.kind == MISSING:
            return f"{subject} is missing from the database"
        if self.kind == UNEXPECTED:
            return f"{subject} is in the database but not in the spec"
        if self.kind == POLICY:
            return f"{subject} breaks policy {self.detail}"
        if self.kind == UNREADABLE:
            return f"Cannot verify: {self.detail}"
        if self.kind in (BEHAVIOUR, UNPROVEN, PLAN, NOT_MODELLED):
            return f"{subject} {self.detail}"
        return f"{subject} {_change_phrase(self.attribute or '', self.expected, self.actual)}"

    def as_dict(self, spec_path: str | None = None) -> dict[str, Any]:
        """The JSON shape: kind, object, expected, actual, message, spec line (and ``path`` if set)."""
        document = {
            "kind": self.kind,
            "object_type": self.object_type,
            "object": self.object,
            "attribute": self.attribute,
            "expected": plain(self.expected),
            "actual": plain(self.actual),
            "message": self.message,
            "spec": spec_path,
            "line": self.line,
        }
        if self.path is not None:
            document["path"] = self.path
        return document

    def as_diagnostic(self, spec_path: str) -> Diagnostic:
        """This finding located at the spec line that declares the object, as CI formats render it.

        The code is ``verify/<kind>`` (missing, unexpected, changed, policy, plan, behaviour,
        unproven), stable per kind.
        """
        from schemavet.diagnostics import ERROR, Diagnostic

        return Diagnostic(
            path=self.path or spec_path,
            # an object the spec does not declare has no line there: the file's first, so
            # code scanning shows a region
            line=self.line if self.line is not None else 1,
            column=None,
            code=f"verify/{self.kind}",
            severity=ERROR,
            message=self.message,
            hint=_HINTS.get(self.kind),
        )


_HINTS = {
    MISSING: "Create it in a migration, or remove it from the spec",
    UNEXPECTED: "Declare it in the spec, or drop it in a migration",
    CHANGED: "Write a migration that changes the database, or correct the spec",
    BEHAVIOUR: "Rebuild the table with the declared action, or find the trigger that overrides it",
    UNPROVEN: "Check the constraints and triggers that kept the probe rows out",
    PLAN: "Add the index the query needs in a migration, or correct the query's expectation",
}


def plain(value: Any) -> Any:
    """A model value as JSON-ready data: tuples become lists, all the way down."""
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def show(value: Any) -> str:
    """A value as a reader expects to see it in a sentence."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (tuple, list)):
        return "(" + ", ".join(show(v) for v in value) + ")"
    if isinstance(value, dict):
        return ", ".join(f"{k} {show(v)}" for k, v in value.items() if v not in (None, False, ()))
    return str(value)


def _change_phrase(attribute: str, expected: Any, actual: Any) -> str:
    phrase = _PHRASES.get(attribute) or _option_phrase(attribute)
    if phrase is not None:
        return str(phrase(expected, actual))
    label = attribute.replace("_", " ")
    return f"should have {label} {show(expected)}, found {show(actual)}"


def _nullable(expected: Any, actual: Any) -> str:
    return "should be nullable, found NOT NULL" if expected else "should be NOT NULL, found nullable"


def _option_phrase(attribute: str) -> Any:
    """A dialect's flag option (``WITHOUT ROWID``) phrased by the label its dialect gives it."""
    label = option_label(attribute)
    return _flag(label) if label is not None else None


def _flag(name: str) -> Any:
    def phrase(expected: Any, actual: Any) -> str:
        return f"should be {name}, found not {name}" if expected else f"should not be {name}"

    return phrase


def _default(expected: Any, actual: Any) -> str:
    found = f"DEFAULT {actual}" if actual is not None else "no default"
    if expected is None:
        return f"should have no default, found {found}"
    return f"should have DEFAULT {expected}, found {found}"


def _action(event: str) -> Any:
    def phrase(expected: Any, actual: Any) -> str:
        return f"should be ON {event} {expected}, found {actual}"

    return phrase


def _column_order(expected: Any, actual: Any) -> str:
    return f"should have its columns in the order {show(expected)}, found {show(actual)}"


def _rowid_alias(expected: Any, actual: Any) -> str:
    if expected:
        return "should be a rowid alias (INTEGER PRIMARY KEY), found an ordinary key"
    return "should be an ordinary key, found a rowid alias (INTEGER PRIMARY KEY)"


_PHRASES = {
    "column_order": _column_order,
    "rowid_alias": _rowid_alias,
    "nullable": _nullable,
    "default": _default,
    "unique": _flag("unique"),
    "on_delete": _action("DELETE"),
    "on_update": _action("UPDATE"),
}
