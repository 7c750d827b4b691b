"""Loops and floods: the guard's decisions, on a real Store with a manual clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from mailbot.clock import ManualClock
from mailbot.errors import ConfigError
from mailbot.guard import Guard, GuardPolicy
from mailbot.rules import Policy
from mailbot.store import Store
from tests.fixtures.hostile.fakes import BOT, OWNER, TZ, fake_daemon

POLICY = GuardPolicy(max_auto_replies_per_day=3, flood_per_sender=20, flood_per_domain=60,
                     flood_window=timedelta(minutes=10), max_owner_notes_per_hour=20)


@pytest.fixture
def guard(tmp_path: Path) -> Guard:
    return Guard(Store.open(tmp_path / "data"), POLICY)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 12, 1, 9, 0, tzinfo=TZ))


def _admit(guard: Guard, sender: str | None, now: datetime, route: str = "unknown"):
    with guard.store.transaction():
        return guard.admit(sender, route, now)


# -- floods --------------------------------------------------------------------------------------
def test_a_flood_from_one_sender_is_quarantined_and_told_once(guard: Guard, clock: ManualClock) -> None:
    decisions = []
    for _ in range(40):
        decisions.append(_admit(guard, "Spam@Evil.test", clock.now()))
        clock.advance(seconds=5)
    assert all(d.allowed and not d.quarantine for d in decisions[:20])
    flood = decisions[20:]
    assert all(not d.allowed and d.quarantine for d in flood)
    assert [d.notify_owner for d in flood].count(True) == 1 and flood[0].notify_owner
    assert flood[0].note_context() == {"kind": "flood", "sender": "spam@evil.test", "count": 21}
    assert flood[-1].count == 40 and "spam@evil.test" in flood[-1].reason


def test_the_flood_lasts_until_a_quiet_window_then_a_new_flood_is_told_again(guard: Guard, clock: ManualClock) -> None:
    for _ in range(21):
        _admit(guard, "spam@evil.test", clock.now())
    # Slow drip during the flood (one every 9 minutes): still the same flood, no new note.
    for _ in range(5):
        clock.advance(minutes=9)
        d = _admit(guard, "spam@evil.test", clock.now())
        assert not d.allowed and not d.notify_owner
    clock.advance(minutes=11)
    assert _admit(guard, "spam@evil.test", clock.now()).allowed
    notes = [_admit(guard, "spam@evil.test", clock.now()).notify_owner for _ in range(21)]
    assert notes.count(True) == 1


def test_a_steady_correspondent_is_not_a_flood(guard: Guard, clock: ManualClock) -> None:
    # 60 messages, one every 40 s: at most 15 in any 10 minutes.
    for _ in range(60):
        assert _admit(guard, "busy@client.test", clock.now(), "client_reply").allowed
        clock.advance(seconds=40)


def test_a_flood_from_one_domain_with_many_addresses(guard: Guard, clock: ManualClock) -> None:
    decisions = [_admit(guard, f"bot{i}@spam.test", clock.now()) for i in range(70)]
    assert all(d.allowed for d in decisions[:60])
    assert not any(d.allowed for d in decisions[60:])
    assert [d.notify_owner for d in decisions].count(True) == 1
    assert decisions[60].flooder == "@spam.test"
    # Another domain is not affected.
    assert _admit(guard, "someone@client.test", clock.now()).allowed


def test_authenticated_owner_mail_is_never_a_flood(guard: Guard, clock: ManualClock) -> None:
    for route in ("owner_forward", "owner_command") * 50:
        assert _admit(guard, OWNER, clock.now(), route).allowed


def test_bounces_and_auto_replies_count_too(guard: Guard, clock: ManualClock) -> None:
    """Backscatter is a flood as well: a daemon on a spoofed campaign gets hundreds of bounces."""
    decisions = [_admit(guard, "mailer-daemon@mx.test", clock.now(), "bounce") for _ in range(25)]
    assert decisions[20].notify_owner and not decisions[24].allowed


def test_no_sender_is_counted_as_one_sender(guard: Guard, clock: ManualClock) -> None:
    decisions = [_admit(guard, None, clock.now()) for _ in range(21)]
    assert not decisions[-1].allowed and decisions[-1].flooder == "(no sender)"


def test_the_record_stays_small_during_a_long_flood(guard: Guard, clock: ManualClock) -> None:
    for _ in range(2000):
        _admit(guard, "spam@evil.test", clock.now())
        clock.advance(seconds=1)
    docs = guard.store.table("guard").all()
    assert len(docs) == 2  # the sender and its domain
    assert all(len(d["times"]) <= 61 for d in docs)


def test_quiet_senders_are_forgotten(guard: Guard, clock: ManualClock) -> None:
    for i in range(100):
        _admit(guard, f"one-off{i}@x{i}.test", clock.now())
    clock.advance(minutes=11)
    _admit(guard, "late@client.test", clock.now())
    assert {d["key"] for d in guard.store.table("guard").all()} == {"late@client.test", "@client.test"}


def test_flood_state_survives_a_restart(tmp_path: Path, clock: ManualClock) -> None:
    g = Guard(Store.open(tmp_path / "d"), POLICY)
    for _ in range(21):
        _admit(g, "spam@evil.test", clock.now())
    again = Guard(Store.open(tmp_path / "d"), POLICY)
    d = _admit(again, "spam@evil.test", clock.now())
    assert not d.allowed and not d.notify_owner  # the owner was already told before the restart


def test_the_guard_writes_only_inside_a_transaction(guard: Guard, clock: ManualClock) -> None:
    with pytest.raises(RuntimeError, match="transaction"):
        guard.admit("a@b.test", "unknown", clock.now())


# -- automatic answers ---------------------------------------------------------------------------
def _reply(guard: Guard, who: str | None, now: datetime) -> bool:
    with guard.store.transaction():
        return guard.allow_auto_reply(who, now)


def test_at_most_n_automatic_answers_per_correspondent_per_day(guard: Guard, clock: ManualClock) -> None:
    assert [_reply(guard, "Client@Acme.test", clock.now()) for _ in range(5)] == [True, True, True, False, False]
    assert _reply(guard, "other@acme.test", clock.now())
    clock.advance(hours=23, minutes=59)
    assert not _reply(guard, "client@acme.test", clock.now())  # rolling 24 h, no midnight reset
    clock.advance(minutes=2)
    assert _reply(guard, "client@acme.test", clock.now())


def test_no_automatic_answer_without_a_single_address(guard: Guard, clock: ManualClock) -> None:
    assert not _reply(guard, None, clock.now()) and not _reply(guard, "", clock.now())


# -- notes to the owner --------------------------------------------------------------------------
def test_owner_notes_per_hour_are_capped_and_the_excess_summarised_once(guard: Guard, clock: ManualClock) -> None:
    allowed = []
    for i in range(26):
        with guard.store.transaction():
            allowed.append(guard.allow_owner_note(f"Could not handle: message {i}", clock.now()))
        clock.advance(seconds=30)
    assert allowed == [True] * 20 + [False] * 6
    with guard.store.transaction():
        assert guard.held_summary(clock.now()) is None  # the hour is still full
    clock.advance(minutes=50)
    with guard.store.transaction():
        summary = guard.held_summary(clock.now())
        assert summary is not None
        assert guard.allow_owner_note(summary.note_context()["title"], clock.now())
    assert summary.subjects == [f"Could not handle: message {i}" for i in range(20, 26)]
    assert summary.note_context()["title"].startswith("6 more notes held back")
    with guard.store.transaction():
        assert guard.held_summary(clock.now()) is None  # summarised once


def test_the_summary_renders_with_the_owner_template(guard: Guard, clock: ManualClock, tmp_path: Path) -> None:
    from mailbot.compose import Templates

    with guard.store.transaction():
        for i in range(21):
            guard.allow_owner_note(f"note {i}\r\nBcc: x@evil.test", clock.now())
    clock.advance(hours=1, seconds=1)
    with guard.store.transaction():
        summary = guard.held_summary(clock.now())
    assert summary is not None
    rendered = Templates().render("en/owner/result.j2", {"lang": "en", "business_name": "Firm", "commands_hint": "done"}
                                  | summary.note_context())
    assert "1 more notes held back" in rendered.subject
    assert "note 20 Bcc: x@evil.test" in rendered.text  # folded to one line when held


# -- policy --------------------------------------------------------------------------------------
def test_policy_defaults_and_environment() -> None:
    p = GuardPolicy.from_rules(Policy())
    assert (p.max_auto_replies_per_day, p.flood_per_sender, p.flood_per_domain, p.flood_window, p.max_owner_notes_per_hour) == (
        3, 20, 60, timedelta(minutes=10), 20)
    p = GuardPolicy.from_rules(Policy(max_auto_replies_per_day=1), {
        "MAILBOT_FLOOD_MESSAGES": "5", "MAILBOT_FLOOD_DOMAIN_MESSAGES": "9", "MAILBOT_FLOOD_MINUTES": "3",
        "MAILBOT_MAX_OWNER_NOTES_PER_HOUR": "7"})
    assert (p.max_auto_replies_per_day, p.flood_per_sender, p.flood_per_domain, p.flood_window, p.max_owner_notes_per_hour) == (
        1, 5, 9, timedelta(minutes=3), 7)
    with pytest.raises(ConfigError, match="MAILBOT_FLOOD_MESSAGES='lots' is not a whole number"):
        GuardPolicy.from_rules(Policy(), {"MAILBOT_FLOOD_MESSAGES": "lots"})
    with pytest.raises(ConfigError, match="MAILBOT_MAX_OWNER_NOTES_PER_HOUR='0' must be at least 1"):
        GuardPolicy.from_rules(Policy(), {"MAILBOT_MAX_OWNER_NOTES_PER_HOUR": "0"})


# -- the daemon never answers automatic mail (router + handlers, unit level) ---------------------
def _client_file(daemon) -> None:
    from mailbot.ledger import Ledger
    from mailbot.models import OPEN, Receivable
    from datetime import date
    from decimal import Decimal

    with daemon.store.transaction():
        Ledger(daemon.store).add(Receivable(number="F-1", status=OPEN, client_email="client@acme.test", amount=Decimal("10"),
                                            amount_due=Decimal("10"), due_date=date(2027, 1, 15), language="en"))


@pytest.mark.parametrize("headers", [
    {"Auto-Submitted": "auto-replied"},
    {"Auto-Submitted": "auto-generated"},
    {"X-Autoreply": "yes"},
    {"Precedence": "auto_reply"},
    {"Subject": "Out of Office: Re: invoice F-1"},
])
def test_an_automatic_message_from_a_client_is_never_answered(tmp_path: Path, headers: dict[str, str]) -> None:
    daemon = fake_daemon(tmp_path / "d")
    _client_file(daemon)
    msg = EmailMessage()
    msg["From"] = "client@acme.test"
    msg["To"] = BOT
    msg["Subject"] = headers.pop("Subject", "Re: invoice F-1")
    for k, v in headers.items():
        msg[k] = v
    msg["Message-ID"] = "<auto-1@acme.test>"
    # The words of a copy request, which a human sender would get an automatic answer to.
    msg.set_content("Please send me a copy of the invoice.\n")
    daemon.mailbox.add(msg.as_bytes())
    report = daemon.run_once()
    assert [h[1] for h in report.handled] == ["auto_reply"]
    assert daemon.sender.to("client@acme.test") == []


def test_the_same_copy_request_from_a_human_is_answered(tmp_path: Path) -> None:
    """The control for the test above: without the automatic marks, the client does get a copy."""
    daemon = fake_daemon(tmp_path / "d")
    _client_file(daemon)
    msg = EmailMessage()
    msg["From"] = "client@acme.test"
    msg["To"] = BOT
    msg["Subject"] = "Re: invoice F-1"
    msg["Message-ID"] = "<human-1@acme.test>"
    msg.set_content("Please send me a copy of the invoice.\n")
    daemon.mailbox.add(msg.as_bytes())
    report = daemon.run_once()
    assert [h[1] for h in report.handled] == ["client_reply"]
    assert len(daemon.sender.to("client@acme.test")) == 1


def test_mail_from_the_bot_itself_is_a_loop_and_never_answered(tmp_path: Path) -> None:
    daemon = fake_daemon(tmp_path / "d")
    msg = EmailMessage()
    msg["From"] = f"Firm Compta <{BOT.upper()}>"
    msg["To"] = BOT
    msg["Subject"] = "Reminder"
    msg.set_content("done")
    daemon.mailbox.add(msg.as_bytes())
    report = daemon.run_once()
    assert [h[1:] for h in report.handled] == [("loop", "quarantine")]
    assert daemon.sender.sent == []


# -- wiring: the daemon and the client handler call the guard ------------------------------------
def test_a_flood_through_the_daemon_is_quarantined_and_summarised_once(tmp_path: Path) -> None:
    daemon = fake_daemon(tmp_path / "d")
    _client_file(daemon)
    for i in range(30):
        msg = EmailMessage()
        msg["From"] = "client@acme.test"
        msg["To"] = BOT
        msg["Subject"] = f"question {i}"
        msg["Message-ID"] = f"<q{i}@acme.test>"
        msg.set_content("Could you call me about this?\n")
        daemon.mailbox.add(msg.as_bytes())
    daemon.run_once()
    notes = daemon.sender.to(OWNER)
    assert [str(m["Subject"]) for m in notes].count("Flood from client@acme.test quarantined") == 1
    assert sum(1 for _, folder in daemon.mailbox.filed if folder == "quarantine") == 10


def test_copy_requests_are_answered_at_most_n_times_a_day(tmp_path: Path) -> None:
    daemon = fake_daemon(tmp_path / "d")
    _client_file(daemon)
    for i in range(5):
        msg = EmailMessage()
        msg["From"] = "client@acme.test"
        msg["To"] = BOT
        msg["Subject"] = "Re: invoice F-1"
        msg["Message-ID"] = f"<copy{i}@acme.test>"
        msg.set_content("Please send me a copy of the invoice.\n")
        daemon.mailbox.add(msg.as_bytes())
        daemon.run_once()
        daemon.clock.advance(hours=1)
    assert len(daemon.sender.to("client@acme.test")) == 3


def test_unsolicited_owner_notes_past_the_hourly_cap_wait_for_the_next_batch(tmp_path: Path) -> None:
    # Client replies from five clients in one hour, with a cap of three notes an hour.
    daemon = fake_daemon(tmp_path / "d", env={"MAILBOT_MAX_OWNER_NOTES_PER_HOUR": "3"})
    from mailbot.ledger import Ledger
    from mailbot.models import OPEN, Receivable
    from datetime import date
    from decimal import Decimal

    with daemon.store.transaction():
        for i in range(5):
            Ledger(daemon.store).add(Receivable(number=f"F-{i}", status=OPEN, client_email=f"c{i}@acme{i}.test",
                                                amount=Decimal("10"), amount_due=Decimal("10"), due_date=date(2027, 1, 15),
                                                language="en"))
    for i in range(5):
        msg = EmailMessage()
        msg["From"] = f"c{i}@acme{i}.test"
        msg["To"] = BOT
        msg["Subject"] = "about the invoice"
        msg["Message-ID"] = f"<r{i}@acme{i}.test>"
        msg.set_content("We will look into it and come back to you.\n")
        daemon.mailbox.add(msg.as_bytes())
    def notes() -> list:  # the weekly digest may join in; it is not what is counted here
        return [m for m in daemon.sender.to(OWNER) if not str(m["Subject"]).startswith("Weekly digest")]

    daemon.run_once()
    assert [str(m["Subject"]) for m in notes()] == [f"Client replied: F-{i} (c{i}@acme{i}.test)" for i in range(3)]
    daemon.clock.advance(hours=1)
    daemon.run_once()
    assert len(notes()) == 4  # one batch email carries the two held notes
    batch = notes()[-1].get_body(("plain",)).get_content()
    assert "F-3" in batch and "F-4" in batch
