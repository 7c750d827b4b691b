"""Outgoing mail on real servers: 4xx retried with backoff until a deadline, 5xx failed at once
(owner told, address marked), a connection cut after DATA, a crash in `sending`, TLS refused."""

from __future__ import annotations

import ssl
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import imapclient
import pytest

from mailbot.config import Endpoint
from mailbot.errors import SendError
from mailbot.outbox import FAILED, PLANNED, SENT
from mailbot.sender import SmtpSender
from tests.support.dovecot import PASSWORD
from tests.support.harness import CLIENT, FIELDS_BODY, OWNER, Harness, forward
from tests.support.smtp_sink import SmtpSink, self_signed_context

pytestmark = pytest.mark.integration


class _Crash(BaseException):
    """The process dies here (kill -9): no except clause runs, nothing is cleaned up."""


def _entries(h: Harness, kind_prefix: str = "") -> list[dict]:
    return [e for e in h.store.table("outbox").all() if e["kind"].startswith(kind_prefix)]


def _copies(h: Harness, message_id: str) -> int:
    return sum(1 for m in h.sink.messages if str(m.msg["Message-ID"]) == message_id)


def _file_in_sent(h: Harness):
    """What Gmail does: every SMTP submission also lands in the account's Sent folder."""

    def hook(raw: bytes) -> None:
        c = imapclient.IMAPClient("127.0.0.1", port=h.dovecot.port, ssl=False)
        try:
            c.login(h.user, PASSWORD)
            c.append(h.daemon.mailbox.sent_folder, raw)
        finally:
            c.logout()

    return hook


def test_4xx_is_retried_with_growing_pauses_and_sent_once(harness: Harness) -> None:
    h = harness
    h.sink.handler.fail_with = ["451 4.3.0 Temporary local problem", "421 4.3.2 Service shutting down"]
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    [note] = _entries(h, "note:")
    assert note["state"] == PLANNED and "451" in note["error"] and note["next_try"] > h.clock.now().isoformat()
    h.step()  # too early: no new attempt before the pause is over
    assert len(h.sink.handler.fail_with) == 1 and _entries(h, "note:")[0]["attempts"] == 1
    first_pause = datetime.fromisoformat(note["next_try"]) - h.clock.now()
    h.clock.advance(minutes=1)
    h.step()
    [note] = _entries(h, "note:")
    assert note["state"] == PLANNED and "421" in note["error"] and note["attempts"] == 2
    second_pause = datetime.fromisoformat(note["next_try"]) - h.clock.now()
    assert second_pause > first_pause, "the pauses grow"
    h.clock.advance(seconds=second_pause.total_seconds() - 1)
    h.step()
    assert _entries(h, "note:")[0]["state"] == PLANNED
    h.clock.advance(seconds=1)
    h.step()
    [note] = _entries(h, "note:")
    assert note["state"] == SENT and _copies(h, note["message_id"]) == 1


