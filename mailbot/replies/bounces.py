"""Delivery failure reports: who failed, why, hard or soft, and which reminder bounced.

Two shapes exist. The standard one (RFC 3464) is `multipart/report; report-type=delivery-status`
with per-recipient `Final-Recipient`, `Action`, `Status`, `Diagnostic-Code` fields. The other is
free text from an MTA (Postfix, Exim, Sendmail, qmail, Exchange, Gmail…) that says the same in
prose, recognised by its sender (MAILER-DAEMON, postmaster), its subject ("Undelivered Mail
Returned to Sender", "Mail delivery failed", "Non remis") or its phrases.

Hard vs soft follows the address, as sisimai does: *hard* means the address itself is dead —
unknown user, unknown domain / no MX, moved, domain that accepts no mail — so mailbot must stop
writing to it. Everything else is *soft*, including permanent (5.x.x) refusals that are about
the message or the sender (spam filter, policy, size, blocked IP) and full mailboxes:
retrying or asking the owner can still reach the person. `Bounce.permanent` keeps the
5.x.x/4.x.x distinction for callers that want it.
"""

from __future__ import annotations

import json
import re
from email.message import Message
from email.parser import HeaderParser

from mailbot.replies.body import addresses, all_text, header, part_text
from mailbot.replies.reading import Bounce

_BOUNCE_FROM = re.compile(
    r"^(?:mailer[-_.]?daemon|post[-_.]?master|mail[-_.]?daemon|mail[-_.]?delivery|mdaemon|bounces?|"
    r"double-bounce|nobody|microsoftexchange|[\w.-]*-admin|[\w.-]*-bounces?)[\w.=+-]*@",
    re.IGNORECASE,
)
_BOUNCE_FROM_NAME = re.compile(
    r"mail delivery (?:subsystem|system|service)|mailer[- ]daemon|postmaster|mail administrator|"
    r"delivery status notification|returned mail|mail system",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver(?:ed|able)|returned mail|mail delivery (?:failed|failure|status)|delivery (?:status )?notification|"
    r"delivery (?:failure|failed|has failed|problem)|failure notice|could not be delivered|mail system error|"
    r"non remis|non distribuable|échec de (?:la )?(?:remise|distribution)|message non délivré|"
    r"onbestelbaar|niet bezorgd|kan niet worden bezorgd|unzustellbar|nicht zustellbar|"
    r"delivery status|postmaster notify|warning: could not send|delayed mail|delivery delayed|mail failure|"
    r"returned to sender|delivery report|message not delivered|nondeliverable|notification d'état de (?:la )?distribution|"
    r"loop alert|mail loop",
    re.IGNORECASE,
)
# Phrases of MTA prose; two of them (or one plus a bounce-ish sender/subject) make a bounce.
_BOUNCE_BODY = re.compile(
    r"could not be delivered|couldn't be delivered|delivery (?:to the following recipients? )?(?:has )?failed|"
    r"permanent(?:ly)? (?:fatal )?(?:error|failure)|undeliverable|was not delivered|user unknown|"
    r"unknown user|no such user|mailbox (?:is )?(?:full|unavailable|not found)|"
    r"the following address(?:es)? (?:had|failed)|message (?:could not|cannot) be delivered|"
    r"delivery to the following recipient|returned (?:mail|message)|this is the mail system at|"
    r"i'm afraid i wasn't able to deliver|recipient address rejected|host or domain name not found|"
    r"550[ -]|554[ -]|553[ -]|552[ -]|5\.\d\.\d+|non remis|n'a pas pu être remis|onbestelbaar|"
    r"niet worden bezorgd|konnte nicht zugestellt|unzustellbar|delivery has failed|address rejected|"
    r"remote server returned|smtp error|diagnostic-code|final-recipient|unable to deliver|could not be delivered to|"
    r"invalid (?:user )?address|no valid recipients|failed addresses|requested action not taken|"
    r"in the queue too long|message log follows|original message follows|mail(?:box)? (?:is )?full",
    re.IGNORECASE,
)

_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d])")
_SMTP_CODE = re.compile(r"(?<![\d.])([245]\d\d)(?:[ -]|$)")
_ADDRESS = re.compile(r"<?([A-Za-z0-9][\w.+'=-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})>?")
_AFTER_DATA = re.compile(r"(?:after|in reply to)\s+(?:the\s+)?end\s+of\s+data|in reply to data command|after data", re.IGNORECASE)
_FIELD = re.compile(r"^\s*([A-Za-z-]+)\s*:\s*(.*)$")

