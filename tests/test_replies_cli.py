"""`mailbot classify`: JSON shape, owner handling, unreadable files."""

from __future__ import annotations

import json
from pathlib import Path

from mailbot.cli_classify import main

REPLY = """From: Client <client@example.nl>
To: Facturen <facturen@example.com>
Subject: Re: Herinnering factuur 2024-017
Date: Wed, 04 Dec 2024 10:00:00 +0100
Content-Type: text/plain; charset=utf-8

We betalen volgende week, excuses voor de vertraging.

Op di 3 dec. 2024 om 09:00 schreef Facturen <facturen@example.com>:
> Uw factuur van 1.440,00 EUR is vervallen.
"""


def test_classify_prints_json(tmp_path: Path, capsys) -> None:
    path = tmp_path / "reply.eml"
    path.write_text(REPLY, encoding="utf-8")
    assert main([str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "client_reply"
    assert out["intent"] == "promise"
    assert out["date"] == "2024-12-13"  # Friday of next week, the message's Date being "today"
    assert out["new_text"] == "We betalen volgende week, excuses voor de vertraging."
    assert set(out) == {"kind", "intent", "date", "amount", "reason", "evidence", "new_text"}


def test_owner_command_and_invoice(tmp_path: Path, capsys) -> None:
    path = tmp_path / "owner.eml"
    path.write_text(REPLY.replace("client@example.nl", "owner@example.com"), encoding="utf-8")
    assert main([str(path), "--json", "--owner", "Owner@Example.com"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "owner_command"
    forward = REPLY.replace("client@example.nl", "owner@example.com").replace("Subject: Re:", "Subject: Fwd:")
    path.write_text(forward, encoding="utf-8")
    assert main([str(path), "--json", "--owner", "owner@example.com"]) == 0
    assert json.loads(capsys.readouterr().out)["kind"] == "invoice"


def test_unreadable_file_is_an_error(tmp_path: Path, capsys) -> None:
    assert main([str(tmp_path / "missing.eml")]) != 0
    assert "cannot read" in capsys.readouterr().err
