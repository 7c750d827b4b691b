"""rules.yaml -> typed, frozen objects, validated once at start.

Every error names the place in the file (``rules.yaml line 12, stages[2].after``) and the fix,
so a typo is caught by ``mailbot check`` and not at 9:00 on a Tuesday.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import yaml

from .businessdays import SendWindow, is_business_day, parse_window
from .errors import ConfigError

CHANNELS = ("email", "call", "letter")
LANGUAGES = ("fr", "en", "nl", "de")
REFERENCE_SCHEMES = ("invoice", "be", "rf")
SEGMENTS = ("new", "regular", "loyal", "chronic")
DEFAULT_WINDOW = "Mon-Fri 09:00-17:00"
LINK_FIELDS = ("number", "amount", "currency", "reference")


@dataclass(frozen=True)
class Stage:
    index: int
    name: str
    after: int  # days relative to the due date (negative: a courtesy notice before it)
    template: str
    tone: str
    channel: str = "email"
    attach_invoice: bool = True
    charges: bool = False
    final_date_days: int = 8  # the clear payment deadline the reminder states, days after sending
    email_client: bool = False  # letter stages: also email the notice to the client

    def describe(self) -> str:
        days = abs(self.after)
        when = f"{days} day{'s' if days != 1 else ''} {'before' if self.after < 0 else 'after'} the due date"
        if self.after == 0:
            when = "on the due date"
        what = {
            "email": "email",
            "call": "call task in the owner's digest (no email)",
            "letter": "formal notice as a PDF to the owner, to sign and post by registered mail"
            + (", and emailed to the client" if self.email_client else ""),
        }[self.channel]
        extras = []
        if self.channel != "call":
            extras.append(f"pay by {self.final_date_days} days")
            if self.attach_invoice:
                extras.append("invoice attached")
            if self.charges:
                extras.append("late charges shown where the law allows")
        tail = f"; {', '.join(extras)}" if extras else ""
        return f"stage {self.index + 1} '{self.name}': {what} {when} ({self.tone} tone, template {self.template}{tail})"


@dataclass(frozen=True)
class Business:
    name: str
    country: str = "FR"
    language: str = "en"  # the owner's language, for notes to the owner
    iban: str | None = None
    bic: str | None = None
    reference: str = "invoice"
    phone: str | None = None
    address: str | None = None  # postal address, printed on the formal notice
    enterprise_number: str | None = None  # SIREN / BCE number, printed on the formal notice
    payment_link: str | None = None  # URL template, e.g. https://pay.example/{number}?amount={amount}

    def link_for(self, number: str, amount: str, currency: str, reference: str) -> str | None:
        """The payment link for one invoice, values URL-quoted.

        >>> Business("A", payment_link="https://pay.test/{number}?a={amount}").link_for("F 1", "10.00", "EUR", "F1")
        'https://pay.test/F%201?a=10.00'
        """
        if not self.payment_link:
            return None
        values = {"number": number, "amount": amount, "currency": currency, "reference": reference}
        return self.payment_link.format(**{k: quote(v, safe="") for k, v in values.items()})


@dataclass(frozen=True)
class Policy:
    reply_pause_days: int = 7  # a client reply with no clear intent pauses the file this long
    promise_grace_days: int = 3
    dispute_pause_days: int = 90
    min_gap_days: int = 5
    max_auto_replies_per_day: int = 3
    dry_run: bool = False
    calendar: str = "FR"  # whose public holidays are not business days
    send_window: str = DEFAULT_WINDOW  # days and hours, in the owner's time zone unless a zone is written


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class DigestSlot:
    """The owner's weekly slot: when the digest arrives, and what makes a call worth making."""

    day: str = "tue"  # mon..sun
    time: str = "08:30"  # HH:MM in the owner's time zone
    large_amount: int = 5000  # a file above this amount is on the call list
    silent_after: int = 3  # a client who never answered this many reminders is on the call list
    enabled: bool = True

    @property
    def weekday(self) -> int:
        return WEEKDAYS.index(self.day)

    def describe(self) -> str:
        if not self.enabled:
            return "no weekly digest (write 'digest' to ask for one)"
        return f"the weekly digest arrives every {self.day.capitalize()} at {self.time} (owner's time zone)"


