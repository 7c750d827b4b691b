"""The bookkeeper's export (CSV, XLSX) and the owner's statements, over the scripted month."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from mailbot.compose import Templates
from mailbot.export import COLUMNS, HEADERS, client_statement, export_rows, file_history, status_view, to_csv, to_xlsx
from mailbot.importer import read_table
from mailbot.ledger import Ledger
from mailbot.models import DRAFT, Receivable
from mailbot.rules import load_rules
from mailbot.store import Store
from tests.test_digest import TODAY, TZ, balance, scripted_month

STAGES = load_rules(None).stages


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory):
    store = Store.open(tmp_path_factory.mktemp("export") / "data")
    facts, _ = scripted_month(store)
    with store.transaction():
        Ledger(store).add(Receivable(number="DRAFT-1", status=DRAFT))
    receivables, events = Ledger(store).all(), store.table("events").all()
    return facts, receivables, events, export_rows(receivables, events, TODAY, STAGES, TZ)


def test_one_row_per_registered_invoice_with_the_bookkeepers_columns(books) -> None:
    facts, _, _, rows = books
    assert len(rows) == 120 and "DRAFT-1" not in {r.invoice_number for r in rows}
    by_number = {f.number: f for f in facts}
    for row in rows:
        f = by_number[row.invoice_number]
        assert row.amount == f.amount and row.issue_date == f.issue and row.due_date == f.due
        assert row.amount_due == balance(f, TODAY) or f.cancelled
        assert row.status == ("cancelled" if f.cancelled else "closed" if f.closed else "open")
        if row.status == "open":
            assert row.days_late == max(0, (TODAY - f.due).days)
            assert row.dispute_reason == (f.dispute or "")
            assert (row.next_action == "dispute") == bool(f.dispute)
        else:
            assert row.next_action == "none" and row.days_late == 0


def test_csv_reads_back_exactly_and_is_excel_friendly(books) -> None:
    *_, rows = books
    data = to_csv(rows, "fr")
    assert data.startswith("\ufeff".encode()) and b"\r\n" in data
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert tuple(table[0]) == HEADERS["fr"] and len(table) == 121
    col = {c: i for i, c in enumerate(COLUMNS)}
    for row, line in zip(rows, table[1:]):
        assert line[col["invoice_number"]] == row.invoice_number
        assert Decimal(line[col["amount_due"]]) == row.amount_due
        assert line[col["due_date"]] == row.due_date.isoformat()
    # Our own import reads our own export (open files only come back, all of them).
    plan = read_table("export.csv", data)
    assert plan.ok and {r.receivable.number for r in plan.rows} == {r.invoice_number for r in rows if r.status == "open"}


def test_xlsx_has_dates_as_dates_and_exact_amounts(books) -> None:
    *_, rows = books
    sheet = openpyxl.load_workbook(io.BytesIO(to_xlsx(rows, "nl"))).active
    assert tuple(c.value for c in sheet[1]) == HEADERS["nl"]
    assert sheet.max_row == 121
    second = list(sheet.iter_rows(min_row=2, max_row=2, values_only=True))[0]
    assert second[COLUMNS.index("invoice_number")] == rows[0].invoice_number
    assert Decimal(str(second[COLUMNS.index("amount")])) == rows[0].amount
    assert second[COLUMNS.index("due_date")].date() == rows[0].due_date


def test_status_is_open_files_oldest_first(books) -> None:
    facts, *_, rows = books
    open_rows = status_view(rows)
    assert [r.invoice_number for r in open_rows] == [f.number for f in sorted(
        (f for f in facts if not f.cancelled and f.closed is None), key=lambda f: (f.due, f.number))]


def test_client_statement_and_history(books) -> None:
    facts, receivables, events, _ = books
    [st] = client_statement("client 07", receivables, events, TODAY, STAGES, TZ)
    mine = sorted(f.number for f in facts if f.client == 7)
    assert sorted(r.invoice_number for r in st.rows) == mine
    assert {e["number"] for e in st.events} == set(mine)
    assert st.events == sorted(st.events, key=lambda e: (e["at"], e["number"]))
    assert client_statement("Client 99", receivables, events, TODAY, STAGES, TZ) == []
    assert len(client_statement("billing@client07", receivables, events, TODAY, STAGES, TZ)) == 1
    [(r, evs)] = file_history("f2027 001", receivables, events, TZ)
    assert r.number == "F2027-001" and evs[0]["kind"] == "registered"


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_statement_emails_render_in_every_language(books, lang: str) -> None:
    facts, receivables, events, rows = books
    base = {"lang": lang, "business_name": "Atelier", "commands_hint": "status"}
    t = Templates()
    out = t.render(f"{lang}/owner/status.j2", base | {"today": TODAY, "rows": status_view(rows), "query": None, "statements": []})
    for row in status_view(rows):
        assert row.invoice_number in out.text
    sts = client_statement("client 07", receivables, events, TODAY, STAGES, TZ)
    out2 = t.render(f"{lang}/owner/status.j2", base | {"today": TODAY, "rows": [], "query": "client 07", "statements": sts})
    assert all(f.number in out2.text for f in facts if f.client == 7)
    found = file_history("F2027-001", receivables, events, TZ)
    out3 = t.render(f"{lang}/owner/history.j2", base | {"number": "F2027-001", "found": found})
    out4 = t.render(f"{lang}/owner/export.j2", base | {"today": TODAY, "count": 120, "files": ["a.csv", "a.xlsx"],
                                                       "totals": {"EUR": Decimal("10.00")}})
    for o in (out, out2, out3, out4):
        for part in (o.subject, o.text, o.html):
            assert "None" not in part and "{{" not in part and "Undefined" not in part
    assert "F2027-001" in out3.subject


def test_missing_stage_list_means_no_invented_next_action(tmp_path: Path) -> None:
    r = Receivable(id=1, number="X-1", status="open", amount_due=Decimal(5), due_date=date(2027, 1, 1))
    [row] = export_rows([r], [], TODAY, (), TZ)
    assert (row.next_action, row.next_action_date) == ("none", None)
