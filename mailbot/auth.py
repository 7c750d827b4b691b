"""Is this message really from an owner? The sender's address alone proves nothing.

A command or an invoice counts only when the From address is an owner's and the message is
authenticated: DKIM, DMARC or SPF "pass" for the owner's domain in an `Authentication-Results`
header added by a server we trust (its authserv-id is configured). Headers from any other
authserv-id are ignored: anyone can write one. Local setups without authentication opt in with
MAILBOT_TRUST_UNAUTHENTICATED_OWNERS=1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

from .config import Settings


@dataclass(frozen=True)
class SenderCheck:
    address: str | None  # the one From address, lower-cased; None when absent or several
    is_owner: bool
    authenticated: bool
    why: str


_METHOD = re.compile(r"\b(dkim|dmarc|spf)\s*=\s*(\w+)([^;]*)", re.I)
_PROP = re.compile(r"\b(header\.d|header\.i|header\.from|smtp\.mailfrom)\s*=\s*([^\s;]+)", re.I)


def from_address(msg: Message) -> str | None:
    """The single From address (display names ignored: '"owner@firm.fr" <evil@x>' is evil@x)."""
    values = [str(v) for v in msg.get_all("From", [])]
    addrs = [a.lower() for _, a in getaddresses(values) if "@" in a]
    return addrs[0] if len(addrs) == 1 else None


def _domain(addr: str) -> str:
    return addr.rsplit("@", 1)[-1].strip(">").lower()


def authentication_passes(msg: Message, owner_addr: str, trusted_ids: tuple[str, ...]) -> tuple[bool, str]:
    domain = _domain(owner_addr)
    seen_untrusted = False
    for header in msg.get_all("Authentication-Results", []):
        text = " ".join(str(header).split())
        authserv = text.split(";", 1)[0].strip().split()[0].lower() if text else ""
        if authserv not in trusted_ids:
            seen_untrusted = True
            continue
        for method, result, rest in _METHOD.findall(text):
            if result.lower() != "pass":
                continue
            for prop, value in _PROP.findall(rest):
                v = value.strip('"').lower()
                v_domain = _domain(v) if "@" in v else v
                if v_domain == domain:
                    return True, f"{method.lower()}=pass for {domain} by {authserv}"
    if seen_untrusted and not trusted_ids:
        return False, "Authentication-Results present but no trusted server is configured (MAILBOT_TRUSTED_AUTHSERV_IDS)"
    if seen_untrusted:
        return False, "Authentication-Results only from servers that are not trusted"
    return False, "no Authentication-Results from a trusted server"


def check_sender(msg: Message, settings: Settings) -> SenderCheck:
    addr = from_address(msg)
    if addr is None:
        return SenderCheck(None, False, False, "no single From address")
    if not settings.is_owner_address(addr):
        return SenderCheck(addr, False, False, "not an owner address")
    ok, why = authentication_passes(msg, addr, settings.trusted_authserv_ids)
    if ok:
        return SenderCheck(addr, True, True, why)
    if settings.trust_unauthenticated_owners:
        return SenderCheck(addr, True, True, "trusted without authentication (MAILBOT_TRUST_UNAUTHENTICATED_OWNERS=1)")
    return SenderCheck(addr, True, False, why)
