"""Owner commands, read from the new text of an owner's email: pure parsing, no effects.

One command per line, French, English or Dutch; the first line that is a command decides for
a one-line reply, and a digest reply may carry several ("done F-12", "pause F-14 until ...").

>>> parse_commands("Payé, merci !")
[Command(verb='done', number=None, amount=None, date=None, text='Payé, merci !')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

VERBS = ("done", "partial", "pause", "resume", "dispute_resolved", "promise", "note", "client_email", "cancel", "status", "undo", "help", "digest")


@dataclass
class Command:
    verb: str
    number: str | None = None  # invoice number named in the line, if any
    amount: Decimal | None = None
    date: date | None = None
    text: str = ""  # the line, or the note's text / the new address


_NUM = r"(?P<number>[A-Z]{0,6}[-/_.]?\d[\w\-/.]*)"
_DONE = r"(?:done|paid|pay[ée]e?|r[ée]gl[ée]e?|betaald|voldaan|bezahlt|clos|closed|sold[ée]e?)"
_DATE_ISO = r"(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})"
_AMOUNT = r"(?P<amount>\d{1,3}(?:[ \u00a0\u202f.,]?\d{3})*(?:[.,]\d{1,2})?)"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("undo", re.compile(r"^(?:undo|annuler la derni[eè]re|ongedaan)\b", re.I)),
    ("dispute_resolved", re.compile(rf"^(?:dispute|litige|geschil)\s+(?:resolved|r[ée]solu|opgelost)(?:\s+{_NUM})?\b", re.I)),
    ("partial", re.compile(rf"^(?:{_DONE}|received|re[cç]u|ontvangen)\s+(?:{_NUM}\s+)?{_AMOUNT}\s*(?:€|eur|euros?)?\s*$", re.I)),
    ("done", re.compile(rf"^{_DONE}(?:\s+{_NUM})?\s*[.,!;:]*(?:\s+.*)?$", re.I)),
    ("pause", re.compile(rf"^(?:pause|suspendre|pauzeer|pauze)(?:\s+{_NUM})?\s+(?:until|jusqu'?au|jusqu'?à|tot|tot en met)\s+{_DATE_ISO}", re.I)),
    ("resume", re.compile(rf"^(?:resume|reprendre|hervat|hervatten)(?:\s+{_NUM})?\b", re.I)),
    ("promise", re.compile(rf"^(?:promise|promesse|belofte)(?:\s+{_NUM})?\s+{_DATE_ISO}", re.I)),
    ("note", re.compile(rf"^(?:note|notitie)(?:\s+{_NUM})?\s*:\s*(?P<text>.+)$", re.I)),
    ("client_email", re.compile(rf"^(?:client\s+e-?mail|email\s+client|e-?mail|klant\s+e-?mail|adresse)(?:\s+{_NUM})?\s+(?P<text>[^\s@]+@[^\s@]+\.[^\s@]+)$", re.I)),
    ("cancel", re.compile(rf"^(?:cancel|annuler|annul[ée]e?|annuleer|annuleren)(?:\s+{_NUM})?\s*$", re.I)),
    ("status", re.compile(r"^(?:status|statut|état|etat|overzicht)\s*$", re.I)),
    ("digest", re.compile(r"^(?:digest|r[ée]sum[ée]|samenvatting)\s*$", re.I)),
    ("help", re.compile(r"^(?:help|aide|\?|hulp)\s*$", re.I)),
]


def parse_amount(text: str) -> Decimal | None:
    """'1 440,50' -> Decimal('1440.50'); '1,440.50' -> Decimal('1440.50'); '500' -> Decimal('500')."""
    t = re.sub(r"[ \u00a0\u202f]", "", text)
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    elif "," in t:
        head, _, tail = t.rpartition(",")
        t = f"{head.replace(',', '')}.{tail}" if len(tail) <= 2 else t.replace(",", "")
    elif t.count(".") == 1 and len(t.rpartition(".")[2]) == 3:
        t = t.replace(".", "")  # "1.440" is a thousands separator in fr/nl/de
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def parse_date(text: str) -> date | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if m:  # day first, as written in France, Belgium and the Netherlands
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def parse_line(line: str) -> Command | None:
    s = " ".join(line.strip().strip("*_").split())
    if not s:
        return None
    for verb, pattern in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        g = m.groupdict()
        number = g.get("number")
        if verb == "done" and number and not re.search(r"\d", number):
            number = None
        cmd = Command(verb, number=number, text=s)
        if g.get("amount"):
            cmd.amount = parse_amount(g["amount"])
            if cmd.amount is None:
                continue
        if g.get("date"):
            cmd.date = parse_date(g["date"])
            if cmd.date is None:
                continue
        if verb in ("note", "client_email"):
            cmd.text = g["text"].strip()
        return cmd
    return None


def parse_commands(text: str) -> list[Command]:
    """Every line of `text` that is a command, in order."""
    out = []
    for line in text.splitlines():
        cmd = parse_line(line)
        if cmd is not None:
            out.append(cmd)
    return out
