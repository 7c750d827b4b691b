"""Notes to the owner batched per hour (rules.yaml `notifications`), on the real servers."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.harness import CLIENT, FIELDS_BODY, OWNER, RULES_7_15, TZ, Harness, forward

pytestmark = pytest.mark.integration

HOURLY = RULES_7_15 + "notifications:\n  mode: hourly\n"


def _owner(h: Harness) -> list[EmailMessage]:
    return [m.msg for m in h.sink.to(OWNER)]


def _invoice(number: str) -> EmailMessage:
    return forward(f"Fwd: invoice {number}", FIELDS_BODY.replace("F2026-014", number))


def _client_writes(number: str) -> EmailMessage:
    m = EmailMessage()
    m["From"] = f"ACME <{CLIENT}>"
    m["To"] = "bot@firm.test"
    m["Subject"] = f"Invoice {number}"
    m.set_content(f"Hello, invoice {number} will be paid on 2026-12-20.\nRegards\n")
    return m


def test_hourly_notes_wait_for_one_batch_email_sent_once(dovecot, imap_user, smtp_sink, tmp_path: Path) -> None:
    h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "d", rules=HOURLY,
                start=datetime(2026, 12, 1, 9, 5, tzinfo=TZ))
    try:
        h.deliver(_invoice("F-101"))
        h.deliver(_invoice("F-102"))
        h.step()
        h.clock.set(datetime(2026, 12, 1, 9, 20, tzinfo=TZ))
        h.deliver(_invoice("F-103"))
        h.step()
        assert sorted(r.number for r in h.ledger.all()) == ["F-101", "F-102", "F-103"]
        assert _owner(h) == []  # registrations wait for the hour
        h.clock.set(datetime(2026, 12, 1, 9, 40, tzinfo=TZ))
        h.deliver(_client_writes("F-102"))
        h.deliver(forward("status", "status\n"))  # an answer to the owner's command never waits
        h.step()
        [status] = _owner(h)
        assert not str(status["Subject"]).startswith(("Registered", "Client"))
        h.clock.set(datetime(2026, 12, 1, 9, 59, tzinfo=TZ))
        h.step()
        assert len(_owner(h)) == 1
        h.clock.set(datetime(2026, 12, 1, 10, 0, 30, tzinfo=TZ))
        h.step()
        batch = _owner(h)[1]
        text = batch.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert str(batch["Subject"]).startswith("4 notes since 2026-12-01 09:05")
        for number in ("F-101", "F-102", "F-103"):
            assert f"Invoice {number}" in text and f"Registered: invoice {number}" in text
        # The client's reply (about all three of its files) is listed under the first, after its registration.
        assert (text.index("Registered: invoice F-101") < text.index("will be paid on 2026-12-20")
                < text.index("== Invoice F-102"))
        assert batch.get_body(("html",)) is not None
        assert text.count("\n--\n") == 1  # one footer: the held notes' own footers are left out
        # The client's own message travels with the batch, as it did with the single note.
        [original] = [p for p in batch.iter_attachments() if p.get_content_type() == "message/rfc822"]
        assert original.get_filename() == "F-101-message.eml"
        assert "will be paid on 2026-12-20" in original.get_content().get_body(("plain",)).get_content()
        # A restart, and the next hours: the batch is not sent again, and nothing else waits.
        h.restart()
        h.step()
        h.clock.set(datetime(2026, 12, 1, 11, 1, tzinfo=TZ))
        h.step()
        assert len(_owner(h)) == 2
        assert [m.msg["Message-ID"] for m in h.sink.to(OWNER)].count(batch["Message-ID"]) == 1
        # A note after the batch waits for the next one.
        h.deliver(_invoice("F-104"))
        h.step()
        assert len(_owner(h)) == 2
        h.clock.set(datetime(2026, 12, 1, 12, 0, tzinfo=TZ))
        h.step()
        [_, _, second] = _owner(h)
        assert "F-104" in second.get_body(("plain",)).get_content() and "F-101" not in str(second["Subject"])
    finally:
        h.close()


def test_immediate_mode_sends_each_note_threaded_per_file(harness: Harness) -> None:
    h = harness
    assert h.rules.notifications.mode == "immediate"
    h.deliver(_invoice("F-201"))
    h.step()
    [note] = _owner(h)
    assert str(note["Subject"]).startswith("Registered: invoice F-201")
    root = str(note["In-Reply-To"])
    assert root.startswith("<file.") and root in str(note["References"])
    h.deliver(_client_writes("F-201"))
    h.step()
    [_, reply] = _owner(h)
    assert root in str(reply["References"])  # the same file, the same thread
