"""The mailbox edge: fetch what is in INBOX, wait for more (IDLE), file it away, keep a Sent copy.

Two implementations of one small interface:
- `ImapMailbox`, the real one (imapclient): TLS, login or XOAUTH2, IDLE, MOVE or COPY+EXPUNGE,
  folder names joined with the server's own hierarchy delimiter.
- `MaildirMailbox`, the embedded default: a local Maildir fed by the embedded SMTP listener.

Everything still in INBOX is pending: a message leaves INBOX only after the store has
committed what it meant (the daemon calls `file_away` after the commit), so a crash before
that leaves it where it will be found again, and the store's record of its identity makes
the second pass a no-op.
"""

from __future__ import annotations

import email
import email.policy
import logging
import mailbox as stdlib_mailbox
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from .config import Endpoint
from .errors import ConfigError, MailboxError

log = logging.getLogger("mailbot.mailbox")

PROCESSED = "processed"
QUARANTINE = "quarantine"
# IDLE must be re-issued before 29 minutes (RFC 2177); mailbot re-issues it at every tick anyway.
IDLE_MAX_SECONDS = 25 * 60


@dataclass
class Incoming:
    """One message waiting in INBOX. `raw` is None when it was too large to fetch whole."""

    uid: int | str
    raw: bytes | None
    size: int
    headers: bytes = b""


class Mailbox(Protocol):
    def connect(self) -> None: ...
    def pending(self, max_bytes: int) -> list[Incoming]: ...
    def file_away(self, item: Incoming, folder: str) -> None: ...
    def wait(self, timeout: float) -> bool: ...
    def append_sent(self, raw: bytes) -> None: ...
    def sent_has(self, message_id: str) -> bool: ...
    def close(self) -> None: ...


def message_id_of(raw: bytes) -> str | None:
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    mid = msg.get("Message-ID")
    return str(mid).strip() if mid else None


