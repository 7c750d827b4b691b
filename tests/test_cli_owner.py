"""`mailbot import`, `mailbot status` and the digest files, run as a person would, in a subprocess."""

from __future__ import annotations

import email
import email.policy
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

from mailbot.ledger import Ledger
from mailbot.store import DataDirLock, Store

FIX = Path(__file__).parent / "fixtures" / "owner_tools"


def run(data: Path, *args: str, module: str = "mailbot") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")} | {
        "MAILBOT_DATA_DIR": str(data), "MAILBOT_CLOCK_START": "2026-12-01T09:00:00+01:00", "COLUMNS": "200",
        "MAILBOT_ADDRESS": "bot@firm.test", "MAILBOT_OWNERS": "owner@firm.test"}
    return subprocess.run([sys.executable, "-m", module, *args], capture_output=True, text=True, env=env, timeout=120)


def test_import_then_status_then_digest(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = run(data, "import", str(FIX / "pennylane_export_utf8_bom.csv"))
    assert out.returncode == 0, out.stderr
    assert "registered 5 invoice(s)" in out.stdout and "'Montant TTC' -> amount" in out.stdout
    assert "line 5: skipped" in out.stdout
    numbers = {r.number for r in Ledger(Store.open(data)).open()}
    assert numbers == {"FA-2026-0101", "FA-2026-0102", "FA-2026-0103", "FA-2026-0105", "FA-2026-0106"}

    again = run(data, "import", str(FIX / "pennylane_export_utf8_bom.csv"))
    assert again.returncode == 2 and "already registered" in again.stderr and "nothing was registered" in again.stderr
    assert len(Ledger(Store.open(data)).all()) == 5

    status = run(data, "status")
    assert status.returncode == 0, status.stderr
    lines = [ln for ln in status.stdout.splitlines() if "FA-2026-" in ln]
    assert [ln.split()[1] for ln in lines] == ["FA-2026-0101", "FA-2026-0102", "FA-2026-0103", "FA-2026-0105", "FA-2026-0106"]
    total = sum((r.amount_due for r in Ledger(Store.open(data)).open()), Decimal(0))
    assert str(total) in status.stdout

    one = run(data, "status", "FA-2026-0102")
    assert one.returncode == 0 and "registered" in one.stdout and "import" in one.stdout

    # `mailbot digest` is not wired into the main CLI yet; the module runs on its own meanwhile.
    digest = run(data, "digest", "--out", str(tmp_path / "digest"), module="mailbot.cli_owner")
    assert digest.returncode == 0, digest.stderr
    [eml] = (tmp_path / "digest").glob("*.eml")
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    assert "FA-2026-0103" in msg.get_body(("plain",)).get_content()
    assert msg.get_body(("html",)) is not None and (tmp_path / "digest" / eml.with_suffix(".html").name).exists()


def test_bad_rows_register_nothing_and_name_the_lines(tmp_path: Path) -> None:
    data = tmp_path / "data"
    out = run(data, "import", str(FIX / "quickbooks_export_bad_rows.csv"))
    assert out.returncode == 1
    for line in ("line 3", "line 4", "line 5", "line 6"):
        assert line in out.stdout
    assert Ledger(Store.open(data)).all() == []


def test_import_refuses_while_the_daemon_runs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    lock = DataDirLock(data)
    lock.acquire()
    try:
        out = run(data, "import", str(FIX / "ebp_export_latin1.csv"))
    finally:
        lock.release()
    assert out.returncode == 2 and "already runs" in out.stderr
    assert Ledger(Store.open(data)).all() == []
