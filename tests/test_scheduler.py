"""The scheduler, case by case: one row per rule, with the instant and the expected outcome."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mailbot.models import CLOSED, OPEN, Receivable
from mailbot.rules import load_rules
from mailbot.scheduler import ClientFacts, FirstDay, Waiting, client_facts, clients_due_today, commit, due_reminders
from mailbot.segments import Paid

PARIS = ZoneInfo("Europe/Paris")
RULES = load_rules()  # Tue-Thu 09:00-11:30, FR calendar, gap 5
WINDOW = RULES.window("Europe/Paris")
DUE = date(2026, 3, 3)  # a Tuesday


def at(d: date, hh: int = 9, mm: int = 30) -> datetime:
    return datetime(d.year, d.month, d.day, hh, mm, tzinfo=PARIS)


def rec(rid: int = 1, client: str = "a@client.test", due: date = DUE, **kw) -> Receivable:
    base = dict(id=rid, number=f"F{rid}", status=OPEN, client_email=client, amount_due=Decimal("100.00"), due_date=due)
    return Receivable(**(base | kw))


def run(files, now, facts=None, bad=frozenset()):
    facts = facts if facts is not None else {"a@client.test": ClientFacts(history=[])}
    return due_reminders(files, RULES, now, window=WINDOW, bad_addresses=bad, facts=facts)


@pytest.mark.parametrize(
    "now, stage",
    [
        (at(DUE - timedelta(days=3)), None),                  # Sat: the courtesy waits for the window
        (at(DUE), "courtesy"),                                # Tue, the due date itself: courtesy (missed Sat)
        (at(DUE + timedelta(days=7)), "friendly"),            # new client: friendly moved 2 days earlier, Tue +7
        (at(DUE + timedelta(days=7), 8, 59), None),           # before the window opens
        (at(DUE + timedelta(days=7), 11, 30), None),          # the window is half-open: 11:30 is out
        (at(DUE + timedelta(days=6)), None),                  # Monday: not in Tue-Thu
        (at(date(2026, 5, 14)), None),                        # Ascension Thursday (FR holiday)
        (at(DUE + timedelta(days=58)), "notice"),             # registered very late: straight to the last stage
    ],
)
def test_when(now: datetime, stage: str | None) -> None:
    dues = run([rec()], now)
    assert (dues[0].items[0].stage.name if dues else None) == stage


def test_dst_morning_is_still_nine_oclock() -> None:
    # 2026-03-29 clocks go forward in Paris; Tue 31 March 09:00 local is 07:00 UTC, not 08:00.
    utc = datetime(2026, 3, 31, 7, 0, tzinfo=ZoneInfo("UTC"))
    assert run([rec(due=date(2026, 3, 20))], utc)
    assert not run([rec(due=date(2026, 3, 20))], utc - timedelta(minutes=1))


@pytest.mark.parametrize(
    "change, blocked",
    [
        ({"status": CLOSED}, True), ({"status": "cancelled"}, True), ({"dispute": "price"}, True),
        ({"paused_until": DUE + timedelta(days=20)}, True), ({"paused_until": DUE + timedelta(days=14)}, False),
        ({"client_email": None}, True), ({"promise_date": DUE + timedelta(days=12)}, True),
        ({"promise_date": DUE + timedelta(days=10)}, False),  # 10 + 3 days of grace < 14: promise not kept
    ],
)
def test_what_blocks_a_file(change: dict, blocked: bool) -> None:
    dues = run([rec(**change)], at(DUE + timedelta(days=14)))
    assert (dues == []) is blocked
    if not blocked and "promise_date" in change:
        assert dues[0].template == "promise_broken"


def test_bounced_address_gets_nothing() -> None:
    assert run([rec()], at(DUE + timedelta(days=14)), bad={"a@client.test"}) == []


def test_one_email_per_client_lists_every_late_invoice() -> None:
    files = [rec(1, due=DUE - timedelta(days=20), last_stage=2), rec(2), rec(3, due=DUE + timedelta(days=30)),
             rec(4, client="b@other.test")]
    [a, b] = run(files, at(DUE + timedelta(days=7)))
    assert a.client_email == "a@client.test" and b.client_email == "b@other.test"
    assert [(i.receivable.number, i.kind) for i in a.items] == [("F1", "listed"), ("F2", "stage")]
    # F1 already had the formal stage: the email listing it reads as formal, not as a first friendly word.
    assert a.template == "formal" and [r.number for r in a.in_email] == ["F1", "F2"]
    assert [i.receivable.number for i in a.emailed] == ["F2"]  # only F2 moves


def test_min_gap_is_per_client_across_files_even_closed_ones() -> None:
    old = rec(9, status=CLOSED, last_reminder_at=at(DUE + timedelta(days=5)), closed_at=at(DUE + timedelta(days=6)))
    now = at(DUE + timedelta(days=7))  # two days after the email about F9
    facts = client_facts([old, rec()])
    assert run([rec()], now, facts=facts) == []
    assert run([rec()], now + timedelta(days=7), facts=facts)  # Tue a week later: 9 days after


def test_call_and_postal_letter_do_not_wait_for_the_gap() -> None:
    # A new client: the call moves from +45 to +43; Thu +44 is two days after the last email.
    recent = at(DUE + timedelta(days=42))
    files = [rec(1, last_stage=3, last_reminder_at=recent)]
    [due] = run(files, at(DUE + timedelta(days=44)), facts={"a@client.test": ClientFacts(last_email_at=recent)})
    assert [i.stage.channel for i in due.calls] == ["call"] and due.emailed == []


def test_commit_records_the_dates_the_law_counts_from() -> None:
    r = rec(last_stage=4)
    now = at(DUE + timedelta(days=63))
    [due] = run([r], now)
    assert due.letters and due.emailed  # the notice goes to the owner, and by email to the client
    commit(due, now, now.date())
    assert (r.last_stage, r.formal_notice_date, r.first_reminder_date, r.last_reminder_at) == (5, now.date(), now.date(), now)


def test_segments_change_the_day() -> None:
    history = client_facts([rec(10 + i, status=CLOSED, due=DUE - timedelta(days=100 + 30 * i),
                                closed_at=at(DUE - timedelta(days=100 + 30 * i))) for i in range(3)])
    # Loyal (3 paid on time): no courtesy, friendly at +12 instead of +7.
    assert run([rec()], at(DUE), facts=history) == []
    assert run([rec()], at(DUE + timedelta(days=9)), facts=history) == []
    [due] = run([rec()], at(DUE + timedelta(days=14)), facts=history)
    assert due.items[0].stage.name == "friendly" and due.items[0].stage.after == 12


# What the tick's index asks: the first day anything can happen to a file. The default rules:
# courtesy -3, friendly 7, formal 15, plan 30, call 45, notice 60; new -2, loyal +5 (no courtesy),
# chronic -4; consumers skip the call; promise grace 3 days.
@pytest.mark.parametrize(
    "waiting, segment, b2c, first",
    [
        (Waiting(-1, DUE), None, None, DUE - timedelta(days=3)),                     # courtesy never moves
        (Waiting(-1, DUE), "loyal", False, DUE + timedelta(days=12)),                # loyal skips it: friendly 7+5
        (Waiting(0, DUE), None, None, DUE + timedelta(days=3)),                      # any kind: chronic's friendly 7-4
        (Waiting(0, DUE), "regular", False, DUE + timedelta(days=7)),                # a regular client's own day
        (Waiting(0, DUE), "new", False, DUE + timedelta(days=5)),
        (Waiting(3, DUE), "regular", False, DUE + timedelta(days=45)),               # the call
        (Waiting(3, DUE), "regular", True, DUE + timedelta(days=60)),                # a consumer skips it: the notice
        (Waiting(5, DUE), None, None, None),                                         # no stage left
        (Waiting(7, DUE), None, None, None),                                         # rules.yaml lost stages since
        (Waiting(5, DUE, promise_date=DUE + timedelta(days=20)), None, None, DUE + timedelta(days=24)),  # grace, then broken
        (Waiting(0, DUE, paused_until=DUE + timedelta(days=30)), "regular", False, DUE + timedelta(days=30)),
        (Waiting(0, DUE, paused_until=DUE), "regular", False, DUE + timedelta(days=7)),  # a pause already over
    ],
)
def test_first_day_is_the_day_a_file_can_move(waiting: Waiting, segment, b2c, first) -> None:
    assert FirstDay(RULES)(waiting, segment, b2c) == first


def test_the_first_day_is_when_due_reminders_acts() -> None:
    # The day before it nothing is due; on it, the stage moves (the lower bound is exact for its segment).
    history = [Paid(DUE - timedelta(days=90), DUE - timedelta(days=90)), Paid(DUE - timedelta(days=60), DUE - timedelta(days=60))]
    r = rec(last_stage=1)  # friendly sent; a regular client (two invoices paid on time, fewer than loyal's three)
    first = FirstDay(RULES)(Waiting(1, DUE), "regular", False)
    assert first == DUE + timedelta(days=15)
    facts = {"a@client.test": ClientFacts(history=history)}
    before = [d for d in run([r], at(first - timedelta(days=1)), facts=facts) if d.emailed]
    assert before == [] and run([r], at(first), facts=facts)[0].top_stage.name == "formal"
    assert clients_due_today({"a@client.test": [Waiting(1, DUE)]}, {"a@client.test": history}, RULES, first) == {"a@client.test"}
    assert clients_due_today({"a@client.test": [Waiting(1, DUE)]}, {"a@client.test": history}, RULES,
                             first - timedelta(days=1)) == set()
