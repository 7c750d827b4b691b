"""rules.yaml -> typed, frozen objects, validated once at start.

Every error names the place in the file (``rules.yaml line 12, stages[2].after``) and the fix,
so a typo is caught by ``mailbot check`` and not at 9:00 on a Tuesday.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from .errors import ConfigError

CHANNELS = ("email", "call", "letter")
LANGUAGES = ("fr", "en", "nl", "de")
REFERENCE_SCHEMES = ("invoice", "be", "rf")


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

    def describe(self) -> str:
        when = f"{abs(self.after)} day{'s' if abs(self.after) != 1 else ''} {'before' if self.after < 0 else 'after'} the due date"
        if self.after == 0:
            when = "on the due date"
        what = {"email": "email", "call": "call task in the owner's digest", "letter": "formal letter"}[self.channel]
        return f"stage {self.index + 1} '{self.name}': {what} {when} ({self.tone} tone, template {self.template})"


@dataclass(frozen=True)
class Business:
    name: str
    country: str = "FR"
    language: str = "en"  # the owner's language, for notes to the owner
    iban: str | None = None
    bic: str | None = None
    reference: str = "invoice"
    phone: str | None = None


@dataclass(frozen=True)
class Policy:
    reply_pause_days: int = 7  # a client reply with no clear intent pauses the file this long
    promise_grace_days: int = 3
    dispute_pause_days: int = 90
    min_gap_days: int = 5
    max_auto_replies_per_day: int = 3
    dry_run: bool = False


@dataclass(frozen=True)
class Rules:
    business: Business
    stages: tuple[Stage, ...]
    policy: Policy = field(default_factory=Policy)
    source: str = "rules.yaml"

    def stage_named(self, name: str) -> Stage | None:
        return next((s for s in self.stages if s.name == name), None)

    def describe(self) -> list[str]:
        lines = [s.describe() for s in self.stages]
        lines.append(f"then the file is handed to the owner; a client reply pauses it {self.policy.reply_pause_days} days")
        return lines


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
        return value

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

    b = _Reader(source, "business", top.get("business", dict, hint="add a 'business:' section with at least 'name'"))
    business = Business(
        name=b.get("name", str, hint="the name clients know you by, e.g. 'ACME SARL'"),
        country=b.get("country", str, "FR").upper(),
        language=b.choice("language", LANGUAGES, "en"),
        iban=b.get("iban", str, None),
        bic=b.get("bic", str, None),
        reference=b.choice("reference", REFERENCE_SCHEMES, "invoice"),
        phone=b.get("phone", str, None),
    )
    b.finish()

    raw_stages = top.get("stages", list, hint="list the reminder stages")
    if not isinstance(raw_stages, list) or not raw_stages:
        raise ConfigError(f"{source}: 'stages' must be a non-empty list of stages")
    stages = []
    for i, raw in enumerate(raw_stages):
        s = _Reader(source, f"stages[{i}]", raw)
        name = s.get("name", str, hint="give each stage a short name like 'friendly'")
        after = s.get("after", int, hint="days after the due date, e.g. 'after: 7' (negative for before)")
        stage = Stage(
            index=i,
            name=name,
            after=after,
            template=s.get("template", str, name),
            tone=s.get("tone", str, "neutral"),
            channel=s.choice("channel", CHANNELS, "email"),
            attach_invoice=s.get("attach_invoice", bool, True),
            charges=s.get("charges", bool, False),
            final_date_days=s.get("final_date_days", int, 8),
        )
        s.finish()
        if stages and stage.after <= stages[-1].after:
            raise ConfigError(
                f"{s._loc('after')}: stage {i + 1} '{name}' comes {stage.after} days after the due date, "
                f"not later than stage {i} ({stages[-1].after}); list stages in increasing 'after' order"
            )
        if any(x.name == name for x in stages):
            raise ConfigError(f"{s._loc('name')}: stage name {name!r} is used twice; names must be unique")
        stages.append(stage)

    p = _Reader(source, "policy", top.get("policy", dict, {}))
    policy = Policy(
        reply_pause_days=p.get("reply_pause_days", int, 7),
        promise_grace_days=p.get("promise_grace_days", int, 3),
        dispute_pause_days=p.get("dispute_pause_days", int, 90),
        min_gap_days=p.get("min_gap_days", int, 5),
        max_auto_replies_per_day=p.get("max_auto_replies_per_day", int, 3),
        dry_run=p.get("dry_run", bool, False),
    )
    p.finish()
    top.finish()
    return Rules(business=business, stages=tuple(stages), policy=policy, source=source)


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
