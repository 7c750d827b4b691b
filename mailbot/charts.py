"""Bar charts that survive every mail client: widths for HTML table cells, and text bars.

Mail clients block remote images and many strip CSS, but every one of them (Outlook's Word
engine included) draws a table cell with a ``width`` and a ``bgcolor``. So a bar is a row of two
cells: a coloured one `percent` wide and an empty one for the rest. The plain-text part gets the
same bar drawn with block characters. Pure: numbers in, numbers and strings out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

# From calm to alarming, one per aged-balance bucket (not due … over 90 days).
COLOURS = ("#4c9f70", "#e0b43a", "#e08a3a", "#d35d3a", "#a8322d")


@dataclass(frozen=True)
class Bar:
    value: Decimal
    percent: int  # width of the coloured cell, 0–100, relative to the largest bar
    share: int  # percent of the total, for the label
    colour: str


def bars(values: Sequence[Decimal], colours: Sequence[str] = COLOURS) -> list[Bar]:
    """Widths relative to the largest value; a non-zero value is never drawn thinner than 2 %.

    >>> [b.percent for b in bars([Decimal(50), Decimal(100), Decimal(0)])]
    [50, 100, 0]
    """
    top = max(values, default=Decimal(0))
    total = sum(values, Decimal(0))
    out = []
    for i, v in enumerate(values):
        percent = 0 if top <= 0 or v <= 0 else max(2, _pct(v, top))
        share = 0 if total <= 0 or v <= 0 else _pct(v, total)
        out.append(Bar(v, percent, share, colours[i % len(colours)]))
    return out


def text_bar(percent: int, width: int = 24) -> str:
    """'█' blocks for `percent` of `width` characters; a sliver for anything above zero."""
    n = round(percent * width / 100)
    if percent > 0 and n == 0:
        return "▏"
    return "█" * n


def _pct(part: Decimal, whole: Decimal) -> int:
    return int((part * 100 / whole).quantize(Decimal(1), rounding=ROUND_HALF_UP))
