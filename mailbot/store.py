"""The store: receivables, clients, events, processed messages, the outbox, checkpoints.

TinyDB documents in one JSON file, written the only way that survives a crash at any line:
the whole state goes to a temp file, which is fsynced, renamed over the old one, and the
directory fsynced. Work is grouped in `transaction()` blocks: nothing reaches the disk until
the block ends, and a block that raises leaves the committed file untouched. The previous
good version is kept as a hard link (``db.json.bak``) so a corrupt file at start is reported
with a way back, never silently replaced by an empty store.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from .errors import StoreError

DB_NAME = "db.json"


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a crash leaves either the old or the new file, whole."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _MemoryStorage(Storage):
    """TinyDB storage that holds the state in memory; `Store` decides when it reaches the disk."""

    def __init__(self, state: dict[str, Any]):
        self.state = state
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.state

    def write(self, data: dict[str, Any]) -> None:
        self.state = data
        self.dirty = True

    def close(self) -> None:
        pass


class Store:
    """Open with `Store.open(data_dir)`; change only inside `with store.transaction():`."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.path = data_dir / DB_NAME
        self._depth = 0
        self.commits = 0
        self._load()

    @classmethod
    def open(cls, data_dir: Path) -> "Store":
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(data_dir, 0o700)
        return cls(data_dir)

    # -- loading and committing ------------------------------------------------------------
    def _load(self) -> None:
        state: dict[str, Any] = {}
        if self.path.exists():
            raw = self.path.read_bytes()
            try:
                state = json.loads(raw) if raw.strip() else {}
                if not isinstance(state, dict):
                    raise ValueError("top level is not an object")
            except (ValueError, UnicodeDecodeError) as exc:
                kept = self.path.with_name(f"{DB_NAME}.corrupt-{int(time.time())}")
                os.link(self.path, kept)
                backup = self.path.with_name(DB_NAME + ".bak")
                hint = (
                    f"the last good version is {backup}: stop mailbot, then `cp {backup} {self.path}` to go back to it"
                    if backup.exists()
                    else "no backup exists; restore the data directory from your own backup"
                )
                raise StoreError(f"{self.path} is corrupt ({exc}); a copy was kept as {kept}; {hint}") from None
        self._storage = _MemoryStorage(state)
        self.db = TinyDB(storage=lambda: self._storage)  # type: ignore[arg-type]
        if not self.table("meta").all():
            with self.transaction():
                self.table("meta").insert({"install_token": secrets.token_hex(4), "created": time.time()})

    def table(self, name: str) -> Table:
        return self.db.table(name)

    @property
    def install_token(self) -> str:
        return self.table("meta").all()[0]["install_token"]

    @contextmanager
    def transaction(self) -> Iterator["Store"]:
        """Group changes into one atomic commit. Nested blocks join the outer one."""
        self._depth += 1
        try:
            yield self
        except BaseException:
            self._depth -= 1
            if self._depth == 0:
                self._rollback()
            raise
        self._depth -= 1
        if self._depth == 0 and self._storage.dirty:
            self._commit()

    def _commit(self) -> None:
        data = json.dumps(self._storage.state, separators=(",", ":"), sort_keys=True).encode()
        backup = self.path.with_name(DB_NAME + ".bak")
        try:
            if self.path.exists():
                link_tmp = self.path.with_name(f".{DB_NAME}.bak.tmp")
                if link_tmp.exists():
                    link_tmp.unlink()
                os.link(self.path, link_tmp)
                os.replace(link_tmp, backup)
            write_atomic(self.path, data)
        except OSError as exc:
            self._rollback()
            raise StoreError(f"cannot write {self.path}: {exc.strerror}; free disk space or fix permissions") from None
        self._storage.dirty = False
        self.commits += 1

    def _rollback(self) -> None:
        # The committed file is the truth; TinyDB's caches are rebuilt with a fresh instance.
        self._load()

    def require_transaction(self) -> None:
        if self._depth == 0:
            raise RuntimeError("store changes must happen inside store.transaction()")


class DataDirLock:
    """One daemon per data directory: a second `mailbot run` fails at once with a clear message."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "daemon.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "another process"
            os.close(fd)
            raise StoreError(
                f"another mailbot (pid {holder}) already runs on {self.path.parent}; stop it first, "
                "or give this one its own MAILBOT_DATA_DIR"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
