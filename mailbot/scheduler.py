"""Which reminders are due now: pure logic over receivables, rules and an instant.

No I/O: the daemon passes in the open receivables, what it knows of each client (when it last
emailed them, the invoices they paid) and the current instant; it gets back one `Due` per
client (a client with several late invoices gets one email that lists them all, its tone set
by the most advanced stage).

The rules this module keeps, each one tested over random portfolios (tests/test_scheduler_props.py):
- nothing leaves outside the send window or on a non-business day of the calendar;
- no stage before its day (the stage's `after`, moved by the client's segment and B2B/B2C);
- never two emails to one client within min_gap_days (the segment may set its own gap);
- nothing for a file that is closed, cancelled, disputed, paused, or whose address bounced.

A file registered late, or after downtime, gets only the stage its age calls for: missed
stages are skipped, never sent in a burst. `commit` records on the receivables what was done,
so the daemon and `mailbot simulate` move files the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from .businessdays import SendWindow
from .models import Receivable
from .rules import Rules, Stage
from .segments import Paid, classify, paid_history


@dataclass
class DueItem:
    receivable: Receivable
    stage: Stage | None  # the stage as it applies to this client; None for a follow-up or a listed invoice
    kind: str = "stage"  # "stage" | "promise_broken" | "listed"

    @property
    def needs_email(self) -> bool:
        if self.kind == "promise_broken":
            return True
        if self.kind != "stage" or self.stage is None:
            return False
        return self.stage.channel == "email" or (self.stage.channel == "letter" and self.stage.email_client)


@dataclass
class Due:
    client_email: str
    items: list[DueItem] = field(default_factory=list)

    @property
    def top_stage(self) -> Stage | None:
        stages = [i.stage for i in self.items if i.stage is not None]
        return max(stages, key=lambda s: s.index) if stages else None

    @property
    def calls(self) -> list[DueItem]:
        return [i for i in self.items if i.kind == "stage" and i.stage is not None and i.stage.channel == "call"]

    @property
    def letters(self) -> list[DueItem]:
        return [i for i in self.items if i.kind == "stage" and i.stage is not None and i.stage.channel == "letter"]

    @property
    def emailed(self) -> list[DueItem]:
        """The items that move with this client's email (listed invoices ride along, not in here)."""
        return [i for i in self.items if i.needs_email]

    @property
    def email_stage(self) -> Stage | None:
        """The most advanced stage among the invoices the email lists: it sets the subject and the tone.

        A listed invoice counts with the last email stage it reached, so a courtesy notice for a
        new invoice does not read as a gentle first word to a client already at the formal stage.
        """
        stages = [i.stage for i in self.items if i.stage is not None and (i.needs_email or i.kind == "listed")]
        return max(stages, key=lambda s: s.index) if stages else None

    @property
    def template(self) -> str | None:
        if not self.emailed:
            return None
        if all(i.kind == "promise_broken" for i in self.emailed):
            return "promise_broken"  # the follow-up says "you promised": that is the news, whatever else is listed
        stage = self.email_stage
        return stage.template if stage is not None else "promise_broken"

    @property
    def in_email(self) -> list[Receivable]:
        """Every invoice the email lists: those that moved and the other late ones."""
        return [i.receivable for i in self.items if i.needs_email or i.kind == "listed"]


@dataclass
class ClientFacts:
    """What the scheduler needs to know of a client beyond its open files."""

    last_email_at: datetime | None = None  # the last reminder to this address, any file, open or not
    history: list[Paid] = field(default_factory=list)  # invoices paid, oldest first


def client_facts(receivables: Iterable[Receivable]) -> dict[str, ClientFacts]:
    """Facts per client address, in one pass over every stored receivable."""
    all_r = list(receivables)
    facts: dict[str, ClientFacts] = {}
    for r in all_r:
        if not r.client_email or r.last_reminder_at is None:
            continue
        f = facts.setdefault(r.client_email.lower(), ClientFacts())
        if f.last_email_at is None or r.last_reminder_at > f.last_email_at:
            f.last_email_at = r.last_reminder_at
    for email_addr, history in paid_history(all_r).items():
        facts.setdefault(email_addr, ClientFacts()).history = history
    return facts


def stage_for_age(stages: Iterable[Stage], days_from_due: int) -> Stage | None:
    """The most advanced stage whose offset has been reached, or None."""
    reached = None
    for s in stages:
        if s.after <= days_from_due:
            reached = s
    return reached


def next_stage_date(rules: Rules, r: Receivable, segment: str = "regular") -> tuple[date, Stage] | None:
    """When the next stage of `r` falls due (ignoring pauses and windows), for confirmations."""
    if r.due_date is None:
        return None
    for s in rules.stages_for(segment, r.b2c):
        if s.index > r.last_stage:
            return r.due_date + timedelta(days=s.after), s
    return None


def blocked_reason(r: Receivable, today: date, bad_addresses: set[str] | frozenset[str]) -> str | None:
    """Why `r` gets nothing today whatever its stage, or None."""
    if not r.is_open:
        return r.status
    if r.due_date is None or not r.client_email:
        return "incomplete"
    if r.client_email.lower() in bad_addresses:
        return "address bounced"
    if r.dispute:
        return "dispute"
    if r.paused_until and today < r.paused_until:
        return f"paused until {r.paused_until}"
    return None


