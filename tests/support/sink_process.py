"""An SMTP sink in its own process that records every accepted message to a folder.

Run as ``python -m tests.support.sink_process PORT FOLDER``. Each message is written to a temp
file, fsynced and renamed into FOLDER *before* the 250 is answered, so the record survives
anything that happens to the client, and a test in another process reads it at any time
(`read_sink`). It prints ``ready`` once it listens, and stops on SIGTERM.
"""

from __future__ import annotations

import email
import email.policy
import itertools
import os
import signal
import sys
import threading
import warnings
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class _Record:
    def __init__(self, folder: Path):
        self.folder = folder
        self.counter = itertools.count(len(list(folder.glob("*.eml"))) + 1)
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        raw = envelope.original_content or envelope.content
        with self.lock:
            n = next(self.counter)
        tmp = self.folder / f".{n:07d}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(("X-Sink-Rcpt: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode() + raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / f"{n:07d}.eml")
        return "250 OK"


def read_sink(folder: Path) -> list[email.message.EmailMessage]:
    """Every message the sink accepted, in order."""
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in sorted(folder.glob("*.eml"))]


def main() -> None:
    # aiosmtpd warns about its own deprecated login_data on every AUTH; nobody reads this output.
    warnings.simplefilter("ignore", DeprecationWarning)
    port, folder = int(sys.argv[1]), Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    # Any login is accepted, in clear text: the sink listens on loopback only.
    controller = Controller(_Record(folder), hostname="127.0.0.1", port=port,
                            authenticator=lambda *a: AuthResult(success=True), auth_require_tls=False)
    controller.start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print("ready", flush=True)
    stop.wait()
    controller.stop()


if __name__ == "__main__":
    main()
