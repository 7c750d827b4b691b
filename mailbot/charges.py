"""Late-payment interest and recovery indemnity, as French and Belgian law allow them.

A reminder that claims more than the law allows is worse than one that claims nothing:
it hands the debtor a reason to dispute. So `late_charges` answers two questions, "may
I charge at all?" (`allowed`, `why_not`) and "how much, and how was it computed?"
(`interest`, `indemnity`, `lines`), from the rules in domain.md sections 2 to 4:

- FR B2B: penalties from the day after the due date at the half-year rate (ECB rate in
  force on 1 January or 1 July + 10 points), plus 40 EUR per invoice.
- FR B2C: no indemnity, no fees; interest at the legal rate only from the formal notice.
- BE B2B: interest at the half-year rate (ECB + 8 points), plus 40 EUR.
- BE B2C: nothing until 14 calendar days after the first (electronic) reminder; then a
  capped indemnity and interest capped at the B2B rate. `consumer_terms` says what that
  first reminder must announce (the indemnity for the amount, the deadline), from the same
  scale and the same grace period that `late_charges` applies later.

Interest is simple interest, amount x rate x days / 365, split at 1 January and 1 July
because the rate changes there, and rounded half-up to cents once, on the total.

Rates live in ``mailbot/data/rates.yaml`` (dated, with sources); `load_rates` reads it
or an owner's copy and refuses a malformed file with the line and key at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, Mapping, NoReturn

import yaml
from babel.numbers import format_decimal, format_percent

from mailbot.businessdays import days_late
from mailbot.errors import ConfigError, MailbotError

Jurisdiction = Literal["FR", "BE"]
CENT = Decimal("0.01")
DAYS_PER_YEAR = 365  # the statutory divisor, even in leap years (domain.md section 2)
BE_B2C_GRACE_DAYS = 14


class ChargesError(MailbotError, ValueError):
    """late_charges was called with a value it cannot price (wrong type, negative...)."""


# --- The rate table --------------------------------------------------------------------


@dataclass(frozen=True)
class DatedRate:
    """A yearly percentage in force from `start` to `end` (both included)."""

    start: date
    end: date
    percent: Decimal
    verified: bool
    source: str


@dataclass(frozen=True)
class FixedAmount:
    amount: Decimal
    verified: bool
    source: str


@dataclass(frozen=True)
class Bracket:
    """fixed + percent x (amount - above), for amounts up to `up_to` (None: no limit)."""

    up_to: Decimal | None
    fixed: Decimal
    percent: Decimal = Decimal(0)
    above: Decimal = Decimal(0)


@dataclass(frozen=True)
class IndemnityScale:
    brackets: tuple[Bracket, ...]
    maximum: Decimal | None
    verified: bool
    source: str

    def bracket_for(self, amount: Decimal) -> Bracket:
        for bracket in self.brackets:
            if bracket.up_to is None or amount <= bracket.up_to:
                return bracket
        raise AssertionError("load_rates guarantees an open-ended last bracket")


# What each jurisdiction's section may hold, and whether late_charges needs it.
_SCHEMA: dict[str, dict[str, tuple[str, bool]]] = {
    "FR": {
        "b2b_penalty_rate": ("rates", True),
        "b2b_minimum_rate": ("rates", False),
        "legal_rate_other": ("rates", True),
        "b2b_indemnity": ("fixed", True),
    },
    "BE": {
        "b2b_rate": ("rates", True),
        "b2b_indemnity": ("fixed", True),
        "b2c_indemnity": ("scale", True),
    },
}


@dataclass(frozen=True)
class RateTable:
    """Every dated rate and indemnity, keyed by (jurisdiction, name)."""

    rates: Mapping[tuple[str, str], tuple[DatedRate, ...]]
    fixed: Mapping[tuple[str, str], FixedAmount]
    scales: Mapping[tuple[str, str], IndemnityScale]
    origin: str = "rates.yaml"

    def rate(self, jurisdiction: str, name: str, on: date) -> DatedRate:
        """The rate `name` in force on `on`, e.g. rate("FR", "b2b_penalty_rate", d)."""
        for entry in self.rates.get((jurisdiction, name), ()):
            if entry.start <= on <= entry.end:
                return entry
        half = "H1" if on.month <= 6 else "H2"
        raise ConfigError(
            f"{self.origin} has no {jurisdiction}.{name} for {on.year}-{half} (needed for "
            f"{on.isoformat()}): add an entry with period: {on.year}-{half}"
        )

    def fixed_amount(self, jurisdiction: str, name: str) -> FixedAmount:
        return self.fixed[(jurisdiction, name)]

    def scale(self, jurisdiction: str, name: str) -> IndemnityScale:
        return self.scales[(jurisdiction, name)]


class _Reader:
    """Turns the parsed YAML into typed values, reporting errors with line and key path."""

    def __init__(self, text: str, origin: str):
        self.origin = origin
        try:
            self.root = yaml.compose(text)
            self.data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise ConfigError(f"{origin} is not valid YAML: {exc}") from exc

    def fail(self, path: tuple[str | int, ...], message: str) -> NoReturn:
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        raise ConfigError(f"{self.origin} line {self._line(path)}, {where or 'top'}: {message}")

    def _line(self, path: tuple[str | int, ...]) -> int:
        # Walk the node tree as far as the path goes; a missing key reports its parent.
        # A mapping entry reports the line of its key ("FR:"), not of its first child.
        node = self.root
        line = node.start_mark.line + 1 if node is not None else 1
        for part in path:
            if isinstance(node, yaml.MappingNode):
                match = [(k, v) for k, v in node.value if str(k.value) == str(part)]
                if not match:
                    break
                key, node = match[0]
                line = key.start_mark.line + 1
            elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
                if part >= len(node.value):
                    break
                node = node.value[part]
                line = node.start_mark.line + 1
            else:
                break
        return line

    def mapping(self, value: Any, path: tuple[str | int, ...], allowed: set[str]) -> dict:
        if not isinstance(value, dict):
            self.fail(path, f"expected a mapping with keys {', '.join(sorted(allowed))}")
        unknown = sorted(str(k) for k in value if str(k) not in allowed)
        if unknown:
            self.fail(
                path + (unknown[0],),
                f"unknown key {unknown[0]!r}; allowed here: {', '.join(sorted(allowed))}",
            )
        return value

    def decimal(self, value: Any, path: tuple[str | int, ...]) -> Decimal:
        # Numbers are written quoted; an unquoted 12.5 is accepted through str() so the
        # value is the one the owner typed, not its binary float approximation.
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(path, f"expected a number such as \"12.15\", got {value!r}")
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(path, f"{value!r} is not a number; write it like \"12.15\"")
        if not number.is_finite() or number < 0:
            self.fail(path, f"{value!r} must be a finite number >= 0")
        return number

    def text(self, value: Any, path: tuple[str | int, ...]) -> str:
        if not isinstance(value, str) or not value.strip():
            self.fail(path, "expected a non-empty text saying where the value comes from")
        return value.strip()

    def flag(self, value: Any, path: tuple[str | int, ...]) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {value!r}")
        return value

    def require(self, m: dict, key: str, path: tuple[str | int, ...]) -> Any:
        if key not in m:
            self.fail(path, f"missing key {key!r}")
        return m[key]

    def period(self, value: Any, path: tuple[str | int, ...]) -> tuple[date, date]:
        raw = str(value).strip()
        year_s, _, half = raw.partition("-")
        if year_s.isdigit() and len(year_s) == 4:
            year = int(year_s)
            if half == "":
                return date(year, 1, 1), date(year, 12, 31)
            if half.upper() == "H1":
                return date(year, 1, 1), date(year, 6, 30)
            if half.upper() == "H2":
                return date(year, 7, 1), date(year, 12, 31)
        self.fail(path, f"period {raw!r} must read YYYY-H1, YYYY-H2 or YYYY")

    def rates(self, value: Any, path: tuple[str | int, ...]) -> tuple[DatedRate, ...]:
        if not isinstance(value, list) or not value:
            self.fail(path, "expected a list of {period, percent, verified, source}")
        out: list[DatedRate] = []
        for i, item in enumerate(value):
            p = path + (i,)
            m = self.mapping(item, p, {"period", "percent", "verified", "source"})
            start, end = self.period(self.require(m, "period", p), p + ("period",))
            percent = self.decimal(self.require(m, "percent", p), p + ("percent",))
            if percent > 100:
                self.fail(p + ("percent",), f"{percent} % a year is not plausible: a typo?")
            entry = DatedRate(
                start,
                end,
                percent,
                self.flag(self.require(m, "verified", p), p + ("verified",)),
                self.text(self.require(m, "source", p), p + ("source",)),
            )
            for other in out:
                if entry.start <= other.end and other.start <= entry.end:
                    self.fail(p + ("period",), f"overlaps the period starting {other.start}")
            out.append(entry)
        return tuple(sorted(out, key=lambda r: r.start))

    def fixed(self, value: Any, path: tuple[str | int, ...]) -> FixedAmount:
        m = self.mapping(value, path, {"amount", "verified", "source"})
        return FixedAmount(
            self.decimal(self.require(m, "amount", path), path + ("amount",)),
            self.flag(self.require(m, "verified", path), path + ("verified",)),
            self.text(self.require(m, "source", path), path + ("source",)),
        )

    def scale(self, value: Any, path: tuple[str | int, ...]) -> IndemnityScale:
        m = self.mapping(value, path, {"brackets", "maximum", "verified", "source"})
        raw = self.require(m, "brackets", path)
        if not isinstance(raw, list) or not raw:
            self.fail(path + ("brackets",), "expected a list of {up_to, fixed, percent, above}")
        brackets: list[Bracket] = []
        for i, item in enumerate(raw):
            p = path + ("brackets", i)
            b = self.mapping(item, p, {"up_to", "fixed", "percent", "above"})
            up_to = self.decimal(b["up_to"], p + ("up_to",)) if b.get("up_to") is not None else None
            last = i == len(raw) - 1
            if (up_to is None) != last:
                self.fail(p, "every bracket but the last needs up_to; the last must not have one")
            if brackets and up_to is not None and up_to <= brackets[-1].up_to:  # type: ignore[operator]
                self.fail(p + ("up_to",), "brackets must be in increasing order of up_to")
            brackets.append(
                Bracket(
                    up_to,
                    self.decimal(self.require(b, "fixed", p), p + ("fixed",)),
                    self.decimal(b.get("percent", 0), p + ("percent",)),
                    self.decimal(b.get("above", 0), p + ("above",)),
                )
            )
        maximum = m.get("maximum")
        return IndemnityScale(
            tuple(brackets),
            self.decimal(maximum, path + ("maximum",)) if maximum is not None else None,
            self.flag(self.require(m, "verified", path), path + ("verified",)),
            self.text(self.require(m, "source", path), path + ("source",)),
        )


def load_rates(path: str | Path | None = None) -> RateTable:
    """Read the packaged rates.yaml, or the owner's file at `path`.

    >>> load_rates().rate("FR", "b2b_penalty_rate", date(2026, 3, 1)).percent
    Decimal('12.15')
    """
    if path is None:
        text = resources.files("mailbot").joinpath("data/rates.yaml").read_text("utf-8")
        origin = "mailbot/data/rates.yaml"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read rates file {path}: {exc.strerror}") from exc
        origin = str(path)
    reader = _Reader(text, origin)
    top = reader.mapping(reader.data, (), {"schema", *_SCHEMA})
    if top.get("schema") != 1:
        reader.fail(("schema",), "expected schema: 1 (the only format this mailbot reads)")

    rates: dict[tuple[str, str], tuple[DatedRate, ...]] = {}
    fixed: dict[tuple[str, str], FixedAmount] = {}
    scales: dict[tuple[str, str], IndemnityScale] = {}
    for juris, keys in _SCHEMA.items():
        section = reader.mapping(reader.require(top, juris, ()), (juris,), set(keys))
        for key, (kind, required) in keys.items():
            if key not in section:
                if required:
                    reader.fail((juris,), f"missing key {key!r}: late_charges needs it")
                continue
            p = (juris, key)
            if kind == "rates":
                rates[(juris, key)] = reader.rates(section[key], p)
            elif kind == "fixed":
                fixed[(juris, key)] = reader.fixed(section[key], p)
            else:
                scales[(juris, key)] = reader.scale(section[key], p)
    return RateTable(
        MappingProxyType(rates), MappingProxyType(fixed), MappingProxyType(scales), origin
    )


# --- Computing charges -----------------------------------------------------------------


@dataclass(frozen=True)
class InterestPeriod:
    """Interest for the days `first`..`last` (both counted) at one half-year's rate."""

    first: date
    last: date
    days: int
    percent: Decimal
    interest: Decimal  # exact, not rounded: rounding happens once, on the total
    verified: bool
    source: str


