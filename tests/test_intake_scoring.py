"""Per-field accuracy over every labelled fixture, with committed floors.

`pytest -s tests/test_intake_scoring.py` prints the tables. Floors: structured 100% on the
fields present in the XML; plain PDFs >= 95% for invoice_number, amount_due and due_date;
and never a wrong value at confidence >= CONFIDENT (it would be registered without asking
the owner: the worst failure).
"""

from __future__ import annotations

import csv
from collections import Counter
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mailbot.intake import CONFIDENT, Limits, extract_path
from mailbot.intake.documents import Document, read_document, read_pdf_text_only
from mailbot.intake.fields import InvoiceFields
from tests.test_intake_pdfgen import generate

FIXTURES = Path(__file__).parent / "fixtures" / "invoices"
STRUCTURED_FIELDS = (
    "invoice_number", "document_type", "issue_date", "due_date", "seller_name", "buyer_name",
    "buyer_email", "total_amount", "amount_due", "currency", "iban", "payment_reference",
)
PLAIN_FIELDS = ("invoice_number", "document_type", "issue_date", "due_date", "total_amount", "amount_due", "currency", "iban")
PLAIN_FLOORS = {"invoice_number": 0.95, "amount_due": 0.95, "due_date": 0.95}


def _rows() -> list[dict[str, str]]:
    with open(FIXTURES / "expected.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _typed(name: str, raw: str) -> object:
    if name in ("issue_date", "due_date"):
        return date.fromisoformat(raw)
    if name in ("total_amount", "amount_due"):
        return Decimal(raw)
    return raw


class Score:
    def __init__(self, fields: tuple[str, ...]):
        self.fields = fields
        self.right: Counter[str] = Counter()
        self.total: Counter[str] = Counter()
        self.missing: Counter[str] = Counter()
        self.confident_wrong: list[str] = []
        self.wrong: list[str] = []

    def add(self, case: str, got: InvoiceFields, truth: dict[str, object]) -> None:
        for name in self.fields:
            want = truth.get(name)
            if want is None or want == "":
                continue
            self.total[name] += 1
            value = getattr(got, name)
            if value == want:
                self.right[name] += 1
            elif value is None:
                self.missing[name] += 1
            else:
                conf = got.confidence.get(name, 0.0)
                line = f"{case}: {name} = {value!r} (want {want!r}) at {conf:.2f}"
                self.wrong.append(line)
                if conf >= CONFIDENT:
                    self.confident_wrong.append(line)

    def rate(self, name: str) -> float:
        return self.right[name] / self.total[name] if self.total[name] else 1.0

    def table(self, title: str) -> str:
        out = [f"\n{title}", f"  {'field':<18}{'right':>7}{'of':>6}{'missing':>9}{'wrong':>7}{'accuracy':>10}"]
        for name in self.fields:
            wrong = self.total[name] - self.right[name] - self.missing[name]
            out.append(
                f"  {name:<18}{self.right[name]:>7}{self.total[name]:>6}{self.missing[name]:>9}{wrong:>7}{self.rate(name):>9.1%}"
            )
        return "\n".join(out)


@pytest.fixture(scope="module")
def structured_score() -> Score:
    score = Score(STRUCTURED_FIELDS)
    for row in _rows():
        if not row["syntax"] or row["syntax"] == "FatturaPA" or row["broken"]:
            continue
        truth = {k: _typed(k, row[k]) for k in STRUCTURED_FIELDS if row[k]}
        # Absent from the XML must stay absent: a value there would be invented.
        got = extract_path(FIXTURES / row["file"])
        for name in STRUCTURED_FIELDS:
            if not row[name] and getattr(got, name) is not None:
                score.wrong.append(f"{row['file']}: {name} invented {getattr(got, name)!r}")
        score.add(row["file"], got, truth)
    print(score.table(f"Structured (XML, embedded or attached): {len([r for r in _rows() if r['syntax']])} files"))
    return score


@pytest.fixture(scope="module")
def plain_score() -> Score:
    score = Score(PLAIN_FIELDS)
    limits = Limits()
    generated = generate()
    for case in generated:
        reading = read_document(Document(case.name, "application/pdf", case.pdf), limits)
        assert reading.fields.source == "pdf-text"
        score.add(case.name, reading.fields, case.truth)
    corpus = 0
    for row in _rows():
        if row["container"] != "pdf" or row["broken"] or row["text_agrees"] == "no":
            continue
        corpus += 1
        path = FIXTURES / row["file"]
        got = read_pdf_text_only(Document(path.name, "application/pdf", path.read_bytes()), limits)
        score.add(row["file"], got, {k: _typed(k, row[k]) for k in PLAIN_FIELDS if row[k]})
    print(score.table(f"Plain PDF text ({len(generated)} generated FR/EN/NL/DE + {corpus} corpus PDFs read as text only)"))
    for line in score.wrong:
        print("  wrong, asked:", line)
    return score


def test_structured_fields_are_all_exact(structured_score: Score) -> None:
    assert structured_score.wrong == []
    for name in STRUCTURED_FIELDS:
        assert structured_score.rate(name) == 1.0, name
    assert sum(structured_score.total.values()) > 400  # the fixture set really exercises this


def test_plain_pdf_floors(plain_score: Score) -> None:
    for name, floor in PLAIN_FLOORS.items():
        assert plain_score.rate(name) >= floor, plain_score.table("below floor")


def test_no_wrong_value_is_ever_confident(plain_score: Score, structured_score: Score) -> None:
    assert plain_score.confident_wrong == []
    assert structured_score.confident_wrong == []
