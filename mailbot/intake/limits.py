"""Limits on what intake agrees to read: breaking one quarantines the message (InputRejected)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from mailbot.config import env_number
from mailbot.errors import InputRejected

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_attachment_bytes: int = 15 * MB
    max_pdf_pages: int = 50
    parse_timeout_s: float = 20.0
    max_attachments: int = 20

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Limits:
        """Limits from MAILBOT_MAX_ATTACHMENT_MB, MAILBOT_MAX_PDF_PAGES, MAILBOT_PARSE_TIMEOUT_S,
        MAILBOT_MAX_ATTACHMENTS (pass os.environ in; unset keys keep the defaults)."""
        base = cls()

        def num(key: str, default: float) -> float:
            return env_number(env, key, default, whole=False)

        return cls(
            max_attachment_bytes=int(num("MAILBOT_MAX_ATTACHMENT_MB", base.max_attachment_bytes / MB) * MB),
            max_pdf_pages=int(num("MAILBOT_MAX_PDF_PAGES", base.max_pdf_pages)),
            parse_timeout_s=num("MAILBOT_PARSE_TIMEOUT_S", base.parse_timeout_s),
            max_attachments=int(num("MAILBOT_MAX_ATTACHMENTS", base.max_attachments)),
        )

    def check_size(self, name: str, size: int) -> None:
        if size > self.max_attachment_bytes:
            raise InputRejected(
                f"{name} is {_mb(size)}; the limit is {_mb(self.max_attachment_bytes)} (MAILBOT_MAX_ATTACHMENT_MB)"
            )

    def check_count(self, count: int) -> None:
        if count > self.max_attachments:
            raise InputRejected(
                f"the message has {count} attachments; the limit is {self.max_attachments} (MAILBOT_MAX_ATTACHMENTS)"
            )


def _mb(size: int) -> str:
    value = size / MB
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB"
