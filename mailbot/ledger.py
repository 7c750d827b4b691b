"""Receivables and their history, on top of the store: the only code that writes them.

Every change to a file appends an event (what happened, when, why), so the history of a
file can be told back to the owner and the digest can count what mailbot did.

Store indexes (`INDEXES`) keep the receivables grouped, so that the reminder tick loads the
clients something may be due for rather than the whole history: by client address (every
status; and the closed files alone, the paid history), and the open files by what they wait
for (`scheduler.Waiting`). They are derived from the stored documents, rebuilt at every load
and never written: the documents stay the only truth.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from tinydb import Query

from .models import CANCELLED, CLOSED, OPEN, Receivable
from .plans import UNDER_PLAN
from .scheduler import Waiting
from .segments import Paid, paid_history
from .store import Index, Store


class Ledger:
    def __init__(self, store: Store):
        self.store = store

    @property
    def _t(self):
        return self.store.table("receivables")

    def index(self, name: str) -> Index:
        """One of `INDEXES`, up to date."""
        return self.store.index(f"receivables.{name}", "receivables", INDEXES[name])

    @property
    def _by_client(self) -> Index:
        return self.index("by_client")

    @property
    def _paid_by_client(self) -> Index:
        return self.index("paid_by_client")

    @property
    def _waiting(self) -> Index:
        return self.index("waiting")

    def get(self, rid: int) -> Receivable | None:
        doc = self._t.get(doc_id=rid)
        return Receivable.from_doc(doc, doc.doc_id) if doc else None

    def all(self) -> list[Receivable]:
        return [Receivable.from_doc(d, d.doc_id) for d in self._t.all()]

    def open(self) -> list[Receivable]:
        return [Receivable.from_doc(d, d.doc_id) for d in self._t.search(Query().status == OPEN)]

    def find_number(self, number: str, statuses: Iterable[str] = (OPEN, "draft")) -> list[Receivable]:
        wanted = _norm_number(number)
        st = set(statuses)
        return [
            Receivable.from_doc(d, d.doc_id)
            for d in self._t.search(Query().number.test(lambda n: _norm_number(n or "") == wanted))
            if d.get("status") in st
        ]

    def for_client(self, email_addr: str, statuses: Iterable[str] = (OPEN,)) -> list[Receivable]:
        return self.for_clients([email_addr], statuses)

    def for_clients(self, addresses: Iterable[str], statuses: Iterable[str] | None = (OPEN,)) -> list[Receivable]:
        """The files of these client addresses (any case), in id order; `statuses=None`: every status."""
        st = None if statuses is None else set(statuses)
        table = self._t
        docs = [table.get(doc_id=rid) for rid in self._by_client.ids(*{a.lower() for a in addresses})]
        return [Receivable.from_doc(d, d.doc_id) for d in docs if d is not None and (st is None or d.get("status") in st)]

    def waiting(self, ready: Callable[[Waiting], bool]) -> dict[str, list[Waiting]]:
        """Client address (lower case) -> what its open files wait for, for the files whose `Waiting`
        is `ready`: `ready` is asked once per distinct `Waiting`, not once per file.

        >>> # ledger.waiting(lambda w: w.due_date <= date(2026, 3, 3)) -> {'compta@acme.fr': [Waiting(0, ...)]}
        """
        index, by_client = self._waiting, self._by_client
        out: dict[str, list[Waiting]] = {}
        for w in index.keys():
            if ready(w):
                for rid in index.ids(w):
                    out.setdefault(by_client.key_of(rid), []).append(w)  # type: ignore[arg-type]
        return out

    def paid_history(self, addresses: Iterable[str]) -> dict[str, list[Paid]]:
        """`segments.paid_history` of these clients, reading of their closed files only what it reads."""
        table = self._t
        closed = []
        for rid in self._paid_by_client.ids(*{a.lower() for a in addresses}):
            d = table.get(doc_id=rid)
            if d is not None:
                closed.append(Receivable(id=rid, status=CLOSED, client_email=d.get("client_email"),
                                         due_date=_day(d.get("due_date")), closed_at=_instant(d.get("closed_at"))))
        return paid_history(closed)

    def add(self, r: Receivable) -> Receivable:
        self.store.require_transaction()
        r.id = self._t.insert(r.to_doc())
        return r

    def save(self, r: Receivable) -> None:
        self.store.require_transaction()
        self._t.update(r.to_doc(), doc_ids=[r.id])

    def event(self, r: Receivable | None, kind: str, at: datetime, **detail: Any) -> None:
        self.store.require_transaction()
        self.store.table("events").insert(
            {"receivable": r.id if r else None, "kind": kind, "at": at.isoformat(), **detail}
        )

    def history(self, rid: int) -> list[dict[str, Any]]:
        return sorted(self.store.table("events").search(Query().receivable == rid), key=lambda e: e["at"])

    def instalments(self, parent_id: int) -> list[Receivable]:
        """The instalments a plan split file `parent_id` into, in order."""
        docs = self._t.search(Query().plan_of == parent_id)
        return sorted((Receivable.from_doc(d, d.doc_id) for d in docs), key=lambda r: (r.due_date or datetime.max.date(), r.id))

    def close(self, r: Receivable, at: datetime, why: str) -> None:
        """Close `r`; the last instalment of a plan to close closes the plan's file too."""
        r.status = CLOSED
        r.closed_at = at
        self.save(r)
        self.event(r, "closed", at, why=why)
        if r.plan_of is not None:
            parent = self.get(r.plan_of)
            siblings = self.instalments(r.plan_of)
            if parent is not None and parent.status == UNDER_PLAN and all(s.status in (CLOSED, CANCELLED) for s in siblings):
                parent.status = CLOSED
                parent.closed_at = at
                parent.amount_due = Decimal(0)
                self.save(parent)
                self.event(parent, "closed", at, why="every instalment of the plan is closed")

    # -- credit notes already applied (so a second forward does not apply one twice) -------
    def record_credit_note(self, number: str, seller: str | None, amount: Decimal, r: Receivable, at: datetime) -> None:
        self.store.require_transaction()
        self.store.table("credit_notes").insert({"number": _norm_number(number), "seller": seller, "amount": str(amount),
                                                 "receivable": r.id, "at": at.isoformat()})

    def credit_note_seen(self, number: str, seller: str | None) -> bool:
        wanted = _norm_number(number)
        return any(d["number"] == wanted and (not seller or not d.get("seller") or d["seller"] == seller)
                   for d in self.store.table("credit_notes").all())

    # -- client addresses that bounced hard -------------------------------------------------
    def mark_bad_address(self, address: str, at: datetime, reason: str) -> None:
        self.store.require_transaction()
        t = self.store.table("bad_addresses")
        if not t.get(Query().address == address.lower()):
            t.insert({"address": address.lower(), "at": at.isoformat(), "reason": reason})

    def bad_addresses(self) -> set[str]:
        return {d["address"] for d in self.store.table("bad_addresses").all()}

    def clear_bad_address(self, address: str) -> None:
        self.store.require_transaction()
        self.store.table("bad_addresses").remove(Query().address == address.lower())


