"""Fleet verify: many SQLite copies of the recruiting (Samsara) schema, grouped by identical findings,
with a baseline ratchet; corrupt files are their own groups and nothing is ever written."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import schemavet
from schemavet.cli import main
from schemavet.commands.fleet import verify_fleet
from schemavet.compare.fleet import BEHIND, LATEST, UNTRACKED, Position, identity, position
from schemavet.migrations.runner import apply_all
from tests.conftest import RECRUITING_MIGRATIONS, RECRUITING_SPEC, digest, run_sql

# planted drift: how many copies get it, and the SQL that makes it
DRIFTS = {
    "index": (4, "DROP INDEX idx_cvs_status_created_at;"),
    "column": (3, "ALTER TABLE cvs ADD COLUMN note TEXT;"),
    "table": (2, "DROP TABLE usage_events;"),
}
CLEAN = 31


@pytest.fixture
def fleet_dir(recruiting_template: Path, tmp_path: Path) -> Path:
    """31 clean copies, 9 with drift of three kinds, two garbage files and a truncated copy."""
    fleet = tmp_path / "fleet"
    fleet.mkdir()
    number = 0
    plan = [("clean", CLEAN, "")] + [(kind, n, sql) for kind, (n, sql) in DRIFTS.items()]
    for kind, count, sql in plan:
        for _ in range(count):
            path = fleet / f"{kind}-{number:03d}.db"
            shutil.copy(recruiting_template, path)
            if sql:
                run_sql(path, sql)
            number += 1
    (fleet / "garbage-1.db").write_bytes(b"not a database at all\n" * 200)
    (fleet / "garbage-2.db").write_bytes(b"\x00\x01\x02" * 3000)
    (fleet / "truncated.db").write_bytes(recruiting_template.read_bytes()[:4096])
    return fleet


def _members(fleet: Path, prefix: str) -> list[str]:
    return sorted(str(p) for p in fleet.iterdir() if p.name.startswith(prefix))


def _verify(*args: str) -> Any:
    return CliRunner().invoke(main, ["verify", "--spec", str(RECRUITING_SPEC), *args])


def _groups(output: str) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    document = json.loads(output)
    return {tuple(g["members"]): g for g in document["groups"]}


def test_groups_and_counts(fleet_dir: Path) -> None:
    before = {p.name: digest(p) for p in fleet_dir.iterdir()}
    result = _verify("--db", str(fleet_dir), "--format", "json", "--jobs", "2")
    assert result.exit_code == 1, result.output
    groups = _groups(result.stdout)
    clean = _members(fleet_dir, "clean")
    expected_members = [clean] + [_members(fleet_dir, kind) for kind in DRIFTS]
    expected_members += [_members(fleet_dir, "garbage"), _members(fleet_dir, "truncated")]
    assert sorted(groups) == sorted(tuple(m) for m in expected_members)
    assert [g["count"] for g in json.loads(result.stdout)["groups"]] == [31, 4, 3, 2, 2, 1]
    assert groups[tuple(clean)]["findings"] == []
    # each drift group's findings are exactly what verifying one of its databases alone finds
    for kind in DRIFTS:
        members = _members(fleet_dir, kind)
        alone = schemavet.verify(members[-1], RECRUITING_SPEC).findings
        assert {json.dumps(f["message"]) for f in groups[tuple(members)]["findings"]} == {
            json.dumps(f.message) for f in alone
        }
    headline = {kind: groups[tuple(_members(fleet_dir, kind))]["summary"] for kind in DRIFTS}
    assert headline["index"].startswith('missing index "cvs.idx_cvs_status_created_at"')
    assert headline["column"] == 'unexpected column "cvs.note"'
    assert headline["table"].startswith('missing table "usage_events"')
    for prefix in ("garbage", "truncated"):
        (finding,) = groups[tuple(_members(fleet_dir, prefix))]["findings"]
        assert finding["kind"] == "unreadable" and str(fleet_dir) not in finding["message"]
    # nothing written: same bytes, no journal or WAL files left behind
    assert {p.name: digest(p) for p in fleet_dir.iterdir()} == before


def test_text_summary_line(fleet_dir: Path) -> None:
    result = _verify("--db", str(fleet_dir / "*.db"))
    assert result.exit_code == 1
    first = result.stdout.splitlines()[0]
    assert first.startswith(
        '31 match · 4 missing index "cvs.idx_cvs_status_created_at" (+1 more) · 3 unexpected'
    )
    assert "2 unreadable: the database is not a SQLite database" in first
    assert result.stdout.rstrip().endswith(f"FAIL: 12 of 43 databases differ from {RECRUITING_SPEC}")


def test_baseline_ratchet(fleet_dir: Path, tmp_path: Path, recruiting_template: Path) -> None:
    baseline = tmp_path / "baseline.json"
    assert _verify("--db", str(fleet_dir), "--write-baseline", str(baseline)).exit_code == 0
    document = json.loads(baseline.read_text())
    assert baseline.read_text() == json.dumps(document, indent=2, sort_keys=True) + "\n"  # stable
    accepted = _verify("--db", str(fleet_dir), "--baseline", str(baseline))
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.splitlines()[0] == "43 match"
    assert "Stale" not in accepted.stdout
    # one more drift, in a database that had none: the baseline does not accept it there
    run_sql(fleet_dir / "clean-000.db", "DROP INDEX idx_cvs_project;")
    drifted = _verify("--db", str(fleet_dir), "--baseline", str(baseline))
    assert drifted.exit_code == 1
    assert drifted.stdout.splitlines()[0].startswith('42 match · 1 missing index "cvs.idx_cvs_project"')
    # a database repaired: its entries are stale, and said to be
    shutil.copy(recruiting_template, fleet_dir / "column-035.db")
    repaired = _verify("--db", str(fleet_dir), "--baseline", str(baseline), "--format", "json")
    stale = json.loads(repaired.stdout)["stale"]
    assert [(s["finding"]["object"], s["database"]) for s in stale] == [
        ("cvs.note", str(fleet_dir / "column-035.db"))
    ]


def test_baseline_for_one_database(recruiting_db: Path, tmp_path: Path) -> None:
    run_sql(recruiting_db, "ALTER TABLE cvs ADD COLUMN note TEXT;")
    baseline = tmp_path / "one.json"
    assert _verify("--db", str(recruiting_db)).exit_code == 1
    assert _verify("--db", str(recruiting_db), "--write-baseline", str(baseline)).exit_code == 0
    assert _verify("--db", str(recruiting_db), "--baseline", str(baseline)).exit_code == 0
    run_sql(recruiting_db, "DROP INDEX idx_cvs_project;")
    assert _verify("--db", str(recruiting_db), "--baseline", str(baseline)).exit_code == 1


def test_any_database_entry(fleet_dir: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "any.json"
    _verify("--db", str(fleet_dir), "--write-baseline", str(baseline))
    document = json.loads(baseline.read_text())
    for entry in document["accepted"]:
        entry["databases"] = ["*"]
    baseline.write_text(json.dumps(document))
    run_sql(fleet_dir / "clean-000.db", "ALTER TABLE cvs ADD COLUMN note TEXT;")
    assert _verify("--db", str(fleet_dir), "--baseline", str(baseline)).exit_code == 0


def test_list_file_and_several_db_options(fleet_dir: Path, tmp_path: Path) -> None:
    listed = tmp_path / "fleet.txt"
    names = _members(fleet_dir, "clean")[:3] + _members(fleet_dir, "column")[:1]
    listed.write_text(
        "# the fleet\n\n" + "\n".join(f"sqlite:///{n}" if i else n for i, n in enumerate(names))
    )
    result = _verify("--db", f"@{listed}", "--db", _members(fleet_dir, "index")[0])
    assert result.exit_code == 1
    assert set(result.stdout.splitlines()[0].split(" · ")) == {
        "3 match",
        '1 unexpected column "cvs.note"',
        '1 missing index "cvs.idx_cvs_status_created_at" (+1 more)',
    }


def test_interrupted_keeps_what_was_done(fleet_dir: Path) -> None:
    databases = sorted(str(p) for p in fleet_dir.iterdir())

    def stop_at_ten(done: int, total: int) -> None:
        if done >= 10:
            raise KeyboardInterrupt

    for jobs in (1, 2):
        fleet, _ = verify_fleet(databases, str(RECRUITING_SPEC), jobs=jobs, progress=stop_at_ten)
        assert fleet.interrupted and 10 <= fleet.done < len(databases) and fleet.total == len(databases)


def test_bad_baseline_is_one_sentence(fleet_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"accepted": []}')
    result = _verify("--db", str(fleet_dir), "--baseline", str(bad))
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f'schemavet: error: "{bad}" is not a schemavet baseline (no "schemavet_baseline": 1)'
    )
    assert _verify("--db", str(tmp_path / "none-*.db")).exit_code == 2


def test_identity_ignores_spec_lines(recruiting_db: Path) -> None:
    run_sql(recruiting_db, "DROP INDEX idx_cvs_project;")
    (finding,) = [
        f for f in schemavet.verify(str(recruiting_db), RECRUITING_SPEC).findings if f.kind == "missing"
    ]
    moved = type(finding)(**{**finding.__dict__, "line": (finding.line or 0) + 7})
    assert identity(moved) == identity(finding)
    assert os.fspath(recruiting_db) not in identity(finding)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="watches the child's open files in /proc")
def test_ctrl_c_prints_the_summary_so_far(fleet_dir: Path) -> None:
    """Ctrl-C while a locked database is waited for: the report so far, exit 130, no traceback."""
    locked = fleet_dir / "clean-000.db"
    holder = sqlite3.connect(locked, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        command = [sys.executable, "-m", "schemavet", "verify", "--spec", str(RECRUITING_SPEC)]
        for db in (locked, fleet_dir / "clean-001.db", fleet_dir / "column-035.db"):
            command += ["--db", str(db)]
        child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while not _has_open(child.pid, locked) and child.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        waiting = child.poll() is None
        child.send_signal(signal.SIGINT)
        out, err = child.communicate(timeout=60)
    finally:
        holder.close()
    assert waiting, f"the run ended before it waited for the locked database: {out!r} {err!r}"
    assert child.returncode == 130, (out, err)
    assert out.splitlines() == [
        "no databases verified",
        "INTERRUPTED after 0 of 3 databases; nothing verified",
    ]
    assert "Traceback" not in err


def _has_open(pid: int, path: Path) -> bool:
    """Whether ``pid`` or a process it started has ``path`` open."""
    for process in (pid, *_children(pid)):
        try:
            links = [os.readlink(f"/proc/{process}/fd/{fd}") for fd in os.listdir(f"/proc/{process}/fd")]
        except OSError:
            continue
        if str(path) in links:
            return True
    return False


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        found = " ".join(Path(f"/proc/{pid}/task/{task}/children").read_text() for task in tasks)
    except OSError:
        return []
    return [int(child) for child in found.split()]


def test_no_password_in_a_fleet_report(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    listed = tmp_path / "fleet.txt"
    urls = [f"postgresql://app:s3cr3t-pw@/db{i}?host={tmp_path}/nowhere" for i in range(2)]
    listed.write_text("\n".join(urls) + "\n")
    spec = Path(__file__).parent / "dialects" / "postgres" / "tenant" / "spec.yaml"
    for output_format in ("text", "json"):
        result = CliRunner().invoke(
            main, ["verify", "--db", f"@{listed}", "--spec", str(spec), "--format", output_format]
        )
        assert result.exit_code == 1, result.output
        assert "s3cr3t-pw" not in result.output and "s3cr3t-pw" not in result.stderr
        assert "app:***@" in result.stdout


def test_same_schema_other_statistics_plans_again(recruiting_template: Path, tmp_path: Path) -> None:
    """Files with one schema share a comparison of the catalog, but statistics change plans: a
    file whose sqlite_stat1 makes the planner pick another index gets its own plan findings."""
    fleet = tmp_path / "stats"
    fleet.mkdir()
    for name in ("a.db", "b.db", "c.db"):
        shutil.copy(recruiting_template, fleet / name)
    run_sql(
        fleet / "b.db",
        "ANALYZE sqlite_master;"
        "INSERT INTO sqlite_stat1 VALUES ('cvs', 'idx_cvs_status_created_at', '1000000 1000000 1000000');"
        "INSERT INTO sqlite_stat1 VALUES ('cvs', 'idx_cvs_status', '1000000 1');"
        "INSERT INTO sqlite_stat1 VALUES ('cvs', NULL, '1000000');",
    )
    result = _verify("--db", str(fleet), "--format", "json")
    assert result.exit_code == 1
    groups = _groups(result.stdout)
    assert sorted(groups) == [(str(fleet / "a.db"), str(fleet / "c.db")), (str(fleet / "b.db"),)]
    alone = schemavet.verify(str(fleet / "b.db"), RECRUITING_SPEC).findings
    assert {f["message"] for f in groups[(str(fleet / "b.db"),)]["findings"]} == {f.message for f in alone}
    assert {f.kind for f in alone} == {"plan"} and len(alone) == 2


# --- where each database stands in the migrations directory (--migrations) -----------------------


def _built_to(last: str, tmp_path: Path) -> Path:
    """A database yoyo built from the fixture's migrations up to ``last`` (a prefix of the directory,
    copied with the files' own bytes, so the content hashes recorded match the directory's)."""
    prefix = tmp_path / f"upto-{last}"
    prefix.mkdir()
    for path in sorted(RECRUITING_MIGRATIONS.glob("*.sql")):
        if path.name.split(".")[0] <= last:
            shutil.copyfile(path, prefix / path.name)
    database = tmp_path / f"built-{last}.db"
    apply_all(f"sqlite:///{database}", str(prefix))
    return database


@pytest.fixture
def staged_fleet(recruiting_template: Path, tmp_path: Path) -> Path:
    """Databases at several places in the migrations directory, some of them with the same findings:
    6 up to date; 3 up to date with an index dropped (drift); 2 never migrated past 0005, which lacks
    that very index (0006 creates it); 4 never migrated past 0003; one whose yoyo records were
    dropped (not migrated by yoyo); one garbage file."""
    fleet = tmp_path / "staged"
    fleet.mkdir()
    at_0005, at_0003 = _built_to("0005", tmp_path), _built_to("0003", tmp_path)
    plan = [("latest", 6, recruiting_template), ("drifted", 3, recruiting_template)]
    plan += [("at0005", 2, at_0005), ("at0003", 4, at_0003), ("untracked", 1, recruiting_template)]
    for kind, count, source in plan:
        for number in range(count):
            shutil.copyfile(source, fleet / f"{kind}-{number}.db")
    for path in _members(fleet, "drifted"):
        run_sql(Path(path), "DROP INDEX idx_cvs_status_created_at;")
    run_sql(fleet / "untracked-0.db", "DROP TABLE _yoyo_migration;")
    (fleet / "garbage-0.db").write_bytes(b"not a database at all\n" * 200)
    return fleet


def test_migration_positions_split_groups(staged_fleet: Path) -> None:
    before = {p.name: digest(p) for p in staged_fleet.iterdir()}
    migrations = ("--migrations", str(RECRUITING_MIGRATIONS))
    result = _verify("--db", str(staged_fleet), *migrations, "--format", "json")
    assert result.exit_code == 1, result.output
    document = json.loads(result.stdout)
    assert document["migrations"] == str(RECRUITING_MIGRATIONS)
    groups = _groups(result.stdout)
    kinds = ("latest", "at0003", "drifted", "at0005", "untracked", "garbage")
    assert sorted(groups) == sorted(tuple(_members(staged_fleet, kind)) for kind in kinds)
    assert [g["count"] for g in document["groups"]] == [6, 4, 3, 2, 1, 1]
    expected = {
        "latest": {"state": "latest", "migration": "0006.cv-queue-order", "missed": []},
        "drifted": {"state": "latest", "migration": "0006.cv-queue-order", "missed": []},
        "at0005": {"state": "behind", "migration": "0005.outreach", "missed": []},
        "at0003": {"state": "behind", "migration": "0003.usage-tracking", "missed": []},
        "untracked": {"state": "untracked", "migration": None, "missed": []},
        "garbage": {"state": "unknown", "migration": None, "missed": []},
    }
    for kind, place in expected.items():
        members = _members(staged_fleet, kind)
        group = groups[tuple(members)]
        assert group["migration"] == place, kind
        assert group["member_migrations"] == {m: place["migration"] for m in members}
    # the same findings, told apart only by where yoyo says the databases stand
    drifted, at_0005 = (
        groups[tuple(_members(staged_fleet, "drifted"))],
        groups[tuple(_members(staged_fleet, "at0005"))],
    )
    assert drifted["findings"] == at_0005["findings"] != []
    assert groups[tuple(_members(staged_fleet, "untracked"))]["findings"] == []
    assert groups[tuple(_members(staged_fleet, "at0003"))]["summary"].startswith(
        "at migration 0003.usage-tracking (missing "
    )
    # nothing written: the bookkeeping was read, not touched
    assert {p.name: digest(p) for p in staged_fleet.iterdir()} == before


def test_migration_positions_in_the_text_summary(staged_fleet: Path) -> None:
    plain = _verify("--db", str(staged_fleet), "--format", "json")
    headlines = {tuple(g["members"]): g["summary"] for g in json.loads(plain.stdout)["groups"]}
    assert all("at migration" not in h and "yoyo" not in h for h in headlines)  # not asked: not said
    assert "migration" not in json.loads(plain.stdout)["groups"][0]
    # without --migrations, never migrated past 0005 and drifted look alike: one group
    alike = sorted(_members(staged_fleet, "at0005") + _members(staged_fleet, "drifted"))
    assert tuple(sorted(_members(staged_fleet, "latest") + _members(staged_fleet, "untracked"))) in headlines
    at_0003 = headlines[tuple(_members(staged_fleet, "at0003"))]
    index = headlines[tuple(alike)]
    assert index.startswith('missing index "cvs.idx_cvs_status_created_at"')

    result = _verify("--db", str(staged_fleet), "--migrations", str(RECRUITING_MIGRATIONS))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0].split(" · ") == [
        "6 match",
        f"4 at migration 0003.usage-tracking ({at_0003})",
        f"3 {index}",
        f"2 at migration 0005.outreach ({index})",
        "1 not migrated by yoyo (match)",
        "1 unreadable: the database is not a SQLite database, or it is corrupt (file is not a database)",
    ]
    headers = [line for line in lines if line.endswith("):") and not line.startswith(" ")]
    assert [h.split(" (")[0] for h in headers] == [
        "4 databases at migration 0003.usage-tracking",
        "3 databases",
        "2 databases at migration 0005.outreach",
        "1 database not migrated by yoyo",
        "1 database",
    ]
    untracked = lines.index(next(h for h in headers if "not migrated by yoyo" in h))
    assert lines[untracked + 1] == "  no findings: the schema matches the spec"
    # the verdict is the schema's: a database matching the spec is not failed for where it stands
    assert lines[-1] == f"FAIL: 10 of 17 databases differ from {RECRUITING_SPEC}"


def test_migration_positions_with_a_baseline(staged_fleet: Path, tmp_path: Path) -> None:
    """A baseline records findings, not positions: accepted, the behind databases still say where
    they stand, and the baseline file has no position in it."""
    baseline = tmp_path / "baseline.json"
    migrations = ("--migrations", str(RECRUITING_MIGRATIONS))
    assert _verify("--db", str(staged_fleet), *migrations, "--write-baseline", str(baseline)).exit_code == 0
    assert "0003.usage-tracking" not in baseline.read_text()
    accepted = _verify("--db", str(staged_fleet), *migrations, "--baseline", str(baseline))
    assert accepted.exit_code == 0, accepted.output
    assert accepted.stdout.splitlines()[0].split(" · ") == [
        "9 match",
        "4 at migration 0003.usage-tracking (match)",
        "2 at migration 0005.outreach (match)",
        "1 at an unknown migration (match)",  # the garbage file: its unreadable finding accepted
        "1 not migrated by yoyo (match)",
    ]
    # the same baseline without --migrations: one group, as before
    assert (
        _verify("--db", str(staged_fleet), "--baseline", str(baseline)).stdout.splitlines()[0] == "17 match"
    )


def test_a_migration_skipped_in_the_middle(recruiting_template: Path, tmp_path: Path) -> None:
    """A migration added to the middle of the directory later (a merge) and never applied: the
    database is behind though its furthest migration is the directory's last, and says so."""
    fleet = tmp_path / "merged"
    fleet.mkdir()
    for name in ("a.db", "b.db"):
        shutil.copyfile(recruiting_template, fleet / name)
    run_sql(fleet / "b.db", "DELETE FROM _yoyo_migration WHERE migration_id = '0003.usage-tracking';")
    result = _verify("--db", str(fleet), "--migrations", str(RECRUITING_MIGRATIONS))
    assert result.exit_code == 0, result.output  # both schemas match the spec
    assert result.stdout.splitlines()[0] == (
        "1 match · 1 at migration 0006.cv-queue-order but not 0003.usage-tracking (match)"
    )


