"""Time, passed in rather than reached for, so tests travel days in seconds.

Every part of mailbot that needs "now" takes a `Clock`. The daemon gets a `SystemClock`,
or an `OffsetClock` when MAILBOT_CLOCK_START is set (a demo or black-box test starts the
daemon's clock at a chosen instant; it then runs at normal speed). Tests use `ManualClock`.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """An aware datetime (UTC)."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class OffsetClock:
    """Starts at `start` and advances with the monotonic clock from the moment it is made."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("OffsetClock needs an aware datetime, e.g. 2026-12-01T09:00:00+01:00")
        self._start = start.astimezone(timezone.utc)
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._t0)


class FileClock:
    """Test-only: "now" is the ISO date-time written in a file, read at every call.

    Lets a black-box test (the kill -9 torture) move the time of a `mailbot run` subprocess,
    across its restarts, by rewriting one file. Set with MAILBOT_CLOCK_FILE.
    """

    def __init__(self, path: Path):
        self.path = path

    def now(self) -> datetime:
        text = self.path.read_text(encoding="utf-8").strip()
        when = datetime.fromisoformat(text)
        if when.tzinfo is None:
            raise ValueError(f"{self.path}: the time must carry its offset, e.g. 2026-12-01T09:00:00+01:00")
        return when.astimezone(timezone.utc)


class ManualClock:
    """A clock that moves only when told to."""

    def __init__(self, start: datetime):
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start.astimezone(timezone.utc)

    def now(self) -> datetime:
        return self._now

    def advance(self, **delta: float) -> datetime:
        self._now += timedelta(**delta)
        return self._now

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(timezone.utc)
