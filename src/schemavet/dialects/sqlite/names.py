"""SQLite's rule for telling two names apart: ASCII case does not count (``Authors`` is ``authors``).

A module of its own, importing nothing, so the dialect can key every name with it directly:
matching keys names by the ten thousand in a large schema. The names of the bookkeeping tables
are here too, for the modules that read migration state without the catalog reader.
"""

from __future__ import annotations

# yoyo's bookkeeping: present in every database yoyo migrated, never part of an app's schema.
YOYO_TABLES = frozenset({"_yoyo_migration", "_yoyo_log", "_yoyo_version", "yoyo_lock"})
# ... and schemavet's own beside it (schemavet.migrations.bookkeeping.HASH_TABLE): migration hashes.
BOOKKEEPING_TABLES = YOYO_TABLES | {"_schemavet_migration_hash"}

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """SQLite's identifier case folding: ASCII letters only."""
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)