class ImapMailbox:
    """INBOX on a real IMAP server."""

    def __init__(self, endpoint: Endpoint, *, cafile: str | None = None, timeout: float = 60.0):
        self.endpoint = endpoint
        self.cafile = cafile
        self.timeout = timeout
        self.client = None  # imapclient.IMAPClient once connected
        self.delimiter = "/"
        self.folders: dict[str, str] = {}
        self.sent_folder = "Sent"
        self.uidvalidity: int | None = None
        self._known: set[int] = set()  # UIDs seen by the last `pending`, so `wait` can tell what is new

    # -- connection --------------------------------------------------------------------------
    def _ssl_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(cafile=self.cafile)
        if not self.endpoint.verify_tls:
            # Allowed only for loopback hosts (config enforces it), for self-signed test servers.
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        return ctx

    def _create_client(self):  # a seam for tests, like imapclient's own _create_IMAP4
        import imapclient

        ep = self.endpoint
        return imapclient.IMAPClient(
            ep.host, port=ep.port, ssl=ep.tls == "implicit", ssl_context=self._ssl_context(), timeout=self.timeout
        )

    def connect(self) -> None:
        from imapclient.exceptions import IMAPClientError, LoginError

        ep = self.endpoint
        try:
            client = self._create_client()
            if ep.tls == "starttls":
                client.starttls(self._ssl_context())
            if ep.auth == "xoauth2":
                client.oauth2_login(ep.user, ep.secret())
            else:
                client.login(ep.user, ep.secret())
        except LoginError:
            raise ConfigError(
                f"IMAP login refused for {ep.user} on {ep.host}:{ep.port}: wrong user or password "
                f"(from {ep.password_source}); for Gmail/Outlook use an app password or XOAUTH2"
            ) from None
        except ssl.SSLError as exc:
            raise MailboxError(
                f"IMAP TLS failed with {ep.host}:{ep.port} ({exc.reason}); check MAILBOT_IMAP_TLS and the server certificate"
            ) from None
        except (OSError, socket.timeout, IMAPClientError) as exc:
            raise MailboxError(f"cannot reach IMAP {ep.host}:{ep.port}: {exc}") from None
        self.client = client
        try:
            self._prepare_folders()
            info = client.select_folder("INBOX")
        except Exception:
            self.close()
            raise
        uidvalidity = int(info.get(b"UIDVALIDITY", 0))
        if self.uidvalidity is not None and uidvalidity != self.uidvalidity:
            # UIDs mean nothing any more; identity by Message-ID keeps reprocessing harmless.
            log.warning("INBOX UIDVALIDITY changed %s -> %s: full resync by Message-ID", self.uidvalidity, uidvalidity)
        self.uidvalidity = uidvalidity
        self._has_move = b"MOVE" in client.capabilities()
        self._has_uidplus = b"UIDPLUS" in client.capabilities()

    def _prepare_folders(self) -> None:
        import imapclient
        from imapclient.imapclient import SENT

        client = self.client
        listing = client.list_folders("", "INBOX") or client.list_folders()
        delim = listing[0][1] if listing else b"/"
        self.delimiter = (delim.decode() if isinstance(delim, bytes) else delim) or "/"
        for name in (PROCESSED, QUARANTINE):
            full = f"mailbot{self.delimiter}{name}"
            if not client.folder_exists(full):
                try:
                    client.create_folder(full)
                except imapclient.exceptions.IMAPClientError:
                    if not client.folder_exists(full):
                        raise
            self.folders[name] = full
        sent = client.find_special_folder(SENT)
        if not sent:
            sent = "Sent"
            if not client.folder_exists(sent):
                client.create_folder(sent)
        self.sent_folder = sent

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except Exception:  # the connection may already be gone; nothing to save
                pass
            self.client = None

    def _c(self):
        if self.client is None:
            raise MailboxError("IMAP is not connected")
        return self.client

    def _guard(self, what: str):
        from imapclient.exceptions import IMAPClientError

        return _Translate(what, (OSError, socket.timeout, IMAPClientError, ssl.SSLError))

    # -- the interface -----------------------------------------------------------------------
    def pending(self, max_bytes: int) -> list[Incoming]:
        with self._guard("fetch"):
            c = self._c()
            c.noop()  # a selected mailbox learns of new mail only on the next command
            uids = c.search("ALL")
            self._known = set(uids)
            if not uids:
                return []
            sizes = c.fetch(uids, ["RFC822.SIZE"])
            small = [u for u in uids if sizes.get(u, {}).get(b"RFC822.SIZE", 0) <= max_bytes]
            large = [u for u in uids if u not in small]
            out: list[Incoming] = []
            for chunk in _chunks(small, 50):
                for uid, data in c.fetch(chunk, ["BODY.PEEK[]", "RFC822.SIZE"]).items():
                    out.append(Incoming(uid, data[b"BODY[]"], data[b"RFC822.SIZE"]))
            if large:
                for uid, data in c.fetch(large, ["BODY.PEEK[HEADER]", "RFC822.SIZE"]).items():
                    out.append(Incoming(uid, None, data[b"RFC822.SIZE"], data[b"BODY[HEADER]"]))
            out.sort(key=lambda i: int(i.uid))
            return out

    def file_away(self, item: Incoming, folder: str) -> None:
        target = self.folders[folder]
        with self._guard("move"):
            c = self._c()
            if self._has_move:
                c.move([item.uid], target)
            else:
                c.copy([item.uid], target)
                c.add_flags([item.uid], [b"\\Deleted"])
                if self._has_uidplus:
                    c.uid_expunge([item.uid])
                else:
                    c.expunge()

    def wait(self, timeout: float) -> bool:
        """IDLE until the server reports a change or `timeout` seconds pass."""
        timeout = min(timeout, IDLE_MAX_SECONDS)
        with self._guard("idle"):
            c = self._c()
            # Mail that arrived during the step was announced (EXISTS) in the answer to some other
            # command and will not be announced again in IDLE: look before idling, or it waits a
            # tick. A message that lands while SEARCH runs is announced with SEARCH's answer but
            # may be missing from its result: then look again.
            untagged = c._imap.untagged_responses  # noqa: SLF001 - imaplib keeps unread EXISTS here
            for _ in range(3):
                untagged.pop("EXISTS", None)
                if set(c.search("ALL")) - self._known:
                    return True
                if "EXISTS" not in untagged:
                    break
            else:
                return True
            c.idle()
            try:
                # An EXISTS sent with IDLE's own "+ idling" was read by idle() itself, not by idle_check.
                if untagged.pop("EXISTS", None):
                    return True
                # idle_check polls the socket, but a line that came in the same packet as IDLE's
                # "+ idling" already sits in imaplib's read buffer, where no poll sees it: it would
                # wait for the next tick. Look there first.
                if _has_buffered_input(c):
                    return True
                responses = c.idle_check(timeout=timeout)
            finally:
                c.idle_done()
            return any(r[1] in (b"EXISTS", b"RECENT") for r in responses if len(r) > 1)

    def append_sent(self, raw: bytes) -> None:
        with self._guard("append"):
            self._c().append(self.sent_folder, raw, flags=[b"\\Seen"])

    def sent_has(self, message_id: str) -> bool:
        with self._guard("search Sent"):
            c = self._c()
            c.select_folder(self.sent_folder, readonly=True)
            try:
                return bool(c.search(["HEADER", "Message-ID", message_id]))
            finally:
                c.select_folder("INBOX")


