"""Incoming mail on real servers: a crash between commit and MOVE, a new UIDVALIDITY, a disk that
refuses writes, a handler that raises (quarantine, then `mailbot replay`)."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

import mailbot.handlers.forward as forward_handler
from mailbot import app
from mailbot.daemon import CHECKPOINT, message_key
from mailbot.store import DB_NAME, JOURNAL_NAME, Disk, Store
from tests.support.harness import CLIENT, FIELDS_BODY, OWNER, Harness, append_inbox, forward

pytestmark = pytest.mark.integration


class _Crash(BaseException):
    """The process dies here (kill -9): no except clause runs."""


def _notes(h: Harness) -> list:
    return [m.msg for m in h.sink.to(OWNER)]


def test_a_crash_between_commit_and_move_handles_nothing_twice(harness: Harness) -> None:
    h = harness
    real = h.daemon.mailbox.file_away

    def crash_once(item, folder):
        h.daemon.mailbox.file_away = real
        raise _Crash()

    h.daemon.mailbox.file_away = crash_once
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    with pytest.raises(_Crash):
        h.step()
    assert len(h.folder("INBOX")) == 1  # committed, but still in INBOX
    h.restart()
    h.step()
    h.step()
    assert len(h.ledger.all()) == 1
    assert len(_notes(h)) == 1, "the confirmation is planned once, in the commit that registered the invoice"
    assert h.folder("INBOX") == [] and len(h.folder("mailbot/processed")) == 1


def _new_mailbox_user(h: Harness, suffix: str) -> str:
    """A second account on the server, created after the first one's UIDVALIDITY second has passed."""
    first = h.daemon.mailbox.uidvalidity
    while int(time.time()) <= first:
        time.sleep(0.05)
    return f"moved-{suffix}-{h.user}"


def test_a_new_uidvalidity_resyncs_by_message_id_without_duplicates(harness: Harness, caplog) -> None:
    h = harness
    sent = [forward(f"Fwd: invoice {n}", FIELDS_BODY.replace("F2026-014", f"F2026-0{n}")) for n in (21, 22, 23)]
    raws = []
    for m in sent:
        h.deliver(m)
    h.step()
    assert len(h.ledger.all()) == 3 and len(_notes(h)) == 3
    old = h.store.table(CHECKPOINT).get(doc_id=1)
    assert old["uidvalidity"] == h.daemon.mailbox.uidvalidity and old["last_uid"] == 3
    raws = [bytes(m) for m in h.folder("mailbot/processed")]
    # The mailbox moves to another server (another account here): a new message and everything
    # already handled come back in a new INBOX, with UIDs starting again at 1 (the new message
    # takes UID 1, which named an old message before: UIDs cannot be the identity).
    user2 = _new_mailbox_user(h, "uv")
    append_inbox(h.dovecot, user2, bytes(forward("Fwd: invoice 24", FIELDS_BODY.replace("F2026-014", "F2026-024"))))
    for raw in raws:
        append_inbox(h.dovecot, user2, raw)
    h.close()
    moved = Harness(dovecot=h.dovecot, user=user2, sink=h.sink, data_dir=h.data_dir, start=h.clock.now())
    try:
        assert moved.daemon.mailbox.uidvalidity != old["uidvalidity"]
        with caplog.at_level(logging.WARNING, logger="mailbot.daemon"):
            moved.step()
        assert "UIDVALIDITY changed" in caplog.text
        numbers = sorted(r.number for r in moved.ledger.all())
        assert numbers == ["F2026-021", "F2026-022", "F2026-023", "F2026-024"]
        assert len(_notes(moved)) == 4, "only the new message is answered"
        assert moved.folder("INBOX") == [] and len(moved.folder("mailbot/processed")) == 4
        mark = moved.store.table(CHECKPOINT).get(doc_id=1)
        # UID 1 is the only message committed under the new UIDVALIDITY (the others were only filed).
        assert mark["uidvalidity"] == moved.daemon.mailbox.uidvalidity and mark["last_uid"] == 1
    finally:
        moved.close()


class _RefusingDisk(Disk):
    """Every write fails the way a full or read-only disk does."""

    def __init__(self, err: int):
        self.err = err

    def open(self, path, flags, mode=0o600):
        if flags & (os.O_WRONLY | os.O_RDWR):
            raise OSError(self.err, os.strerror(self.err), str(path))
        return super().open(path, flags, mode)


def _chattr(flag: str, *paths: Path) -> bool:
    exe = shutil.which("chattr")
    if exe is None:
        return False
    return subprocess.run([exe, flag, *map(str, paths)], capture_output=True).returncode == 0


