"""rules.yaml: the shipped default, every validation error (line + fix), and the schedule per kind of client."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mailbot.errors import ConfigError
from mailbot.rules import load_rules, parse_rules
from mailbot.segments import Paid, classify

BASE = """business:
  name: Firm
stages:
  - {name: friendly, after: 7}
  - {name: formal, after: 15, charges: true}
"""


def test_default_rules_follow_french_practice() -> None:
    rules = load_rules()
    assert [(s.name, s.after, s.channel) for s in rules.stages] == [
        ("courtesy", -3, "email"), ("friendly", 7, "email"), ("formal", 15, "email"), ("plan", 30, "email"),
        ("call", 45, "call"), ("notice", 60, "letter"),
    ]
    assert rules.policy.send_window == "Tue-Thu 09:00-11:30" and rules.policy.calendar == "FR"
    notice = rules.stage_named("notice")
    assert notice.template == "formal_notice" and notice.email_client and notice.charges


def test_describe_says_the_schedule_in_words() -> None:
    words = "\n".join(load_rules().describe())
    for needle in ("3 days before the due date", "call task in the owner's digest (no email) 45 days after",
                   "formal notice as a PDF to the owner, to sign and post by registered mail, and emailed to the client 60 days after",
                   "business days in FR", "Tue-Thu 09:00-11:30", "never two emails to one client within 5 days",
                   "new clients (fewer than 2 invoices paid): stages after the due date 2 days earlier",
                   "loyal clients", "no courtesy", "consumers (B2C)", "at least 14 days to pay"):
        assert needle in words, needle


@pytest.mark.parametrize(
    "extra, where, fix",
    [
        ("  - {name: late, after: 10}\n", "line 6, stages[2].after", "increasing 'after' order"),
        ("  - {name: friendly, after: 30}\n", "line 6, stages[2].name", "used twice"),
        ("  - {name: x, after: 30, channel: fax}\n", "line 6, stages[2].channel", "one of email, call, letter"),
        ("  - {name: x, after: 30, channel: call, charges: true}\n", "stages[2].charges", "call stage sends nothing"),
        ("  - {name: x, after: 30, email_client: true}\n", "stages[2].email_client", "channel: letter"),
        ("  - {name: x, after: 30, final_date_days: 0}\n", "stages[2].final_date_days", "write 1 or more"),
        ("  - {name: x, after: 30, colour: red}\n", "line 6, stages[2].colour", "unknown key"),
        ("  - {name: x, after: soon}\n", "stages[2].after", "must be a number of days"),
        ("policy:\n  send_window: 'Tue-Thu 9h-11h'\n", "line 7, policy.send_window", "HH:MM"),
        ("policy:\n  send_window: 'Sat-Sun 09:00-11:00'\n", "policy.send_window", "no weekday from Monday to Friday"),
        ("policy:\n  calendar: XX\n", "line 7, policy.calendar", "has no holiday calendar"),
        ("policy:\n  min_gap_days: -1\n", "policy.min_gap_days", "write 0 or more"),
        ("segments:\n  loyal: {skip: [courtesy]}\n", "segments.loyal.skip", "not a stage name; use one of friendly, formal"),
        ("segments:\n  chronic: {over_last: 0}\n", "segments.chronic.over_last", "positive number"),
        ("segments:\n  new: {skip: [friendly, formal]}\n", "new clients would get no email", "skip fewer"),
        ("clients:\n  nobody: {segment: loyal}\n", "'nobody' is not an email address", "billing@client.fr"),
        ("clients:\n  a@b.fr: {segment: vip}\n", "clients.a@b.fr.segment", "new, regular, loyal, chronic"),
    ],
)
def test_errors_point_at_the_line_and_say_the_fix(extra: str, where: str, fix: str) -> None:
    with pytest.raises(ConfigError) as exc:
        parse_rules(BASE + extra)
    assert where in str(exc.value) and fix in str(exc.value), str(exc.value)


@pytest.mark.parametrize(
    "business, fix",
    [
        ('iban: "FR76 0000"', "copy it again from the bank statement"),
        ('bic: "XX"', "8 or 11 characters"),
        ('payment_link: "http://pay.test/{number}"', "https:// URL"),
        ('payment_link: "https://pay.test/{client}"', "unknown: {client}"),
    ],
)
def test_business_errors(business: str, fix: str) -> None:
    text = BASE.replace("  name: Firm\n", f"  name: Firm\n  {business}\n")
    with pytest.raises(ConfigError) as exc:
        parse_rules(text)
    assert "line 3, business." in str(exc.value) and fix in str(exc.value), str(exc.value)


def test_stages_per_kind_of_client() -> None:
    rules = parse_rules(BASE.replace("stages:\n", "stages:\n  - {name: courtesy, after: -3}\n") + """segments:
  new: {shift_days: -10}
  loyal: {shift_days: 5, skip: [courtesy]}
