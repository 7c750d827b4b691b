"""Receivables and their history, on top of the store: the only code that writes them.

Every change to a file appends an event (what happened, when, why), so the history of a
file can be told back to the owner and the digest can count what mailbot did.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from tinydb import Query

from .models import CANCELLED, CLOSED, OPEN, Receivable
from .plans import UNDER_PLAN
from .store import Store


class Ledger:
    def __init__(self, store: Store):
        self.store = store

    @property
    def _t(self):
        return self.store.table("receivables")

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
        addr = email_addr.lower()
        st = set(statuses)
        return [
            Receivable.from_doc(d, d.doc_id)
            for d in self._t.search(Query().client_email.test(lambda e: (e or "").lower() == addr))
            if d.get("status") in st
        ]

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


def _norm_number(n: str) -> str:
    return "".join(ch for ch in n.upper() if ch.isalnum())
