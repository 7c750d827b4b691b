"""Which reminders are due now: pure logic over receivables, rules and a date.

No I/O: the daemon passes in the open receivables and today's date in the owner's time zone,
and gets back one `Due` per client (a client with several late invoices gets one email that
lists them all, its tone set by the most advanced stage).

A file registered late, or after downtime, gets only the stage its age calls for: missed
stages are skipped, never sent in a burst.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from .models import Receivable
from .rules import Rules, Stage


@dataclass
class DueItem:
    receivable: Receivable
    stage: Stage | None  # None for a "promise not kept" follow-up
    kind: str = "stage"  # "stage" | "promise_broken"


@dataclass
class Due:
    client_email: str
    items: list[DueItem] = field(default_factory=list)

    @property
    def top_stage(self) -> Stage | None:
        stages = [i.stage for i in self.items if i.stage is not None]
        return max(stages, key=lambda s: s.index) if stages else None


def stage_for_age(rules: Rules, days_from_due: int) -> Stage | None:
    """The most advanced stage whose offset has been reached, or None."""
    reached = [s for s in rules.stages if s.after <= days_from_due]
    return reached[-1] if reached else None


def next_stage_date(rules: Rules, r: Receivable) -> tuple[date, Stage] | None:
    """When the next stage of `r` falls due (ignoring pauses), for confirmations and previews."""
    if r.due_date is None:
        return None
    for s in rules.stages:
        if s.index > r.last_stage:
            return r.due_date + timedelta(days=s.after), s
    return None


def blocked_reason(r: Receivable, today: date, rules: Rules, bad_addresses: set[str]) -> str | None:
    """Why `r` gets nothing today, or None."""
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
    if r.last_reminder_at and (today - r.last_reminder_at.date()).days < rules.policy.min_gap_days:
        return "min gap"
    return None


def due_reminders(receivables: list[Receivable], rules: Rules, today: date, bad_addresses: set[str] = frozenset()) -> list[Due]:
    by_client: dict[str, Due] = {}
    for r in receivables:
        if blocked_reason(r, today, rules, bad_addresses):
            continue
        assert r.due_date is not None and r.client_email
        item = None
        if r.promise_date and today > r.promise_date + timedelta(days=rules.policy.promise_grace_days):
            item = DueItem(r, None, "promise_broken")
        elif not r.promise_date:
            stage = stage_for_age(rules, (today - r.due_date).days)
            if stage is not None and stage.index > r.last_stage:
                item = DueItem(r, stage)
        if item:
            key = r.client_email.lower()
            by_client.setdefault(key, Due(r.client_email)).items.append(item)
    # A client's overdue invoices that are not due a new stage today are still listed: the
    # statement of account shows everything late, not only what moved.
    out = []
    for key, due in by_client.items():
        listed = {i.receivable.id for i in due.items}
        for r in receivables:
            if (
                r.id not in listed and r.is_open and r.client_email and r.client_email.lower() == key
                and r.due_date and r.due_date < today and not r.dispute
            ):
                due.items.append(DueItem(r, None, "listed"))
        due.items.sort(key=lambda i: (i.receivable.due_date or today, i.receivable.id))
        out.append(due)
    return sorted(out, key=lambda d: d.client_email)

