"""Run the scheduler over coming days without sending anything: what `mailbot simulate` prints.

Pure: receivables (copied, never the stored ones), rules and a start instant in; the list of
what would happen out. Each day is looked at when its send window first opens (the daemon
ticks every minute, so that is when it would act), and `scheduler.commit` moves the files
exactly as the daemon does. Nobody answers, pays or disputes during a simulation unless the
caller's `on_day` hook says so (the property tests use it to pay, dispute, pause and bounce).
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

from .businessdays import SendWindow, next_send_time
from .models import CLOSED, OPEN, Receivable
from .rules import Rules
from .scheduler import client_facts, commit, due_reminders, stage_for_age
from .statement import client_language


@dataclass(frozen=True)
class Action:
    """One thing mailbot would do: an email, a call task or a formal notice."""

    at: datetime
    client: str
    kind: str  # "email" | "call" | "letter"
    stage: str  # the stage name, or "promise_broken"
    numbers: tuple[str, ...]  # the invoices it is about (for an email: every invoice it lists)
    moved: tuple[tuple[int, str, int | None], ...]  # (receivable id, stage, its "after" for this client) that advanced
    lang: str = ""
    total: Decimal = Decimal(0)
    dry_run: bool = False

    def as_dict(self) -> dict:
        return {"at": self.at.isoformat(), "client": self.client, "kind": self.kind, "stage": self.stage,
                "invoices": list(self.numbers), "language": self.lang, "total": str(self.total), "dry_run": self.dry_run}


def window_ticks(window: SendWindow, country: str) -> Callable[[date], list[datetime]]:
    """The instant each day when the window first opens (none on a closed day)."""

    def ticks(day: date) -> list[datetime]:
        start = datetime.combine(day, time(0), window.zone)
        t = next_send_time(start, window, country)
        return [t] if t.date() == day else []

    return ticks


def simulate(
    receivables: Iterable[Receivable],
    rules: Rules,
    start: date,
    days: int,
    *,
    window: SendWindow,
    bad_addresses: set[str] | frozenset[str] = frozenset(),
    ticks: Callable[[date], list[datetime]] | None = None,
    on_day: Callable[[date, list[Receivable], set[str]], None] | None = None,
) -> tuple[list[Action], list[Receivable]]:
    """What would happen from `start` over `days` days; returns the actions and the files after."""
    files = [copy.deepcopy(r) for r in receivables]
    bad = set(bad_addresses)
    ticks = ticks or window_ticks(window, rules.policy.calendar)
    actions: list[Action] = []
    for n in range(days):
        day = start + timedelta(days=n)
        if on_day is not None:
            on_day(day, files, bad)
        for now in ticks(day):
            facts = client_facts(files)
            for due in due_reminders([r for r in files if r.is_open], rules, now, window=window, bad_addresses=bad, facts=facts):
                actions.extend(_actions(due, now, rules))
                commit(due, now, now.astimezone(window.zone).date())
    return actions, files


def _actions(due, now: datetime, rules: Rules) -> list[Action]:
    out = []
    for i in due.calls:
        out.append(Action(now, due.client_email, "call", i.stage.name, (i.receivable.number,), ((i.receivable.id, i.stage.name, i.stage.after),)))
    if due.letters:
        files = [i.receivable for i in due.letters]
        out.append(Action(now, due.client_email, "letter", due.letters[0].stage.name, tuple(r.number for r in files),
                          tuple((i.receivable.id, i.stage.name, i.stage.after) for i in due.letters),
                          client_language(files[0], rules), sum((r.amount_due or Decimal(0) for r in files), Decimal(0))))
    if due.emailed:
        files = due.in_email
        stage = due.email_stage
        label = "promise_broken" if due.template == "promise_broken" or stage is None else stage.name
        out.append(Action(now, due.client_email, "email", label,
                          tuple(r.number for r in files),
                          tuple((i.receivable.id, i.stage.name if i.stage else "promise_broken", i.stage.after if i.stage else None)
                                for i in due.emailed if i not in due.letters),  # a letter is its own action
                          client_language(files[0], rules), sum((r.amount_due or Decimal(0) for r in files), Decimal(0)),
                          rules.policy.dry_run))
    return out


# --- a generated portfolio, for `mailbot simulate --generate N` and the bench ----------------

_NAMES = ("Boulangerie Martin", "Garage Dupuis", "Atelier Lenoir", "Bakkerij De Vries", "Schreinerei Weber",
          "Cabinet Morel", "Studio Janssens", "Imprimerie Roux", "Hotel Peeters", "Bureau Schmidt", "Ferme Girard",
          "Transports Faure", "Fleuriste Blanc", "Drukkerij Maes", "Café Fontaine", "Elektro Becker")


def generated_portfolio(n: int, today: date, *, seed: int = 1, clients: int | None = None,
                        rules: Rules | None = None) -> list[Receivable]:
    """`n` open invoices over about n/3 clients, due from 40 days ago to 30 days ahead, plus
    each client's paid history (closed files) so that segments differ.

    With `rules`, the overdue files are already under way: each has had the stage its age
    called for yesterday, as if mailbot had been following them (otherwise a first run
    starts every old file at the stage its age calls for today)."""
    rnd = random.Random(seed)
    n_clients = clients or max(1, n // 3)
    out: list[Receivable] = []
    consumer: dict[int, bool] = {}
    langs = ("fr", "fr", "fr", "en", "nl", "de")
    rid = 0
    for c in range(n_clients):
        name = f"{_NAMES[c % len(_NAMES)]} {c + 1}"
        email_addr = f"compta{c + 1}@client{c + 1}.test"
        lang = langs[c % len(langs)]
        b2c = consumer[c] = rnd.random() < 0.15
        habit = rnd.choice((0, 0, 3, 10, 30))  # how late this client usually pays
        for k in range(rnd.choice((0, 1, 3, 4))):
            rid += 1
            due = today - timedelta(days=200 - 40 * k)
            paid = due + timedelta(days=max(0, habit + rnd.randint(-2, 5)))
            out.append(Receivable(id=rid, number=f"H{rid:06d}", status=CLOSED, client_email=email_addr, client_name=name,
                                  amount=Decimal("100.00"), amount_due=Decimal("0.00"), due_date=due,
                                  issue_date=due - timedelta(days=30), language=lang, b2c=b2c, last_stage=1,
                                  closed_at=datetime.combine(paid, time(10), tzinfo=timezone.utc)))
    for k in range(n):
        rid += 1
        c = rnd.randrange(n_clients)
        due = today + timedelta(days=rnd.randint(-40, 30))
        amount = Decimal(rnd.randint(5000, 500000)) / 100
        r = Receivable(id=rid, number=f"F2026-{k + 1:04d}", status=OPEN, client_email=f"compta{c + 1}@client{c + 1}.test",
                       client_name=f"{_NAMES[c % len(_NAMES)]} {c + 1}", amount=amount, amount_due=amount, due_date=due,
                       issue_date=due - timedelta(days=30), language=langs[c % len(langs)],
                       b2c=consumer[c])
        if rules is not None and due < today:
            reached = stage_for_age(rules.stages, (today - due).days - 1)
            if reached is not None:
                r.last_stage = reached.index
                if reached.channel == "email":
                    r.last_reminder_at = datetime.combine(due + timedelta(days=reached.after), time(9), timezone.utc)
        out.append(r)
    return out
