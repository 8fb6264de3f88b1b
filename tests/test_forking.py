"""A forked child's answer comes back whole, however large, without the child waiting for the
parent to read it; and a child that ends without answering gives nothing, never part of one.
An answer in parts comes part by part, each as soon as the child has made it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from schemavet import forking
from schemavet.errors import DatabaseError, SchemavetError

pytestmark = pytest.mark.skipif(not forking.can_fork(), reason="no fork here (not Linux, or one core)")

BIG = bytes(range(256)) * 40_000  # 10 MB: far beyond a pipe's 64 KB


@pytest.fixture(params=["memory file", "pipe"])
def store(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "pipe":  # where no in-memory file can be made
        monkeypatch.setattr(forking, "_memory_file", lambda: None)
    return str(request.param)


def _exited(child: forking.Child, within: float = 10.0) -> bool:
    """Whether the child has ended by itself within ``within`` seconds (it is not reaped)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if os.waitid(os.P_PID, child.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
            return True
        time.sleep(0.01)
    return False


def test_a_large_answer_comes_back_whole(store: str) -> None:
    child = forking.start(lambda: BIG)
    assert child is not None
    try:
        assert child.answer() == BIG
    finally:
        child.stop()  # as every caller does: reaps a child that had not exited yet
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child of this process left behind


def test_the_child_finishes_before_the_parent_asks() -> None:
    child = forking.start(lambda: BIG)
    assert child is not None
    try:
        assert _exited(child)  # its 10 MB written without the parent reading any of it
        assert child.answer() == BIG
    finally:
        child.stop()


def test_a_child_that_dies_gives_no_answer(store: str) -> None:
    def dies() -> bytes:
        os._exit(3)

    child = forking.start(dies)
    assert child is not None
    assert child.answer() == b""  # and reaped: no answer stops it at once
    assert child.pid == 0


def test_stopping_closes_everything(store: str) -> None:
    opened = len(os.listdir("/proc/self/fd"))
    child = forking.start(lambda: time.sleep(60) or b"")
    assert child is not None
    child.stop()
    child.stop()  # again: nothing left to do
    assert len(os.listdir("/proc/self/fd")) == opened
    assert child.answer() == b""


def _parts_with_a_pause(gate: str) -> Iterator[bytes]:  # runs in the child
    yield b"first"
    while not os.path.exists(gate):  # the second part waits until the parent has the first
        time.sleep(0.005)
    yield BIG


def test_each_part_arrives_as_soon_as_it_is_made(store: str, tmp_path: Path) -> None:
    gate = str(tmp_path / "gate")
    child = forking.start_parts(lambda: _parts_with_a_pause(gate))
    assert child is not None
    try:
        assert child.part() == b"first"  # while the child is still at work on the second
        assert not _exited(child, within=0.2)
        Path(gate).touch()
        assert child.part() == BIG
        assert child.part() == b""  # no more parts
    finally:
        child.stop()


def _two_then(end: Callable[[], None]) -> Iterator[int]:  # runs in the child
    yield 1
    yield 2
    end()


def test_parts_read_in_a_child_come_back_one_by_one() -> None:
    with forking.read_in_parts(lambda: _two_then(lambda: None)) as arriving:
        assert arriving is not None
        assert arriving[1] == 2 and arriving[0] == 1  # an earlier part is kept


def test_an_error_in_the_child_is_raised_at_the_part_it_kept_back() -> None:
    def fails() -> None:
        raise SchemavetError("Cannot read the catalog: no such table")

    with forking.read_in_parts(lambda: _two_then(fails)) as arriving:
        assert arriving is not None
        assert arriving[1] == 2
        for _ in range(2):  # and again on asking once more
            with pytest.raises(DatabaseError, match="^Cannot read the catalog: no such table$"):
                arriving[2]


def test_a_child_that_dies_midway_leaves_the_parts_it_gave(store: str) -> None:
    with forking.read_in_parts(lambda: _two_then(lambda: os._exit(3))) as arriving:
        assert arriving is not None
        assert arriving[0] == 1 and arriving[1] == 2
        with pytest.raises(forking.Unanswered):
            arriving[2]
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # reaped
