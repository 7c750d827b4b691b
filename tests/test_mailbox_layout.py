"""Folder names follow the server's own hierarchy delimiter: '.' (Maildir++) and '/' (LAYOUT=fs)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from mailbot.config import load_settings
from mailbot.mailbox import PROCESSED, QUARANTINE, Incoming, ImapMailbox
from tests.support.dovecot import PASSWORD, Dovecot, find_dovecot
from tests.support.harness import append_inbox

pytestmark = pytest.mark.integration


class _FsLayoutDovecot(Dovecot):
    """The same private Dovecot, with '/' as the hierarchy delimiter (like Gmail)."""

    def _write_config(self) -> None:
        super()._write_config()
        text = self.conf.read_text().replace("mail_location = maildir:~/Maildir", "mail_location = maildir:~/Maildir:LAYOUT=fs")
        self.conf.write_text(text)


@pytest.fixture(scope="module")
def fs_dovecot() -> Iterator[Dovecot]:
    binary = find_dovecot()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is missing in CI")
        pytest.skip("Dovecot is not installed")
    root = Path(tempfile.mkdtemp(prefix="mailbot-dovecot-fs-"))
    os.chmod(root, 0o755)
    server = _FsLayoutDovecot(root, binary)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


def _mailbox(server: Dovecot, user: str) -> ImapMailbox:
    settings = load_settings({
        "MAILBOT_IMAP_HOST": "127.0.0.1", "MAILBOT_IMAP_PORT": str(server.port), "MAILBOT_IMAP_USER": user,
        "MAILBOT_IMAP_PASSWORD": PASSWORD, "MAILBOT_IMAP_TLS": "none", "MAILBOT_SMTP_HOST": "127.0.0.1",
        "MAILBOT_SMTP_PORT": "25", "MAILBOT_SMTP_USER": "x", "MAILBOT_SMTP_PASSWORD": "x", "MAILBOT_SMTP_TLS": "none",
        "MAILBOT_ADDRESS": "bot@firm.test", "MAILBOT_OWNERS": "owner@firm.test",
    })
    assert settings.imap is not None
    return ImapMailbox(settings.imap)


@pytest.mark.parametrize("layout", ["dots", "fs"])
def test_folders_use_the_servers_delimiter(layout: str, dovecot: Dovecot, fs_dovecot: Dovecot) -> None:
    server = dovecot if layout == "dots" else fs_dovecot
    user = f"layout-{layout}-{os.getpid()}@test"
    append_inbox(server, user, b"From: a@b.test\r\nSubject: one\r\nMessage-ID: <one@b.test>\r\n\r\nhello\r\n")
    box = _mailbox(server, user)
    box.connect()
    try:
        expected = "." if layout == "dots" else "/"
        assert box.delimiter == expected
        assert box.folders[PROCESSED] == f"mailbot{expected}processed"
        assert box.folders[QUARANTINE] == f"mailbot{expected}quarantine"
        [item] = box.pending(10_000_000)
        assert isinstance(item, Incoming) and b"hello" in (item.raw or b"")
        box.file_away(item, PROCESSED)
        assert box.pending(10_000_000) == []
        box.client.select_folder(box.folders[PROCESSED], readonly=True)
        assert len(box.client.search("ALL")) == 1
        box.client.select_folder("INBOX")
    finally:
        box.close()
