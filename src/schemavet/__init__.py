"""schemavet: verify that plain-SQL migrations build the schema that was reviewed.

>>> import schemavet
>>> report = schemavet.verify("sqlite:///app.db", "schema/app.yaml")
>>> report.ok, [f.message for f in report.findings]
"""

from schemavet.api import Report, check, inspect, snapshot, verify
from schemavet.errors import SchemavetError
from schemavet.spec.load import Spec, load_spec

__all__ = ["Report", "SchemavetError", "Spec", "check", "inspect", "load_spec", "snapshot", "verify"]
__version__ = "0.1.0"
