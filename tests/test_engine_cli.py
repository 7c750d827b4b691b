"""`mailbot simulate` and `mailbot preview` as an owner runs them (real store, real files)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from mailbot.businessdays import is_business_day
from mailbot.cli import main
from mailbot.ledger import Ledger
from mailbot.models import OPEN, Receivable
from mailbot.rules import load_rules
from mailbot.store import Store


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "data"
    for k, v in {"MAILBOT_DATA_DIR": str(data), "MAILBOT_ADDRESS": "bot@firm.test", "MAILBOT_OWNERS": "owner@firm.test",
                 "MAILBOT_TIMEZONE": "Europe/Paris"}.items():
        monkeypatch.setenv(k, v)
    for k in ("MAILBOT_IMAP_HOST", "MAILBOT_SMTP_HOST", "MAILBOT_RULES"):
        monkeypatch.delenv(k, raising=False)
    return data


def test_simulate_a_generated_portfolio_respects_every_rule(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--generate", "200", "--from", "2026-03-02", "--days", "120", "--json"]) == 0
    actions = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    rules = load_rules()
    window = rules.window("Europe/Paris")
    assert {a["kind"] for a in actions} == {"email", "call", "letter"}
    last: dict[str, date] = {}
    for a in actions:
        at = datetime.fromisoformat(a["at"]).astimezone(window.zone)
        assert at.weekday() in (1, 2, 3) and window.start <= at.time() < window.end and is_business_day(at.date(), "FR")
        if a["kind"] == "email":
            assert a["client"] not in last or (at.date() - last[a["client"]]).days >= 4  # chronic clients: 4 days
            last[a["client"]] = at.date()
    assert len(last) > 50  # most of the ~66 clients were written to


def test_simulate_prints_a_plan_a_person_can_read(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate", "--generate", "200", "--from", "2026-03-02", "--days", "30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("mailbot simulate: 200 open invoices, 30 days from 2026-03-02; nothing is sent.")
    assert "\nTue 2026-03-03\n" in out and "  09:00  email  " in out and "emails to" in out.splitlines()[-1]


def test_simulate_without_a_store_says_what_to_do(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["simulate"]) == 2
    assert "set MAILBOT_DATA_DIR" in capsys.readouterr().err


def _store_one(data: Path) -> None:
    store = Store.open(data)
    with store.transaction():
        Ledger(store).add(Receivable(number="F2026-014", status=OPEN, client_email="compta@acme.test", client_name="ACME SARL",
                                     amount=Decimal("1440.00"), amount_due=Decimal("1440.00"), issue_date=date(2026, 3, 1),
                                     due_date=date(2026, 3, 31), language="nl"))


def test_preview_writes_the_next_reminder_to_files(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_one(env)
    out = tmp_path / "preview"
    assert main(["preview", "F2026-014", "--out", str(out), "--date", "2026-04-20"]) == 0
    said = capsys.readouterr().out
    # 20 days late, never reminded, a new client (stages 2 days earlier): the scheduler would send 'formal'.
    assert "stage 3 'formal' in nl" in said
    names = sorted(p.name for p in out.iterdir())
    assert names == ["payment-qr.png", "reminder.eml", "reminder.html", "reminder.txt"]
    assert 'src="payment-qr.png"' in (out / "reminder.html").read_text()
    assert (out / "payment-qr.png").read_bytes().startswith(b"\x89PNG")


def test_preview_a_letter_stage_in_another_language(env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _store_one(env)
    out = tmp_path / "notice"
    assert main(["preview", "F2026-014", "--stage", "notice", "--lang", "de", "--out", str(out), "--date", "2026-06-10"]) == 0
    assert (out / "formal-notice-F2026-014.pdf").read_bytes().startswith(b"%PDF")
    assert "Mahnung" in (out / "reminder.txt").read_text()
    assert main(["preview", "F2026-014", "--stage", "9", "--out", str(out)]) == 2
    assert "stages 1 to 6" in capsys.readouterr().err
