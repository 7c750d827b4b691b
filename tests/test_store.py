"""The store survives a failure or a crash at any filesystem call, a kill -9 mid-commit, and a
corrupt file at start; it keeps its files private; one daemon per data directory."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailbot.errors import StoreError
from mailbot.store import DB_NAME, JOURNAL_NAME, DataDirLock, Disk, Store, read_state


class _Died(BaseException):
    """The process dies at this call: nothing after it runs, nothing is cleaned up."""


class FaultyDisk(Disk):
    """Counts every filesystem call; the `fail_at`-th raises `error` (an OSError or a death)."""

    def __init__(self, fail_at: int | None = None, error: BaseException | None = None):
        self.calls: list[str] = []
        self.fail_at = fail_at
        self.error = error

    def _tick(self, name: str) -> None:
        self.calls.append(name)
        if self.fail_at is not None and len(self.calls) == self.fail_at:
            raise self.error  # type: ignore[misc]

    def open(self, path, flags, mode=0o600):
        self._tick("open")
        return super().open(path, flags, mode)

    def write(self, fd, data):
        self._tick("write")
        return super().write(fd, data)

    def fsync(self, fd):
        self._tick("fsync")
        return super().fsync(fd)

    def truncate(self, fd, size):
        self._tick("truncate")
        return super().truncate(fd, size)

    def replace(self, src, dst):
        self._tick("replace")
        return super().replace(src, dst)

    def link(self, src, dst):
        self._tick("link")
        return super().link(src, dst)

    def unlink(self, path):
        self._tick("unlink")
        return super().unlink(path)

    def fsync_dir(self, path):
        self._tick("fsync_dir")
        return super().fsync_dir(path)


class HalfWriteDisk(Disk):
    """The disk fills up in the middle of a write: half the bytes land, then ENOSPC."""

    def __init__(self) -> None:
        self.full = False

    def write(self, fd, data):
        if self.full:
            os.write(fd, data[: len(data) // 2])
            raise OSError(errno.ENOSPC, "No space left on device")
        return super().write(fd, data)


def _tables(store: Store) -> dict:
    return {name: {str(d.doc_id): dict(d) for d in store.table(name).all()} for name in ("things", "counter")}


def _one_commit(store: Store, n: int) -> None:
    """A transaction that touches two tables and updates a third document: all or nothing."""
    with store.transaction():
        store.table("things").insert({"n": n, "payload": "x" * 200})
        c = store.table("counter")
        if c.get(doc_id=1) is None:
            c.insert({"value": 0})
        c.update({"value": n}, doc_ids=[1])


def _baseline(path: Path, commits: int, **kw) -> Store:
    store = Store.open(path, **kw)
    for n in range(1, commits + 1):
        _one_commit(store, n)
    return store


@pytest.mark.parametrize("compacting", [False, True], ids=["journal-append", "snapshot-compaction"])
def test_a_failure_at_any_disk_call_loses_nothing_and_corrupts_nothing(tmp_path: Path, compacting: bool) -> None:
    # Count the calls of one commit, then fail each of them in turn (ENOSPC, then EROFS).
    kw = {"compact_min_bytes": 0, "compact_ratio": 0} if compacting else {}
    probe = _baseline(tmp_path / "probe", 3, **kw)
    probe.disk = counting = FaultyDisk()
    _one_commit(probe, 4)
    assert counting.calls, "a commit must touch the disk"
    if compacting:
        assert "replace" in counting.calls and "link" in counting.calls
    for k in range(1, len(counting.calls) + 1):
        for err in (errno.ENOSPC, errno.EROFS):
            d = tmp_path / f"k{k}-{err}"
            store = _baseline(d, 3, **kw)
            before = _tables(store)
            store.disk = FaultyDisk(k, OSError(err, os.strerror(err)))
            with pytest.raises(StoreError, match="this change was not saved"):
                _one_commit(store, 4)
            on_disk = _tables(Store(d))
            assert _tables(store) == on_disk, f"call {k} ({counting.calls[k - 1]}): memory and disk disagree"
            numbers = sorted(t["n"] for t in on_disk["things"].values())
            if counting.calls[k - 1] == "fsync_dir" and numbers == [1, 2, 3, 4]:
                # Only the directory fsync after the rename failed: the new snapshot is in place
                # (a re-run of the same work is a no-op for the daemon, which keys it by identity).
                pass
            else:
                assert on_disk == before, f"call {k} ({counting.calls[k - 1]}): the failed commit changed the disk"
            # Once the disk works again the same change commits, and only once.
            store.disk = Disk()
            if numbers == [1, 2, 3]:
                _one_commit(store, 4)
            _one_commit(store, 5)
            reopened = _tables(Store(d))
            assert reopened == _tables(store)
            assert sorted(t["n"] for t in reopened["things"].values()) == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("compacting", [False, True], ids=["journal-append", "snapshot-compaction"])
def test_a_death_at_any_disk_call_leaves_the_old_or_the_new_state(tmp_path: Path, compacting: bool) -> None:
    kw = {"compact_min_bytes": 0, "compact_ratio": 0} if compacting else {}
    probe = _baseline(tmp_path / "probe", 3, **kw)
    probe.disk = counting = FaultyDisk()
    _one_commit(probe, 4)
    outcomes = set()
    for k in range(1, len(counting.calls) + 2):
        d = tmp_path / f"k{k}"
        store = _baseline(d, 3, **kw)
        before = _tables(store)
        store.disk = FaultyDisk(k, _Died())
        try:
            _one_commit(store, 4)
            after = _tables(store)
        except _Died:
            after = None
        state = _tables(Store(d))
        assert state == before or (after is not None and state == after) or (
            sorted(t["n"] for t in state["things"].values()) == [1, 2, 3, 4] and state["counter"]["1"]["value"] == 4
        ), f"death at call {k}: neither the old nor the new state"
        outcomes.add("new" if len(state["things"]) == 4 else "old")
        # And it goes on committing after the restart.
        again = Store(d)
        _one_commit(again, 9)
        assert 9 in [t["n"] for t in Store(d).table("things").all()]
    assert outcomes == {"old", "new"}


def test_a_write_cut_by_a_full_disk_leaves_no_garbage_for_the_next_commit(tmp_path: Path) -> None:
    disk = HalfWriteDisk()
    store = _baseline(tmp_path, 2, disk=disk)
    disk.full = True
    with pytest.raises(StoreError):
        _one_commit(store, 3)
    disk.full = False
    _one_commit(store, 3)
    raw = (tmp_path / JOURNAL_NAME).read_bytes()
    assert all(json.loads(line) for line in raw.splitlines())
    assert sorted(t["n"] for t in Store(tmp_path).table("things").all()) == [1, 2, 3]


_CHILD = r"""
import sys
from pathlib import Path
from mailbot.store import Store
store = Store.open(Path(sys.argv[1]), compact_min_bytes=int(sys.argv[2]), compact_ratio=0.3)
n = max([d["n"] for d in store.table("things").all()], default=0)
print("ready", flush=True)
while True:
    n += 1
    with store.transaction():
        store.table("things").insert({"n": n, "payload": "x" * 300})
        store.table("mirror").insert({"n": n})
        c = store.table("counter")
        if c.get(doc_id=1) is None:
            c.insert({"value": 0})
        c.update({"value": n}, doc_ids=[1])
