"""Who sent this and what is it? Each message goes to exactly one handler.

Routes, checked in this order (the first that fits wins):
- `loop`: mailbot's own address in From: never answered.
- `bounce`: a delivery failure report (RFC 3464 or a common non-standard one).
- `auto_reply`: an out-of-office or other automatic message (RFC 3834 and friends).
- `refused`: an owner address, but not authenticated, or an owner address dressed up (as a
  display name, or among several From addresses): nothing changes, the owner is told.
- `owner_forward`: an authenticated owner sends an invoice (attachment or forward).
- `owner_command`: an authenticated owner writes anything else ("done", corrections...).
- `client_reply`: a reply to one of our reminders, or mail from a known client.
- `unknown`: everything else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from .auth import DnsLookup, SenderCheck, check_sender
from .config import Settings
from .intake.forward import body_text
from .replies import auto_reply_info, bounce_info
from .replies.body import header

_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|tr|wg|doorst|fw|i)\s*:", re.I)
_FORWARD_BODY = re.compile(
    r"(?:-{2,}\s*(?:forwarded message|message transf[ée]r[ée]|original message|message d'origine|doorgestuurd bericht"
    r"|oorspronkelijk bericht|weitergeleitete nachricht|urspr[üu]ngliche nachricht)\s*-{2,}|^begin forwarded message:)",
    re.I | re.M,
)
_BODY_FIELDS = re.compile(r"^\s*(?:invoice|facture|factuur|rechnung)\s*(?:n[o°º]\.?|number|nummer)?\s*:", re.I | re.M)
INVOICE_TYPES = {"application/pdf", "application/xml", "text/xml", "application/octet-stream"}


@dataclass(frozen=True)
class Route:
    kind: str
    sender: SenderCheck
    why: str


def references_of(msg: EmailMessage) -> list[str]:
    """Message-IDs this message answers, nearest first."""
    ids: list[str] = []
    for header in ("In-Reply-To", "References"):
        for value in msg.get_all(header, []):
            found = re.findall(r"<[^<>\s]+>", str(value))
            ids.extend(reversed(found) if header == "References" else found)
    seen: set[str] = set()
    return [i for i in ids if not (i in seen or seen.add(i))]


def carries_invoice(msg: EmailMessage) -> bool:
    for part in msg.walk():
        ctype = part.get_content_type()
        name = (part.get_filename() or "").lower()
        if ctype == "message/rfc822":
            return True
        if part.get_content_disposition() in ("attachment", "inline") or name:
            if ctype in INVOICE_TYPES and (name.endswith((".pdf", ".xml")) or ctype != "application/octet-stream"):
                return True
    if _FORWARD_SUBJECT.match(header(msg, "Subject")):
        return True
    text = body_text(msg)  # safe on the malformed trees the standard library trips on
    return bool(_FORWARD_BODY.search(text) or _BODY_FIELDS.search(text))


def route(
    msg: EmailMessage,
    settings: Settings,
    *,
    answers_us: Callable[[list[str]], bool],
    is_client: Callable[[str], bool],
    raw: bytes | None = None,
    dns: DnsLookup | None = None,
) -> Route:
    """`raw` (the bytes as received) lets a DKIM signature be checked exactly; `dns` replaces
    the DNS lookup of DKIM keys (tests)."""
    sender = check_sender(msg, settings, raw=raw, dns=dns)
    if sender.address == settings.address:
        return Route("loop", sender, "sent from mailbot's own address")
    if bounce_info(msg) is not None:
        return Route("bounce", sender, "delivery status report")
    is_auto, _ = auto_reply_info(msg)
    if is_auto:
        return Route("auto_reply", sender, "automatic message")
    if sender.is_owner:
        if not sender.authenticated:
            return Route("refused", sender, sender.why)
        if carries_invoice(msg) and not (answers_us(references_of(msg)) and not has_document(msg)):
            return Route("owner_forward", sender, "owner sent an invoice")
        return Route("owner_command", sender, "owner wrote a command or an answer")
    if answers_us(references_of(msg)):
        return Route("client_reply", sender, "answers one of our messages")
    if sender.address and is_client(sender.address):
        return Route("client_reply", sender, "from a known client address")
    return Route("unknown", sender, "neither an owner nor a known client")


def has_document(msg: EmailMessage) -> bool:
    return any(
        p.get_content_type() in ("application/pdf", "application/xml", "text/xml", "message/rfc822")
        for p in msg.walk()
        if p.get_content_disposition() in ("attachment", "inline") or p.get_content_type() == "message/rfc822"
    )