def test_4xx_until_the_deadline_fails_and_tells_the_owner_without_marking_the_address(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    h.sink.handler.fail_rcpt[CLIENT] = "451 4.7.1 Greylisted, try again later"
    h.days(21)  # the first reminder is due on 12-22
    [reminder] = _entries(h, "reminder")
    assert reminder["state"] == PLANNED and reminder["attempts"] >= 1
    for _ in range(50):  # hourly for two days and a bit
        h.clock.advance(hours=1)
        h.step()
    [reminder] = _entries(h, "reminder")
    assert reminder["state"] == FAILED and "451" in reminder["error"]
    assert h.sink.to(CLIENT) == []
    told = [m.msg for m in h.sink.to(OWNER) if reminder["subject"] in m.msg.get_body(("plain",)).get_content()]
    assert len(told) == 1
    assert h.ledger.bad_addresses() == set(), "a temporary refusal says nothing about the address"


def test_550_fails_at_once_tells_the_owner_and_marks_the_address(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    h.sink.handler.fail_rcpt[CLIENT] = "550 5.1.1 <billing@acme.test>: Recipient address rejected: User unknown"
    h.days(21)
    [reminder] = _entries(h, "reminder")
    assert reminder["state"] == FAILED and reminder["attempts"] == 1 and "550" in reminder["error"]
    assert h.ledger.bad_addresses() == {CLIENT}
    told = [m.msg for m in h.sink.to(OWNER) if CLIENT in m.msg.get_body(("plain",)).get_content()]
    assert len(told) == 1
    h.days(20)  # the next stage is not sent to an address known to be wrong
    assert h.sink.to(CLIENT) == [] and len(_entries(h, "reminder")) == 1


@pytest.mark.parametrize("provider_files_in_sent", [True, False], ids=["files-in-sent", "no-sent-copy"])
def test_connection_cut_after_data_resends_only_when_sent_does_not_show_it(harness: Harness, provider_files_in_sent: bool) -> None:
    h = harness
    if provider_files_in_sent:
        h.sink.handler.on_accept = _file_in_sent(h)
    h.sink.handler.drop_after_data = 1
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    [note] = _entries(h, "note:")
    assert note["state"] == PLANNED and note["check_sent"] is True and "may have been accepted" in note["error"]
    assert _copies(h, note["message_id"]) == 1  # the server kept it; the client never heard the 250
    h.clock.advance(minutes=5)
    h.step()
    [note] = _entries(h, "note:")
    assert note["state"] == SENT
    if provider_files_in_sent:
        assert _copies(h, note["message_id"]) == 1, "found in Sent: never sent twice"
        assert note["attempts"] == 1
    else:
        # Nothing tells us the server kept it: a reminder lost is worse than one sent twice.
        assert _copies(h, note["message_id"]) == 2 and note["attempts"] == 2


class _Sender:
    def __init__(self, real, *, crash_before: bool = False, crash_after: bool = False):
        self.real, self.crash_before, self.crash_after = real, crash_before, crash_after

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> None:
        if self.crash_before:
            raise _Crash()
        self.real.send(raw, sender, recipients)
        if self.crash_after:
            raise _Crash()


@pytest.mark.parametrize(
    "moment,provider_files_in_sent,copies",
    [("before-smtp", False, 1), ("after-250", True, 1), ("after-250", False, 2)],
    ids=["crash-before-smtp", "crash-after-250-found-in-sent", "crash-after-250-the-window"],
)
def test_a_crash_in_sending_is_resolved_by_looking_in_sent(harness: Harness, moment: str, provider_files_in_sent: bool,
                                                            copies: int) -> None:
    h = harness
    if provider_files_in_sent:
        h.sink.handler.on_accept = _file_in_sent(h)
    h.daemon.sender = _Sender(h.daemon.sender, crash_before=moment == "before-smtp", crash_after=moment == "after-250")
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    with pytest.raises(_Crash):
        h.step()
    h.restart()  # a new process: the store is read back from disk
    [note] = _entries(h, "note:")
    assert note["state"] == "sending"
    h.step()
    h.step()
    [note] = _entries(h, "note:")
    assert note["state"] == SENT
    assert _copies(h, note["message_id"]) == copies
    assert len(h.ledger.all()) == 1 and h.folder("INBOX") == []


# -- TLS: refused certificates are an error, never a reason to talk in clear text ----------------

def _endpoint(port: int, tls: str) -> Endpoint:
    return Endpoint("SMTP", "127.0.0.1", port, "bot", tls, "password", "MAILBOT_SMTP_PASSWORD", "smtp-secret", True)


def _mail() -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"] = "bot@firm.test", OWNER, "tls", "<tls-1@firm.test>"
    m.set_content("hello")
    return m.as_bytes()


@pytest.fixture
def tls_sink(tmp_path: Path):
    sink = SmtpSink(tls_context=self_signed_context(tmp_path))
    sink.start()
    yield sink, tmp_path / "cert.pem"
    sink.stop()


def test_an_untrusted_certificate_is_a_clear_error_and_nothing_leaves(tls_sink) -> None:
    sink, cert = tls_sink
    with pytest.raises(SendError) as err:
        SmtpSender(_endpoint(sink.port, "starttls"), timeout=10).send(_mail(), "bot@firm.test", [OWNER])
    text = str(err.value)
    assert "TLS failed" in text and "certificate" in text.lower() and "never falls back" in text
    assert not err.value.permanent and not err.value.ambiguous
    assert sink.messages == []
    # The same server is fine once its certificate is trusted: the failure was the trust, not the setup.
    SmtpSender(_endpoint(sink.port, "starttls"), cafile=str(cert), timeout=10).send(_mail(), "bot@firm.test", [OWNER])
    assert len(sink.messages) == 1


def test_a_server_without_starttls_is_refused_not_used_in_clear(smtp_sink: SmtpSink) -> None:
    with pytest.raises(SendError, match="TLS failed") as err:
        SmtpSender(_endpoint(smtp_sink.port, "starttls"), timeout=10).send(_mail(), "bot@firm.test", [OWNER])
    assert "STARTTLS" in str(err.value) or "starttls" in str(err.value).lower()
    assert smtp_sink.messages == []


def test_implicit_tls_to_a_plain_server_fails_clearly(smtp_sink: SmtpSink) -> None:
    with pytest.raises(SendError) as err:
        SmtpSender(_endpoint(smtp_sink.port, "implicit"), timeout=10).send(_mail(), "bot@firm.test", [OWNER])
    assert "TLS" in str(err.value) or "SSL" in str(err.value)
    assert smtp_sink.messages == []


def test_the_default_client_context_verifies_certificates() -> None:
    ctx = SmtpSender(_endpoint(25, "starttls"))._ssl_context()
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
