"""Business days and send windows: when a reminder may leave.

A reminder that lands on a public holiday or at 3 a.m. reads like a machine chasing
people; one sent Tuesday morning reads like a person. The owner states a window in
rules.yaml (``Tue-Thu 09:00-11:30``); `next_send_time` finds the first instant inside
it that is also a business day in the owner's country.

All times are the owner's wall-clock times in the window's time zone, so "09:00" stays
09:00 across daylight-saving changes. Windows are half-open: 09:00-11:30 allows 09:00
up to, but not including, 11:30.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays

from mailbot.errors import ConfigError

# Countries we promise to support (tested); holidays knows many more, and any of them
# is accepted, but these are the ones an owner of mailbot is expected to live in.
SUPPORTED_COUNTRIES = ("FR", "BE", "NL", "LU", "DE", "CH", "GB")

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# A window that never opens (every weekday in it a holiday) must not spin forever;
# two years covers any real calendar.
_SEARCH_DAYS = 2 * 366


@lru_cache(maxsize=64)
def _calendar(country: str) -> holidays.HolidayBase:
    """Holidays of "FR", or of a subdivision written "DE-BY" (Bavaria)."""
    code, _, subdiv = country.upper().partition("-")
    try:
        return holidays.country_holidays(code, subdiv=subdiv or None)
    except NotImplementedError as exc:
        raise ConfigError(
            f"country {country!r} has no holiday calendar: use one of "
            f"{', '.join(SUPPORTED_COUNTRIES)} (or another ISO 3166 code the holidays "
            "package knows, optionally with a subdivision like DE-BY)"
        ) from exc


def is_business_day(d: date, country: str) -> bool:
    """True on Monday-Friday unless it is a public holiday in `country`.

    >>> is_business_day(date(2026, 7, 14), "FR")   # Bastille Day
    False
    """
    return d.weekday() < 5 and d not in _calendar(country)


def add_business_days(d: date, n: int, country: str) -> date:
    """The date `n` business days after `d` (before it when n < 0); `d` itself if n == 0.

    >>> add_business_days(date(2026, 12, 24), 1, "BE")   # Thu; Fri 25 is Christmas
    datetime.date(2026, 12, 28)
    """
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        d += timedelta(days=step)
        if is_business_day(d, country):
            remaining -= 1
    return d


def days_late(due: date, on: date) -> int:
    """Days late on `on`, counted from the day after the due date; 0 when not late.

    >>> days_late(date(2026, 1, 31), date(2026, 2, 1))
    1
    """
    return max(0, (on - due).days)


# --- Send windows ----------------------------------------------------------------------


@dataclass(frozen=True)
class SendWindow:
    """Weekdays (0 = Monday) and a [start, end) wall-clock range in time zone `tz`."""

    weekdays: frozenset[int]
    start: time
    end: time
    tz: str = "Europe/Paris"

    def __post_init__(self) -> None:
        object.__setattr__(self, "weekdays", frozenset(self.weekdays))
        if not self.weekdays or not all(0 <= w <= 6 for w in self.weekdays):
            raise ConfigError(
                f"send window weekdays {sorted(self.weekdays)} must be a non-empty set of 0..6"
            )
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ConfigError("send window times are wall-clock times: give the zone in tz")
        if not self.start < self.end:
            raise ConfigError(
                f"send window {self.start:%H:%M}-{self.end:%H:%M} must end after it starts "
                "on the same day (overnight windows are not supported)"
            )
        _zone(self.tz)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.tz)

    def contains(self, moment: datetime, country: str) -> bool:
        """True if `moment` (aware) is inside the window on a business day."""
        local = _aware(moment, "moment").astimezone(self.zone)
        return (
            local.weekday() in self.weekdays
            and self.start <= local.time().replace(tzinfo=None) < self.end
            and is_business_day(local.date(), country)
        )


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ConfigError(
            f"time zone {name!r} is unknown: use an IANA name such as Europe/Paris"
        ) from exc


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(
            f"{what} {moment.isoformat()} has no time zone: pass an aware datetime "
            "(e.g. datetime.now(ZoneInfo('Europe/Paris')))"
        )
    return moment


def _weekday(token: str, text: str) -> int:
    # "Tue" or "Tuesday", any case; not "T" or "Tues", which could be typos for anything.
    key = token.strip().lower()
    for i, (abbr, full) in enumerate(zip(WEEKDAY_NAMES, _FULL_NAMES)):
        if key in (abbr, full):
            return i
    raise ConfigError(
        f"send window {text!r}: {token!r} is not a weekday; use Mon, Tue, Wed, Thu, Fri, Sat, Sun"
    )


def _clock(token: str, text: str) -> time:
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", token)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ConfigError(
            f"send window {text!r}: {token!r} is not a time; write HH:MM between 00:00 and 23:59"
        )
    return time(int(m.group(1)), int(m.group(2)))


def parse_window(text: str, tz: str = "Europe/Paris") -> SendWindow:
    """Parse ``"Tue-Thu 09:00-11:30"`` or ``"Mon,Wed,Fri 08:00-12:00 Europe/Brussels"``.

    Day ranges may wrap (``Fri-Mon`` is Fri, Sat, Sun, Mon). A zone written in the text
    wins over `tz`.

    >>> parse_window("Tue-Thu 09:00-11:30")
    SendWindow(weekdays=frozenset({1, 2, 3}), start=datetime.time(9, 0), end=datetime.time(11, 30), tz='Europe/Paris')
    """
    parts = text.split()
    if len(parts) not in (2, 3):
        raise ConfigError(
            f"send window {text!r} must read 'DAYS HH:MM-HH:MM [Zone]', e.g. 'Tue-Thu 09:00-11:30'"
        )
    days_part, hours_part = parts[0], parts[1]
    if len(parts) == 3:
        tz = parts[2]

    weekdays: set[int] = set()
    for item in days_part.split(","):
        if not item:
            raise ConfigError(f"send window {text!r}: empty day between commas")
        if "-" in item:
            first, _, last = item.partition("-")
            a, b = _weekday(first, text), _weekday(last, text)
            weekdays.update((a + i) % 7 for i in range((b - a) % 7 + 1))
        else:
            weekdays.add(_weekday(item, text))

    start_s, sep, end_s = hours_part.partition("-")
    if not sep:
        raise ConfigError(f"send window {text!r}: hours {hours_part!r} must read HH:MM-HH:MM")
    start, end = _clock(start_s, text), _clock(end_s, text)
    if not start < end:
        raise ConfigError(
            f"send window {text!r}: {hours_part!r} ends before it starts; "
            "overnight windows are not supported, split them in two rules"
        )
    return SendWindow(frozenset(weekdays), start, end, tz)


def _transitions(day: date, zone: ZoneInfo) -> list[datetime]:
    """UTC instants around local `day` where the zone's offset changes (DST switches).

    zoneinfo does not expose its transition table, so scan hourly and bisect on whole
    seconds (transitions fall on whole seconds). A day has at most one in practice.
    """
    def offset(ts: int) -> timedelta | None:
        return datetime.fromtimestamp(ts, zone).utcoffset()

    midnight = int(datetime.combine(day, time(0), zone).timestamp())
    found = []
    for h in range(-3, 27):
        a, b = midnight + 3600 * h, midnight + 3600 * (h + 1)
        if offset(a) == offset(b):
            continue
        before = offset(a)
        while b - a > 1:
            mid = (a + b) // 2
            if offset(mid) == before:
                a = mid
            else:
                b = mid
        found.append(datetime.fromtimestamp(b, timezone.utc))
    return found


def next_send_time(not_before: datetime, window: SendWindow, country: str) -> datetime:
    """The earliest instant >= `not_before` inside `window` on a business day.

    Returned in the window's zone. On the spring-forward day a start in the skipped
    hour opens the window when the clocks jump (03:00 in Paris); on the fall-back day
    a repeated hour counts from its first occurrence, and a window reopens when the
    clocks go back into it.

    >>> w = parse_window("Tue-Thu 09:00-11:30")
    >>> noon_thu_24_dec = datetime(2026, 12, 24, 12, tzinfo=ZoneInfo("Europe/Paris"))
    >>> next_send_time(noon_thu_24_dec, w, "FR")  # too late that day; Tue 29 is next
    datetime.datetime(2026, 12, 29, 9, 0, tzinfo=zoneinfo.ZoneInfo(key='Europe/Paris'))
    """
    zone = window.zone
    start_local = _aware(not_before, "not_before").astimezone(zone)
    _calendar(country)  # fail on an unknown country even if no day needs checking
    day = start_local.date()
    for _ in range(_SEARCH_DAYS):
        if day.weekday() in window.weekdays and is_business_day(day, country):
            # The valid instants of a day form up to two intervals (two when the clocks
            # go back into the window). The earliest one >= not_before is not_before
            # itself or where an interval opens: the wall-clock start (either fold) or a
            # DST switch that jumps the clock into the window.
            candidates = [not_before]
            for fold in (0, 1):
                wall = datetime.combine(day, window.start, zone).replace(fold=fold)
                candidates.append(wall.astimezone(timezone.utc))
            candidates.extend(_transitions(day, zone))
            valid = [
                c
                for c in candidates
                if c >= not_before
                and c.astimezone(zone).date() == day
                and window.contains(c, country)
            ]
            if valid:
                return min(valid).astimezone(zone)
        day += timedelta(days=1)
    raise ConfigError(
        f"send window {window} never opens on a business day in {country} within two years: "
        "add weekdays to it"
    )
