"""The owner's weekly digest: figures from the receivables, their events and an instant. Pure.

`build_digest(receivables, events, now, tz, business=..., policy=...)` takes what the ledger holds
(no store access here) and returns a `Digest`: what is owed and how late, how fast clients pay,
what mailbot did this week, and the short list of things only the owner can do (calls,
escalations, disputes). Every action line carries its invoice number(s) so the owner can act by
replying ("done F-12", "note F-12: called, pays Friday").

Definitions (the tests recompute each one independently):

- **outstanding**: sum of ``amount_due`` of open files, in the digest's currency. Drafts are not
  receivables yet; closed and cancelled files owe nothing.
- **overdue**: the part of outstanding whose due date is before today.
- **aged balance**: outstanding split by days late = today − due date: not due (≤ 0), 1–30,
  31–60, 61–90, over 90.
- **DSO** (days sales outstanding, the "balance" method)::

      DSO = outstanding at the end of the period / credit sales of the period × days in the period

  over the last 90 days, i.e. the period (today − 90 days, today]. Credit sales = sum of ``amount``
  (total with tax; ``amount_due`` when the total is unknown) of files, open or closed, whose issue
  date (else registration date) falls in the period. Cancelled files are neither sales nor
  outstanding. The outstanding at a past day D is rebuilt backwards from today's truth: a file
  owes nothing before its issue date nor once closed; otherwise it owed its current (or
  at-closing) ``amount_due`` plus the payments recorded after D. Rounded half-up to 0.1 day.
  The trend compares with the same figure for the 90 days before.
- **this week**: events in (now − 7 days, now].
- **cash collected**: payments recorded this week, plus the balance of files closed as paid this
  week (a partial payment that clears a file is counted once, as a payment).

Totals are in one currency (the policy's, else the most common among open files); files in other
currencies are summed apart in ``other_currencies`` and still appear in every action list.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency

from .models import CANCELLED, CLOSED, OPEN, Receivable

ZERO = Decimal("0")
BUCKETS = ("not_due", "1_30", "31_60", "61_90", "over_90")
LOCALES = {"fr": "fr_FR", "en": "en_GB", "nl": "nl_BE", "de": "de_DE"}


@dataclass(frozen=True)
class DigestPolicy:
    """The knobs of the digest; `from_rules` reads what rules.yaml already says."""

    currency: str | None = None  # None: the most common currency among open files
    large_amount: Decimal = Decimal("5000")  # an overdue file this large deserves a call
    silent_after: int = 3  # reminders without any client answer before a call is suggested
    chronic_min_closed: int = 2  # paid invoices needed before calling a client a chronic late payer
    chronic_days_late: int = 15  # average days late from which a client is chronic
    promise_grace_days: int = 3
    notice_stages: frozenset[str] = frozenset({"notice"})  # stages whose reminder is the formal notice
    notice_deadline_days: int = 8  # the final date a formal notice states, days after it
    dso_days: int = 90
    week_days: int = 7
    history_steps: int = 8  # steps kept in a call's one-line history

    @classmethod
    def from_rules(cls, rules: Any, **overrides: Any) -> "DigestPolicy":
        notices = [s for s in rules.stages if s.channel == "letter" or s.template == "formal_notice"]
        kw: dict[str, Any] = {
            "promise_grace_days": rules.policy.promise_grace_days,
            "notice_stages": frozenset(s.name for s in notices),
        }
        if notices:
            kw["notice_deadline_days"] = notices[0].final_date_days
        return cls(**(kw | overrides))


# -- what the digest is made of ---------------------------------------------------------------

@dataclass(frozen=True)
class FileLine:
    """One invoice as it appears on any line of the digest."""

    rid: int
    number: str
    client: str
    client_email: str | None
    amount_due: Decimal
    currency: str
    due_date: date | None
    days_late: int


@dataclass(frozen=True)
class Bucket:
    key: str  # one of BUCKETS
    amount: Decimal
    count: int
    numbers: tuple[str, ...]


@dataclass(frozen=True)
class Dso:
    days: Decimal | None  # None when nothing was invoiced in the period
    outstanding: Decimal
    sales: Decimal
    start: date  # first day of the period
    end: date  # last day of the period (inclusive)


@dataclass(frozen=True)
class Closed:
    file: FileLine
    why: str
    at: date


@dataclass(frozen=True)
class Payment:
    file: FileLine
    amount: Decimal
    at: date


@dataclass
class Week:
    start: datetime
    end: datetime
    reminders: dict[str, int] = field(default_factory=dict)  # stage -> files reminded
    reminder_emails: int = 0  # distinct emails (one email may list several invoices)
    replies: dict[str, int] = field(default_factory=dict)  # intent -> client replies understood
    reply_numbers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    auto_replies: int = 0
    bounces: tuple[str, ...] = ()  # invoice numbers whose reminder bounced
    registered: tuple[str, ...] = ()
    closed: list[Closed] = field(default_factory=list)
    payments: list[Payment] = field(default_factory=list)
    cash: Decimal = ZERO


@dataclass(frozen=True)
class Promise:
    file: FileLine
    promised: date
    by: str  # "client" | "owner"
    days_past: int  # days since the promised date (0 or negative: not yet)


@dataclass(frozen=True)
class Dispute:
    file: FileLine
    reason: str
    since: date | None


@dataclass(frozen=True)
class Step:
    """One step of a file's story, for the one-line history (words come from the template)."""

    day: date
    kind: str  # registered | reminder | reply | auto_reply | bounce | promise | payment | note | call_task | paused
    detail: str = ""


