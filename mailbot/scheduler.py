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

Clients are independent of each other here: what one client gets depends on its own files and
facts only. So the daemon need not hand over every open file: `Waiting` is what decides the
first day anything could happen to a file, `FirstDay` turns it into that day (a lower bound
over every kind of client, or the day itself for one client's segment), and
`clients_due_today` names the only clients worth loading (the ledger keeps its open files
grouped by `Waiting`, so the bound is checked once per group, not once per file).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .businessdays import SendWindow
from .models import Receivable
from .rules import SEGMENTS, Rules, Stage
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


@dataclass(frozen=True)
class Waiting:
    """What an open file waits for: the fields of the file that decide when the scheduler could first act on it."""

    last_stage: int
    due_date: date
    promise_date: date | None = None
    paused_until: date | None = None
    b2c: bool = False
    segment: str | None = None  # the file's own segment_override


class FirstDay:
    """The first day `due_reminders` could give a file anything, as long as the file is not written
    (a write is what moves a stage, promises, pauses); None if no stage is left for it.

    Without the client's segment and B2C flag, the earliest day over every kind of client: a
    lower bound that needs no other file. With them, the day itself.

    >>> # FirstDay(rules)(Waiting(last_stage=0, due_date=date(2026, 3, 1))) -> date(2026, 3, 4)
    """

    def __init__(self, rules: Rules):
        self.rules = rules
        self._grace = timedelta(days=rules.policy.promise_grace_days + 1)  # broken the day after the grace
        self._offsets: dict[tuple[str | None, bool | None], dict[int, int | None]] = {}

    def __call__(self, w: Waiting, segment: str | None = None, b2c: bool | None = None) -> date | None:
        if w.promise_date is not None:
            first = w.promise_date + self._grace  # while a promise stands, no stage moves
        else:
            after = self._earliest(segment, b2c).get(max(w.last_stage, -1))
            if after is None:
                return None
            first = w.due_date + timedelta(days=after)
        return max(first, w.paused_until) if w.paused_until is not None else first

    def _earliest(self, segment: str | None, b2c: bool | None) -> dict[int, int | None]:
        """Last stage reached -> the fewest days after the due date at which a later stage applies."""
        key = (segment, b2c)
        if key not in self._offsets:
            # "" stands for a segment name rules.yaml does not define (an owner's override): the default policy.
            segments = (*SEGMENTS, "") if segment is None else (segment,)
            kinds = (False, True) if b2c is None else (b2c,)
            variants = [self.rules.stages_for(sg, k) for sg in segments for k in kinds]
            self._offsets[key] = {
                last: min((s.after for stages in variants for s in stages if s.index > last), default=None)
                for last in range(-1, len(self.rules.stages))
            }
        return self._offsets[key]


def clients_due_today(waiting: Mapping[str, Iterable[Waiting]], histories: Mapping[str, list[Paid]], rules: Rules,
                      today: date, first_day: FirstDay | None = None) -> set[str]:
    """Of these clients (lower-case address -> what its open files wait for), those with a file
    whose first day has come, for the client's own segment and B2C flag (`_Kinds`): the only
    clients `due_reminders` can give anything today."""
    first_day = first_day or FirstDay(rules)
    kinds = _Kinds(rules, {key: ClientFacts(history=h) for key, h in histories.items()})
    out = set()
    for key, files in waiting.items():
        for w in files:
            day = first_day(w, kinds.segment_for(key, w.segment), kinds.b2c_for(key, w.b2c))
            if day is not None and day <= today:
                out.add(key)
                break
    return out


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
        return self.segment_for((r.client_email or "").lower(), r.segment_override)

    def segment_for(self, key: str, own: str | None = None) -> str:
        """The segment of a file of client `key` whose own override is `own`."""
        if own:
            return own
        if key not in self._segment:
            o = self.overrides.get(key)
            if o is not None and o.segment:
                self._segment[key] = o.segment
            else:
                f = self.facts.get(key)
                self._segment[key] = classify(f.history if f else [], self.rules.segments)
        return self._segment[key]

    def b2c(self, r: Receivable) -> bool:
        return self.b2c_for((r.client_email or "").lower(), r.b2c)

    def b2c_for(self, key: str, own: bool) -> bool:
        o = self.overrides.get(key)
        return o.b2c if o is not None and o.b2c is not None else own

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
