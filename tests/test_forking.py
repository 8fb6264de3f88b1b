"""A forked child's answer comes back whole, however large, without the child waiting for the
parent to read it; and a child that ends without answering gives nothing, never part of one."""

from __future__ import annotations

import os
import time

import pytest

from schemavet import forking

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
