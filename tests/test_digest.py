"""The weekly digest over a scripted month: 40 clients, 120 invoices, replies of every kind.

The script below writes receivables and events through the real Ledger and Store, and keeps its
own plain record of what happened (`Fact`: amounts, payment dates, closing date). Expected
figures are computed here from those facts by walking forward in time, never from the digest's
own helpers (which rebuild past balances backwards from the ledger), so a slip in either shows.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot.compose import Templates
from mailbot.digest import BUCKETS, DigestPolicy, build_digest, render_digest
from mailbot.ledger import Ledger
from mailbot.models import CANCELLED, CLOSED, OPEN, Receivable
from mailbot.store import Store

TZ = ZoneInfo("Europe/Paris")
TODAY = date(2027, 3, 2)  # a Tuesday
NOW = datetime.combine(TODAY, time(8, 30), TZ)
STAGES = (("friendly", 7), ("formal", 15), ("plan", 30), ("call", 45), ("notice", 60))
INTENTS = ("promise", "paid_claim", "dispute", "copy_request", "plan_request", "question", "other")
LANGS = ("fr", "en", "nl", "de")


@dataclass
class Fact:
    number: str
    client: int
    amount: Decimal
    currency: str
    issue: date
    due: date
    payments: list[tuple[date, Decimal]] = field(default_factory=list)
    closed: date | None = None
    cancelled: bool = False
    dispute: str | None = None
    promise: date | None = None
    call_pending: bool = False
    notice: date | None = None
    replied: bool = False


def at(d: date) -> str:
    # 07:00 local: an event of today is before the digest's 08:30 slot.
    return datetime.combine(d, time(7, 0), TZ).isoformat()


def scripted_month(store: Store, seed: int = 7) -> tuple[list[Fact], dict[int, str]]:
    """Write 120 invoices of 40 clients into `store`; return the script's own facts and phones."""
    rnd = random.Random(seed)
    led = Ledger(store)
    facts: list[Fact] = []
    phones: dict[int, str] = {}
    with store.transaction():
        for i in range(120):
            client = i % 40
            issue = TODAY - timedelta(days=rnd.randint(0, 200))
            due = issue + timedelta(days=rnd.choice((30, 45)))
            if i >= 110:  # the edges of every bucket, and of the DSO periods
                late = (0, 1, 30, 31, 60, 61, 90, 91, 120, 180)[i - 110]
                due = TODAY - timedelta(days=late)
                issue = TODAY - timedelta(days=89) if late == 0 else TODAY - timedelta(days=90) if late == 1 else due - timedelta(days=30)
            amount = Decimal(rnd.randint(10_000, 900_000)) / 100
            if i in (5, 77):
                amount = Decimal("12345.67")  # large
            f = Fact(f"F2027-{i + 1:03d}", client, amount, "USD" if i in (11, 12, 13) else "EUR", issue, due)
            r = Receivable(number=f.number, status=OPEN, client_email=f"billing@client{client:02d}.test",
                           client_name=f"Client {client:02d} SARL", amount=amount, amount_due=amount, currency=f.currency,
                           issue_date=issue, due_date=due, language=LANGS[client % 4],
                           registered_at=datetime.combine(issue, time(7, 0), TZ))
            led.add(r)
            led.event(r, "registered", r.registered_at, source="forward")
            fate = rnd.random() if i < 110 else 0.99
            end = TODAY
            if i in (118, 119):  # paid in part on, or closed on, the last day of the previous DSO period
                f.payments.append((TODAY - timedelta(days=90), (amount / 2).quantize(Decimal("0.01"))))
                if i == 119:
                    f.closed = TODAY - timedelta(days=90)
                    end = f.closed
            if fate < 0.35 and issue + timedelta(days=5) < TODAY:  # paid, sometimes after a partial payment
                closed = min(TODAY, issue + timedelta(days=rnd.randint(5, 140)))
                if rnd.random() < 0.3 and closed > issue + timedelta(days=2):
                    part = (amount / 3).quantize(Decimal("0.01"))
                    pay_day = issue + timedelta(days=rnd.randint(1, (closed - issue).days - 1))
                    f.payments.append((pay_day, part))
                f.closed = closed
                end = closed
            elif fate < 0.40:
                f.cancelled = True
                end = issue + timedelta(days=3)
            elif fate < 0.55:  # open with a partial payment
                pay_day = min(TODAY, issue + timedelta(days=rnd.randint(1, 60)))
                f.payments.append((pay_day, (amount / 4).quantize(Decimal("0.01"))))
            # Reminders while the file was open: in date order with the payments.
            timeline: list[tuple[date, str, object]] = [(d, "payment", a) for d, a in f.payments]
            for name, after in STAGES:
                day = due + timedelta(days=after)
                if day < end or (day == end and f.closed is None and not f.cancelled):
                    timeline.append((day, name, None))
            if f.closed:
                timeline.append((f.closed, "~closed", None))
            balance = amount
            for day, what, value in sorted(timeline, key=lambda t: (t[0], t[1])):
                when = datetime.fromisoformat(at(day))
                if what == "payment":
                    assert isinstance(value, Decimal)
                    balance -= value
                    r.amount_due = balance
                    led.save(r)
                    led.event(r, "payment", when, amount=str(value))
                elif what == "~closed":
                    led.close(r, when, "paid (owner)")  # the words the command handler writes
                elif what == "call":
                    r.last_stage = 3
                    led.save(r)
                    led.event(r, "call_task", when, stage="call")
                    f.call_pending = True
                else:
                    r.last_stage = [s for s, _ in STAGES].index(what)
                    r.last_reminder_at = when
                    led.save(r)
                    led.event(r, "reminder", when, stage=what, message_id=f"<reminder.{r.id}.{what}@firm.test>")
                    if what == "notice":
                        f.notice = day
            if f.cancelled:
                r.status = CANCELLED
                r.closed_at = datetime.fromisoformat(at(end))
                led.save(r)
                led.event(r, "cancelled", r.closed_at)
            if r.status == OPEN and due < TODAY and rnd.random() < 0.5:
                _client_answers(led, r, f, rnd)
            if f.call_pending and r.status == OPEN and rnd.random() < 0.4:
                # The owner called and noted it (with the phone number): the call is done.
                led.event(r, "note", NOW - timedelta(hours=20), text="called, tel +33 6 12 34 56 %02d, pays soon" % client)
                f.call_pending = False
                phones[client] = "+33 6 12 34 56 %02d" % client
            if r.status != OPEN:
                f.call_pending = False
            facts.append(f)
    return facts, phones


