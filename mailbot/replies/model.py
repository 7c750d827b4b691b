"""The statistical models: probabilities of each intent for a client's new text, and of each
reason category for a dispute.

A linear model over character n-grams (2-5, inside word boundaries) and word n-grams (1-2),
TF-IDF weighted, trained offline by `mailbot.replies.train` on every labelled reply and shipped as
plain numbers in `mailbot/data/intent_model.json.gz`. This module recomputes scikit-learn's
features exactly (same analyzers, sublinear tf, idf, l2 norm per part) in pure Python, so the
daemon loads no pickle and needs no scikit-learn; tests check both give the same probabilities.

It does not read dates, amounts or negation scope: `mailbot.replies.intent` combines it with the
rules, which keep those jobs.
"""

from __future__ import annotations

import gzip
from array import array
import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from mailbot.replies.fold import fold

MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "intent_model.json.gz"
REASON_MODEL_PATH = MODEL_PATH.with_name("reason_model.json.gz")
CHAR_NGRAMS = (2, 5)
WORD_NGRAMS = (1, 2)
_WHITE = re.compile(r"\s\s+")
_TOKEN = re.compile(r"(?u)\b\w\w+\b")


def prepare(text: str) -> str:
    """Lower case, accents folded: "RÉGLÉ" and "regle" are the same to the model."""
    return fold(text.lower())


def char_wb_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's `char_wb` analyzer: n-grams inside each word padded with one space."""
    grams: list[str] = []
    for word in _WHITE.sub(" ", text).split():
        padded = f" {word} "
        length = len(padded)
        for n in range(low, high + 1):
            offset = 0
            grams.append(padded[offset : offset + n])
            while offset + n < length:
                offset += 1
                grams.append(padded[offset : offset + n])
            if offset == 0:  # the word is shorter than n: one gram was enough
                break
    return grams


def word_ngrams(text: str, low: int, high: int) -> list[str]:
    """scikit-learn's `word` analyzer with its default token pattern (two word characters or more)."""
    tokens = _TOKEN.findall(text)
    grams: list[str] = []
    if low == 1:
        grams.extend(tokens)
        low = 2
    for n in range(low, min(high, len(tokens)) + 1):
        grams.extend(" ".join(tokens[i : i + n]) for i in range(len(tokens) - n + 1))
    return grams


@dataclass(frozen=True)
class _Part:
    analyzer: str
    ngram_range: tuple[int, int]
    rows: dict[str, int]  # term -> its row in `table`
    table: array  # per row: idf, then one weight per class (flat, 4-byte floats: a third of the memory of lists)
    width: int

    @classmethod
    def load(cls, raw: dict, classes: int) -> _Part:
        rows: dict[str, int] = {}
        table = array("f")
        for index, (term, values) in enumerate(raw["features"].items()):
            rows[term] = index
            table.extend(values)
        return cls(raw["analyzer"], tuple(raw["ngram_range"]), rows, table, classes + 1)

    def grams(self, text: str) -> list[str]:
        low, high = self.ngram_range
        return char_wb_ngrams(text, low, high) if self.analyzer == "char_wb" else word_ngrams(text, low, high)


class IntentModel:
    """Multinomial logistic regression over the union of the parts' TF-IDF vectors."""

    def __init__(self, data: dict) -> None:
        self.classes: list[str] = list(data["classes"])
        self.intercept: list[float] = list(data["intercept"])
        self.parts = [_Part.load(p, len(self.classes)) for p in data["parts"]]
        self.trained_on = data.get("trained_on", {})

    def probabilities(self, text: str) -> dict[str, float]:
        """Probability of each intent for `text` (the client's new text)."""
        prepared = prepare(text)
        scores = list(self.intercept)
        for part in self.parts:
            counts = Counter(part.rows[g] for g in part.grams(prepared) if g in part.rows)
            if not counts:
                continue
            table, width = part.table, part.width
            weights = {row: (1.0 + math.log(n)) * table[row * width] for row, n in counts.items()}
            norm = math.sqrt(sum(w * w for w in weights.values()))
            for row, w in weights.items():
                base = row * width
                for k in range(len(scores)):
                    scores[k] += (w / norm) * table[base + k + 1]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps)}


@lru_cache(maxsize=4)
def load_model(path: Path = MODEL_PATH) -> IntentModel | None:
    """The shipped intent model, or None when the file is missing (the rules then decide alone)."""
    if not path.exists():
        return None
    return IntentModel(json.loads(gzip.decompress(path.read_bytes())))


def load_reason_model() -> IntentModel | None:
    """The shipped model of a dispute's reason category (same form, other labels), or None."""
    return load_model(REASON_MODEL_PATH)
