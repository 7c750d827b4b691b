"""Accent and apostrophe folding, so that rules written with accents read mail typed without.

Non-native writers and phone keyboards drop accents ("je n'ai jamais recu", "desole", "reglement");
folding both the rule and the text makes one pattern read both. The mapping is one character for
one character, so match offsets in the folded text are offsets in the original.
"""

from __future__ import annotations

import re

_PLAIN = "aaaaaceeeeiiiinooooouuuuyAAAAACEEEEIIIINOOOOOUUUUY''\"\""
_ACCENTED = "àâäáãçéèêëîïíìñôöóòõùûüúÿÀÂÄÁÃÇÉÈÊËÎÏÍÌÑÔÖÓÒÕÙÛÜÚŸ’‘“”"
_TABLE = str.maketrans(_ACCENTED, _PLAIN)
assert len(_PLAIN) == len(_ACCENTED)


def fold(text: str) -> str:
    """'Réglé à 100 %, c’est payé' -> "Regle a 100 %, c'est paye" (same length)."""
    return text.translate(_TABLE)


def folded(pattern: str, flags: int = re.IGNORECASE) -> re.Pattern[str]:
    """A regex compiled from its folded source: matches accented and unaccented spellings
    once the text is folded too."""
    return re.compile(fold(pattern), flags)