@dataclass(frozen=True)
class Charges:
    """What may be claimed on one invoice on a given day, and how it was computed.

    `days` is the days late since the due date; the days that bear interest are in
    `periods` (fewer when interest only runs from a formal notice or a grace period).
    """

    allowed: bool
    why_not: str | None
    interest: Decimal
    indemnity: Decimal
    days: int
    periods: tuple[InterestPeriod, ...] = ()
    lines: tuple[str, ...] = ()
    unverified: tuple[str, ...] = ()  # sources of values domain.md marks unverified

    @property
    def rate(self) -> tuple[Decimal, ...]:
        """The yearly rate (percent) applied to each period, in order."""
        return tuple(p.percent for p in self.periods)

    @property
    def total(self) -> Decimal:
        return self.interest + self.indemnity

    @property
    def verified(self) -> bool:
        return not self.unverified


def _half_years(first: date, last: date) -> list[tuple[date, date]]:
    """Split first..last (inclusive) at each 1 January and 1 July."""
    chunks = []
    start = first
    while start <= last:
        boundary = date(start.year, 7, 1) if start.month <= 6 else date(start.year + 1, 1, 1)
        end = min(last, boundary - timedelta(days=1))
        chunks.append((start, end))
        start = end + timedelta(days=1)
    return chunks


