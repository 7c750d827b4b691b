"""Is this message really from an owner? The sender's address alone proves nothing.

A command or an invoice counts only when the From address is an owner's and the message is
authenticated, by either of:
- DKIM, DMARC or SPF "pass" for the owner's domain in the `Authentication-Results` header added
  by a server we trust (its authserv-id is in MAILBOT_TRUSTED_AUTHSERV_IDS). Only the topmost
  header from a trusted authserv-id counts: the receiving server adds its own on top, and any
  header below it came with the message, where anyone can write one;
- a DKIM signature of the owner's domain that dkimpy verifies (the key is looked up in DNS;
  tests pass their own lookup function).
Local setups without authentication opt in with MAILBOT_TRUST_UNAUTHENTICATED_OWNERS=1.

A message that only *looks* like the owner's (an owner address as a display name, or among
several From addresses) is reported as a forged owner, so the owner hears about it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from email.message import Message
from email.utils import getaddresses

from .replies.body import header_all

from .config import Settings

log = logging.getLogger("mailbot.auth")

# dkimpy's DNS hook: (name: bytes, timeout=...) -> TXT record bytes or None.
DnsLookup = Callable[..., bytes | None]


@dataclass(frozen=True)
class SenderCheck:
    address: str | None  # the one From address, lower-cased; None when absent or several
    is_owner: bool  # the message claims to come from an owner (From, or a forged look-alike)
    authenticated: bool
    why: str


_METHOD = re.compile(r"\b(dkim|dmarc|spf)\s*=\s*(\w+)([^;]*)", re.I)
_PROP = re.compile(r"\b(header\.d|header\.i|header\.from|smtp\.mailfrom)\s*=\s*([^\s;]+)", re.I)
_ADDR_IN_TEXT = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")


def from_addresses(msg: Message) -> list[str]:
    # Raw values, decoded safely: the stdlib's structured parse raises on junk like an empty
    # encoded word, and a From header must never be what stops a message from being read.
    values = header_all(msg, "From")
    try:
        pairs = getaddresses(values)
    except Exception:  # unparseable: no From at all
        return []
    return [a.lower() for _, a in pairs if "@" in a]


def from_address(msg: Message) -> str | None:
    """The single From address (display names ignored: '"owner@firm.fr" <evil@x>' is evil@x)."""
    addrs = from_addresses(msg)
    return addrs[0] if len(addrs) == 1 else None


def _domain(addr: str) -> str:
    return addr.rsplit("@", 1)[-1].strip("<>").lower()


def aligned(from_domain: str, signer: str) -> bool:
    """DMARC relaxed alignment, without a public-suffix list: the same domain, or From a
    subdomain of a signer that has at least two labels (so 'fr' or 'com' never align)."""
    signer = signer.lower().strip(".")
    return from_domain == signer or (signer.count(".") >= 1 and from_domain.endswith("." + signer))


def authentication_passes(msg: Message, owner_addr: str, trusted_ids: tuple[str, ...]) -> tuple[bool, str]:
    domain = _domain(owner_addr)
    seen_untrusted = False
    for header in header_all(msg, "Authentication-Results"):
        text = " ".join(str(header).split())
        authserv = text.split(";", 1)[0].strip().split()[0].lower() if text else ""
        if authserv not in trusted_ids:
            seen_untrusted = True
            continue
        # The topmost trusted header is our server's verdict; anything below came with the message.
        for method, result, rest in _METHOD.findall(text):
            if result.lower() != "pass":
                continue
            for prop, value in _PROP.findall(rest):
                v = value.strip('"').lower()
                v_domain = _domain(v) if "@" in v else v
                if aligned(domain, v_domain):
                    return True, f"{method.lower()}=pass for {domain} by {authserv}"
        return False, f"{authserv} did not report a DKIM, DMARC or SPF pass for {domain}"
    if seen_untrusted and not trusted_ids:
        return False, "Authentication-Results present but no trusted server is configured (MAILBOT_TRUSTED_AUTHSERV_IDS)"
    if seen_untrusted:
        return False, "Authentication-Results only from servers that are not trusted"
    return False, "no Authentication-Results from a trusted server"


def dkim_passes(raw: bytes, owner_addr: str, dns: DnsLookup | None = None) -> tuple[bool, str]:
    """A DKIM signature by the owner's domain that verifies (each signature tried in turn)."""
    try:
        import dkim
    except ImportError:  # pragma: no cover - dkimpy is a dependency; say what to do if it is gone
        return False, "dkimpy is not installed (pip install dkimpy): DKIM signatures cannot be checked"
    domain = _domain(owner_addr)
    try:
        checker = dkim.DKIM(raw)
        sigs = [v for k, v in checker.headers if k.lower() == b"dkim-signature"]
    except Exception as exc:  # noqa: BLE001 - a message dkimpy cannot parse is simply not signed for us
        return False, f"DKIM signature unreadable ({type(exc).__name__})"
    if not sigs:
        return False, "no DKIM signature"
    why = "no DKIM signature of " + domain
    for idx in range(len(sigs)):
        try:
            kwargs = {"idx": idx} | ({"dnsfunc": dns} if dns is not None else {})
            ok = checker.verify(**kwargs)
        except dkim.ValidationError as exc:
            why = f"DKIM signature does not verify ({exc})"
            continue
        except Exception as exc:  # noqa: BLE001 - DNS errors, bad keys: that signature does not count
            why = f"DKIM check failed ({type(exc).__name__}: {exc})"
            continue
        signer = (checker.domain or b"").decode("ascii", "replace")
        if ok and aligned(domain, signer):
            return True, f"DKIM signature of {signer} verified"
        if not ok:
            why = f"DKIM signature of {signer or '?'} does not verify"
        else:
            why = f"DKIM signature of {signer}, not of {domain}"
    return False, why