def _client_answers(led: Ledger, r: Receivable, f: Fact, rnd: random.Random) -> None:
    intent = rnd.choice(INTENTS + ("auto_reply", "bounce"))
    day = min(TODAY, f.due + timedelta(days=rnd.randint(1, 20)))
    when = datetime.fromisoformat(at(day))
    if intent == "auto_reply":
        led.event(r, "auto_reply", when, back_on=None)
        return
    if intent == "bounce":
        led.event(r, "bounce", when, address=r.client_email, hard=False, reason="mailbox full", status="4.2.2")
        return
    f.replied = True
    promised = None
    if intent == "promise":
        promised = TODAY + timedelta(days=rnd.randint(-15, 10))
        r.promise_date = promised
        f.promise = promised
    if intent == "dispute":
        r.dispute = rnd.choice(("goods returned", "price not agreed", "never delivered"))
        f.dispute = r.dispute
    led.save(r)
    led.event(r, "client_reply", when, intent=intent, date=str(promised) if promised else None, evidence="…",
              message_id=f"<reply.{r.id}@client.test>")


# -- the independent computations -------------------------------------------------------------

def balance(f: Fact, day: date) -> Decimal:
    """What the invoice owed at the end of `day`, walking forward from its issue."""
    if f.cancelled or f.issue > day or (f.closed is not None and f.closed <= day):
        return Decimal(0)
    return f.amount - sum((a for d, a in f.payments if d <= day), Decimal(0))


def expected_dso(facts: list[Fact], end: date) -> Decimal | None:
    start = end - timedelta(days=89)
    eur = [f for f in facts if f.currency == "EUR"]
    outstanding = sum((balance(f, end) for f in eur), Decimal(0))
    sales = sum((f.amount for f in eur if not f.cancelled and start <= f.issue <= end), Decimal(0))
    if not sales:
        return None
    return (outstanding * 90 / sales).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def expected_buckets(facts: list[Fact]) -> dict[str, tuple[Decimal, int]]:
    out: dict[str, tuple[Decimal, int]] = {k: (Decimal(0), 0) for k in BUCKETS}
    for f in facts:
        if f.currency != "EUR" or f.cancelled or f.closed is not None:
            continue
        late = (TODAY - f.due).days
        key = ("not_due" if late <= 0 else "1_30" if late <= 30 else "31_60" if late <= 60
               else "61_90" if late <= 90 else "over_90")
        amount, n = out[key]
        out[key] = (amount + balance(f, TODAY), n + 1)
    return out


