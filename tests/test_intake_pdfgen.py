"""Seeded generator of real-looking plain PDF invoices (FR/EN/NL/DE) with known truth.

No per-issuer template can be fitted to these: four layouts (label/value table, two-column
header, one-line title with payment terms, labels over values), amounts in each locale's
spelling, due dates written as dates or as payment terms, prepayments, credit notes and
distracting numbers (customer no., order no., delivery date, VAT lines). Used by
test_intake_scoring.py; the tests here only check the generator itself.
"""

from __future__ import annotations

import calendar
import io
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from pypdf import PdfReader
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

LANGS = ("fr", "en", "nl", "de")
LAYOUTS = ("table", "twocol", "inline", "header_row")

WORDS = {
    "fr": dict(invoice="FACTURE", credit="AVOIR", no="Facture n°", cno="Avoir n°", date="Date de facture", due="Échéance",
               terms="Conditions de paiement", total="Total TTC", net="Total HT", vat="TVA 20 %", due_amt="Net à payer",
               prepaid="Acompte versé", client="Facturé à", cust_no="N° client", order="Votre commande", deliv="Date de livraison",
               qty="Qté", desc="Désignation", price="Prix unitaire", amount="Montant HT", iban="IBAN", thanks="Merci de votre confiance."),
    "en": dict(invoice="INVOICE", credit="CREDIT NOTE", no="Invoice No.", cno="Credit note No.", date="Invoice date", due="Due date",
               terms="Payment terms", total="Total incl. VAT", net="Subtotal", vat="VAT 20%", due_amt="Amount due",
               prepaid="Deposit paid", client="Bill to", cust_no="Customer no.", order="Your order", deliv="Delivery date",
               qty="Qty", desc="Description", price="Unit price", amount="Amount", iban="IBAN", thanks="Thank you for your business."),
    "nl": dict(invoice="FACTUUR", credit="CREDITNOTA", no="Factuurnummer", cno="Creditnota nr.", date="Factuurdatum", due="Vervaldatum",
               terms="Betalingstermijn", total="Totaal incl. btw", net="Subtotaal", vat="Btw 21%", due_amt="Te betalen",
               prepaid="Voorschot betaald", client="Klant:", cust_no="Klantnummer", order="Uw bestelling", deliv="Leverdatum",
               qty="Aantal", desc="Omschrijving", price="Eenheidsprijs", amount="Bedrag", iban="IBAN", thanks="Bedankt voor uw vertrouwen."),
    "de": dict(invoice="RECHNUNG", credit="GUTSCHRIFT", no="Rechnungsnummer", cno="Gutschrift Nr.", date="Rechnungsdatum", due="Fällig am",
               terms="Zahlungsbedingungen", total="Gesamtbetrag", net="Nettobetrag", vat="USt. 19 %", due_amt="Zahlbetrag",
               prepaid="Anzahlung", client="Rechnungsempfänger:", cust_no="Kundennummer", order="Ihre Bestellung", deliv="Lieferdatum",
               qty="Menge", desc="Beschreibung", price="Einzelpreis", amount="Betrag", iban="IBAN", thanks="Vielen Dank für Ihren Auftrag."),
}
MONTHS = {
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
    "en": "January February March April May June July August September October November December".split(),
    "nl": "januari februari maart april mei juni juli augustus september oktober november december".split(),
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
}
SELLERS = {
    "fr": ("Atelier Moreau SARL", "12 rue des Lilas, 69003 Lyon", "contact@atelier-moreau.fr", "www.atelier-moreau.fr", "FR76 3000 6000 0112 3456 7890 189", "FR40123456824"),
    "en": ("Brightside Consulting Ltd", "4 King Street, Leeds LS1 2HQ", "accounts@brightside.co.uk", "www.brightside.co.uk", "GB82 WEST 1234 5698 7654 32", "GB123456789"),
    "nl": ("Van Dijk Installaties BV", "Stationsweg 8, 3511 ED Utrecht", "info@vandijk-installaties.nl", "www.vandijk-installaties.nl", "NL91 ABNA 0417 1643 00", "NL123456789B01"),
    "de": ("Schreinerei Weber GmbH", "Hauptstraße 5, 80331 München", "buero@schreinerei-weber.de", "www.schreinerei-weber.de", "DE89 3704 0044 0532 0130 00", "DE123456789"),
}
BUYERS = [
    ("Boulangerie Martin", "compta@boulangerie-martin.fr"),
    ("Globex Corporation", "ap@globex.test"),
    ("Bakkerij Jansen", "boekhouding@bakkerij-jansen.nl"),
    ("Müller & Söhne KG", "rechnung@mueller-soehne.de"),
    ("Initech SA", "factures@initech.test"),
]
ITEMS = ["Consulting", "Maintenance", "Installation", "Design", "Support", "Training", "Licence", "Materials"]


@dataclass
class Generated:
    name: str
    lang: str
    layout: str
    pdf: bytes
    truth: dict[str, object] = field(default_factory=dict)