def test_position_of_applied_ids() -> None:
    directory = ("0000.a", "0001.b", "0002.c", "0003.d")
    assert position([], directory) == Position(UNTRACKED)
    assert position(list(directory), directory) == Position(LATEST, "0003.d")
    assert position(["0000.a", "0001.b"], directory) == Position(BEHIND, "0001.b")
    # yoyo's records in another order than the directory's: the furthest applied counts
    assert position(["0000.a", "0002.c", "0001.b"], directory) == Position(BEHIND, "0002.c")
    skipped = position(["0000.a", "0003.d"], directory)
    assert skipped == Position(BEHIND, "0003.d", ("0001.b", "0002.c"))
    assert skipped.label == "at migration 0003.d but not 0001.b, 0002.c"
    assert position(["0000.a", "0003.d"], (*directory, "0004.e", "0005.f")).label == (
        "at migration 0003.d but not 0001.b, 0002.c"
    )
    assert Position(BEHIND, "9.z", ("1", "2", "3")).label == "at migration 9.z but not 1, 2 and 1 more"
    # applied, but none of it in the directory (all renamed): the last recorded
    assert position(["x.old"], directory) == Position(BEHIND, "x.old")
    assert position(["0000.a", "0001.b", "0002.c", "0003.d", "x.old"], directory).label is None
