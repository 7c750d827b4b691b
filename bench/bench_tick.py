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

The store also holds an outbox of the size such a history leaves (`--emails-per-file`: the owner's
note when a file was registered, one reminder per stage it reached, a note when it closed), and
two more rows per tick measure what `plan_due_reminders` asks the outbox for each due client
before it plans (rendering left out): the thread (`_thread_of`: the earlier reminders and copies
about its files) and planning's no-op check (is this Message-ID already planned?).

- outbox scan: both questions answered as before the outbox indexes, by reading every entry
  once per due client; too slow to run for every client at 100k, so it runs on the first
  `--sample` due clients and the time is scaled to all of them (marked "scaled");
- outbox index: both through the outbox's indexes, for every due client (`Outbox.plan`'s check
  and `_thread_of` as the tick calls them). Both rows check they give the same threads.

And what every step of the daemon asks the outbox (`Outbox.due`, the flush's list of what to send),
as before (a search of every entry) and through the index of the entries planned or sending; then
what building the outbox's three indexes costs, once, when the store is opened.

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
from types import SimpleNamespace
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tinydb import Query  # noqa: E402

from mailbot.handlers.reminders import _thread_of, find_due  # noqa: E402
from mailbot.ledger import Ledger  # noqa: E402
from mailbot.models import CLOSED, Receivable  # noqa: E402
from mailbot.outbox import PLANNED, SENT, Outbox, make_message_id  # noqa: E402
from mailbot.rules import load_rules  # noqa: E402
from mailbot.scheduler import Due, client_facts, commit, due_reminders  # noqa: E402
from mailbot.simulation import generated_portfolio  # noqa: E402
from mailbot.store import Store  # noqa: E402

TODAY = date(2026, 3, 3)  # a Tuesday
DOMAIN = "acme.test"
# A short stand-in for the stored email: lookups never read it; real ones carry the QR image and
# the invoice (tens of KB), which weighs on the snapshot and the load, not on these rows.
RAW = ("From: ACME SARL <bot@acme.test>\r\nTo: compta@client.test\r\nSubject: Facture impayee\r\n"
       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + "Bonjour, la facture reste impayee.\r\n" * 12)


def outbox_history(docs: list[Any], per_file: int, token: str) -> list[dict[str, Any]]:
    """What a history of these files left in the outbox, `per_file` emails each or more: the owner's
    note when it was registered, a reminder per stage it reached, then (up to `per_file`) a note
    about a client's reply or a copy the client asked for, and a note when it closed."""
    out: list[dict[str, Any]] = []

    def entry(kind: str, mid: str, rid: int) -> None:
        state = PLANNED if len(out) % 200 == 0 else SENT  # a few still waiting for the next flush
        out.append({"message_id": f"<{mid}.{token}@{DOMAIN}>", "kind": kind, "receivables": [rid], "stage": None,
                    "to": ["compta@client.test"], "subject": "Facture", "state": state, "attempts": 1,
                    "created_at": "2026-01-05T09:00:00+01:00", "next_try": "2026-01-05T09:00:00+01:00", "raw": RAW,
                    "error": None, "in_sent_folder": True})

    for d in docs:
        rid = d.doc_id
        entry("note:received", f"note.{rid}", rid)
        stages = max(0, d.get("last_stage", -1) + 1)
        for s in range(stages):
            entry("reminder", f"reminder.{rid}s{s}", rid)
        for k in range(per_file - 1 - stages):
            entry(("note:client_reply", "copy")[k % 2], f"answer.{rid}.{k}", rid)
        if d["status"] == CLOSED:
            entry("note:closed", f"closed.{rid}", rid)
    return out


def old_thread_of(table: Any, files: list[Receivable]) -> list[str]:
    """`_thread_of` before the outbox indexes: every entry read for each due client."""
    ids = {r.id for r in files}
    entries = [e for e in table.all() if e["kind"] in ("reminder", "copy") and ids & set(e["receivables"])]
    return [e["message_id"] for e in sorted(entries, key=lambda e: e.doc_id)]


def old_due(table: Any, now: datetime) -> list[Any]:
    """`Outbox.due` before the outbox indexes: a search of every entry at each step."""
    q = Query()
    return sorted(table.search((q.state == PLANNED) & q.next_try.test(lambda t: datetime.fromisoformat(t) <= now)),
                  key=lambda e: e.doc_id)


def outbox_index_build(data_dir: Path, rounds: int) -> tuple[float, int]:
    """Best time and tracemalloc peak of building the outbox's indexes on a freshly opened store."""
    best, peak = float("inf"), 0
    for r in range(rounds + 1):
        outbox = Outbox(Store(data_dir), "bot@acme.test")
        gc.collect()
        if r == rounds:
            tracemalloc.start()
        t0 = time.perf_counter()
        outbox.find([])
        outbox.client_mail_about([])
        outbox.due(datetime.now().astimezone())
        if r == rounds:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
        else:
            best = min(best, time.perf_counter() - t0)
    return best, peak


def planned_message_ids(store: Store, dues: list[Due], today: date) -> list[tuple[list[Receivable], str]]:
    """(the files of each due client's email, its Message-ID), as `_plan_one` makes them."""
    out = []
    for due in dues:
        if due.emailed:
            key = "-".join(f"{i.receivable.id}s{i.stage.index if i.stage else 'p'}" for i in due.emailed)
            out.append((due.in_email, make_message_id(store, DOMAIN, "reminder", key,
                                                      today.isoformat() if due.template == "promise_broken" else "")))
    return out


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
    ap.add_argument("--emails-per-file", type=int, default=3, help="outbox entries per file, at least (default 3)")
    ap.add_argument("--sample", type=int, default=20, help="due clients the outbox scan runs on (default 20)")
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
            with store.transaction():
                store.table("outbox").insert_multiple(outbox_history(docs, args.emails_per_file, store.install_token))
            n_outbox = len(store.table("outbox"))
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

            outbox_table = store.table("outbox")

            def outbox_rows(label: str, dues: list[Due]) -> None:
                planned = planned_message_ids(store, dues, TODAY)
                sample = planned[:args.sample]
                scale = len(planned) / len(sample) if sample else 1.0

                def scan() -> list[tuple[list[str], bool]]:
                    # planning's no-op check as it was: the first entry with this Message-ID
                    return [(old_thread_of(outbox_table, files), outbox_table.get(Query().message_id == mid) is not None)
                            for files, mid in sample]

                def indexed() -> list[tuple[list[str], bool]]:
                    outbox = Outbox(store, "bot@acme.test")
                    by_mid = outbox._by_message_id  # what Outbox.plan asks first
                    desk = SimpleNamespace(outbox=outbox)
                    return [(_thread_of(desk, files), bool(by_mid.ids(mid))) for files, mid in planned]  # type: ignore[arg-type]

                t, m, before = measure(scan, 1)
                add(f"outbox scan{label}", t * scale, m, f"{len(planned)} due clients' threads and no-op checks over "
                    f"{n_outbox:,} emails (scaled from {len(sample)})", scan)
                t, m, after = measure(indexed, args.rounds)
                same = after[:len(sample)] == before  # type: ignore[index]
                threaded = sum(len(thread) for thread, _ in after)  # type: ignore[union-attr]
                add(f"outbox index{label}", t, m, f"{len(planned)} due clients, {threaded:,} earlier emails threaded"
                    + ("" if same else " (DIFFERENT from the scan)"), indexed)

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
            outbox_rows("", find_due(Ledger(store), rules, now, window))
            t, m, flushed = measure(lambda: old_due(outbox_table, now), args.rounds)
            add("flush scan", t, m, f"{len(flushed)} to send among {n_outbox:,} emails (each step)",
                lambda: old_due(outbox_table, now))
            t, m, got_due = measure(lambda: Outbox(store, "bot@acme.test").due(now), args.rounds)
            add("flush index", t, m, f"{len(got_due)} to send (each step)" + ("" if got_due == flushed else " (DIFFERENT)"),
                lambda: Outbox(store, "bot@acme.test").due(now))
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
            t, m = outbox_index_build(Path(tmp), args.rounds)
            unbuilt = Outbox(Store(Path(tmp)), "bot@acme.test")  # loaded here: the RSS rise is the indexes' alone
            add("outbox idx", t, m, f"building the outbox's three indexes over {n_outbox:,} emails (once, at start)",
                lambda: (unbuilt.find([]), unbuilt.client_mail_about([]), unbuilt.due(now)))
            print(f"{n_open:>10,} process RSS with the store in memory: {_status_kb('VmRSS') / 1024:.0f} MB; "
                  f"{len(table):,} records, {n_outbox:,} emails in the outbox")
            for name, t, m, what, grown in rows:
                print(f"{n_open:>10,} {name:<12} {t * 1000:>7.1f}ms {t / n_open * 1e6:>8.2f}us {m / 1e6:>8.1f}MB "
                      f"{grown / 1e6:>8.1f}MB {t / base_t:>11.1f}x  {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