# (reason, pattern on the lower-cased diagnostic) — first match wins.
_REASONS: list[tuple[str, re.Pattern[str]]] = [
    ("mailboxfull", re.compile(
        r"mailbox (?:is )?full|over ?quota|quota (?:exceeded|full)|exceeded (?:storage|quota)|insufficient (?:system )?storage|"
        r"mailbox size limit|disk quota|boîte (?:aux lettres )?pleine|mailbox has exceeded|out of storage|"
        r"user(?:'s)? (?:mailbox|disk) (?:is )?(?:full|over)|too much mail|mail ?box (?:limit|quota)|mailfolder is full|"
        r"postfach (?:ist )?voll|brievenbus (?:is )?vol|full mailbox")),
    ("hasmoved", re.compile(r"has moved|address (?:has )?changed|no longer (?:at|with)|user has moved")),
    ("hostunknown", re.compile(
        r"host (?:or domain name )?not found|host unknown|unknown host|domain (?:not found|does not exist|name not found|unknown)|"
        r"no such domain|name service error|unrouteable (?:mail )?domain|unroutable|no mx|mx (?:record|lookup)|"
        r"dns (?:error|failure|lookup)|domain (?:is )?invalid|invalid domain|nxdomain|couldn't find any host|"
        r"host .{0,40}could not be found|no valid (?:mx|host)|unknown domain|domain name not found|"
        r"destination domain|all relevant mx records point to non-existent hosts|nodename nor servname")),
    ("notaccept", re.compile(r"does not accept (?:any )?mail|null mx|not accepting (?:any )?mail|accepts no mail")),
    ("suspend", re.compile(
        r"(?:account|mailbox|user|recipient) (?:is |has been )?(?:disabled|suspended|inactive|deactivated|locked|frozen|expired)|"
        r"inactive (?:account|user|mailbox)|account .{0,20}(?:disabled|suspended)|temporarily disabled")),
    ("userunknown", re.compile(
        r"user unknown|unknown user|no such (?:user|mailbox|recipient|account|address|person)|"
        r"(?:user|mailbox|recipient|address|account)(?: name)? (?:does not exist|doesn't exist|not found|not exist|unknown|is unknown|invalid|unavailable)|"
        r"(?:invalid|unknown|bad|non-?existent|unrecognized|undeliverable) (?:recipient|mailbox|user|address|destination)|"
        r"recipient (?:address )?rejected: (?:user unknown|undeliverable|unknown|invalid)|"
        r"address (?:does not exist|unknown|not found)|mailbox not found|no mailbox|"
        r"not (?:a )?(?:valid|known) (?:user|recipient|mailbox)|unknown (?:local[- ]?part|alias)|"
        r"account (?:does not exist|not found|that you tried to reach does not exist)|"
        r"email account that you tried to reach does not exist|doesn't have a .{0,30} account|"
        r"destinataire inconnu|adresse (?:inconnue|invalide|introuvable)|utilisateur inconnu|"
        r"onbekende (?:gebruiker|ontvanger)|gebruiker bestaat niet|unbekannter? (?:empfänger|benutzer)|"
        r"no such local user|recipient not found|user not found|mailbox unavailable|invalid mailbox|"
        r"not listed in|recipient unknown|is not a valid|address not present|unknown or illegal alias|"
        r"no account by that name|user not listed|addressee unknown")),
    ("expired", re.compile(
        r"retry (?:time|timeout) (?:not reached|exceeded)|too long|expired|gave up|giving up|could not be delivered within|"
        r"delivery (?:time )?expired|message timed out|timeout|delayed|has not yet been delivered|will continue trying|"
        r"still trying|could not send message for past")),
    ("blocked", re.compile(r"blocked|blacklist|block ?list|rbl|spamhaus|reputation|ptr|reverse dns|client host rejected")),
    ("spamdetected", re.compile(r"spam|junk|unsolicited")),
    ("mesgtoobig", re.compile(r"message (?:size|too (?:big|large))|too large|exceeds (?:the )?(?:maximum|size)")),
    ("filtered", re.compile(r"filter|denied|prohibited|not allowed|refused")),
]


