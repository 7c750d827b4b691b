"""A scripted month on the real servers (Dovecot + aiosmtpd), then the digest from the real store.

40 clients and 120 invoices are forwarded by the owner; days pass and reminders go out; clients
answer (promise, dispute, "already paid", copy request, out-of-office); the owner closes files and
records partial payments by email. The digest's aged balance and DSO are then checked against
the script's own bookkeeping (tests/test_digest.py `balance` and `expected_dso`, which walk
forward from what was forwarded and paid). Last, the digest is sent to the owner the way the
weekly slot will send it, and the owner's reply to it ("done …", "note …", "pause …", one per
line) is carried out.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from mailbot.digest import BUCKETS
from mailbot.handlers.base import Desk
from mailbot.models import CLOSED
from tests.support.harness import OWNER, TZ, Harness, forward, reply_to
from tests.test_digest import Fact, balance, expected_dso

pytestmark = pytest.mark.integration

LANGS = ("fr", "en", "nl")


def _today(h: Harness) -> date:
    return h.clock.now().astimezone(TZ).date()


def _latest_to(h: Harness, address: str):
    got = [m.msg for m in h.sink.to(address)]
    return got[-1] if got else None


def test_a_scripted_month_on_real_servers_gives_exact_figures(harness: Harness) -> None:
    h = harness
    rnd = random.Random(11)
    start = _today(h)  # 2026-12-01
    facts: dict[str, Fact] = {}
    for i in range(120):
        client = i % 40
        issue = start - timedelta(days=rnd.randint(0, 120))
        due = issue + timedelta(days=30)
        amount = Decimal(rnd.randint(5_000, 500_000)) / 100
        number = f"F26-{i + 1:03d}"
        facts[number] = Fact(number, client, amount, "EUR", issue, due)
        body = (f"invoice: {number}\nclient: Client {client:02d} <ap@client{client:02d}.test>\n"
                f"amount: {amount} EUR\nissued: {issue.isoformat()}\ndue: {due.isoformat()}\nlanguage: {LANGS[client % 3]}\n")
        h.deliver(forward(f"Fwd: Facture {number}", body))
    h.step()
    assert len(h.ledger.open()) == 120

    owner_commands = {
        3: [f"done {n}" for n in ("F26-001", "F26-002", "F26-003")],
        9: ["paid F26-004 100", "done F26-005"],
        17: [f"done {n}" for n in ("F26-006", "F26-007", "F26-008", "F26-009")],
        25: ["done F26-010", "paid F26-011 250"],
    }
    client_replies = {
        5: (1, "Bonjour, nous paierons le 20/12/2026. Cordialement"),
        8: (2, "We dispute this invoice: the goods were never delivered."),
        12: (4, "Hello, we already paid this invoice last week."),
        15: (7, "Could you send us a copy of the invoice please?"),
    }
    for day in range(1, 30):
        h.clock.advance(days=1)
        today = _today(h)
        for line in owner_commands.get(day, []):
            h.deliver(forward("commands", line + "\n"))
            number = line.split()[1]
            if line.startswith("paid"):
                facts[number].payments.append((today, Decimal(line.split()[2])))
            else:
                facts[number].closed = today
        if day in client_replies:
            client, text = client_replies[day]
            reminder = _latest_to(h, f"ap@client{client:02d}.test")
            if reminder is not None:
                h.deliver(reply_to(reminder, text, sender=f"ap@client{client:02d}.test"))
        h.step()

    # Every command did what the script says (else the expected figures below would be wrong).
    for number, f in facts.items():
        [r] = h.ledger.find_number(number, statuses=("open", "closed"))
        assert (r.status == CLOSED) == (f.closed is not None), number
        assert r.amount_due == (f.amount - sum((a for _, a in f.payments), Decimal(0))) or f.closed, number

    from mailbot.cli_owner import digest_now

    assert h.store is not None
    d = digest_now(h.store, h.rules, h.settings, h.clock.now(), large_amount=Decimal("4000"))
    today = _today(h)
    open_facts = [f for f in facts.values() if f.closed is None]
    expected = {k: Decimal(0) for k in BUCKETS}
    for f in open_facts:
        late = (today - f.due).days
        key = "not_due" if late <= 0 else "1_30" if late <= 30 else "31_60" if late <= 60 else "61_90" if late <= 90 else "over_90"
        expected[key] += balance(f, today)
    assert {b.key: b.amount for b in d.buckets} == expected
    assert d.outstanding == sum(expected.values(), Decimal(0))
    assert d.dso.days == expected_dso(list(facts.values()), today)
    assert d.dso_previous.days == expected_dso(list(facts.values()), today - timedelta(days=90))
    # The week (days 23 to 29): one close and one partial payment; the closes of day 17 are older.
    assert [c.file.number for c in d.week.closed] == ["F26-010"]
    assert d.week.cash == facts["F26-010"].amount + Decimal(250)
    events = h.store.table("events").all()
    week_reminders = [e for e in events if e["kind"] == "reminder" and datetime.fromisoformat(e["at"]) > d.week.start]
    assert sum(d.week.reminders.values()) == len(week_reminders) > 0
    disputed = {r.number for r in h.ledger.open() if r.dispute}
    assert {x.file.number for x in d.disputes} == disputed
    assert any(f.number in disputed for f in open_facts if f.client == 2), "the clear dispute was understood"

    # The weekly slot (wiring pending) plans it as an owner note; the owner answers with commands.
    from mailbot.digest import digest_context

    with h.store.transaction():
        desk = Desk(h.settings, h.rules, h.store, h.daemon.templates, h.clock.now(), incoming_key=f"digest:{today}")
        desk.note_owner("digest", digest_context(d, h.rules.business.language))
    h.step()
    digest_mail = _latest_to(h, OWNER)
    assert digest_mail is not None and "Weekly digest" in str(digest_mail["Subject"])
    text = digest_mail.get_body(("plain",)).get_content()
    assert "AGED BALANCE" in text and "F26-" in text
    targets = sorted(f.number for f in open_facts if f.number not in disputed)[:3]
    h.deliver(reply_to(digest_mail, f"done {targets[0]}\nnote {targets[1]}: called, pays Friday\n"
                                    f"pause {targets[2]} until 2027-02-15", sender=OWNER))
    h.step()
    [closed] = h.ledger.find_number(targets[0], statuses=("closed",))
    assert closed.status == CLOSED
    assert any(e["kind"] == "note" and "pays Friday" in e["text"] for e in h.ledger.history(h.ledger.find_number(targets[1])[0].id))
    assert h.ledger.find_number(targets[2])[0].paused_until == date(2027, 2, 15)
    answer = _latest_to(h, OWNER).get_body(("plain",)).get_content()
    assert all(t in answer for t in targets)
    # And the next digest counts that close as cash of this week.
    d2 = digest_now(h.store, h.rules, h.settings, h.clock.now())
    assert targets[0] in {c.file.number for c in d2.week.closed}
    assert d2.outstanding == d.outstanding - balance(facts[targets[0]], today)
