"""Limits: safe defaults, each honoured end to end on real servers, each configurable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mailbot.config import load_settings
from mailbot.guard import GuardPolicy
from mailbot.intake import Limits
from mailbot.rules import Policy
from tests.support.harness import OWNER, Harness, forward

MB = 1024 * 1024


def test_defaults() -> None:
    s = load_settings({"MAILBOT_DATA_DIR": "/nonexistent"})
    assert (s.max_message_bytes, s.max_attachment_bytes) == (25 * MB, 15 * MB)
    limits = Limits()
    assert (limits.max_attachments, limits.max_pdf_pages, limits.parse_timeout_s, limits.max_attachment_bytes) == (20, 50, 20.0, 15 * MB)
    g = GuardPolicy.from_rules(Policy())
    assert (g.max_owner_notes_per_hour, g.max_auto_replies_per_day, g.flood_per_sender, g.flood_window) == (20, 3, 20, timedelta(minutes=10))
    assert (g.max_header_bytes, g.max_mime_parts, g.max_mime_depth) == (64 * 1024, 200, 20)


def test_each_limit_is_read_from_the_environment() -> None:
    s = load_settings({"MAILBOT_DATA_DIR": "/x", "MAILBOT_MAX_MESSAGE_MB": "2", "MAILBOT_MAX_ATTACHMENT_MB": "0.5"})
    assert (s.max_message_bytes, s.max_attachment_bytes) == (2 * MB, MB // 2)
    limits = Limits.from_env({"MAILBOT_MAX_ATTACHMENTS": "3", "MAILBOT_MAX_PDF_PAGES": "4", "MAILBOT_PARSE_TIMEOUT_S": "1.5"})
    assert (limits.max_attachments, limits.max_pdf_pages, limits.parse_timeout_s) == (3, 4, 1.5)
    g = GuardPolicy.from_rules(Policy(), {"MAILBOT_MAX_OWNER_NOTES_PER_HOUR": "2", "MAILBOT_MAX_HEADER_KB": "8",
                                          "MAILBOT_MAX_MIME_PARTS": "10", "MAILBOT_MAX_MIME_DEPTH": "4"})
    assert (g.max_owner_notes_per_hour, g.max_header_bytes, g.max_mime_parts, g.max_mime_depth) == (2, 8192, 10, 4)


def _notes(h: Harness) -> list[str]:
    return [str(m.msg["Subject"]) + "\n" + m.msg.get_body(("plain",)).get_content() for m in h.sink.to(OWNER)]


@pytest.mark.integration
def test_a_50_mb_message_is_quarantined_unread_with_a_note(harness: Harness) -> None:
    h = harness
    big = forward("Fwd: the big scan", "see attached",
                  attachments=[("scan.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * (37 * MB))])  # ~50 MB in base64
    raw = big.as_bytes()
    assert len(raw) > 50 * 1000 * 1000
    h.deliver(raw)
    report = h.step()
    assert [x[1:] for x in report.handled] == [("too_large", "quarantine")]
    assert [str(m["Subject"]) for m in h.folder("mailbot/quarantine")] == ["Fwd: the big scan"]
    [note] = _notes(h)
    assert "the limit is 25 MB (MAILBOT_MAX_MESSAGE_MB)" in note and "Fwd: the big scan" in note
    assert h.ledger.all() == []


@pytest.mark.integration
def test_more_than_20_attachments_are_rejected_with_a_clear_message(harness: Harness) -> None:
    h = harness
    files = [(f"invoice-{i}.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n") for i in range(21)]
    h.deliver(forward("Fwd: all my invoices", "here they are", attachments=files))
    h.step()
    [note] = _notes(h)
    assert "the message has 21 attachments; the limit is 20 (MAILBOT_MAX_ATTACHMENTS)" in note
    assert [str(m["Subject"]) for m in h.folder("mailbot/quarantine")] == ["Fwd: all my invoices"]


@pytest.mark.integration
def test_the_message_size_limit_is_configurable(dovecot, imap_user, smtp_sink, tmp_path) -> None:
    h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "d", env={"MAILBOT_MAX_MESSAGE_MB": "1"})
    try:
        h.deliver(forward("Fwd: 2 MB", "x", attachments=[("a.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * (2 * MB))]))
        report = h.step()
        assert [x[1:] for x in report.handled] == [("too_large", "quarantine")]
        assert "the limit is 1 MB (MAILBOT_MAX_MESSAGE_MB)" in _notes(h)[0]
    finally:
        h.close()


@pytest.mark.integration
def test_the_attachment_count_limit_is_configurable(dovecot, imap_user, smtp_sink, tmp_path) -> None:
    h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "d", env={"MAILBOT_MAX_ATTACHMENTS": "3"})
    try:
        files = [(f"invoice-{i}.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n") for i in range(4)]
        h.deliver(forward("Fwd: four", "here", attachments=files))
        h.step()
        assert "the message has 4 attachments; the limit is 3 (MAILBOT_MAX_ATTACHMENTS)" in _notes(h)[0]
    finally:
        h.close()
