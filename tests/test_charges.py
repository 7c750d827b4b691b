"""Late charges against worked examples computed step by step from the law.

Each expected value is built here from the statute's formula (amount x rate x days / 365,
split at 1 January and 1 July, rounded half-up once) with the rates domain.md gives,
not copied from mailbot's output.
"""

from __future__ import annotations

import textwrap
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.charges import ChargesError, consumer_terms, late_charges, load_rates
from mailbot.errors import ConfigError

D = Decimal
RATES = load_rates()


def cents(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), ROUND_HALF_UP)


def plain(s: str) -> str:
    # babel writes French with narrow/no-break spaces; compare with ordinary ones.
    return s.replace("\u202f", " ").replace("\u00a0", " ")


def charge(**kw):
    args = dict(jurisdiction="FR", b2c=False, rates=RATES) | kw
    return late_charges(**args)


# --- France, B2B ---------------------------------------------------------------------


def test_fr_b2b_10000_eur_30_days_h1_2026():
    # Due Tue 31 March 2026; 1..30 April are 30 days late. H1 2026 rate: ECB 2.15 + 10.
    rate = D("2.15") + 10
    expected = cents(D(10000) * rate / 100 * 30 / 365)  # 3645 / 36.5 = 99.863...
    assert expected == D("99.86")
    c = charge(amount=D("10000.00"), due_date=date(2026, 3, 31), on=date(2026, 4, 30))
    assert c.allowed and c.why_not is None
    assert c.days == 30
    assert c.rate == (D("12.15"),)
    assert c.interest == expected
    assert c.indemnity == D("40.00")
    assert c.total == expected + 40
    assert plain(c.lines[0]) == "10 000,00 × 12,15 % × 30 / 365 = 99,86"
    assert c.verified


def test_fr_b2b_1440_eur_23_days_line():
    # 1440 x 0.1215 = 174.96; x 23 = 4024.08; / 365 = 11.0248... -> 11.02
    assert D("1440") * D("0.1215") * 23 == D("4024.08")
    c = charge(amount=D("1440.00"), due_date=date(2026, 2, 1), on=date(2026, 2, 24))
    assert c.interest == cents(D("4024.08") / 365) == D("11.02")
    assert plain(c.lines[0]) == "1 440,00 × 12,15 % × 23 / 365 = 11,02"


def test_fr_b2b_split_across_1_july_2025():
    # Due 15 June 2025, paid-up check on 15 July: 16..30 June (15 days) at the H1 rate
    # 3.15 + 10 = 13.15; 1..15 July (15 days) at the H2 rate 2.15 + 10 = 12.15.
    h1 = D(5000) * D("13.15") / 100 * 15 / 365  # 27.0205...
    h2 = D(5000) * D("12.15") / 100 * 15 / 365  # 24.9657...
    c = charge(amount=D("5000"), due_date=date(2025, 6, 15), on=date(2025, 7, 15))
    assert c.days == 30
    assert c.rate == (D("13.15"), D("12.15"))
    assert [(p.first, p.last, p.days) for p in c.periods] == [
        (date(2025, 6, 16), date(2025, 6, 30), 15),
        (date(2025, 7, 1), date(2025, 7, 15), 15),
    ]
    assert c.interest == cents(h1 + h2) == D("51.99")
    assert plain(c.lines[0]) == "5 000,00 × 13,15 % × 15 / 365 = 27,0205"
    assert plain(c.lines[-1]) == "27,0205 + 24,9658 = 51,99"


def test_rounding_happens_once_on_the_total():
    # 100 EUR, 4 days in H1 2025 (27..30 June) and 4 in H2 (1..4 July): the parts are
    # 0.1441 and 0.1332; rounded separately they give 0.27, the exact sum 0.2773 -> 0.28.
    h1 = D(100) * D("13.15") / 100 * 4 / 365
    h2 = D(100) * D("12.15") / 100 * 4 / 365
    assert cents(h1) + cents(h2) == D("0.27")
    assert cents(h1 + h2) == D("0.28")
    c = charge(amount=D("100"), due_date=date(2025, 6, 26), on=date(2025, 7, 4))
    assert c.interest == D("0.28")


