"""A sentence for the terminal and the logs that also carries a code and its data for the owner's notes.

Pure parts of mailbot (intake, importer, plans, guard) explain themselves in English: the CLI prints
those sentences and the logs keep them. Notes to an owner must be in the owner's language, so the
same value carries a code and the data the sentence was built from; each language's
`templates/<lang>/owner/_macros.j2` words the code (macro `say`), and only English prints the
sentence as is. Being a `str`, a `Coded` goes wherever a message string went before (joined,
searched, compared, printed).

>>> w = Coded("several_values", "amount due: the text gives several values; 1 440,00", field="amount_due")
>>> w.code, w.data["field"], w.startswith("amount due")
('several_values', 'amount_due', True)
"""

from __future__ import annotations

import re
from typing import Any


class Coded(str):
    code: str
    data: dict[str, Any]

    def __new__(cls, code: str, text: str, **data: Any) -> Coded:
        self = super().__new__(cls, text)
        self.code = code
        self.data = data
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled across the PDF worker's process boundary and copied with `copy`: keep the code.
        return (_rebuild, (self.code, str(self), self.data))

    def __repr__(self) -> str:
        return f"Coded({self.code!r}, {str(self)!r})"


def _rebuild(code: str, text: str, data: dict[str, Any]) -> Coded:
    return Coded(code, text, **data)


# mailbot's refusals name the setting whose limit was broken, and the limit: "x.pdf has 300 pages;
# the limit is 200 (MAILBOT_MAX_PDF_PAGES)", "took longer than 30 s ...; raise MAILBOT_PARSE_TIMEOUT_S".
_SETTING = re.compile(r"\b(MAILBOT_[A-Z_]+)\b")
_LIMIT = re.compile(r"(?:the limit is|more than|longer than)\s+(\d+(?:\.\d+)?(?:e[-+]?\d+)?)")


def limit_broken(text: str) -> Coded | None:
    """A refusal sentence (from intake's limits or the guard) as the code "over_limit", with the setting
    it names and its limit; None when it names no setting. A `Coded` is kept as it is.

    >>> w = limit_broken("the message has 30 attachments; the limit is 20 (MAILBOT_MAX_ATTACHMENTS)")
    >>> w.code, w.data
    ('over_limit', {'setting': 'MAILBOT_MAX_ATTACHMENTS', 'limit': '20'})
    """
    if isinstance(text, Coded):
        return text
    setting = _SETTING.search(text)
    if setting is None:
        return None
    limit = _LIMIT.search(text)
    return Coded("over_limit", text, setting=setting[1], limit=limit[1] if limit else None)