# -- the tests ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def month(tmp_path_factory: pytest.TempPathFactory):
    store = Store.open(tmp_path_factory.mktemp("digest") / "data")
    facts, phones = scripted_month(store)
    digest = build_digest(Ledger(store).all(), store.table("events").all(), NOW, TZ, business="Atelier Dupont",
                          policy=DigestPolicy(large_amount=Decimal("10000")))
    return store, facts, phones, digest


def test_the_script_is_a_month_of_real_work(month) -> None:
    store, facts, phones, digest = month
    assert len(facts) == 120 and len({f.client for f in facts}) == 40
    kinds = {e["kind"] for e in store.table("events").all()}
    assert {"registered", "reminder", "call_task", "client_reply", "auto_reply", "bounce", "payment", "closed", "cancelled", "note"} <= kinds
    intents = {e.get("intent") for e in store.table("events").all() if e["kind"] == "client_reply"}
    assert set(INTENTS) <= intents
    assert sum(1 for f in facts if f.closed) > 20 and sum(1 for f in facts if f.dispute) >= 2


def test_outstanding_and_aged_balance_match_an_independent_count(month) -> None:
    _, facts, _, d = month
    expected = expected_buckets(facts)
    assert [(b.key, b.amount, b.count) for b in d.buckets] == [(k, *expected[k]) for k in BUCKETS]
    assert d.outstanding == sum((a for a, _ in expected.values()), Decimal(0))
    assert d.overdue == d.outstanding - expected["not_due"][0]
    assert d.currency == "EUR"
    usd = sum((balance(f, TODAY) for f in facts if f.currency == "USD"), Decimal(0))
    assert d.other_currencies == ({"USD": usd} if usd else {})


def test_dso_and_its_trend_match_exactly(month) -> None:
    _, facts, _, d = month
    assert d.dso.days == expected_dso(facts, TODAY)
    assert d.dso_previous.days == expected_dso(facts, TODAY - timedelta(days=90))
    assert d.dso.days is not None and d.dso_previous.days is not None
    assert d.dso_trend == d.dso.days - d.dso_previous.days
    assert (d.dso.start, d.dso.end) == (TODAY - timedelta(days=89), TODAY)


def test_this_week(month) -> None:
    store, facts, _, d = month
    week = [e for e in store.table("events").all() if TODAY - timedelta(days=6) <= date.fromisoformat(e["at"][:10]) <= TODAY]
    per_stage: dict[str, int] = defaultdict(int)
    for e in week:
        if e["kind"] == "reminder":
            per_stage[e["stage"]] += 1
    assert d.week.reminders == dict(sorted(per_stage.items()))
    by_number = {f.number: f for f in facts}
    cash = Decimal(0)
    for f in facts:
        cash += sum((a for day, a in f.payments if f.currency == "EUR" and TODAY - timedelta(days=6) <= day <= TODAY), Decimal(0))
        if f.closed and f.currency == "EUR" and TODAY - timedelta(days=6) <= f.closed <= TODAY:
            cash += f.amount - sum((a for day, a in f.payments if day <= f.closed), Decimal(0))
    assert d.week.cash == cash
    assert sorted(c.file.number for c in d.week.closed if c.why == "paid") == sorted(
        n for n, f in by_number.items() if f.closed and f.closed >= TODAY - timedelta(days=6))
    replies = defaultdict(int)
    for e in week:
        if e["kind"] == "client_reply":
            replies[e["intent"]] += 1
    assert d.week.replies == dict(sorted(replies.items()))


def test_promises_disputes_escalations(month) -> None:
    _, facts, _, d = month
    live = [f for f in facts if not f.cancelled and f.closed is None]
    assert sorted(x.file.number for x in d.disputes) == sorted(f.number for f in live if f.dispute)
    assert all(x.reason == next(f.dispute for f in facts if f.number == x.file.number) for x in d.disputes)
    broken = sorted(f.number for f in live if f.promise and f.promise < TODAY - timedelta(days=3))
    due = sorted(f.number for f in live if f.promise and TODAY - timedelta(days=3) <= f.promise <= TODAY + timedelta(days=6))
    assert sorted(p.file.number for p in d.promises_broken) == broken
    assert sorted(p.file.number for p in d.promises_due) == due
    assert sorted(x.file.number for x in d.escalations) == sorted(f.number for f in live if f.notice and not f.dispute)
    for x in d.escalations:
        assert x.deadline == x.notice_date + timedelta(days=8) and x.deadline_passed == (x.deadline < TODAY)


