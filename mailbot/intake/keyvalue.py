"""Fields an owner types: 'invoice: F-1 / client: ACME <a@acme.test> / amount: 1 440,00 €'.

Used twice: for the body of a forwarded invoice (labels need a colon, so ordinary prose is
not mistaken for a field) and for an owner's reply that corrects fields (`parse_corrections`,
where "montant 1200 EUR" without a colon is fine).
"""

from __future__ import annotations

import re
from email.utils import getaddresses
from typing import Any

from mailbot.intake.values import find_dates, find_emails, find_ibans, money, normalize_iban, parse_amount

# key words -> field. "client" is special: an address, a name, or both.
_KEYS: list[tuple[str, str]] = []
for _field, _words in {
    "invoice_number": "invoice number|invoice no|invoice nr|invoice #|invoice|n° facture|n° de facture|numéro de facture"
    "|numero de facture|numéro|numero|n°|no.|facture n°|facture|factuurnummer|factuur nr|factuurnr|factuur"
    "|rechnungsnummer|rechnung nr|rechnung|number|nr",
    "client": "client|customer|klant|kunde|klient",
    "buyer_name": "client name|customer name|nom du client|nom client|nom|klantnaam|naam klant|naam"
    "|kundenname|name|company|société|societe|bedrijf|firma",
    "buyer_email": "client email|client e-mail|customer email|email client|e-mail client|email|e-mail|mail|courriel"
    "|adresse email|adresse e-mail|adresse|address|e-mailadres|emailadres|adres|mailadresse",
    "amount_due": "amount due|amount|montant dû|montant du|montant ttc|montant|net à payer|somme|total ttc|total|bedrag"
    "|te betalen|totaal|betrag|zu zahlen|summe",
    "due_date": "due date|due on|due|date d'échéance|échéance|echeance|date limite|vervaldatum|vervaldag|vervalt"
    "|fälligkeitsdatum|fälligkeit|fällig am|fällig|faellig|zahlbar bis|deadline|payable by|pay by",
    "issue_date": "issue date|issued on|issued|invoice date|date de facture|date facture|émise le|émise|emise"
    "|date d'émission|factuurdatum|rechnungsdatum|date|datum",
    "iban": "iban|compte|rekening|konto|account",
    "payment_reference": "payment reference|reference|référence|reference de paiement|référence de paiement|réf|ref"
    "|communication|mededeling|gestructureerde mededeling|referentie|kenmerk|betalingskenmerk|verwendungszweck"
    "|zahlungsreferenz",
    "language": "language|langue|langage|taal|sprache|lang",
    "currency": "currency|devise|monnaie|munt|valuta|währung|waehrung",
}.items():
    for _w in _words.split("|"):
        _KEYS.append((_w, _field))
_KEYS.sort(key=lambda kv: -len(kv[0]))
_KEY_ALT = "|".join(re.escape(k) for k, _ in _KEYS)
_KEY_FIELD = {k.lower(): f for k, f in _KEYS}

_WITH_COLON = re.compile(rf"^\s*[-*•]?\s*(?P<key>{_KEY_ALT})\s*[:=：]\s*(?P<value>.+?)\s*$", re.IGNORECASE)
_NO_COLON = re.compile(rf"^\s*[-*•]?\s*(?P<key>{_KEY_ALT})(?:\s*[:=：-]\s*|\s+)(?P<value>.+?)\s*$", re.IGNORECASE)
_SPLIT = re.compile(r"\s+[/|;]\s+|\s*;\s*")

_LANG_WORDS = {
    "fr": "fr français francais french frans französisch franzoesisch",
    "nl": "nl nederlands dutch néerlandais neerlandais vlaams flemish niederländisch",
    "en": "en english anglais engels englisch",
    "de": "de deutsch german allemand duits",
}
_LANG = {w: code for code, words in _LANG_WORDS.items() for w in words.split()}

# The start of quoted history in a reply: nothing below it is the owner's new text.
REPLY_HEADER = re.compile(
    r"^\s*(?:On\s.+wrote\s*:|Le\s.+a\s+écrit\s*:|Op\s.+schreef.*:|Am\s.+schrieb.*:"
    r"|-{2,}\s*(?:Original Message|Message d'origine|Oorspronkelijk bericht|Ursprüngliche Nachricht)\s*-{2,}"
    r"|_{10,}|(?:From|De|Van|Von)\s*:\s.+@.+)\s*$",
    re.IGNORECASE,
)
_REPLY_HEADER_START = re.compile(r"^\s*(?:On|Le|Op|Am)\s.+\d", re.IGNORECASE)
_REPLY_HEADER_END = re.compile(r"(?:wrote|a\s+écrit|schreef|schrieb)\s*:\s*$", re.IGNORECASE)


