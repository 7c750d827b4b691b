"""The scheduler's promises, checked over random rules, calendars, portfolios and events.

Each example builds a rules file (random stages, channels, window, calendar, gaps, segment
shifts), a portfolio over a few clients, and a script of what happens to each file (paid,
cancelled, disputed, paused, a promise, a bounced address). `simulation.simulate` runs the
real scheduler at random instants of every day (inside and outside the window) and applies
`scheduler.commit` as the daemon does; every action it reports is then checked against the
script and the rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mailbot.businessdays import SUPPORTED_COUNTRIES, is_business_day
from mailbot.models import CANCELLED, CLOSED, OPEN, Receivable
from mailbot.rules import SEGMENTS, Rules, parse_rules
from mailbot.scheduler import client_facts, _Kinds
from mailbot.simulation import simulate

START = date(2026, 3, 2)
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
ZONES = ("Europe/Paris", "Europe/London", "Europe/Berlin", "America/New_York")


@st.composite
def rules_text(draw) -> str:
    n = draw(st.integers(1, 5))
    afters = sorted(draw(st.sets(st.integers(-6, 70), min_size=n, max_size=n)))
    stages = []
    for i, after in enumerate(afters):
        channel = "email" if i == 0 else draw(st.sampled_from(["email", "email", "call", "letter"]))
        extra = ""
        if channel == "letter":
            extra = f", email_client: {str(draw(st.booleans())).lower()}"
        if channel != "call" and after > 0 and draw(st.booleans()):
            extra += ", charges: true"
        stages.append(f"  - {{name: s{i}, after: {after}, channel: {channel}, tone: t{extra}}}")
    first = draw(st.integers(0, 4))  # at least one weekday Mon-Fri in the window
    days = sorted({first} | set(draw(st.lists(st.integers(0, 6), max_size=4))))
    start_h = draw(st.integers(6, 15))
    end_h = draw(st.integers(start_h + 1, 20))
    window = f"{','.join(DAYS[d] for d in days)} {start_h:02d}:{draw(st.sampled_from(['00', '30']))}-{end_h:02d}:00"
    calendar = draw(st.sampled_from(SUPPORTED_COUNTRIES))
    gap = draw(st.integers(0, 10))
    shifts = {seg: draw(st.integers(-5, 8)) for seg in ("new", "loyal", "chronic")}
    chronic_gap = draw(st.one_of(st.none(), st.integers(0, 10)))
    skip_b2c = draw(st.sampled_from([None] + [f"s{i}" for i in range(1, n)]))
    return f"""
business: {{name: "Test Firm", country: {draw(st.sampled_from(["FR", "BE"]))}, iban: "BE71096123456769"}}
stages:
{chr(10).join(stages)}
policy:
  calendar: {calendar}
  send_window: "{window}"
  min_gap_days: {gap}
  promise_grace_days: {draw(st.integers(0, 5))}
segments:
  new: {{paid_invoices_below: {draw(st.integers(1, 3))}, shift_days: {shifts['new']}}}
  loyal: {{paid_on_time: 2, shift_days: {shifts['loyal']}}}
  chronic: {{average_days_late: 10, over_last: 2, shift_days: {shifts['chronic']}{'' if chronic_gap is None else f', min_gap_days: {chronic_gap}'}}}
b2c:
  {'skip: [' + skip_b2c + ']' if skip_b2c else 'shift_days: 0'}
