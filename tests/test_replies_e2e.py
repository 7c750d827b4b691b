"""What comes back after a reminder, end to end on Dovecot + aiosmtpd with days travelled.

Dates: the invoice (F2026-014, 1 440 EUR, due 2026-12-15) is registered on 2026-12-01; the
rules remind at due+7 (2026-12-22, friendly) and due+15 (2026-12-30, formal); a promise has
3 days of grace; a dispute stops reminders for at least 90 days.
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage

import pytest

from mailbot.models import OPEN
from tests.support.harness import CLIENT, FIELDS_BODY, OWNER, Harness, forward, reply_to

pytestmark = pytest.mark.integration


def notes(h: Harness) -> list[EmailMessage]:
    return [m.msg for m in h.sink.to(OWNER)]


def to_client(h: Harness, address: str = CLIENT) -> list[EmailMessage]:
    return [m.msg for m in h.sink.to(address)]


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


def first_reminder(h: Harness) -> EmailMessage:
    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY))
    h.step()
    h.days(21)  # 2026-12-22
    [reminder] = to_client(h)
    return reminder


def client_says(h: Harness, reminder: EmailMessage, text: str, sender: str = f"ACME <{CLIENT}>") -> EmailMessage:
    before = len(notes(h))
    h.deliver(reply_to(reminder, text, sender=sender))
    h.step()
    [relayed] = notes(h)[before:]
    return relayed


def the_file(h: Harness):
    [r] = [r for r in h.ledger.all() if r.number == "F2026-014"]
    return r


def days_until(h: Harness, day: date) -> None:
    while h.clock.now().date() < day:
        h.days(1)


def test_promise_pauses_then_a_promise_not_kept_follows(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    relayed = client_says(h, reminder, "Bonjour, nous paierons le 5 janvier 2027. Cordialement")
    r = the_file(h)
    assert (r.promise_date, r.paused_until) == (date(2027, 1, 5), date(2027, 1, 8))
    said = text_of(relayed)
    assert "a promise to pay on 2027-01-05" in said and "nous paierons le 5 janvier 2027" in said
    assert "promise 2027-01-05" in said  # the command that fits, with the promised date
    # The formal stage (2026-12-30) does not go while the promise runs, nor during the grace.
    days_until(h, date(2027, 1, 8))
    assert len(to_client(h)) == 1
    # Then the follow-up, at the first sending day after promise + grace (2027-01-09 is a Saturday).
    for _ in range(5):
        if len(to_client(h)) > 1:
            break
        h.days(1)
    assert len(to_client(h)) == 2 and h.clock.now().date() >= date(2027, 1, 9)
    follow = to_client(h)[-1]
    assert "F2026-014" in str(follow["Subject"]) and "January 2027" in str(follow["Subject"]) + text_of(follow)
    assert follow["In-Reply-To"] == reminder["Message-ID"]
    assert any(e["kind"] == "reminder" and e["stage"] == "promise_broken" for e in h.ledger.history(r.id))


def test_paid_claim_pauses_and_asks_the_owner_to_confirm(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    relayed = client_says(h, reminder, "We paid this invoice by bank transfer on 20 December.")
    r = the_file(h)
    assert r.status == OPEN and r.paused_until == date(2026, 12, 29)
    said = text_of(relayed)
    assert "says it has already paid on 2026-12-20" in said
    assert "reply 'done' if you received the payment" in said
    assert "done / paid 500 / resume" in said
    # The owner confirms: closed; nothing more goes to the client.
    h.deliver(reply_to(relayed, "done", sender=OWNER))
    h.step()
    h.days(30)
    assert the_file(h).status == "closed" and len(to_client(h)) == 1


def test_dispute_stops_reminders_for_90_days_and_tells_the_owner_why(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    relayed = client_says(h, reminder, "We dispute this invoice: the amount is wrong, we agreed on 1 200 EUR.")
    r = the_file(h)
    assert r.dispute and r.paused_until == date(2027, 3, 22)
    said = text_of(relayed)
    assert "disputes the invoice" in said and "the amount is wrong" in said
    assert "dispute resolved" in said
    h.days(90)
    assert len(to_client(h)) == 1
    # The owner settles it; reminders start again at the stage the file's age calls for.
    h.deliver(reply_to(relayed, "dispute resolved", sender=OWNER))
    h.step()
    assert the_file(h).dispute is None and len(to_client(h)) == 2


def test_copy_request_sends_the_invoice_and_tells_the_owner(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    relayed = client_says(h, reminder, "Could you send me a copy of the invoice please? I cannot find it.")
    copy = to_client(h)[-1]
    assert len(to_client(h)) == 2 and copy is not reminder
    assert "F2026-014" in text_of(copy) and copy["In-Reply-To"] is not None
    assert "asks for a copy of the invoice" in text_of(relayed) and "sent the invoice copy to the client" in text_of(relayed)


def test_plan_request_tells_the_owner_the_command_that_fits(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    relayed = client_says(h, reminder, "Could we pay this in three monthly instalments?")
    said = text_of(relayed)
    assert "asks to pay in instalments" in said and "plan 3x monthly" in said
    assert len(to_client(h)) == 1
    # The owner agrees by replying the suggested command: three instalment files appear.
    h.deliver(reply_to(relayed, "plan 3x monthly", sender=OWNER))
    h.step()
    assert sorted(r.number for r in h.ledger.all() if r.plan_of) == ["F2026-014 (1/3)", "F2026-014 (2/3)", "F2026-014 (3/3)"]


def test_an_unsure_reading_is_handed_to_the_owner_not_acted_on(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    relayed = client_says(h, reminder, "Interesting. Speak soon.")
    r = the_file(h)
    assert (r.promise_date, r.dispute, r.status) == (None, None, OPEN)
    said = text_of(relayed)
    assert "unsure" in said and "I did not act on my reading" in said
    assert "Interesting. Speak soon." in said
    assert relayed.get_payload()[-1].get_content_type() == "message/rfc822" or any(
        p.get_content_type() == "message/rfc822" for p in relayed.walk())


def out_of_office(reminder: EmailMessage, text: str, sender: str = CLIENT) -> EmailMessage:
    m = EmailMessage()
    m["From"] = sender
    m["To"] = "bot@firm.test"
    m["Subject"] = "Automatic reply: " + str(reminder["Subject"])
    m["Auto-Submitted"] = "auto-replied"
    m["In-Reply-To"] = str(reminder["Message-ID"])
    m.set_content(text)
    return m


def test_out_of_office_is_never_answered_and_delays_the_next_reminder(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    before = len(notes(h))
    h.deliver(out_of_office(reminder, "I am out of the office until 5 January 2027 with no access to email."))
    h.step()
    assert the_file(h).paused_until == date(2027, 1, 5)
    assert len(notes(h)) == before  # not relayed as a reply, never answered
    days_until(h, date(2027, 1, 4))
    assert len(to_client(h)) == 1  # the formal stage of 2026-12-30 waited
    h.days(1)  # 2027-01-05
    assert len(to_client(h)) == 2


def test_the_owners_own_out_of_office_does_not_delay_a_client(harness: Harness):
    h = harness
    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY))
    h.step()
    [registered] = notes(h)
    h.deliver(out_of_office(registered, "Je suis absent jusqu'au 15 février 2027.", sender=OWNER))
    h.step()
    assert the_file(h).paused_until is None
    h.days(21)
    assert len(to_client(h)) == 1


def bounce(original_id: str, recipient: str, status: str, diagnostic: str) -> bytes:
    return f"""From: Mail Delivery System <MAILER-DAEMON@mx.acme.test>