def _has_buffered_input(client) -> bool:
    """Whether the server's next line is already read into imaplib's buffer (without blocking)."""
    reader = getattr(client._imap, "file", None)  # noqa: SLF001
    sock = client.socket()
    if reader is None or not hasattr(reader, "peek"):
        return False
    previous = sock.gettimeout()
    sock.settimeout(0)
    try:
        return bool(reader.peek(1))
    except (BlockingIOError, ssl.SSLWantReadError, socket.timeout, OSError):
        return False
    finally:
        sock.settimeout(previous)


class _Translate:
    """Turns library and socket errors into MailboxError, naming what was being done."""

    def __init__(self, what: str, kinds: tuple[type[BaseException], ...]):
        self.what = what
        self.kinds = kinds

    def __enter__(self) -> None:
        return None

    def __exit__(self, et, exc, tb) -> bool:
        if exc is not None and isinstance(exc, self.kinds) and not isinstance(exc, MailboxError):
            raise MailboxError(f"IMAP {self.what} failed: {exc or et.__name__}") from exc
        return False


def _chunks(seq: list, n: int):
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


class MaildirMailbox:
    """The embedded default: a Maildir on disk, fed by the embedded SMTP listener."""

    def __init__(self, root: Path, poll_seconds: float = 0.2):
        self.root = root
        self.poll_seconds = poll_seconds
        self.md: stdlib_mailbox.Maildir | None = None

    def connect(self) -> None:
        for sub in ("cur", "new", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True, mode=0o700)
        self.md = stdlib_mailbox.Maildir(self.root, create=False)
        for name in (f"mailbot.{PROCESSED}", f"mailbot.{QUARANTINE}", "Sent"):
            if name not in self.md.list_folders():
                self.md.add_folder(name)

    def _md(self) -> stdlib_mailbox.Maildir:
        if self.md is None:
            self.connect()
        assert self.md is not None
        return self.md

    def pending(self, max_bytes: int) -> list[Incoming]:
        md = self._md()
        out = []
        for key in sorted(md.keys()):  # Maildir keys start with the arrival time
            path = self._path_of(key)
            if path is None:
                continue
            size = path.stat().st_size
            if size > max_bytes:
                with open(path, "rb") as fh:
                    head = fh.read(64 * 1024).split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
                out.append(Incoming(key, None, size, head))
            else:
                out.append(Incoming(key, path.read_bytes(), size))
        return out

    def _path_of(self, key: str) -> Path | None:
        md = self._md()
        try:
            sub = md._toc[key]  # noqa: SLF001 - the stdlib keeps the file path here
        except KeyError:
            md._refresh()  # noqa: SLF001
            sub = md._toc.get(key)
        return Path(md._path, sub) if sub else None  # noqa: SLF001

    def file_away(self, item: Incoming, folder: str) -> None:
        md = self._md()
        target = md.get_folder(f"mailbot.{folder}")
        path = self._path_of(str(item.uid))
        if path is None:
            return  # already moved (a crash between add and remove, or a second pass)
        target.add(stdlib_mailbox.MaildirMessage(path.read_bytes()))
        md.discard(str(item.uid))

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        new_dir = self.root / "new"
        while time.monotonic() < deadline:
            if any(new_dir.iterdir()):
                return True
            time.sleep(self.poll_seconds)
        return False

    def append_sent(self, raw: bytes) -> None:
        self._md().get_folder("Sent").add(stdlib_mailbox.MaildirMessage(raw))

    def sent_has(self, message_id: str) -> bool:
        sent = self._md().get_folder("Sent")
        return any(message_id_of(sent.get_bytes(k)) == message_id for k in sent.keys())

    def close(self) -> None:
        self.md = None

    def folder_messages(self, folder: str) -> list[bytes]:
        md = self._md()
        box = md if folder == "INBOX" else md.get_folder(folder)
        return [box.get_bytes(k) for k in box.keys()]