"""


@dataclass
class Script:
    """What happens to each file during the run (day numbers from START)."""

    paid: dict[int, int] = field(default_factory=dict)
    cancelled: dict[int, int] = field(default_factory=dict)
    dispute: dict[int, int] = field(default_factory=dict)
    pause: dict[int, tuple[int, int]] = field(default_factory=dict)  # from, until (exclusive)
    promise: dict[int, tuple[int, int]] = field(default_factory=dict)  # told on, promised for
    bounced: dict[str, int] = field(default_factory=dict)


@st.composite
def portfolio(draw, with_events: bool = True) -> tuple[list[Receivable], Script]:
    n_clients = draw(st.integers(1, 4))
    files: list[Receivable] = []
    rid = 0
    for c in range(n_clients):
        for k in range(draw(st.integers(0, 3))):  # paid history, for segments
            rid += 1
            due = START - timedelta(days=150 - 30 * k)
            paid = due + timedelta(days=draw(st.integers(0, 40)))
            files.append(Receivable(id=rid, number=f"H{rid}", status=CLOSED, client_email=f"c{c}@x.test", amount_due=Decimal(0),
                                    due_date=due, closed_at=datetime.combine(paid, time(10), ZoneInfo("UTC"))))
    script = Script()
    n_open = draw(st.integers(1, 10))
    for _ in range(n_open):
        rid += 1
        c = draw(st.integers(0, n_clients - 1))
        due = START + timedelta(days=draw(st.integers(-40, 40)))
        files.append(Receivable(id=rid, number=f"F{rid}", status=OPEN, client_email=f"c{c}@x.test", client_name=f"Client {c}",
                                amount=Decimal("120.00"), amount_due=Decimal("120.00"), due_date=due, issue_date=due - timedelta(days=30),
                                language=draw(st.sampled_from(["fr", "en", "nl", "de", "xx"])), b2c=draw(st.booleans()),
                                segment_override=draw(st.sampled_from([None, None, *SEGMENTS]))))
        if not with_events:
            continue
        event = draw(st.sampled_from(["none", "none", "paid", "cancelled", "dispute", "pause", "promise"]))
        day = draw(st.integers(0, 100))
        if event == "paid":
            script.paid[rid] = day
        elif event == "cancelled":
            script.cancelled[rid] = day
        elif event == "dispute":
            script.dispute[rid] = day
        elif event == "pause":
            script.pause[rid] = (day, day + draw(st.integers(1, 30)))
        elif event == "promise":
            script.promise[rid] = (day, day + draw(st.integers(0, 20)))
    if with_events and draw(st.booleans()):
        script.bounced[f"c{draw(st.integers(0, n_clients - 1))}@x.test"] = draw(st.integers(0, 100))
    return files, script


def apply_script(script: Script, grace: int):
    def on_day(day: date, files: list[Receivable], bad: set[str]) -> None:
        n = (day - START).days
        for r in files:
            if script.paid.get(r.id) == n and r.is_open:
                r.status, r.closed_at = CLOSED, datetime.combine(day, time(8), ZoneInfo("UTC"))
            if script.cancelled.get(r.id) == n and r.is_open:
                r.status = CANCELLED
            if script.dispute.get(r.id) == n:
                r.dispute = "disputed"
            if r.id in script.pause and script.pause[r.id][0] == n:
                r.paused_until = START + timedelta(days=script.pause[r.id][1])
            if r.id in script.promise and script.promise[r.id][0] == n:
                # As handlers/client.py does: no reminder before the promised date plus grace.
                r.promise_date = START + timedelta(days=script.promise[r.id][1])
                r.paused_until = r.promise_date + timedelta(days=grace)
        for addr, d in script.bounced.items():
            if d == n:
                bad.add(addr)
    return on_day


def random_ticks(minutes: list[int], window) -> callable:
    """Instants during each day where the daemon ticks: the window's opening, and a few
    minutes of the day that drift from day to day (so they fall in and out of the window)."""
    def ticks(day: date) -> list[datetime]:
        drift = 97 * (day - START).days
        out = [datetime.combine(day, time(((m + drift) % 1440) // 60, (m + drift) % 60), window.zone) for m in minutes]
        opening = datetime.combine(day, window.start, window.zone)
        return sorted(set(out + [opening]))
    return ticks


def possible_afters(rules: Rules, name: str) -> set[int]:
    return {s.after for seg in SEGMENTS for b2c in (False, True) for s in rules.stages_for(seg, b2c) if s.name == name}


def smallest_gap(rules: Rules) -> int:
    gaps = [rules.policy.min_gap_days] + [p.min_gap_days for p in rules.segments.policies if p.min_gap_days is not None]
    return min(gaps)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(text=rules_text(), world=portfolio(), zone=st.sampled_from(ZONES),
       minutes=st.lists(st.integers(0, 24 * 60 - 1), min_size=1, max_size=3, unique=True))
def test_every_action_respects_every_rule(text: str, world, zone: str, minutes: list[int]) -> None:
    rules = parse_rules(text)
    files, script = world
    window = rules.window(zone)
    by_id = {r.id: r for r in files}
    actions, _ = simulate(files, rules, START, 120, window=window, ticks=random_ticks(minutes, window),
                          on_day=apply_script(script, rules.policy.promise_grace_days))
    last_email: dict[str, date] = {}
    for a in actions:
        local = a.at.astimezone(window.zone)
        d, n = local.date(), (local.date() - START).days
        # Only inside the window, on a business day of the calendar.
        assert local.weekday() in window.weekdays and window.start <= local.time() < window.end, a
        assert is_business_day(d, rules.policy.calendar), a
        # No stage before its day, as shifted for some kind of client.
        for rid, stage, after in a.moved:
            if after is not None:
                assert (d - by_id[rid].due_date).days >= after, a
                assert after in possible_afters(rules, stage), a
        # Nothing about a file once paid, cancelled, disputed, during a pause or a promise.
        for number in a.numbers:
            r = next(f for f in files if f.number == number)
            assert n < script.paid.get(r.id, 10**6) and n < script.cancelled.get(r.id, 10**6), a
            assert n < script.dispute.get(r.id, 10**6), a
            if r.id in script.pause:
                frm, until = script.pause[r.id]
                assert not (frm <= n < until), a
            if r.id in script.promise:
                told, promised = script.promise[r.id]
                assert not (told <= n < promised + rules.policy.promise_grace_days), a
        # Nothing to an address after it bounced.
        assert n < script.bounced.get(a.client, 10**6), a
        if a.kind == "email":
            # Never two emails to one client within the gap.
            if a.client in last_email:
                assert (d - last_email[a.client]).days >= smallest_gap(rules), (a, last_email[a.client])
            last_email[a.client] = d


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=rules_text(), world=portfolio(with_events=False), zone=st.sampled_from(ZONES))
def test_every_open_file_reaches_its_last_stage_when_nothing_answers(text: str, world, zone: str) -> None:
    rules = parse_rules(text)
    files, _ = world
    window = rules.window(zone)
    kinds = _Kinds(rules, client_facts(files))
    last = {r.id: kinds.stages(kinds.segment(r), kinds.b2c(r))[-1] for r in files if r.is_open}
    span = 40 + max(s.after for s in rules.stages) + 60
    actions, after = simulate(files, rules, START, span, window=window)
    for r in after:
        if r.is_open:
            assert r.last_stage == last[r.id].index, (r.number, r.last_stage, last[r.id])
    # And every stage that moved a file was one of that file's stages, in increasing order.
    seen: dict[int, list[int]] = {}
    for a in actions:
        for rid, stage, _ in a.moved:
            if stage != "promise_broken":
                seen.setdefault(rid, []).append(rules.stage_named(stage).index)
    assert all(v == sorted(set(v)) for v in seen.values()), seen