@dataclass(frozen=True)
class Call:
    """One call to make: a client, the invoices to talk about, why, and what to say."""

    client: str
    client_email: str | None
    phone: str | None
    language: str
    files: tuple[FileLine, ...]
    reasons: tuple[str, ...]  # call_stage | silent | large
    total: Decimal
    currency: str
    reminders: int
    history: tuple[Step, ...]
    script: str  # in the client's language

    @property
    def numbers(self) -> str:
        return ", ".join(f.number for f in self.files)


@dataclass(frozen=True)
class Escalation:
    file: FileLine
    notice_date: date
    deadline: date
    deadline_passed: bool


@dataclass(frozen=True)
class LatePayer:
    client: str
    client_email: str | None
    paid_count: int
    average_days_late: Decimal
    last_days_late: int
    trend: str  # worse | better | steady
    paid_numbers: tuple[str, ...]  # the most recent paid invoices the average is made of
    open_numbers: tuple[str, ...]


@dataclass
class Digest:
    today: date
    now: datetime
    business: str
    currency: str
    open_count: int
    overdue_count: int
    outstanding: Decimal
    overdue: Decimal
    buckets: list[Bucket]
    dso: Dso
    dso_previous: Dso
    other_currencies: dict[str, Decimal]
    week: Week
    promises_due: list[Promise]
    promises_broken: list[Promise]
    disputes: list[Dispute]
    calls: list[Call]
    escalations: list[Escalation]
    late_payers: list[LatePayer]

    @property
    def dso_trend(self) -> Decimal | None:
        """Days more (positive: clients pay slower) than over the previous period."""
        if self.dso.days is None or self.dso_previous.days is None:
            return None
        return self.dso.days - self.dso_previous.days


# -- building it ------------------------------------------------------------------------------

def build_digest(
    receivables: Iterable[Receivable],
    events: Iterable[Mapping[str, Any]],
    now: datetime,
    tz: tzinfo,
    *,
    business: str = "",
    policy: DigestPolicy | None = None,
) -> Digest:
    """The digest as of `now` (aware), with days counted in the owner's time zone `tz`.

    >>> # build_digest(ledger.all(), store.table("events").all(), clock.now(), settings.timezone,
    >>> #              business="ACME Compta", policy=DigestPolicy.from_rules(rules)).outstanding
    >>> # Decimal('48210.50')
    """
    policy = policy or DigestPolicy()
    books = Books(list(receivables), list(events), tz)
    today = now.astimezone(tz).date()
    live = [r for r in books.receivables if r.status == OPEN]
    currency = policy.currency or _main_currency(live)
    mine = [r for r in live if r.currency == currency]

    others: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for r in live:
        if r.currency != currency:
            others[r.currency] += r.amount_due or ZERO

    overdue = [r for r in mine if days_late(r, today) > 0]
    end_prev = today - timedelta(days=policy.dso_days)
    promises_due, promises_broken = _promises(books, live, today, policy)
    return Digest(
        today=today,
        now=now,
        business=business,
        currency=currency,
        open_count=len(mine),
        overdue_count=len(overdue),
        outstanding=_sum(r.amount_due for r in mine),
        overdue=_sum(r.amount_due for r in overdue),
        buckets=aged_balance(mine, today),
        dso=dso(books, currency, today, policy.dso_days),
        dso_previous=dso(books, currency, end_prev, policy.dso_days),
        other_currencies=dict(sorted(others.items())),
        week=_week(books, currency, now, policy),
        promises_due=promises_due,
        promises_broken=promises_broken,
        disputes=_disputes(books, live, today),
        calls=_calls(books, live, today, business, policy),
        escalations=_escalations(books, live, today, policy),
        late_payers=_late_payers(books, today, policy),
    )


