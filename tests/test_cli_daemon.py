"""Black-box: the `mailbot` command itself, against the real Dovecot and SMTP sink."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.dovecot import PASSWORD, Dovecot
from tests.support.harness import FIELDS_BODY, OWNER, append_inbox, daemon_env, forward
from tests.support.smtp_sink import SMTP_PASSWORD, SmtpSink

pytestmark = pytest.mark.integration


def _env(dovecot: Dovecot, user: str, sink: SmtpSink, data: Path, **extra: str) -> dict[str, str]:
    return daemon_env(dovecot, user, sink, data) | extra


def _mailbot(*args: str, env: dict[str, str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailbot", *args], env=env, capture_output=True, text=True, timeout=60, **kw)


def test_help_lists_the_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "mailbot", "--help"], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0
    for cmd in ("run", "check", "demo", "extract", "classify", "replay"):
        assert cmd in out.stdout


def test_check_ok_and_wrong_password_in_one_line(dovecot: Dovecot, imap_user: str, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    ok = _mailbot("check", env=_env(dovecot, imap_user, smtp_sink, tmp_path / "d"))
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "IMAP: OK" in ok.stdout and "SMTP: OK" in ok.stdout
    assert "stage 1 'friendly'" in ok.stdout or "stage 1 'courtesy'" in ok.stdout

    bad = _mailbot("check", env=_env(dovecot, "locked@test", smtp_sink, tmp_path / "d", MAILBOT_IMAP_PASSWORD="wrong-one"))
    assert bad.returncode == 1
    [line] = [l for l in bad.stdout.splitlines() if l.startswith("IMAP:")]
    assert "login refused" in line and "wrong user or password" in line
    assert "wrong-one" not in bad.stdout + bad.stderr  # the secret never shows


def test_run_answers_a_forward_within_seconds_via_idle(dovecot: Dovecot, imap_user: str, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    env = _env(dovecot, imap_user, smtp_sink, tmp_path / "d")
    proc = subprocess.Popen([sys.executable, "-m", "mailbot", "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Let it reach IDLE, then deliver: the answer must come from IDLE, not from the 60 s tick.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not (tmp_path / "d" / "db.json").exists():
            time.sleep(0.1)
        time.sleep(1.0)
        msg = forward("Fwd: invoice", FIELDS_BODY)
        msg["Message-ID"] = "<black-box-1@firm.test>"
        append_inbox(dovecot, imap_user, msg.as_bytes())
        t0 = time.monotonic()
        while time.monotonic() - t0 < 15 and not smtp_sink.to(OWNER):
            time.sleep(0.1)
        assert smtp_sink.to(OWNER), "no confirmation within 15 s"
        assert "Registered invoice F2026-014" in smtp_sink.to(OWNER)[0].msg.get_body(("plain",)).get_content()
        second = _mailbot("run", env=env)
        assert second.returncode == 2 and "already runs" in second.stderr
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err[-2000:]
    assert PASSWORD not in err and SMTP_PASSWORD not in err
