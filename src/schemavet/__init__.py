"""schemavet: verify that plain-SQL migrations build the schema that was reviewed.

>>> import schemavet
>>> report = schemavet.verify("sqlite:///app.db", "schema/app.yaml")
>>> report.ok, [f.message for f in report.findings]
"""

from schemavet.adoption import Adoption, AdoptionRefused, adopt
from schemavet.api import Report, check, inspect, snapshot, verify
from schemavet.applied import apply
from schemavet.errors import SchemavetError
from schemavet.rehearsal import Rehearsal, rehearse
from schemavet.spec.load import Spec, load_spec
from schemavet.sums import write_sum

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
