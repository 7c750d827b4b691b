"""Every reminder, in every language, rendered from real receivables by the code the daemon uses.

The QR image is decoded with zbar and read back as an EPC069-12 payload whose IBAN, amount and
reference must match the email's; amounts and dates are checked against babel for the locale;
charges appear only where the stage asks and the law allows.
"""

from __future__ import annotations

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from mailbot.compose import LOCALES, Attachment, Templates
from mailbot.handlers.reminders import make_reminder, render_letter
from mailbot.models import OPEN, Receivable
from mailbot.payment import is_valid_belgian_reference, is_valid_rf_reference
from mailbot.rules import parse_rules
from mailbot.statement import charge_lines, payment_reference

pyzbar = pytest.importorskip("pyzbar.pyzbar", reason="pyzbar (and libzbar0) decode the QR code: pip install pyzbar; apt-get install libzbar0")
from PIL import Image  # noqa: E402

LANGS = ("fr", "en", "nl", "de")
TEMPLATES = Templates()
TODAY = date(2026, 5, 20)


def rules_for(reference: str = "invoice", country: str = "FR", link: bool = False) -> object:
    return parse_rules(f"""
business:
  name: "Atelier Dupré"
  country: {country}
  iban: "BE71 0961 2345 6769"
  bic: "GKCCBEBB"
  reference: {reference}
  {'payment_link: "https://pay.example.test/?invoice={number}&amount={amount}"' if link else ''}
stages:
  - {{name: courtesy, after: -3}}
  - {{name: friendly, after: 7}}
  - {{name: formal, after: 15, charges: true}}
  - {{name: plan, after: 30, charges: true}}
  - {{name: notice, after: 45, channel: letter, template: formal_notice, email_client: true, charges: true}}
""")


def invoice(n: int = 1, lang: str = "fr", due: date = date(2026, 4, 10), amount: str = "1440.00", **kw) -> Receivable:
    return Receivable(id=n, number=f"F2026-0{n:02d}", status=OPEN, client_email="compta@acme.test", client_name="ACME SARL",
                      amount=Decimal(amount), amount_due=Decimal(amount), issue_date=date(2026, 3, 11), due_date=due,
                      language=lang, **kw)


def copy_of(r: Receivable) -> Attachment:
    return Attachment(f"{r.number}.pdf", "application/pdf", b"%PDF-1.4 invoice " + r.number.encode())


def raw_text(data: bytes) -> str:
    """The payload as the bank reads it: UTF-8 (EPC character set 1).

    Without an ECI header zbar guesses the 8-bit text's charset (Big5, Shift-JIS or Latin-1) and hands
    back that guess re-encoded as UTF-8; undo the guess to get the bytes that are in the code.
    """
    text = data.decode("utf-8")
    for guess in ("big5", "shift_jis", "latin-1"):
        try:
            return text.encode(guess).decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return text


def decode_epc(png: bytes) -> dict[str, str]:
    [code] = pyzbar.decode(Image.open(io.BytesIO(png)))
    lines = raw_text(code.data).split("\n")
    lines += [""] * (12 - len(lines))
    keys = ("tag", "version", "charset", "sct", "bic", "name", "iban", "amount", "purpose", "reference", "text", "info")
    return dict(zip(keys, lines))


CASES = [(lang, stage, n) for lang in LANGS for stage in ("courtesy", "friendly", "formal", "plan", "notice") for n in (1, 3)]


