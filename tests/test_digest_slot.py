"""The weekly digest arrives by itself at the slot in rules.yaml, once per week, restarts included."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from mailbot.rules import parse_rules
from tests.support.harness import FIELDS_BODY, OWNER, RULES_7_15, TZ, Harness, forward

pytestmark = pytest.mark.integration

RULES = RULES_7_15.replace("digest:\n  enabled: false               # tests that want the weekly digest turn it on\n",
                           'digest:\n  day: wed\n  time: "08:30"\n')


def _digests(h: Harness) -> list:
    return [m.msg for m in h.sink.to(OWNER) if str(m.msg["Subject"]).startswith("Weekly digest")]


def test_the_digest_comes_at_its_slot_once_a_week(dovecot, imap_user, smtp_sink, tmp_path: Path) -> None:
    assert parse_rules(RULES).digest.day == "wed"
    h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "d", rules=RULES,
                start=datetime(2026, 12, 1, 9, 0, tzinfo=TZ))  # a Tuesday
    try:
        h.deliver(forward("Fwd: invoice", FIELDS_BODY))
        h.step()
        assert _digests(h) == []
        h.clock.set(datetime(2026, 12, 2, 8, 29, tzinfo=TZ))  # Wednesday, a minute early
        h.step()
        assert _digests(h) == []
        h.clock.set(datetime(2026, 12, 2, 8, 31, tzinfo=TZ))
        h.step()
        [digest] = _digests(h)
        text = digest.get_body(("plain",)).get_content()
        assert "F2026-014" in text and "1,440.00" in text
        assert digest.get_body(("html",)) is not None
        # Later that day, and after a restart: not again.
        h.clock.set(datetime(2026, 12, 2, 15, 0, tzinfo=TZ))
        h.step()
        h.restart()
        h.step()
        assert len(_digests(h)) == 1
        # A daemon that was down at next week's slot still sends it when back within hours...
        h.clock.set(datetime(2026, 12, 9, 11, 0, tzinfo=TZ))
        h.step()
        assert len(_digests(h)) == 2
        # ...but not days late: a stale digest is worth less than the next one.
        h.clock.set(datetime(2026, 12, 18, 9, 0, tzinfo=TZ))
        h.step()
        assert len(_digests(h)) == 2
    finally:
        h.close()


def test_digest_on_demand_by_email(harness: Harness) -> None:
    h = harness
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    h.deliver(forward("digest please?", "digest\n"))
    h.step()
    [digest] = _digests(h)
    assert "F2026-014" in digest.get_body(("plain",)).get_content()


def test_no_digest_while_nothing_is_registered(dovecot, imap_user, smtp_sink, tmp_path: Path) -> None:
    h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "d", rules=RULES,
                start=datetime(2026, 12, 2, 8, 45, tzinfo=TZ))  # Wednesday, just after the slot
    try:
        h.step()
        h.deliver(forward("Fwd: invoice", FIELDS_BODY))
        h.clock.set(datetime(2026, 12, 2, 9, 0, tzinfo=TZ))
        h.step()
        assert _digests(h) == []  # the empty slot was served; no late digest that morning
        h.clock.set(datetime(2026, 12, 9, 8, 31, tzinfo=TZ))
        h.step()
        assert len(_digests(h)) == 1
    finally:
        h.close()
