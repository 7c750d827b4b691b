"""One scheduler tick over 10,000 and 100,000 open receivables, beside a bare loop over the same records.

    .venv/bin/python bench/bench_tick.py [--sizes 10000 100000] [--rounds 3]

The records are stored the way the daemon stores them (a Store in a temporary data directory,
one document per receivable, plus each client's paid history). Three measurements per size:

- baseline: a bare loop over the stored documents that reads each one's due date and client;
- scheduler: `client_facts` + `due_reminders` on already-loaded receivables (the pure part);
- tick: what `plan_due_reminders` does before rendering: load every record as a `Receivable`,
  then the scheduler (the emails themselves are rendered per due client, not per record).

Time is the best of N rounds; peak memory is tracemalloc's peak during one round. The ratio is
against the bare loop.
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.ledger import Ledger  # noqa: E402
from mailbot.models import Receivable  # noqa: E402
from mailbot.rules import load_rules  # noqa: E402
from mailbot.scheduler import client_facts, due_reminders  # noqa: E402
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    rules = load_rules()
    window = rules.window("Europe/Paris")
    now = datetime.combine(TODAY, window.start, window.zone)
    print(f"{'open files':>10} {'what':<10} {'time':>9} {'per file':>10} {'peak mem':>10} {'x bare loop':>12}  result")
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

            def tick() -> int:
                every = [Receivable.from_doc(d, d.doc_id) for d in table.all()]
                facts = client_facts(every)
                return len(due_reminders([r for r in every if r.is_open], rules, now, window=window,
                                         bad_addresses=Ledger(store).bad_addresses(), facts=facts))

            base_t, base_m, late = measure(bare, args.rounds)
            rows = [("bare loop", base_t, base_m, f"{late} late files")]
            for name, fn in (("scheduler", scheduler), ("tick", tick)):
                t, m, due = measure(fn, args.rounds)
                rows.append((name, t, m, f"{due} clients due"))
            for name, t, m, what in rows:
                print(f"{n_open:>10,} {name:<10} {t * 1000:>7.1f}ms {t / n_open * 1e6:>8.2f}us {m / 1e6:>8.1f}MB "
                      f"{t / base_t:>11.1f}x  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
