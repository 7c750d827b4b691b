"""Dovecot stopped and restarted under a running `mailbot run` (in IDLE, and mid-fetch): it
reconnects with capped exponential backoff and catches up, handling each message once."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import imapclient
import pytest

from mailbot.daemon import MAX_BACKOFF_SECONDS, Daemon
from mailbot.errors import MailboxError
from mailbot.store import read_state
from tests.support.dovecot import PASSWORD, Dovecot, find_dovecot
from tests.support.harness import BOT, FIELDS_BODY, OWNER, append_inbox, forward
from tests.support.smtp_sink import SMTP_PASSWORD, SMTP_USER, SmtpSink


class _DownMailbox:
    """An IMAP server that is never there."""

    def __init__(self) -> None:
        self.connects = 0

    def connect(self) -> None:
        self.connects += 1
        raise MailboxError("cannot reach IMAP 127.0.0.1:143: Connection refused")

    def close(self) -> None:
        pass


def test_reconnect_backoff_doubles_and_is_capped(tmp_path: Path) -> None:
    from mailbot.config import load_settings
    from mailbot.rules import load_rules
    from mailbot.store import Store

    settings = load_settings({"MAILBOT_DATA_DIR": str(tmp_path)})
    mailbox = _DownMailbox()
    daemon = Daemon(settings, load_rules(None), Store.open(tmp_path), mailbox, None, None)  # type: ignore[arg-type]
    pauses: list[float] = []
    daemon.sleep = pauses.append
    daemon.run_forever(stop=lambda: len(pauses) >= 12)
    assert pauses == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
    assert max(pauses) == MAX_BACKOFF_SECONDS and mailbox.connects == 12


@pytest.fixture
def own_dovecot():
    """A private Dovecot this test may stop and start (the shared one serves other tests)."""
    binary = find_dovecot()
    if binary is None:
        pytest.skip("Dovecot is not installed")
    root = Path(tempfile.mkdtemp(prefix="mailbot-dovecot-restart-"))
    os.chmod(root, 0o755)
    server = Dovecot(root, binary)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _confirmations(sink: SmtpSink) -> Counter:
    return Counter(str(m.msg["Message-ID"]) for m in sink.to(OWNER))


def _wait(pred, timeout: float, what: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s; daemon log:\n{log.read_text()[-3000:]}")


@pytest.mark.integration
def test_dovecot_restart_in_idle_and_mid_fetch(own_dovecot: Dovecot, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    dovecot, user = own_dovecot, f"restart-{os.getpid()}@test"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")} | {
        "MAILBOT_IMAP_HOST": "127.0.0.1", "MAILBOT_IMAP_PORT": str(dovecot.port), "MAILBOT_IMAP_USER": user,
        "MAILBOT_IMAP_PASSWORD": PASSWORD, "MAILBOT_IMAP_TLS": "none",
        "MAILBOT_SMTP_HOST": "127.0.0.1", "MAILBOT_SMTP_PORT": str(smtp_sink.port), "MAILBOT_SMTP_USER": SMTP_USER,
        "MAILBOT_SMTP_PASSWORD": SMTP_PASSWORD, "MAILBOT_SMTP_TLS": "none",
        "MAILBOT_ADDRESS": BOT, "MAILBOT_OWNERS": OWNER, "MAILBOT_DATA_DIR": str(tmp_path / "data"),
        "MAILBOT_TRUST_UNAUTHENTICATED_OWNERS": "1",
        # A Wednesday: outside the default digest slot (Tue 08:30), which would add a note to count.
        "MAILBOT_CLOCK_START": "2026-12-02T09:00:00+01:00",
    }
    log = tmp_path / "daemon.log"
    with open(log, "wb") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "mailbot", "run"], env=env, stdout=fh, stderr=fh)
    try:
        def invoice(n: int) -> bytes:
            m = forward(f"Fwd: invoice {n}", FIELDS_BODY.replace("F2026-014", f"F2026-{n:03d}"))
            m["Message-ID"] = f"<restart-{n}@owner.test>"
            return m.as_bytes()

        _wait(lambda: (tmp_path / "data" / "db.journal").exists(), 20, "mailbot did not start", proc, log)
        append_inbox(dovecot, user, invoice(1))
        _wait(lambda: len(_confirmations(smtp_sink)) == 1, 20, "no confirmation for the first invoice", proc, log)

        # 1. In IDLE: the server goes away and comes back on the same port.
        dovecot.crash()
        time.sleep(1.0)
        dovecot.start()
        append_inbox(dovecot, user, invoice(2))
        _wait(lambda: len(_confirmations(smtp_sink)) == 2, 40, "no catch-up after a restart in IDLE", proc, log)
        assert "mailbox unavailable" in log.read_text()

        # 2. Mid-fetch: a batch arrives and the server stops while the daemon works through it.
        staging = imapclient.IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
        staging.login(user, PASSWORD)
        staging.create_folder("staging")
        for n in range(3, 63):
            staging.append("staging", invoice(n))
        staging.select_folder("staging")
        staging.move(staging.search("ALL"), "INBOX")  # all 60 arrive at once
        staging.logout()
        # Messages are confirmed after the whole batch; the store shows the first ones handled.
        _wait(lambda: len(read_state(tmp_path / "data").get("messages", {})) >= 4, 20, "the batch was not started", proc, log)
        dovecot.crash()
        time.sleep(0.5)
        dovecot.start()
        _wait(lambda: len(_confirmations(smtp_sink)) >= 62, 90, "no catch-up after a restart mid-batch", proc, log)
        time.sleep(1.0)  # anything sent twice would show up now
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)
    confirmations = _confirmations(smtp_sink)
    assert len(confirmations) == 62 and set(confirmations.values()) == {1}, "each invoice confirmed exactly once"
    numbers = sorted(r["number"] for r in read_state(tmp_path / "data")["receivables"].values())
    assert numbers == [f"F2026-{n:03d}" for n in range(1, 63)]
    assert proc.returncode == 0