def _money(value: Decimal, locale: str, places: int = 2) -> str:
    return format_decimal(value, format="#,##0." + "0" * places, locale=locale)


def _percent(value: Decimal, locale: str) -> str:
    return format_percent(value / 100, locale=locale, decimal_quantization=False)


def _interest(
    amount: Decimal,
    last_day_not_counted: date,
    on: date,
    jurisdiction: str,
    series: str,
    rates: RateTable,
    locale: str,
) -> tuple[Decimal, tuple[InterestPeriod, ...], list[str]]:
    if on <= last_day_not_counted:
        return Decimal(0), (), []
    periods = []
    for first, last in _half_years(last_day_not_counted + timedelta(days=1), on):
        entry = rates.rate(jurisdiction, series, first)
        days = (last - first).days + 1
        exact = amount * entry.percent / 100 * days / DAYS_PER_YEAR
        periods.append(
            InterestPeriod(first, last, days, entry.percent, exact, entry.verified, entry.source)
        )
    total = sum((p.interest for p in periods), Decimal(0)).quantize(CENT, ROUND_HALF_UP)
    # One period: the familiar "a x r x d / 365 = i". Several: each part to 4 places,
    # so the reader can add them up and land on the total rounded once.
    places = 2 if len(periods) == 1 else 4
    lines = [
        f"{_money(amount, locale)} × {_percent(p.percent, locale)} × {p.days} / "
        f"{DAYS_PER_YEAR} = {_money(p.interest.quantize(Decimal(10) ** -places, ROUND_HALF_UP), locale, places)}"
        for p in periods
    ]
    if len(periods) > 1:
        parts = " + ".join(
            _money(p.interest.quantize(Decimal("0.0001"), ROUND_HALF_UP), locale, 4)
            for p in periods
        )
        lines.append(f"{parts} = {_money(total, locale)}")
    return total, tuple(periods), lines