class _Kinds:
    """Segment, B2C flag and effective stages per file, computed once per client and kind."""

    def __init__(self, rules: Rules, facts: Mapping[str, ClientFacts]):
        self.rules = rules
        self.facts = facts
        self.overrides = {c.email: c for c in rules.clients}
        self._segment: dict[str, str] = {}
        self._stages: dict[tuple[str, bool], tuple[Stage, ...]] = {}

    def segment(self, r: Receivable) -> str:
        if r.segment_override:
            return r.segment_override
        key = (r.client_email or "").lower()
        if key not in self._segment:
            o = self.overrides.get(key)
            if o is not None and o.segment:
                self._segment[key] = o.segment
            else:
                f = self.facts.get(key)
                self._segment[key] = classify(f.history if f else [], self.rules.segments)
        return self._segment[key]

    def b2c(self, r: Receivable) -> bool:
        o = self.overrides.get((r.client_email or "").lower())
        return o.b2c if o is not None and o.b2c is not None else r.b2c

    def stages(self, segment: str, b2c: bool) -> tuple[Stage, ...]:
        key = (segment, b2c)
        if key not in self._stages:
            self._stages[key] = self.rules.stages_for(segment, b2c)
        return self._stages[key]

    def gap(self, segment: str) -> int:
        own = self.rules.segments.policy(segment).min_gap_days
        return self.rules.policy.min_gap_days if own is None else own


def due_reminders(
    receivables: list[Receivable],
    rules: Rules,
    now: datetime,
    *,
    window: SendWindow,
    bad_addresses: set[str] | frozenset[str] = frozenset(),
    facts: Mapping[str, ClientFacts] | None = None,
) -> list[Due]:
    """Everything due at instant `now` (aware), one `Due` per client, sorted by address.

    Empty outside the send window: the daemon ticks every minute, so what falls due on a
    Saturday leaves at the window's first minute on the next business day.
    """
    if not window.contains(now, rules.policy.calendar):
        return []
    today = now.astimezone(window.zone).date()
    facts = facts or {}
    kinds = _Kinds(rules, facts)
    grace = timedelta(days=rules.policy.promise_grace_days)
    by_client: dict[str, list[DueItem]] = {}
    gaps: dict[str, int] = {}
    quiet: dict[str, list[Receivable]] = {}  # late, not moving today, not blocked: listed in an email
    for r in receivables:
        if blocked_reason(r, today, bad_addresses):
            continue
        assert r.due_date is not None and r.client_email
        key = r.client_email.lower()
        segment = kinds.segment(r)
        gaps[key] = min(gaps.get(key, 10**6), kinds.gap(segment))
        stages = kinds.stages(segment, kinds.b2c(r))
        item = None
        if r.promise_date:
            if today > r.promise_date + grace:
                item = DueItem(r, None, "promise_broken")
        else:
            stage = stage_for_age(stages, (today - r.due_date).days)
            if stage is not None and stage.index > r.last_stage:
                item = DueItem(r, stage)
        if item is not None:
            by_client.setdefault(key, []).append(item)
        elif r.due_date < today and not r.promise_date:
            quiet.setdefault(key, []).append(r)

    out = []
    for key, items in by_client.items():
        last = _last_email(facts.get(key), [i.receivable for i in items] + quiet.get(key, []))
        if last is not None and (today - last.astimezone(window.zone).date()).days < gaps[key]:
            # Too soon for another email: what needs one waits; calls and postal letters go on.
            items = [i for i in items if not i.needs_email]
            if not items:
                continue
        due = Due(items[0].receivable.client_email or key, items)
        if due.emailed:
            for r in quiet.get(key, []):
                reached = [s for s in kinds.stages(kinds.segment(r), kinds.b2c(r)) if s.index <= r.last_stage and s.channel == "email"]
                due.items.append(DueItem(r, reached[-1] if reached else None, "listed"))
        due.items.sort(key=lambda i: (i.receivable.due_date or today, i.receivable.id))
        out.append(due)
    return sorted(out, key=lambda d: d.client_email.lower())


def _last_email(facts: ClientFacts | None, files: list[Receivable]) -> datetime | None:
    times = [r.last_reminder_at for r in files if r.last_reminder_at is not None]
    if facts is not None and facts.last_email_at is not None:
        times.append(facts.last_email_at)
    return max(times) if times else None


def commit(due: Due, now: datetime, today: date) -> None:
    """Record on the receivables what `due` did: stage reached, email time, the dates the law counts from."""
    for i in due.items:
        if i.kind == "listed":
            continue
        r = i.receivable
        if i.stage is not None:
            r.last_stage = i.stage.index
            if i.stage.channel == "letter" and r.formal_notice_date is None:
                r.formal_notice_date = today
        if i.kind == "promise_broken":
            r.promise_date = None
        if i.needs_email:
            r.last_reminder_at = now
            if r.first_reminder_date is None and r.due_date is not None and today > r.due_date:
                r.first_reminder_date = today