def own_lines(text: str) -> list[str]:
    """The lines a person wrote: stops at a reply header or signature, skips '>' quotes."""
    out: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if REPLY_HEADER.match(line) or line.rstrip() == "--":
            break
        # "On Mon, 1 Dec 2025 at 10:00, Jean <j@x.fr>\nwrote:" split over two lines
        if _REPLY_HEADER_START.match(line) and i + 1 < len(lines) and _REPLY_HEADER_END.search(lines[i + 1]):
            break
        if line.lstrip().startswith(">"):
            continue
        out.append(line)
    return out


def _segments(line: str, pattern: re.Pattern[str]) -> list[re.Match[str]]:
    """One line may hold several 'key: value' pairs separated by ' / ', ' | ' or ';'."""
    whole = pattern.match(line)
    parts = _SPLIT.split(line)
    if len(parts) > 1:
        matches = [pattern.match(p) for p in parts]
        if sum(m is not None for m in matches) >= 2:
            return [m for m in matches if m is not None]
    return [whole] if whole else []


def parse_pairs(text: str, *, need_colon: bool) -> list[tuple[str, Any, str]]:
    """[(field, value, evidence line)] for every recognised line, in order."""
    pattern = _WITH_COLON if need_colon else _NO_COLON
    out: list[tuple[str, Any, str]] = []
    for line in own_lines(text):
        for m in _segments(line, pattern):
            field = _KEY_FIELD.get(m["key"].lower(), "")
            out.extend((name, value, line.strip()) for name, value in _interpret(field, m["value"]))
    return out


def _interpret(field: str, raw: str) -> list[tuple[str, Any]]:
    value = raw.strip().strip('"').strip()
    if not value:
        return []
    if field in ("client", "buyer_email", "buyer_name"):
        emails = find_emails(value)
        out: list[tuple[str, Any]] = []
        if emails and field != "buyer_name":
            out.append(("buyer_email", emails[0]))
            name = getaddresses([value])[0][0].strip() if "<" in value else ""
            if name:
                out.append(("buyer_name", name))
        elif field in ("client", "buyer_name") and not emails:
            # "client name ACME SARL" arrives here as client="name ACME SARL"
            value = re.sub(r"^(?:name|nom|naam)\s*:?\s+", "", value, flags=re.IGNORECASE)
            out.append(("buyer_name", value))
        return out
    if field == "amount_due":
        amount = parse_amount(value)
        if amount is None:
            return []
        out = [("amount_due", money(amount.value))]
        if amount.currency:
            out.append(("currency", amount.currency))
        return out
    if field in ("due_date", "issue_date"):
        found = find_dates(value, dayfirst=True)
        return [(field, found[0].value)] if found else []
    if field == "iban":
        ibans = find_ibans(value.upper())
        return [("iban", ibans[0])] if ibans else [("iban", normalize_iban(value))] if re.fullmatch(
            r"[A-Za-z]{2}\d{2}[\dA-Za-z ]{11,40}", value
        ) else []
    if field == "invoice_number":
        token = value.split()[0].strip(".,;:")
        return [("invoice_number", token)] if re.search(r"\d", token) else []
    if field == "payment_reference":
        return [("payment_reference", value)]
    if field == "language":
        code = _LANG.get(value.split()[0].lower().strip(".,"))
        return [("language", code)] if code else []
    if field == "currency":
        code = value.split()[0].upper()
        code = {"€": "EUR", "EURO": "EUR", "EUROS": "EUR", "$": "USD", "£": "GBP"}.get(code, code)
        return [("currency", code)] if re.fullmatch(r"[A-Z]{3}", code) else []
    return []


def parse_corrections(text: str) -> dict[str, object]:
    """An owner's reply that fixes or completes fields, one per line, FR/EN/NL(/DE).

    parse_corrections("montant 1 200,00 EUR\\néchéance 15/12/2026")
    -> {"amount_due": Decimal("1200.00"), "currency": "EUR", "due_date": date(2026, 12, 15)}
    """
    out: dict[str, object] = {}
    for field, value, _ in parse_pairs(text, need_colon=False):
        out.setdefault(field, value)  # the first statement of a field wins
    return out
