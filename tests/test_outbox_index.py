"""The outbox's indexes are derived data: after random plans, state changes, aborted transactions,
failed and killed commits, compactions and reloads, every lookup through them (planning's no-op
check, `Outbox.find`, the reminders' threading, what a flush sends and a recovery looks at)
answers what a scan of the whole outbox answers.

The outbox is the exactly-once record of what was sent, so the crash tests also check the two
ways an index could break it: a message whose commit failed must be planned again (an index that
still held it would make the re-plan a no-op: the email lost), and one that was committed must
stay a no-op after a reload (an index that forgot it would plan it twice)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.handlers.reminders import _thread_of
from mailbot.models import Receivable
from mailbot.outbox import FAILED, HELD, PLANNED, SENDING, SENT, Outbox
from mailbot.store import Disk, Store
from tests.support.store_steps import drive, each_disk_call_fails

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=timezone.utc)
MIDS = tuple(f"<reminder.{n}.ab12cd34@acme.test>" for n in range(12))
KINDS = ("reminder", "reminder", "copy", "note:received", "note:batch", "note:letter")
FILES = tuple(range(1, 9))


def message(mid: str, n: int = 0) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "bot@acme.test"
    msg["To"] = "ACME SARL <compta@client.test>"
    msg["Subject"] = f"Invoice F{n}"
    msg["Message-ID"] = mid
    msg.set_content(f"Reminder {n}\n")
    return msg


# -- what the outbox answered before its indexes: a scan of every entry, for each question ------


def scan_find(store: Store, message_ids: list[str]) -> list[int]:
    wanted = set(message_ids)
    return [e.doc_id for e in store.table("outbox").all() if e["message_id"] in wanted]


def scan_thread(store: Store, files: list[int]) -> list[str]:
    ids = set(files)
    entries = [e for e in store.table("outbox").all() if e["kind"] in ("reminder", "copy") and ids & set(e["receivables"])]
    return [e["message_id"] for e in sorted(entries, key=lambda e: e.doc_id)]


def scan_due(store: Store, now: datetime) -> list[int]:
    return sorted(e.doc_id for e in store.table("outbox").all()
                  if e["state"] == PLANNED and datetime.fromisoformat(e["next_try"]) <= now)


def scan_sending(store: Store) -> list[int]:
    return [e.doc_id for e in store.table("outbox").all() if e["state"] == SENDING]


Groups = dict[Any, list[int]]


def full_scan_groups(store: Store) -> tuple[Groups, Groups, Groups]:
    by_mid: Groups = {}
    by_file: Groups = {}
    unfinished: Groups = {}
    for e in store.table("outbox").all():
        by_mid.setdefault(e["message_id"], []).append(e.doc_id)
        if e["kind"] in ("reminder", "copy"):
            for rid in dict.fromkeys(e["receivables"]):
                by_file.setdefault(rid, []).append(e.doc_id)
        if e["state"] in (PLANNED, SENDING):
            unfinished.setdefault(e["state"], []).append(e.doc_id)
    return by_mid, by_file, unfinished


def indexed_groups(store: Store) -> tuple[Groups, Groups, Groups]:
    outbox = Outbox(store, "bot@acme.test")
    return outbox._by_message_id.groups(), outbox._client_mail_by_file.groups(), outbox._unfinished.groups()


def assert_lookups_are_a_full_scan(store: Store, where: str) -> None:
    assert indexed_groups(store) == full_scan_groups(store), where
    outbox = Outbox(store, "bot@acme.test")
    for mid in MIDS:
        assert [e.doc_id for e in outbox.find([mid])] == scan_find(store, [mid]), f"{where}: find({mid})"
    assert [e.doc_id for e in outbox.find(list(MIDS[::3]) + ["<unknown@x>"])] == scan_find(store, list(MIDS[::3])), where
    assert outbox.find([]) == []
    desk = SimpleNamespace(outbox=outbox)
    for files in ([f] for f in FILES):
        assert _thread_of(desk, [Receivable(id=f) for f in files]) == scan_thread(store, files), f"{where}: thread {files}"
    assert _thread_of(desk, [Receivable(id=f) for f in (2, 5, 7)]) == scan_thread(store, [2, 5, 7]), where
    for minutes in (-1, 0, 30, 90):
        now = NOW + timedelta(minutes=minutes)
        assert [e.doc_id for e in outbox.due(now)] == scan_due(store, now), f"{where}: due at {now}"
    assert [e.doc_id for e in outbox._entries(outbox._unfinished.ids(SENDING))] == scan_sending(store), where
    # Planning is a no-op for a Message-ID already in the outbox: never two entries for one.
    assert all(len(ids) == 1 for ids in full_scan_groups(store)[0].values()), f"{where}: a Message-ID planned twice"


# -- random plans and state changes ----------------------------------------------------------

plan = st.tuples(st.just("plan"), st.sampled_from(MIDS), st.sampled_from(KINDS),
                 st.lists(st.sampled_from(FILES), max_size=4), st.booleans())
state_change = st.tuples(st.just("state"), st.integers(0, 10**6), st.sampled_from([PLANNED, SENDING, SENT, FAILED, HELD]))
# Not what mailbot does to an entry today, but an index must follow any write (notices.py marks batches).
rewrite = st.tuples(st.just("rewrite"), st.integers(0, 10**6),
                    st.fixed_dictionaries({}, optional={"kind": st.sampled_from(KINDS),
                                                        "receivables": st.lists(st.sampled_from(FILES), max_size=3),
                                                        "batch": st.sampled_from(["waiting", "sent"])}))
remove = st.tuples(st.just("remove"), st.integers(0, 10**6))
write = st.one_of(plan, plan, state_change, rewrite, remove)

step = st.one_of(
    st.tuples(st.just("commit"), st.lists(write, min_size=1, max_size=6)),
    st.tuples(st.just("abort"), st.lists(write, min_size=1, max_size=6)),
    st.just(("compact",)),
    st.just(("reload",)),
)


def apply(store: Store, w: tuple) -> None:
    outbox = Outbox(store, "bot@acme.test")
    table = outbox.table
    ids = sorted(e.doc_id for e in table.all())
    if w[0] == "plan":
        _, mid, kind, files, hold = w
        before = len(table)
        known = bool(scan_find(store, [mid]))
        assert outbox.plan(message(mid), kind=kind, receivables=files, now=NOW, hold=hold) == mid
        assert len(table) == before + (0 if known else 1), f"plan({mid}) with known={known}"
    elif ids and w[0] == "state":
        # as a flush does: a new state, and for a retry the time of the next try
        table.update({"state": w[2], "attempts": 1, "next_try": (NOW + timedelta(minutes=w[1] % 120)).isoformat()},
                     doc_ids=[ids[w[1] % len(ids)]])
    elif ids and w[0] == "rewrite":
        table.update(w[2], doc_ids=[ids[w[1] % len(ids)]])
    elif ids and w[0] == "remove":
        table.remove(doc_ids=[ids[w[1] % len(ids)]])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, min_size=1, max_size=20), compacting=st.booleans())
def test_outbox_lookups_equal_a_full_scan_after_random_plans_aborts_compactions_and_reloads(steps, compacting) -> None:
    drive(steps, compacting, apply=apply, check=assert_lookups_are_a_full_scan, groups=indexed_groups)


def test_an_email_threads_under_the_earlier_client_mail_about_any_of_its_files(tmp_path: Path) -> None:
    store = Store.open(tmp_path)
    outbox = Outbox(store, "bot@acme.test")
    with store.transaction():
        outbox.plan(message(MIDS[0]), kind="reminder", receivables=[1], now=NOW)
        outbox.plan(message(MIDS[1]), kind="note:received", receivables=[1, 2], now=NOW)  # the owner's: not a thread
        outbox.plan(message(MIDS[2]), kind="copy", receivables=[2, 3], now=NOW)
        outbox.plan(message(MIDS[3]), kind="reminder", receivables=[4], now=NOW)
        outbox.plan(message(MIDS[4]), kind="reminder", receivables=[1, 2, 1], now=NOW)
    desk = SimpleNamespace(outbox=outbox)
    assert _thread_of(desk, [Receivable(id=1)]) == [MIDS[0], MIDS[4]]
    assert _thread_of(desk, [Receivable(id=2), Receivable(id=1)]) == [MIDS[0], MIDS[2], MIDS[4]]
    assert _thread_of(desk, [Receivable(id=9)]) == []
    assert [e["message_id"] for e in outbox.find([MIDS[3], MIDS[1], "<nope@x>"])] == [MIDS[1], MIDS[3]]


# -- failed and killed commits: exactly once survives them -------------------------------------


def _plan_and_send(store: Store, n: int) -> str:
    """One transaction as the tick and the flush make them: a reminder planned, an earlier one marked."""
    outbox = Outbox(store, "bot@acme.test")
    mid = MIDS[n]
    with store.transaction():
        outbox.plan(message(mid, n), kind="reminder", receivables=[n % 3 + 1, 7], now=NOW + timedelta(minutes=n))
        earlier = outbox.find([MIDS[n - 1]])
        if earlier:
            outbox.table.update({"state": SENDING, "attempts": 1}, doc_ids=[earlier[0].doc_id])
    return mid


@pytest.mark.parametrize("compacting", [False, True], ids=["journal-append", "snapshot-compaction"])
def test_a_failed_or_killed_commit_neither_loses_nor_doubles_a_planned_email(tmp_path: Path, compacting: bool) -> None:
    def prepare(store: Store) -> None:
        for n in range(1, 5):
            _plan_and_send(store, n)
        assert_lookups_are_a_full_scan(store, "baseline")  # builds the indexes before the failure

    def after_failure(store: Store, d: Path, label: str) -> None:
        # ENOSPC: the commit raised and the store reloaded what was committed (all of it when only
        # a step after the snapshot's rename failed); the indexes say what the disk says, and the
        # reminder is planned again for real at the next try unless it had reached the disk.
        assert_lookups_are_a_full_scan(store, label)
        on_disk = scan_find(Store(d), [MIDS[5]])
        assert [e.doc_id for e in Outbox(store, "x@acme.test").find([MIDS[5]])] == on_disk, label
        store.disk = Disk()
        _plan_and_send(store, 5)
        assert [e["state"] for e in Outbox(store, "x@acme.test").find([MIDS[5]])] == [PLANNED], f"{label}: not re-planned"
        assert_lookups_are_a_full_scan(Store(d), f"{label}, then planned again, then reloaded")

    def after_death(again: Store, d: Path, label: str) -> None:
        # Whatever reached the disk, the restarted store plans the reminder exactly once.
        assert_lookups_are_a_full_scan(again, label)
        _plan_and_send(again, 5)  # the daemon's next tick plans it again: a no-op if it was committed
        assert len(Outbox(again, "x@acme.test").find([MIDS[5]])) == 1, label
        assert_lookups_are_a_full_scan(Store(d), f"{label}, then planned again")

    each_disk_call_fails(tmp_path, compacting, prepare=prepare, commit=lambda store: _plan_and_send(store, 5),
                         after_failure=after_failure, after_death=after_death)
