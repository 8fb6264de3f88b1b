"""Foreign-key actions proven by behaviour: what a probe saw, and the findings it makes.

An engine's prover (``sqlite/prove.py``) deletes and updates a parent row in a scratch
database and records an :class:`Outcome` for every foreign key the spec declares and each
event; this module compares the outcome with the declared action. No dialect logic here.
"""

from __future__ import annotations

from dataclasses import dataclass

from schemavet.compare.findings import BEHAVIOUR, UNPROVEN, Finding
from schemavet.model import ForeignKey

DELETE, UPDATE = "DELETE", "UPDATE"
EVENTS = (DELETE, UPDATE)
CASCADE, SET_NULL, SET_DEFAULT, RESTRICT, NO_ACTION = (
    "CASCADE",
    "SET NULL",
    "SET DEFAULT",
    "RESTRICT",
    "NO ACTION",
)


@dataclass(frozen=True)
class Outcome:
    """What deleting (or re-keying) a parent row did to a child row that referenced it.

    ``behaved_as`` holds every action consistent with what happened (a column whose default
    is NULL makes SET NULL and SET DEFAULT look alike); it is empty when no action explains
    it. ``observed`` says what happened in words; when ``proven`` is false the probe could not
    be run and ``observed`` says why.
    """

    table: str
    foreign_key: ForeignKey
    event: str
    behaved_as: frozenset[str]
    observed: str
    proven: bool = True

    @property
    def declared(self) -> str:
        """The action the spec declares for this event."""
        return self.foreign_key.on_delete if self.event == DELETE else self.foreign_key.on_update

    @property
    def holds(self) -> bool:
        """True when the probe ran and the declared action explains what happened."""
        return self.proven and self.declared in self.behaved_as


def action_findings(outcomes: list[Outcome]) -> list[Finding]:
    """A finding for every declared action the database did not carry out, or could not be shown to."""
    return [_finding(outcome) for outcome in outcomes if not outcome.holds]


def _finding(outcome: Outcome) -> Finding:
    fk = outcome.foreign_key
    declared = f"ON {outcome.event} {outcome.declared}"
    if not outcome.proven:
        detail = f"({declared}) could not be proven: {outcome.observed}"
        kind, actual = UNPROVEN, None
    else:
        actual = " or ".join(sorted(outcome.behaved_as)) or "no action"
        verb = "deleting" if outcome.event == DELETE else "changing the key of"
        detail = (
            f'is declared {declared}, but {verb} the "{fk.ref_table}" row it references: '
            f"{outcome.observed} (behaves as {actual})"
        )
        kind = BEHAVIOUR
    return Finding(
        kind,
        "foreign key",
        foreign_key_label(outcome.table, fk.columns),
        attribute="on_delete" if outcome.event == DELETE else "on_update",
        expected=outcome.declared,
        actual=actual,
        line=fk.line,
        detail=detail,
    )


def foreign_key_label(table: str, columns: tuple[str, ...]) -> str:
    """``messages.cv_id``, or ``t(a, b)`` for a composite key, as the diff names foreign keys."""
    return f"{table}.{columns[0]}" if len(columns) == 1 else f"{table}({', '.join(columns)})"
