"""Store write cost per event at 1k, 10k and 100k receivables: the journal against the
whole-file rewrite it replaced, and against the floor (one fsynced append of the same bytes).

    .venv/bin/python bench/bench_store.py [--sizes 1000,10000,100000] [--commits 100]

Each "event" is what the daemon commits for a typical message: one receivable updated and one
event inserted, in one transaction.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mailbot.store import Store, write_atomic  # noqa: E402


def receivable(n: int) -> dict:
    return {"number": f"F2026-{n:06d}", "client_email": f"billing@client{n % 997}.test", "client_name": f"Client {n % 997}",
            "amount": "1440.00", "amount_due": "1440.00", "currency": "EUR", "status": "open", "due_date": "2026-12-15",
            "issue_date": "2026-11-15", "last_stage": -1, "language": "fr", "missing": [], "registered_at": "2026-12-01T09:00:00+00:00",
            "source_message": f"<fwd-{n}@owner.test>", "paused_until": None, "promise_date": None, "dispute": None}


def seed(path: Path, n: int) -> Store:
    store = Store.open(path)
    with store.transaction():
        t, e = store.table("receivables"), store.table("events")
        for i in range(n):
            t.insert(receivable(i))
            e.insert({"receivable": i + 1, "kind": "registered", "at": "2026-12-01T09:00:00+00:00"})
    store.compact()
    return store


def one_event(store: Store, i: int, n: int) -> None:
    with store.transaction():
        rid = 1 + (i * 7919) % n
        store.table("receivables").update({"last_stage": i % 3, "last_reminder_at": f"2026-12-{1 + i % 28:02d}"}, doc_ids=[rid])
        store.table("events").insert({"receivable": rid, "kind": "reminder", "at": "2026-12-22T09:00:00+00:00", "stage": "friendly"})


def journal_ms(path: Path, n: int, commits: int) -> float:
    store = seed(path, n)
    t0 = time.perf_counter()
    for i in range(commits):
        one_event(store, i, n)
    return (time.perf_counter() - t0) * 1000 / commits


def rewrite_ms(path: Path, n: int, commits: int) -> float:
    """The former design: the whole state serialised, written, fsynced and renamed per commit."""
    store = seed(path, n)
    target = path / "whole.json"
    t0 = time.perf_counter()
    for i in range(commits):
        with store.transaction():
            rid = 1 + (i * 7919) % n
            store.table("receivables").update({"last_stage": i % 3}, doc_ids=[rid])
            store.table("events").insert({"receivable": rid, "kind": "reminder", "at": "2026-12-22T09:00:00+00:00"})
            data = json.dumps(store._storage.state, separators=(",", ":"), sort_keys=True).encode()  # noqa: SLF001
            write_atomic(target, data)
    return (time.perf_counter() - t0) * 1000 / commits


def floor_ms(path: Path, commits: int) -> float:
    """One fsynced append of a journal-sized line: what any durable commit must pay."""
    line = b'{"seq":1,"t":{"events":{"1":{"at":"2026-12-22T09:00:00+00:00","kind":"reminder","receivable":1}}}}\n' * 4
    fd = os.open(path / "floor", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    t0 = time.perf_counter()
    for _ in range(commits):
        os.write(fd, line)
        os.fsync(fd)
    os.close(fd)
    return (time.perf_counter() - t0) * 1000 / commits


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--commits", type=int, default=100)
    args = ap.parse_args()
    print(f"{'receivables':>12} {'floor ms':>9} {'journal ms':>11} {'rewrite ms':>11} {'rewrite/journal':>16} {'journal/floor':>14}")
    for n in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as d:
            root = Path(d)
            floor = statistics.median(floor_ms(root, args.commits) for _ in range(3))
            (root / "j").mkdir()
            journal = journal_ms(root / "j", n, args.commits)
            (root / "r").mkdir()
            rewrite = rewrite_ms(root / "r", n, max(5, args.commits // (1 + n // 5000)))
        print(f"{n:>12} {floor:>9.2f} {journal:>11.2f} {rewrite:>11.2f} {rewrite / journal:>15.1f}x {journal / floor:>13.1f}x")


if __name__ == "__main__":
    main()