class Books:
    """Receivables with their events grouped per file, dates seen in the owner's time zone."""

    def __init__(self, receivables: list[Receivable], events: list[Mapping[str, Any]], tz: tzinfo):
        self.receivables = receivables
        self.tz = tz
        self.by_id = {r.id: r for r in receivables}
        self.events: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
        for e in sorted(events, key=lambda e: e["at"]):
            if e.get("receivable") is not None:
                self.events[e["receivable"]].append(e)

    def at(self, e: Mapping[str, Any]) -> datetime:
        return datetime.fromisoformat(e["at"])

    def day(self, e: Mapping[str, Any]) -> date:
        return self.at(e).astimezone(self.tz).date()

    def of(self, r: Receivable, *kinds: str) -> list[Mapping[str, Any]]:
        return [e for e in self.events.get(r.id, []) if not kinds or e["kind"] in kinds]

    def local(self, moment: datetime | None) -> date | None:
        return moment.astimezone(self.tz).date() if moment else None

    def issued(self, r: Receivable) -> date | None:
        return r.issue_date or self.local(r.registered_at) or r.due_date


def days_late(r: Receivable, today: date) -> int:
    return (today - r.due_date).days if r.due_date else 0


def bucket_of(late: int) -> str:
    if late <= 0:
        return "not_due"
    if late <= 30:
        return "1_30"
    if late <= 60:
        return "31_60"
    if late <= 90:
        return "61_90"
    return "over_90"


def aged_balance(open_files: Iterable[Receivable], today: date) -> list[Bucket]:
    amounts: dict[str, Decimal] = {k: ZERO for k in BUCKETS}
    numbers: dict[str, list[str]] = {k: [] for k in BUCKETS}
    for r in sorted(open_files, key=lambda r: (r.due_date or date.max, r.number)):
        key = bucket_of(days_late(r, today))
        amounts[key] += r.amount_due or ZERO
        numbers[key].append(r.number)
    return [Bucket(k, amounts[k], len(numbers[k]), tuple(numbers[k])) for k in BUCKETS]


def balance_on(books: Books, r: Receivable, day: date) -> Decimal:
    """What `r` still owed at the end of `day`, rebuilt backwards from what is known now."""
    if r.status not in (OPEN, CLOSED):
        return ZERO
    issued = books.issued(r)
    if issued is None or issued > day:
        return ZERO
    if r.status == CLOSED:
        closed = books.local(r.closed_at)
        if closed is None or closed <= day:
            return ZERO
    later = _sum(Decimal(str(e.get("amount") or 0)) for e in books.of(r, "payment") if books.day(e) > day)
    return (r.amount_due or ZERO) + later


def dso(books: Books, currency: str, end: date, days: int) -> Dso:
    start = end - timedelta(days=days - 1)
    mine = [r for r in books.receivables if r.currency == currency]
    outstanding = _sum(balance_on(books, r, end) for r in mine)
    sales = _sum(
        (r.amount if r.amount is not None else r.amount_due)
        for r in mine
        if r.status in (OPEN, CLOSED) and (d := books.issued(r)) is not None and start <= d <= end
    )
    value = None
    if sales > 0:
        value = (outstanding / sales * days).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return Dso(value, outstanding, sales, start, end)


def file_line(r: Receivable, today: date) -> FileLine:
    return FileLine(r.id, r.number, client_label(r), r.client_email, r.amount_due or ZERO, r.currency, r.due_date,
                    days_late(r, today))


def client_label(r: Receivable) -> str:
    return r.client_name or r.client_email or "?"


