"""`mailbot classify PATH.eml [--json] [--owner ADDRESS]...`: what mailbot would make of a message.

The message's own Date is "today", so the answer is the same whenever the command runs.
Without `--owner` the command cannot know who the owners are; with it, a message from an owner is
an "owner_command", or an "invoice" when it carries a PDF/XML attachment or forward markers.
Exit status is non-zero only when the file cannot be read or parsed at all.
"""

from __future__ import annotations

import argparse
import email
import json
import re
import sys
from email import policy
from email.message import Message

from mailbot.replies.body import addresses, header, message_date
from mailbot.replies.read import new_text, read_message

_FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|tr|wg|doorst|fw)\s*:", re.IGNORECASE)
_FORWARD_BODY = re.compile(
    r"-{2,}\s*(?:Forwarded message|Message transféré|Doorgestuurd bericht|Weitergeleitete Nachricht)|"
    r"^\s*Begin forwarded message:|^\s*Début du message réexpédié",
    re.IGNORECASE | re.MULTILINE,
)


def _has_invoice_attachment(msg: Message) -> bool:
    for part in msg.walk():
        ctype = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if ctype == "application/pdf" or filename.endswith(".pdf"):
            return True
        if filename.endswith(".xml") or (ctype in ("application/xml", "text/xml") and filename):
            return True
    return False


def _is_forward(msg: Message) -> bool:
    if _FORWARD_SUBJECT.match(header(msg, "Subject")):
        return True
    for part in msg.walk():
        if part.get_content_type() == "message/rfc822":
            return True
        if part.get_content_type() == "text/plain":
            try:
                text = part.get_content()
            except Exception:
                continue
            if isinstance(text, str) and _FORWARD_BODY.search(text):
                return True
    return False


def classify(msg: Message, owners: list[str]) -> dict[str, object]:
    """The JSON-ready reading of one message."""
    sender = addresses(msg, "From")
    owner_set = {o.strip().lower() for o in owners}
    if sender and sender[0] in owner_set:
        kind = "invoice" if (_has_invoice_attachment(msg) or _is_forward(msg)) else "owner_command"
        return {
            "kind": kind, "intent": None, "date": None, "amount": None, "reason": None,
            "evidence": None, "new_text": new_text(msg),
        }
    reading = read_message(msg, today=message_date(msg))
    return {
        "kind": reading.kind,
        "intent": reading.intent,
        "date": reading.date.isoformat() if reading.date else None,
        "amount": str(reading.amount) if reading.amount is not None else None,
        "reason": reading.reason,
        "evidence": reading.evidence,
        "new_text": reading.new_text,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="mailbot classify", description="Show how mailbot reads one message.")
    parser.add_argument("path", help="an .eml file")
    parser.add_argument("--json", action="store_true", help="print JSON (default: key: value lines)")
    parser.add_argument("--owner", action="append", default=[], metavar="ADDRESS", help="an owner's address (repeatable)")
    args = parser.parse_args(argv)
    try:
        with open(args.path, "rb") as handle:
            data = handle.read()
        msg = email.message_from_bytes(data, policy=policy.default)
    except OSError as exc:
        print(f"mailbot classify: cannot read {args.path}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    if not data.strip():
        print(f"mailbot classify: {args.path} is empty, not an email", file=sys.stderr)
        return 2
    result = classify(msg, args.owner)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for key, value in result.items():
            if key == "new_text":
                continue
            print(f"{key}: {'' if value is None else value}")
        print("new_text:")
        print(result["new_text"])
    return 0


if __name__ == "__main__":  # pragma: no cover - convenience for `python -m`
    raise SystemExit(main(sys.argv[1:]))