def _money(value: Decimal, lang: str, rng: random.Random, us: bool) -> str:
    q = value.quantize(Decimal("0.01"))
    sign = "-" if q < 0 else ""
    whole, frac = f"{abs(q):.2f}".split(".")
    groups = f"{int(whole):,}"
    if lang == "en":
        if us:
            return f"{sign}${groups}.{frac}"
        return rng.choice([f"{sign}€{groups}.{frac}", f"{sign}{groups}.{frac} EUR"])
    if lang == "fr":
        return f"{sign}{groups.replace(',', chr(0xA0))},{frac} €" if rng.random() < 0.5 else f"{sign}{groups.replace(',', ' ')},{frac} EUR"
    if lang == "nl":
        return f"€ {sign}{groups.replace(',', '.')},{frac}"
    return f"{sign}{groups.replace(',', '.')},{frac} {rng.choice(['€', 'EUR'])}"


def _date(d: date, lang: str, rng: random.Random, us: bool) -> str:
    month = MONTHS[lang][d.month - 1]
    if lang == "en":
        if us:
            return rng.choice([f"{d.month:02d}/{d.day:02d}/{d.year}", f"{month} {d.day}, {d.year}"])
        return rng.choice([f"{d.day} {month} {d.year}", d.isoformat(), f"{month} {d.day}, {d.year}"])
    if lang == "fr":
        return rng.choice([f"{d.day:02d}/{d.month:02d}/{d.year}", f"{d.day} {month} {d.year}"])
    if lang == "nl":
        return rng.choice([f"{d.day:02d}-{d.month:02d}-{d.year}", f"{d.day} {month} {d.year}"])
    return rng.choice([f"{d.day:02d}.{d.month:02d}.{d.year}", f"{d.day}. {month} {d.year}"])


def _terms(lang: str, days: int, eom: bool) -> str:
    if lang == "fr":
        return f"{days} jours fin de mois" if eom else f"{days} jours net"
    if lang == "en":
        return f"{days} days end of month" if eom else f"Net {days} days"
    if lang == "nl":
        return f"{days} dagen einde maand" if eom else f"{days} dagen"
    return f"{days} Tage netto"


