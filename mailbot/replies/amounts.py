"""Money amounts as people write them: "1 440,00 €", "€1,440.00", "1.440,00 EUR", "EUR 1440".

The decimal separator is decided per number, not per language: when both "," and "." appear the
last one is the decimal mark; a lone separator followed by exactly three digits groups
thousands ("1.440", "1,440"), otherwise it is the decimal mark ("1440,5", "12.50").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_CUR = r"(?:€|EUR|euros?|\$|USD|£|GBP|CHF)"
_NUM = r"\d{1,3}(?:[ \u00a0\u202f.,'’]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT = re.compile(
    rf"(?P<pre>{_CUR})\s?(?P<a>{_NUM})(?![\d])|(?<![\w.,])(?P<b>{_NUM})\s?(?P<post>{_CUR})(?!\w)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FoundAmount:
    value: Decimal
    currency: str
    start: int
    end: int
    text: str


def parse_number(raw: str) -> Decimal | None:
    """'1 440,00' -> Decimal('1440.00'); '€1,440.00' digits -> Decimal('1440.00')."""
    s = raw.replace("\u00a0", " ").replace("\u202f", " ").replace("'", "").replace("’", "").replace(" ", "")
    if not s:
        return None
    last_comma, last_dot = s.rfind(","), s.rfind(".")
    if last_comma >= 0 and last_dot >= 0:
        decimal_mark = "," if last_comma > last_dot else "."
    elif last_comma >= 0 or last_dot >= 0:
        mark = "," if last_comma >= 0 else "."
        tail = s[s.rfind(mark) + 1 :]
        decimal_mark = None if (len(tail) == 3 and s.count(mark) >= 1 and len(tail) == 3) else mark
        if s.count(mark) > 1:
            decimal_mark = None
    else:
        decimal_mark = None
    if decimal_mark is None:
        digits = s.replace(",", "").replace(".", "")
    else:
        thousands = "." if decimal_mark == "," else ","
        digits = s.replace(thousands, "").replace(decimal_mark, ".")
    try:
        return Decimal(digits)
    except InvalidOperation:
        return None


def _currency(symbol: str) -> str:
    symbol = symbol.lower()
    if symbol in ("€", "eur", "euro", "euros"):
        return "EUR"
    if symbol in ("$", "usd"):
        return "USD"
    if symbol in ("£", "gbp"):
        return "GBP"
    return symbol.upper()


def find_amounts(text: str) -> list[FoundAmount]:
    """Every amount with a currency mark, in text order.

    >>> [a.value for a in find_amounts("virement de 1 440,00 € effectué")]
    [Decimal('1440.00')]
    """
    found = []
    for m in _AMOUNT.finditer(text):
        raw = m.group("a") or m.group("b")
        value = parse_number(raw)
        if value is None:
            continue
        found.append(FoundAmount(value, _currency(m.group("pre") or m.group("post")), m.start(), m.end(), m.group(0)))
    return found