def _forged_owner(msg: Message, settings: Settings, addrs: list[str]) -> str | None:
    """An owner address that appears in From without being the From address itself."""
    if len(addrs) > 1 and any(settings.is_owner_address(a) for a in addrs):
        return "several From addresses, one of them an owner's"
    try:
        pairs = getaddresses(header_all(msg, "From"))
    except Exception:  # unparseable From: no owner can hide in it
        pairs = []
    for name, addr in pairs:
        for shown in _ADDR_IN_TEXT.findall(name or ""):
            if settings.is_owner_address(shown) and shown.lower() != addr.lower():
                return f"an owner address ({shown.lower()}) shown as the display name of {addr.lower()}"
    return None


def check_sender(msg: Message, settings: Settings, *, raw: bytes | None = None, dns: DnsLookup | None = None) -> SenderCheck:
    """Who sent `msg`, and can we believe it.

    `raw` is the message as received (DKIM is checked on those exact bytes; without it, on the
    message serialised again, which keeps unmodified headers as they were); `dns` replaces the
    DNS lookup of DKIM keys (tests).
    """
    addrs = from_addresses(msg)
    forged = _forged_owner(msg, settings, addrs)
    if forged:
        log.warning("refused: %s", forged)
        return SenderCheck(addrs[0] if len(addrs) == 1 else None, True, False, forged)
    addr = addrs[0] if len(addrs) == 1 else None
    if addr is None:
        return SenderCheck(None, False, False, "no single From address")
    if not settings.is_owner_address(addr):
        return SenderCheck(addr, False, False, "not an owner address")
    ok, why = authentication_passes(msg, addr, settings.trusted_authserv_ids)
    if ok:
        return SenderCheck(addr, True, True, why)
    if "dkim-signature" in {k.lower() for k in msg.keys()}:
        data = raw if raw is not None else msg.as_bytes()
        ok, dkim_why = dkim_passes(data, addr, dns)
        if ok:
            return SenderCheck(addr, True, True, dkim_why)
        why = f"{why}; {dkim_why}"
    if settings.trust_unauthenticated_owners:
        return SenderCheck(addr, True, True, "trusted without authentication (MAILBOT_TRUST_UNAUTHENTICATED_OWNERS=1)")
    log.warning("%s: owner address not authenticated: %s", addr, why)
    return SenderCheck(addr, True, False, why)
