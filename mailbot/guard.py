"""Loop and flood protection: may this message be handled, may this answer go, may the owner be told now?

A dunning bot that answers an out-of-office in a loop, or mails its owner two hundred notes
because a stranger scripted a flood, loses the trust it exists to earn. The guard makes three
decisions, each from a small record kept in the store (table ``guard``), so they survive a
restart and are committed in the same transaction as the message that called for them:

- ``admit(sender, route_kind, now)`` before dispatch: a sender (or a whole domain) that sends
  more than ``flood_per_sender`` (``flood_per_domain``) messages within ``flood_window`` is
  flooding; every further message from it is quarantined unanswered until it has been quiet for a
  whole window, and the owner is told once per flood (``Admission.notify_owner``).
  Authenticated owner mail is never counted: forwarding fifty invoices at once is work, not a
  flood. Messages that are never answered (loops, bounces, auto-replies) are still counted, since
  backscatter is a flood too, but pass when there is no flood.
- ``allow_auto_reply(correspondent, now)`` before planning any automatic answer to a
  correspondent: at most ``max_auto_replies_per_day`` in any 24 hours (rolling, so there is no
  midnight burst). Owners are not correspondents here; their notes are capped per hour instead.
- ``inspect_message(raw, policy)`` before the message is parsed for real: the shape checks that
  keep the standard library's email parser out of its slow paths (header parsing is quadratic
  in the length of a header; every walk over the parts re-parses each part's headers; the
  parser recurses once per nesting level). Within the message size limit, one 850 KB Subject
  of encoded words costs 80 s and 20 GB, and 5,000 empty parts cost 11 s.
- ``allow_owner_note(subject, now)`` before planning a note to the owner: at most
  ``max_owner_notes_per_hour`` in any hour; the excess is held, and ``held_summary(now)`` (called
  at each tick) gives them back as one summary once the hour has room again.

No I/O of its own beyond the Store passed in. Every write needs the caller's transaction.
"""

from __future__ import annotations

import email.message
import email.parser
import email.policy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tinydb import Query

from .coded import Coded
from .config import env_number
from .rules import Policy
from .store import Store

