"""Owner notes gathered into one email per hour or per day (rules.yaml `notifications`).

A note that may wait is planned like any other (same deterministic Message-ID, same per-file
threading headers) but kept in the outbox in state `held` with `batch: waiting`. At each tick,
once a batch time has passed, every note held before it goes into one email; that email is
planned in the same transaction that marks those notes with its Message-ID, and its
Message-ID is a function of the batch time, so a crash or a restart never sends it twice nor
loses a note.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from typing import Any

import logging


from ..compose import Attachment, build_message
from ..outbox import Outbox, make_message_id, parse_raw
from ..rules import Notifications
from ..store import Store
from .base import Desk

log = logging.getLogger(__name__)
WAITING = "waiting"  # the `batch` marker of a held note not yet in a batch email
_FOOTER = "\n--\n"  # every owner template ends its text with this line, then the commands hint


def note_kind(template: str, context: dict[str, Any]) -> str:
    """What a note is about, as rules.yaml names it: the template, or for problems their kind."""
    return str(context.get("kind") or template) if template == "problem" else template


def hold_for_batch(outbox: Outbox, message_id: str) -> None:
    """Mark a just-planned note as waiting for the batch (a re-run finds it marked already)."""
    outbox.store.require_transaction()
    entries = [e for e in outbox.find([message_id]) if "batch" not in e]
    if entries:
        outbox.table.update({"batch": WAITING}, doc_ids=[e.doc_id for e in entries])


def _waiting(store: Store) -> list[dict[str, Any]]:
    """The held notes waiting for a batch, in planning order: an index, not a scan of the whole
    outbox at every tick (hundreds of thousands of sent emails on a long-lived install)."""
    index = store.index("outbox.batch_waiting", "outbox", lambda d: WAITING if d.get("batch") == WAITING else None)
    table = store.table("outbox")
    return [d for d in (table.get(doc_id=i) for i in index.ids(WAITING)) if d is not None]


def batch_time(notes: Notifications, local_now: datetime) -> datetime:
    """The latest batch time at or before `local_now` (an aware datetime in the owner's zone).

    Immediate mode still has a batch time, the hour: notes held while the mode was hourly or
    daily must go out after the owner switches back.
    """
    if notes.mode != "daily":
        return local_now.replace(minute=0, second=0, microsecond=0)
    hour, minute = (int(x) for x in notes.daily_at.split(":"))
    at = datetime.combine(local_now.date(), time(hour, minute), tzinfo=local_now.tzinfo)
    return at if at <= local_now else datetime.combine(local_now.date() - timedelta(days=1), time(hour, minute),
                                                       tzinfo=local_now.tzinfo)


def plan_note_batch(desk: Desk) -> bool:
    """Plan the batch email if a batch time has passed with notes waiting. Called at every tick."""
    table = desk.outbox.table
    if not _waiting(desk.store):
        return False
    slot = batch_time(desk.rules.notifications, desk.now.astimezone(desk.settings.timezone))
    with desk.store.transaction():
        due = sorted((e for e in _waiting(desk.store) if datetime.fromisoformat(e["created_at"]) < slot),
                     key=lambda e: e.doc_id)
        if not due:
            return False
        mid = make_message_id(desk.store, desk.domain, "note-batch", slot.astimezone(timezone.utc).strftime("%Y%m%dT%H%MZ"))
        if desk.outbox.find([mid]):
            return False  # this batch time was served (a clock set back): they go with the next one
        lang = desk.rules.business.language
        ctx = desk.base_context(lang) | batch_context(desk, due, slot)
        rendered = desk.templates.render(f"{lang}/owner/batch.j2", ctx)
        msg = build_message(rendered, from_name=f"mailbot ({desk.rules.business.name})", from_addr=desk.settings.address,
                            to=list(desk.settings.owners), message_id=mid, when=desk.now, attachments=held_attachments(desk, due))
        files = sorted({rid for e in due for rid in e["receivables"]})
        desk.outbox.plan(msg, kind="note:batch", receivables=files, now=desk.now)
        table.update({"batch": mid}, doc_ids=[e.doc_id for e in due])
    return True


def batch_context(desk: Desk, due: list[dict[str, Any]], slot: datetime) -> dict[str, Any]:
    """Template context: the held notes grouped per file (notes about no file last), oldest first."""
    tz = desk.settings.timezone
    groups: dict[int | None, dict[str, Any]] = {}
    for entry in due:
        rid = entry["receivables"][0] if entry["receivables"] else None
        if rid not in groups:
            r = desk.ledger.get(rid) if rid is not None else None
            groups[rid] = {"number": r.number if r else None, "client": (r.client_name or r.client_email) if r else None,
                           "notes": []}
        groups[rid]["notes"].append({
            "at": datetime.fromisoformat(entry["created_at"]).astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "subject": entry["subject"],
            "text": _note_text(entry),
        })
    ordered = [g for k, g in groups.items() if k is not None] + ([groups[None]] if None in groups else [])
    first = min(datetime.fromisoformat(e["created_at"]) for e in due).astimezone(tz)
    return {"count": len(due), "groups": ordered, "period": desk.rules.notifications.mode,
            "since": first.strftime("%Y-%m-%d %H:%M"), "until": slot.strftime("%Y-%m-%d %H:%M")}


# What one batch email carries of the held notes' attachments (a client's original message, a
# letter): past this, later ones stay out; each held note is still in the outbox with them.
MAX_BATCH_ATTACHMENT_BYTES = 10 * 1024 * 1024


def held_attachments(desk: Desk, due: list[dict[str, Any]]) -> list[Attachment]:
    """The held notes' attachments, oldest first, so that the batch email keeps what each note
    carried (the client's own message above all); named after the note's file when it has one."""
    out: list[Attachment] = []
    total = 0
    for entry in due:
        for part in parse_raw(entry).iter_attachments():
            ctype = part.get_content_type()
            content = part.get_content()
            data = bytes(content) if ctype == "message/rfc822" else content if isinstance(content, bytes) else str(content).encode("utf-8")
            if total + len(data) > MAX_BATCH_ATTACHMENT_BYTES:
                log.warning("batch email: %s left out (the batch carries at most %d bytes of attachments)",
                            part.get_filename() or ctype, MAX_BATCH_ATTACHMENT_BYTES)
                continue
            total += len(data)
            r = desk.ledger.get(entry["receivables"][0]) if entry.get("receivables") else None
            prefix = f"{r.number}-" if r is not None else ""
            out.append(Attachment(f"{prefix}{part.get_filename() or 'attachment'}", ctype, data))
    return out


def _note_text(entry: dict[str, Any]) -> str:
    """A held note's plain text without its footer (the batch email has its own)."""
    body = parse_raw(entry).get_body(("plain",))
    text = (body.get_content() if body is not None else "").replace("\r\n", "\n")
    return text.rsplit(_FOOTER, 1)[0].strip() if _FOOTER in text else text.strip()
