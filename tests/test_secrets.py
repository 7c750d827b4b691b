"""Secrets never show: not in output, logs, error messages or the data directory; files are private;
TLS is verified unless the host is loopback."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mailbot.config import load_settings
from mailbot.errors import ConfigError
from tests.support.dovecot import PASSWORD, Dovecot
from tests.support.harness import FIELDS_BODY, append_inbox, daemon_env, forward
from tests.support.smtp_sink import SmtpSink

WRONG_IMAP = "Wr0ng-imap-secret-4471"
WRONG_SMTP = "Wr0ng-smtp-secret-9923"


def _env(dovecot: Dovecot, user: str, sink: SmtpSink, data: Path, **extra: str) -> dict[str, str]:
    return daemon_env(dovecot, user, sink, data, MAILBOT_SMTP_PASSWORD=WRONG_SMTP) | extra


def _mailbot(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mailbot", "-v", *args], env=env, capture_output=True, text=True, timeout=60)


def _grep_tree(root: Path, secret: str) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]


@pytest.mark.integration
def test_check_with_wrong_passwords_never_prints_them(dovecot: Dovecot, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    secret_file = tmp_path / "imap-password"
    secret_file.write_text(WRONG_IMAP + "\n")
    env = _env(dovecot, "locked@test", smtp_sink, tmp_path / "d")
    del env["MAILBOT_IMAP_PASSWORD"]
    env["MAILBOT_IMAP_PASSWORD_FILE"] = str(secret_file)
    out = _mailbot("check", env=env)
    assert out.returncode == 1
    text = out.stdout + out.stderr
    assert "IMAP: FAILED" in text and "MAILBOT_IMAP_PASSWORD_FILE" in text  # says where the secret came from...
    assert "SMTP: FAILED" in text and "login refused" in text
    assert WRONG_IMAP not in text and WRONG_SMTP not in text  # ...never what it is
    assert _grep_tree(tmp_path / "d", WRONG_SMTP) == [] if (tmp_path / "d").exists() else True


@pytest.mark.integration
def test_run_with_a_wrong_imap_password_stops_with_a_clear_message(dovecot: Dovecot, smtp_sink: SmtpSink, tmp_path: Path) -> None:
    out = _mailbot("run", env=_env(dovecot, "locked@test", smtp_sink, tmp_path / "d", MAILBOT_IMAP_PASSWORD=WRONG_IMAP))
    assert out.returncode == 2
    assert "IMAP login refused for locked@test" in out.stderr and "MAILBOT_IMAP_PASSWORD" in out.stderr
    assert WRONG_IMAP not in out.stdout + out.stderr


@pytest.mark.integration
def test_run_with_a_refused_smtp_login_logs_no_secret_and_keeps_files_private(
    dovecot: Dovecot, imap_user: str, smtp_sink: SmtpSink, tmp_path: Path
) -> None:
    data = tmp_path / "d"
    env = _env(dovecot, imap_user, smtp_sink, data)
    proc = subprocess.Popen([sys.executable, "-m", "mailbot", "-v", "run"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        msg = forward("Fwd: invoice", FIELDS_BODY)
        msg["Message-ID"] = "<secret-test-1@firm.test>"
        append_inbox(dovecot, imap_user, msg.as_bytes())
        deadline = time.monotonic() + 30
        # The confirmation to the owner is planned, then refused by SMTP (535): wait for that record.
        while time.monotonic() < deadline and not (data.exists() and _grep_tree(data, "login refused")):
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert _grep_tree(data, "login refused"), err[-2000:]  # the store recorded the failure
    assert "login refused" in err  # the log says what went wrong...
    assert WRONG_SMTP not in out + err and PASSWORD not in out + err  # ...and no secret, even with -v
    assert _grep_tree(data, WRONG_SMTP) == [] and _grep_tree(data, PASSWORD) == []
    assert smtp_sink.messages == []
    # The data directory and everything mailbot keeps in it are private to the user.
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.rglob("*"):
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode & 0o077 == 0, f"{path} is {oct(mode)}"


def test_a_new_data_dir_and_store_are_private(tmp_path: Path) -> None:
    from mailbot.store import Store

    old = os.umask(0o022)  # a permissive umask must not leak into mailbot's files
    try:
        store = Store.open(tmp_path / "new" / "data")
        with store.transaction():
            store.table("x").insert({"a": 1})
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new" / "data").stat().st_mode) == 0o700
    for path in (tmp_path / "new" / "data").iterdir():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path.name} is {oct(stat.S_IMODE(path.stat().st_mode))}"


# -- TLS: verified by default, opt-out only for loopback ----------------------------------------
BASE = {"MAILBOT_IMAP_USER": "u", "MAILBOT_IMAP_PASSWORD": "p", "MAILBOT_SMTP_USER": "u", "MAILBOT_SMTP_PASSWORD": "p",
        "MAILBOT_ADDRESS": "bot@firm.test", "MAILBOT_OWNERS": "owner@firm.test"}


def test_tls_is_verified_by_default() -> None:
    s = load_settings(BASE | {"MAILBOT_IMAP_HOST": "imap.firm.test", "MAILBOT_SMTP_HOST": "smtp.firm.test"})
    assert s.imap.verify_tls and s.smtp.verify_tls
    assert (s.imap.tls, s.smtp.tls) == ("implicit", "starttls")


@pytest.mark.parametrize("kind", ["IMAP", "SMTP"])
@pytest.mark.parametrize("setting, value", [("TLS_VERIFY", "0"), ("TLS_VERIFY", "false"), ("TLS", "none")])
def test_tls_opt_out_is_refused_for_a_remote_host(kind: str, setting: str, value: str) -> None:
    env = BASE | {"MAILBOT_IMAP_HOST": "imap.firm.test", "MAILBOT_SMTP_HOST": "smtp.firm.test", f"MAILBOT_{kind}_{setting}": value}
    with pytest.raises(ConfigError, match=f"MAILBOT_{kind}_{setting}.*loopback"):
        load_settings(env)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_tls_opt_out_is_allowed_for_loopback(host: str) -> None:
    s = load_settings(BASE | {"MAILBOT_IMAP_HOST": host, "MAILBOT_SMTP_HOST": host, "MAILBOT_IMAP_TLS_VERIFY": "0",
                              "MAILBOT_SMTP_TLS_VERIFY": "0"})
    assert not s.imap.verify_tls and not s.smtp.verify_tls


def test_the_secret_is_not_in_the_settings_repr() -> None:
    s = load_settings(BASE | {"MAILBOT_IMAP_HOST": "imap.firm.test", "MAILBOT_SMTP_HOST": "smtp.firm.test",
                              "MAILBOT_IMAP_PASSWORD": "Hunter2-imap", "MAILBOT_SMTP_PASSWORD": "Hunter2-smtp"})
    shown = repr(s) + str(s) + s.imap.describe() + s.smtp.describe()
    assert "Hunter2" not in shown
