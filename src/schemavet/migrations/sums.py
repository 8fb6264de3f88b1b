"""``schemavet.sum``: the SHA-256 of every migration file, in yoyo order, plus a total.

Like Atlas's ``atlas.sum``, the file pins what was reviewed: ``check`` reports a listed file
that was edited, removed or moved in the order, and a file that is not listed yet. The total
is the first line, so two branches that each add a migration both change it and git reports
a conflict instead of merging two heads silently.

Format (one line each, UTF-8)::

    # schemavet.sum: written by "schemavet sum"; on a merge conflict, run it again
    total sha256:<hex of the lines below>
    0000.base.sql sha256:<hex>
    0000.base.rollback.sql sha256:<hex>

Hashes are of the file's bytes with CRLF line endings read as LF, so a Windows checkout
(``core.autocrlf``) agrees with the repository.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from schemavet.compare.findings import Finding
from schemavet.compare.migration_findings import EDITED, MOVED, REMOVED, UNRECORDED, MigrationFinding
from schemavet.errors import SchemavetError

SUM_FILE = "schemavet.sum"
_HEADER = f'# {SUM_FILE}: written by "schemavet sum"; on a merge conflict, run it again'
_TOTAL = "total"
_PREFIX = "sha256:"
_ROLLBACK = ".rollback.sql"
_HEX = "0123456789abcdef"
_CONFLICT_MARKERS = ("<<<<<<<", "=======", ">>>>>>>", "|||||||")


class SumError(SchemavetError):
    """A ``schemavet.sum`` that cannot be read (malformed, or with merge conflict markers)."""


@dataclass(frozen=True)
class SumFile:
    """The recorded state of a migrations directory: (file name, hash) in order, and the total."""

    entries: tuple[tuple[str, str], ...]
    total: str


def content_sha256(path: str) -> str:
    """SHA-256 (hex) of a file's bytes, CRLF read as LF."""
    with open(path, "rb") as f:
        data = f.read()
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def migration_files(directory: str) -> list[str]:
    """Every file yoyo reads from ``directory``, in yoyo order: each migration, then its rollback."""
    from schemavet.migrations.directory import in_yoyo_order, read_migration_dir, rollback_path

    migrations = read_migration_dir(directory)
    files: list[str] = []
    for migration in in_yoyo_order(migrations) + list(migrations.post_apply):
        files.append(migration.path)
        rollback = rollback_path(migration)
        if rollback is not None:
            files.append(rollback)
    return files


def compute_sum(directory: str) -> SumFile:
    """The sum of ``directory`` as it is now."""
    entries = tuple((os.path.basename(path), content_sha256(path)) for path in migration_files(directory))
    return SumFile(entries, _total(entries))


def _total(entries: tuple[tuple[str, str], ...]) -> str:
    """One hash over the names, hashes and order of every entry."""
    digest = hashlib.sha256()
    for name, sha in entries:
        digest.update(f"{name}\0{sha}\n".encode())
    return digest.hexdigest()


def render_sum(sums: SumFile) -> str:
    """The text of a ``schemavet.sum``."""
    lines = [_HEADER, f"{_TOTAL} {_PREFIX}{sums.total}"]
    lines += [f"{name} {_PREFIX}{sha}" for name, sha in sums.entries]
    return "\n".join(lines) + "\n"


def write_sum(directory: str) -> tuple[str, SumFile]:
    """Write ``directory``/schemavet.sum; the path written and what it says."""
    sums = compute_sum(directory)
    path = os.path.join(directory, SUM_FILE)
    try:
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(render_sum(sums))
    except OSError as e:
        raise SchemavetError(f'Cannot write "{path}": {e.strerror}') from e
    return path, sums


