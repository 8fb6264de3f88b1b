"""The Samsara desktop app's data access, in Python, over the schema in migrations/samsara."""
