"""SQLite's rule for telling two names apart: ASCII case does not count (``Authors`` is ``authors``).

A module of its own, importing nothing, so the dialect can key every name with it directly:
matching keys names by the ten thousand in a large schema.
"""

from __future__ import annotations

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def fold(name: str) -> str:
    """SQLite's identifier case folding: ASCII letters only."""
    return name.lower() if name.isascii() else name.translate(_ASCII_LOWER)
