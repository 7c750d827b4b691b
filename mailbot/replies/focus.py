"""The part of a reply that is about one invoice, when the client answers about several.

Accounts departments answer a reminder with the state of every open invoice ("F-011 paid 2 Oct /
F-017 to be paid 11 Dec / F-019 waiting on a PO"). Read whole, such a reply is a paid claim, a
promise and a question at once, and the dates of the other invoices compete with the one that
matters. When the file's number is known (the handler knows the receivable; the scoring command
takes it from the Subject), the lines that speak only of *other* invoices are left out.

Pure text in, text out; offsets are not kept (the reading's evidence is a sentence of the result,
which is a sentence of the reply).
"""

from __future__ import annotations

import re
from typing import Iterable

# A reference worth a focus has letters or separators around at least three digits: "F-2024-017",
# "2024/017", "INV0042". Plain numbers ("1440", "3") are amounts and days, not references.
_REFERENCE = re.compile(r"(?<![\w/.-])(?=[\w/.-]*\d{3})[A-Za-z]{0,6}[-/. ]?\d[\w/.-]*\d(?![\w/.-]*\w)")


def references_in(subject: str) -> list[str]:
    """Invoice-like references of a Subject line ("RE: Relance facture F-2024-017" -> ["F-2024-017"]).

    Dates ("12/11/2024", "2024-11-12") are not references."""
    found = []
    for m in _REFERENCE.finditer(subject or ""):
        token = m.group(0).strip(" .-/")
        if re.fullmatch(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}", token):
            continue
        if re.search(r"[A-Za-z]", token) or re.search(r"[-/.]", token):
            found.append(token)
    return found


# Words that tie another invoice to ours: a duplicate, one payment for both, a credit note.
_RELATES = re.compile(
    r"\b(?:dup\w*|doubl\w*|dubbel\w*|same|même|meme|zelfde|dezelfde|hetzelfde|twice|deux\s+fois|twee\s+keer|2\s?x|together|ensemble|samen|"
    r"both|les\s+deux|beide|instead|remplace\w*|vervangt|credit\w*|crédit\w*|avoir|gutschrift|doppelt)\b", re.IGNORECASE)


def _shape(reference: str) -> re.Pattern[str]:
    """References of the same shape as `reference`: letters as written (any case), each digit
    any digit, separators optional ("F-2024-017" also finds "F-2024-014", "f2024/019")."""
    parts = []
    for ch in reference:
        if ch.isdigit():
            parts.append(r"\d")
        elif ch.isalpha():
            parts.append(re.escape(ch))
        else:
            parts.append(r"[-/. ]?")
    return re.compile(r"(?<![\w])" + "".join(parts) + r"(?!\d)", re.IGNORECASE)


def _key(reference: str) -> str:
    return re.sub(r"[^0-9a-z]", "", reference.lower())


def focus_on(text: str, invoices: Iterable[str]) -> str:
    """`text` without the lines that name only other invoices than `invoices`; the text unchanged
    when it names no other invoice, or does not name one of `invoices` at all (then nothing tells
    which lines are ours).

    >>> focus_on("F-2024-011 paid 2 Oct\\nF-2024-017 to be paid 11 Dec", ["F-2024-017"])
    'F-2024-017 to be paid 11 Dec'
    """
    wanted = [i for i in invoices if i and sum(ch.isdigit() for ch in i) >= 3]
    if not wanted:
        return text
    shapes = [_shape(i) for i in wanted]
    keys = {_key(i) for i in wanted}
    # Lines, and sentences within a line: "F-011 was paid on 2 Oct. F-017 follows on the 11th."
    pieces = re.split(r"(\n|(?<=[.;!?])[ \t]+)", text)
    segments, separators = pieces[::2], pieces[1::2] + [""]
    named = [{_key(m.group(0)) for shape in shapes for m in shape.finditer(segment)} for segment in segments]
    ours = any(names & keys for names in named)
    others = {name for names in named if names and not names & keys for name in names}
    if not ours or not others:
        return text
    # "A duplicate of F-2024-014, which we paid on 30 October": the other invoice is the reason
    # about ours, not another subject.
    if len(others) == 1 and _RELATES.search(text):
        return text
    kept = [segment + sep for segment, sep, names in zip(segments, separators, named) if not names or names & keys]
    return re.sub(r"\n{3,}", "\n\n", "".join(kept)).strip()
