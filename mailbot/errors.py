"""One root for every error mailbot raises on purpose.

Library errors are translated at the boundary (mailbox, sender, store, intake) into one of
these, with a message that names the thing and the fix.
"""


class MailbotError(Exception):
    """Root of mailbot's own errors."""


class ConfigError(MailbotError):
    """A setting or rules.yaml is wrong; the message says which and how to fix it."""


class StoreError(MailbotError):
    """The data directory cannot be read or written safely."""


class MailboxError(MailbotError):
    """The IMAP server (or local Maildir) failed in a way a retry may fix."""


class SendError(MailbotError):
    """An outbound message could not be handed to the SMTP server."""

    def __init__(self, message: str, *, permanent: bool = False, code: int | None = None, ambiguous: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.code = code
        # True when the message had been transmitted and the connection failed before the
        # server's answer: it may have been accepted. The outbox looks in Sent before resending.
        self.ambiguous = ambiguous


class ExtractionError(MailbotError):
    """A document could not be read at all (not: a field is missing)."""


class InputRejected(MailbotError):
    """A message breaks a configured limit (size, attachments, pages): quarantine it."""