def _walk(msg: Message, depth: int = 0):
    if depth > 20:
        return
    yield msg
    if msg.is_multipart():
        try:
            children = msg.get_payload()
        except Exception:
            return
        if isinstance(children, list):
            for child in children:
                if isinstance(child, Message):
                    yield from _walk(child, depth + 1)


def _report_type(msg: Message) -> str:
    try:
        value = msg.get_param("report-type")
    except Exception:
        return ""
    return value.lower() if isinstance(value, str) else ""


def _dsn_text(part: Message) -> str:
    """The fields of a message/delivery-status part as text, however Python parsed it."""
    payload = part.get_payload()
    if isinstance(payload, list):
        blocks = []
        for block in payload:
            if isinstance(block, Message):
                blocks.append("\n".join(f"{k}: {v}" for k, v in block.items()))
        return "\n\n".join(blocks)
    return part_text(part)


def _dsn_blocks(text: str) -> list[dict[str, str]]:
    """Per-recipient field blocks of a delivery-status text (continuation lines joined)."""
    blocks: list[dict[str, str]] = []
    current: dict[str, str] = {}
    last_key = None
    for line in text.replace("\r", "").split("\n"):
        if not line.strip():
            if current:
                blocks.append(current)
            current, last_key = {}, None
            continue
        if line[:1] in (" ", "\t") and last_key:
            current[last_key] += " " + line.strip()
            continue
        m = _FIELD.match(line)
        if m:
            last_key = m.group(1).lower()
            current[last_key] = current.get(last_key, "") or m.group(2).strip()
        else:
            last_key = None
    if current:
        blocks.append(current)
    return blocks


def _address_of(field: str) -> str | None:
    # "rfc822; user@example.com" or "rfc822;<user@example.com>"
    m = _ADDRESS.search(field.split(";", 1)[-1])
    return m.group(1).lower() if m else None


def _original_headers(msg: Message) -> Message | None:
    """Headers of the message that bounced, from message/rfc822 or text/rfc822-headers."""
    for part in _walk(msg):
        ctype = part.get_content_type()
        if part is msg:
            continue
        if ctype in ("message/rfc822", "message/global", "message/rfc822-headers"):
            payload = part.get_payload()
            if isinstance(payload, list) and payload and isinstance(payload[0], Message):
                return payload[0]
            text = part_text(part)
            if text:
                return HeaderParser().parsestr(text)
        if ctype in ("text/rfc822-headers", "message/global-headers"):
            text = part_text(part)
            if text:
                return HeaderParser().parsestr(text)
    return None