def _scaled_indemnity(amount: Decimal, scale: IndemnityScale, locale: str) -> tuple[Decimal, str]:
    b = scale.bracket_for(amount)
    value = (b.fixed + b.percent / 100 * (amount - b.above)).quantize(CENT, ROUND_HALF_UP)
    if b.percent:
        line = (
            f"{_money(b.fixed, locale)} + {_percent(b.percent, locale)} × "
            f"({_money(amount, locale)} − {_money(b.above, locale)}) = {_money(value, locale)}"
        )
    else:
        line = f"{_money(value, locale)}"
    if scale.maximum is not None and value > scale.maximum:
        value = scale.maximum
        line += f" → max. {_money(value, locale)}"
    return value, line


def _grace_end(first_reminder_date: date, grace_days: int) -> date:
    # Day 1 is the day after the electronic reminder; the last day of the period is the last
    # day the consumer may still pay without charges.
    if isinstance(grace_days, bool) or not isinstance(grace_days, int) or grace_days < BE_B2C_GRACE_DAYS:
        raise ChargesError(
            f"grace_days {grace_days!r}: Belgian consumer law gives at least {BE_B2C_GRACE_DAYS} "
            "days after the first reminder; set rules.yaml b2c.min_final_date_days to 14 or more"
        )
    return first_reminder_date + timedelta(days=grace_days)


