"""What mailbot understood of one incoming message that is not from an owner.

The contract between the reply readers (quote stripping, auto-reply and bounce detection,
intent classification) and the client-reply handler.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

KINDS = ("client_reply", "auto_reply", "bounce")
INTENTS = ("promise", "paid_claim", "dispute", "copy_request", "plan_request", "question", "other")


@dataclass
class Bounce:
    """A delivery failure report about a message mailbot sent."""

    recipient: str | None  # the address that failed
    hard: bool  # True: unknown user/domain, stop emailing it; False: retry later
    status: str | None = None  # DSN status, e.g. "5.1.1"
    reason: str | None = None  # "userunknown", "mailboxfull", ...
    original_message_id: str | None = None  # Message-ID of the reminder that bounced
    permanent: bool = True  # 5.x.x refusal; False for 4.x.x / delayed notices (retry may work)


@dataclass
class ReplyReading:
    kind: str  # one of KINDS
    intent: str | None = None  # one of INTENTS for client_reply, None otherwise
    date: date | None = None  # promised / paid-on date; return date for an out-of-office
    amount: Decimal | None = None
    reason: str | None = None  # dispute reason, bounce reason, ...
    evidence: str | None = None  # the span of new_text that decided the intent
    new_text: str = ""  # the reply without quoted history and signature
    confidence: float = 0.0
    bounce: Bounce | None = None
    extra: dict[str, str] = field(default_factory=dict)
