"""``schemavet status`` as text for people and JSON for programs."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

_SAYS = {
    "applied": "applied, file unchanged since",
    "applied, unhashed": "applied by yoyo itself: no content hash recorded to compare the file with",
    "edited": "applied from other contents than its file has now",
    "removed": "applied, but its file is no longer in the directory",
    "pending": "not applied yet",
}


def render_status_text(status: Any) -> str:
    """One line per migration, then a summary line."""
    width = max((len(m.id) for m in status.migrations), default=0)
    lines = [
        f"{m.state.split(',')[0].capitalize():8} {m.id:{width}}  {_detail(m)}" for m in status.migrations
    ]
    counts = [
        (n, s)
        for s in ("applied", "applied, unhashed", "pending", "edited", "removed")
        if (n := status.count(s))
    ]
    summary = ", ".join(f"{n} {s}" for n, s in counts) or "no migrations"
    verdict = "OK" if status.ok else "Not up to date"
    lines.append(f'{verdict}: {status.db} against "{status.directory}": {summary}')
    return "\n".join(lines)


def _detail(migration: Any) -> str:
    text = _SAYS[migration.state]
    if migration.state == "edited":
        text += f" (recorded sha256 {migration.recorded[:12]}…, file {migration.current[:12]}…)"
    return text


def render_status_json(status: Any) -> str:
    """``{"db", "directory", "ok", "migrations": [{"id", "state", "path", "recorded", "current"}…]}``."""
    document = {
        "db": status.db,
        "directory": status.directory,
        "ok": status.ok,
        "migrations": [dataclasses.asdict(m) for m in status.migrations],
    }
    return json.dumps(document, indent=2)
