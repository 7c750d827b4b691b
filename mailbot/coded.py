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
