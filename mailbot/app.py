"""Wiring: settings -> the real parts (or the embedded ones) -> a daemon. Also `check` and `replay`."""

from __future__ import annotations

import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass

from .clock import Clock, FileClock, OffsetClock, SystemClock
from .compose import Templates
from .config import Settings, load_settings
from .daemon import Daemon
from .embedded import EmbeddedSmtp
from .errors import ConfigError, MailboxError, SendError
from .mailbox import ImapMailbox, Mailbox, MaildirMailbox
from .rules import Rules, load_rules
from .sender import FolderSender, Sender, SmtpSender
from .store import DataDirLock, Store

log = logging.getLogger("mailbot")


class _Stop(BaseException):
    """SIGTERM: leave the loop. Not an Exception: the per-message `except Exception` must not swallow it."""


@dataclass
class Parts:
    settings: Settings
    rules: Rules
    mailbox: Mailbox
    sender: Sender
    clock: Clock
    embedded: EmbeddedSmtp | None = None


def build_parts(settings: Settings) -> Parts:
    rules = load_rules(settings.rules_path)
    clock: Clock = SystemClock()
    if settings.clock_file:
        clock = FileClock(settings.clock_file)
    elif settings.clock_start:
        clock = OffsetClock(settings.clock_start)
    if settings.embedded:
        maildir = settings.data_dir / "maildir"
        return Parts(settings, rules, MaildirMailbox(maildir), FolderSender(settings.data_dir / "sent-mail"), clock,
                     EmbeddedSmtp(maildir, settings.address, settings.embedded_smtp_port))
    assert settings.imap and settings.smtp
    return Parts(settings, rules, ImapMailbox(settings.imap), SmtpSender(settings.smtp), clock)


def _secrets(settings: Settings) -> list[str]:
    return [e.secret() for e in (settings.imap, settings.smtp) if e is not None]


def run(*, verbose: bool, configure_logging: Callable[[bool, list[str]], None]) -> int:
    settings = load_settings()
    configure_logging(verbose, _secrets(settings))
    parts = build_parts(settings)
    check_templates(Templates(settings.data_dir / "templates"), parts.rules)
    lock = DataDirLock(settings.data_dir)
    lock.acquire()
    store = Store.open(settings.data_dir)
    if settings.trust_unauthenticated_owners:
        log.warning("owner commands are trusted without SPF/DKIM checks (MAILBOT_TRUST_UNAUTHENTICATED_OWNERS=1 or embedded mode)")
    if parts.embedded:
        parts.embedded.start()
        log.info("embedded mode: send mail for %s to 127.0.0.1:%d; outbound mail is kept in %s",
                 settings.address, parts.embedded.port, settings.data_dir / "sent-mail")
    def stop(*_: object) -> None:
        # Raised wherever the daemon is (often inside IDLE): an open transaction rolls back,
        # exactly as after a crash, which the design already makes harmless.
        raise _Stop()

    signal.signal(signal.SIGTERM, stop)
    daemon = Daemon(settings, parts.rules, store, parts.mailbox, parts.sender, parts.clock)
    try:
        daemon.run_forever()
    except _Stop:
        log.info("stopped (SIGTERM)")
    finally:
        if parts.embedded:
            parts.embedded.stop()
        parts.mailbox.close()
        lock.release()
    return 0


def check_templates(templates: Templates, rules: Rules) -> list[str]:
    """Render every stage template in every language with sample data, so errors show now."""
    from .handlers.reminders import sample_context

    problems = []
    langs = sorted({n.split("/", 1)[0] for n in templates.names() if "/" in n})
    for lang in langs:
        for stage in rules.stages:
            if stage.channel == "call":
                continue
            name = f"{lang}/{stage.template}.j2"
            try:
                templates.render(name, sample_context(lang, rules))
            except Exception as exc:  # any template error is reported, not raised at 9:00 on a Tuesday
                problems.append(f"template {name}: {type(exc).__name__}: {exc}")
    if problems:
        raise ConfigError("; ".join(problems))
    return langs


def check(*, verbose: bool, configure_logging: Callable[[bool, list[str]], None]) -> int:
    settings = load_settings()
    configure_logging(verbose, _secrets(settings))
    ok = True
    parts = build_parts(settings)
    print(f"settings: bot address {settings.address}; owners {', '.join(settings.owners)}; data in {settings.data_dir}; time zone {settings.timezone.key}")
    print(f"rules: {parts.rules.source}, {len(parts.rules.stages)} stages")
    for line in parts.rules.describe():
        print(f"  - {line}")
    try:
        langs = check_templates(Templates(settings.data_dir / "templates"), parts.rules)
        print(f"templates: every stage renders in {', '.join(langs)}")
    except ConfigError as exc:
        ok = False
        print(f"templates: FAILED: {exc}")
    if settings.embedded:
        print("mail: embedded local mailbox (no IMAP/SMTP settings): nothing to connect to")
        return 0 if ok else 1
    try:
        parts.mailbox.connect()
        parts.mailbox.close()
        print(f"IMAP: OK, {settings.imap.describe()}")
    except (ConfigError, MailboxError) as exc:
        ok = False
        print(f"IMAP: FAILED: {exc}")
    try:
        assert isinstance(parts.sender, SmtpSender)
        parts.sender.check()
        print(f"SMTP: OK, {settings.smtp.describe()}")
    except SendError as exc:
        ok = False
        print(f"SMTP: FAILED: {exc}")
    return 0 if ok else 1


def replay(*, verbose: bool, configure_logging: Callable[[bool, list[str]], None]) -> int:
    """Put the quarantined messages that failed in a handler back in INBOX, each with a ticket
    that tells the daemon to handle it again (once) instead of filing it as already handled.

    It writes no store: the running daemon is the store's only writer (a second writer would
    lose one side's changes). The daemon removes a ticket once the message is handled again.
    """
    import email
    import email.policy

    from .daemon import message_key, replay_ticket
    from .store import write_atomic

    settings = load_settings()
    configure_logging(verbose, _secrets(settings))
    parts = build_parts(settings)
    folder = settings.data_dir / "quarantine"
    files = sorted(folder.glob("*.eml")) if folder.exists() else []
    if not files:
        print("replay: nothing to replay (no message failed in a handler)")
        return 0
    parts.mailbox.connect()
    count = 0
    for path in files:
        raw = path.read_bytes()
        ticket = replay_ticket(settings.data_dir, message_key(raw))
        ticket.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Ticket first: a crash before the append leaves the copy here, and a second replay redoes it.
        write_atomic(ticket, path.name.encode())
        append_inbox(parts.mailbox, raw)
        path.unlink()
        count += 1
        subject = email.message_from_bytes(raw, policy=email.policy.compat32).get("Subject", "")
        print(f"replay: {subject!s} is back in INBOX")
    parts.mailbox.close()
    print(f"replay: {count} message(s) will be handled by the running daemon")
    return 0


def append_inbox(mailbox: Mailbox, raw: bytes) -> None:
    if isinstance(mailbox, MaildirMailbox):
        import mailbox as stdlib_mailbox

        mailbox._md().add(stdlib_mailbox.MaildirMessage(raw))  # noqa: SLF001
    else:
        assert isinstance(mailbox, ImapMailbox)
        mailbox._c().append("INBOX", raw)  # noqa: SLF001