def test_fr_b2b_unverified_rate_is_flagged():
    # H2 2026 is carried forward from H1 and marked unverified in rates.yaml.
    c = charge(amount=D("1000"), due_date=date(2026, 8, 31), on=date(2026, 9, 30))
    assert c.interest == cents(D(1000) * D("12.15") / 100 * 30 / 365)
    assert not c.verified
    assert any("2026" in s for s in c.unverified)


def test_missing_rate_period_names_the_period_to_add():
    with pytest.raises(ConfigError, match=r"no FR\.b2b_penalty_rate for 2024-H2.*period: 2024-H2"):
        charge(amount=D("1000"), due_date=date(2024, 11, 30), on=date(2024, 12, 31))


def test_not_overdue_is_not_allowed():
    c = charge(amount=D("1000"), due_date=date(2026, 3, 31), on=date(2026, 3, 31))
    assert not c.allowed and c.days == 0
    assert c.interest == c.indemnity == 0
    assert "not overdue" in c.why_not


@pytest.mark.parametrize(
    "amount, match",
    [(1000.0, "decimal.Decimal"), (D("0"), "positive"), (D("-3"), "positive"), (D("Inf"), "finite")],
)
def test_bad_amounts(amount, match):
    with pytest.raises(ChargesError, match=match):
        charge(amount=amount, due_date=date(2026, 1, 1), on=date(2026, 2, 1))


def test_unknown_jurisdiction():
    with pytest.raises(ChargesError, match="'LU' is not supported: use one of FR, BE"):
        charge(amount=D("1"), due_date=date(2026, 1, 1), on=date(2026, 2, 1), jurisdiction="LU")


# --- France, B2C ---------------------------------------------------------------------


def test_fr_b2c_without_formal_notice_is_refused():
    c = charge(amount=D("1000"), due_date=date(2026, 2, 15), on=date(2026, 4, 9), b2c=True)
    assert not c.allowed
    assert c.interest == c.indemnity == 0
    assert "formal notice" in c.why_not and "L111-8" in c.why_not
    assert c.days == 53  # still reported: the template says how late it is


def test_fr_b2c_legal_rate_from_formal_notice_no_indemnity():
    # Notice 10 March 2026; 11 March..9 April = 21 + 9 = 30 days at the legal rate
    # "autres cas" 2.62 % (H1 2026): 1000 x 0.0262 x 30 / 365 = 786 / 365 = 2.153...
    c = charge(
        amount=D("1000"),
        due_date=date(2026, 2, 15),
        on=date(2026, 4, 9),
        b2c=True,
        formal_notice_date=date(2026, 3, 10),
    )
    assert c.allowed
    assert c.indemnity == 0
    assert sum(p.days for p in c.periods) == 21 + 9
    assert c.rate == (D("2.62"),)
    assert c.interest == cents(D(786) / 365) == D("2.15")


# --- Belgium, B2B --------------------------------------------------------------------


def test_be_b2b_split_across_1_january_2025():
    # 21..31 Dec 2024 (11 days) at 12.5; 1..10 Jan 2025 (10 days) at 11.5.
    dec = D(2000) * D("12.5") / 100 * 11 / 365  # 2750 / 365 = 7.534...
    jan = D(2000) * D("11.5") / 100 * 10 / 365  # 2300 / 365 = 6.301...
    c = charge(
        amount=D("2000"), due_date=date(2024, 12, 20), on=date(2025, 1, 10), jurisdiction="BE"
    )
    assert c.rate == (D("12.5"), D("11.5"))
    assert c.interest == cents(dec + jan) == D("13.84")
    assert c.indemnity == D("40.00")


# --- Belgium, B2C --------------------------------------------------------------------


def be_b2c(**kw):
    return charge(jurisdiction="BE", b2c=True, **kw)


def test_be_b2c_without_reminder_is_refused():
    c = be_b2c(amount=D("480"), due_date=date(2026, 1, 10), on=date(2026, 3, 1))
    assert not c.allowed and "first reminder is free" in c.why_not


def test_be_b2c_reminder_before_due_date_does_not_count():
    c = be_b2c(
        amount=D("480"),
        due_date=date(2026, 1, 10),
        on=date(2026, 3, 1),
        first_reminder_date=date(2026, 1, 5),
    )
    assert not c.allowed and "predates" in c.why_not


