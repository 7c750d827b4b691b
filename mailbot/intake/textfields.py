"""Invoice fields from plain text (a PDF's visible text), by labels, with no per-issuer template.

The idea: every line is cut into segments by the labels it contains ("Invoice No.", "Échéance",
"Te betalen", "Zahlbetrag" ...); the text between a label and the next one is where that
label's value must be. A label alone at the start of a line looks at the next line (values
under labels). Each value carries the confidence of its label, and anything that was not
found behind a clear label — or that two clear labels disagree on — stays below CONFIDENT,
so the owner is asked instead of a wrong value being registered.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from mailbot.coded import Coded
from mailbot.intake.fields import CONFIDENT, InvoiceFields
from mailbot.intake.language import guess_text_language
from mailbot.intake.values import (
    Amount,
    belgian_structured_ok,
    creditor_reference_ok,
    find_amounts,
    find_dates,
    find_emails,
    find_ibans,
    money,
)

STRONG = 0.92  # a specific label ("Net à payer", "Due date") with its value beside it
BELOW = 0.87  # the same label with its value on the next line
WEAK = 0.7  # a generic label ("Date", "Total") or a value found without a label
GUESS = 0.45  # the buyer's e-mail or name as seen in a PDF: always confirmed by the owner

# (field, confidence, pattern). Field names starting with "_" are labels whose value must
# NOT be taken for a neighbour ("Total HT" is not the total, "Date de livraison" not the
# issue date); they exist so that the longest label wins the overlap.
_L = [
    # invoice number
    ("invoice_number", STRONG, r"(?:facture|avoir|invoice|credit\s*note|factuur|creditnota|rechnung|gutschrift)"
     r"(?:\s*\([^)]{0,40}\))?\s*(?:n[°ºo]\.?|no\.?|nr\.?|num(?:é|e)ro|number|nummer|#)\s*:?"),
    ("invoice_number", STRONG, r"(?:num(?:é|e)ro|n[°º]|no\.?)\s*(?:de\s+)?(?:la\s+)?(?:facture|l'avoir|d'avoir|avoir)\s*:?"),
    ("invoice_number", STRONG, r"\w*rechnungs?\s*-?\s*(?:nr|nummer|no)\.?\s*:?|factuur\s*-?\s*(?:nr|nummer)\.?\s*:?"
     r"|factuurnummer\s*:?|rechnungsnummer\s*:?|belegnummer\s*:?|beleg\s*-?\s*nr\.?\s*:?|invoice\s*(?:id|ref(?:erence)?)\s*:?"),
    ("invoice_number", 0.82, r"(?:facture|avoir|invoice|credit\s*note|factuur|creditnota|rechnung|gutschrift)\s*:?"),
    # issue date
    ("issue_date", STRONG, r"date\s+(?:de\s+)?(?:la\s+)?(?:facture|facturation|d'(?:é|e)mission|de\s+l'avoir)\s*:?"
     r"|(?:facture|invoice)\s+date\s*:?|date\s+of\s+(?:issue|invoice)\s*:?|issue\s+date\s*:?|issued\s+(?:on|at)\s*:?"
     r"|factuurdatum\s*:?|datum\s+factuur\s*:?|rechnungsdatum\s*:?|ausstellungsdatum\s*:?|beleg\s*-?\s*datum\s*:?"
     r"|(?:é|e)mise?\s+le\s*:?|invoiced\s+on\s*:?|datum\s+van\s+de\s+factuur\s*:?"),
    # Generic: "Date" may be any date; only beside an invoice number does it mean the issue date.
    ("issue_date", 0.78, r"(?:date|datum|dated|vom|du|van)\s*:?"),
    # due date
    ("due_date", STRONG, r"date\s+d'(?:é|e)ch(?:é|e)ance\s*:?|(?:é|e)ch(?:é|e)ance\s*:?|date\s+limite\s+de\s+(?:paiement|r(?:è|e)glement)\s*:?"
     r"|(?:à|a)\s+(?:payer|r(?:é|e)gler)\s+(?:avant\s+le|au\s+plus\s+tard\s+le|le)\s*:?|payable\s+(?:le|avant\s+le|by|on)\s*:?"
     r"|due\s+date\s*:?|payment\s+due(?:\s+date)?(?:\s+on)?\s*:?|due\s+(?:on|by)\s*:?|(?:please\s+)?pay(?:ment)?\s+by\s*:?"
     r"|(?:please\s+)?remit\s+(?:until|by)\s*:?|vervaldatum\s*:?|vervaldag\s*:?|uiterste\s+betaaldatum\s*:?"
     r"|te\s+betalen\s+(?:v(?:ó|o)(?:ó|o)r|uiterlijk(?:\s+op)?|op)\s*:?|f(?:ä|a)llig(?:keitsdatum|keit)?(?:\s+am|\s+bis)?\s*:?"
     r"|zahlbar\s+bis(?:\s+zum)?\s*:?|netto\s+bis\s*:?|zahlungsziel\s*:?|due\s*:"
     r"|(?:überweisen|ueberweisen|zahlen)\s+sie(?:\s+(?:bitte|den\s+betrag|den\s+rechnungsbetrag))*\s+bis\s+(?:zum|spätestens)"),
    # payment terms (a due date is derived from them)
    ("payment_terms", STRONG, r"conditions\s+de\s+(?:paiement|r(?:è|e)glement)\s*:?|d(?:é|e)lai\s+de\s+(?:paiement|r(?:è|e)glement)\s*:?"
     r"|modalit(?:é|e)s\s+de\s+(?:paiement|r(?:è|e)glement)\s*:?|payment\s+terms?\s*:?|terms\s*:"
     r"|betalingstermijn\s*:?|betalingsvoorwaarden\s*:?|betaaltermijn\s*:?|zahlungsbedingungen\s*:?|zahlungsziel\s*:?"
     r"|zahlbar\s+innerhalb|payable\s+within|te\s+betalen\s+binnen|payable\s+(?:à|a)"),
    # amount due
    ("amount_due", STRONG, r"net\s+(?:à|a)\s+payer|reste\s+(?:à|a)\s+payer|solde\s+(?:à\s+payer|d(?:û|u))|montant\s+(?:d(?:û|u)|(?:à|a)\s+payer|restant\s+d(?:û|u))"
     r"|total\s+(?:à|a)\s+payer|amount\s+(?:due|payable|to\s+pay)|balance\s+due|total\s+(?:amount\s+)?due|due\s+payable|total\s+payable"
     r"|(?:totaal\s+)?te\s+betalen(?:\s+bedrag)?|openstaand\s+bedrag|nog\s+te\s+betalen|zu\s+zahlen(?:der\s+betrag)?|zahlbetrag"
     r"|f(?:ä|a)lliger\s+betrag|offener\s+betrag|restbetrag|zahlbarer\s+betrag|rechnungsbetrag\s+zahlbar"
     r"|residual(?:\s+amount)?|balance(?:\s+(?:due|to\s+pay))?|remaining\s+(?:balance|amount)|restant\s+d(?:û|u)"),
    # total with tax
    ("total_amount", STRONG, r"total\s+ttc|montant\s+ttc|total\s+(?:incl\.?|including|inc\.?)\s*(?:vat|tax(?:es)?|btw)"
     r"|total\s+(?:vat|tax)\s+incl(?:uded|\.)?|grand\s+total|invoice\s+total|totaal\s+(?:incl\.?|inclusief)\s*btw|totaalbedrag"
     r"|bruttosumme|rechnungsbetrag|gesamtbetrag(?:\s+brutto)?|gesamtsumme(?:\s+brutto)?|endbetrag|bruttobetrag"
     r"|(?:rechnungs)?summe\s+(?:brutto|(?:inkl|incl)\.?\s*(?:ust|mwst|btw)\.?)(?:\s*\([^)]{0,30}\))?"),
    ("total_amount", 0.8, r"total|totaal|brutto|summe"),
    # labels whose amounts are NOT the total or the amount due
    ("_net", 0.0, r"total\s+h\.?t\.?|montant\s+h\.?t\.?|sous[-\s]total|sub\s*-?\s*total|total\s+(?:net|excl\.?|excluding|hors\s+taxes?|before\s+tax)"
     r"|net\s+total|totaal\s+(?:excl\.?|exclusief)\s*btw|subtotaal|netto(?:betrag|summe)?|zwischensumme|summe\s+netto"
     r"|total\s+(?:tva|vat|tax(?:es)?|btw|mwst)|(?:vat|tax|tva|btw|mwst|ust\.?)\s+(?:total|amount|montant|bedrag|betrag)|tva|vat|btw|mwst|ust\.?|umsatzsteuer|steuerbetrag|positionssumme"
     r"|rechnungssumme\s+ohne\s+ust\.?|gesamtbetrag\s+der\s+(?:zu|ab)schl(?:ä|a)ge|total\s+(?:discount|remise)"
     r"|(?:rechnungs)?summe\s+netto(?:\s*\([^)]{0,30}\))?|tax\s+total|bruttopreis|nettopreis|einzelpreis"),
    ("_prepaid", 0.0, r"acompte(?:s)?(?:\s+vers(?:é|e)s?)?|d(?:é|e)j(?:à|a)\s+(?:pay(?:é|e)|r(?:é|e)gl(?:é|e))|prepaid(?:\s+amount)?|amount\s+paid"
     r"|paid(?:\s+to\s+date)?|deposit|aanbetaling|voorschot|reeds\s+betaald|(?:erhaltene\s+)?anzahlung(?:en)?|bereits\s+bezahlt"),
    ("_other_date", 0.0, r"date\s+de\s+(?:livraison|commande|prestation)|delivery\s+date|date\s+of\s+delivery|order\s+date"
     r"|leverdatum|besteldatum|liefer(?:-\s*und\s+leistungs)?datum|leistungsdatum|bestelldatum|lieferdatum"
     r"|date\s+de\s+(?:la\s+)?facture\s+(?:associ(?:é|e)e|d'origine)|(?:preceding|original)\s+invoice\s+date"),
    ("_other_number", 0.0, r"(?:num(?:é|e)ro|n[°º])\s+(?:de\s+)?(?:client|commande|tva)|customer\s+(?:no|number|id)\.?|order\s+(?:no|number)\.?"
     r"|(?:your|our|votre|notre)\s+r(?:é|e)f(?:(?:é|e)rence)?\.?|po\s+(?:no|number)|klantnummer|kundennummer|bestellnummer|auftragsnummer"
     r"|ordernummer|btw-?nummer|ust-?idnr\.?|steuernummer|siret|siren|kvk"
     r"|n[°º]\s+de\s+(?:la\s+)?facture\s+(?:associ(?:é|e)e|d'origine)|(?:preceding|original)\s+invoice(?:\s+(?:no|number))?"),
    ("payment_reference", STRONG, r"communication\s+structur(?:é|e)e\s*:?|gestructureerde\s+mededeling\s*:?|mededeling\s*:?"
     r"|betalingskenmerk\s*:?|r(?:é|e)f(?:é|e)rence\s+(?:de\s+paiement|(?:à|a)\s+rappeler|du\s+virement)\s*:?"
     r"|payment\s+reference\s*:?|verwendungszweck\s*:?|zahlungsreferenz\s*:?|communication\s*:"),
    ("buyer_name", GUESS, r"factur(?:é|e)\s+(?:à|a)\s*:?|bill(?:ed)?\s+to\s*:?|invoice\s+to\s*:?|client\s*:|customer\s*:|klant\s*:"
     r"|kunde\s*:|rechnungsempf(?:ä|a)nger\s*:?|destinataire\s*:"),
]

# A label is a whole word: "Brutto" must not match inside "Bruttopreis".
_LABELS = [(name, conf, re.compile(rf"(?<![\w])(?:{rx})(?![^\W\d_])", re.IGNORECASE)) for name, conf, rx in _L]

_TOKEN_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9\-_/.]*", re.IGNORECASE)
_TERMS_DAYS = re.compile(
    r"(?<!\d)(\d{1,3})\s*(?:jours?|j\b|days?|dagen|dag|tagen?|tg\.?)(?:\s+(?:net(?:to)?|nets?))?"
    r"(?P<eom>\s*(?:,\s*)?(?:fin\s+de\s+mois|fdm|end\s+of\s+(?:the\s+)?month|einde\s+(?:van\s+de\s+)?maand|monatsende|ultimo))?",
    re.IGNORECASE,
)
_TERMS_NET = re.compile(r"\bnet(?:to)?\s+(\d{1,3})\b", re.IGNORECASE)
_TERMS_NOW = re.compile(
    r"(?:(?:à|a|d(?:è|e)s)\s+r(?:é|e)ception|comptant|upon\s+receipt|on\s+receipt|due\s+on\s+receipt|bij\s+ontvangst"
    r"|onmiddellijk|sofort(?:\s+ohne\s+abzug)?|immediately|immédiatement)",
    re.IGNORECASE,
)
_BE_REF = re.compile(r"\+{3}\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*\+{3}|\*{3}\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*\*{3}")
_RF_REF = re.compile(r"\bRF\d{2}(?:\s?[A-Z0-9]{1,4}){1,6}\b")
_VAT_ID = re.compile(r"\b(?:FR[0-9A-Z]{2}\d{9}|BE0?\d{9,10}|NL\d{9}B\d{2}|DE\d{9}|ATU\d{8}|LU\d{8}|GB\d{9,12}|IE\d{7}[A-Z]{1,2})\b")
_CREDIT_WORDS = re.compile(r"^\s*(?:avoir|credit\s*note|creditnota|gutschrift|facture\s+d'avoir)\b(?!\s*\(selbst)", re.IGNORECASE)
_LEGAL_FORM = re.compile(r"\b(?:SARL|SAS|SASU|SA|EURL|SCI|GmbH|AG|KG|UG|BV|B\.V\.|NV|N\.V\.|BVBA|SRL|SPRL|Ltd|LLC|Inc|PLC)\b\.?")


@dataclass
class _Cand:
    value: object
    conf: float
    evidence: str


@dataclass
class _Hit:
    name: str
    conf: float
    start: int
    end: int


def _label_hits(line: str) -> list[_Hit]:
    """Labels of one line, longest first at each place, without overlaps, left to right."""
    hits = []
    for name, conf, rx in _LABELS:
        for m in rx.finditer(line):
            if m.end() > m.start():
                hits.append(_Hit(name, conf, m.start(), m.end()))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[_Hit] = []
    for h in sorted(hits, key=lambda h: -(h.end - h.start)):
        if all(h.end <= k.start or h.start >= k.end for k in kept):
            kept.append(h)
    kept.sort(key=lambda h: h.start)
    return kept


class TextExtractor:
    """One pass over one document's text; `run()` returns the InvoiceFields."""

    def __init__(self, text: str, *, source: str = "pdf-text", cap: float = 1.0):
        self.text = text
        self.lines = [" ".join(line.split()) for line in text.splitlines()]
        self.lines = [line for line in self.lines if line]
        self.source = source
        self.cap = cap  # e.g. text of a forwarded email body: never fully trusted
        self.cands: dict[str, list[_Cand]] = {}
        self.language, _ = guess_text_language(text)
        self.dayfirst, self.order_known = self._date_order()
        self.prepaid: list[Decimal] = []
        self.net_amounts: list[Decimal] = []

    # ------------------------------------------------------------ helpers
    def _date_order(self) -> tuple[bool, bool]:
        """(dayfirst, known): unambiguous dates in the text decide, then the language."""
        day = month = 0
        for line in self.lines:
            for m in re.finditer(r"(?<![\d.])(\d{1,2})[/\-](\d{1,2})[/\-](\d{2,4})(?!\d)", line):
                a, b = int(m[1]), int(m[2])
                if a > 12 >= b:
                    day += 1
                elif b > 12 >= a:
                    month += 1
        if day or month:
            return day >= month, True
        us = self.language == "en" and bool(re.search(r"\$|\bUSD\b", self.text))
        if us:
            return False, True
        # French, Dutch and German write day first; English without evidence is UK or US.
        return True, self.language in ("fr", "nl", "de")

    def add(self, name: str, value: object, conf: float, evidence: str) -> None:
        if value is None or value == "":
            return
        self.cands.setdefault(name, []).append(_Cand(value, min(conf, self.cap), evidence))

    def _value(self, name: str, region: str) -> tuple[object, str] | None:
        """The value a label of field `name` points at in `region` (text after the label)."""
        # Strip what separates a label from its value, but never a minus sign ("-64 257,13 €").
        region = re.sub(r"^[.\-–](?=\s)", "", region.strip(" :\t")).strip(" :\t")
        if not region:
            return None
        if name == "invoice_number":
            m = _TOKEN_NUMBER.match(region)
            if not m:
                return None
            token = m.group(0).rstrip(".-/")
            if not re.search(r"\d", token) or len(token) > 30 or find_dates(token):
                return None
            if region[m.end() : m.end() + 2].strip().startswith("%"):
                return None
            return token, token
        if name in ("issue_date", "due_date"):
            found = find_dates(region, dayfirst=self.dayfirst)
            if not found or found[0].start > 12:
                return None
            return found[0], found[0].text
        if name in ("amount_due", "total_amount", "_net", "_prepaid"):
            amounts = [a for a in find_amounts(region) if not _is_percent(region, a)]
            # "Total TTC (EUR) 1 200,00": skip a leading bare integer that is a count or rate.
            # Totals have cents; four decimals are unit prices ("30,0000 €").
            amounts = [a for a in amounts if not re.search(r"[.,]\d{3,}(?!\d)", a.text.split()[-1] if a.text else "")
                       or re.search(r"\d[ .,'\u00a0\u202f]\d{3}(?:[.,]\d{2})?\D*$", a.text)]
            decimals = [a for a in amounts if re.search(r"[.,]\d{2}(?!\d)", a.text)]
            # "balance at 30 days": a bare integer followed by a word is not an amount.
            amounts = [a for a in amounts if a.currency or re.search(r"[.,]\d{2}(?!\d)", a.text)
                       or not region[a.start + len(a.text):].lstrip()[:1].isalpha()]
            if name == "_prepaid":
                amounts = decimals  # "30% d'acompte, solde à 30 j" is a term, not a payment
            picked = (decimals or amounts)[:1]
            return (picked[0], picked[0].text) if picked else None
        if name == "payment_terms":
            return region, region
        if name == "payment_reference":
            token = region.split("  ")[0].strip()
            return (token, token) if token and len(token) <= 60 else None
        if name == "buyer_name":
            token = re.split(r"\s{2,}|\s+[|•]\s+", region)[0].strip()
            ok = token and re.search(r"[^\W\d_]{2}", token) and not find_emails(token) and len(token) <= 80
            return (token, token) if ok else None
        return None

    # ------------------------------------------------------------ passes
    def _labelled(self) -> None:
        lines = self.lines
        for i, line in enumerate(lines):
            hits = _label_hits(line)
            if not hits:
                continue
            regions = [line[h.end : (hits[j + 1].start if j + 1 < len(hits) else len(line))] for j, h in enumerate(hits)]
            empty = [not r.strip(" :.-–\t") for r in regions]
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            nxt_free = bool(nxt) and not _label_hits(nxt)
            if len(hits) >= 2 and all(empty) and nxt_free and not line[: hits[0].start].strip():
                self._header_row(hits, nxt, f"{line} / {nxt}")
                continue
            has_number_label = any(
                h.name == "invoice_number" and self._value(h.name, r) is not None for h, r in zip(hits, regions)
            )
            for j, (h, region) in enumerate(zip(hits, regions)):
                if h.name == "payment_terms":
                    region = line[h.end :]  # a sentence: later words are not labels here
                got = self._value(h.name, region)
                conf = h.conf
                if h.name == "issue_date" and h.conf < STRONG and has_number_label:
                    conf = 0.85  # "Rechnung Nr. 4711 vom 05.03.2018", "Invoice F-1 dated ..."
                title_label = h.name == "invoice_number" and h.conf < STRONG
                if (got is None and empty[j] and j == len(hits) - 1 and nxt_free and not title_label
                        and not line[: h.start].strip()):
                    got = self._value(h.name, nxt)
                    conf = min(conf, BELOW)
                    evidence = f"{line} / {nxt}"
                else:
                    evidence = line
                if got is None and h.name in ("due_date", "issue_date") and h.conf >= STRONG and nxt_free:
                    # "Fälligkeit" over a column, or a sentence wrapped before its date: one
                    # clear date alone on the next line belongs to the label.
                    dates = find_dates(nxt, dayfirst=self.dayfirst)
                    if dates and len({d.value for d in dates}) == 1:
                        got, conf, evidence = (dates[0], dates[0].text), 0.85, f"{line} / {nxt}"
                if got is None and h.name == "due_date" and _TERMS_DAYS.search(region):
                    # "Zahlungsziel: 14 Tage" - a term, not a date
                    self._record("payment_terms", region.strip(" :"), conf, evidence)
                    continue
                if got is None:
                    continue
                self._record(h.name, got[0], conf, evidence)

    def _header_row(self, hits: list[_Hit], values_line: str, evidence: str) -> None:
        """'Invoice No.  Date  Due date' over 'F-1  01/03/2026  31/03/2026': values in label order."""
        cursor = 0
        for h in hits:
            got = self._value(h.name, values_line[cursor:])
            if got is None:
                return
            found_at = values_line.find(str(got[1]), cursor)
            if found_at < 0:
                return
            cursor = found_at + len(str(got[1]))
            self._record(h.name, got[0], min(h.conf, BELOW), evidence)

    def _record(self, name: str, value: object, conf: float, evidence: str) -> None:
        if name == "_net" and isinstance(value, Amount):
            self.net_amounts.append(value.value)
            return
        if name == "_prepaid" and isinstance(value, Amount):
            if value.value != 0:
                self.prepaid.append(value.value)
            return
        if name.startswith("_"):
            return
        if name in ("issue_date", "due_date"):
            found = value
            value = found.value  # type: ignore[attr-defined]
            if found.ambiguous and not self.order_known:  # type: ignore[attr-defined]
                conf = min(conf, WEAK)  # 03/04/2026 in English: April or March? ask.
        if isinstance(value, Amount):
            self.add("currency", value.currency, min(conf, 0.9), evidence)
            value = money(value.value)
        self.add(name, value, conf, evidence)

    def _unlabelled(self) -> None:
        text = "\n".join(self.lines)
        # IBANs: only valid ones; the payee's is beside an "IBAN" word, a debtor's beside "debit".
        for line in self.lines:
            for iban in find_ibans(line):
                debit = re.search(r"abgebucht|pr(?:é|e)lev|debited|direct\s+debit|incasso|mandat", line, re.IGNORECASE)
                conf = 0.6 if debit else (0.9 if re.search(r"\bIBAN\b", line, re.IGNORECASE) else WEAK)
                self.add("iban", iban, conf, line)
        for line in self.lines:
            for m in _BE_REF.finditer(line):
                digits = "".join(g for g in m.groups() if g)
                ref = f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"
                self.add("payment_reference", ref, 0.95 if belgian_structured_ok(digits) else 0.5, line)
            for m in _RF_REF.finditer(line):
                if creditor_reference_ok(m.group(0)):
                    self.add("payment_reference", re.sub(r"\s", "", m.group(0)), 0.9, line)
        # Document type from the title words.
        head = self.lines[:15]
        credit = next((line for line in head if _CREDIT_WORDS.search(line)), None)
        if credit is not None:
            # German "Gutschrift" also names self-billed invoices: a guess, not a reading.
            conf = 0.7 if re.search(r"gutschrift", credit, re.IGNORECASE) else 0.85
            self.add("document_type", "credit_note", conf, credit)
        else:
            self.add("document_type", "invoice", 0.75, "no credit-note title")
        # Seller VAT number: the first one printed is usually in the seller's header/footer.
        for line in self.lines:
            m = _VAT_ID.search(line)
            if m:
                self.add("seller_vat", m.group(0), 0.55, line)
                break
        # Seller name: a line with a legal form near the top, else the first line.
        for line in self.lines[:8]:
            m = _LEGAL_FORM.search(line)
            if m:
                name = line[: m.end()].strip(" ,")
                self.add("seller_name", name, 0.5, line)
                break
        # E-mail addresses: never the seller's own (its web domain, or beside its phone/fax).
        web_domains = {d.lower() for d in re.findall(r"(?:www\.|https?://)([\w.-]+\.[a-z]{2,})", text, re.IGNORECASE)}
        web_domains = {d[4:] if d.startswith("www.") else d for d in web_domains}
        for i, line in enumerate(self.lines):
            for addr in find_emails(line):
                if addr.split("@", 1)[1] in web_domains:
                    continue
                near_buyer = any(
                    h.name == "buyer_name" for k in range(max(0, i - 3), i + 1) for h in _label_hits(self.lines[k])
                )
                self.add("buyer_email", addr, 0.6 if near_buyer else GUESS, line)

    def _terms(self) -> None:
        """Derive a due date from payment terms and the issue date ('30 jours fin de mois')."""
        issue = self._best("issue_date")
        for cand in self.cands.get("payment_terms", []):
            terms = str(cand.value)
            due = derive_due_date(issue.value if issue else None, terms)  # type: ignore[arg-type]
            if due is None or issue is None:
                continue
            conf = min(cand.conf, issue.conf, 0.85)
            self.add("due_date", due, conf, f"{cand.evidence} (from the issue date {issue.value})")
            break

    # ------------------------------------------------------------ resolution
    def _best(self, name: str) -> _Cand | None:
        cands = self.cands.get(name)
        if not cands:
            return None
        best = max(cands, key=lambda c: c.conf)
        rivals = {str(c.value) for c in cands if c.conf >= CONFIDENT and c.value != best.value}
        if rivals and best.conf >= CONFIDENT:
            # Two clear labels disagree: keep the first-ranked value but ask the owner.
            return _Cand(best.value, 0.6, best.evidence + f" (other values seen: {', '.join(sorted(rivals))})")
        return best

    def run(self) -> InvoiceFields:
        self._labelled()
        self._unlabelled()
        self._terms()
        f = InvoiceFields(source=self.source)
        for name in (
            "invoice_number", "document_type", "issue_date", "due_date", "payment_terms", "seller_name",
            "seller_vat", "buyer_name", "buyer_email", "iban", "payment_reference",
        ):
            best = self._best(name)
            if best is not None:
                f.set(name, best.value, best.conf, best.evidence)
                if best.conf == 0.6 and "other values seen" in best.evidence:
                    f.warnings.append(several_values(name, best.evidence))
        self._amounts(f)
        self._currency(f)
        if self.language:
            f.set("language", self.language, 0.6, "words of the document")
        return f

    def _amounts(self, f: InvoiceFields) -> None:
        total = self._total()
        due = self._best("amount_due")
        if f.document_type == "credit_note":
            # EN 16931 states a credit note's amounts as positive; the print often shows "-233,47".
            for cand in (total, due):
                if cand is not None and isinstance(cand.value, Decimal):
                    cand.value = abs(cand.value)
        for name, cand in (("total_amount", total), ("amount_due", due)):
            if cand is not None and "other values seen" in cand.evidence:
                f.warnings.append(several_values(name, cand.evidence))
        if total is not None:
            f.set("total_amount", total.value, total.conf, total.evidence)
        if due is not None:
            f.set("amount_due", due.value, due.conf, due.evidence)
        elif total is not None:
            # No "amount due" label: the total is due unless something was paid already.
            conf = min(total.conf, 0.85) if not self.prepaid else 0.5
            f.set("amount_due", total.value, conf, total.evidence + " (total; no separate amount due)")
            if self.prepaid:
                f.warnings.append(Coded("prepaid_no_amount_due",
                                        "a prepayment is printed but no amount due: the total may not be what is owed"))
        if f.amount_due is not None and f.total_amount is not None and abs(f.amount_due) > abs(f.total_amount):
            f.confidence["amount_due"] = min(f.confidence["amount_due"], 0.6)
            f.warnings.append(Coded("amount_due_above_total", f"amount due {f.amount_due} is larger than the total {f.total_amount}; please check",
                                    amount_due=f.amount_due, total=f.total_amount))

    def _total(self) -> _Cand | None:
        cands = self.cands.get("total_amount", [])
        if not cands:
            return None
        strong = [c for c in cands if c.conf >= STRONG - 0.06]
        if strong:
            return self._best("total_amount") if len({str(c.value) for c in strong}) > 1 else max(strong, key=lambda c: c.conf)
        # Only generic "Total" lines: trust the largest one if the net amounts agree with it.
        largest = max(cands, key=lambda c: abs(Decimal(str(c.value))))
        conf = WEAK
        if self.net_amounts and any(abs(n) < abs(Decimal(str(largest.value))) for n in self.net_amounts):
            conf = 0.82  # "Subtotal ... VAT ... Total": the last, largest total is the gross
        return _Cand(largest.value, min(conf, self.cap), largest.evidence)

    def _currency(self, f: InvoiceFields) -> None:
        best = self._best("currency")
        if best is not None:
            f.set("currency", best.value, min(best.conf, 0.85), best.evidence)
            return
        for symbol, code in (("€", "EUR"), ("EUR", "EUR"), ("£", "GBP"), ("CHF", "CHF"), ("USD", "USD"), ("$", "USD")):
            if symbol in self.text:
                f.set("currency", code, 0.7, f"'{symbol}' in the text")
                return