@pytest.mark.parametrize("lang, stage_name, n", CASES)
def test_every_stage_in_every_language(lang: str, stage_name: str, n: int) -> None:
    rules = rules_for("rf" if n == 1 else "be", link=True)
    stage = rules.stage_named(stage_name)
    files = [invoice(i + 1, lang, due=date(2026, 4, 10 + 5 * i), amount=a) for i, a in enumerate(("1440.00", "250.50", "99.99")[:n])]
    rem = make_reminder(rules, TEMPLATES, files, stage, stage.template, TODAY, qr_cid="qr-test@mailbot",
                        load_attachment=copy_of, attach=stage.attach_invoice)
    out, locale = rem.rendered, LOCALES[lang]
    total = sum((r.amount_due for r in files), Decimal(0))
    # Nothing left of the template, nothing missing.
    for part in (out.subject, out.text, out.html):
        assert not re.search(r"\{\{|\}\}|\{%|%\}|None|Undefined", part), part
    # Every invoice, its amount and due date as the locale writes them, and the final date.
    for r in files:
        for needle in (r.number, format_currency(r.amount_due, "EUR", locale=locale), format_date(r.due_date, "long", locale=locale)):
            assert needle in out.text, needle
    assert format_date(TODAY + __import__("datetime").timedelta(days=stage.final_date_days), "long", locale=locale) in out.text
    assert "BE71 0961 2345 6769" in out.text and "GKCCBEBB" in out.text
    # The payment link, with the amount, in both parts.
    assert f"amount={total:.2f}" in out.text and f"amount={total:.2f}" in out.html
    # The QR code: an inline image the HTML shows, decoding to the EPC payload of this email.
    qr, *rest = rem.attachments
    assert qr.inline_cid == "qr-test@mailbot" and 'src="cid:qr-test@mailbot"' in out.html
    epc = decode_epc(qr.data)
    assert (epc["tag"], epc["version"], epc["charset"], epc["sct"]) == ("BCD", "002", "1", "SCT")
    assert epc["iban"] == "BE71096123456769" and epc["bic"] == "GKCCBEBB" and epc["name"] == "Atelier Dupré"
    assert epc["amount"] == f"EUR{total:.2f}"
    if n == 1:
        ref = payment_reference(files[0], "rf")
        assert is_valid_rf_reference(ref) and ref in out.text
        assert epc["reference"] == ref.replace(" ", "") and epc["text"] == ""
    else:
        refs = [payment_reference(r, "be") for r in files]
        assert all(is_valid_belgian_reference(x) for x in refs) and all(x in out.text for x in refs)
        assert epc["reference"] == "" and all(r.number in epc["text"] for r in files)
    # Invoice copies attached when the stage says so; charges only on stages that show them.
    assert [a.filename for a in rest] == ([f"{r.number}.pdf" for r in files] if stage.attach_invoice else [])
    words = {"fr": "indemnité forfaitaire", "en": "fixed recovery indemnity", "nl": "forfaitaire vergoeding",
             "de": "Pauschale für Beitreibungskosten"}[lang]
    assert (words in out.text) is stage.charges


@pytest.mark.parametrize("lang", LANGS)
def test_the_formal_notice_letter_reads_back_from_the_pdf(lang: str) -> None:
    from pypdf import PdfReader

    rules = rules_for()
    files = [invoice(1, lang), invoice(2, lang, amount="250.50")]
    pdf = render_letter(rules, TEMPLATES, files, rules.stage_named("notice"), TODAY)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    title = TEMPLATES.render(f"{lang}/letter.j2", {"business_name": "x", "business_address": "", "enterprise_number": "",
                                                   "client_name": "", "client_email": "", "today": TODAY, "items": [],
                                                   "total_due": Decimal(0), "currency": "EUR", "charges": [],
                                                   "final_date": TODAY, "iban": None, "bic": None, "reference": "", "lang": lang}).subject
    assert title in text and "F2026-001" in text and "F2026-002" in text and "Atelier Dupré" in text
    # pypdf reads thin spaces back as plain ones: compare digits only.
    assert re.sub(r"\D", "", format_currency(Decimal("1690.50"), "EUR", locale=LOCALES[lang])) in re.sub(r"\D", "", text)


