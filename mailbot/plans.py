"""Instalment plans: pure arithmetic of splitting what is owed into dated instalments.

The design (handlers/command.py applies it): each instalment becomes a receivable of its own,
"F-12 (1/3)", with its own due date and amount, so the reminder engine follows it like any
invoice (courtesy before, reminders after, promises, disputes) with no special case. The
parent file is marked as under a plan (status UNDER_PLAN): the scheduler only reminds open
files, so the parent is never reminded itself; it closes when its last instalment closes
(ledger.close), and "done"/"cancel" on the parent act on every instalment.

>>> [(i.number, str(i.amount), i.due_date.isoformat()) for i in split("F-12", Decimal("100.00"), 3, "monthly", date(2027, 1, 31))]
[('F-12 (1/3)', '33.33', '2027-01-31'), ('F-12 (2/3)', '33.33', '2027-02-28'), ('F-12 (3/3)', '33.34', '2027-03-31')]
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from .coded import Coded

UNDER_PLAN = "plan"  # status of a file whose balance was split into instalments


@dataclass(frozen=True)
class Instalment:
    number: str
    index: int  # 1-based
    amount: Decimal
    due_date: date


def add_months(d: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (Jan 31 + 1 -> Feb 28)."""
    m = d.month - 1 + months
    year, month = d.year + m // 12, m % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def due_dates(first: date, count: int, period: str) -> list[date]:
    if period == "weekly":
        return [first + timedelta(weeks=i) for i in range(count)]
    return [add_months(first, i) for i in range(count)]


def first_due(today: date, period: str) -> date:
    """Without a start date, the first instalment falls one period from today."""
    return today + timedelta(weeks=1) if period == "weekly" else add_months(today, 1)


def refusal(number: str, *, is_instalment: bool, balance: Decimal | None) -> Coded | None:
    """Why `number` cannot be split into a plan (a code the owner's note words), or None when it can.

    >>> refusal("F-12 (1/3)", is_instalment=True, balance=Decimal("10")).code
    'plan_of_instalment'
    """
    if is_instalment:
        return Coded("plan_of_instalment", f"{number} is already an instalment", number=number)
    if not balance or balance <= 0:
        return Coded("plan_nothing_left", f"{number} has nothing left to pay", number=number)
    return None


def split(number: str, balance: Decimal, count: int, period: str, first: date) -> list[Instalment]:
    """Equal instalments to the cent; the last takes the remainder so the sum is exact."""
    if count < 2:
        raise ValueError(f"a plan needs at least 2 instalments, got {count}")
    if balance <= 0:
        raise ValueError(f"nothing to split: the balance is {balance}")
    share = (balance / count).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    amounts = [share] * (count - 1) + [balance - share * (count - 1)]
    return [Instalment(instalment_number(number, i + 1, count), i + 1, a, d)
            for i, (a, d) in enumerate(zip(amounts, due_dates(first, count, period)))]


def instalment_number(number: str, index: int, count: int) -> str:
    return f"{number} ({index}/{count})"