To: bot@firm.test
Subject: Undelivered Mail Returned to Sender
Auto-Submitted: auto-replied
Message-ID: <bounce-{status}@mx.acme.test>
Date: Tue, 22 Dec 2026 10:00:00 +0100
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BB"

--BB
Content-Type: text/plain

This is the mail system at host mx.acme.test. Your message could not be delivered.

--BB
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.test

Final-Recipient: rfc822; {recipient}
Action: failed
Status: {status}
Diagnostic-Code: smtp; {diagnostic}

--BB
Content-Type: text/rfc822-headers

From: Firm Compta <bot@firm.test>
To: {recipient}
Subject: Reminder
Message-ID: {original_id}

--BB--
""".replace("\n", "\r\n").encode()


def test_hard_bounce_stops_mail_to_the_address_until_the_owner_gives_a_new_one(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    h.deliver(bounce(str(reminder["Message-ID"]), CLIENT, "5.1.1", "550 5.1.1 <billing@acme.test>: User unknown"))
    h.step()
    assert CLIENT in h.ledger.bad_addresses()
    asked = notes(h)[-1]
    assert "Reminder bounced: billing@acme.test" in str(asked["Subject"])
    assert "client email new-address@example.com" in text_of(asked)
    h.days(20)  # the formal stage comes and goes: nothing to the dead address
    assert len(to_client(h)) == 1
    h.deliver(reply_to(asked, "client email compta@acme.test", sender=OWNER))
    h.step()
    assert the_file(h).client_email == "compta@acme.test"
    assert "client address is now compta@acme.test" in text_of(notes(h)[-1])
    h.days(1)
    [formal] = to_client(h, "compta@acme.test")
    assert "F2026-014" in text_of(formal)


def test_soft_bounce_is_only_noted(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    before = len(notes(h))
    h.deliver(bounce(str(reminder["Message-ID"]), CLIENT, "4.2.2", "452 4.2.2 Mailbox full"))
    h.step()
    assert CLIENT not in h.ledger.bad_addresses() and len(notes(h)) == before
    assert any(e["kind"] == "bounce" and e["hard"] is False for e in h.ledger.history(the_file(h).id))
    days_until(h, date(2026, 12, 30))
    assert len(to_client(h)) == 2  # the next stage still goes


def test_a_stranger_answering_an_owner_note_is_not_a_client_reply(harness: Harness):
    h = harness
    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY))
    h.step()
    [registered] = notes(h)
    h.deliver(reply_to(registered, "We will pay on 5 January 2027.", sender="mallory@evil.test"))
    h.step()
    r = the_file(h)
    assert (r.paused_until, r.promise_date) == (None, None)
    assert [str(m["Subject"]) for m in h.folder("mailbot/quarantine")] == ["Re: " + str(registered["Subject"])]


MODEL_ONLY_DISPUTE = "The boiler still leaks after your visit, so this bill can wait."


def test_a_dispute_only_the_model_understands_stops_reminders_too(harness: Harness):
    h = harness
    reminder = first_reminder(h)
    relayed = client_says(h, reminder, MODEL_ONLY_DISPUTE)
    r = the_file(h)
    assert r.dispute and r.paused_until == date(2027, 3, 22)
    assert "disputes the invoice" in text_of(relayed)
    h.days(60)
    assert len(to_client(h)) == 1


def test_without_the_model_the_same_reply_goes_to_the_owner_unread(harness: Harness, monkeypatch: pytest.MonkeyPatch):
    import mailbot.replies.intent as intent

    monkeypatch.setattr(intent, "load_model", lambda: None)
    h = harness
    reminder = first_reminder(h)
    client_says(h, reminder, MODEL_ONLY_DISPUTE)
    assert the_file(h).dispute is None  # the rules alone cannot read it: the model is what acts