@pytest.mark.parametrize(
    "country, b2c, extra, expected",
    [
        # FR B2B, 40 days late on 20 May: 1440 x 12.15% x 40 / 365 = 19.17, + 40.00 indemnity.
        ("FR", False, {}, ["F2026-001 – late-payment interest: 1,440.00 × 12.15% × 40 / 365 = 19.17",
                           "F2026-001 – fixed recovery indemnity: €40.00", "Total charges: €59.17"]),
        # FR consumer, no formal notice yet: nothing at all.
        ("FR", True, {}, []),
        # FR consumer after a notice on 10 May: legal rate from the day after, 10 days, no indemnity.
        ("FR", True, {"formal_notice_date": date(2026, 5, 10)},
         ["F2026-001 – late-payment interest: 1,440.00 × 2.62% × 10 / 365 = 1.03", "Total charges: €1.03"]),
        # BE consumer: first reminder 17 April, so nothing until 1 May; then capped indemnity 65 + 5% x 940 = 112.
        ("BE", True, {"first_reminder_date": date(2026, 4, 17)},
         ["F2026-001 – late-payment interest: 1,440.00 × 10.5% × 19 / 365 = 7.87",
          "F2026-001 – fixed recovery indemnity: 65.00 + 5% × (1,440.00 − 500.00) = 112.00", "Total charges: €119.87"]),
        ("BE", True, {"first_reminder_date": date(2026, 5, 10)}, []),
    ],
)
def test_charges_worked_examples(country: str, b2c: bool, extra: dict, expected: list[str]) -> None:
    rules = rules_for(country=country)
    lines, _ = charge_lines([invoice(1, "en", b2c=b2c, **extra)], rules, TODAY, "en")
    assert lines == expected


@pytest.mark.parametrize("country", ["FR", "BE"])
def test_a_consumer_declared_in_rules_yaml_is_charged_as_a_consumer(country: str) -> None:
    # The file itself says business (b2c False); the owner's rules.yaml says consumer: the law for
    # consumers applies. In France nothing without a formal notice; in Belgium nothing before the
    # 14 days after the first reminder (sent 10 May).
    rules = _with_consumer(country)
    lines, total = charge_lines([invoice(1, "en", first_reminder_date=date(2026, 5, 10))], rules, TODAY, "en")
    assert (lines, total) == ([], 0)
    business, _ = charge_lines([invoice(1, "en", first_reminder_date=date(2026, 5, 10))], rules_for(country=country), TODAY, "en")
    assert "F2026-001 – fixed recovery indemnity: €40.00" in business


def _with_consumer(country: str):
    return parse_rules(f"""
business: {{name: "Atelier Dupré", country: {country}, iban: "BE71 0961 2345 6769"}}
stages:
  - {{name: friendly, after: 7}}
  - {{name: formal, after: 15, charges: true}}
clients:
  compta@acme.test: {{b2c: true}}
""")


def test_no_qr_without_a_valid_iban_or_in_another_currency() -> None:
    rules = rules_for()
    stage = rules.stage_named("friendly")
    for r in (invoice(1, iban="FR76 0000 bad"), invoice(1, currency="USD")):
        rem = make_reminder(rules, TEMPLATES, [r], stage, "friendly", TODAY, qr_cid="q@m", load_attachment=lambda _: None, attach=False)
        assert rem.qr_payload is None and "cid:" not in rem.rendered.html


def test_the_client_language_falls_back_to_the_business_language() -> None:
    rules = rules_for()
    rem = make_reminder(rules, TEMPLATES, [invoice(1, "xx")], rules.stage_named("friendly"), "friendly", TODAY,
                        qr_cid="q@m", load_attachment=lambda _: None, attach=False)
    assert rem.lang == "en" and "Invoice" in rem.rendered.text


@pytest.mark.parametrize("lang", LANGS)
def test_owner_letter_note_renders(lang: str) -> None:
    from mailbot.handlers.reminders import sample_context

    for emailed in (True, False):
        out = TEMPLATES.render(f"{lang}/letter_owner.j2", sample_context(lang, rules_for()) | {"emailed": emailed})
        assert "F2026-014" in out.subject and "compta@acme.fr" in out.text or not emailed
        assert "{{" not in out.text and "None" not in out.text
