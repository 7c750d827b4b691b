"""The ledger's indexes are derived data: after random writes, aborted transactions, failed and
killed commits, compactions and reloads they equal a full scan of the stored documents; and the
reminder tick that reads through them (`find_due`) finds exactly what a full scan finds."""

from __future__ import annotations

import tempfile
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.handlers.reminders import find_due
from mailbot.ledger import INDEXES, Ledger
from mailbot.models import CANCELLED, CLOSED, DRAFT, OPEN, Receivable
from mailbot.rules import SEGMENTS, parse_rules
from mailbot.scheduler import Due, client_facts, commit, due_reminders
from mailbot.store import Disk, Store
from tests.test_scheduler_props import rules_text
from tests.support.store_steps import drive, each_disk_call_fails

START = date(2026, 3, 2)
ZONE_UTC = timezone.utc
CLIENTS = ("a@one.test", "A@One.test", "b@two.test", "c@three.test", "d@four.test", None, "")
TICK_CLIENTS = ("a@one.test", "A@One.test", "b@two.test", "c@three.test", "d@four.test", "e@five.test", "f@six.test",
                "g@seven.test")


def full_scan(store: Store) -> dict[str, dict[Any, list[int]]]:
    """What each index must hold: its key over every stored document, grouped, computed afresh."""
    docs = {d.doc_id: dict(d) for d in store.table("receivables").all()}
    out: dict[str, dict[Any, list[int]]] = {}
    for name, key in INDEXES.items():
        groups: dict[Any, list[int]] = {}
        for rid in sorted(docs):
            k = key(docs[rid])
            if k is not None:
                groups.setdefault(k, []).append(rid)
        out[name] = groups
    return out


def indexed(store: Store) -> dict[str, dict[Any, list[int]]]:
    ledger = Ledger(store)
    return {name: ledger.index(name).groups() for name in INDEXES}


def assert_index_is_a_full_scan(store: Store, where: str) -> None:
    assert indexed(store) == full_scan(store), where


# -- random documents and writes ------------------------------------------------------------

days = st.integers(-60, 60).map(lambda n: START + timedelta(days=n))
maybe_day = st.one_of(st.none(), days)


@st.composite
def receivable_doc(draw) -> dict[str, Any]:
    r = Receivable(
        number=f"F{draw(st.integers(1, 999))}",
        status=draw(st.sampled_from([OPEN, OPEN, OPEN, CLOSED, CANCELLED, DRAFT, "under_plan"])),
        client_email=draw(st.sampled_from(CLIENTS)),
        amount=Decimal("100.00"), amount_due=Decimal("100.00"),
        due_date=draw(st.one_of(days, days, st.none())),
        last_stage=draw(st.integers(-1, 6)),
        promise_date=draw(st.one_of(st.none(), st.none(), days)),
        paused_until=draw(st.one_of(st.none(), st.none(), days)),
        dispute=draw(st.sampled_from([None, None, None, "not ordered"])),
        b2c=draw(st.booleans()),
        segment_override=draw(st.sampled_from([None, None, None, *SEGMENTS])),
        last_reminder_at=draw(st.one_of(st.none(), days.map(lambda d: datetime.combine(d, time(9), tzinfo=ZONE_UTC))))
    )
    if r.status == CLOSED and draw(st.booleans()):
        r.closed_at = datetime.combine(draw(days), time(10), tzinfo=ZONE_UTC)
    return r.to_doc()


FIELDS = {
    "status": st.sampled_from([OPEN, CLOSED, CANCELLED, DRAFT]),
    "client_email": st.sampled_from(CLIENTS),
    "due_date": maybe_day.map(lambda d: d and d.isoformat()),
    "last_stage": st.integers(-1, 6),
    "promise_date": maybe_day.map(lambda d: d and d.isoformat()),
    "paused_until": maybe_day.map(lambda d: d and d.isoformat()),
    "dispute": st.sampled_from([None, "wrong amount"]),
    "b2c": st.booleans(),
    "segment_override": st.sampled_from([None, *SEGMENTS]),
    "closed_at": st.one_of(st.none(), days.map(lambda d: datetime.combine(d, time(10), tzinfo=ZONE_UTC).isoformat())),
}

