"""``python -m schemavet``."""

from schemavet.cli import run

run()