def test_be_b2c_fourteen_days_after_reminder():
    # Reminder e-mailed Thu 15 Jan 2026: day 1 is 16 Jan, day 14 is 29 Jan.
    reminder = date(2026, 1, 15)
    day14 = reminder + timedelta(days=14)
    assert day14 == date(2026, 1, 29)
    refused = be_b2c(
        amount=D("480"), due_date=date(2026, 1, 10), on=day14, first_reminder_date=reminder
    )
    assert not refused.allowed
    assert "2026-01-30" in refused.why_not  # says when charges become possible

    ok = be_b2c(
        amount=D("480"),
        due_date=date(2026, 1, 10),
        on=date(2026, 2, 9),
        first_reminder_date=reminder,
    )
    assert ok.allowed
    # Interest from 30 Jan to 9 Feb = 2 + 9 = 11 days at the B2B cap 10.5 % (H1 2026).
    assert ok.periods[0].first == date(2026, 1, 30)
    assert ok.interest == cents(D(480) * D("10.5") / 100 * 11 / 365) == D("1.52")
    # Indemnity cap: 30 + 10 % of the part above 150 = 30 + 33 = 63.
    assert ok.indemnity == D("63.00")
    assert plain(ok.lines[-1]) == "30,00 + 10 % × (480,00 − 150,00) = 63,00"
    assert not ok.verified  # the caps are unverified in domain.md


@pytest.mark.parametrize(
    "amount, cap",
    [
        (D("80.00"), D("20")),
        (D("150.00"), D("20")),
        (D("150.01"), cents(30 + D("0.10") * D("0.01"))),  # 30.00
        (D("500.00"), 30 + D("0.10") * 350),  # 65
        (D("1000.00"), 65 + D("0.05") * 500),  # 90
        (D("38700.00"), 65 + D("0.05") * 38200),  # 1975
        (D("39500.00"), D("2000")),  # 65 + 1950 = 2015, capped
        (D("50000.00"), D("2000")),
    ],
)
def test_be_b2c_indemnity_caps(amount, cap):
    c = be_b2c(
        amount=amount,
        due_date=date(2026, 1, 10),
        on=date(2026, 2, 9),
        first_reminder_date=date(2026, 1, 15),
    )
    assert c.indemnity == cents(cap)


def test_be_b2c_the_first_reminder_announces_what_is_charged_from_the_day_after_its_deadline():
    # E-mailed Thu 15 Jan 2026: pay by 29 Jan; from 30 Jan, 63 EUR and interest at the B2B cap.
    t = consumer_terms(amount=D("480.00"), sent_on=date(2026, 1, 15), rates=RATES)
    assert (t.deadline, t.charges_from) == (date(2026, 1, 29), date(2026, 1, 30))
    assert t.indemnity == D("63.00") and t.interest_percent == D("10.5")
    assert plain(t.line) == "30,00 + 10 % × (480,00 − 150,00) = 63,00"
    assert t.unverified  # the caps and the 2026-H1 rate are unverified in domain.md
    assert consumer_terms(amount=D("150.00"), sent_on=date(2026, 1, 15), rates=RATES).line == ""  # flat 20 EUR
    # Just after the deadline late_charges claims exactly what was announced.
    on_deadline = be_b2c(amount=D("480.00"), due_date=date(2026, 1, 10), on=t.deadline, first_reminder_date=date(2026, 1, 15))
    after = be_b2c(amount=D("480.00"), due_date=date(2026, 1, 10), on=t.charges_from, first_reminder_date=date(2026, 1, 15))
    assert not on_deadline.allowed and after.allowed and after.indemnity == t.indemnity


def test_be_b2c_no_rate_known_yet_still_announces_the_indemnity():
    # Sent mid-December 2026: charges start in 2027, for which rates.yaml has no rate yet.
    t = consumer_terms(amount=D("480.00"), sent_on=date(2026, 12, 22), rates=RATES)
    assert t.charges_from == date(2027, 1, 6) and t.interest_percent is None and t.indemnity == D("63.00")