NOTIFY_MODES = ("immediate", "hourly", "daily")
# Owner notes that may wait for the hourly or daily batch; every other note (answers to the
# owner's commands, questions blocking a registration, problems, the digest, formal notices)
# always goes at once: the owner is waiting for it.
BATCHABLE_NOTES = ("registered", "client_reply", "bounce", "send_failed")


@dataclass(frozen=True)
class Notifications:
    """When notes to the owner go: each at once, or gathered into one email per hour or day."""

    mode: str = "immediate"  # immediate | hourly | daily
    daily_at: str = "18:00"  # HH:MM in the owner's time zone (daily mode)
    immediate: tuple[str, ...] = ()  # batchable kinds the owner still wants at once

    def batches(self, kind: str) -> bool:
        """Whether a note of this kind waits for the batch."""
        return self.mode != "immediate" and kind in BATCHABLE_NOTES and kind not in self.immediate

    def describe(self) -> str:
        if self.mode == "immediate":
            return "notes to the owner go at once"
        when = "at the top of every hour" if self.mode == "hourly" else f"every day at {self.daily_at} (owner's time zone)"
        waiting = [k for k in BATCHABLE_NOTES if k not in self.immediate]
        return f"notes to the owner about {', '.join(waiting)} are gathered into one email {when}; other notes go at once"


@dataclass(frozen=True)
class SegmentPolicy:
    """How a kind of client changes the schedule: stages earlier (negative shift) or later."""

    name: str
    shift_days: int = 0  # added to every stage after the due date
    skip: tuple[str, ...] = ()  # stage names this kind of client does not get
    min_gap_days: int | None = None

    def describe(self) -> str:
        bits = []
        if self.shift_days:
            bits.append(f"stages after the due date {abs(self.shift_days)} days {'earlier' if self.shift_days < 0 else 'later'}")
        if self.skip:
            bits.append(f"no {', '.join(self.skip)}")
        if self.min_gap_days is not None:
            bits.append(f"at least {self.min_gap_days} days between emails")
        return "; ".join(bits) or "the schedule as written"


@dataclass(frozen=True)
class Segments:
    """Thresholds that sort clients by their payment history, and what each kind gets."""

    new_below_paid: int = 2  # a client with fewer paid invoices than this is 'new'
    loyal_on_time: int = 3  # the last N invoices all paid by their due date (+ tolerance): 'loyal'
    loyal_tolerance_days: int = 2
    chronic_average_days_late: int = 15  # paid this late on average over the last N: 'chronic'
    chronic_last: int = 3
    policies: tuple[SegmentPolicy, ...] = ()

    def policy(self, segment: str) -> SegmentPolicy:
        return next((p for p in self.policies if p.name == segment), SegmentPolicy(segment))


@dataclass(frozen=True)
class ClientOverride:
    """What the owner fixed for one client address in rules.yaml."""

    email: str
    segment: str | None = None
    b2c: bool | None = None
    language: str | None = None


