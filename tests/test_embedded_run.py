"""`mailbot run` with no mail settings: the embedded SMTP listener and local folders, for real."""

from __future__ import annotations

import email
import email.policy
import os
import signal
import smtplib
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.dovecot import free_port


def test_embedded_run_answers_a_forward(tmp_path: Path) -> None:
    port = free_port()
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
    env |= {"MAILBOT_DATA_DIR": str(data), "MAILBOT_EMBEDDED_SMTP_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "mailbot", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                smtp = smtplib.SMTP("127.0.0.1", port, timeout=2)
                break
            except OSError:
                assert time.monotonic() < deadline, "embedded SMTP listener never opened"
                time.sleep(0.1)
        msg = EmailMessage()
        msg["From"] = "owner@localhost"
        msg["To"] = "mailbot@localhost"
        msg["Subject"] = "Fwd: invoice F-1"
        msg["Message-ID"] = "<embedded-1@localhost>"
        msg.set_content("invoice: F-1\nclient: ACME <billing@acme.test>\namount: 100.00 EUR\ndue: 2030-01-31\n")
        with smtp:
            smtp.send_message(msg)
            # Mail for anyone but the bot is refused: the listener is not an open relay.
            with pytest.raises(smtplib.SMTPRecipientsRefused):
                smtp.sendmail("x@y.test", ["someone@else.test"], b"Subject: hi\r\n\r\nhi\r\n")
        sent = data / "sent-mail"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (sent.exists() and any(sent.glob("*.eml"))):
            time.sleep(0.1)
        files = sorted(sent.glob("*.eml"))
        assert files, "no answer written to sent-mail"
        answer = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
        assert "Registered" in str(answer["Subject"]) and "F-1" in str(answer["Subject"])
        assert (data / "maildir").is_dir()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)
    assert proc.returncode == 0
