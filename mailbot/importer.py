"""Onboarding: the open invoices of a CSV or XLSX export become receivables, all or none.

`read_table(name, data)` reads the file (bytes in, no I/O): columns are found by their header
names in French, English or Dutch ("N° facture", "Montant TTC", "Échéance", "Invoice number",
"Factuurnummer", "Vervaldatum", …), CSV in UTF-8 (with or without BOM) or Latin-1/Windows-1252,
separated by semicolons, commas or tabs, amounts with decimal commas or points. It returns an
`ImportPlan`: the receivables to register and a report (columns mapped and ignored, rows
skipped and why, bad rows by line number). A plan with one bad row registers nothing:
`register(ledger, plan, now)` refuses it, so a file is never half imported.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .coded import Coded
from .errors import MailbotError
from .intake.values import is_email, parse_date, parse_number
from .ledger import Ledger
from .models import OPEN, Receivable

# Header words per field, written as `header_key()` leaves them (lower case, no accents or
# punctuation). Exact matches only: "montant ht" must never be taken for the total.
HEADERS: dict[str, tuple[str, ...]] = {
    "number": ("n facture", "no facture", "n de facture", "numero facture", "numero de facture", "num facture", "facture",
               "n piece", "numero", "invoice", "invoice number", "invoice no", "invoice nr", "invoice id", "number",
               "factuurnummer", "factuur nr", "factuurnr", "factuur", "nummer", "document number", "n"),
    "client_name": ("client", "nom client", "nom du client", "raison sociale", "societe", "customer", "customer name",
                    "client name", "company", "klant", "klantnaam", "naam klant", "debiteur", "naam"),
    "client_email": ("email", "e mail", "mail", "courriel", "email client", "e mail client", "adresse email",
                     "adresse e mail", "customer email", "client email", "billing email", "e mailadres", "emailadres",
                     "email klant", "e mail klant", "e mail du client", "email du client", "e mail des kunden"),
    "amount": ("montant ttc", "total ttc", "montant", "ttc", "amount", "total", "amount incl tax", "amount incl vat",
               "total incl vat", "total incl tax", "gross amount", "bedrag", "bedrag incl btw", "totaal incl btw",
               "totaal", "bedrag ttc"),
    "amount_due": ("reste a payer", "restant du", "solde", "montant du", "reste du", "balance", "amount due", "balance due",
                   "outstanding", "open amount", "openstaand", "openstaand bedrag", "saldo", "te betalen", "nog te betalen"),
    "due_date": ("echeance", "date echeance", "date d echeance", "date limite de paiement", "due", "due date", "payment due",
                 "due on", "vervaldatum", "vervaldag", "uiterste betaaldatum"),
    "issue_date": ("date", "date facture", "date de facture", "date d emission", "date emission", "invoice date", "issue date",
                   "issued", "date issued", "factuurdatum", "datum", "datum factuur"),
    "currency": ("devise", "monnaie", "currency", "munt", "valuta"),
    "language": ("langue", "language", "lang", "taal"),
    "phone": ("telephone", "tel", "phone", "telephone number", "phone number", "telefoon", "telefoonnummer", "gsm", "mobile",
              "portable"),
    "status": ("statut", "etat", "status", "state", "toestand"),
}
REQUIRED = ("number", "client_email", "amount", "due_date")
PAID_WORDS = {"paye", "payee", "payees", "regle", "reglee", "solde", "soldee", "paid", "closed", "betaald", "voldaan", "settled"}
CANCELLED_WORDS = {"annule", "annulee", "cancelled", "canceled", "void", "geannuleerd"}
LANGUAGES = {"fr": "fr", "francais": "fr", "french": "fr", "frans": "fr", "en": "en", "anglais": "en", "english": "en",
             "engels": "en", "nl": "nl", "neerlandais": "nl", "dutch": "nl", "nederlands": "nl", "de": "de", "allemand": "de",
             "german": "de", "deutsch": "de", "duits": "de"}
MAX_ROWS = 20_000


class ImportRefused(MailbotError):
    """The file cannot be imported; the message says what to fix. `reason` carries it as a code and
    its data for the owner's note (each language words it)."""

    def __init__(self, text: str, code: str = "refused", **data: Any):
        super().__init__(text)
        self.reason = Coded(code, text, **data)


@dataclass
class BadRow:
    line: int  # line in the file (CSV) or row in the sheet (XLSX), as a spreadsheet shows it
    problems: list[str]  # each a `Coded`: the owner's note words its code