def _client_key(doc: Mapping[str, Any]) -> str | None:
    email_addr = doc.get("client_email")
    return email_addr.lower() if email_addr else None


def _paid_client_key(doc: Mapping[str, Any]) -> str | None:
    """The client of a closed file, the only ones `segments.paid_history` reads."""
    return _client_key(doc) if doc.get("status") == CLOSED else None


def _waiting_key(doc: Mapping[str, Any]) -> Waiting | None:
    """What an open file waits for; None for a file the scheduler skips until it is written again
    (not open, incomplete, disputed: each changes only by a write, which looks at it again)."""
    if doc.get("status") != OPEN or not doc.get("due_date") or not doc.get("client_email") or doc.get("dispute"):
        return None
    return Waiting(doc.get("last_stage", -1), _day(doc["due_date"]), _day(doc.get("promise_date")),  # type: ignore[arg-type]
                   _day(doc.get("paused_until")), bool(doc.get("b2c")), doc.get("segment_override") or None)


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _instant(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


# The ledger's indexes over the receivables table: name -> the key of one stored document.
INDEXES: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "by_client": _client_key,
    "paid_by_client": _paid_client_key,
    "waiting": _waiting_key,
}


def _norm_number(n: str) -> str:
    return "".join(ch for ch in n.upper() if ch.isalnum())
