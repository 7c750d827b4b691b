"""mailbot: receivables follow-up by email alone.

The path of a message: mailbox -> router -> handlers -> store -> outbox -> sender.
See ARCHITECTURE.md.
"""

__version__ = "0.1.0"
