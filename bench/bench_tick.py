"""One scheduler tick over 10,000 and 100,000 open receivables, beside a bare loop over the same records.

    .venv/bin/python bench/bench_tick.py [--sizes 10000 100000] [--rounds 3]

The records are stored the way the daemon stores them (a Store in a temporary data directory,
one document per receivable, plus each client's paid history). Four measurements per size:

- baseline: a bare loop over the stored documents that reads each one's due date and client;
- scheduler: `client_facts` + `due_reminders` on already-loaded receivables (the pure part);
- full scan: the tick as it was: load every record as a `Receivable`, then the scheduler;
- tick: what `plan_due_reminders` does before rendering (`find_due`): the ledger's index names
  the clients with a file past its first possible day, only their files are loaded, then the
  scheduler (the emails themselves are rendered per due client, not per record).

Every row checks that it found the same clients due as the full scan.

Time is the best of N rounds; peak memory is tracemalloc's peak during one round (the Python
objects the round allocates, not the store already in memory); RSS rise is how far the resident
memory of a forked child rose above what it held while running one round (Linux VmHWM). The ratio is against the bare
loop. `load` and `load+index` are what opening the store costs, once, without and with the indexes.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.handlers.reminders import find_due  # noqa: E402
from mailbot.ledger import Ledger  # noqa: E402
from mailbot.models import Receivable  # noqa: E402
from mailbot.rules import load_rules  # noqa: E402
from mailbot.scheduler import client_facts, commit, due_reminders  # noqa: E402
from mailbot.simulation import generated_portfolio  # noqa: E402
from mailbot.store import Store  # noqa: E402

TODAY = date(2026, 3, 3)  # a Tuesday


def measure(fn: Callable[[], object], rounds: int) -> tuple[float, int, object]:
    best = float("inf")
    result = None
    for _ in range(rounds):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    gc.collect()
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return best, peak, result


def rss_growth(fn: Callable[[], object]) -> int:
    """How far resident memory rises above what the process holds while `fn` runs once, in a
    forked child (Linux: clear_refs resets the high-water mark, VmHWM reads it)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        Path("/proc/self/clear_refs").write_text("5")
        before = _status_kb("VmRSS")
        fn()
        os.write(write, str((_status_kb("VmHWM") - before) * 1024).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as f:
        grown = int(f.read() or 0)
    os.waitpid(pid, 0)
    return grown


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rules = load_rules()
    window = rules.window("Europe/Paris")
    now = datetime.combine(TODAY, window.start, window.zone)
    print(f"{'open files':>10} {'what':<12} {'time':>9} {'per file':>10} {'peak mem':>10} {'RSS rise':>10} "
          f"{'x bare loop':>12}  result")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store.open(Path(tmp))
            with store.transaction():
                table = store.table("receivables")
                table.insert_multiple(r.to_doc() for r in generated_portfolio(n, TODAY, seed=7, rules=rules))
            docs = table.all()
            n_open = sum(1 for d in docs if d["status"] == "open")

            def bare() -> int:
                late = 0
                for d in docs:
                    if d["status"] == "open" and d["client_email"] and d["due_date"] < TODAY.isoformat():
                        late += 1
                return late

            loaded = Ledger(store).all()

            def scheduler() -> int:
                facts = client_facts(loaded)
                return len(due_reminders([r for r in loaded if r.is_open], rules, now, window=window, facts=facts))

            def full_scan() -> list[str]:
                every = [Receivable.from_doc(d, d.doc_id) for d in table.all()]
                facts = client_facts(every)
                return [d.client_email for d in due_reminders([r for r in every if r.is_open], rules, now, window=window,
                                                              bad_addresses=Ledger(store).bad_addresses(), facts=facts)]

            def tick() -> list[str]:
                return [d.client_email for d in find_due(Ledger(store), rules, now, window)]

            def load() -> int:
                return len(Store(Path(tmp)).table("receivables"))

            def load_and_index() -> int:
                # What the daemon pays once, when it opens the store: the load, then the indexes' one scan.
                return len(Ledger(Store(Path(tmp))).waiting(lambda w: True))

            base_t, base_m, late = measure(bare, args.rounds)
            rows: list[tuple[str, float, int, str, int]] = []

            def add(name: str, t: float, m: int, what: str, fn: Callable[[], object]) -> None:
                rows.append((name, t, m, what, rss_growth(fn)))

            add("bare loop", base_t, base_m, f"{late} late files", bare)
            t, m, due = measure(scheduler, args.rounds)
            add("scheduler", t, m, f"{due} clients due", scheduler)
            t, m, expected = measure(full_scan, args.rounds)
            add("full scan", t, m, f"{len(expected)} clients due", full_scan)
            t, m, got = measure(tick, args.rounds)
            add("tick", t, m, f"{len(got)} clients due" + ("" if got == expected else " (DIFFERENT from the full scan)"),
                         tick)
            # The next minute: the due reminders were planned (each file moved to its stage, as
            # `plan_due_reminders` commits them, without rendering), and the tick runs again.
            ledger = Ledger(store)
            for d in find_due(ledger, rules, now, window):
                with store.transaction():
                    commit(d, now, TODAY)
                    for item in d.items:
                        if item.kind != "listed":
                            ledger.save(item.receivable)
            now = now + timedelta(minutes=1)
            t, m, expected = measure(full_scan, args.rounds)
            add("full scan+1", t, m, f"{len(expected)} clients due, a minute later", full_scan)
            t, m, got = measure(tick, args.rounds)
            add("tick+1", t, m, f"{len(got)} clients due, a minute later"
                         + ("" if got == expected else " (DIFFERENT from the full scan)"), tick)
            now = now - timedelta(minutes=1)
            t, m, stored = measure(load, 1)
            add("load", t, m, f"{stored} records (once, at start)", load)
            t, m, waiting = measure(load_and_index, 1)
            add("load+index", t, m, f"{waiting} clients with an open file (once, at start)", load_and_index)
            print(f"{n_open:>10,} process RSS with the store in memory: {_status_kb('VmRSS') / 1024:.0f} MB")
            for name, t, m, what, grown in rows:
                print(f"{n_open:>10,} {name:<12} {t * 1000:>7.1f}ms {t / n_open * 1e6:>8.2f}us {m / 1e6:>8.1f}MB "
                      f"{grown / 1e6:>8.1f}MB {t / base_t:>11.1f}x  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
