"""The bookkeeper's table and the owner's statements, from receivables and events. Pure.

`export_rows` gives one `ExportRow` per receivable with the columns a bookkeeper expects;
`to_csv` / `to_xlsx` turn them into file bytes for an attachment. `status_view` (all open files,
oldest first), `client_statement` ("status ACME": every invoice of a client with its full
history) and `file_history` ("history F-12") are what the owner gets by email and what
`mailbot status` prints.

The next action's date is the day the next stage's `after` falls on (or the end of a pause),
before the scheduler moves it to a working day in the send window: a plan, not a promise.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from .digest import Books, days_late, match_text
from .models import CANCELLED, CLOSED, DRAFT, OPEN, Receivable

COLUMNS = ("client", "client_email", "invoice_number", "issue_date", "due_date", "amount", "amount_due", "currency", "status", "stage",
           "days_late", "last_contact", "next_action", "next_action_date", "promise_date", "dispute_reason")
HEADERS = {
    "en": ("Client", "Client email", "Invoice number", "Issue date", "Due date", "Amount", "Amount due", "Currency", "Status", "Stage",
           "Days late", "Last contact", "Next action", "Next action date", "Promise date", "Dispute reason"),
    "fr": ("Client", "E-mail du client", "N° facture", "Date de facture", "Échéance", "Montant TTC", "Reste à payer", "Devise", "Statut", "Étape",
           "Jours de retard", "Dernier contact", "Prochaine action", "Date de la prochaine action", "Date promise",
           "Motif de contestation"),
    "nl": ("Klant", "E-mail klant", "Factuurnummer", "Factuurdatum", "Vervaldatum", "Bedrag", "Openstaand", "Munt", "Status", "Fase",
           "Dagen te laat", "Laatste contact", "Volgende actie", "Datum volgende actie", "Beloofde datum", "Reden betwisting"),
    "de": ("Kunde", "E-Mail des Kunden", "Rechnungsnummer", "Rechnungsdatum", "Fälligkeit", "Betrag", "Offen", "Währung", "Status", "Stufe",
           "Tage überfällig", "Letzter Kontakt", "Nächster Schritt", "Datum nächster Schritt", "Zugesagtes Datum", "Einwand"),
}
_CONTACT = ("reminder", "client_reply", "note", "promise", "call_task")


@dataclass(frozen=True)
class ExportRow:
    client: str
    invoice_number: str
    issue_date: date | None
    due_date: date | None
    amount: Decimal | None
    amount_due: Decimal | None
    currency: str
    status: str
    stage: str
    days_late: int
    last_contact: date | None
    last_contact_kind: str  # reminder | client_reply | note | promise | call_task | ""
    next_action: str  # remind:<stage> | call | promise_check | dispute | escalate | paused | none
    next_action_date: date | None
    promise_date: date | None
    dispute_reason: str
    rid: int = 0
    client_email: str | None = None


def export_rows(receivables: Iterable[Receivable], events: Iterable[Mapping[str, Any]], today: date, stages: Sequence[Any],
                tz: Any) -> list[ExportRow]:
    """One row per receivable (drafts excluded), by client then due date.

    `stages` are the rules' stages (name, after, channel); `tz` the owner's time zone.
    """
    books = Books(list(receivables), list(events), tz)
    rows = []
    for r in books.receivables:
        if r.status == DRAFT:
            continue
        contact = [e for e in books.of(r, *_CONTACT) if not e.get("dry_run")]
        last = contact[-1] if contact else None
        action, when = next_action(r, books, today, stages)
        rows.append(ExportRow(
            client=r.client_name or r.client_email or "", invoice_number=r.number, issue_date=r.issue_date, due_date=r.due_date,
            amount=r.amount, amount_due=r.amount_due if r.status == OPEN else Decimal(0) if r.status == CLOSED else r.amount_due,
            currency=r.currency, status=r.status, stage=stage_name(r, stages),
            days_late=max(0, days_late(r, today)) if r.status == OPEN else 0,
            last_contact=books.day(last) if last else None, last_contact_kind=last["kind"] if last else "",
            next_action=action, next_action_date=when, promise_date=r.promise_date if r.status == OPEN else None,
            dispute_reason=r.dispute or "", rid=r.id, client_email=r.client_email,
        ))
    return sorted(rows, key=lambda x: (match_text(x.client), x.due_date or date.max, x.invoice_number))


def stage_name(r: Receivable, stages: Sequence[Any]) -> str:
    return stages[r.last_stage].name if 0 <= r.last_stage < len(stages) else ""


def next_action(r: Receivable, books: Books, today: date, stages: Sequence[Any]) -> tuple[str, date | None]:
    """What happens next to an open file, and on which day (see the module docstring)."""
    if r.status != OPEN:
        return "none", None
    if r.dispute:
        return "dispute", None
    if r.promise_date and r.promise_date >= today - timedelta(days=3):
        return "promise_check", r.promise_date
    tasks = books.of(r, "call_task")
    notes = books.of(r, "note")
    if tasks and not (notes and notes[-1]["at"] > tasks[-1]["at"]):
        return "call", today
    following = [s for s in stages if s.index > r.last_stage] if stages else []
    if not following:
        return ("escalate", today) if stages else ("none", None)
    stage = following[0]
    when = (r.due_date or today) + timedelta(days=stage.after)
    if r.paused_until and r.paused_until > when:
        when = r.paused_until
    action = "call" if stage.channel == "call" else f"remind:{stage.name}"
    return action, max(when, today)


def to_csv(rows: Sequence[ExportRow], lang: str = "en") -> bytes:
    """Semicolon-separated UTF-8 with BOM and ISO dates: opens as columns in Excel and LibreOffice.

    Amounts keep a decimal point, exact (no float ever), so any tool reads them the same.
    """
    out = io.StringIO(newline="")
    w = csv.writer(out, delimiter=";", lineterminator="\r\n")
    w.writerow(HEADERS.get(lang, HEADERS["en"]))
    for row in rows:
        w.writerow([_cell(getattr(row, c)) for c in COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(rows: Sequence[ExportRow], lang: str = "en") -> bytes:
    """The same table as a real spreadsheet: dates as dates, amounts as numbers with two decimals."""
    import openpyxl
    from openpyxl.styles import Font

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "receivables"
    sheet.append(list(HEADERS.get(lang, HEADERS["en"])))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # openpyxl writes Decimal as a number; the value is exact to the cent.
        sheet.append([getattr(row, c) if getattr(row, c) not in ("",) else None for c in COLUMNS])
    money_cols = [COLUMNS.index("amount") + 1, COLUMNS.index("amount_due") + 1]
    date_cols = [COLUMNS.index(c) + 1 for c in ("issue_date", "due_date", "last_contact", "next_action_date", "promise_date")]
    for r in range(2, len(rows) + 2):
        for c in money_cols:
            sheet.cell(r, c).number_format = "#,##0.00"
        for c in date_cols:
            sheet.cell(r, c).number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    for i, width in enumerate((28, 28, 16, 12, 12, 14, 14, 8, 10, 12, 9, 14, 18, 14, 14, 30), start=1):
        sheet.column_dimensions[openpyxl.utils.get_column_letter(i)].width = width
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# -- statements --------------------------------------------------------------------------------

@dataclass(frozen=True)
class ClientStatement:
    client: str
    client_email: str | None
    rows: list[ExportRow]
    events: list[dict[str, Any]]  # every event of the client's files, oldest first, with "number" and "day"
    open_due: Decimal
    currency: str


def status_view(rows: Sequence[ExportRow]) -> list[ExportRow]:
    """Open files, oldest due date first."""
    return sorted((r for r in rows if r.status == OPEN), key=lambda r: (r.due_date or date.max, r.invoice_number))


def client_statement(query: str, receivables: Iterable[Receivable], events: Iterable[Mapping[str, Any]], today: date,
                     stages: Sequence[Any], tz: Any) -> list[ClientStatement]:
    """Statements of the clients whose name or address contains `query` (accents and case ignored)."""
    wanted = match_text(query)
    all_r = list(receivables)
    all_e = list(events)
    chosen = [r for r in all_r if r.status != DRAFT and wanted and
              (wanted in match_text(r.client_name or "") or wanted in match_text(r.client_email or ""))]
    groups: dict[str, list[Receivable]] = {}
    for r in chosen:
        groups.setdefault((r.client_email or r.client_name or "").lower(), []).append(r)
    books = Books(all_r, all_e, tz)
    out = []
    for files in groups.values():
        rows = export_rows(files, all_e, today, stages, tz)
        numbers = {r.id: r.number for r in files}
        evs = sorted(({**dict(e), "number": numbers[r.id], "day": books.day(e)} for r in files for e in books.of(r)),
                     key=lambda e: (e["at"], e["number"]))
        lead = files[0]
        open_due = sum((x.amount_due or Decimal(0) for x in rows if x.status == OPEN and x.currency == lead.currency), Decimal(0))
        out.append(ClientStatement(lead.client_name or lead.client_email or "", lead.client_email, rows, evs, open_due,
                                   lead.currency))
    return sorted(out, key=lambda s: match_text(s.client))


def file_history(number: str, receivables: Iterable[Receivable], events: Iterable[Mapping[str, Any]], tz: Any
                 ) -> list[tuple[Receivable, list[dict[str, Any]]]]:
    """Every file with that invoice number (usually one) and its events, oldest first."""
    wanted = "".join(ch for ch in number.upper() if ch.isalnum())
    all_r = list(receivables)
    books = Books(all_r, list(events), tz)
    found = [r for r in all_r if "".join(ch for ch in r.number.upper() if ch.isalnum()) == wanted]
    return [(r, [{**dict(e), "day": books.day(e)} for e in books.of(r)]) for r in found]


def row_dict(row: ExportRow) -> dict[str, Any]:
    return {f.name: getattr(row, f.name) for f in fields(row)}


__all__ = ["COLUMNS", "HEADERS", "CANCELLED", "ClientStatement", "ExportRow", "client_statement", "export_rows", "file_history",
           "next_action", "row_dict", "status_view", "to_csv", "to_xlsx"]
