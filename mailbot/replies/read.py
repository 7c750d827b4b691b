"""The whole reading of one incoming message that is not from an owner.

Order matters: a bounce usually also carries `Auto-Submitted`, and an out-of-office notice may
quote the reminder; so bounce first, then auto-reply, then the client's own words.
"""

from __future__ import annotations

import re

from datetime import date
from email.message import Message
from typing import Sequence

from mailbot.replies.autoreply import auto_reply_info
from mailbot.replies.body import body_parts, html_to_text, message_date
from mailbot.replies.bounces import bounce_info, delivery_success
from mailbot.replies.focus import references_in
from mailbot.replies.intent import classify_intent
from mailbot.replies.quotes import forwarded_answer, strip_quotes
from mailbot.replies.reading import ReplyReading


def new_text(msg: Message) -> str:
    """What the sender wrote in this message: decoded, history and signature removed.

    text/plain is preferred; an HTML-only message is converted to text with its blockquotes
    and reply containers dropped first.

    >>> new_text(msg)   # "Virement effectué hier.\\n\\nLe 3 déc. … a écrit :\\n> Relance…"
    'Virement effectué hier.'
    """
    plain, markup = body_parts(msg)
    if plain.strip() and not _is_placeholder(plain):
        own = strip_quotes(plain)
        # "See below from our finance team": the answer is the internal mail forwarded to us.
        forwarded = forwarded_answer(plain, _our_domain(msg), own)
        return f"{own}\n\n{forwarded}" if forwarded else own
    if markup.strip():
        return strip_quotes(html_to_text(markup, drop_quotes=True))
    return strip_quotes(plain)


def _our_domain(msg: Message) -> str | None:
    """The domain the reply was written to: mailbot's, which our own quoted reminder names."""
    to = str(msg.get("To", ""))
    found = re.search(r"@([\w.-]+\w)", to)
    return found.group(1) if found else None


def _is_placeholder(plain: str) -> bool:
    # Some clients put "This message is in HTML" or nothing useful in text/plain.
    low = plain.strip().lower()
    return len(low) < 80 and ("html" in low and ("view" in low or "format" in low or "version" in low))


def read_message(msg: Message, *, today: date | None = None, invoices: Sequence[str] | None = None) -> ReplyReading:
    """Bounce, auto-reply or client reply with its intent; `new_text` is always filled.
    `invoices`: the numbers of the files the reply is about; by default the references in its
    Subject ("RE: Relance facture F-2024-017"), which replies keep.

    >>> read_message(msg).intent
    'promise'
    """
    text = new_text(msg)
    bounce = bounce_info(msg)
    if bounce is not None:
        return ReplyReading(kind="bounce", reason=bounce.reason, bounce=bounce, new_text=text, confidence=0.95)
    if delivery_success(msg):
        # A "delivered" DSN: nobody wrote it and nothing failed.
        return ReplyReading(kind="auto_reply", reason="delivered", new_text=text, confidence=0.9)
    is_auto, back = auto_reply_info(msg)
    if is_auto:
        return ReplyReading(kind="auto_reply", date=back, new_text=text, confidence=0.9)
    reference = today or message_date(msg) or date.today()
    if invoices is None:
        invoices = references_in(str(msg.get("Subject", "")))
    reading = classify_intent(text, today=reference, invoices=invoices)
    reading.new_text = text
    return reading