def _week(books: Books, currency: str, now: datetime, policy: DigestPolicy) -> Week:
    start = now - timedelta(days=policy.week_days)
    today = now.astimezone(books.tz).date()
    week = Week(start=start, end=now)
    reminders: Counter[str] = Counter()
    replies: Counter[str] = Counter()
    reply_numbers: dict[str, list[str]] = defaultdict(list)
    emails: set[str] = set()
    bounces: list[str] = []
    registered: list[str] = []
    for rid, evs in sorted(books.events.items()):
        r = books.by_id.get(rid)
        if r is None:
            continue
        for e in evs:
            if not (start < books.at(e) <= now):
                continue
            kind = e["kind"]
            if kind == "reminder" and not e.get("dry_run"):
                reminders[e.get("stage") or "?"] += 1
                emails.add(e.get("message_id") or f"{rid}:{e['at']}")
            elif kind == "client_reply":
                intent = e.get("intent") or "other"
                replies[intent] += 1
                reply_numbers[intent].append(r.number)
            elif kind == "auto_reply":
                week.auto_replies += 1
            elif kind == "bounce":
                bounces.append(r.number)
            elif kind == "registered":
                registered.append(r.number)
            elif kind == "payment" and r.currency == currency:
                amount = Decimal(str(e.get("amount") or 0))
                week.payments.append(Payment(file_line(r, today), amount, books.day(e)))
            elif kind in ("closed", "cancelled"):
                why = "cancelled" if kind == "cancelled" else close_reason(e.get("why"))
                week.closed.append(Closed(file_line(r, today), why, books.day(e)))
    # A file closed as paid brings in what it still owed at closing; undone closes do not count.
    closed_paid = [c for c in week.closed if c.why == "paid" and books.by_id[c.file.rid].status == CLOSED
                   and books.by_id[c.file.rid].currency == currency]
    week.cash = _sum(p.amount for p in week.payments) + _sum(books.by_id[c.file.rid].amount_due for c in _last_per_file(closed_paid))
    week.reminders = dict(sorted(reminders.items()))
    week.reminder_emails = len(emails)
    week.replies = dict(sorted(replies.items()))
    week.reply_numbers = {k: tuple(v) for k, v in sorted(reply_numbers.items())}
    week.bounces = tuple(bounces)
    week.registered = tuple(registered)
    return week


def close_reason(why: str | None) -> str:
    """The ledger's free-text reason as a code: 'paid (owner)' -> 'paid', 'credit note AV-3' -> 'credit_note'."""
    text = (why or "").strip().lower()
    if text.startswith("paid"):
        return "paid"
    if text.startswith("credit note"):
        return "credit_note"
    return text.replace(" ", "_") or "closed"


def _last_per_file(closed: list[Closed]) -> list[Closed]:
    last: dict[int, Closed] = {}
    for c in closed:
        last[c.file.rid] = c
    return list(last.values())


def _last_promise(books: Books, r: Receivable) -> tuple[date, str] | None:
    """The most recent promise on a file: (date, by whom)."""
    found = None
    for e in books.of(r, "promise", "client_reply"):
        if e["kind"] == "client_reply" and e.get("intent") != "promise":
            continue
        try:
            when = date.fromisoformat(str(e.get("date")))
        except ValueError:
            continue
        found = (when, "client" if e["kind"] == "client_reply" else e.get("by") or "owner")
    return found


def _promises(books: Books, live: list[Receivable], today: date, policy: DigestPolicy) -> tuple[list[Promise], list[Promise]]:
    due, broken = [], []
    for r in live:
        last = _last_promise(books, r)
        if last is None:
            continue
        promised, by = last
        p = Promise(file_line(r, today), promised, by, (today - promised).days)
        if promised < today - timedelta(days=policy.promise_grace_days):
            broken.append(p)
        elif promised <= today + timedelta(days=6):
            due.append(p)
    key = lambda p: (p.promised, p.file.number)  # noqa: E731
    return sorted(due, key=key), sorted(broken, key=key)


def _disputes(books: Books, live: list[Receivable], today: date) -> list[Dispute]:
    out = []
    for r in live:
        if not r.dispute:
            continue
        since = [books.day(e) for e in books.of(r, "client_reply") if e.get("intent") == "dispute"]
        out.append(Dispute(file_line(r, today), r.dispute, since[-1] if since else None))
    return sorted(out, key=lambda d: (d.since or date.min, d.file.number))


def _client_key(r: Receivable) -> str:
    return (r.client_email or r.client_name or f"#{r.id}").lower()