_MESSAGE_ID_LINE = re.compile(r"^\s*Message-ID\s*:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)


def _original_message_id(msg: Message, original: Message | None, text: str) -> str | None:
    if original is not None:
        value = header(original, "Message-ID")
        m = re.search(r"<[^>\s]+>", value)
        if m:
            return m.group(0)
    for name in ("In-Reply-To", "References"):
        m = re.search(r"<[^>\s]+>", header(msg, name))
        if m:
            return m.group(0)
    m = _MESSAGE_ID_LINE.search(text)
    return m.group(1) if m else None


def _looks_like_bounce(msg: Message, text: str) -> bool:
    sender = addresses(msg, "From")
    sender_raw = header(msg, "From")
    subject = header(msg, "Subject")
    if header(msg, "X-Failed-Recipients"):
        return True
    signals = 0
    if any(_BOUNCE_FROM.match(a) for a in sender) or _BOUNCE_FROM_NAME.search(sender_raw):
        signals += 1
    if not sender and header(msg, "Return-Path").strip() in ("<>", ""):
        signals += 1  # the null sender of RFC 5321: only notifications use it
    if _BOUNCE_SUBJECT.search(subject):
        signals += 1
    hits = {m.group(0).lower() for m in _BOUNCE_BODY.finditer(text[:20000])}
    if signals >= 2 or (signals == 1 and hits):
        return True
    # No telltale sender or subject (some carriers write from "no-reply"): the prose must then
    # carry two distinct MTA phrases.
    return len(hits) >= 2


def _reason(status: str | None, diagnostic: str) -> str:
    low = " ".join(diagnostic.lower().split())
    for reason, pattern in _REASONS:
        if pattern.search(low):
            return reason
    if status:
        if status.startswith("4."):
            return "expired" if status.startswith("4.4.7") else "temporary"
        return {
            "5.1.1": "userunknown", "5.1.0": "userunknown", "5.1.3": "userunknown", "5.1.2": "hostunknown",
            "5.1.6": "hasmoved", "5.1.10": "notaccept", "5.2.2": "mailboxfull", "5.2.1": "suspend",
            "5.4.4": "notaccept", "5.2.3": "exceedlimit", "5.3.4": "mesgtoobig",
        }.get(status, "rejected" if status.startswith("5.") else "undefined")
    return "undefined"


def _is_hard(reason: str, status: str | None) -> bool:
    if (status or "").startswith("4."):
        return False  # a temporary failure (DNS timeout, greylisting) says nothing about the address
    return reason in ("userunknown", "hostunknown", "hasmoved", "notaccept")


def _recipient_from_text(text: str, exclude: set[str]) -> str | None:
    """The failed address in MTA prose: the first one that is not ours or the daemon's."""
    for line in text.split("\n"):
        stripped = line.strip()
        if re.match(r"(?i)(message-id|references|in-reply-to|received|from|return-path|sender|reply-to|"
                    r"x-[\w-]+|dkim-signature|list-[\w-]+|reporting-mta|arrival-date)\s*:", stripped):
            continue
        for m in _ADDRESS.finditer(stripped):
            address = m.group(1).lower()
            if address in exclude or _BOUNCE_FROM.match(address):
                continue
            return address
    return None


def ses_notification(text: str) -> dict | None:
    """An Amazon SES notification (JSON, often relayed by SNS e-mail), or None."""
    at = text.find('{"notificationType"')
    if at < 0:
        return None
    try:
        value, _ = json.JSONDecoder(strict=False).raw_decode(text[at:])  # relays wrap long lines
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _ses_bounce(note: dict, msg: Message) -> Bounce | None:
    if note.get("notificationType") != "Bounce":
        return None
    bounce = note.get("bounce") or {}
    recipients = bounce.get("bouncedRecipients") or [{}]
    first = recipients[0] if isinstance(recipients[0], dict) else {}
    diagnostic = str(first.get("diagnosticCode", ""))
    m = _STATUS.search(str(first.get("status", ""))) or _STATUS.search(diagnostic)
    status = m.group(0) if m else None
    reason = _reason(status, diagnostic)
    mail = note.get("mail") or {}
    message_id = None
    for item in mail.get("headers") or []:
        if isinstance(item, dict) and str(item.get("name", "")).lower() == "message-id":
            message_id = str(item.get("value"))
    transient = bounce.get("bounceType") == "Transient"
    return Bounce(
        recipient=(first.get("emailAddress") or "").lower() or None,
        hard=_is_hard(reason, status) and not transient,
        status=status,
        reason=reason,
        original_message_id=message_id,
        permanent=not transient,
    )


def bounce_info(msg: Message) -> Bounce | None:
    """The delivery failure this message reports, or None if it is not a bounce.

    >>> bounce_info(msg)
    Bounce(recipient='kijitora@example.jp', hard=True, status='5.1.1', reason='userunknown',
           original_message_id='<20240102.abc@mailbot.example>', permanent=True)

    A delivery *success* notice (Action: delivered/relayed/expanded) and abuse reports
    (report-type=feedback-report) are not bounces: None.
    """
    if _report_type(msg) in ("feedback-report", "disposition-notification"):
        return None
    dsn_parts = [p for p in _walk(msg) if p.get_content_type() in ("message/delivery-status", "message/global-delivery-status")]
    text = all_text(msg)
    note = ses_notification(text)
    if note is not None:
        return _ses_bounce(note, msg)
    dsn_text = "\n\n".join(_dsn_text(p) for p in dsn_parts)
    if not dsn_text and re.search(r"(?im)^(?:final-recipient|original-recipient)\s*:", text):
        dsn_text = text  # a delivery-status block pasted into a text part
    blocks = [b for b in _dsn_blocks(dsn_text) if "final-recipient" in b or "original-recipient" in b or "action" in b or "status" in b]
    recipient_blocks = [b for b in blocks if "final-recipient" in b or "original-recipient" in b or "action" in b]
    is_report = _report_type(msg) == "delivery-status" or bool(dsn_parts)
    if not (is_report or recipient_blocks or _looks_like_bounce(msg, text)):
        return None

    failed = [b for b in recipient_blocks if b.get("action", "failed").lower().split()[0:1] in (["failed"], ["delayed"], [])]
    if recipient_blocks and not failed:
        actions = {b.get("action", "").lower().split()[0] for b in recipient_blocks if b.get("action")}
        if actions and actions <= {"delivered", "relayed", "expanded", "deliverable"}:
            return None  # a success notice, not a failure
    block = (failed or recipient_blocks or [{}])[0]

    original = _original_headers(msg)
    exclude = set(addresses(msg, "From")) | set(addresses(msg, "To"))
    if original is not None:
        exclude |= set(addresses(original, "From")) | set(addresses(original, "Return-Path"))

    recipient = None
    for key in ("final-recipient", "original-recipient"):
        if block.get(key):
            recipient = _address_of(block[key])
            if recipient:
                break
    if recipient is None:
        failed_header = header(msg, "X-Failed-Recipients")
        m = _ADDRESS.search(failed_header)
        recipient = m.group(1).lower() if m else None
    if recipient is None:
        recipient = _recipient_from_text(text, exclude)
    if recipient is None and original is not None:
        to = addresses(original, "To")
        recipient = to[0] if to else None

    status = None
    m = _STATUS.search(block.get("status", ""))
    if m:
        status = m.group(0)
    diagnostic = block.get("diagnostic-code", "")
    # The MTA's own words, without the returned original (which may say anything).
    prose = all_text(msg, 20000, attached=False) or text[:20000]
    if status is None or status in ("5.0.0", "4.0.0", "5.5.0"):
        # A generic status says little; the prose usually names the real cause.
        m = _STATUS.search(diagnostic) or _STATUS.search(prose)
        if m and (status is None or m.group(0) not in ("5.0.0", "4.0.0")):
            status = m.group(0)
    action = block.get("action", "").lower()
    reason = _reason(status, diagnostic + "\n" + prose if not diagnostic else diagnostic)
    if reason in ("undefined", "rejected", "filtered") and diagnostic:
        fallback = _reason(None, prose)
        if fallback != "undefined":
            reason = fallback
    if status == "5.1.8":
        reason = "rejected"  # "bad sender's address": it is our side that was refused
    elif (status or "").startswith("5.7.") and reason in ("userunknown", "hostunknown") and not _reason(None, diagnostic) == reason:
        reason = "blocked"  # a security/policy refusal; the unknown-user words came from elsewhere
    if reason == "userunknown" and _AFTER_DATA.search(diagnostic + "\n" + prose):
        # The address was accepted at RCPT time and refused only after the data: that answer
        # comes from a content filter, and the mailbox itself exists.
        reason = "filtered"
    if action.startswith("delayed") and reason not in ("mailboxfull",):
        reason = "expired"
    if status is None:
        code = _SMTP_CODE.search(diagnostic or prose)
        if code:
            status = f"{code.group(1)[0]}.0.0"
    permanent = not (status or "").startswith("4.") and not action.startswith("delayed") and reason not in ("expired", "temporary")
    return Bounce(
        recipient=recipient,
        hard=_is_hard(reason, status),
        status=status,
        reason=reason,
        original_message_id=_original_message_id(msg, original, text),
        permanent=permanent,
    )


def delivery_success(msg: Message) -> bool:
    """True for a DSN whose every recipient was delivered/relayed/expanded (not a failure)."""
    note = ses_notification(all_text(msg, limit=50_000)) if "amazonses" in header(msg, "From").lower() or "aws" in header(msg, "Subject").lower() else None
    if note is not None:
        return note.get("notificationType") in ("Delivery", "Complaint")
    dsn_parts = [p for p in _walk(msg) if p.get_content_type() in ("message/delivery-status", "message/global-delivery-status")]
    if not dsn_parts:
        return False
    blocks = _dsn_blocks("\n\n".join(_dsn_text(p) for p in dsn_parts))
    actions = {b["action"].lower().split()[0] for b in blocks if b.get("action", "").strip()}
    return bool(actions) and actions <= {"delivered", "relayed", "expanded", "deliverable"}