@pytest.mark.parametrize("grace", [13, 0, -1, True, "14"])
def test_be_b2c_grace_shorter_than_the_law_is_refused(grace):
    with pytest.raises(ChargesError, match="at least 14"):
        consumer_terms(amount=D("480.00"), sent_on=date(2026, 1, 15), rates=RATES, grace_days=grace)
    with pytest.raises(ChargesError, match="min_final_date_days"):
        be_b2c(amount=D("480"), due_date=date(2026, 1, 10), on=date(2026, 3, 1),
               first_reminder_date=date(2026, 1, 15), grace_days=grace)


def test_be_b2c_a_longer_grace_moves_the_start_of_charges():
    kw = dict(amount=D("480"), due_date=date(2026, 1, 10), first_reminder_date=date(2026, 1, 15), grace_days=21)
    assert not be_b2c(on=date(2026, 2, 5), **kw).allowed  # 15 Jan + 21
    c = be_b2c(on=date(2026, 2, 6), **kw)
    assert c.allowed and c.periods[0].first == date(2026, 2, 6) and c.periods[0].days == 1


@settings(max_examples=200)
@given(st.decimals(min_value=D("0.01"), max_value=D("100000"), places=2), st.dates(date(2025, 1, 2), date(2026, 11, 20)),  # charges start in the table
       st.integers(14, 40))
def test_be_b2c_announced_indemnity_is_the_one_claimed(amount, sent, grace):
    t = consumer_terms(amount=amount, sent_on=sent, rates=RATES, grace_days=grace)
    c = be_b2c(amount=amount, due_date=sent - timedelta(days=1), on=t.charges_from, first_reminder_date=sent,
               grace_days=grace)
    assert c.allowed and c.indemnity == t.indemnity <= D("2000")
    assert c.periods[0].first == t.charges_from and c.periods[0].percent == t.interest_percent
    assert not be_b2c(amount=amount, due_date=sent - timedelta(days=1), on=t.deadline, first_reminder_date=sent,
                      grace_days=grace).allowed


# --- Properties ----------------------------------------------------------------------

dates = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 30))
amounts = st.decimals(min_value=D("0.01"), max_value=D("10000000"), places=2)


@settings(max_examples=200)
@given(amounts, dates, st.integers(1, 400), st.integers(0, 60), st.sampled_from(["FR", "BE"]))
def test_b2b_interest_grows_with_time_and_matches_the_formula(amount, due, late, more, juris):
    # The packaged table ends with 2026-H2; stay inside it.
    on = min(due + timedelta(days=late), date(2026, 12, 31))
    later = min(on + timedelta(days=more), date(2026, 12, 31))
    a = charge(amount=amount, due_date=due, on=on, jurisdiction=juris)
    b = charge(amount=amount, due_date=due, on=later, jurisdiction=juris)
    assert b.interest >= a.interest
    assert sum(p.days for p in a.periods) == a.days == (on - due).days
    # Every period sits inside one half-year and carries that half-year's rate.
    series = "b2b_penalty_rate" if juris == "FR" else "b2b_rate"
    for p in a.periods:
        assert (p.first.month <= 6) == (p.last.month <= 6) and p.first.year == p.last.year
        assert p.percent == RATES.rate(juris, series, p.first).percent
    exact = sum(amount * p.percent / 100 * p.days / 365 for p in a.periods)
    assert a.interest == cents(exact)


# --- The rates file ------------------------------------------------------------------

GOOD = """\
schema: 1
FR:
  b2b_penalty_rate:
    - period: 2026-H1
      percent: "20"
      verified: true
      source: test
  legal_rate_other:
    - {period: "2026", percent: "1", verified: true, source: test}
  b2b_indemnity: {amount: "40", verified: true, source: test}
BE:
  b2b_rate:
    - {period: 2026-H1, percent: "8", verified: false, source: test}
  b2b_indemnity: {amount: "40", verified: true, source: test}
  b2c_indemnity:
    verified: false
    source: test
    brackets:
      - {up_to: "100", fixed: "5"}
      - {fixed: "10"}
"""