def _calls(books: Books, live: list[Receivable], today: date, business: str, policy: DigestPolicy) -> list[Call]:
    by_client: dict[str, list[Receivable]] = defaultdict(list)
    for r in books.receivables:
        by_client[_client_key(r)].append(r)
    reasons: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for r in live:
        if r.dispute or _promise_pending(books, r, today, policy):
            continue
        tasks = books.of(r, "call_task")
        notes = books.of(r, "note")
        if tasks and not (notes and notes[-1]["at"] > tasks[-1]["at"]):
            reasons[_client_key(r)][r.id].add("call_stage")
        if days_late(r, today) > 0 and (r.amount_due or ZERO) >= policy.large_amount:
            reasons[_client_key(r)][r.id].add("large")
    for key, files in by_client.items():
        open_files = [r for r in files if r.status == OPEN and not r.dispute and not _promise_pending(books, r, today, policy)]
        if not open_files or any(books.of(r, "client_reply") for r in files):
            continue
        if _reminder_emails(books, open_files) >= policy.silent_after:
            for r in open_files:
                if days_late(r, today) > 0:
                    reasons[key][r.id].add("silent")
    calls = []
    for key, per_file in reasons.items():
        chosen = sorted((books.by_id[rid] for rid in per_file), key=lambda r: (r.due_date or date.max, r.number))
        lead = chosen[0]
        lines = tuple(file_line(r, today) for r in chosen)
        total = _sum(f.amount_due for f in lines if f.currency == lead.currency)
        why = tuple(k for k in ("call_stage", "silent", "large") if any(k in s for s in per_file.values()))
        files = by_client[key]
        broken = [p for r in chosen if (p := _last_promise(books, r)) and p[0] < today]
        calls.append(Call(
            client=client_label(lead), client_email=lead.client_email, phone=phone_of(books, files),
            language=lead.language if lead.language in LOCALES else "en", files=lines, reasons=why, total=total,
            currency=lead.currency, reminders=_reminder_emails(books, files),
            history=tuple(history_steps(books, files)[-policy.history_steps:]),
            script=call_script(lead.language, business, lines, total, lead.currency,
                               broken[-1][0] if broken else None, lead.client_email if "silent" in why else None),
        ))
    return sorted(calls, key=lambda c: (-c.total, c.client))


def _promise_pending(books: Books, r: Receivable, today: date, policy: DigestPolicy) -> bool:
    last = _last_promise(books, r)
    return last is not None and last[0] >= today - timedelta(days=policy.promise_grace_days) and r.promise_date is not None


def _reminder_emails(books: Books, files: Iterable[Receivable]) -> int:
    return len({e.get("message_id") or f"{r.id}:{e['at']}" for r in files for e in books.of(r, "reminder") if not e.get("dry_run")})


def _escalations(books: Books, live: list[Receivable], today: date, policy: DigestPolicy) -> list[Escalation]:
    out = []
    for r in live:
        if r.dispute:
            continue
        notices = [e for e in books.of(r, "reminder") if e.get("stage") in policy.notice_stages and not e.get("dry_run")]
        if not notices:
            continue
        sent = books.day(notices[0])
        deadline = sent + timedelta(days=policy.notice_deadline_days)
        out.append(Escalation(file_line(r, today), sent, deadline, deadline < today))
    return sorted(out, key=lambda e: (e.notice_date, e.file.number))