write = st.one_of(
    st.tuples(st.just("insert"), receivable_doc()),
    st.tuples(st.just("update"), st.integers(0, 10**6), st.fixed_dictionaries({}, optional=FIELDS)),
    st.tuples(st.just("remove"), st.integers(0, 10**6)),
)

step = st.one_of(
    st.tuples(st.just("commit"), st.lists(write, min_size=1, max_size=6)),
    st.tuples(st.just("abort"), st.lists(write, min_size=1, max_size=6)),
    st.just(("compact",)),
    st.just(("reload",)),
)


def apply(store: Store, w: tuple) -> None:
    table = store.table("receivables")
    ids = sorted(d.doc_id for d in table.all())
    if w[0] == "insert":
        table.insert(w[1])
    elif ids and w[0] == "update":
        table.update(w[2], doc_ids=[ids[w[1] % len(ids)]])
    elif ids and w[0] == "remove":
        table.remove(doc_ids=[ids[w[1] % len(ids)]])


class _Abort(Exception):
    pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=25), compacting=st.booleans())
def test_the_indexes_equal_a_full_scan_after_random_writes_aborts_compactions_and_reloads(steps, compacting) -> None:
    drive(steps, compacting, apply=apply, check=assert_index_is_a_full_scan, groups=indexed)


def test_a_read_inside_a_transaction_sees_its_writes_and_an_abort_forgets_them(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    ledger = Ledger(store)
    with store.transaction():
        kept = ledger.add(Receivable(number="F1", status=OPEN, client_email="Kept@Client.test", due_date=START))
    assert [r.id for r in ledger.for_client("kept@client.test")] == [kept.id]
    with pytest.raises(_Abort):
        with store.transaction():
            gone = ledger.add(Receivable(number="F2", status=OPEN, client_email="kept@client.test", due_date=START))
            kept.status = CLOSED
            ledger.save(kept)
            assert [r.id for r in ledger.for_client("KEPT@client.test")] == [gone.id]
            raise _Abort
    assert [r.id for r in ledger.for_client("kept@client.test")] == [kept.id]
    assert_index_is_a_full_scan(store, "after the abort")


def _portfolio_commit(store: Store, n: int) -> None:
    """One transaction as the tick makes it: a file moves a stage, another is registered."""
    ledger = Ledger(store)
    with store.transaction():
        files = ledger.all()
        if files:
            r = files[n % len(files)]
            r.last_stage += 1
            r.status = CLOSED if n % 3 == 0 else OPEN
            r.closed_at = datetime.combine(START, time(10), tzinfo=timezone.utc) if r.status == CLOSED else None
            ledger.save(r)
        ledger.add(Receivable(number=f"F{n}", status=OPEN, client_email=f"c{n % 4}@x.test", due_date=START + timedelta(days=n)))


@pytest.mark.parametrize("compacting", [False, True], ids=["journal-append", "snapshot-compaction"])
def test_a_failed_or_killed_commit_leaves_indexes_equal_to_the_committed_state(tmp_path: Path, compacting: bool) -> None:
    def prepare(store: Store) -> None:
        for n in range(1, 6):
            _portfolio_commit(store, n)
        assert_index_is_a_full_scan(store, "baseline")  # builds the indexes before the failure

    def after_failure(store: Store, d: Path, label: str) -> None:
        # ENOSPC: the commit raised, the store reloaded what was committed, and so did the indexes.
        assert_index_is_a_full_scan(store, label)
        assert indexed(store) == indexed(Store(d)), f"{label}: memory and disk disagree"
        store.disk = Disk()
        _portfolio_commit(store, 7)
        assert_index_is_a_full_scan(store, f"{label}, then a commit")

    def after_death(again: Store, d: Path, label: str) -> None:
        # Whatever reached the disk, the restarted store's indexes are its full scan.
        assert_index_is_a_full_scan(again, label)
        _portfolio_commit(again, 7)
        assert_index_is_a_full_scan(again, f"{label}, then a commit")

    each_disk_call_fails(tmp_path, compacting, prepare=prepare, commit=lambda store: _portfolio_commit(store, 6),
                         after_failure=after_failure, after_death=after_death)


# -- the tick through the index finds what the full scan finds ------------------------------


def _shape(dues: list[Due]) -> list[tuple]:
    return [(d.client_email, [(i.receivable.id, i.stage.index if i.stage else None, i.kind) for i in d.items]) for d in dues]


@st.composite
def portfolio(draw) -> list[tuple[int, Receivable]]:
    """Files and the day each is registered (most on the first day, the others along the run)."""
    out: list[tuple[int, Receivable]] = []
    for _ in range(draw(st.integers(1, 30))):
        due = START + timedelta(days=draw(st.integers(-80, 20)))
        r = Receivable(
            number=f"F{len(out)}", status=draw(st.sampled_from([OPEN, OPEN, OPEN, CLOSED, CANCELLED])),
            client_email=draw(st.sampled_from(TICK_CLIENTS)), amount=Decimal("250.00"), amount_due=Decimal("250.00"),
            due_date=due, issue_date=due - timedelta(days=30), last_stage=draw(st.integers(-1, 4)),
            b2c=draw(st.booleans()), segment_override=draw(st.sampled_from([None, None, None, *SEGMENTS])),
            promise_date=draw(st.one_of(st.none(), st.none(), st.none(), days)),
            paused_until=draw(st.one_of(st.none(), st.none(), st.none(), days)),
            dispute=draw(st.sampled_from([None, None, None, None, "disputed"])),
        )
        if draw(st.booleans()):
            r.last_reminder_at = datetime.combine(START - timedelta(days=draw(st.integers(0, 20))), time(9), tzinfo=timezone.utc)
        if r.status == CLOSED:
            r.closed_at = datetime.combine(due + timedelta(days=draw(st.integers(-3, 40))), time(10), tzinfo=timezone.utc)
        out.append((draw(st.sampled_from([0, 0, 0, *range(1, 40)])), r))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=rules_text(), files=portfolio(), overrides=st.lists(st.tuples(st.sampled_from(TICK_CLIENTS),
       st.sampled_from([None, *SEGMENTS]), st.sampled_from([None, True, False])), max_size=2),
       bad=st.sets(st.sampled_from(TICK_CLIENTS), max_size=1), closing=st.lists(st.integers(0, 30), max_size=8),
       b2c_shift=st.integers(-6, 4))