"""


def test_kill_9_mid_commit_in_a_loop(tmp_path: Path) -> None:
    seed = int(os.environ.get("MAILBOT_TORTURE_SEED", time.time_ns() % 100000))
    print(f"store kill loop seed {seed}")
    rng = random.Random(seed)
    d = tmp_path / "data"
    last = 0
    for round_ in range(12):
        # A small compaction threshold so kills also land inside snapshot writes.
        child = subprocess.Popen([sys.executable, "-c", _CHILD, str(d), "20000"], stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.25))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        store = Store(d)
        things = sorted(t["n"] for t in store.table("things").all())
        mirror = sorted(t["n"] for t in store.table("mirror").all())
        counter = store.table("counter").get(doc_id=1)
        assert things == list(range(1, len(things) + 1)), f"seed {seed} round {round_}: a gap or a duplicate"
        assert things == mirror, f"seed {seed} round {round_}: half a transaction survived"
        assert counter is None or counter["value"] == len(things)
        assert len(things) >= last, f"seed {seed} round {round_}: a committed transaction was lost"
        last = len(things)
    assert last > 0


def test_a_corrupt_snapshot_stops_with_the_backup_named(tmp_path: Path) -> None:
    store = _baseline(tmp_path, 3, compact_min_bytes=0, compact_ratio=0)  # every commit writes a snapshot, so a .bak exists
    assert (tmp_path / (DB_NAME + ".bak")).exists()
    (tmp_path / DB_NAME).write_bytes(b'{"format": "mailbot-store-1", "seq": 3, "tables": {"thi')
    with pytest.raises(StoreError) as err:
        Store(tmp_path)
    text = str(err.value)
    assert "is corrupt" in text and str(tmp_path / (DB_NAME + ".bak")) in text
    kept = [p for p in tmp_path.iterdir() if p.name.startswith(DB_NAME + ".corrupt-")]
    assert kept and str(kept[0]) in text
    # Never a silent empty start: the corrupt file is still there, untouched.
    assert (tmp_path / DB_NAME).read_bytes().startswith(b'{"format"')


def test_a_corrupt_journal_line_stops_but_a_torn_last_line_is_dropped(tmp_path: Path) -> None:
    _baseline(tmp_path, 3)
    journal = tmp_path / JOURNAL_NAME
    good = journal.read_bytes()
    # A crash mid-append leaves an unfinished last line: that commit never returned; drop it.
    journal.write_bytes(good + b'{"seq":4,"t":{"things":{"4":{"n"')
    store = Store(tmp_path)
    assert sorted(t["n"] for t in store.table("things").all()) == [1, 2, 3]
    _one_commit(store, 4)
    assert sorted(t["n"] for t in Store(tmp_path).table("things").all()) == [1, 2, 3, 4]
    # Garbage in the middle is not a crash's doing: stop and say so.
    lines = journal.read_bytes().splitlines(keepends=True)
    journal.write_bytes(lines[0] + b"not json\n" + b"".join(lines[1:]))
    with pytest.raises(StoreError, match=f"{JOURNAL_NAME} is corrupt"):
        Store(tmp_path)


def test_files_are_private(tmp_path: Path) -> None:
    old = os.umask(0)
    try:
        d = tmp_path / "data"
        d.mkdir(mode=0o755)
        store = Store.open(d, compact_min_bytes=0, compact_ratio=0)
        _one_commit(store, 1)
        _one_commit(store, 2)
        store.compact_min_bytes, store.compact_ratio = 1 << 20, 1.0
        _one_commit(store, 3)
    finally:
        os.umask(old)
    assert stat.S_IMODE(d.stat().st_mode) == 0o700
    for name in (DB_NAME, DB_NAME + ".bak", JOURNAL_NAME):
        assert stat.S_IMODE((d / name).stat().st_mode) == 0o600, name
    lock_dir = tmp_path / "fresh"
    DataDirLock(lock_dir).acquire()
    assert stat.S_IMODE(lock_dir.stat().st_mode) == 0o700


def test_one_daemon_per_data_directory(tmp_path: Path) -> None:
    first = DataDirLock(tmp_path)
    first.acquire()
    with pytest.raises(StoreError, match=rf"another mailbot \(pid {os.getpid()}\) already runs on"):
        DataDirLock(tmp_path).acquire()
    first.release()
    again = DataDirLock(tmp_path)
    again.acquire()
    again.release()


def test_query_updates_journal_only_what_they_touch(tmp_path: Path) -> None:
    from tinydb import Query

    store = Store.open(tmp_path)
    with store.transaction():
        for n in range(200):
            store.table("things").insert({"n": n, "even": n % 2 == 0})
    size = (tmp_path / JOURNAL_NAME).stat().st_size
    with store.transaction():
        store.table("things").update({"seen": True}, Query().n == 7)
        store.table("things").remove(Query().n == 8)
    line = (tmp_path / JOURNAL_NAME).read_bytes()[size:]
    # Doc ids start at 1: n=7 is document 8 (updated), n=8 is document 9 (removed).
    changes = json.loads(line)["t"]["things"]
    assert set(changes) == {"8", "9"} and changes["9"] is None and changes["8"]["seen"] is True
    assert read_state(tmp_path)["things"]["8"]["seen"] is True and "9" not in read_state(tmp_path)["things"]
