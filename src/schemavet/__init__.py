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
    from schemavet.adoption import Adoption, AdoptionRefused, adopt
    from schemavet.api import Report, check, inspect, snapshot, verify
    from schemavet.applied import apply
    from schemavet.errors import SchemavetError
    from schemavet.rehearsal import Rehearsal, rehearse
    from schemavet.spec.load import Spec, load_spec
    from schemavet.sums import write_sum

_HOMES = {
    "Adoption": "schemavet.adoption",
    "AdoptionRefused": "schemavet.adoption",
    "adopt": "schemavet.adoption",
    "Report": "schemavet.api",
    "check": "schemavet.api",
    "inspect": "schemavet.api",
    "snapshot": "schemavet.api",
    "verify": "schemavet.api",
    "apply": "schemavet.applied",
    "SchemavetError": "schemavet.errors",
    "Rehearsal": "schemavet.rehearsal",
    "rehearse": "schemavet.rehearsal",
    "Spec": "schemavet.spec.load",
    "load_spec": "schemavet.spec.load",
    "write_sum": "schemavet.sums",
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
