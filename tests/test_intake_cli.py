"""`mailbot extract PATH [--json]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mailbot.cli_extract import main
from mailbot.intake.fields import JSON_KEYS

FIXTURES = Path(__file__).parent / "fixtures" / "invoices"


def test_json_output_has_exactly_the_contract_keys(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main([str(FIXTURES / "akretion-factur-x/tests/fixtures/xml/factur-x-minimum.xml"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    assert list(out) == [*JSON_KEYS, "confidence"]
    assert out["invoice_number"] == "F20260023"
    assert out["due_date"] is None  # MINIMUM has no due date: null, not a guess
    assert out["amount_due"] == "104.90"
    assert out["confidence"]["amount_due"] == 1.0


def test_human_output_lists_what_would_be_asked(capsys: pytest.CaptureFixture[str]) -> None:
    rc = main([str(FIXTURES / "akretion-factur-x/tests/fixtures/xml/factur-x-minimum.xml")])
    out = capsys.readouterr().out
    assert rc == 0
    assert "F20260023" in out
    assert "to ask the owner: buyer_email, due_date" in out


def test_unreadable_file_exits_non_zero_with_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4\n%%EOF\n")
    rc = main([str(bad), "--json"])
    captured = capsys.readouterr()
    assert rc == 1
    assert captured.out == ""
    assert "bad.pdf" in captured.err


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.pdf")]) == 1
    assert "nope.pdf" in capsys.readouterr().err
