"""The whole loop on real servers: Dovecot for IMAP, aiosmtpd for SMTP, time travelled by a clock."""

from __future__ import annotations

import pytest

from mailbot.models import CLOSED, OPEN
from tests.support.harness import BOT, CLIENT, FIELDS_BODY, OWNER, Harness, forward, reply_to

pytestmark = pytest.mark.integration


def _notes(h: Harness) -> list:
    return [m.msg for m in h.sink.to(OWNER)]


def _reminders(h: Harness) -> list:
    return [m.msg for m in h.sink.to(CLIENT)]


def test_forward_remind_reply_done(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY))
    h.step()

    # Registered, confirmed to the owner, and the forward moved out of INBOX after the commit.
    [r] = h.ledger.all()
    assert (r.number, r.status, r.client_email, str(r.amount_due)) == ("F2026-014", OPEN, CLIENT, "1440.00")
    [note] = _notes(h)
    text = note.get_body(("plain",)).get_content()
    assert "Registered invoice F2026-014 for ACME SARL" in text
    assert "first reminder planned for 2026-12-22 (friendly)" in text
    assert h.folder("INBOX") == []
    assert [str(m["Subject"]) for m in h.folder("mailbot/processed")] == ["Fwd: Facture F2026-014"]

    # Nothing before the first stage; reminder 1 at due+7.
    h.days(20)  # 2026-12-21
    assert _reminders(h) == []
    h.days(1)  # 2026-12-22
    [first] = _reminders(h)
    assert first["Auto-Submitted"] == "auto-generated"
    assert first["From"].addresses[0].addr_spec == BOT and first["From"].addresses[0].display_name == "Firm Compta"
    assert "F2026-014" in str(first["Subject"]) and first["In-Reply-To"] is None
    assert first.get_body(("html",)) is not None
    # Each sent reminder is also in the mailbox's Sent folder, for the owner's own mail client.
    assert any(str(m["Message-ID"]) == str(first["Message-ID"]) for m in h.folder("Sent"))

    # Reminder 2 at due+15, threaded under reminder 1.
    h.days(7)  # 12-29: due+14
    assert len(_reminders(h)) == 1
    h.days(1)  # 12-30: due+15
    second = _reminders(h)[1]
    assert second["In-Reply-To"] == first["Message-ID"]
    assert str(first["Message-ID"]) in str(second["References"])

    # The client replies: the file pauses and the owner gets the reply with the file's state.
    h.deliver(reply_to(second, "We will look into it and come back to you.", sender=f"ACME <{CLIENT}>"))
    h.step()
    [r] = h.ledger.all()
    assert r.paused_until is not None
    relayed = _notes(h)[-1]
    assert "Client replied" in str(relayed["Subject"])
    assert "We will look into it" in relayed.get_body(("plain",)).get_content()

    # The owner answers "done" to that note (quoted text ignored): closed, confirmed.
    h.deliver(reply_to(relayed, "Done, thanks", sender=OWNER))
    h.step()
    [r] = h.ledger.all()
    assert r.status == CLOSED
    assert "Closed F2026-014" in _notes(h)[-1].get_body(("plain",)).get_content()

    # 60 more days: nothing more to the client.
    before = len(_reminders(h))
    h.days(60)
    assert len(_reminders(h)) == before == 2
    assert h.folder("INBOX") == []


def test_restart_does_not_reregister_or_resend(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    h.clock.advance(days=21)
    h.step()
    assert len(_reminders(h)) == 1
    h.restart()
    h.step()
    h.clock.advance(hours=1)
    h.step()
    assert len(h.ledger.all()) == 1
    assert len(_reminders(h)) == 1
    assert len(_notes(h)) == 1


def test_the_same_forward_twice_is_not_registered_twice(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.deliver(forward("Fwd: invoice again", FIELDS_BODY))
    h.step()
    assert len(h.ledger.all()) == 1
    assert "Already registered" in str(_notes(h)[-1]["Subject"])


@pytest.mark.parametrize(
    "case",
    ["no_invoice", "broken_xml", "huge_attachment"],
)
def test_bad_input_is_quarantined_with_a_note(harness: Harness, case: str) -> None:
    h = harness
    if case == "no_invoice":
        msg = forward("Fwd: lunch on Friday?", "Are you free for lunch?\n", attachments=[("menu.pdf", "application/pdf", b"%PDF-1.4 broken")])
    elif case == "broken_xml":
        msg = forward("Fwd: e-invoice", "see attached", attachments=[("invoice.xml", "application/xml", b"<Invoice><cbc:ID>1</Inv")])
    else:
        msg = forward("Fwd: scan", "big scan", attachments=[("scan.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024))])
    h.deliver(msg)
    h.step()
    assert h.ledger.all() == [] or all(r.status != OPEN for r in h.ledger.all())
    assert [str(m["Subject"]) for m in h.folder("mailbot/quarantine")] == [str(msg["Subject"])]
    [note] = _notes(h)
    assert "Could not handle" in str(note["Subject"])
    # The daemon keeps running: the next invoice is handled normally.
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    assert any(r.status == OPEN for r in h.ledger.all())


def test_stranger_cannot_close_a_file(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    note = _notes(h)[0]
    h.deliver(reply_to(note, "done", sender="mallory@evil.test"))
    h.step()
    assert h.ledger.all()[0].status == OPEN