@pytest.mark.parametrize("how", ["disk-full", "read-only"])
def test_a_disk_that_refuses_writes_loses_nothing_and_the_owner_is_told_once(harness: Harness, caplog, how: str) -> None:
    h = harness
    h.deliver(forward("Fwd: first", FIELDS_BODY))
    h.step()
    files = [h.data_dir / DB_NAME, h.data_dir / JOURNAL_NAME]
    files = [p for p in files if p.exists()]
    before = {p: p.read_bytes() for p in files}
    locked: list[Path] = []
    if how == "disk-full":
        h.store.disk = _RefusingDisk(errno.ENOSPC)
    else:
        # The real thing: an immutable directory refuses writes even to root.
        locked = [h.data_dir, *files]
        if not _chattr("+i", *locked):
            pytest.skip("chattr +i is not available here (needs root on ext4/xfs)")
    try:
        h.deliver(forward("Fwd: second", FIELDS_BODY.replace("F2026-014", "F2026-015")))
        with caplog.at_level(logging.ERROR, logger="mailbot.daemon"):
            report = h.step()
            h.step()
        assert report.store_error
        reason = "No space left on device" if how == "disk-full" else "Operation not permitted"
        assert reason in caplog.text and "stay in INBOX" in caplog.text
        assert [str(m["Subject"]) for m in h.folder("INBOX")] == ["Fwd: second"]
        told = [m for m in _notes(h) if "cannot save its work" in str(m["Subject"])]
        assert len(told) == 1, "told once, not at every retry"
        assert reason in told[0].get_body(("plain",)).get_content()
        assert {p: p.read_bytes() for p in files} == before, "nothing half-written"
    finally:
        if locked:
            _chattr("-i", *locked)
    h.store.disk = Disk()
    h.step()
    assert sorted(r.number for r in h.ledger.all()) == ["F2026-014", "F2026-015"]
    assert h.folder("INBOX") == []
    assert sorted(r.number for r in __import__("mailbot.ledger", fromlist=["Ledger"]).Ledger(Store(h.data_dir)).all()) == [
        "F2026-014", "F2026-015"]
    confirmations = [m for m in _notes(h) if "Registered" in str(m["Subject"]) or "F2026-015" in str(m["Subject"])]
    assert len([m for m in confirmations if "F2026-015" in m.get_body(("plain",)).get_content()]) == 1


def test_a_handler_that_raises_quarantines_and_replay_runs_it_exactly_once(harness: Harness, monkeypatch) -> None:
    h = harness
    real = forward_handler.handle

    def broken(desk, msg):
        raise RuntimeError("intake bug #42")

    monkeypatch.setattr(forward_handler, "handle", broken)
    msg = forward("Fwd: invoice", FIELDS_BODY)
    h.deliver(msg)
    h.step()
    key = message_key(bytes(h.folder("mailbot/quarantine")[0]))
    [record] = [m for m in h.store.table("messages").all() if m["key"] == key]
    assert record["disposition"] == "quarantine" and record["error"] == "RuntimeError: intake bug #42"
    assert list((h.data_dir / "quarantine").glob("*.eml"))
    assert any("intake bug #42" in m.get_body(("plain",)).get_content() for m in _notes(h))
    assert h.ledger.all() == []

    monkeypatch.setattr(forward_handler, "handle", real)  # the fix is deployed
    for k, v in h.env.items():
        monkeypatch.setenv(k, v)
    assert app.replay(verbose=False, configure_logging=lambda *a: None) == 0
    h.step()
    h.step()
    assert [r.number for r in h.ledger.all()] == ["F2026-014"]
    records = [m for m in h.store.table("messages").all() if m["key"] == key]
    assert len(records) == 1 and records[0]["error"] is None and records[0]["disposition"] == "processed"
    assert len([m for m in _notes(h) if "Registered invoice F2026-014" in m.get_body(("plain",)).get_content()]) == 1
    assert not list((h.data_dir / "replay").iterdir()), "the ticket is used once"
    assert h.folder("INBOX") == []
    # A second replay finds nothing to do, and the message stays handled once.
    assert app.replay(verbose=False, configure_logging=lambda *a: None) == 0
    h.step()
    assert len(h.ledger.all()) == 1


def test_a_client_reply_that_breaks_a_handler_does_not_block_the_rest(harness: Harness, monkeypatch) -> None:
    import mailbot.handlers.client as client_handler

    h = harness
    h.deliver(forward("Fwd: invoice", FIELDS_BODY))
    h.step()
    monkeypatch.setattr(client_handler, "handle", lambda desk, msg: 1 / 0)
    reply = forward("Re: invoice", "we paid yesterday", sender=CLIENT)
    h.deliver(reply)
    h.deliver(forward("Fwd: invoice 2", FIELDS_BODY.replace("F2026-014", "F2026-099")))
    h.step()
    assert sorted(r.number for r in h.ledger.all()) == ["F2026-014", "F2026-099"]
    assert [str(m["Subject"]) for m in h.folder("mailbot/quarantine")] == ["Re: invoice"]
