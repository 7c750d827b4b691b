"""Run a parser that can hang or blow up in a separate process, with a deadline.

PDF libraries loop forever or eat gigabytes on crafted files; a daemon that reads strangers'
attachments must be able to give up. This is the only seam that starts processes: one
long-lived worker (so pypdf is imported once, not per file), killed and replaced when a job
overruns its deadline. The worker is started with "forkserver" so it never inherits the
daemon's threads or sockets.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import threading
from collections.abc import Callable
from typing import Any

from mailbot.errors import InputRejected


def _serve(conn: multiprocessing.connection.Connection) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        func, arg = job
        try:
            conn.send((True, func(arg)))
        except BaseException as exc:  # noqa: BLE001 - report every failure to the parent
            conn.send((False, f"{type(exc).__name__}: {exc}"))


class WorkerCrashed(Exception):
    """The job raised, or the worker died; the message says what happened."""


class IsolatedRunner:
    """Calls `func(arg)` in a worker process; `func` must be a module-level function.

    runner.call(read_pdf, (data, 50), timeout=20, what="invoice.pdf") -> PdfContent
    """

    def __init__(self, start_method: str = "forkserver"):
        self._ctx = multiprocessing.get_context(start_method)
        self._proc: multiprocessing.process.BaseProcess | None = None
        self._conn: multiprocessing.connection.Connection | None = None
        self._lock = threading.Lock()  # one job at a time through the single pipe

    def _start(self) -> None:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve, args=(child,), daemon=True, name="mailbot-intake-worker")
        proc.start()
        child.close()
        self._proc, self._conn = proc, parent

    def _stop(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            self._proc.join(5)
            self._proc.close()
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None

    def close(self) -> None:
        with self._lock:
            self._stop()

    def call(self, func: Callable[[Any], Any], arg: Any, *, timeout: float, what: str) -> Any:
        with self._lock:
            if self._proc is None or not self._proc.is_alive():
                self._stop()
                self._start()
            assert self._conn is not None
            self._conn.send((func, arg))
            if not self._conn.poll(timeout):
                self._stop()  # the only way to stop a stuck parser is to kill its process
                raise InputRejected(
                    f"{what} took longer than {timeout:g} s to read and was abandoned; "
                    "raise MAILBOT_PARSE_TIMEOUT_S if the file is genuine"
                )
            try:
                ok, result = self._conn.recv()
            except (EOFError, OSError) as exc:
                self._stop()
                raise WorkerCrashed(f"the reader process died while reading {what}") from exc
            if not ok:
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
        return _default
