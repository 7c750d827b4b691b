"""Drive a store through random steps (commits, aborts, compactions, reloads) and check an index
against a full scan after each: the shared body of the store-index and outbox-index properties."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mailbot.errors import StoreError
from mailbot.store import Store
from tests.test_store import FaultyDisk, _Died


class _Abort(Exception):
    pass


def drive(steps: list[tuple], compacting: bool, *, apply: Callable[[Store, tuple], None],
          check: Callable[[Store, str], None], groups: Callable[[Store], Any]) -> None:
    """Run `steps` ("commit"/"abort" with writes, "compact", anything else = reload); `check` the
    store inside and after each, and compare its `groups` with a fresh load from disk."""
    kw = {"compact_min_bytes": 0, "compact_ratio": 0.5} if compacting else {}
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        store = Store.open(d, **kw)
        check(store, "empty store")
        for i, s in enumerate(steps):
            if s[0] == "commit":
                with store.transaction():
                    for w in s[1]:
                        apply(store, w)
                        # A read inside the transaction sees the transaction's own writes.
                        check(store, f"step {i}: inside the transaction")
            elif s[0] == "abort":
                with pytest.raises(_Abort):
                    with store.transaction():
                        for w in s[1]:
                            apply(store, w)
                        check(store, f"step {i}: before the abort")
                        raise _Abort
            elif s[0] == "compact":
                store.compact()
            else:
                store = Store(d, **kw)
            check(store, f"step {i}: after {s[0]}")
            # The disk says the same: a fresh load (a full scan at start) gives the same groups.
            assert groups(Store(d)) == groups(store), f"step {i}: the index differs from a reload's"


def each_disk_call_fails(tmp_path: Path, compacting: bool, *, prepare: Callable[[Store], None],
                         commit: Callable[[Store], None], after_failure: Callable[[Store, Path, str], None],
                         after_death: Callable[[Store, Path, str], None]) -> None:
    """Make each disk call of `commit` fail in turn, on a store `prepare`d the same way each time.

    A failure (ENOSPC) must raise StoreError, then `after_failure(store, folder, label)` checks
    the store that stayed open; a death (the process killed at that call) leaves a folder that
    `after_death(reopened store, folder, label)` checks. Shared by the store-index and
    outbox-index tests: only what they check differs."""
    kw = {"compact_min_bytes": 0, "compact_ratio": 0} if compacting else {}

    def baseline(d: Path) -> Store:
        store = Store.open(d, **kw)
        prepare(store)
        return store

    probe = baseline(tmp_path / "probe")
    probe.disk = counting = FaultyDisk()
    commit(probe)
    assert counting.calls
    for k in range(1, len(counting.calls) + 1):
        d = tmp_path / f"fail{k}"
        store = baseline(d)
        store.disk = FaultyDisk(k, OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)))
        with pytest.raises(StoreError):
            commit(store)
        after_failure(store, d, f"call {k} failed")
        d = tmp_path / f"die{k}"
        store = baseline(d)
        store.disk = FaultyDisk(k, _Died())
        try:
            commit(store)
        except _Died:
            pass
        after_death(Store(d), d, f"death at call {k}")