@dataclass(frozen=True)
class ConsumerTerms:
    """What a Belgian consumer's first (free) reminder announces for one invoice.

    `deadline` is the last day to pay without charges; from `charges_from` on, `late_charges`
    allows `indemnity` (the scale's value for `amount`, `line` shows how) plus interest at
    `interest_percent` (the B2B rate in force on `charges_from`, None when rates.yaml has no
    entry for that half-year yet). `line` is the bracket's arithmetic, empty for a flat amount.
    """

    amount: Decimal
    indemnity: Decimal
    line: str
    deadline: date
    charges_from: date
    interest_percent: Decimal | None
    unverified: tuple[str, ...] = ()


def consumer_terms(
    *,
    amount: Decimal,
    sent_on: date,
    rates: RateTable,
    grace_days: int = BE_B2C_GRACE_DAYS,
    locale: str = "fr_FR",
) -> ConsumerTerms:
    """The terms a BE consumer's first reminder e-mailed on `sent_on` states (Code de droit économique XIX.2).

    >>> t = consumer_terms(amount=Decimal("480.00"), sent_on=date(2026, 1, 15), rates=load_rates())
    >>> t.indemnity, t.deadline, t.charges_from
    (Decimal('63.00'), datetime.date(2026, 1, 29), datetime.date(2026, 1, 30))
    """
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount <= 0:
        raise ChargesError(f"amount must be a positive decimal.Decimal, got {amount!r}: pass Decimal('480.00')")
    deadline = _grace_end(sent_on, grace_days)
    charges_from = deadline + timedelta(days=1)
    scale = rates.scale("BE", "b2c_indemnity")
    indemnity, line = _scaled_indemnity(amount, scale, locale)
    if not scale.bracket_for(amount).percent:
        line = ""  # a flat amount: nothing to show beyond the amount itself
    unverified = [] if scale.verified else [scale.source]
    try:
        rate: DatedRate | None = rates.rate("BE", "b2b_rate", charges_from)
    except ConfigError:
        rate = None  # the interest is still owed later; only its rate cannot be named today
    if rate is not None and not rate.verified:
        unverified.insert(0, rate.source)
    return ConsumerTerms(
        amount=amount,
        indemnity=indemnity,
        line=line,
        deadline=deadline,
        charges_from=charges_from,
        interest_percent=rate.percent if rate is not None else None,
        unverified=tuple(dict.fromkeys(unverified)),
    )