def make_invoice(index: int, seed: int) -> Generated:
    rng = random.Random(seed * 1000 + index)
    lang = LANGS[index % 4]
    layout = LAYOUTS[(index // 4) % 4]
    us = lang == "en" and rng.random() < 0.4
    w = WORDS[lang]
    credit = rng.random() < 0.12
    seller, address, s_email, web, iban, vat = SELLERS[lang]
    buyer, b_email = rng.choice(BUYERS)
    number = rng.choice(["F-{y}-{n:04d}", "INV{y}{n:05d}", "{y}/{n:03d}", "RE-{n}", "A{n:06d}", "{y}-{n:04d}"]).format(
        y=2026, n=rng.randint(1, 9999)
    )
    issue = date(2026, 1, 1) + timedelta(days=rng.randint(0, 330))
    by_terms = rng.random() < 0.35
    days = rng.choice([14, 30, 45, 60])
    eom = by_terms and lang in ("fr", "en", "nl") and rng.random() < 0.5
    due = issue + timedelta(days=days)
    if eom:
        due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
    lines = [(rng.choice(ITEMS), rng.randint(1, 20), Decimal(rng.randint(1500, 250000)) / 100) for _ in range(rng.randint(1, 5))]
    net = sum((Decimal(q) * p for _, q, p in lines), Decimal("0")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    rate = {"fr": Decimal("0.20"), "en": Decimal("0.20"), "nl": Decimal("0.21"), "de": Decimal("0.19")}[lang]
    tax = (net * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
    total = net + tax
    prepaid = (total * Decimal("0.3")).quantize(Decimal("0.01")) if (not credit and rng.random() < 0.2) else Decimal("0")
    amount_due = total - prepaid
    if credit:
        total, amount_due, net, tax = -total, -amount_due, -net, -tax
    m = lambda v: _money(v, lang, rng, us)  # noqa: E731
    dt = lambda v: _date(v, lang, rng, us)  # noqa: E731
    title = w["credit"] if credit else w["invoice"]
    no_label = w["cno"] if credit else w["no"]
    due_text = f"{w['terms']}: {_terms(lang, days, eom)}" if by_terms else f"{w['due']}: {dt(due)}"
    cust_no = f"C-{rng.randint(100, 9999)}"
    order_no = f"PO-{rng.randint(10000, 99999)}"
    deliver = issue - timedelta(days=rng.randint(1, 20))

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle(f"{title} {number}")
    width, height = A4
    y = height - 50

    def text(x: float, yy: float, s: str, size: int = 10, bold: bool = False, right: bool = False) -> None:
        c.setFont("Helvetica-Bold" if bold else "Helvetica", size)
        (c.drawRightString if right else c.drawString)(x, yy, s)

    # Seller header (always) with its own e-mail and web site.
    text(50, y, seller, 14, True)
    text(50, y - 14, address)
    text(50, y - 26, f"{s_email} - {web}")
    text(50, y - 38, f"VAT {vat}")
    y -= 70
    if layout == "table":
        text(50, y, title, 18, True)
        y -= 28
        rows = [(no_label, number), (w["date"], dt(issue)), (w["cust_no"], cust_no), (w["order"], order_no)]
        rows.append((w["terms"], _terms(lang, days, eom)) if by_terms else (w["due"], dt(due)))
        for label, value in rows:
            text(50, y, label)
            text(200, y, value)
            y -= 14
        y -= 10
        text(50, y, w["client"], bold=True)
        text(50, y - 12, buyer)
        text(50, y - 24, b_email)
        y -= 50
    elif layout == "twocol":
        text(50, y, w["client"], bold=True)
        text(50, y - 12, buyer)
        text(50, y - 24, b_email)
        text(330, y, title, 16, True)
        text(330, y - 16, f"{no_label} {number}")
        text(330, y - 28, f"{w['date']}: {dt(issue)}")
        text(330, y - 40, due_text)
        text(330, y - 52, f"{w['cust_no']}: {cust_no}")
        y -= 80
    elif layout == "inline":
        joiner = {"fr": "du", "en": "dated", "nl": "van", "de": "vom"}[lang]
        text(50, y, f"{no_label} {number} {joiner} {dt(issue)}", 14, True)
        text(50, y - 18, f"{w['client']} {buyer} ({b_email})")
        text(50, y - 30, f"{w['order']} {order_no} - {w['deliv']} {dt(deliver)}")
        y -= 50
    else:  # header_row: labels in one row, values in the next
        text(50, y, title, 18, True)
        y -= 24
        cols = [no_label, w["date"], w["due"]] if not by_terms else [no_label, w["date"]]
        values = [number, dt(issue), dt(due)] if not by_terms else [number, dt(issue)]
        for i, (label, value) in enumerate(zip(cols, values)):
            text(50 + i * 160, y, label, bold=True)
            text(50 + i * 160, y - 14, value)
        if by_terms:
            text(50, y - 34, due_text)
        text(50, y - 50, f"{w['client']} {buyer}")
        y -= 80

    # Items table
    text(50, y, w["desc"], bold=True)
    text(300, y, w["qty"], bold=True, right=True)
    text(420, y, w["price"], bold=True, right=True)
    text(540, y, w["amount"], bold=True, right=True)
    y -= 14
    for desc, qty, price in lines:
        text(50, y, desc)
        text(300, y, str(qty), right=True)
        text(420, y, m(price), right=True)
        text(540, y, m(Decimal(qty) * price * (-1 if credit else 1)), right=True)
        y -= 13
    y -= 10
    totals = [(w["net"], net), (w["vat"], tax), (w["total"], total)]
    if prepaid:
        totals += [(w["prepaid"], -prepaid), (w["due_amt"], amount_due)]
    elif rng.random() < 0.6:
        totals.append((w["due_amt"], amount_due))
    for label, value in totals:
        text(380, y, label, bold=label in (w["total"], w["due_amt"]))
        text(540, y, m(value), right=True)
        y -= 14
    y -= 10
    if layout == "inline":  # the other layouts print the due date or terms in their header
        text(50, y, due_text)
        y -= 14
    text(50, y, f"{w['iban']}: {iban}")
    text(50, y - 14, w["thanks"])
    c.showPage()
    c.save()
    truth: dict[str, object] = dict(
        invoice_number=number,
        document_type="credit_note" if credit else "invoice",
        issue_date=issue,
        due_date=due,
        # EN 16931: a credit note states positive amounts, even if its print shows them negative.
        total_amount=abs(total),
        amount_due=abs(amount_due),
        currency="USD" if us else "EUR",
        iban=iban.replace(" ", ""),
    )
    return Generated(f"gen-{index:02d}-{lang}-{layout}.pdf", lang, layout, buf.getvalue(), truth)


def generate(seed: int = 20260101, count: int = 40) -> list[Generated]:
    return [make_invoice(i, seed) for i in range(count)]


def test_generator_is_deterministic() -> None:
    a, b = make_invoice(7, 1), make_invoice(7, 1)
    assert a.pdf == b.pdf and a.truth == b.truth
    assert make_invoice(7, 2).truth != a.truth


def test_generated_set_covers_languages_layouts_and_due_styles() -> None:
    cases = generate()
    assert {c.lang for c in cases} == set(LANGS)
    assert {c.layout for c in cases} == set(LAYOUTS)
    assert any(c.truth["document_type"] == "credit_note" for c in cases)
    assert any(c.truth["amount_due"] != c.truth["total_amount"] for c in cases)


def test_generated_pdf_shows_its_truth() -> None:
    case = make_invoice(3, 20260101)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(case.pdf)).pages)
    assert str(case.truth["invoice_number"]) in text
