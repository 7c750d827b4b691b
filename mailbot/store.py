"""The store: receivables, clients, events, processed messages, the outbox, checkpoints.

TinyDB documents kept in memory, made durable as a snapshot plus a journal:

- ``db.json`` is a snapshot of every table, written the only way that survives a crash at any
  line: to a temp file, fsynced, renamed over the old one, and the directory fsynced;
- ``db.journal`` holds one line per committed transaction after that snapshot: the documents it
  wrote or deleted. A commit appends its line and fsyncs; nothing else. Its cost is the size of
  what changed, not of the whole store (whole-file rewrites cost 0.4 s per event at 100k
  receivables; see bench/README.md).

When the journal outgrows the snapshot, the next commit writes a fresh snapshot (recording the
last transaction it contains) and empties the journal, so the amortised cost stays at most
twice the journal's. Loading reads the snapshot and replays the journal lines after it. A last
line cut short by a crash (no final newline) is a commit that never returned, and is dropped;
any other unreadable line stops mailbot with the path of a kept copy, never an empty start.

Work is grouped in `transaction()` blocks: nothing reaches the disk until the block ends, and a
block that raises leaves the committed state untouched. Every filesystem call goes through a
`Disk`, which tests replace to fail any single call (ENOSPC, EROFS) or to die there.

An `Index` groups one table's documents by a key computed from each (the ledger keeps its
receivables by client and by what they wait for), so a reader can ask for a few documents
without walking them all. It is derived data, in memory only: built from the state at every
load and rollback, and brought up to date from the documents a transaction touched, never
written anywhere, so the snapshot and the journal stay the only truth.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import secrets
import time
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Table

from .errors import StoreError

log = logging.getLogger("mailbot.store")

DB_NAME = "db.json"
JOURNAL_NAME = "db.journal"
FORMAT = "mailbot-store-1"
COMPACT_MIN_BYTES = 1 << 20  # below this the journal is never compacted: replay is instant anyway


class Disk:
    """The filesystem calls the store makes, one method each: a seam to fail any one of them."""

    def open(self, path: Path, flags: int, mode: int = 0o600) -> int:
        return os.open(path, flags, mode)

    def write(self, fd: int, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]

    def fsync(self, fd: int) -> None:
        os.fsync(fd)

    def truncate(self, fd: int, size: int) -> None:
        os.ftruncate(fd, size)

    def close(self, fd: int) -> None:
        os.close(fd)

    def replace(self, src: Path, dst: Path) -> None:
        os.replace(src, dst)

    def link(self, src: Path, dst: Path) -> None:
        os.link(src, dst)

    def unlink(self, path: Path) -> None:
        os.unlink(path)

    def fsync_dir(self, path: Path) -> None:
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


DISK = Disk()


def write_atomic(path: Path, data: bytes, disk: Disk = DISK) -> None:
    """Write `data` to `path` so that a crash leaves either the old or the new file, whole."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = disk.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        disk.write(fd, data)
        disk.fsync(fd)
    except BaseException:
        os.close(fd)
        _unlink_quietly(tmp)
        raise
    disk.close(fd)
    try:
        disk.replace(tmp, path)
    except BaseException:
        _unlink_quietly(tmp)
        raise
    disk.fsync_dir(path.parent)