def _late_payers(books: Books, today: date, policy: DigestPolicy) -> list[LatePayer]:
    by_client: dict[str, list[Receivable]] = defaultdict(list)
    for r in books.receivables:
        by_client[_client_key(r)].append(r)
    out = []
    for files in by_client.values():
        paid = sorted(
            (r for r in files if r.status == CLOSED and r.due_date and r.closed_at and _closed_why(books, r) == "paid"),
            key=lambda r: (r.closed_at, r.number),
        )
        if len(paid) < policy.chronic_min_closed:
            continue
        lates = [max(0, (books.local(r.closed_at) - r.due_date).days) for r in paid]  # type: ignore[operator]
        average = (Decimal(sum(lates)) / len(lates)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        if average < policy.chronic_days_late:
            continue
        before = Decimal(sum(lates[:-1])) / (len(lates) - 1)
        trend = "worse" if lates[-1] > before + 5 else "better" if lates[-1] < before - 5 else "steady"
        lead = paid[-1]
        out.append(LatePayer(
            client=client_label(lead), client_email=lead.client_email, paid_count=len(paid), average_days_late=average,
            last_days_late=lates[-1], trend=trend, paid_numbers=tuple(r.number for r in paid[-5:]),
            open_numbers=tuple(sorted(r.number for r in files if r.status == OPEN)),
        ))
    return sorted(out, key=lambda p: (-p.average_days_late, p.client))


def _closed_why(books: Books, r: Receivable) -> str | None:
    closes = books.of(r, "closed")
    return close_reason(closes[-1].get("why")) if closes else None


# -- one-line history, phone, call script -------------------------------------------------------

_STEP_KINDS = {"registered", "reminder", "client_reply", "auto_reply", "bounce", "promise", "payment", "note", "call_task", "paused"}


def history_steps(books: Books, files: Iterable[Receivable]) -> list[Step]:
    """The story of a client's files, oldest first, one `Step` per event that matters on the phone."""
    steps = []
    for r in files:
        for e in books.of(r):
            kind = e["kind"]
            if kind not in _STEP_KINDS or (kind == "reminder" and e.get("dry_run")):
                continue
            detail = {
                "reminder": e.get("stage") or "",
                "client_reply": e.get("intent") or "other",
                "promise": str(e.get("date") or ""),
                "payment": str(e.get("amount") or ""),
                "note": str(e.get("text") or "")[:60],
                "paused": str(e.get("until") or ""),
            }.get(kind, "")
            steps.append((e["at"], r.number, Step(books.day(e), "reply" if kind == "client_reply" else kind, detail)))
    steps.sort(key=lambda s: (s[0], s[1]))
    out: list[Step] = []
    for _, _, s in steps:
        if out and out[-1] == s:
            continue  # one reminder email listing three invoices is one step, not three
        out.append(s)
    return out


_PHONE_IN_NOTE = re.compile(r"(?:t[ée]l(?:[ée]phone)?|phone|telefoon|gsm|mobile?)\s*[:.]?\s*(\+?[\d][\d .\-/()]{6,}\d)", re.I)


def phone_of(books: Books, files: Iterable[Receivable]) -> str | None:
    """The client's phone: a `phone` recorded on an event (an import), else one written in a note.

    Receivable has no phone field; the importer keeps a spreadsheet's phone column on the
    `registered` event, and the owner can add one with "note F-12: tel 06 12 34 56 78".
    """
    found: list[tuple[str, str]] = []
    for r in files:
        for e in books.of(r):
            if e.get("phone"):
                found.append((e["at"], str(e["phone"])))
            elif e["kind"] == "note" and (m := _PHONE_IN_NOTE.search(str(e.get("text") or ""))):
                found.append((e["at"], " ".join(m.group(1).split())))
    return max(found)[1] if found else None


_SCRIPTS = {
    "en": {
        "one": "Hello, this is {business} calling about invoice {numbers} for {total}, due on {due}.",
        "many": "Hello, this is {business} calling about invoices {numbers}, {total} in all, the first due on {due}.",
        "unpaid": "We have not received the payment yet. Can you confirm when it will be made?",
        "promise": "You told us it would be paid on {promise}, and we have not received it.",
        "silent": "We have written {email} several times without an answer: is that the right address for invoices?",
        "end": "I will confirm what we agree today by email.",
    },
    "fr": {
        "one": "Bonjour, ici {business}, au sujet de la facture {numbers} de {total}, échue le {due}.",
        "many": "Bonjour, ici {business}, au sujet des factures {numbers}, {total} au total, la première échue le {due}.",
        "unpaid": "Nous n'avons pas encore reçu le règlement. Pouvez-vous me confirmer la date du paiement ?",
        "promise": "Vous nous aviez indiqué un paiement le {promise}, et nous ne l'avons pas reçu.",
        "silent": "Nous avons écrit plusieurs fois à {email} sans réponse : est-ce la bonne adresse pour les factures ?",
        "end": "Je vous confirme par e-mail ce que nous convenons aujourd'hui.",
    },
    "nl": {
        "one": "Goedendag, u spreekt met {business}, over factuur {numbers} van {total}, vervallen op {due}.",
        "many": "Goedendag, u spreekt met {business}, over de facturen {numbers}, samen {total}, de eerste vervallen op {due}.",
        "unpaid": "Wij hebben de betaling nog niet ontvangen. Kunt u bevestigen wanneer die gebeurt?",
        "promise": "U had ons een betaling op {promise} beloofd, en wij hebben die niet ontvangen.",
        "silent": "Wij schreven al enkele keren naar {email} zonder antwoord: is dat het juiste adres voor facturen?",
        "end": "Ik bevestig wat we vandaag afspreken per e-mail.",
    },
    "de": {
        "one": "Guten Tag, hier ist {business}, wegen der Rechnung {numbers} über {total}, fällig am {due}.",
        "many": "Guten Tag, hier ist {business}, wegen der Rechnungen {numbers}, zusammen {total}, die erste fällig am {due}.",
        "unpaid": "Wir haben die Zahlung noch nicht erhalten. Können Sie mir bestätigen, wann sie erfolgt?",
        "promise": "Sie hatten uns die Zahlung für den {promise} zugesagt, und wir haben sie nicht erhalten.",
        "silent": "Wir haben mehrmals an {email} geschrieben, ohne Antwort: Ist das die richtige Adresse für Rechnungen?",
        "end": "Ich bestätige Ihnen unsere heutige Absprache per E-Mail.",
    },
}


def call_script(lang: str, business: str, files: Sequence[FileLine], total: Decimal, currency: str,
                broken_promise: date | None = None, silent_email: str | None = None) -> str:
    """A few sentences to say on the phone, in the client's language (en, fr, nl, de).

    For one French invoice: "Bonjour, ici ACME, au sujet de la facture F-12 de 1 440,00 €, échue le
    15 décembre 2026. Nous n'avons pas encore reçu le règlement. Pouvez-vous me confirmer la date du
    paiement ? Je vous confirme par e-mail ce que nous convenons aujourd'hui."
    """
    lang = lang if lang in _SCRIPTS else "en"
    words = _SCRIPTS[lang]
    loc = LOCALES[lang]
    dues = [f.due_date for f in files if f.due_date]
    due = format_date(min(dues), format="long", locale=loc) if dues else "?"
    parts = [(words["one"] if len(files) == 1 else words["many"]).format(
        business=business, numbers=", ".join(f.number for f in files), total=format_currency(total, currency, locale=loc), due=due)]
    if broken_promise is not None:
        parts.append(words["promise"].format(promise=format_date(broken_promise, format="long", locale=loc)))
    parts.append(words["unpaid"])
    if silent_email:
        parts.append(words["silent"].format(email=silent_email))
    parts.append(words["end"])
    return " ".join(parts)


def match_text(text: str) -> str:
    """Lower case without accents or punctuation: 'Société Générale' and 'societe generale' match."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9@.]+", " ", plain.lower()).split())


def _main_currency(files: list[Receivable]) -> str:
    counts = Counter(r.currency for r in files)
    return max(sorted(counts), key=lambda c: counts[c]) if counts else "EUR"


def _sum(values: Iterable[Decimal | None]) -> Decimal:
    total = ZERO
    for v in values:
        total += v or ZERO
    return total


__all__ = [
    "BUCKETS", "Books", "Bucket", "Call", "Closed", "Digest", "DigestPolicy", "Dispute", "Dso", "Escalation",
    "FileLine", "LatePayer", "Payment", "Promise", "Step", "Week", "aged_balance", "balance_on", "build_digest",
    "call_script", "dso", "file_line", "history_steps", "phone_of",
]


# -- the email ------------------------------------------------------------------------------------

def digest_context(d: Digest, lang: str = "en") -> dict[str, Any]:
    """What `templates/<lang>/owner/digest.j2` needs beyond the base context (lang, business_name)."""
    from babel.numbers import format_decimal

    from .charts import bars, text_bar

    drawn = bars([b.amount for b in d.buckets])
    first = (d.calls[0].files[0].number if d.calls else
             next((b.numbers[0] for b in reversed(d.buckets) if b.numbers), "F-12"))
    return {
        "d": d,
        "buckets": [{"key": b.key, "amount": b.amount, "count": b.count, "numbers": b.numbers, "bar": bar,
                     "text_bar": text_bar(bar.percent)} for b, bar in zip(d.buckets, drawn)],
        "example": first,
        "pause_example": d.today + timedelta(days=14),
        "decimal1": lambda x: format_decimal(x, format="#,##0.0", locale=LOCALES.get(lang, "en_GB")),
    }


def render_digest(d: Digest, templates: Any, lang: str, *, commands_hint: str = "done F-12, note F-12: ..., pause F-12 until ...") -> Any:
    """Subject, text and HTML of the digest in the owner's language (a `compose.Rendered`)."""
    ctx = {"lang": lang, "business_name": d.business, "commands_hint": commands_hint} | digest_context(d, lang)
    return templates.render(f"{lang}/owner/digest.j2", ctx)
