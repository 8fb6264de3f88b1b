"""``python -m schemavet``."""

from schemavet.cli import main

main()