@dataclass(frozen=True)
class Rules:
    business: Business
    stages: tuple[Stage, ...]
    policy: Policy = field(default_factory=Policy)
    source: str = "rules.yaml"
    segments: Segments = field(default_factory=Segments)
    b2c: SegmentPolicy = field(default_factory=lambda: SegmentPolicy("b2c"))
    b2c_min_final_date_days: int = 14  # Belgian consumer law: at least 14 days to pay after the first reminder
    clients: tuple[ClientOverride, ...] = ()
    digest: DigestSlot = field(default_factory=DigestSlot)
    notifications: Notifications = field(default_factory=Notifications)

    def stage_named(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def window(self, tz: str | ZoneInfo) -> SendWindow:
        """The send window; its times are in `tz` (the owner's zone) unless the text names a zone."""
        return parse_window(self.policy.send_window, tz if isinstance(tz, str) else tz.key)

    def override_for(self, email: str | None) -> ClientOverride | None:
        key = (email or "").lower()
        return next((c for c in self.clients if c.email == key), None)

    def stages_for(self, segment: str = "regular", b2c: bool = False) -> tuple[Stage, ...]:
        """The stages as they apply to one kind of client (shifts added, skipped stages left out).

        Courtesy notices before the due date never move: shifts apply to stages after it, and
        never bring one before the day after the due date.
        """
        return _stages_for(self, segment, b2c)

    def describe(self) -> list[str]:
        lines = [s.describe() for s in self.stages]
        lines.append(f"then the file is handed to the owner; a client reply pauses it {self.policy.reply_pause_days} days")
        p = self.policy
        lines.append(
            f"emails leave only on business days in {p.calendar} (public holidays excluded), within {p.send_window}"
            + ("" if _has_zone(p.send_window) else " in the owner's time zone (MAILBOT_TIMEZONE)")
        )
        lines.append(
            f"never two emails to one client within {p.min_gap_days} days; a promise gets {p.promise_grace_days} days of grace, "
            f"then a 'promise not kept' reminder; a dispute stops reminders for at least {p.dispute_pause_days} days"
        )
        sg = self.segments
        lines.append(f"new clients (fewer than {sg.new_below_paid} invoices paid): {sg.policy('new').describe()}")
        lines.append(f"loyal clients (last {sg.loyal_on_time} invoices paid within {sg.loyal_tolerance_days} days of the due date): "
                     f"{sg.policy('loyal').describe()}")
        lines.append(f"chronic late payers ({sg.chronic_average_days_late}+ days late on average over the last {sg.chronic_last}): "
                     f"{sg.policy('chronic').describe()}")
        lines.append(f"consumers (B2C): {self.b2c.describe()}; at least {self.b2c_min_final_date_days} days to pay; "
                     "late charges only where consumer law allows them")
        for c in self.clients:
            bits = [f"{k} {v}" for k, v in (("segment", c.segment), ("b2c", c.b2c), ("language", c.language)) if v is not None]
            lines.append(f"client {c.email}: {', '.join(bits)}")
        lines.append(self.digest.describe())
        lines.append(self.notifications.describe())
        if p.dry_run:
            lines.append("DRY RUN: reminders are planned and logged, nothing is sent to clients")
        return lines


def _has_zone(window: str) -> bool:
    return len(window.split()) == 3


def _stages_for(rules: Rules, segment: str, b2c: bool) -> tuple[Stage, ...]:
    policies = [rules.segments.policy(segment)] + ([rules.b2c] if b2c else [])
    shift = sum(p.shift_days for p in policies)
    skip = {name for p in policies for name in p.skip}
    out = []
    for s in rules.stages:
        if s.name in skip:
            continue
        after = s.after if s.after <= 0 else max(1, s.after + shift)
        final = max(s.final_date_days, rules.b2c_min_final_date_days) if b2c and s.channel != "call" else s.final_date_days
        if out and after <= out[-1].after:  # a shift that bunches stages keeps them a day apart
            after = out[-1].after + 1
        out.append(replace(s, after=after, final_date_days=final) if (after, final) != (s.after, s.final_date_days) else s)
    return tuple(out)


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping key, for error messages."""


def _construct_mapping(loader: _Loader, node: yaml.MappingNode) -> dict:
    mapping = _Located(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
    return mapping


class _Located(dict):
    line: int = 0
    key_lines: dict[str, int]


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Reads one mapping with typed getters whose errors say where and what to write instead."""

    def __init__(self, source: str, where: str, data: Any):
        self.source = source
        self.where = where
        if not isinstance(data, dict):
            raise ConfigError(f"{source}: {where or 'the file'} must be a mapping of 'key: value' lines")
        self.data = data
        self.used: set[str] = set()

    def _loc(self, key: str) -> str:
        line = getattr(self.data, "key_lines", {}).get(key) or getattr(self.data, "line", 0)
        path = f"{self.where}.{key}" if self.where else key
        return f"{self.source} line {line}, {path}" if line else f"{self.source}, {path}"

    def get(self, key: str, kind: type, default: Any = ..., *, hint: str = "") -> Any:
        self.used.add(key)
        if key not in self.data:
            if default is ...:
                raise ConfigError(f"{self._loc(key)} is missing; {hint or 'add it'}")
            return default
        value = self.data[key]
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigError(f"{self._loc(key)} must be a number of days, got {value!r}{'; ' + hint if hint else ''}")
        if kind is bool and not isinstance(value, bool):
            raise ConfigError(f"{self._loc(key)} must be true or false, got {value!r}")
        if kind is str and not isinstance(value, str):
            raise ConfigError(f"{self._loc(key)} must be text, got {value!r}")
        if kind is list and not isinstance(value, list):
            raise ConfigError(f"{self._loc(key)} must be a list, e.g. [courtesy], got {value!r}")
        if kind is dict and not isinstance(value, dict):
            raise ConfigError(f"{self._loc(key)} must be a section of 'key: value' lines, got {value!r}")
        return value

    def fail(self, key: str, message: str) -> ConfigError:
        return ConfigError(f"{self._loc(key)}: {message}")

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.get(key, str, default)
        if value not in choices:
            raise ConfigError(f"{self._loc(key)} must be one of {', '.join(choices)}, got {value!r}")
        return value

    def finish(self) -> None:
        unknown = [k for k in self.data if k not in self.used]
        if unknown:
            raise ConfigError(
                f"{self._loc(unknown[0])}: unknown key {unknown[0]!r}; known keys here: {', '.join(sorted(self.used))}"
            )


def parse_rules(text: str, source: str = "rules.yaml") -> Rules:
    try:
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{source}{where}: not valid YAML ({getattr(exc, 'problem', exc)}); check indentation and colons") from None
    top = _Reader(source, "", data or {})
    business = _business(_Reader(source, "business", top.get("business", dict, hint="add a 'business:' section with at least 'name'")))
    stages = _stages(source, top)
    policy = _policy(_Reader(source, "policy", top.get("policy", dict, {})), business)
    segments = _segments(source, _Reader(source, "segments", top.get("segments", dict, {})), stages)
    b2c_r = _Reader(source, "b2c", top.get("b2c", dict, {}))
    b2c = _segment_policy(b2c_r, "b2c", stages)
    b2c_min = b2c_r.get("min_final_date_days", int, 14)
    if business.country == "BE" and b2c_min < 14:
        # Code de droit économique XIX.2: a Belgian consumer has at least 14 days after the first
        # reminder; a shorter setting would print a deadline the law does not allow.
        raise b2c_r.fail("min_final_date_days", f"must be at least 14 for a Belgian business (Belgian consumer law), got {b2c_min}")
    b2c_r.finish()
    clients = _clients(source, top.get("clients", dict, {}))
    digest = _digest(_Reader(source, "digest", top.get("digest", dict, {})))
    notifications = _notifications(_Reader(source, "notifications", top.get("notifications", dict, {})))
    top.finish()
    rules = Rules(business=business, stages=stages, policy=policy, source=source, segments=segments, b2c=b2c,
                  b2c_min_final_date_days=b2c_min, clients=clients, digest=digest, notifications=notifications)
    for seg in SEGMENTS:
        for b2c_flag in (False, True):
            if not any(s.channel != "call" for s in rules.stages_for(seg, b2c_flag)):
                raise ConfigError(f"{source}: {seg} clients{' (B2C)' if b2c_flag else ''} would get no email at all; "
                                  "skip fewer stages in 'segments'")
    return rules


def _business(b: _Reader) -> Business:
    business = Business(
        name=b.get("name", str, hint="the name clients know you by, e.g. 'ACME SARL'"),
        country=b.get("country", str, "FR").upper(),
        language=b.choice("language", LANGUAGES, "en"),
        iban=b.get("iban", str, None),
        bic=b.get("bic", str, None),
        reference=b.choice("reference", REFERENCE_SCHEMES, "invoice"),
        phone=b.get("phone", str, None),
        address=b.get("address", str, None),
        enterprise_number=b.get("enterprise_number", str, None),
        payment_link=b.get("payment_link", str, None),
    )
    if business.iban:
        from .payment import PaymentDataError, validate_iban

        try:
            validate_iban(business.iban)
        except PaymentDataError as exc:
            raise b.fail("iban", f"{exc}") from None
    if business.bic:
        from .payment import PaymentDataError, validate_bic

        try:
            validate_bic(business.bic)
        except PaymentDataError as exc:
            raise b.fail("bic", f"{exc}") from None
    if business.payment_link:
        import string

        fields = {f for _, f, _, _ in string.Formatter().parse(business.payment_link) if f is not None}
        unknown = sorted(fields - set(LINK_FIELDS))
        if unknown or not business.payment_link.startswith("https://"):
            raise b.fail("payment_link", f"must be an https:// URL whose placeholders are among "
                         f"{', '.join('{' + f + '}' for f in LINK_FIELDS)}" + (f" (unknown: {{{unknown[0]}}})" if unknown else ""))
    b.finish()
    return business


def _stages(source: str, top: _Reader) -> tuple[Stage, ...]:
    raw_stages = top.get("stages", list, hint="list the reminder stages")
    if not raw_stages:
        raise ConfigError(f"{source}: 'stages' must be a non-empty list of stages")
    stages: list[Stage] = []
    for i, raw in enumerate(raw_stages):
        s = _Reader(source, f"stages[{i}]", raw)
        name = s.get("name", str, hint="give each stage a short name like 'friendly'")
        after = s.get("after", int, hint="days after the due date, e.g. 'after: 7' (negative for before)")
        channel = s.choice("channel", CHANNELS, "email")
        stage = Stage(
            index=i,
            name=name,
            after=after,
            template=s.get("template", str, "formal_notice" if channel == "letter" else name),
            tone=s.get("tone", str, "neutral"),
            channel=channel,
            attach_invoice=s.get("attach_invoice", bool, channel != "call"),
            charges=s.get("charges", bool, False),
            final_date_days=s.get("final_date_days", int, 8),
            email_client=s.get("email_client", bool, False),
        )
        s.finish()
        if stages and stage.after <= stages[-1].after:
            raise s.fail("after", f"stage {i + 1} '{name}' comes {stage.after} days after the due date, "
                         f"not later than stage {i} ({stages[-1].after}); list stages in increasing 'after' order")
        if any(x.name == name for x in stages):
            raise s.fail("name", f"stage name {name!r} is used twice; names must be unique")
        if stage.final_date_days < 1:
            raise s.fail("final_date_days", f"{stage.final_date_days} gives the client no time to pay; write 1 or more (8 is usual)")
        if channel == "call" and (stage.charges or stage.email_client):
            raise s.fail("charges" if stage.charges else "email_client", "a call stage sends nothing to the client; remove this key")
        if stage.email_client and channel != "letter":
            raise s.fail("email_client", "only a letter stage has an email copy; remove it or write 'channel: letter'")
        if stage.charges and stage.after <= 0:
            raise s.fail("charges", "nothing is late before the due date; remove 'charges: true' from this stage")
        stages.append(stage)
    if all(s.channel == "call" for s in stages):
        raise ConfigError(f"{source}: every stage is a call; add at least one email stage")
    return tuple(stages)


def _policy(p: _Reader, business: Business) -> Policy:
    policy = Policy(
        reply_pause_days=p.get("reply_pause_days", int, 7),
        promise_grace_days=p.get("promise_grace_days", int, 3),
        dispute_pause_days=p.get("dispute_pause_days", int, 90),
        min_gap_days=p.get("min_gap_days", int, 5),
        max_auto_replies_per_day=p.get("max_auto_replies_per_day", int, 3),
        dry_run=p.get("dry_run", bool, False),
        calendar=p.get("calendar", str, business.country).upper(),
        send_window=p.get("send_window", str, DEFAULT_WINDOW),
    )
    for key in ("reply_pause_days", "promise_grace_days", "dispute_pause_days", "min_gap_days"):
        if getattr(policy, key) < 0:
            raise p.fail(key, f"{getattr(policy, key)} is negative; write 0 or more days")
    try:
        window = parse_window(policy.send_window)
        is_business_day(date(2026, 1, 5), policy.calendar)
    except ConfigError as exc:
        raise p.fail("send_window" if "window" in str(exc) else "calendar", str(exc)) from None
    # A window on weekend days only never opens on a business day.
    if not window.weekdays & {0, 1, 2, 3, 4}:
        raise p.fail("send_window", f"{policy.send_window!r} has no weekday from Monday to Friday, so no email would ever "
                     "leave; e.g. 'Tue-Thu 09:00-11:30'")
    p.finish()
    return policy


def _digest(d: _Reader) -> DigestSlot:
    slot = DigestSlot(
        day=str(d.get("day", str, "tue")).lower()[:3],
        time=d.get("time", str, "08:30"),
        large_amount=d.get("large_amount", int, 5000),
        silent_after=d.get("silent_after", int, 3),
        enabled=d.get("enabled", bool, True),
    )
    if slot.day not in WEEKDAYS:
        raise d.fail("day", f"{slot.day!r} is not a day; write one of {', '.join(WEEKDAYS)}")
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", slot.time):
        raise d.fail("time", f"{slot.time!r} is not a time; write it as HH:MM, e.g. \"08:30\"")
    d.finish()
    return slot


def _notifications(n: _Reader) -> Notifications:
    immediate = n.get("immediate", list, [])
    for kind in immediate:
        if kind not in BATCHABLE_NOTES:
            raise n.fail("immediate", f"{kind!r} is not a kind of note that can wait; write some of {', '.join(BATCHABLE_NOTES)} "
                         "(every other note always goes at once)")
    notes = Notifications(mode=n.choice("mode", NOTIFY_MODES, "immediate"), daily_at=n.get("daily_at", str, "18:00"),
                          immediate=tuple(immediate))
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", notes.daily_at):
        raise n.fail("daily_at", f"{notes.daily_at!r} is not a time; write it as HH:MM, e.g. \"18:00\"")
    n.finish()
    return notes


def _segment_policy(r: _Reader, name: str, stages: tuple[Stage, ...]) -> SegmentPolicy:
    skip = r.get("skip", list, [])
    names = {s.name for s in stages}
    for item in skip:
        if item not in names:
            raise r.fail("skip", f"{item!r} is not a stage name; use one of {', '.join(s.name for s in stages)}")
    gap = r.get("min_gap_days", int, None)
    if gap is not None and gap < 0:
        raise r.fail("min_gap_days", f"{gap} is negative; write 0 or more days")
    return SegmentPolicy(name, r.get("shift_days", int, 0), tuple(skip), gap)


def _segments(source: str, r: _Reader, stages: tuple[Stage, ...]) -> Segments:
    defaults = Segments()
    thresholds = {
        "new": (("paid_invoices_below", "new_below_paid"),),
        "loyal": (("paid_on_time", "loyal_on_time"), ("tolerance_days", "loyal_tolerance_days")),
        "chronic": (("average_days_late", "chronic_average_days_late"), ("over_last", "chronic_last")),
    }
    values: dict[str, int] = {}
    policies = []
    for seg, keys in thresholds.items():
        sr = _Reader(source, f"segments.{seg}", r.get(seg, dict, {}))
        for yaml_key, attr in keys:
            v = sr.get(yaml_key, int, getattr(defaults, attr))
            if v < (0 if yaml_key == "tolerance_days" else 1):
                raise sr.fail(yaml_key, f"{v} is too small; write a positive number")
            values[attr] = v
        policies.append(_segment_policy(sr, seg, stages))
        sr.finish()
    r.finish()
    return Segments(**values, policies=tuple(policies))


def _clients(source: str, raw: dict) -> tuple[ClientOverride, ...]:
    out = []
    for email_addr, conf in raw.items():
        if not isinstance(email_addr, str) or "@" not in email_addr:
            raise ConfigError(f"{source}: clients: {email_addr!r} is not an email address; write 'billing@client.fr:'")
        c = _Reader(source, f"clients.{email_addr}", conf)
        segment = c.get("segment", str, None)
        if segment is not None and segment not in SEGMENTS:
            raise c.fail("segment", f"must be one of {', '.join(SEGMENTS)}, got {segment!r}")
        language = c.get("language", str, None)
        if language is not None and language not in LANGUAGES:
            raise c.fail("language", f"must be one of {', '.join(LANGUAGES)}, got {language!r}")
        out.append(ClientOverride(email_addr.lower(), segment, c.get("b2c", bool, None), language))
        c.finish()
    return tuple(out)


def default_rules_text() -> str:
    """The rules.yaml shipped in the package (a copy of the project's top-level rules.yaml)."""
    return resources.files("mailbot").joinpath("data/rules.yaml").read_text(encoding="utf-8")


def load_rules(path: Path | None = None) -> Rules:
    """Load rules from `path`, else from the packaged default."""
    if path is None:
        return parse_rules(default_rules_text(), "rules.yaml (built-in default)")
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read rules ({exc.strerror}); set MAILBOT_RULES to an existing file") from None
    return parse_rules(text, str(path))
