"""Is a message written by a machine on someone's behalf (out-of-office, autoresponder, list)?

Headers decide first (RFC 3834 `Auto-Submitted`, the de-facto `X-Autoreply`/`X-Autorespond`,
`Precedence`, Exchange's `X-Auto-Response-Suppress` and rule-loop marks); the subject decides next
("Out of Office", "Réponse automatique", "Afwezig", "Abwesenheitsnotiz"…). A body sentence alone
("je suis absente jusqu'au…") counts only at the very top of a short message with a reply-like
subject, because clients do write "I was away, sorry" in real replies.

The return date comes from the phrases out-of-office notices use, resolved against the message
date: "de retour le 5 janvier", "back on Monday", "terug op 3 januari", "ab dem 7. Januar wieder".
"Until X" forms ("absent jusqu'au 4 janvier", "out until Jan 4") give X itself; "inclusive" forms
("jusqu'au 4 inclus", "tot en met 4 januari", "t/m", "einschließlich") give the day after.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from email.message import Message

from mailbot.replies.body import body_parts, header, html_to_text, message_date
from mailbot.replies.dates import find_dates

# Phrases that only automatic notices put in a subject, wherever they sit.
_AUTO_SUBJECT = re.compile(
    r"\b(?:out\s+of\s+(?:the\s+)?office|automatic\s+reply|auto(?:matic)?[- ]?(?:reply|response)|autoreply|"
    r"away\s+from\s+(?:the\s+)?office|vacation\s+(?:reply|message|notice|response)|"
    r"réponse\s+automatique|reponse\s+automatique|message\s+d'absence|absence\s+du\s+bureau|"
    r"automatisch\s+antwoord|automatisch\s+bericht|afwezigheidsbericht|abwesenheitsnotiz|"
    r"automatische\s+antwort|respuesta\s+automática|risposta\s+automatica|fuori\s+ufficio|"
    r"complaint\s+about\s+message|abuse\s+report|spam\s+report)",
    re.IGNORECASE,
)
# Words that mean "away" only when they open the subject ("Absence : Re: Relance…"): inside a
# subject they may be the reminder's own words ("absence de règlement").
_AWAY_SUBJECT_START = re.compile(
    r"^\s*(?:\[?auto\]?|OOO|absen(?:ce|t|te)|en\s+cong[ée]s?|en\s+vacances|on\s+(?:annual\s+)?leave|"
    r"on\s+vacation|away|afwezig|niet\s+aanwezig|met\s+vakantie|vakantie|abwesen(?:d|heit)|im\s+urlaub|"
    r"nicht\s+im\s+büro)\b",
    re.IGNORECASE,
)
_AUTO_PRECEDENCE = re.compile(r"^\s*(?:auto_reply|bulk|junk|list)\b", re.IGNORECASE)
_SUPPRESS_VALUES = re.compile(r"\b(?:OOF|AutoReply)\b", re.IGNORECASE)
# First lines of a notice when the headers and subject say nothing.
_BODY_NOTICE = re.compile(
    r"^\W*(?:(?:je\s+suis|nous\s+sommes)\s+(?:actuellement\s+)?(?:absente?s?|en\s+congés?|en\s+vacances|hors\s+du\s+bureau)|"
    r"(?:I\s+am|I'm)\s+(?:currently\s+)?(?:out\s+of\s+(?:the\s+)?office|away|on\s+(?:annual\s+)?leave|on\s+vacation)|"
    r"(?:thank\s+you\s+for\s+your\s+(?:e-?mail|message)\.?\s+I\s+am\s+(?:currently\s+)?(?:out|away|on\s+leave))|"
    r"ik\s+ben\s+(?:momenteel\s+|op\s+dit\s+moment\s+)?(?:afwezig|met\s+vakantie|niet\s+aanwezig|niet\s+op\s+kantoor)|"
    r"ich\s+bin\s+(?:derzeit\s+|zurzeit\s+)?(?:nicht\s+im\s+büro|abwesend|im\s+urlaub|außer\s+haus))",
    re.IGNORECASE,
)

# Phrases that introduce the return date; the date must start within a few words after them.
_BACK_ON = re.compile(
    r"(?:de\s+retour|serai\s+(?:à\s+nouveau\s+)?(?:présente?|disponible|joignable)|retour\s+(?:prévu\s+)?(?:le|au\s+bureau\s+le)|"
    r"back\s+(?:in\s+(?:the\s+)?office\s+)?(?:on|from)?|return(?:ing)?\s+(?:to\s+(?:the\s+)?office\s+)?(?:on|from)?|"
    r"terug\s+(?:op\s+kantoor\s+)?(?:op|vanaf)?|weer\s+(?:aanwezig|bereikbaar|op\s+kantoor)\s+(?:op|vanaf)?|vanaf|"
    r"wieder\s+(?:im\s+büro|erreichbar|da|zurück)?\s*(?:ab|am)?|ab\s+(?:dem|den)?|zurück\s+(?:am|ab)?)",
    re.IGNORECASE,
)
_UNTIL = re.compile(
    r"(?:jusqu'(?:au|à)|until|till|through|tot(?:\s+en\s+met)?|t/m|bis\s+(?:zum|einschließlich)?|bis)",
    re.IGNORECASE,
)
_INCLUSIVE = re.compile(
    r"^\W*(?:inclus|compris|included|inclusive|einschließlich|\(inclus\)|\(included\))|"
    r"^.{0,3}$",
    re.IGNORECASE,
)


def _header_says_auto(msg: Message) -> str | None:
    """The header that marks the message as automatic, or None."""
    auto = header(msg, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return "Auto-Submitted"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Autoresponse", "X-AutoReply-From", "X-Mail-Autoreply"):
        if header(msg, name):
            return name
    if _AUTO_PRECEDENCE.match(header(msg, "Precedence")):
        return "Precedence"
    suppress = header(msg, "X-Auto-Response-Suppress")
    if suppress and _SUPPRESS_VALUES.search(suppress):
        return "X-Auto-Response-Suppress"
    if header(msg, "X-MS-Exchange-Inbox-Rules-Loop"):
        return "X-MS-Exchange-Inbox-Rules-Loop"
    if header(msg, "X-MS-Exchange-Generated-Message-Source").lower().startswith("mailbox rules agent"):
        return "X-MS-Exchange-Generated-Message-Source"
    ctype = msg.get_content_type()
    if ctype == "multipart/report":
        # Abuse reports and read receipts are not bounces, but nobody wrote them either.
        report = (msg.get_param("report-type") or "")
        report = report.lower() if isinstance(report, str) else ""
        if report in ("feedback-report", "disposition-notification"):
            return "report-type=" + report
    return None


def _reply_text(msg: Message) -> str:
    plain, markup = body_parts(msg)
    return plain if plain.strip() else html_to_text(markup)


def return_date(text: str, sent: date) -> date | None:
    """The first day the absent person is back, from the notice's wording.

    >>> return_date("Je serai de retour le 5 janvier.", date(2024, 12, 20))
    datetime.date(2025, 1, 5)
    """
    best: date | None = None
    for found in find_dates(text, sent):
        if found.value < sent:
            continue
        before = text[max(0, found.start - 40) : found.start]
        after = text[found.end : found.end + 20]
        tail = before[-40:]
        if re.search(r"(?:" + _BACK_ON.pattern + r")\W*(?:\w+\W+){0,3}$", tail, re.IGNORECASE):
            return found.value
        if re.search(r"(?:" + _UNTIL.pattern + r")\W*(?:\w+\W+){0,3}$", tail, re.IGNORECASE):
            inclusive = bool(re.search(r"(?:tot\s+en\s+met|t/m|einschließlich)\W*(?:\w+\W+){0,3}$", tail, re.I)) or bool(
                re.match(r"\W*\(?(?:inclus|compris|included|inclusive|einschließlich)", after, re.I)
            )
            value = found.value + timedelta(days=1) if inclusive else found.value
            best = best or value
            continue
        # "du 20 décembre au 4 janvier", "from Dec 20 to Jan 4": the end of the range.
        if re.search(r"(?:\bau|\bto|\btot|\bbis|–|-)\s*$", before, re.IGNORECASE):
            best = best or found.value
    return best


def auto_reply_info(msg: Message) -> tuple[bool, date | None]:
    """(is it an automatic reply, return date if the notice gives one).

    >>> auto_reply_info(msg)   # "Réponse automatique : …", "de retour le 5 janvier"
    (True, datetime.date(2025, 1, 5))
    """
    subject = header(msg, "Subject")
    marked = (
        _header_says_auto(msg) is not None
        or bool(_AUTO_SUBJECT.search(subject))
        or bool(_AWAY_SUBJECT_START.match(subject))
    )
    text = ""
    if not marked:
        text = _reply_text(msg)
        head = text.strip()[:300]
        if _BODY_NOTICE.search(head) and len(text) < 3000:
            marked = True
    if not marked:
        return False, None
    sent = message_date(msg)
    if sent is None:
        return True, None
    if not text:
        text = _reply_text(msg)
    return True, return_date(subject + "\n" + text[:4000], sent)