def _is_percent(region: str, amount: Amount) -> bool:
    end = region.find(amount.text, 0) + len(amount.text)
    return region[end : end + 2].strip().startswith("%")


def derive_due_date(issue: date | None, terms: str) -> date | None:
    """derive_due_date(date(2026, 1, 15), '30 jours fin de mois') -> date(2026, 2, 28).

    '30 jours fin de mois' is read the usual French way: issue date + 30 days, then the
    end of that month. 'à réception' / 'upon receipt' is the issue date itself.
    """
    if issue is None:
        return None
    m = _TERMS_DAYS.search(terms) or _TERMS_NET.search(terms)
    if m:
        days = int(m.group(1))
        if days > 180:
            return None
        due = issue + timedelta(days=days)
        if m.re is _TERMS_DAYS and m.group("eom"):
            due = due.replace(day=calendar.monthrange(due.year, due.month)[1])
        return due
    if _TERMS_NOW.search(terms):
        return issue
    return None


def extract_text_fields(text: str, *, source: str = "pdf-text", cap: float = 1.0) -> InvoiceFields:
    """Fields from the visible text of an invoice.

    extract_text_fields('Facture n° F-12\\nNet à payer : 1 200,00 €').amount_due -> Decimal('1200.00')
    """
    return TextExtractor(text, source=source, cap=cap).run()


def several_values(name: str, evidence: str) -> Coded:
    """The warning for a field the text states more than once with different values (owner notes word `field`)."""
    return Coded("several_values", f"{name}: the text gives several values; {evidence}", field=name)
