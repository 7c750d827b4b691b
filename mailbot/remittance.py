"""Payment confirmations an owner forwards instead of writing "done": pure reading and matching.

`read_payment(subject, text)` recognises a bank's credit notification (FR/EN/NL/DE), a PayPal,
Stripe, Mollie or SumUp receipt, or a client's remittance advice, and reads what identifies
the payment: amount, payer, payment references (Belgian structured +++…+++ or ISO 11649 RF,
validated by their check digits) and every token that may be an invoice number.

`match(payment, files)` says which open files it pays, and how sure that is:
- a payment reference or an invoice number written in the confirmation -> that file;
- several invoice numbers whose balances add up to the amount -> all of them;
- else the amount equal to one file's balance AND the payer's name matching that client;
- anything weaker (the amount alone, a name alone, two files that fit) is never acted on:
  the owner is asked which.

>>> p = read_payment("Avis de crédit", "Vous avez reçu un virement de 1 440,00 EUR\\nDonneur d'ordre : ACME SARL\\nCommunication : +++090/9337/55493+++")
>>> (str(p.amount), p.payer, p.references)
('1440.00', 'ACME SARL', ['090933755493'])
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from email.message import EmailMessage, Message

from .intake.forward import html_to_text
from .intake.values import find_amounts
from .models import Receivable
from .payment import is_valid_belgian_reference, is_valid_rf_reference

# Words that make a message a payment confirmation, by issuer; the first match names the source.
_SIGNALS: list[tuple[str, re.Pattern[str]]] = [
    ("paypal", re.compile(r"\bpaypal\b", re.I)),
    ("stripe", re.compile(r"\bstripe\b", re.I)),
    ("mollie", re.compile(r"\bmollie\b", re.I)),
    ("sumup", re.compile(r"\bsumup\b", re.I)),
    ("remittance", re.compile(r"remittance advice|avis de (?:paiement|r[èe]glement)|betalingsadvies|zahlungsavis", re.I)),
    ("bank", re.compile(
        r"avis de cr[ée]dit|vous avez re[çc]u un virement|virement (?:re[çc]u|entrant|sepa re[çc]u)|votre compte .{0,40}cr[ée]dit[ée]"
        r"|op[ée]ration cr[ée]dit|cr[ée]dit(?:ée)? sur votre compte|credit (?:notification|advice|transfer received)"
        r"|incoming (?:payment|transfer)|you(?:'ve| have)? received a (?:payment|transfer)|payment received"
        r"|bijschrijving|overschrijving ontvangen|ontvangen (?:betaling|overschrijving)|u hebt (?:een overschrijving|geld) ontvangen"
        r"|gutschrift|zahlungseingang", re.I)),
]
# Receipt wording of the payment providers (to tell a receipt from a newsletter that names them).
_RECEIPT = re.compile(
    r"you(?:'ve| have)? (?:got|received) (?:money|a payment)|vous avez re[çc]u (?:de l'argent|un paiement|\d)|sent you"
    r"|vous a envoy[ée]|heeft u .{0,30}gestuurd|payment (?:of .{0,30})?(?:succeeded|received|successful)"
    r"|paiement (?:r[ée]ussi|re[çc]u)|betaling ontvangen|nieuwe betaling|transaction receipt|re[çc]u de transaction"
    r"|betaalbewijs|transactiebevestiging|zahlung erhalten|you received|u hebt .{0,20}ontvangen", re.I)
_AMOUNT_LINE = re.compile(
    r"montant|amount|bedrag|betrag|total|somme|sum|cr[ée]dit|re[çc]u|received|ontvangen|paid|pay[ée]|betaald|sent you"
    r"|vous a envoy[ée]|gestuurd|net|gross|brut", re.I)
_PAYER = re.compile(
    r"^\s*(?:de|from|van|von|donneur d'ordre|[ée]metteur|ordonnateur|pay[ée]? par|paid by|payer|payeur|betaald door"
    r"|opdrachtgever|naam (?:tegenpartij|betaler)|tegenpartij|auftraggeber|customer|client|klant|consument|consumer"
    r"|sender|exp[ée]diteur|nom du (?:payeur|client)|name)\s*:\s*(?P<name>.+?)\s*$", re.I | re.M)
_SENT_YOU = re.compile(r"^\s*(?P<name>[^\n]{2,80}?)\s+(?:sent you|vous a envoy[ée]|heeft u)\b", re.I | re.M)
_OGM = re.compile(r"(?:\+{3}|\*{3})?\s*(\d{3})\s*/\s*(\d{4})\s*/\s*(\d{5})\s*(?:\+{3}|\*{3})?")
_RF = re.compile(r"\bRF\s?\d{2}(?:\s?[0-9A-Z]{1,4}){1,6}\b", re.I)
_LEGAL_FORMS = {"sarl", "sas", "sa", "sasu", "eurl", "sprl", "srl", "bv", "nv", "bvba", "vof", "ltd", "llc", "inc", "gmbh",
                "ag", "cv", "scs", "snc", "the", "and", "et", "en", "de", "la", "le", "les", "company", "co", "sci", "asbl", "vzw"}


@dataclass
class Payment:
    source: str  # bank | paypal | stripe | mollie | sumup | remittance
    amount: Decimal | None = None
    currency: str | None = None
    payer: str | None = None
    references: list[str] = field(default_factory=list)  # structured references, compacted and validated
    text: str = ""  # what was read, for matching invoice numbers
    evidence: dict[str, str] = field(default_factory=dict)


@dataclass
class Match:
    files: list[Receivable]  # the files it pays (empty: none found)
    how: str  # "reference" | "invoice number" | "invoice numbers and total" | "amount and payer" | ...
    sure: bool  # True: act on it; False: ask the owner
    candidates: list[Receivable] = field(default_factory=list)  # when unsure: the files it could be


def _fold(s: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c)).lower()


def looks_like_payment(subject: str, text: str) -> str | None:
    """The kind of payment confirmation this is, or None."""
    whole = f"{subject}\n{text}"
    for source, pattern in _SIGNALS:
        if pattern.search(whole):
            if source in ("paypal", "stripe", "mollie", "sumup") and not _RECEIPT.search(whole):
                continue
            return source
    return None


def read_payment(subject: str, text: str) -> Payment | None:
    source = looks_like_payment(subject, text)
    if source is None:
        return None
    p = Payment(source, text=f"{subject}\n{text}")
    _read_amount(p, subject, text)
    _read_payer(p, text)
    p.references = structured_references(p.text)
    return p


def _read_amount(p: Payment, subject: str, text: str) -> None:
    lines = [subject] + text.splitlines()
    for line in lines:
        if not _AMOUNT_LINE.search(line) or re.search(r"\b(?:fee|frais|kosten|commission|geb[üu]hr|solde|balance|saldo)\b", line, re.I):
            continue
        found = [a for a in find_amounts(line) if a.value > 0 and (a.currency or re.search(r"[.,]\d{2}\b", a.text))]
        if found:
            p.amount, p.currency, p.evidence["amount"] = found[0].value, found[0].currency or "EUR", line.strip()
            return
    # A receipt with one amount and no label: that amount.
    values = {a.value for line in lines for a in find_amounts(line) if a.currency and a.value > 0}
    if len(values) == 1:
        p.amount = values.pop()
        p.currency = "EUR"


_SPECIFIC_PAYER = re.compile(_PAYER.pattern.replace(r"(?:de|from|van|von|", r"(?:"), re.I | re.M)


def _read_payer(p: Payment, text: str) -> None:
    """The payer's name: a specific label first ("Donneur d'ordre", "Naam tegenpartij",
    "Customer"), then "X sent you", then a bare "From:"; never a forward's own header line
    ("From: Bank <alerts@bank>"), which names the notifier, not the payer."""
    for pattern in (_SPECIFIC_PAYER, _SENT_YOU, _PAYER):
        for m in pattern.finditer(text):
            name = m.group("name").strip(" ,;\"'")
            if not name or re.search(r"<[^>]*@", name) or re.fullmatch(r"[\d\s/.:,-]+", name):
                continue
            p.payer = name[:120]
            p.evidence["payer"] = m.group(0).strip()
            return


def payment_text(msg: EmailMessage, max_messages: int = 50) -> tuple[str, str]:
    """(subjects, text) of a message and of every message attached to it: the plain parts, or
    the HTML ones as text when a message has no plain part.

    One pass over the tree with explicit queues: each part is visited once, however deep the
    forwards are nested (a recursive walk that re-enters attached messages is exponential).
    """
    subjects: list[str] = []
    texts: list[str] = []
    messages: list[Message] = [msg]
    while messages and len(subjects) < max_messages:
        m = messages.pop(0)
        subjects.append(str(m.get("Subject", "")))
        plain: list[str] = []
        html: list[str] = []
        parts: list[Message] = [m]
        while parts:
            part = parts.pop(0)
            ctype = part.get_content_type()
            if ctype == "message/rfc822":
                messages.extend(part.iter_parts())  # read as a message of its own, once
                continue
            if part.is_multipart():
                parts.extend(part.iter_parts())
                continue
            if ctype not in ("text/plain", "text/html"):
                continue
            try:
                content = part.get_content()  # type: ignore[attr-defined]
            except (LookupError, ValueError, AttributeError):
                content = (part.get_payload(decode=True) or b"").decode("utf-8", "replace")
            (plain if ctype == "text/plain" else html).append(content)
        texts.extend(plain or [html_to_text(h) for h in html])
    return "\n".join(s for s in subjects if s), "\n".join(texts)


def structured_references(text: str) -> list[str]:
    """Belgian structured (12 digits) and RF references whose check digits are right, compacted."""
    out: list[str] = []
    for m in _OGM.finditer(text):
        ref = "".join(m.groups())
        if is_valid_belgian_reference(ref) and ref not in out:
            out.append(ref)
    for m in _RF.finditer(text):
        ref = re.sub(r"\s", "", m.group(0)).upper()
        # The regex may have eaten the next word's first letters: shorten until it validates.
        while len(ref) > 4 and not is_valid_rf_reference(ref):
            ref = ref[:-1]
        if len(ref) > 4 and ref not in out:
            out.append(ref)
    return out


def compact_reference(ref: str | None) -> str | None:
    if not ref:
        return None
    s = re.sub(r"[\s+*/]", "", ref).upper()
    return s or None


def _number_in(number: str, text: str) -> bool:
    """Is invoice `number` written in `text`, as a whole token ("F-12" is not in "F-120")?"""
    core = re.escape(number.strip())
    core = core.replace(r"\-", r"[-\s]?").replace(r"\ ", r"\s?")
    return re.search(rf"(?<![\w/-]){core}(?![\w/]|-\d)", text, re.I) is not None


def name_matches(payer: str | None, r: Receivable) -> bool:
    """The payer is this client: a distinctive word of the client's name, or of its email domain."""
    if not payer:
        return False
    said = set(re.findall(r"[a-z0-9]{3,}", _fold(payer)))
    words = set(re.findall(r"[a-z0-9]{3,}", _fold(r.client_name or ""))) - _LEGAL_FORMS
    if r.client_email and "@" in r.client_email:
        domain = r.client_email.rsplit("@", 1)[1].split(".")[0]
        if len(domain) >= 3 and domain not in ("gmail", "yahoo", "hotmail", "outlook", "orange", "free", "live", "icloud", "telenet", "skynet"):
            words.add(_fold(domain))
        if r.client_email.lower() in payer.lower():
            return True
    return bool(words & said)


