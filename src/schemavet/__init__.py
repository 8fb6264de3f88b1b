"""schemavet: verify that plain-SQL migrations build the schema that was reviewed.

>>> import schemavet
>>> report = schemavet.verify("sqlite:///app.db", "schema/app.yaml")
>>> report.ok, [f.message for f in report.findings]

The names below are imported when first used (PEP 562), so ``schemavet verify`` does not pay
for importing adopt, rehearse or the linter.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from schemavet.commands.adopt import Adoption, AdoptionRefused, adopt
    from schemavet.commands.apply import apply
    from schemavet.commands.rehearse import rehearse
    from schemavet.commands.verify import check, inspect, snapshot, verify
    from schemavet.compare.outcomes import Rehearsal, Report
    from schemavet.errors import SchemavetError
    from schemavet.migrations.sums import write_sum
    from schemavet.spec.load import Spec, load_spec

_HOMES = {
    "Adoption": "schemavet.commands.adopt",
    "AdoptionRefused": "schemavet.commands.adopt",
    "adopt": "schemavet.commands.adopt",
    "Report": "schemavet.compare.outcomes",
    "check": "schemavet.commands.verify",
    "inspect": "schemavet.commands.verify",
    "snapshot": "schemavet.commands.verify",
    "verify": "schemavet.commands.verify",
    "apply": "schemavet.commands.apply",
    "SchemavetError": "schemavet.errors",
    "Rehearsal": "schemavet.compare.outcomes",
    "rehearse": "schemavet.commands.rehearse",
    "Spec": "schemavet.spec.load",
    "load_spec": "schemavet.spec.load",
    "write_sum": "schemavet.migrations.sums",
}

__all__ = [
    "Adoption",
    "AdoptionRefused",
    "Rehearsal",
    "Report",
    "SchemavetError",
    "Spec",
    "adopt",
    "apply",
    "check",
    "inspect",
    "load_spec",
    "rehearse",
    "snapshot",
    "verify",
    "write_sum",
]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'schemavet' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_HOMES])