@dataclass
class Row:
    line: int
    receivable: Receivable
    phone: str | None = None


@dataclass
class ImportPlan:
    source: str
    encoding: str  # utf-8, utf-8-sig, cp1252, latin-1, xlsx
    delimiter: str | None
    header_line: int
    mapped: dict[str, str] = field(default_factory=dict)  # field -> the header it was read from
    ignored: list[str] = field(default_factory=list)  # headers not used
    rows: list[Row] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (line, why): paid, cancelled, credit note, total (why is `Coded`)
    bad: list[BadRow] = field(default_factory=list)
    duplicates: list[tuple[int, str]] = field(default_factory=list)  # (line, number) already registered

    @property
    def ok(self) -> bool:
        return not self.bad

    @property
    def total(self) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for row in self.rows:
            r = row.receivable
            out[r.currency] = out.get(r.currency, Decimal(0)) + (r.amount_due or Decimal(0))
        return out


def header_key(text: str) -> str:
    """'N° Facture' -> 'n facture'; 'Montant TTC (€)' -> 'montant ttc'; 'E-mailadres' -> 'e mailadres'."""
    plain = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    plain = re.sub(r"\(.*?\)|\[.*?\]", " ", plain)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def read_table(name: str, data: bytes, *, language: str = "fr", currency: str = "EUR", today: date | None = None) -> ImportPlan:
    """Read an export of open invoices. `language`/`currency` fill rows that do not say.

    >>> plan = read_table("factures.csv", "N° facture;Client;E-mail;Montant TTC;Échéance\\n"
    ...                   "F-1;ACME;compta@acme.fr;1 440,50;15/12/2026\\n".encode())
    >>> plan.ok, plan.rows[0].receivable.amount_due, plan.rows[0].receivable.due_date
    (True, Decimal('1440.50'), datetime.date(2026, 12, 15))
    """
    if name.lower().endswith((".xlsx", ".xlsm")) or data[:4] == b"PK\x03\x04":
        table, encoding, delimiter = _xlsx_rows(data), "xlsx", None
    else:
        text, encoding = decode(data)
        delimiter = _delimiter(text)
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        table = []
        for cells in reader:
            table.append((reader.line_num, cells))
            if len(table) > MAX_ROWS:
                raise ImportRefused(f"{name}: more than {MAX_ROWS} rows; split the file", "too_many_rows", limit=MAX_ROWS)
    header_at, mapping = _find_header(table)
    if header_at is None:
        raise ImportRefused(
            f"{name}: no header row names an invoice number, an amount and a due date; the first row should hold column "
            "names such as 'N° facture;Client;E-mail;Montant TTC;Échéance' (or Invoice number/Factuurnummer, …)", "no_header")
    header_line, headers = table[header_at]
    plan = ImportPlan(name, encoding, delimiter, header_line)
    plan.mapped = {f: str(headers[i]).strip().lstrip("\ufeff") for f, i in mapping.items()}
    used = set(mapping.values())
    plan.ignored = [str(h).strip() for i, h in enumerate(headers) if i not in used and str(h or "").strip()]
    missing = [f for f in REQUIRED if f not in mapping]
    if "client_name" not in mapping and "client_email" not in mapping:
        missing.append("client_name")
    if missing:
        raise ImportRefused(f"{name}: no column for {', '.join(_WORDS[f] for f in missing)}; add one named "
                            + " / ".join(f"'{HEADERS[f][0]}'" for f in missing) + " (any of the FR/EN/NL names works)",
                            "missing_columns", fields=missing, headers=[HEADERS[f][0] for f in missing])
    seen: dict[str, int] = {}
    for line, cells in table[header_at + 1:]:
        _read_row(plan, mapping, line, cells, seen, language, currency)
    return plan


_WORDS = {"number": "the invoice number", "client_email": "the client's email", "amount": "the amount (with tax)",
          "due_date": "the due date", "client_name": "the client's name"}