b2c:
  skip: [formal]
  min_final_date_days: 14
""")
    table = {(seg, b2c): [(s.name, s.after, s.final_date_days) for s in rules.stages_for(seg, b2c)]
             for seg in ("new", "regular", "loyal") for b2c in (False, True)}
    assert table[("regular", False)] == [("courtesy", -3, 8), ("friendly", 7, 8), ("formal", 15, 8)]
    # Courtesy never moves; a shift never brings a stage to the due date or bunches two.
    assert table[("new", False)] == [("courtesy", -3, 8), ("friendly", 1, 8), ("formal", 5, 8)]
    assert table[("loyal", False)] == [("friendly", 12, 8), ("formal", 20, 8)]
    assert table[("regular", True)] == [("courtesy", -3, 14), ("friendly", 7, 14)]


def test_window_takes_the_owner_zone_unless_written() -> None:
    rules = parse_rules(BASE + "policy:\n  send_window: 'Tue-Thu 09:00-11:30'\n")
    assert rules.window("Europe/Brussels").tz == "Europe/Brussels"
    rules = parse_rules(BASE + "policy:\n  send_window: 'Tue-Thu 09:00-11:30 Europe/London'\n")
    assert rules.window("Europe/Brussels").tz == "Europe/London"


def test_payment_link_is_quoted() -> None:
    rules = parse_rules(BASE.replace("  name: Firm\n", '  name: Firm\n  payment_link: "https://pay.test/?i={number}&a={amount}"\n'))
    assert rules.business.link_for("F 1&2", "10.00", "EUR", "x") == "https://pay.test/?i=F%201%262&a=10.00"


def _paid(*late: int) -> list[Paid]:
    return [Paid(date(2026, 1, 1) + timedelta(days=30 * i), date(2026, 1, 1) + timedelta(days=30 * i + d)) for i, d in enumerate(late)]


@pytest.mark.parametrize(
    "late, segment",
    [
        ((), "new"),
        ((0,), "new"),
        ((0, 0, 0), "loyal"),
        ((0, 2, 1), "loyal"),            # within the 2-day tolerance
        ((0, 0, 3), "regular"),
        ((30, 20, 0), "chronic"),        # 50 / 3 = 16.7 days late on average: over the 15-day threshold
        ((20, 20, 0), "regular"),        # 13.3 on average: not chronic, and not on time either
        ((40, 20, 0, 0, 0), "loyal"),    # the last three were on time: history forgives
    ],
)
def test_segments_from_history(late: tuple[int, ...], segment: str) -> None:
    assert classify(_paid(*late), load_rules().segments) == segment


def test_a_belgian_business_cannot_give_consumers_less_than_14_days() -> None:
    belgian = BASE.replace("  name: Firm\n", "  name: Firm\n  country: BE\n")
    with pytest.raises(ConfigError, match=r"b2c.min_final_date_days.*at least 14 for a Belgian business.*got 10"):
        parse_rules(belgian + "b2c:\n  min_final_date_days: 10\n")
    assert parse_rules(belgian + "b2c:\n  min_final_date_days: 21\n").b2c_min_final_date_days == 21
    # A French business may choose its own consumer deadline.
    assert parse_rules(BASE + "b2c:\n  min_final_date_days: 10\n").b2c_min_final_date_days == 10
