"""Onboarding from real-looking exports: encodings, separators, decimal commas, XLSX; all or nothing."""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from mailbot.compose import Templates
from mailbot.importer import ImportRefused, header_key, read_table, register
from mailbot.ledger import Ledger
from mailbot.models import OPEN, Receivable
from mailbot.store import Store

FIX = Path(__file__).parent / "fixtures" / "owner_tools"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=ZoneInfo("Europe/Paris"))


def plan_of(name: str, **kw):
    return read_table(name, (FIX / name).read_bytes(), **kw)


@pytest.mark.parametrize("header,key", [
    ("N° facture", "n facture"), ("\ufeffN° Facture", "n facture"), ("Montant TTC (€)", "montant ttc"),
    ("Date d'échéance", "date d echeance"), ("E-mailadres", "e mailadres"), ("Bedrag incl. btw", "bedrag incl btw"),
])
def test_header_names_are_compared_without_accents_case_or_punctuation(header: str, key: str) -> None:
    assert header_key(header) == key


def test_french_export_utf8_bom_semicolons_decimal_commas() -> None:
    plan = plan_of("pennylane_export_utf8_bom.csv")
    assert (plan.encoding, plan.delimiter, plan.header_line, plan.ok) == ("utf-8-sig", ";", 1, True)
    assert plan.mapped == {"number": "N° facture", "issue_date": "Date", "due_date": "Échéance", "client_name": "Client",
                           "client_email": "E-mail", "amount": "Montant TTC", "amount_due": "Reste à payer",
                           "status": "Statut", "phone": "Téléphone"}
    assert plan.ignored == ["Montant HT", "TVA"]
    got = {r.receivable.number: r for r in plan.rows}
    assert sorted(got) == ["FA-2026-0101", "FA-2026-0102", "FA-2026-0103", "FA-2026-0105", "FA-2026-0106"]
    partial = got["FA-2026-0102"].receivable
    assert (partial.amount, partial.amount_due, partial.due_date, partial.issue_date) == (
        Decimal("2820.60"), Decimal("1410.30"), date(2026, 11, 4), date(2026, 10, 5))
    assert partial.client_name == "Garage Lefèvre & Fils" and partial.client_email == "factures@garage-lefevre.fr"
    assert got["FA-2026-0103"].receivable.amount_due == Decimal("15000.00")
    assert got["FA-2026-0101"].phone == "01 42 68 53 00" and got["FA-2026-0102"].phone is None
    skipped = dict(plan.skipped)
    assert "paid" in skipped[5] and "credit note" in skipped[7] and skipped[9] == "total line"
    assert plan.total == {"EUR": Decimal("1200.00") + Decimal("1410.30") + Decimal("15000.00") + Decimal("648.00") + Decimal("3852.00")}


def test_latin1_export_keeps_its_accents() -> None:
    plan = plan_of("ebp_export_latin1.csv")
    assert plan.encoding in ("cp1252", "latin-1") and plan.ok
    names = [r.receivable.client_name for r in plan.rows]
    assert names == ["Électricité Bérard", "Crèmerie Noël", "Hôtel des Pêcheurs"]
    assert [r.receivable.amount_due for r in plan.rows] == [Decimal("4815.00"), Decimal("312.48"), Decimal("1999.99")]
    assert plan.mapped["due_date"] == "Date d'échéance" and plan.mapped["issue_date"] == "Date de facture"


def test_dutch_export_thousands_dots_and_languages() -> None:
    plan = plan_of("exact_export_nl.csv", language="fr")
    assert plan.ok
    rows = {r.receivable.number: r.receivable for r in plan.rows}
    assert rows["INV2026-0453"].amount_due == Decimal("10020.00") and rows["INV2026-0453"].language == "nl"
    assert rows["INV2026-0452"].amount_due == Decimal("286.50") and rows["INV2026-0452"].language == "fr"
    assert rows["INV2026-0451"].due_date == date(2026, 11, 13)


def test_bad_rows_are_reported_by_line_number_and_nothing_is_registered(tmp_path: Path) -> None:
    plan = plan_of("quickbooks_export_bad_rows.csv")
    assert plan.delimiter == "," and not plan.ok
    bad = {b.line: " ".join(b.problems) for b in plan.bad}
    assert sorted(bad) == [3, 4, 5, 6]
    assert "31/13/2026" in bad[3] and "email" in bad[4] and "line 2" in bad[5] and "twelve" in bad[6]
    store = Store.open(tmp_path / "data")
    with pytest.raises(ImportRefused, match=r"line 3, 4, 5, 6.*nothing was registered"):
        with store.transaction():
            register(Ledger(store), plan, NOW)
    assert Ledger(store).all() == []