def late_charges(
    *,
    amount: Decimal,
    due_date: date,
    on: date,
    jurisdiction: Jurisdiction,
    b2c: bool,
    rates: RateTable,
    formal_notice_date: date | None = None,
    first_reminder_date: date | None = None,
    grace_days: int = BE_B2C_GRACE_DAYS,
    locale: str = "fr_FR",
) -> Charges:
    """The interest and indemnity the law allows on an invoice of `amount` on day `on`.

    `locale` only formats `lines`. For BE B2C, `first_reminder_date` is the day an
    electronic first reminder was sent (a postal one starts later: not supported) and
    `grace_days` the period that reminder gave to pay (14 at least; more if it said more).

    >>> c = late_charges(amount=Decimal("10000"), due_date=date(2026, 3, 31),
    ...                  on=date(2026, 4, 30), jurisdiction="FR", b2c=False, rates=load_rates())
    >>> c.interest, c.indemnity, c.days
    (Decimal('99.86'), Decimal('40.00'), 30)
    """
    if not isinstance(amount, Decimal) or not amount.is_finite():
        raise ChargesError(
            f"amount must be a finite decimal.Decimal, got {amount!r}: pass Decimal('1440.00')"
        )
    if amount <= 0:
        raise ChargesError(f"amount {amount} must be positive: nothing is owed otherwise")
    if jurisdiction not in _SCHEMA:
        raise ChargesError(
            f"jurisdiction {jurisdiction!r} is not supported: use one of {', '.join(_SCHEMA)}"
        )
    days = days_late(due_date, on)
    nothing = Decimal("0.00")

    def refuse(why: str) -> Charges:
        return Charges(False, why, nothing, nothing, days)

    if days == 0:
        return refuse(f"not overdue on {on.isoformat()}: due {due_date.isoformat()}")

    unverified: list[str] = []
    lines: list[str] = []
    if not b2c:
        series = "b2b_penalty_rate" if jurisdiction == "FR" else "b2b_rate"
        interest, periods, lines = _interest(
            amount, due_date, on, jurisdiction, series, rates, locale
        )
        fixed = rates.fixed_amount(jurisdiction, "b2b_indemnity")
        indemnity = fixed.amount.quantize(CENT)
        if not fixed.verified:
            unverified.append(fixed.source)
    elif jurisdiction == "FR":
        if formal_notice_date is None:
            return refuse(
                "consumer debt: interest runs only from a formal notice (mise en demeure, "
                "Code civil 1231-6) and no indemnity or fees may be charged (L111-8 CPCE); "
                "send a formal notice first"
            )
        # Legal interest from the notice; the days counted start the day after it, as for
        # a due date. A notice sent before the due date cannot start it earlier.
        start = max(due_date, formal_notice_date)
        interest, periods, lines = _interest(
            amount, start, on, "FR", "legal_rate_other", rates, locale
        )
        indemnity = nothing
    else:  # BE, consumer
        if first_reminder_date is None:
            return refuse(
                "consumer debt: the first reminder is free and nothing may be charged until "
                f"{BE_B2C_GRACE_DAYS} days after it (Code de droit économique XIX.2): send it first"
            )
        if first_reminder_date <= due_date:
            return refuse(
                f"the first reminder of {first_reminder_date.isoformat()} predates the debt "
                f"being overdue (due {due_date.isoformat()}): only a reminder sent after the "
                "due date starts the 14-day period"
            )
        grace_end = _grace_end(first_reminder_date, grace_days)
        if on <= grace_end:
            return refuse(
                f"consumer debt: no charges until the {grace_days}-day period after the "
                f"first reminder of {first_reminder_date.isoformat()} ends on "
                f"{grace_end.isoformat()}; charges are allowed from "
                f"{(grace_end + timedelta(days=1)).isoformat()}"
            )
        # Interest counts only after the grace period (the reading that holds for every
        # creditor; small firms may have more, unverified) at the B2B rate, the cap.
        interest, periods, lines = _interest(
            amount, grace_end, on, "BE", "b2b_rate", rates, locale
        )
        scale = rates.scale("BE", "b2c_indemnity")
        indemnity, indemnity_line = _scaled_indemnity(amount, scale, locale)
        lines.append(indemnity_line)
        if not scale.verified:
            unverified.append(scale.source)

    unverified[:0] = [p.source for p in periods if not p.verified]
    return Charges(
        allowed=True,
        why_not=None,
        interest=interest,
        indemnity=indemnity,
        days=days,
        periods=periods,
        lines=tuple(lines),
        unverified=tuple(dict.fromkeys(unverified)),  # once each, in order
    )