def test_the_tick_through_the_index_finds_what_the_full_scan_finds(text, files, overrides, bad, closing, b2c_shift) -> None:
    # Consumers may be reminded earlier than businesses too: the lower bound must cover them.
    text = text.replace("b2c:\n  shift_days: 0", f"b2c:\n  shift_days: {b2c_shift}")
    clients = {}
    for email_addr, segment, b2c in overrides:
        fields_ = {k: v for k, v in (("segment", segment), ("b2c", b2c)) if v is not None}
        if fields_:
            clients[email_addr.lower()] = fields_
    if clients:
        text += "clients:\n" + "".join(
            f'  "{e}": {{{", ".join(f"{k}: {str(v).lower()}" for k, v in f.items())}}}\n' for e, f in clients.items())
    rules = parse_rules(text, "rules.yaml")
    window = rules.window("Europe/Paris")
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp))
        ledger = Ledger(store)
        with store.transaction():
            for a in bad:
                ledger.mark_bad_address(a, datetime(2026, 3, 1, tzinfo=timezone.utc), "550")
        # Day after day, at the window's opening and at its last minute, as the daemon would.
        for n in range(45):
            today = START + timedelta(days=n)
            arriving = [r for day, r in files if day == n]
            if arriving:
                with store.transaction():
                    for r in arriving:
                        ledger.add(r)
            for moment in (window.start, (datetime.combine(today, window.end) - timedelta(minutes=1)).time()):
                now = datetime.combine(today, moment, window.zone)
                every = ledger.all()
                expected = due_reminders([r for r in every if r.is_open], rules, now, window=window,
                                         bad_addresses=ledger.bad_addresses(), facts=client_facts(every))
                got = find_due(ledger, rules, now, window)
                assert _shape(got) == _shape(expected), f"{now}: the index missed or added a client"
                for due in got:
                    with store.transaction():
                        commit(due, now, today)
                        for i in due.items:
                            if i.kind != "listed":
                                ledger.save(i.receivable)
            if n in closing:  # a payment closes a file: the client's history and segment change
                open_files = ledger.open()
                if open_files:
                    with store.transaction():
                        ledger.close(open_files[n % len(open_files)], datetime.combine(today, time(12), tzinfo=timezone.utc),
                                     "paid")
        assert_index_is_a_full_scan(store, "after the run")
