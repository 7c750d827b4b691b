"""Which kind of client someone is, from the invoices they already paid: pure, no I/O.

A first invoice tells nothing about a client, so new clients get the stricter schedule; a
client who paid the last few invoices on time gets a gentler one; one who pays weeks late
on average gets reminded earlier. The owner can fix the kind for a client (rules.yaml
`clients:`, or `Receivable.segment_override`), which always wins over the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from .models import CLOSED, Receivable
from .rules import SEGMENTS, Rules, Segments


@dataclass(frozen=True)
class Paid:
    """One invoice of the client's history: when it was due, when it was paid."""

    due_date: date
    paid_on: date

    @property
    def days_late(self) -> int:
        return max(0, (self.paid_on - self.due_date).days)


def classify(history: Sequence[Paid], thresholds: Segments) -> str:
    """'new', 'chronic', 'loyal' or 'regular', from the paid invoices oldest first.

    >>> s = Segments(new_below_paid=2, loyal_on_time=2, chronic_last=2, chronic_average_days_late=10)
    >>> classify([Paid(date(2026, 1, 1), date(2026, 1, 1))], s)
    'new'
    >>> classify([Paid(date(2026, 1, 1), date(2026, 1, 30)), Paid(date(2026, 2, 1), date(2026, 2, 20))], s)
    'chronic'
    """
    if len(history) < thresholds.new_below_paid:
        return "new"
    recent = list(history)[-thresholds.chronic_last:]
    if len(recent) >= thresholds.chronic_last:
        average = sum(p.days_late for p in recent) / len(recent)
        if average >= thresholds.chronic_average_days_late:
            return "chronic"
    on_time = list(history)[-thresholds.loyal_on_time:]
    if len(on_time) >= thresholds.loyal_on_time and all(p.days_late <= thresholds.loyal_tolerance_days for p in on_time):
        return "loyal"
    return "regular"


def paid_history(receivables: Iterable[Receivable]) -> dict[str, list[Paid]]:
    """Client address -> the invoices it paid, oldest payment first (closed files only:
    cancelled ones say nothing about how a client pays)."""
    out: dict[str, list[Paid]] = {}
    for r in receivables:
        if r.status == CLOSED and r.closed_at is not None and r.due_date is not None and r.client_email:
            out.setdefault(r.client_email.lower(), []).append(Paid(r.due_date, r.closed_at.date()))
    for items in out.values():
        items.sort(key=lambda p: p.paid_on)
    return out


def segment_of(r: Receivable, rules: Rules, history: Sequence[Paid]) -> str:
    """The kind of client `r` is: the owner's word first, then the history."""
    if r.segment_override in SEGMENTS:
        return r.segment_override  # type: ignore[return-value]
    override = rules.override_for(r.client_email)
    if override is not None and override.segment:
        return override.segment
    return classify(history, rules.segments)


def is_b2c(r: Receivable, rules: Rules) -> bool:
    override = rules.override_for(r.client_email)
    if override is not None and override.b2c is not None:
        return override.b2c
    return r.b2c
