"""A reply about several invoices is read for the file it answers (mailbot/replies/focus.py)."""

from __future__ import annotations

import email
from datetime import date
from email import policy
from email.message import EmailMessage

import pytest

import mailbot.replies.intent as intent
from mailbot.replies.focus import focus_on, references_in
from mailbot.replies.intent import classify_intent
from mailbot.replies.read import new_text, read_message

STATUS_LIST = (
    "Hi Julien,\n\nHere's where we are on your invoices:\n\n"
    "* F-2024-011 - we paid it on 2 October\n* F-2024-014 - we paid it on 4 November\n* F-2024-017 - approved, to be paid 11 Dec\n"
    "* F-2024-019 - still waiting on a PO, is it correct?\n\nThanks,\nGrace"
)
TODAY = date(2024, 12, 4)


def test_references_of_a_subject_leave_dates_and_amounts() -> None:
    assert references_in("RE: Relance facture F-2024-017 du 12/11/2024") == ["F-2024-017"]
    assert references_in("Re: Reminder: invoice 2024/017 (1440 EUR)") == ["2024/017"]
    assert references_in("Re: your reminder of 2024-11-12") == []
    assert references_in("") == []


def test_a_status_list_keeps_the_lines_of_the_file() -> None:
    focused = focus_on(STATUS_LIST, ["F-2024-017"])
    assert "F-2024-017 - approved, to be paid 11 Dec" in focused
    for other in ("F-2024-011", "F-2024-014", "F-2024-019"):
        assert other not in focused
    assert "Thanks" in focused  # lines naming no invoice stay


def test_sentences_on_one_line_are_separated() -> None:
    text = "F-2024-011 was paid on 2 Oct. F-2024-017 will follow on the 11th. Regards"
    assert focus_on(text, ["F-2024-017"]) == "F-2024-017 will follow on the 11th. Regards"


def test_separators_and_case_do_not_matter() -> None:
    text = "f2024/011: paid.\nF 2024 017: we pay Friday."
    assert focus_on(text, ["F-2024-017"]) == "F 2024 017: we pay Friday."


def test_text_is_unchanged_when_nothing_tells_which_lines_are_ours() -> None:
    other_only = "F-2024-011 was paid on 2 Oct.\nWe pay the rest on Friday."
    assert focus_on(other_only, ["F-2024-017"]) == other_only  # our number is not named
    assert focus_on(STATUS_LIST, []) == STATUS_LIST  # no number known
    assert focus_on(STATUS_LIST, ["17"]) == STATUS_LIST  # too short to be a reference


def test_another_invoice_given_as_the_reason_is_kept() -> None:
    duplicate = ("This looks like a duplicate of F-2024-014: same description, same amount.\n"
                 "We paid F-2024-014 on 30 October.\n\nCould you please cancel F-2024-017?")
    assert focus_on(duplicate, ["F-2024-017"]) == duplicate
    assert classify_intent(duplicate, today=TODAY, invoices=["F-2024-017"]).intent == "dispute"


@pytest.fixture
def rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    # The model reads the list as a promise either way (it was trained on such lists); the rules
    # show what focusing changes: read whole, the first "paid" line wins.
    monkeypatch.setattr(intent, "load_model", lambda: None)


def test_the_reader_reads_the_files_line(rules_only: None) -> None:
    whole = classify_intent(STATUS_LIST, today=TODAY)
    ours = classify_intent(STATUS_LIST, today=TODAY, invoices=["F-2024-017"])
    assert (ours.intent, ours.date) == ("promise", date(2024, 12, 11))
    assert whole.intent == "paid_claim"


def test_the_whole_reader_reads_the_files_line() -> None:
    ours = classify_intent(STATUS_LIST, today=TODAY, invoices=["F-2024-017"])
    assert (ours.intent, ours.date) == ("promise", date(2024, 12, 11))


def _reply(subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = "client@client.example"
    msg["To"] = "factures@acme.example"
    msg["Subject"] = subject
    msg["Date"] = "Wed, 04 Dec 2024 10:00:00 +0100"
    msg.set_content(body)
    return email.message_from_bytes(msg.as_bytes(), policy=policy.default)


def test_read_message_takes_the_number_from_the_subject_unless_told(rules_only: None) -> None:
    msg = _reply("Re: Reminder: invoice F-2024-017", STATUS_LIST)
    assert read_message(msg).date == date(2024, 12, 11)
    told = read_message(msg, invoices=["F-2024-011"])
    assert told.intent == "paid_claim" and told.date == date(2024, 10, 2)
    # The owner still sees every line.
    assert told.new_text == read_message(msg).new_text == new_text(msg) and "F-2024-019" in told.new_text