def _unlink_quietly(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class _Tracked(MutableMapping):
    """A table's raw documents as TinyDB's updaters see them (int ids), noting every id touched.

    Touched is a superset of changed: an updater that reads a document may change it in place.
    Each id goes to two sets: the transaction's (what its journal line holds) and the indexes'
    (what they must look at again before their next read).
    """

    def __init__(self, raw: dict[str, Any], touched: set[str], unindexed: set[str]):
        self.raw = raw
        self.touched = touched
        self.unindexed = unindexed

    def _note(self, doc_id: str) -> None:
        self.touched.add(doc_id)
        self.unindexed.add(doc_id)

    def __getitem__(self, doc_id: int) -> Any:
        doc = self.raw[str(doc_id)]
        self._note(str(doc_id))
        return doc

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        self.raw[str(doc_id)] = doc
        self._note(str(doc_id))

    def __delitem__(self, doc_id: int) -> None:
        del self.raw[str(doc_id)]
        self._note(str(doc_id))

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self.raw

    def __iter__(self) -> Iterator[int]:
        return iter([int(k) for k in self.raw])

    def __len__(self) -> int:
        return len(self.raw)


class _JournalTable(Table):
    """A TinyDB table that changes documents in place and reports which ones it touched.

    TinyDB's own `_update_table` rebuilds the whole table dict on every write; this one does
    not, and it turns query-based updates and removals into id-based ones so that only the
    matching documents count as touched.
    """

    def _update_table(self, updater) -> None:  # type: ignore[override]
        storage: _MemoryStorage = self._storage  # type: ignore[assignment]
        raw = storage.state.setdefault(self.name, {})
        updater(_Tracked(raw, storage.touched_in(self.name), storage.unindexed_in(self.name)))
        self.clear_cache()

    def update(self, fields, cond=None, doc_ids=None):  # type: ignore[override]
        if doc_ids is None:
            doc_ids = [d.doc_id for d in (self.search(cond) if cond is not None else self.all())]
        return super().update(fields, doc_ids=doc_ids)

    def remove(self, cond=None, doc_ids=None):  # type: ignore[override]
        if doc_ids is None and cond is not None:
            doc_ids = [d.doc_id for d in self.search(cond)]
        return super().remove(cond=None if doc_ids is not None else cond, doc_ids=doc_ids)


class _DB(TinyDB):
    table_class = _JournalTable


class _MemoryStorage(Storage):
    """TinyDB storage that holds the state in memory; `Store` decides when it reaches the disk."""

    def __init__(self, state: dict[str, Any]):
        self.state = state
        self.touched: dict[str, set[str]] = {}  # ids written by the open transaction, per table
        self.unindexed: dict[str, set[str]] = {}  # ids the indexes have not looked at since they were touched

    def touched_in(self, table: str) -> set[str]:
        return self.touched.setdefault(table, set())

    def unindexed_in(self, table: str) -> set[str]:
        return self.unindexed.setdefault(table, set())

    @property
    def dirty(self) -> bool:
        return any(self.touched.values())

    def read(self) -> dict[str, Any]:
        return self.state

    def write(self, data: dict[str, Any]) -> None:
        # Only TinyDB.drop_table(s) gets here: count every table it had as touched.
        for name in set(self.state) | set(data):
            for ids in (self.touched_in(name), self.unindexed_in(name)):
                ids.update(self.state.get(name, {}).keys())
                ids.update(data.get(name, {}).keys())
        self.state = data

    def close(self) -> None:
        pass


Key = Hashable


class Index:
    """One table's documents grouped by `key(document)`; a document whose key is None is in no group.

    Get one with `Store.index(...)`: the store keeps it equal to a full scan of the table, inside
    a transaction too (a read sees the transaction's own writes, as a search does). Ids are the
    table's document ids.

    >>> # store.index("open_by_client", "receivables", lambda d: d["client_email"]).ids("a@b.fr") -> [3, 17]

    With `many=True`, `key` returns the keys of a document (an iterable, or None) and the document
    is in the group of each: the outbox keeps its emails by each file they are about.
    """

    def __init__(self, table: str, key: Callable[[Mapping[str, Any]], Key | None], catch_up: Callable[[], None],
                 *, many: bool = False):
        self.table = table
        self.key = key
        self.many = many
        self._catch_up = catch_up  # looks again at what was written since the last read
        self._key_of: dict[str, Key] = {}
        self._groups: dict[Key, set[str]] = {}

    def _rebuild(self, docs: Mapping[str, Mapping[str, Any]]) -> None:
        self._key_of = {}
        self._groups = {}
        self._look_again(docs, docs.keys())

    def _look_again(self, docs: Mapping[str, Mapping[str, Any]], ids: Iterable[str]) -> None:
        for doc_id in ids:
            old = self._key_of.pop(doc_id, None)
            for k in (() if old is None else old if self.many else (old,)):
                group = self._groups[k]
                group.discard(doc_id)
                if not group:
                    del self._groups[k]
            doc = docs.get(doc_id)
            new = self.key(doc) if doc is not None else None
            if self.many:
                new = tuple(dict.fromkeys(new)) if new is not None else ()
                for k in new:
                    self._groups.setdefault(k, set()).add(doc_id)
                if new:
                    self._key_of[doc_id] = new
            elif new is not None:
                group = self._groups.get(new)
                if group is None:
                    group = self._groups[new] = set()
                else:
                    new = self._key_of[next(iter(group))]  # one key object per group, not one per document
                self._key_of[doc_id] = new
                group.add(doc_id)

    def keys(self) -> list[Key]:
        """Every key some document has, in no particular order."""
        self._catch_up()
        return list(self._groups)

    def ids(self, *keys: Key) -> list[int]:
        """The ids of the documents whose key is one of `keys`, each once, in id order (the table's order)."""
        self._catch_up()
        return sorted({int(i) for k in keys for i in self._groups.get(k, ())})

    def key_of(self, doc_id: int) -> Key | None:
        self._catch_up()
        return self._key_of.get(str(doc_id))

    def groups(self) -> dict[Key, list[int]]:
        """Key -> ids, what a full scan of the table would group: for tests and checks."""
        self._catch_up()
        return {k: sorted(int(i) for i in ids) for k, ids in self._groups.items()}


def read_state(data_dir: Path) -> dict[str, Any]:
    """The committed state (snapshot + journal) without writing anything: for tools and tests
    that look at a data directory while the daemon runs.

    >>> # read_state(Path("var/mailbot"))["receivables"]["1"]["number"] -> 'F2026-014'
    """
    state, _seq, _good, _torn = _read(data_dir / DB_NAME, data_dir / JOURNAL_NAME)
    return state


def _read(snapshot: Path, journal: Path) -> tuple[dict[str, Any], int, int, bool]:
    """(tables, last sequence number, length of the journal's good part, whether a torn tail was seen)."""
    state: dict[str, Any] = {}
    seq = 0
    if snapshot.exists():
        raw = snapshot.read_bytes()
        try:
            doc = json.loads(raw) if raw.strip() else {}
            if not isinstance(doc, dict):
                raise ValueError("top level is not an object")
            if doc.get("format") == FORMAT:
                state, seq = doc["tables"], int(doc["seq"])
            else:  # the first format: the tables alone, no journal
                state = doc
        except (ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
            raise _Corrupt(snapshot, str(exc)) from None
    good = 0
    torn = False
    if journal.exists():
        data = journal.read_bytes()
        pos = 0
        while pos < len(data):
            end = data.find(b"\n", pos)
            if end < 0:
                torn = True  # the last commit never finished its write: it never returned either
                break
            try:
                rec = json.loads(data[pos:end])
                rseq = int(rec["seq"])
                changes = rec["t"]
            except (ValueError, UnicodeDecodeError, KeyError, TypeError) as exc:
                raise _Corrupt(journal, f"line at byte {pos}: {exc}") from None
            if rseq > seq:
                if rseq != seq + 1:
                    raise _Corrupt(journal, f"transaction {seq + 1} is missing (found {rseq})")
                for name, docs in changes.items():
                    table = state.setdefault(name, {})
                    for doc_id, body in docs.items():
                        if body is None:
                            table.pop(doc_id, None)
                        else:
                            table[doc_id] = body
                seq = rseq
            pos = end + 1
        good = pos
    # Documents in id order, as they were inserted: a snapshot's JSON sorts ids as text ("12" < "8"),
    # and a search must return the same order after a restart as before it.
    state = {name: dict(sorted(table.items(), key=lambda kv: int(kv[0]))) for name, table in state.items()}
    return state, seq, good, torn


class _Corrupt(Exception):
    def __init__(self, path: Path, why: str):
        super().__init__(why)
        self.path = path
        self.why = why


class Store:
    """Open with `Store.open(data_dir)`; change only inside `with store.transaction():`."""

    def __init__(self, data_dir: Path, *, disk: Disk = DISK, compact_min_bytes: int = COMPACT_MIN_BYTES,
                 compact_ratio: float = 1.0):
        self.data_dir = data_dir
        self.path = data_dir / DB_NAME
        self.journal_path = data_dir / JOURNAL_NAME
        self.disk = disk
        self.compact_min_bytes = compact_min_bytes
        self.compact_ratio = compact_ratio  # compact when the journal outgrows this share of the snapshot
        self._depth = 0
        self.commits = 0
        self.compactions = 0
        self._indexes: dict[str, Index] = {}
        self._load()
        if not self.table("meta").all():
            with self.transaction():
                self.table("meta").insert({"install_token": secrets.token_hex(4), "created": time.time()})

    @classmethod
    def open(cls, data_dir: Path, **kw: Any) -> "Store":
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(data_dir, 0o700)
        return cls(data_dir, **kw)

    # -- loading and committing ------------------------------------------------------------
    def _load(self) -> None:
        try:
            state, self._seq, self._journal_len, torn = _read(self.path, self.journal_path)
        except _Corrupt as exc:
            raise self._corrupt_error(exc) from None
        if torn:
            log.warning("%s: dropped a half-written last transaction (a crash during its commit; it never returned)",
                        self.journal_path)
        self._snapshot_len = self.path.stat().st_size if self.path.exists() else 0
        self._storage = _MemoryStorage(state)
        self.db = _DB(storage=lambda: self._storage)  # type: ignore[arg-type]
        for index in self._indexes.values():
            index._rebuild(state.get(index.table, {}))

    def _corrupt_error(self, exc: _Corrupt) -> StoreError:
        kept = exc.path.with_name(f"{exc.path.name}.corrupt-{int(time.time())}")
        try:
            os.link(exc.path, kept)
            kept_text = f"a copy was kept as {kept}"
        except OSError:
            kept_text = f"copy {exc.path} aside before any repair"
        backup = self.path.with_name(DB_NAME + ".bak")
        if exc.path == self.journal_path:
            hint = (f"{self.path} holds the state up to the last snapshot; to go back to it, stop mailbot and move "
                    f"{self.journal_path} away (the transactions after that snapshot are lost)")
        elif backup.exists():
            hint = (f"the previous snapshot is {backup}: stop mailbot, then `cp {backup} {self.path}` and move "
                    f"{self.journal_path} away to go back to it")
        else:
            hint = "no backup exists; restore the data directory from your own backup"
        return StoreError(f"{exc.path} is corrupt ({exc.why}); {kept_text}; {hint}")

    def table(self, name: str) -> Table:
        return self.db.table(name)

    def index(self, name: str, table: str, key: Callable[[Mapping[str, Any]], Key | None], *, many: bool = False) -> Index:
        """The index `name` over `table`, up to date; built with `key` (one scan) the first time it is asked for.

        `key` reads a stored document (JSON values: dates are ISO strings) and must depend on that
        document alone: the index looks at a document again only when it is written.
        """
        index = self._indexes.get(name)
        if index is None:
            index = self._indexes[name] = Index(table, key, lambda: self._bring_up_to_date(table), many=many)
            index._rebuild(self._storage.state.get(table, {}))
        elif index.table != table:
            raise ValueError(f"index {name!r} is over table {index.table!r}, not {table!r}: give the new one its own name")
        return index

    def _bring_up_to_date(self, table: str) -> None:
        pending = self._storage.unindexed.get(table)
        if not pending:
            return
        docs = self._storage.state.get(table, {})
        for index in self._indexes.values():
            if index.table == table:
                index._look_again(docs, pending)
        pending.clear()

    def _settle_indexes(self) -> None:
        """After a commit: every index looks at what it wrote; tables without one forget the ids."""
        indexed = {index.table for index in self._indexes.values()}
        for table in indexed:
            self._bring_up_to_date(table)
        self._storage.unindexed = {}

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
        state = self._storage.state
        changes = {
            name: {doc_id: state.get(name, {}).get(doc_id) for doc_id in sorted(ids, key=int)}
            for name, ids in sorted(self._storage.touched.items())
            if ids
        }
        line = json.dumps({"seq": self._seq + 1, "t": changes}, separators=(",", ":"), sort_keys=True).encode() + b"\n"
        try:
            if self._journal_len + len(line) > max(self.compact_min_bytes, self.compact_ratio * self._snapshot_len):
                self._write_snapshot(self._seq + 1)
            else:
                self._append(line)
        except OSError as exc:
            self._rollback()
            raise StoreError(
                f"cannot write {self.data_dir} ({exc.strerror or exc}): this change was not saved and the last "
                "saved state is intact; free disk space or make the directory writable"
            ) from None
        self._seq += 1
        self._storage.touched = {}
        self._settle_indexes()
        self.commits += 1

    def _append(self, line: bytes) -> None:
        disk = self.disk
        created = not self.journal_path.exists()
        fd = disk.open(self.journal_path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size != self._journal_len:
                # What a failed or torn append left behind is cut off before anything follows it.
                disk.truncate(fd, self._journal_len)
            os.lseek(fd, self._journal_len, os.SEEK_SET)
            try:
                disk.write(fd, line)
                disk.fsync(fd)
            except OSError:
                try:
                    disk.truncate(fd, self._journal_len)
                except OSError:
                    pass  # the next append cuts it, and a load ignores an unfinished last line
                raise
        finally:
            os.close(fd)
        if created:
            disk.fsync_dir(self.data_dir)
        self._journal_len += len(line)

    def _write_snapshot(self, seq: int) -> None:
        """Compact: the whole state as a new snapshot (the old one kept as .bak), then an empty journal."""
        data = json.dumps({"format": FORMAT, "seq": seq, "tables": self._storage.state},
                          separators=(",", ":"), sort_keys=True).encode()
        disk = self.disk
        if self.path.exists():
            link_tmp = self.path.with_name(f".{DB_NAME}.bak.tmp")
            if link_tmp.exists():
                disk.unlink(link_tmp)
            disk.link(self.path, link_tmp)
            disk.replace(link_tmp, self.path.with_name(DB_NAME + ".bak"))
        write_atomic(self.path, data, disk)
        # From here the snapshot holds everything: the journal's lines are skipped by their numbers
        # until it is emptied, so a crash between the two steps is harmless.
        self._snapshot_len = len(data)
        if self.journal_path.exists():
            fd = disk.open(self.journal_path, os.O_WRONLY, 0o600)
            try:
                disk.truncate(fd, 0)
                disk.fsync(fd)
            except OSError:
                log.warning("%s: could not empty the journal after a snapshot; its lines are skipped on load", self.journal_path)
            finally:
                os.close(fd)
        self._journal_len = 0
        self.compactions += 1

    def compact(self) -> None:
        """Write a snapshot now (at a clean shutdown or from a tool)."""
        with self.transaction():
            pass
        try:
            self._write_snapshot(self._seq)
        except OSError as exc:
            raise StoreError(f"cannot write {self.path} ({exc.strerror or exc}); free disk space or fix permissions") from None

    def _rollback(self) -> None:
        # The committed files are the truth; TinyDB's caches are rebuilt with a fresh instance.
        self._load()

    def require_transaction(self) -> None:
        if self._depth == 0:
            raise RuntimeError("store changes must happen inside store.transaction()")


def is_disk_trouble(exc: BaseException) -> bool:
    """True for the errors that mean 'the disk refuses writes' (full, read-only, quota, permissions)."""
    return isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EROFS, errno.EDQUOT, errno.EACCES, errno.EPERM, errno.EIO)


class DataDirLock:
    """One daemon per data directory: a second `mailbot run` fails at once with a clear message."""

    def __init__(self, data_dir: Path):
        self.path = data_dir / "daemon.lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.path.parent, 0o700)
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
