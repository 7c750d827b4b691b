"""Per-client settings by owner command: kind of client, consumer or business, reminder language."""

from __future__ import annotations

import pytest

from mailbot.commands import parse_line
from tests.support.harness import CLIENT, FIELDS_BODY, OWNER, Harness, forward, reply_to

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("line, verb, value", [
    ("segment loyal", "segment", "loyal"),
    ("catégorie F-12 chronique", "segment", "chronic"),
    ("klanttype nieuw", "segment", "new"),
    ("b2c", "kind", "b2c"),
    ("particulier", "kind", "b2c"),
    ("bedrijf F-3", "kind", "b2b"),
    ("langue nl", "language", "nl"),
    ("taal fr", "language", "fr"),
    ("segment sometimes", None, None),
    ("language klingon", None, None),
])
def test_parsing(line: str, verb: str | None, value: str | None) -> None:
    cmd = parse_line(line)
    assert (cmd.verb, cmd.text) == (verb, value) if verb else cmd is None or cmd.verb not in ("segment", "kind", "language")


def _second_invoice() -> str:
    return FIELDS_BODY.replace("F2026-014", "F2026-015").replace("1440.00", "300.00")


def test_settings_apply_to_every_open_file_of_the_client_and_undo(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: one", FIELDS_BODY))
    h.deliver(forward("Fwd: two", _second_invoice()))
    h.step()
    note = h.sink.to(OWNER)[0].msg
    h.deliver(reply_to(note, "segment chronic\nb2c\nlangue fr", sender=OWNER))
    h.step()
    files = h.ledger.all()
    assert {(f.segment_override, f.b2c, f.language) for f in files} == {("chronic", True, "fr")}
    answer = h.sink.to(OWNER)[-1].msg.get_body(("plain",)).get_content()
    assert "kind of client" in answer and "consumer (B2C)" in answer and "reminder language" in answer
    # The reminder goes out in French now.
    h.days(21)
    [reminder] = [m.msg for m in h.sink.to(CLIENT)]
    assert "facture" in str(reminder["Subject"]).lower()
    h.deliver(reply_to(note, "undo", sender=OWNER))
    h.step()
    assert {(f.segment_override, f.b2c) for f in h.ledger.all()} == {(None, False)}


def test_a_stranger_cannot_change_a_clients_settings(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: one", FIELDS_BODY))
    h.step()
    note = h.sink.to(OWNER)[0].msg
    h.deliver(reply_to(note, "b2c\nlangue nl", sender="mallory@evil.test"))
    h.step()
    [f] = h.ledger.all()
    assert (f.b2c, f.language) == (False, "en")
