"""Unwrapping a forward: what the owner wrote, and who the forwarded email was sent to.

Two shapes exist. A `message/rfc822` attachment carries the original with real headers. An
inline forward carries them as text: a marker line ("---------- Forwarded message ---------",
"Begin forwarded message:", "-------- Message transféré --------", Outlook's underscores) and a
header block in the client's language ("De :", "Envoyé :", "À :", "Objet :", "Van:", "Aan:",
"Von:", "An:" ...). The block's To is the client the owner sent the invoice to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import getaddresses

from lxml import html as lxml_html

from mailbot.intake.values import find_emails
from mailbot.replies.body import header, header_all

_FROM = {"from", "de", "van", "von", "da", "fra", "från"}
_TO = {"to", "à", "a", "aan", "an", "para", "til", "till", "destinataire", "pour"}
_CC = {"cc", "kopie", "copie", "cc :"}
_DATE = {"date", "sent", "envoyé", "envoye", "verzonden", "gesendet", "datum", "envoyé le", "sent at"}
_SUBJECT = {"subject", "objet", "onderwerp", "betreff", "oggetto", "asunto", "sujet"}
_ALL_KEYS = _FROM | _TO | _CC | _DATE | _SUBJECT

_HEADER_LINE = re.compile(r"^\s*\**\s*(?P<key>[A-Za-zÀ-ÿ ]{1,12}?)\s*\**\s*[:：]\s*\**\s*(?P<value>.*)$")
_MARKER = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|message transféré|message transfere|doorgestuurd bericht"
    r"|weitergeleitete nachricht|original message|message d'origine|oorspronkelijk bericht|ursprüngliche nachricht"
    r"|forwarded message|nachricht)\s*-{2,}"
    r"|begin forwarded message\s*:?|début du message réexpédié\s*:?|debut du message reexpedie\s*:?"
    r"|begin doorgestuurd bericht\s*:?|doorgestuurd bericht begint\s*:?|anfang der weitergeleiteten nachricht\s*:?"
    r"|_{10,})\s*$",
    re.IGNORECASE,
)


@dataclass
class Unwrapped:
    owner_text: str  # what the forwarder wrote above the forward (or the whole body)
    forwarded_text: str = ""  # the forwarded email's own body, with its subject first
    original_from: list[str] = field(default_factory=list)
    original_to: list[str] = field(default_factory=list)
    original_cc: list[str] = field(default_factory=list)
    how: str = "none"  # "rfc822", "inline", "none"


def body_text(msg: EmailMessage) -> str:
    """The text/plain body, or the text of the HTML body; '' when there is none."""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
    except (AttributeError, IndexError, TypeError):
        # The standard library trips on some malformed trees (an empty multipart/related whose
        # payload is a string, found by fuzzing): take the first text part walking the tree.
        part = next((p for p in msg.walk() if p.get_content_type() in ("text/plain", "text/html")
                     and p.get_content_disposition() != "attachment"), None)
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError):  # unknown charset: decode leniently
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", errors="replace")
    if not isinstance(content, str):
        return ""
    if part.get_content_subtype() == "html":
        return html_to_text(content)
    return content


def html_to_text(html: str) -> str:
    """Visible text of an HTML mail, one block per line (Outlook's forward headers are <p>s)."""
    if not html.strip():
        return ""
    try:
        doc = lxml_html.fromstring(html)
    except Exception:  # noqa: BLE001 - lxml raises several types on garbage; keep the tags out
        return re.sub(r"<[^>]+>", " ", html)
    for bad in doc.xpath("//script|//style|//head"):
        bad.drop_tree()
    for el in doc.iter("br", "p", "div", "tr", "li", "h1", "h2", "h3", "table", "blockquote", "hr"):
        el.tail = "\n" + (el.tail or "")
        if el.tag == "hr":
            el.tail = "\n" + "_" * 32 + el.tail
    return doc.text_content()


def _addresses(value: str) -> list[str]:
    """Addresses of a header value: 'A <a@x>, b@y' / 'Jean [mailto:j@x]' / '"x@y" <x@y>'."""
    found = [addr.lower() for _, addr in getaddresses([value]) if "@" in addr]
    for addr in find_emails(value):
        if addr not in found:
            found.append(addr)
    return found


def _header_block(lines: list[str], start: int) -> tuple[dict[str, str], int] | None:
    """Parse a forward header block starting at lines[start]; (headers, end index) or None."""
    headers: dict[str, str] = {}
    i = start
    last = ""
    while i < len(lines) and not lines[i].strip():
        i += 1
    while i < len(lines):
        raw = lines[i].lstrip("> ").rstrip()
        m = _HEADER_LINE.match(raw)
        key = m["key"].strip().lower() if m else ""
        if m and key in _ALL_KEYS:
            kind = ("from" if key in _FROM else "to" if key in _TO else "cc" if key in _CC
                    else "date" if key in _DATE else "subject")
            if kind in headers:
                break
            headers[kind] = m["value"].strip()
            last = kind
        elif raw and last in ("to", "cc") and "@" in raw and ":" not in raw.split("@")[0]:
            headers[last] += " " + raw  # a long recipient list wrapped by the client
        elif not raw and headers:
            # HTML-to-text leaves blank lines between header lines: look past them.
            j = i + 1
            while j < len(lines) and not lines[j].lstrip("> ").strip():
                j += 1
            nxt = _HEADER_LINE.match(lines[j].lstrip("> ").rstrip()) if j < len(lines) else None
            if nxt and nxt["key"].strip().lower() in _ALL_KEYS:
                i = j
                continue
            i += 1
            break
        else:
            break
        i += 1
    if "from" in headers and len(headers) >= 2 and ("to" in headers or "subject" in headers or "date" in headers):
        return headers, i
    return None


def unwrap(msg: EmailMessage) -> Unwrapped:
    """Find the forwarded email in `msg`, attached or inline."""
    text = body_text(msg)
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, EmailMessage):
                # The forwarded message is a stranger's: its headers are read the safe way (the
                # default policy raises on an empty encoded word in From, found by fuzzing).
                subject = header(inner, "Subject")
                return Unwrapped(
                    owner_text=text,
                    forwarded_text=f"{subject}\n{body_text(inner)}",
                    original_from=_addresses(header(inner, "From")),
                    original_to=_addresses(", ".join(header_all(inner, "To"))),
                    original_cc=_addresses(", ".join(header_all(inner, "Cc"))),
                    how="rfc822",
                )
    lines = text.splitlines()
    for i, line in enumerate(lines):
        plain = line.lstrip("> ").strip()
        marker = bool(_MARKER.match(plain))
        m = _HEADER_LINE.match(plain)
        starts_block = bool(m and m["key"].strip().lower() in _FROM)
        if not (marker or starts_block):
            continue
        block = _header_block(lines, i + 1 if marker else i)
        if block is None:
            continue
        headers, end = block
        return Unwrapped(
            owner_text="\n".join(lines[:i]),
            forwarded_text=headers.get("subject", "") + "\n" + "\n".join(
                ln.lstrip(">").lstrip() if ln.lstrip().startswith(">") else ln for ln in lines[end:]
            ),
            original_from=_addresses(headers.get("from", "")),
            original_to=_addresses(headers.get("to", "")),
            original_cc=_addresses(headers.get("cc", "")),
            how="inline",
        )
    return Unwrapped(owner_text=text)


