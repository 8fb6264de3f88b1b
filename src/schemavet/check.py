"""``check``: build a scratch database from the migrations and verify it against the spec."""

from __future__ import annotations

import os
import tempfile

from schemavet.api import Report, verify
from schemavet.migrations import apply_all


def check(migrations: str | os.PathLike[str], spec: str | os.PathLike[str]) -> Report:
    """Apply every migration to a new scratch SQLite database, then verify it against ``spec``."""
    with tempfile.TemporaryDirectory(prefix="schemavet-") as scratch:
        path = os.path.join(scratch, "scratch.db")
        apply_all("sqlite:///" + path, os.fspath(migrations))
        report = verify(path, spec)
    return Report(f"migrations {os.fspath(migrations)}", report.spec_path, report.findings)
