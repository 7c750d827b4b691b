"""Reading single values out of free text: amounts, dates, IBANs, e-mail addresses.

Invoices written by people and printed by many tools spell the same value in many ways
("1 234,56 €", "€1,234.56", "1.234,56 EUR", "15/12/2026", "15. Dezember 2026"). These
functions turn one such spelling into a typed value, or None when they cannot be sure of
the reading; the callers decide how much to trust it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

# Every kind of space a PDF or a mail client puts inside a number ("1 234,56"): plain,
# no-break, narrow no-break, thin. Apostrophes are the Swiss thousands separator.
_GROUP_CHARS = " \u00a0\u202f\u2009'\u2019"
_MINUS = "-\u2212\u2013"

CURRENCY_SYMBOLS = {"€": "EUR", "$": "USD", "£": "GBP", "CHF": "CHF", "EUR": "EUR", "USD": "USD", "GBP": "GBP"}
_CUR = r"(?:€|EUR|USD|GBP|CHF|\$|£|euros?)"

# One amount with an optional currency on either side. The number is either digits grouped
# by threes (with one kind of separator) plus optional decimals, or plain digits + decimals.
AMOUNT_RE = re.compile(
    rf"""
    (?<![\w.,/:])
    (?P<sign>[{_MINUS}]\s?)?
    (?:(?P<cur1>{_CUR})\s?)?
    (?P<sign2>[{_MINUS}])?
    (?P<num>
        \d{{1,3}}(?P<sep>[{_GROUP_CHARS}.,])\d{{3}}(?:(?P=sep)\d{{3}})*(?:[.,]\d{{1,2}})?
      | \d+(?:[.,]\d{{1,4}})?
    )
    (?![\d])(?![.,]\d)
    (?:\s?(?P<cur2>{_CUR}))?
    (?![\w/])
    """,
    re.VERBOSE | re.IGNORECASE,
)


@dataclass(frozen=True)
class Amount:
    value: Decimal
    currency: str | None
    text: str  # the matched span, for evidence
    start: int = 0


def _norm_currency(token: str | None) -> str | None:
    if not token:
        return None
    t = token.strip()
    if t.lower().startswith("euro"):
        return "EUR"
    return CURRENCY_SYMBOLS.get(t.upper(), CURRENCY_SYMBOLS.get(t))


def parse_number(num: str) -> Decimal | None:
    """'1 234,56' -> Decimal('1234.56'); '1,234.56' -> 1234.56; '1.234' -> 1234.

    The last separator followed by one or two digits is the decimal mark; a lone
    separator followed by exactly three digits is a thousands separator (totals with
    three decimals do not occur on invoices, "1.234" and "1,234" mean one thousand).
    """
    s = num.strip()
    for ch in _GROUP_CHARS:
        s = s.replace(ch, "")
    if not s or not re.fullmatch(r"\d[\d.,]*", s):
        return None
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    last = max(last_dot, last_comma)
    if last == -1:
        digits = s
    else:
        mark = s[last]
        other = "," if mark == "." else "."
        tail = s[last + 1 :]
        head = s[:last]
        if s.count(mark) > 1:
            # "1.234.567" : every mark is a thousands separator.
            if other in s:
                return None
            digits = s.replace(mark, "")
        elif len(tail) == 3 and other not in head and re.fullmatch(r"[1-9]\d{0,2}", head):
            digits = head + tail  # "1.234" / "1,234" -> thousands
        else:
            if len(tail) == 0:
                return None
            digits = head.replace(other, "") + "." + tail
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def money(value: Decimal) -> Decimal:
    """Show money with at least two decimals ('300' -> '300.00') without losing precision."""
    exp = value.as_tuple().exponent
    if isinstance(exp, int) and exp > -2:
        return value.quantize(Decimal("0.01"))
    return value


def find_amounts(text: str) -> list[Amount]:
    """Every amount-looking token of a line, left to right, with its currency if written."""
    out = []
    for m in AMOUNT_RE.finditer(text):
        value = parse_number(m.group("num"))
        if value is None:
            continue
        if m.group("sign") or m.group("sign2"):
            value = -value
        cur = _norm_currency(m.group("cur1") or m.group("cur2"))
        out.append(Amount(value, cur, m.group(0).strip(), m.start()))
    return out


def parse_amount(text: str) -> Amount | None:
    """The single amount in a short value such as '1 440,00 €' or 'EUR 1,440.00'."""
    found = [a for a in find_amounts(text) if a.value is not None]
    if not found:
        return None
    # Prefer a token that carries decimals or a currency: "30 jours ... 1 200,00" -> 1200.00
    best = [a for a in found if a.currency or re.search(r"[.,]\d{1,2}\b", a.text)]
    return (best or found)[-1] if len(found) > 1 else found[0]


# ---------------------------------------------------------------- dates

MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "january janvier januari januar jänner jan janv",
        "february février fevrier februari februar feb fév fev févr fevr",
        "march mars maart märz marz mar mär mrt",
        "april avril april apr avr",
        "may mai mei",
        "june juin juni jun",
        "july juillet juli jul juil",
        "august août aout augustus aug aoû",
        "september septembre sept sep",
        "october octobre oktober october oct okt",
        "november novembre nov",
        "december décembre decembre dezember dec déc dez",
    ],
    start=1,
):
    for _n in _names.split():
        MONTHS[_n] = _num

_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))
_DAY_RE = r"(?P<d>[0-3]?\d)(?:er|st|nd|rd|th|e)?\.?"
# "15 décembre 2026", "15. Dezember 2026", "1er déc. 2026", "15-Dec-2026"
_DMY_NAME = re.compile(
    rf"(?<!\d){_DAY_RE}[\s\-]*(?P<m>{_MONTH_ALT})(?![^\W\d_])\.?[\s\-,]*(?P<y>\d{{4}}|\d{{2}})(?!\d)", re.IGNORECASE
)
# "December 15, 2026", "Dec 15 2026"
_MDY_NAME = re.compile(
    rf"(?<![\w])(?P<m>{_MONTH_ALT})(?![^\W\d_])\.?\s+(?P<d>[0-3]?\d)(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)", re.IGNORECASE
)
_ISO = re.compile(r"(?<![\d.])(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?![\d])")
_NUMERIC = re.compile(r"(?<![\d.])(?P<a>\d{1,2})(?P<s>[/.\-])(?P<b>\d{1,2})(?P=s)(?P<y>\d{4}|\d{2})(?![\d])")

@dataclass(frozen=True)
class FoundDate:
    value: date
    text: str
    start: int
    ambiguous: bool = False  # both day-first and month-first readings were possible


def _year(y: str) -> int:
    n = int(y)
    return n + 2000 if len(y) == 2 else n


def _mk(y: int, m: int, d: int) -> date | None:
    try:
        if not 1900 <= y <= 2199:
            return None
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str, *, dayfirst: bool = True) -> list[FoundDate]:
    """Every date of a line, left to right.

    Numeric dates whose order is ambiguous (03/04/2026) are read day-first unless
    `dayfirst` is False (en-US evidence); they are flagged `ambiguous` so a caller can
    lower its confidence. An impossible reading (13/25/2026) is never produced.
    """
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    for rx in (_ISO, _DMY_NAME, _MDY_NAME):
        for m in rx.finditer(text):
            if not free(m.start(), m.end()):
                continue
            if rx is _ISO:
                d = _mk(int(m["y"]), int(m["m"]), int(m["d"]))
            else:
                d = _mk(_year(m["y"]), MONTHS[m["m"].lower()], int(m["d"]))
            if d:
                found.append(FoundDate(d, m.group(0), m.start()))
                taken.append((m.start(), m.end()))
    for m in _NUMERIC.finditer(text):
        if not free(m.start(), m.end()):
            continue
        a, b, y = int(m["a"]), int(m["b"]), _year(m["y"])
        day_first = _mk(y, b, a)
        month_first = _mk(y, a, b)
        # Dots are day-first everywhere they are used (de, nl, fr); only slashes and dashes
        # can be US month-first.
        if m["s"] == ".":
            month_first = None
        if day_first and month_first and a != b:
            chosen = day_first if dayfirst else month_first
            found.append(FoundDate(chosen, m.group(0), m.start(), ambiguous=True))
        elif day_first or month_first:
            chosen = day_first if (day_first and (dayfirst or not month_first)) else month_first
            assert chosen is not None
            found.append(FoundDate(chosen, m.group(0), m.start()))
        else:
            continue
        taken.append((m.start(), m.end()))
    found.sort(key=lambda f: f.start)
    return found


def parse_date(text: str, *, dayfirst: bool = True) -> date | None:
    """The first date in `text`: parse_date('15/12/2026') -> date(2026, 12, 15)."""
    found = find_dates(text, dayfirst=dayfirst)
    return found[0].value if found else None


# ---------------------------------------------------------------- IBAN, e-mail, references

_IBAN_RE = re.compile(r"\b([A-Z]{2}\d{2}(?:[ \u00a0]?[A-Z0-9]){11,30})\b")


def iban_valid(iban: str) -> bool:
    """ISO 13616 check digits (mod 97)."""
    s = re.sub(r"\s", "", iban).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s):
        return False
    moved = s[4:] + s[:4]
    digits = "".join(str(int(c, 36)) for c in moved)
    return int(digits) % 97 == 1


def normalize_iban(iban: str) -> str:
    return re.sub(r"\s", "", iban).upper()


def find_ibans(text: str) -> list[str]:
    """Valid IBANs in text, normalised; masked ones ('DE54 5004 **** ...') never match."""
    out = []
    for m in _IBAN_RE.finditer(text.upper()):
        cand = m.group(1)
        # The pattern may swallow a following word ("... 00 BIC"); shorten until valid.
        compact = normalize_iban(cand)
        for end in range(len(compact), 14, -1):
            if iban_valid(compact[:end]):
                if compact[:end] not in out:
                    out.append(compact[:end])
                break
    return out


EMAIL_RE = re.compile(r"(?<![\w.+-])([A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,24})(?![\w-])")


def find_emails(text: str) -> list[str]:
    out: list[str] = []
    for m in EMAIL_RE.finditer(text):
        addr = m.group(1).strip(".").lower()
        if addr not in out:
            out.append(addr)
    return out


def is_email(value: str) -> bool:
    return bool(EMAIL_RE.fullmatch(value.strip()))


def belgian_structured_ok(ref: str) -> bool:
    """+++123/4567/89002+++ : the last two digits are the first ten mod 97 (97 for 0)."""
    digits = re.sub(r"\D", "", ref)
    if len(digits) != 12:
        return False
    check = int(digits[:10]) % 97 or 97
    return check == int(digits[10:])


def creditor_reference_ok(ref: str) -> bool:
    """ISO 11649 'RF18 5390 0754 7034': same mod-97 rule as an IBAN."""
    s = re.sub(r"\s", "", ref).upper()
    if not re.fullmatch(r"RF\d{2}[A-Z0-9]{1,21}", s):
        return False
    moved = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1