_PUBLIC_DOMAINS = {
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.fr", "live.com", "yahoo.com", "yahoo.fr",
    "orange.fr", "free.fr", "wanadoo.fr", "laposte.net", "sfr.fr", "icloud.com", "me.com", "gmx.de", "gmx.net",
    "web.de", "t-online.de", "telenet.be", "skynet.be", "proton.me", "protonmail.com", "ziggo.nl", "kpnmail.nl",
}


def client_address(unwrapped: Unwrapped, *, owner: str | None, bot: list[str]) -> tuple[str | None, float, str]:
    """(address, confidence, evidence) of the client the forwarded email was sent to.

    The owner and mailbot's own addresses are never the client. One remaining recipient is
    a sure answer; several, or only the original sender, is a question for the owner.
    """
    exclude = {a.lower() for a in bot} | ({owner.lower()} if owner else set())
    owner_domain = owner.split("@", 1)[1].lower() if owner and "@" in owner else None
    to = [a for a in unwrapped.original_to if a not in exclude]
    if owner_domain and owner_domain not in _PUBLIC_DOMAINS:
        outside = [a for a in to if not a.endswith("@" + owner_domain)]
        to = outside or to  # a colleague in To is not the client when someone else is
    evidence = f"forwarded email ({unwrapped.how}) To: {', '.join(unwrapped.original_to)}"
    if len(to) == 1:
        return to[0], 0.95, evidence
    if len(to) > 1:
        return to[0], 0.6, evidence + " (several recipients: which one is the client?)"
    senders = [a for a in unwrapped.original_from if a not in exclude]
    if senders:
        # The owner forwarded something sent TO them: the sender may be the client, or not.
        return senders[0], 0.5, f"forwarded email ({unwrapped.how}) From: {', '.join(unwrapped.original_from)}"
    return None, 0.0, ""
