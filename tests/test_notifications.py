"""rules.yaml `notifications`: parsing (errors name the line), batch times, the batch template."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from mailbot.compose import Templates
from mailbot.errors import ConfigError
from mailbot.handlers.notices import batch_time, note_kind
from mailbot.rules import Notifications, load_rules, parse_rules
from tests.support.harness import RULES_7_15

TZ = ZoneInfo("Europe/Paris")


def test_default_is_immediate_and_batches_nothing() -> None:
    for rules in (parse_rules(RULES_7_15), load_rules(None)):
        assert rules.notifications == Notifications()
        assert not rules.notifications.batches("registered")


def test_hourly_batches_only_the_kinds_that_may_wait() -> None:
    notes = parse_rules(RULES_7_15 + "notifications:\n  mode: hourly\n  immediate: [client_reply]\n").notifications
    assert notes.mode == "hourly"
    assert [k for k in ("registered", "client_reply", "bounce", "send_failed", "ask", "problem", "quarantined", "digest",
                        "result", "status") if notes.batches(k)] == ["registered", "bounce", "send_failed"]
    assert "hourly" not in notes.describe() and "every hour" in notes.describe()


@pytest.mark.parametrize("section, fragment", [
    ("notifications:\n  mode: weekly\n", "line 15, notifications.mode must be one of immediate, hourly, daily, got 'weekly'"),
    ("notifications:\n  mode: daily\n  daily_at: \"6pm\"\n", "line 16, notifications.daily_at: '6pm' is not a time; write it as HH:MM"),
    ("notifications:\n  immediate: [ask]\n", "line 15, notifications.immediate: 'ask' is not a kind of note that can wait"),
    ("notifications:\n  mode: hourly\n  hourly: true\n", "line 16, notifications.hourly: unknown key 'hourly'; known keys here: daily_at, immediate, mode"),
    ("notifications: hourly\n", "notifications must be a section"),
])
def test_errors_name_the_line_and_the_fix(section: str, fragment: str) -> None:
    assert RULES_7_15.count("\n") == 13  # the section starts on line 14, its first key on line 15
    with pytest.raises(ConfigError) as err:
        parse_rules(RULES_7_15 + section)
    assert fragment in str(err.value)


def test_problem_notes_are_known_by_their_kind() -> None:
    assert note_kind("problem", {"kind": "bounce"}) == "bounce"
    assert note_kind("problem", {"kind": "quarantined"}) == "quarantined"
    assert note_kind("registered", {"kind": "whatever"}) == "registered"


@pytest.mark.parametrize("mode, now, expected", [
    ("hourly", datetime(2026, 12, 1, 9, 59, tzinfo=TZ), datetime(2026, 12, 1, 9, 0, tzinfo=TZ)),
    ("hourly", datetime(2026, 12, 1, 10, 0, tzinfo=TZ), datetime(2026, 12, 1, 10, 0, tzinfo=TZ)),
    ("daily", datetime(2026, 12, 1, 17, 59, tzinfo=TZ), datetime(2026, 11, 30, 18, 0, tzinfo=TZ)),
    ("daily", datetime(2026, 12, 1, 18, 0, tzinfo=TZ), datetime(2026, 12, 1, 18, 0, tzinfo=TZ)),
    ("immediate", datetime(2026, 12, 1, 9, 30, tzinfo=TZ), datetime(2026, 12, 1, 9, 0, tzinfo=TZ)),
])
def test_batch_time_is_the_last_one_passed(mode: str, now: datetime, expected: datetime) -> None:
    assert batch_time(Notifications(mode=mode), now) == expected


@pytest.mark.parametrize("lang, word", [("en", "Invoice"), ("fr", "Facture"), ("nl", "Factuur"), ("de", "Rechnung")])
def test_batch_template_lists_notes_per_invoice_in_the_owner_language(lang: str, word: str) -> None:
    ctx = {"lang": lang, "business_name": "Firm", "commands_hint": "done", "count": 3, "period": "hourly",
           "since": "2026-12-01 09:05", "until": "2026-12-01 10:00",
           "groups": [{"number": "F-1", "client": "ACME <billing@acme.test>", "notes": [
                          {"at": "2026-12-01 09:05", "subject": "Registered: invoice F-1", "text": "Registered F-1."},
                          {"at": "2026-12-01 09:40", "subject": "Client reply F-1", "text": "They will pay."}]},
                      {"number": None, "client": None, "notes": [
                          {"at": "2026-12-01 09:50", "subject": "Bounce", "text": "x@y bounced."}]}]}
    out = Templates().render(f"{lang}/owner/batch.j2", ctx)
    assert out.subject.startswith("3 ") and "2026-12-01 09:05" in out.subject
    text = out.text
    assert f"{word} F-1" in text and "Registered F-1." in text and "They will pay." in text and "x@y bounced." in text
    assert text.index("Registered F-1.") < text.index("They will pay.") < text.index("x@y bounced.")
    assert "&lt;billing@acme.test&gt;" in out.html and "They will pay." in out.html
