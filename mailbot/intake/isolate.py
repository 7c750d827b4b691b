"""Run a parser that can hang or blow up in a separate process, with a deadline.

PDF libraries loop forever or eat gigabytes on crafted files; a daemon that reads strangers'
attachments must be able to give up. This is the only seam that starts processes: one
long-lived worker (so pypdf is imported once, not per file), killed and replaced when a job
overruns its deadline.

The worker is a fresh interpreter (`python -m mailbot.intake.isolate`) talking pickles over
its stdin/stdout, rather than multiprocessing: a forked child would inherit the daemon's
threads and locks, and multiprocessing's spawn/forkserver re-import the parent's __main__
(which breaks any script without an `if __name__ == "__main__"` guard).
"""

from __future__ import annotations

import atexit
import os
import pickle
import select
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

from mailbot.errors import InputRejected

_HEADER = struct.Struct("!Q")


class WorkerCrashed(Exception):
    """The job raised, or the worker died; the message says what happened."""


def _write(stream: BinaryIO, obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes | None:
    """Read `size` bytes from fd; None when the deadline passes first."""
    chunks, got = [], 0
    while got < size:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return None
        chunk = os.read(fd, min(size - got, 1 << 20))
        if not chunk:
            raise EOFError("worker closed its output")
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


# The worker's address space, so that a crafted file cannot make the parser take the machine's
# memory: pypdf's own caps hold today, but the worker must not depend on every library's.
MEMORY_SETTING = "MAILBOT_PARSE_MEMORY_MB"
DEFAULT_MEMORY_MB = 1024


def _cap_memory(env: dict[str, str] | os._Environ[str]) -> int:
    """Limit this process's address space (RLIMIT_AS) to the setting; returns the cap in MB."""
    import resource

    from mailbot.config import env_number

    mb = int(env_number(env, MEMORY_SETTING, DEFAULT_MEMORY_MB))
    cap = mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    return mb


def _serve() -> None:
    """Worker main loop: read (func, arg), answer (ok, result or message)."""
    _cap_memory(os.environ)
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints from libraries must not corrupt the answer stream
    fd = sys.stdin.buffer.fileno()
    while True:
        try:
            header = _read_exact(fd, _HEADER.size, None)
        except EOFError:
            return
        assert header is not None
        (size,) = _HEADER.unpack(header)
        payload = _read_exact(fd, size, None)
        assert payload is not None
        try:
            func, arg = pickle.loads(payload)
            _write(out, (True, func(arg)))
        except BaseException as exc:  # noqa: BLE001 - report every failure to the parent
            _write(out, (False, f"{type(exc).__name__}: {exc}"))


class IsolatedRunner:
    """Calls `func(arg)` in a worker process; `func` must be a module-level function.

    runner.call(read_pdf, (data, 50, True), timeout=20, what="invoice.pdf") -> PdfContent
    """

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()  # one job at a time through the single pipe

    def _start(self) -> None:
        env = dict(os.environ)
        # The worker must import the same mailbot (and test modules) as this process.
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join([root, *(p for p in sys.path if p)])
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "mailbot.intake.isolate"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        proc.kill()  # the only way to stop a stuck parser is to kill its process
        proc.wait(5)
        for stream in (proc.stdin, proc.stdout):
            if stream is not None:
                stream.close()

    def close(self) -> None:
        with self._lock:
            self._stop()

    def call(self, func: Callable[[Any], Any], arg: Any, *, timeout: float, what: str) -> Any:
        with self._lock:
            if self._proc is None or self._proc.poll() is not None:
                self._stop()
                self._start()
            proc = self._proc
            assert proc is not None and proc.stdin is not None and proc.stdout is not None
            deadline = time.monotonic() + timeout
            try:
                _write(proc.stdin, (func, arg))
                header = _read_exact(proc.stdout.fileno(), _HEADER.size, deadline)
                body = None if header is None else _read_exact(proc.stdout.fileno(), _HEADER.unpack(header)[0], deadline)
            except (EOFError, OSError) as exc:
                self._stop()
                raise WorkerCrashed(f"the reader process died while reading {what}") from exc
            if body is None:
                self._stop()
                raise InputRejected(
                    f"{what} took longer than {timeout:g} s to read and was abandoned; "
                    "raise MAILBOT_PARSE_TIMEOUT_S if the file is genuine"
                )
            ok, result = pickle.loads(body)
            if not ok:
                if str(result).startswith("MemoryError"):
                    # The worker survives a MemoryError; a fresh one is cheaper than trusting it.
                    self._stop()
                    raise InputRejected(
                        f"{what} needed more memory to read than the reader may use; "
                        f"the limit is {os.environ.get(MEMORY_SETTING, DEFAULT_MEMORY_MB)} MB ({MEMORY_SETTING})"
                    )
                raise WorkerCrashed(result)
            return result


_default: IsolatedRunner | None = None
_default_lock = threading.Lock()


def default_runner() -> IsolatedRunner:
    """The process-wide worker, created on first use (never at import)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = IsolatedRunner()
            atexit.register(_default.close)
        return _default


if __name__ == "__main__":
    _serve()