def decode(data: bytes) -> tuple[str, str]:
    """Text of a CSV export: UTF-8 (BOM or not), else Windows-1252, else Latin-1 (never fails)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _delimiter(text: str) -> str:
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    counts = {d: first.count(d) for d in (";", "\t", ",", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def _xlsx_rows(data: bytes) -> list[tuple[int, list[Any]]]:
    try:
        import openpyxl
    except ModuleNotFoundError:
        raise ImportRefused("reading .xlsx needs openpyxl: `pip install openpyxl`, or export the sheet as CSV",
                            "xlsx_unsupported") from None
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip: say so plainly
        raise ImportRefused(f"the spreadsheet cannot be read ({type(exc).__name__}); save it again as .xlsx or CSV",
                            "xlsx_unreadable") from None
    sheet = book.worksheets[0]
    rows = []
    for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        rows.append((n, list(values)))
        if n > MAX_ROWS:
            raise ImportRefused(f"more than {MAX_ROWS} rows; split the file", "too_many_rows", limit=MAX_ROWS)
    book.close()
    return rows


def _find_header(table: list[tuple[int, list[Any]]]) -> tuple[int | None, dict[str, int]]:
    """The first of the top 15 rows whose cells name enough fields; field -> column index."""
    for at, (_, cells) in enumerate(table[:15]):
        mapping: dict[str, int] = {}
        for i, cell in enumerate(cells):
            key = header_key(cell) if cell is not None else ""
            for f, names in HEADERS.items():
                if key in names and f not in mapping:
                    mapping[f] = i
                    break
        if {"number", "amount"} <= set(mapping) and ("due_date" in mapping or len(mapping) >= 3):
            return at, mapping
    return None, {}


def _read_row(plan: ImportPlan, mapping: dict[str, int], line: int, cells: list[Any], seen: dict[str, int],
              language: str, currency: str) -> None:
    def cell(f: str) -> Any:
        i = mapping.get(f)
        if i is None or i >= len(cells):
            return None
        v = cells[i]
        return v.strip() if isinstance(v, str) else v

    if all(c is None or str(c).strip() == "" for c in cells):
        return  # blank lines are not worth a report line
    number = str(cell("number") or "").strip()
    if isinstance(cell("number"), float) and float(cell("number")).is_integer():
        number = str(int(cell("number")))
    first = header_key(str(cells[0] or ""))
    if first.startswith(("total", "totaal", "sous total", "subtotal", "sub total")) or header_key(number) in ("total", "totaal"):
        plan.skipped.append((line, Coded("total_line", "total line")))
        return
    status = header_key(str(cell("status") or ""))
    if status in PAID_WORDS:
        plan.skipped.append((line, Coded("marked_paid", f"{number or 'row'}: marked paid", number=number)))
        return
    if status in CANCELLED_WORDS:
        plan.skipped.append((line, Coded("marked_cancelled", f"{number or 'row'}: marked cancelled", number=number)))
        return
    problems: list[str] = []
    if not number:
        problems.append(Coded("no_number", "no invoice number"))
    elif number.upper() in seen:
        problems.append(Coded("number_twice", f"invoice {number} is also on line {seen[number.upper()]}", number=number,
                              other_line=seen[number.upper()]))
    amount = _money(cell("amount"), "amount", problems)
    due_amount = _money(cell("amount_due"), "amount_due", problems) if "amount_due" in mapping and cell("amount_due") not in (None, "") else amount
    due = _date(cell("due_date"), "due_date", problems, required=True)
    issued = _date(cell("issue_date"), "issue_date", problems, required=False)
    email_addr = str(cell("client_email") or "").strip().lower()
    if email_addr.startswith("mailto:"):
        email_addr = email_addr[7:]
    if not email_addr:
        problems.append(Coded("no_client_email", "no client email (reminders go by email)"))
    elif not is_email(email_addr):
        problems.append(Coded("not_an_email", f"client email {email_addr!r} is not an address", value=email_addr))
    name = str(cell("client_name") or "").strip() or None
    cur = str(cell("currency") or "").strip().upper() or currency
    cur = {"€": "EUR", "EURO": "EUR", "EUROS": "EUR", "$": "USD", "£": "GBP"}.get(cur, cur)
    if not re.fullmatch(r"[A-Z]{3}", cur):
        problems.append(Coded("bad_currency", f"currency {cur!r} is not a code like EUR", value=cur))
    lang = LANGUAGES.get(header_key(str(cell("language") or "")), language)
    if amount is not None and amount < 0:
        plan.skipped.append((line, Coded("credit_note_row", f"{number}: a credit note ({amount}), not a receivable", number=number,
                                         amount=amount)))
        return
    if due_amount is not None and due_amount == 0 and not problems:
        plan.skipped.append((line, Coded("nothing_left", f"{number}: nothing left to pay", number=number)))
        return
    if amount is not None and due_amount is not None and due_amount > amount:
        problems.append(Coded("due_above_total", f"amount due {due_amount} is more than the invoice total {amount}",
                              amount_due=due_amount, total=amount))
    if issued and due and due < issued:
        problems.append(Coded("due_before_issue", f"due date {due.isoformat()} is before the issue date {issued.isoformat()}",
                              due=due, issued=issued))
    if problems:
        plan.bad.append(BadRow(line, problems))
        return
    seen[number.upper()] = line
    phone = str(cell("phone") or "").strip() or None
    r = Receivable(number=number, status=OPEN, client_email=email_addr, client_name=name, amount=amount, amount_due=due_amount,
                   currency=cur, issue_date=issued, due_date=due, language=lang)
    plan.rows.append(Row(line, r, phone))


def _money(value: Any, name: str, problems: list[str]) -> Decimal | None:
    what = name.replace("_", " ")
    if value is None or (isinstance(value, str) and not value.strip()):
        problems.append(Coded("no_value", f"no {what}", field=name))
        return None
    if isinstance(value, bool):
        problems.append(Coded("not_an_amount", f"{what} is not a number", field=name, value=str(value)))
        return None
    if isinstance(value, (int, float, Decimal)):
        d = Decimal(str(value))
        cents = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        if abs(d - cents) > Decimal("0.000001"):
            problems.append(Coded("too_many_decimals", f"{what} {value} has more than two decimals", field=name, value=str(value)))
            return None
        return cents
    text = str(value).strip()
    negative = text.startswith("-") or (text.startswith("(") and text.endswith(")"))
    core = re.sub(r"[€$£]|\b(?:EUR|USD|GBP|CHF|euros?)\b|[()\-+]", "", text, flags=re.I).strip()
    number = parse_number(core)
    if number is None:
        problems.append(Coded("not_an_amount", f"{what} {text!r} is not an amount", field=name, value=text))
        return None
    return -number if negative else number


def _date(value: Any, name: str, problems: list[str], *, required: bool) -> date | None:
    what = name.replace("_", " ")
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            problems.append(Coded("no_value", f"no {what}", field=name))
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = parse_date(str(value).strip(), dayfirst=True)
    if parsed is None:
        problems.append(Coded("not_a_date", f"{what} {str(value).strip()!r} is not a date (write 15/12/2026 or 2026-12-15)",
                              field=name, value=str(value).strip()))
    return parsed


def find_duplicates(plan: ImportPlan, ledger: Ledger) -> list[tuple[int, str]]:
    """Rows whose invoice number is already registered (any status: a closed invoice stays closed)."""
    statuses = ("open", "draft", "closed", "cancelled")
    return [(row.line, row.receivable.number) for row in plan.rows
            if ledger.find_number(row.receivable.number, statuses=statuses)]


def register(ledger: Ledger, plan: ImportPlan, now: datetime, *, skip_existing: bool = False,
             on_row: Any = None) -> list[Receivable]:
    """Register every row of `plan`, inside the caller's transaction; all or nothing.

    Refuses a plan with bad rows, and one with numbers already registered unless
    `skip_existing` (then those rows are reported in `plan.duplicates` and left out).
    `on_row(i)` is called after each row (a progress bar).
    """
    if plan.bad:
        lines = ", ".join(str(b.line) for b in plan.bad)
        raise ImportRefused(f"{plan.source}: {len(plan.bad)} bad row(s) (line {lines}); fix them and import again: nothing was registered",
                            "bad_rows", lines=[b.line for b in plan.bad])
    ledger.store.require_transaction()
    plan.duplicates = find_duplicates(plan, ledger)
    if plan.duplicates and not skip_existing:
        shown = ", ".join(f"{n} (line {line})" for line, n in plan.duplicates[:10])
        raise ImportRefused(f"{plan.source}: already registered: {shown}; remove those rows, or import with --skip-existing: "
                            "nothing was registered", "already_registered", rows=plan.duplicates[:10])
    taken = {line for line, _ in plan.duplicates}
    done = []
    for i, row in enumerate(plan.rows):
        if row.line not in taken:
            r = row.receivable
            r.registered_at = now
            ledger.add(r)
            detail: dict[str, Any] = {"source": "import", "file": plan.source, "line": row.line}
            if row.phone:
                detail["phone"] = row.phone
            ledger.event(r, "registered", now, **detail)
            done.append(r)
        if on_row is not None:
            on_row(i + 1)
    return done