def read_sum(path: str) -> SumFile:
    """Parse a ``schemavet.sum``; a malformed or conflicted file is a :class:`SumError`."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise SumError(f'Cannot read "{path}": {getattr(e, "strerror", None) or e}') from e
    total: str | None = None
    entries: list[tuple[str, str]] = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        name, sha = _parse_line(line, path, number)
        if name == _TOTAL and total is None and not entries:
            total = sha
        else:
            entries.append((name, sha))
    if total is None:
        raise SumError(f'"{path}" has no "{_TOTAL} {_PREFIX}…" line; run "schemavet sum"')
    return SumFile(tuple(entries), total)


def _parse_line(line: str, path: str, number: int) -> tuple[str, str]:
    if line.startswith(_CONFLICT_MARKERS):
        raise SumError(
            f'"{path}" has a merge conflict at line {number}: put the migrations of both branches '
            f'in order, then run "schemavet sum" again'
        )
    name, _, sha = line.rpartition(" ")
    digest = sha[len(_PREFIX) :]
    if not name or not sha.startswith(_PREFIX) or len(digest) != 64 or set(digest) - set(_HEX):
        raise SumError(f'"{path}" line {number} should read "<file> {_PREFIX}<64 hex digits>"')
    return name, digest


def check_sum(directory: str) -> list[Finding]:
    """Findings for every difference between ``directory`` and its ``schemavet.sum``."""
    path = os.path.join(directory, SUM_FILE)
    current = compute_sum(directory)
    if not os.path.exists(path):
        return [_finding(UNRECORDED, "", path, f'"{path}" does not exist; run "schemavet sum"')]
    recorded = read_sum(path)
    findings = _file_findings(directory, recorded, current)
    findings += _order_findings(directory, recorded, current)
    if not findings and recorded.total != current.total:
        sentence = (
            f'The total in {SUM_FILE} does not match its lines: it was edited by hand; run "schemavet sum"'
        )
        findings.append(_finding(EDITED, SUM_FILE, path, sentence))
    return findings


def _file_findings(directory: str, recorded: SumFile, current: SumFile) -> list[Finding]:
    now = dict(current.entries)
    before = dict(recorded.entries)
    findings = []
    for name, sha in recorded.entries:
        where = os.path.join(directory, name)
        if name not in now:
            findings.append(_finding(REMOVED, name, where, _removed(name)))
        elif now[name] != sha:
            findings.append(_finding(EDITED, name, where, _edited(name), sha, now[name]))
    for position, (name, _) in enumerate(current.entries):
        if name not in before:
            # a new rollback file sits beside its migration; only a new migration must go last
            later = (
                []
                if name.endswith(_ROLLBACK)
                else [n for n, _ in current.entries[position + 1 :] if n in before]
            )
            findings.append(_finding(UNRECORDED, name, os.path.join(directory, name), _new(name, later)))
    return findings


def _order_findings(directory: str, recorded: SumFile, current: SumFile) -> list[Finding]:
    """A finding for each listed migration that left its place among the listed migrations.

    Rollback files follow their migration wherever it goes, so only migrations are compared.
    The files that kept their relative order are the longest common subsequence of the two
    orders; every other listed file moved.
    """
    now = {name for name, _ in current.entries if not name.endswith(_ROLLBACK)}
    was = [name for name, _ in recorded.entries if name in now]
    listed = set(was)
    order = [name for name, _ in current.entries if name in listed]
    stayed = _longest_common_subsequence(was, order)
    findings = []
    for position, name in enumerate(order):
        if name in stayed:
            continue
        index = was.index(name)
        sentence = (
            f'Migration file "{name}" moved in the yoyo order: {SUM_FILE} lists it '
            f"{_after(was[index - 1] if index else None)}, it now comes "
            f"{_after(order[position - 1] if position else None)}; applied migrations must keep their order"
        )
        findings.append(_finding(MOVED, name, os.path.join(directory, name), sentence))
    return findings


def _longest_common_subsequence(first: list[str], second: list[str]) -> set[str]:
    lengths = [[0] * (len(second) + 1) for _ in range(len(first) + 1)]
    for i, a in enumerate(first):
        for j, b in enumerate(second):
            lengths[i + 1][j + 1] = lengths[i][j] + 1 if a == b else max(lengths[i][j + 1], lengths[i + 1][j])
    common: set[str] = set()
    i, j = len(first), len(second)
    while i and j:
        if first[i - 1] == second[j - 1]:
            common.add(first[i - 1])
            i, j = i - 1, j - 1
        elif lengths[i - 1][j] >= lengths[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return common


def _after(name: str | None) -> str:
    return f'after "{name}"' if name is not None else "first"


def _edited(name: str) -> str:
    return (
        f'Migration file "{name}" was edited after {SUM_FILE} recorded it: a migration that may '
        f'have been applied must not change; revert it and add a new migration, or run "schemavet sum" '
        f"if it was never applied anywhere"
    )


def _removed(name: str) -> str:
    return f'Migration file "{name}" is listed in {SUM_FILE} but was removed'


def _new(name: str, later: list[str]) -> str:
    sentence = f'Migration file "{name}" is not in {SUM_FILE}; run "schemavet sum"'
    if later:
        sentence += f' (it comes before "{later[0]}", which is already listed: new migrations go last)'
    return sentence


def _finding(
    kind: str, name: str, path: str, sentence: str, expected: str | None = None, actual: str | None = None
) -> Finding:
    return MigrationFinding(
        kind, "migration file", name, "sha256", expected, actual, detail=sentence, path=path
    )
