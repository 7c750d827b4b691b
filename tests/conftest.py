"""Fixtures with real parts: a private Dovecot (session) and an aiosmtpd sink (per test)."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.dovecot import Dovecot, find_dovecot
from tests.support.smtp_sink import SmtpSink

_users = itertools.count(1)


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Dovecot]:
    binary = find_dovecot()
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is missing in CI: `make test` installs dovecot-imapd when run as root")
        pytest.skip("Dovecot is not installed: run `sudo apt-get install dovecot-imapd` (make test does it as root)")
    # Not under pytest's tmp dir: every parent must be traversable by Dovecot's mail uid.
    root = Path(tempfile.mkdtemp(prefix="mailbot-dovecot-"))
    os.chmod(root, 0o755)
    server = Dovecot(root, binary)
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def imap_user(dovecot: Dovecot) -> str:
    """A fresh mailbox on the shared Dovecot: the static passdb accepts any new name."""
    return f"user{next(_users)}-{os.getpid()}@test"


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def harness(dovecot: Dovecot, imap_user: str, smtp_sink: SmtpSink, tmp_path: Path):
    from tests.support.harness import Harness

    h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "data")
    yield h
    h.close()