def test_calls_carry_numbers_phone_history_and_a_script_in_the_clients_language(month) -> None:
    _, facts, phones, d = month
    live = {f.number: f for f in facts if not f.cancelled and f.closed is None}
    pending = lambda f: f.promise is not None and f.promise >= TODAY - timedelta(days=3)  # noqa: E731
    expect_call_stage = {n for n, f in live.items() if f.call_pending and not f.dispute and not pending(f)}
    expect_large = {n for n, f in live.items() if f.amount - sum((a for _, a in f.payments), Decimal(0)) >= 10000
                    and f.due < TODAY and not f.dispute and not pending(f)}
    called = {f.number for c in d.calls for f in c.files}
    assert expect_call_stage | expect_large <= called
    assert any("silent" in c.reasons for c in d.calls)
    for c in d.calls:
        client = int(c.client.split()[1])
        assert c.language == LANGS[client % 4]
        assert c.phone == phones.get(client)
        for f in c.files:
            assert f.number in c.script
        greeting = {"fr": "Bonjour", "en": "Hello", "nl": "Goedendag", "de": "Guten Tag"}[c.language]
        assert c.script.startswith(greeting)
        assert c.history and c.history[0].day <= c.history[-1].day
        if "silent" in c.reasons:
            assert not any(f.replied for f in facts if f.client == client)


def test_chronic_late_payers(month) -> None:
    _, facts, _, d = month
    per_client: dict[int, list[Fact]] = defaultdict(list)
    for f in facts:
        if f.closed:
            per_client[f.client].append(f)
    expected = {}
    for client, paid in per_client.items():
        if len(paid) < 2:
            continue
        avg = Decimal(sum(max(0, (f.closed - f.due).days) for f in paid)) / len(paid)  # type: ignore[operator]
        if avg.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) >= 15:
            expected[f"Client {client:02d} SARL"] = avg.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert {p.client: p.average_days_late for p in d.late_payers} == expected
    assert expected, "the script should make at least one chronic late payer"


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_the_email_in_every_owner_language(month, lang: str) -> None:
    _, facts, _, d = month
    out = render_digest(d, Templates(), lang)
    for part in (out.subject, out.text, out.html):
        for leak in ("{{", "}}", "{%", "%}", "None", "Undefined", "[]"):
            assert leak not in part, f"{leak!r} leaks in {lang}"
    assert "\n\n\n" not in out.text and all(line == line.rstrip() for line in out.text.splitlines())
    # Every invoice the owner must act on appears in both parts.
    for number in [f.number for c in d.calls for f in c.files] + [x.file.number for x in d.disputes + d.escalations]:
        assert number in out.text and number in out.html
    # The chart: one bar per non-empty bucket, as a coloured table cell.
    assert len(re.findall(r'<td class="bar" width="\d+%" bgcolor="#[0-9a-f]{6}"', out.html)) == sum(1 for b in d.buckets if b.count)
    # Action lines in the text part carry an invoice number.
    action = out.text.split("\n\n")
    for block in action:
        lines = block.splitlines()
        if lines and lines[0] in _ACTION_HEADINGS[lang]:
            for line in lines[1:]:
                if line.strip() and not line.startswith("     ") and line.strip() not in _NONE[lang]:
                    assert re.search(r"F2027-\d{3}", line), f"no invoice number on {line!r}"


_ACTION_HEADINGS = {
    "en": {"PROMISES DUE THIS WEEK", "PROMISES BROKEN", "OPEN DISPUTES", "READY FOR ESCALATION (formal notice sent, still unpaid)", "CHRONIC LATE PAYERS"},
    "fr": {"PROMESSES À ÉCHÉANCE CETTE SEMAINE", "PROMESSES NON TENUES", "CONTESTATIONS EN COURS", "À TRANSMETTRE (mise en demeure envoyée, toujours impayé)", "RETARDATAIRES CHRONIQUES"},
    "nl": {"BELOFTES DEZE WEEK", "GEBROKEN BELOFTES", "OPEN BETWISTINGEN", "KLAAR VOOR DE VOLGENDE STAP (ingebrekestelling verstuurd, nog onbetaald)", "CHRONISCHE LAATBETALERS"},
    "de": {"ZUSAGEN DIESE WOCHE", "GEBROCHENE ZUSAGEN", "OFFENE EINWÄNDE", "BEREIT ZUR ÜBERGABE (Mahnung mit Fristsetzung gesendet, noch unbezahlt)", "CHRONISCHE SPÄTZAHLER"},
}
_NONE = {"en": {"none"}, "fr": {"néant"}, "nl": {"geen"}, "de": {"keine"}}


def test_an_empty_ledger_gives_a_calm_digest(tmp_path: Path) -> None:
    d = build_digest([], [], NOW, TZ, business="Atelier Dupont")
    assert d.outstanding == 0 and d.dso.days is None and d.calls == []
    out = render_digest(d, Templates(), "fr")
    assert "rien de facturé" in out.text and "None" not in out.html