def test_packaged_rates_have_what_domain_md_lists():
    r = load_rates()
    fr = {(e.start, e.percent, e.verified) for e in r.rates[("FR", "b2b_penalty_rate")]}
    assert {
        (date(2025, 1, 1), D("13.15"), True),
        (date(2025, 7, 1), D("12.15"), True),
        (date(2026, 1, 1), D("12.15"), True),
        (date(2026, 7, 1), D("12.15"), False),
    } <= fr
    assert r.rate("FR", "b2b_minimum_rate", date(2026, 2, 1)).percent == 3 * D("2.62")
    be = {e.start: (e.percent, e.verified) for e in r.rates[("BE", "b2b_rate")]}
    assert be[date(2024, 1, 1)] == (D("12.5"), True)
    assert be[date(2025, 7, 1)] == (D("10.5"), False)
    assert r.rate("BE", "b2b_rate", date(2024, 9, 1)).percent == D("12.5")  # "2024" = all year


def test_owner_file_overrides_packaged_rates(tmp_path):
    path = tmp_path / "rates.yaml"
    path.write_text(GOOD)
    r = load_rates(path)
    c = late_charges(
        amount=D("365"), due_date=date(2026, 1, 31), on=date(2026, 2, 10),
        jurisdiction="FR", b2c=False, rates=r,
    )
    assert c.interest == cents(D(365) * D("0.20") * 10 / 365) == D("2.00")


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    "old, new, needle, message",
    [
        ('percent: "20"', 'percnt: "20"', "percnt", r"FR\.b2b_penalty_rate\[0\]\.percnt: unknown key 'percnt'"),
        ('percent: "20"', 'percent: "twenty"', "twenty", r"FR\.b2b_penalty_rate\[0\]\.percent: 'twenty' is not a number"),
        ('percent: "20"', 'percent: "-1"', '"-1"', r"percent: '-1' must be a finite number >= 0"),
        ("period: 2026-H1\n", "period: 2026-H3\n", "2026-H3", r"period '2026-H3' must read YYYY-H1"),
        ("verified: true\n      source: test", "verified: yes please\n      source: test", "yes please", r"expected true or false"),
        ("{period: 2026-H1, percent: \"8\"", "{period: 2026, percent: \"8\"", None, None),
    ],
)
def test_rates_errors_name_line_and_key(tmp_path, old, new, needle, message):
    text = GOOD.replace(old, new, 1)
    path = tmp_path / "rates.yaml"
    path.write_text(text)
    if needle is None:  # a valid variant: a whole-year period also loads
        assert load_rates(path).rate("BE", "b2b_rate", date(2026, 12, 1)).percent == D("8")
        return
    with pytest.raises(ConfigError, match=message) as info:
        load_rates(path)
    assert f"line {_line_of(text, needle)}," in str(info.value)
    assert str(path) in str(info.value)


def test_rates_overlapping_periods(tmp_path):
    text = GOOD.replace(
        "  legal_rate_other:\n",
        "    - {period: \"2026\", percent: \"9\", verified: true, source: dup}\n  legal_rate_other:\n",
    )
    (tmp_path / "r.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"b2b_penalty_rate\[1\]\.period: overlaps"):
        load_rates(tmp_path / "r.yaml")


def test_rates_missing_required_key(tmp_path):
    text = GOOD.replace('  b2b_indemnity: {amount: "40", verified: true, source: test}\nBE:', "BE:")
    (tmp_path / "r.yaml").write_text(text)
    with pytest.raises(ConfigError, match=r"line 2, FR: missing key 'b2b_indemnity'"):
        load_rates(tmp_path / "r.yaml")


def test_rates_bracket_order_and_open_end(tmp_path):
    text = GOOD.replace('      - {fixed: "10"}', '      - {up_to: "50", fixed: "10"}')
    (tmp_path / "r.yaml").write_text(text)
    with pytest.raises(ConfigError, match="the last must not have one"):
        load_rates(tmp_path / "r.yaml")


@pytest.mark.parametrize(
    "text, match",
    [
        ("schema: [1\n", "not valid YAML"),
        ("schema: 2\n", "expected schema: 1"),
        (textwrap.dedent(GOOD).replace("schema: 1\n", "schema: 1\nNL: {}\n"), "unknown key 'NL'"),
    ],
)
def test_rates_file_level_errors(tmp_path, text, match):
    (tmp_path / "r.yaml").write_text(text)
    with pytest.raises(ConfigError, match=match):
        load_rates(tmp_path / "r.yaml")


def test_rates_unreadable_file(tmp_path):
    with pytest.raises(ConfigError, match="cannot read rates file"):
        load_rates(tmp_path / "missing.yaml")