TABLE = "guard"
# Routes of authenticated owner mail: never counted as a flood.
OWNER_ROUTES = ("owner_forward", "owner_command")
# Routes that are never answered, whatever the guard says (RFC 3834 and loop prevention).
NEVER_ANSWERED = ("loop", "bounce", "auto_reply")
# Headers mailbot reads through the standard library's structured parser, which raises on some
# malformed values (an empty encoded word in From raises IndexError in Python 3.11).
_PARSED_HEADERS = frozenset({
    "from", "to", "cc", "reply-to", "sender", "subject", "date", "message-id", "in-reply-to", "references",
    "auto-submitted", "content-type", "content-disposition", "content-transfer-encoding",
})
_DAY = timedelta(days=1)
_HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class GuardPolicy:
    max_auto_replies_per_day: int = 3
    flood_per_sender: int = 20
    flood_per_domain: int = 60
    flood_window: timedelta = timedelta(minutes=10)
    max_owner_notes_per_hour: int = 20
    max_header_bytes: int = 64 * 1024  # one header, folded lines included (long References: ~10 KB)
    max_mime_parts: int = 200
    max_mime_depth: int = 20  # a forward of a forward of ... nests two levels per forward

    @classmethod
    def from_rules(cls, policy: Policy, env: Mapping[str, str] | None = None) -> GuardPolicy:
        """The policy from rules.yaml (`max_auto_replies_per_day`) and, when given, the environment:
        MAILBOT_FLOOD_MESSAGES, MAILBOT_FLOOD_DOMAIN_MESSAGES, MAILBOT_FLOOD_MINUTES,
        MAILBOT_MAX_OWNER_NOTES_PER_HOUR (pass the environment in; unset keys keep the defaults)."""
        env = env or {}
        base = cls()

        def num(key: str, default: int) -> int:
            return int(env_number(env, key, default))

        return cls(
            max_auto_replies_per_day=policy.max_auto_replies_per_day,
            flood_per_sender=num("MAILBOT_FLOOD_MESSAGES", base.flood_per_sender),
            flood_per_domain=num("MAILBOT_FLOOD_DOMAIN_MESSAGES", base.flood_per_domain),
            flood_window=timedelta(minutes=num("MAILBOT_FLOOD_MINUTES", int(base.flood_window.total_seconds() // 60))),
            max_owner_notes_per_hour=num("MAILBOT_MAX_OWNER_NOTES_PER_HOUR", base.max_owner_notes_per_hour),
            max_header_bytes=num("MAILBOT_MAX_HEADER_KB", base.max_header_bytes // 1024) * 1024,
            max_mime_parts=num("MAILBOT_MAX_MIME_PARTS", base.max_mime_parts),
            max_mime_depth=num("MAILBOT_MAX_MIME_DEPTH", base.max_mime_depth),
        )


@dataclass(frozen=True)
class Admission:
    """What to do with one incoming message, decided before its handler runs."""

    allowed: bool  # False: do not dispatch it
    quarantine: bool  # True: file it in mailbot/quarantine
    notify_owner: bool  # True: plan the one flood note now (`note_context()`)
    reason: str
    flooder: str | None = None  # the address or "@domain" that floods
    count: int = 0  # messages from it within the window, this one included

    def note_context(self) -> dict[str, Any]:
        """Context for the owner template problem.j2 (kind "flood")."""
        return {"kind": "flood", "sender": self.flooder or "?", "count": self.count}


@dataclass(frozen=True)
class HeldSummary:
    """Owner notes held back by the hourly cap, to be sent as one note."""

    subjects: list[str] = field(default_factory=list)
    first_held_at: str = ""

    def note_context(self) -> dict[str, Any]:
        """Context for the owner template result.j2: one line per held note."""
        return {
            # A code with its English sentence: the owner's template words it (macro `title`).
            "title": Coded("held", f"{len(self.subjects)} more notes held back (too many in one hour)", count=len(self.subjects)),
            "changes": [{"kind": "held", "text": s} for s in self.subjects],
            "show_help": False,
        }

    @property
    def key(self) -> str:
        """A stable identity for the summary note's Message-ID."""
        return f"held-summary:{self.first_held_at}"


def inspect_message(raw: bytes, policy: GuardPolicy) -> str | None:
    """Why this message must not be parsed for real (quarantine it with that reason), or None.

    Uses the compat32 parser, which keeps header values as plain strings (linear), and walks
    the tree without recursion.

    >>> inspect_message(raw, GuardPolicy())
    'a header (Subject) is 830 KB; the limit is 64 KB (MAILBOT_MAX_HEADER_KB)'
    """
    try:
        msg = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(raw)
    except RecursionError:
        return f"its MIME structure is nested too deep to read; the limit is {policy.max_mime_depth} levels (MAILBOT_MAX_MIME_DEPTH)"
    parts = 0
    stack = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        parts += 1
        if parts > policy.max_mime_parts:
            return f"it has more than {policy.max_mime_parts} MIME parts (MAILBOT_MAX_MIME_PARTS)"
        if depth > policy.max_mime_depth:
            return f"its MIME structure is nested more than {policy.max_mime_depth} levels deep (MAILBOT_MAX_MIME_DEPTH)"
        for name, value in part.raw_items():
            size = len(name) + len(value)
            if size > policy.max_header_bytes:
                shown = "".join(c if c.isprintable() else "?" for c in name[:40])
                return (f"a header ({shown}) is {_kb(size)}; the limit is {_kb(policy.max_header_bytes)} "
                        "(MAILBOT_MAX_HEADER_KB)")
            if name.lower() in _PARSED_HEADERS:
                try:
                    str(email.policy.default.header_fetch_parse(name, value))
                except Exception as exc:  # noqa: BLE001 - the stdlib parser's own bugs: refuse before it is reached
                    shown = "".join(c if c.isprintable() else "?" for c in name[:40])
                    return f"a header ({shown}) cannot be parsed ({type(exc).__name__}); it is malformed"
        payload = part.get_payload()
        if isinstance(payload, list):
            stack.extend((p, depth + 1) for p in reversed(payload) if isinstance(p, email.message.Message))
    return None


def subject_of(raw: bytes, limit: int = 200) -> str:
    """The Subject as raw text, one line, at most `limit` characters: safe to show for any message;
    "" when there is none or it cannot be read (the owner's templates word that in their language)."""
    try:
        head = email.parser.BytesHeaderParser(policy=email.policy.compat32).parsebytes(raw)
        value = str(head.get("Subject", "") or "")
    except Exception:  # noqa: BLE001 - a courtesy for a note; never worth failing over
        return ""
    return " ".join(value[: limit * 4].split())[:limit]


def _kb(size: int) -> str:
    return f"{size // 1024} KB" if size >= 1024 else f"{size} bytes"


class Guard:
    def __init__(self, store: Store, policy: GuardPolicy):
        self.store = store
        self.policy = policy

    @property
    def _t(self):
        return self.store.table(TABLE)

    # -- floods ------------------------------------------------------------------------------
    def admit(self, sender: str | None, route_kind: str, now: datetime) -> Admission:
        """Count this arrival and say whether it may be handled.

        >>> guard.admit("spam@x.test", "unknown", now)   # the 21st within 10 minutes
        Admission(allowed=False, quarantine=True, notify_owner=True, reason='flood: 21 messages from spam@x.test ...')
        """
        self.store.require_transaction()
        if route_kind in OWNER_ROUTES:
            return Admission(True, False, False, "authenticated owner")
        address = (sender or "").strip().lower() or "(no sender)"
        domain = "@" + address.rsplit("@", 1)[1] if "@" in address else None
        checks = [(address, self.policy.flood_per_sender)]
        if domain is not None:
            checks.append((domain, self.policy.flood_per_domain))
        decision: Admission | None = None
        for key, limit in checks:
            found = self._arrive(key, limit, now)
            if found is not None and decision is None:
                decision = found
        self._forget_quiet(now)
        return decision or Admission(True, False, False, "no flood")

    def _arrive(self, key: str, limit: int, now: datetime) -> Admission | None:
        q = Query()
        doc = self._t.get((q.type == "arrivals") & (q.key == key))
        start = now - self.policy.flood_window
        if doc is None:
            record: dict[str, Any] = {"type": "arrivals", "key": key, "times": [], "flood": False, "count": 0, "last": ""}
        else:
            record = dict(doc)
        recent = [t for t in record["times"] if datetime.fromisoformat(t) > start]
        flooding = bool(record["flood"]) and bool(record["last"]) and datetime.fromisoformat(record["last"]) > start
        # Only the last `limit + 1` arrivals matter to decide; keep no more (a flood must not grow the store).
        recent = (recent + [now.isoformat()])[-(limit + 1):]
        count = record["count"] + 1 if flooding else len(recent)
        notify = False
        if not flooding and len(recent) > limit:
            flooding, notify = True, True
        record.update(times=recent, flood=flooding, count=count if flooding else 0, last=now.isoformat())
        if doc is None:
            self._t.insert(record)
        else:
            self._t.update(record, doc_ids=[doc.doc_id])
        if not flooding:
            return None
        minutes = int(self.policy.flood_window.total_seconds() // 60)
        return Admission(
            False, True, notify,
            f"flood: {count} messages from {key} within {minutes} minutes; quarantined until it stops for {minutes} minutes",
            key, count,
        )

    def _forget_quiet(self, now: datetime) -> None:
        start = now - self.policy.flood_window
        q = Query()
        self._t.remove((q.type == "arrivals") & q.last.test(lambda t: not t or datetime.fromisoformat(t) <= start))

    # -- automatic answers ------------------------------------------------------------------
    def allow_auto_reply(self, correspondent: str | None, now: datetime) -> bool:
        """True (and counted) when one more automatic answer to `correspondent` may be planned."""
        self.store.require_transaction()
        if not correspondent:
            return False  # no single address to answer: answering would go who knows where
        key = correspondent.strip().lower()
        allowed = self._take(("replies", key), self.policy.max_auto_replies_per_day, _DAY, now)
        # Correspondents answered more than a day ago need no record any more.
        start = now - _DAY
        q = Query()
        self._t.remove((q.type == "replies") & q.times.test(lambda ts: all(datetime.fromisoformat(t) <= start for t in ts)))
        return allowed

    # -- notes to the owner -----------------------------------------------------------------
    def owner_note_within_cap(self, now: datetime) -> bool:
        """True (and counted) while fewer than `max_owner_notes_per_hour` notes went out this hour."""
        self.store.require_transaction()
        return self._take(("notes", "owner"), self.policy.max_owner_notes_per_hour, _HOUR, now)

    def allow_owner_note(self, subject: str, now: datetime) -> bool:
        """True (and counted) when a note may be planned now; False: it was held for the summary."""
        self.store.require_transaction()
        if self._take(("notes", "owner"), self.policy.max_owner_notes_per_hour, _HOUR, now):
            return True
        self._t.insert({"type": "held", "subject": " ".join(str(subject).split())[:200], "at": now.isoformat()})
        return False

    def held_summary(self, now: datetime) -> HeldSummary | None:
        """The held notes as one summary, once the hour has room for it (then they are forgotten).

        The summary is then planned like any note (through `allow_owner_note`, which counts it and
        lets it pass, since this only answers when the hour has room).
        """
        self.store.require_transaction()
        q = Query()
        held = sorted(self._t.search(q.type == "held"), key=lambda d: d.doc_id)
        if not held:
            return None
        if self._recent(("notes", "owner"), _HOUR, now) >= self.policy.max_owner_notes_per_hour:
            return None
        self._t.remove(doc_ids=[d.doc_id for d in held])
        return HeldSummary([d["subject"] for d in held], held[0]["at"])

    def _recent(self, key: tuple[str, str], period: timedelta, now: datetime) -> int:
        q = Query()
        doc = self._t.get((q.type == key[0]) & (q.key == key[1]))
        start = now - period
        return sum(1 for t in (doc["times"] if doc else []) if datetime.fromisoformat(t) > start)

    def _take(self, key: tuple[str, str], limit: int, period: timedelta, now: datetime) -> bool:
        """A rolling-window counter: record `now` and return True when fewer than `limit` are in `period`."""
        q = Query()
        kind, who = key
        doc = self._t.get((q.type == kind) & (q.key == who))
        start = now - period
        times = [t for t in (doc["times"] if doc else []) if datetime.fromisoformat(t) > start]
        allowed = len(times) < limit
        if allowed:
            times.append(now.isoformat())
        if doc is None:
            self._t.insert({"type": kind, "key": who, "times": times})
        else:
            self._t.update({"times": times}, doc_ids=[doc.doc_id])
        return allowed
