"""Payment confirmations: reading them (fixtures written for mailbot, see fixtures/owner/README.md)
and matching them to open files (tables of cases; pure, no mailbox)."""

from __future__ import annotations

import email
import email.policy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mailbot.models import OPEN, Receivable
from mailbot.remittance import Payment, match, name_matches, payment_text, read_payment, structured_references

PAYMENTS = Path(__file__).parent / "fixtures" / "owner" / "payments"
EXPECTED = json.loads((PAYMENTS / "expected.json").read_text())


def load(name: str):
    return email.message_from_bytes((PAYMENTS / name).read_bytes(), policy=email.policy.default)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_reading_each_confirmation(name):
    subject, text = payment_text(load(name))
    p = read_payment(subject, text)
    want = EXPECTED[name]
    if want is None:
        assert p is None
        return
    assert p is not None
    assert (p.source, str(p.amount), p.payer, p.references) == (want["source"], want["amount"], want["payer"], want["references"])
    for number in want["numbers"]:
        assert number in p.text


def test_every_kind_of_issuer_is_in_the_fixtures():
    sources = {v["source"] for v in EXPECTED.values() if v}
    assert sources == {"bank", "paypal", "stripe", "mollie", "sumup", "remittance"}
    languages = {n.split("_")[1] for n in EXPECTED if n.startswith("bank_")}
    assert {"fr", "be", "nl", "en"} <= languages


@pytest.mark.parametrize("text,refs", [
    ("Communication : +++090/9337/55493+++", ["090933755493"]),
    ("Mededeling: ***090/9337/55493***", ["090933755493"]),
    ("ref 090/9337/55493 merci", ["090933755493"]),
    ("+++090/9337/55494+++", []),  # wrong check digits
    ("Omschrijving: RF18 5390 0754 7034", ["RF18539007547034"]),
    ("RF18539007547034 Factuur", ["RF18539007547034"]),
    ("RF19 5390 0754 7034", []),  # wrong check digits
])
def test_structured_references_are_validated(text, refs):
    assert structured_references(text) == refs


def file(rid: int, number: str, due: str, client: str = "ACME SARL", email_: str = "billing@acme.test",
         ref: str | None = None, plan_of: int | None = None) -> Receivable:
    return Receivable(id=rid, number=number, status=OPEN, client_name=client, client_email=email_, amount=Decimal(due),
                      amount_due=Decimal(due), due_date=date(2026, 12, 15), payment_reference=ref, plan_of=plan_of)


FILES = [
    file(1, "F2026-014", "1440.00", ref="+++090/9337/55493+++"),
    file(2, "F2026-015", "300.00"),
    file(3, "F2026-140", "1440.00", client="Zeta NV", email_="boekhouding@zeta.test", ref="RF18 5390 0754 7034"),
    file(4, "B-7", "300.00", client="Beta Consulting Ltd", email_="ap@betaconsulting.test"),
]


def pay(amount: str | None, payer: str | None = None, text: str = "", refs: list[str] | None = None) -> Payment:
    return Payment("bank", Decimal(amount) if amount else None, "EUR", payer, refs or [], text)


# (case, payment, files matched or None when asked, how)
MATCHES = [
    ("structured reference", pay("1440.00", "someone", "", ["090933755493"]), [1], "payment reference"),
    ("RF reference beats the amount", pay("1440.00", "ACME SARL", "", ["RF18539007547034"]), [3], "payment reference"),
    ("invoice number", pay("1440.00", None, "VIR SEPA FACTURE F2026-014"), [1], "invoice number"),
    ("a number is a whole token", pay("1440.00", None, "FACTURE F2026-140"), [3], "invoice number"),
    ("numbers that add up", pay("1740.00", "ACME", "F2026-014 1,440.00\nF2026-015 300.00"), [1, 2], "invoice numbers and total"),
    ("numbers that do not add up", pay("1000.00", "ACME", "F2026-014 and F2026-015"), None, "several invoice numbers"),
    ("amount and payer", pay("300.00", "BETA CONSULTING LTD"), [4], "amount and payer"),
    ("amount and payer's email", pay("1440.00", "billing@acme.test"), [1], "amount and payer"),
    ("amount alone", pay("1440.00"), None, "amount only"),
    ("payer alone", pay("99.00", "ACME SARL"), None, "payer without a matching amount"),
    ("nothing", pay("12.34", "Nobody"), None, "nothing"),
    ("no amount", pay(None, "ACME SARL"), None, "no amount"),
]


@pytest.mark.parametrize("case,payment,want,how", MATCHES, ids=[m[0] for m in MATCHES])
def test_matching(case, payment, want, how):
    m = match(payment, FILES)
    assert m.how == how
    if want is None:
        assert not m.sure and m.files == []
    else:
        assert m.sure and [r.id for r in m.files] == want


def test_two_files_of_one_client_with_the_same_amount_are_asked_about():
    files = [file(1, "F-1", "500.00"), file(2, "F-2", "500.00")]
    m = match(pay("500.00", "ACME SARL"), files)
    assert not m.sure and [r.number for r in m.candidates] == ["F-1", "F-2"]


def test_instalments_sharing_a_reference_take_the_earliest():
    kids = [file(11, "F-1 (2/2)", "50.00", ref="+++090/9337/55493+++", plan_of=9),
            file(10, "F-1 (1/2)", "50.00", ref="+++090/9337/55493+++", plan_of=9)]
    kids[0].due_date = date(2027, 2, 1)
    kids[1].due_date = date(2027, 1, 1)
    m = match(pay("50.00", None, "", ["090933755493"]), kids)
    assert m.sure and [r.number for r in m.files] == ["F-1 (1/2)"]
    # By number, the instalment wins over its parent's number written inside it.
    both = [file(9, "F-1", "100.00"), kids[1]]
    assert [r.number for r in match(pay("50.00", None, "paid F-1 (1/2)"), both).files] == ["F-1 (1/2)"]


@pytest.mark.parametrize("payer,ok", [("ACME S.A.R.L.", True), ("Acme", True), ("SARL", False), ("Acmé Group", True),
                                      ("billing@acme.test", True), ("Someone Else", False), (None, False)])
def test_payer_names(payer, ok):
    assert name_matches(payer, FILES[0]) is ok