def _balance(r: Receivable) -> Decimal:
    return r.amount_due if r.amount_due is not None else (r.amount or Decimal(0))


def match(p: Payment, files: Iterable[Receivable]) -> Match:
    files = list(files)
    by_ref = [r for r in files if compact_reference(r.payment_reference) in p.references]
    if len(by_ref) > 1 and len({r.plan_of for r in by_ref}) == 1 and by_ref[0].plan_of is not None:
        # The instalments of a plan share the invoice's reference: it pays the earliest one.
        by_ref = sorted(by_ref, key=lambda r: (r.due_date is None, r.due_date, r.id))[:1]
    if by_ref:
        return Match(by_ref, "payment reference", len(by_ref) == 1, by_ref)
    by_number = [r for r in files if r.number and _number_in(r.number, p.text)]
    # An instalment "F-12 (1/3)" also carries its parent's number: the instalment is the better match.
    by_number = [r for r in by_number if not any(o is not r and o.number.startswith(r.number + " (") for o in by_number)]
    if len(by_number) == 1:
        return Match(by_number, "invoice number", True, by_number)
    if len(by_number) > 1:
        total = sum((_balance(r) for r in by_number), Decimal(0))
        if p.amount is not None and p.amount == total:
            return Match(by_number, "invoice numbers and total", True, by_number)
        return Match([], "several invoice numbers", False, by_number)
    if p.amount is None:
        return Match([], "no amount", False, [r for r in files if name_matches(p.payer, r)])
    same_amount = [r for r in files if _balance(r) == p.amount]
    named = [r for r in same_amount if name_matches(p.payer, r)]
    if len(named) == 1:
        return Match(named, "amount and payer", True, named)
    if named:
        return Match([], "amount and payer fit several files", False, named)
    of_payer = [r for r in files if name_matches(p.payer, r)]
    if of_payer:
        return Match([], "payer without a matching amount", False, of_payer)
    return Match([], "amount only" if same_amount else "nothing", False, same_amount)