def _xlsx(rows: list[list[object]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Export des factures ouvertes — 01/12/2026"])  # a title line above the header
    sheet.append([])
    for row in rows:
        sheet.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def test_xlsx_with_date_cells_float_amounts_and_a_title_line() -> None:
    data = _xlsx([
        ["Numéro de facture", "Client", "Courriel", "Date facture", "Échéance", "Total TTC"],
        ["F-7001", "Atelier Roux", "compta@roux.fr", datetime(2026, 10, 1), datetime(2026, 10, 31), 1440.5],
        [7002, "Imprimerie Blanc", "ap@blanc.fr", datetime(2026, 10, 2), datetime(2026, 11, 1), 0.1 + 0.2],
        ["F-7003", "Verrerie Noir", "ap@noir.fr", datetime(2026, 10, 3), "15/11/2026", 99.999],
    ])
    plan = read_table("factures.xlsx", data)
    assert plan.encoding == "xlsx" and plan.header_line == 3
    rows = {r.receivable.number: r.receivable for r in plan.rows}
    assert rows["F-7001"].amount_due == Decimal("1440.50") and rows["F-7001"].due_date == date(2026, 10, 31)
    assert rows["7002"].amount_due == Decimal("0.30")  # a float sum is brought back to the cent
    assert [b.line for b in plan.bad] == [6] and "more than two decimals" in plan.bad[0].problems[0]


def test_register_refuses_numbers_already_registered_unless_told(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "data")
    led = Ledger(store)
    with store.transaction():
        led.add(Receivable(number="FA-2026-0103", status="closed", client_email="ap@sge-etudes.fr", amount_due=Decimal(1)))
    plan = plan_of("pennylane_export_utf8_bom.csv")
    with pytest.raises(ImportRefused, match="FA-2026-0103 \\(line 4\\)"):
        with store.transaction():
            register(led, plan, NOW)
    assert len(Ledger(store).all()) == 1  # rolled back whole
    with store.transaction():
        done = register(led, plan, NOW, skip_existing=True)
    assert [r.number for r in done] == ["FA-2026-0101", "FA-2026-0102", "FA-2026-0105", "FA-2026-0106"]
    assert plan.duplicates == [(4, "FA-2026-0103")]
    reopened = Ledger(Store.open(tmp_path / "data"))
    assert {r.number for r in reopened.open()} == {r.number for r in done}
    phones = [e.get("phone") for e in reopened.store.table("events").all() if e["kind"] == "registered"]
    assert "01 42 68 53 00" in phones and all(r.status == OPEN for r in done)


def test_a_file_without_the_needed_columns_is_refused_with_the_fix() -> None:
    with pytest.raises(ImportRefused, match="no header row"):
        read_table("x.csv", b"a;b;c\n1;2;3\n")
    with pytest.raises(ImportRefused, match="client's email.*'email'"):
        read_table("x.csv", "N° facture;Client;Montant TTC;Échéance\nF-1;A;1,00;01/12/2026\n".encode())


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_the_import_reply_lists_mapped_skipped_and_bad(lang: str) -> None:
    plan = plan_of("pennylane_export_utf8_bom.csv")
    out = Templates().render(f"{lang}/owner/import.j2", {"lang": lang, "business_name": "Atelier", "commands_hint": "status",
                                                          "plan": plan, "registered": [r.receivable.number for r in plan.rows],
                                                          "refused": None})
    for number in ("FA-2026-0101", "FA-2026-0106"):
        assert number in out.text and number in out.html
    assert "Montant HT" in out.text and "N° facture" in out.text
    bad = plan_of("quickbooks_export_bad_rows.csv")
    out = Templates().render(f"{lang}/owner/import.j2", {"lang": lang, "business_name": "Atelier", "commands_hint": "status",
                                                          "plan": bad, "registered": [], "refused": "4 bad rows"})
    for line in (" 3:", " 4:", " 5:", " 6:"):
        assert line in out.text
    assert "None" not in out.text and "{{" not in out.html


def test_a_refused_file_still_gets_a_readable_reply() -> None:
    from mailbot.importer import ImportPlan

    empty = ImportPlan("notes.csv", "utf-8", ";", 0)
    for lang in ("en", "fr", "nl", "de"):
        out = Templates().render(f"{lang}/owner/import.j2", {"lang": lang, "business_name": "A", "commands_hint": "status",
                                                              "plan": empty, "registered": [], "refused": "no header row"})
        assert "no header row" in out.text and "line 0" not in out.text and "notes.csv" in out.subject
