"""Settings from the environment, read once at start into a frozen dataclass.

Nothing else in mailbot reads os.environ: the CLI builds a `Settings` and passes it in.
"""

from __future__ import annotations

import ipaddress
import os
import shlex
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import getaddresses
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

TLS_MODES = ("implicit", "starttls", "none")


@dataclass(frozen=True)
class Endpoint:
    """One server mailbot logs in to (IMAP or SMTP)."""

    kind: str  # "IMAP" | "SMTP"
    host: str
    port: int
    user: str
    tls: str  # implicit | starttls | none
    auth: str = "password"  # password | xoauth2
    password_source: str = ""  # how the secret is obtained, for messages (never the secret)
    _secret: str = field(default="", repr=False)
    verify_tls: bool = True

    def secret(self) -> str:
        return self._secret

    def describe(self) -> str:
        return f"{self.kind} {self.user}@{self.host}:{self.port} ({self.tls})"


@dataclass(frozen=True)
class Settings:
    imap: Endpoint | None  # None: the embedded local mailbox (no account needed)
    smtp: Endpoint | None
    address: str  # the bot's own address, e.g. relances@acme.fr
    owners: tuple[str, ...]
    data_dir: Path
    timezone: ZoneInfo
    clock_start: datetime | None = None
    rules_path: Path | None = None
    trust_unauthenticated_owners: bool = False
    trusted_authserv_ids: tuple[str, ...] = ()
    # MAILBOT_* tuning variables (limits, flood thresholds), secrets excluded, for the parts that
    # read their own knobs (intake.Limits.from_env, guard.GuardPolicy.from_rules).
    tuning: tuple[tuple[str, str], ...] = ()
    max_message_bytes: int = 25 * 1024 * 1024  # larger messages are quarantined unread
    max_attachment_bytes: int = 15 * 1024 * 1024
    embedded_smtp_port: int = 2525
    tick_seconds: float = 60.0  # the longest wait in IDLE: due reminders are planned at least this often
    clock_file: Path | None = None  # test-only: read "now" from this file (see clock.FileClock)

    @property
    def env(self) -> dict[str, str]:
        return dict(self.tuning)

    @property
    def embedded(self) -> bool:
        return self.imap is None

    def is_owner_address(self, addr: str) -> bool:
        return addr.strip().lower() in self.owners


def env_number(env: Mapping[str, str], key: str, default: float, *, whole: bool = True) -> float:
    """A positive tuning number from the environment; unset or blank keeps `default`.

    >>> env_number({"MAILBOT_FLOOD_MINUTES": "15"}, "MAILBOT_FLOOD_MINUTES", 10)
    15
    """
    raw = env.get(key)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw) if whole else float(raw)
    except ValueError:
        kind = "a whole number" if whole else "a number"
        raise ConfigError(f"{key}={raw!r} is not {kind}; set it to e.g. {default:g}") from None
    if value <= 0:
        raise ConfigError(f"{key}={raw!r} must be at least 1" if whole else f"{key}={raw!r} must be positive")
    return value


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(prefix: str, env: dict[str, str]) -> tuple[str, str]:
    """Returns (secret, where it came from). The secret never appears in an error message."""
    if f"{prefix}_PASSWORD" in env:
        return env[f"{prefix}_PASSWORD"], f"{prefix}_PASSWORD"
    if f"{prefix}_PASSWORD_FILE" in env:
        path = Path(env[f"{prefix}_PASSWORD_FILE"])
        try:
            return path.read_text(encoding="utf-8").strip(), f"{prefix}_PASSWORD_FILE"
        except OSError as exc:
            raise ConfigError(
                f"{prefix}_PASSWORD_FILE: cannot read {path} ({exc.strerror}); fix the path or its permissions"
            ) from None
    if f"{prefix}_PASSWORD_COMMAND" in env:
        cmd = env[f"{prefix}_PASSWORD_COMMAND"]
        try:
            out = subprocess.run(shlex.split(cmd), capture_output=True, text=True, timeout=30, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise ConfigError(f"{prefix}_PASSWORD_COMMAND could not run ({type(exc).__name__}); check the command") from None
        if out.returncode != 0:
            raise ConfigError(f"{prefix}_PASSWORD_COMMAND exited with {out.returncode}; run it by hand to see why")
        return out.stdout.strip(), f"{prefix}_PASSWORD_COMMAND"
    return "", ""


def _endpoint(kind: str, env: dict[str, str], default_port: dict[str, int]) -> Endpoint | None:
    prefix = f"MAILBOT_{kind}"
    host = env.get(f"{prefix}_HOST", "").strip()
    if not host:
        return None
    tls = env.get(f"{prefix}_TLS", "implicit" if kind == "IMAP" else "starttls").strip().lower()
    if tls not in TLS_MODES:
        raise ConfigError(f"{prefix}_TLS must be one of {', '.join(TLS_MODES)}, got {tls!r}")
    if tls == "none" and not _is_loopback(host):
        raise ConfigError(
            f"{prefix}_TLS=none is allowed only for a loopback host (127.0.0.1, localhost), "
            f"not {host!r}: use implicit or starttls"
        )
    port_text = env.get(f"{prefix}_PORT", str(default_port[tls]))
    try:
        port = int(port_text)
    except ValueError:
        raise ConfigError(f"{prefix}_PORT must be a number, got {port_text!r}") from None
    user = env.get(f"{prefix}_USER", "").strip()
    if not user:
        raise ConfigError(f"{prefix}_USER is not set; set it to the account's login")
    secret, source = _secret(prefix, env)
    if not secret:
        raise ConfigError(f"{prefix}: set {prefix}_PASSWORD, {prefix}_PASSWORD_FILE or {prefix}_PASSWORD_COMMAND")
    auth = env.get(f"{prefix}_AUTH", "password").strip().lower()
    if auth not in ("password", "xoauth2"):
        raise ConfigError(f"{prefix}_AUTH must be 'password' or 'xoauth2', got {auth!r}")
    verify = env.get(f"{prefix}_TLS_VERIFY", "1") not in ("0", "no", "false")
    if not verify and not _is_loopback(host):
        raise ConfigError(f"{prefix}_TLS_VERIFY=0 is allowed only for a loopback host, not {host!r}")
    return Endpoint(kind, host, port, user, tls, auth, source, secret, verify)


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build Settings from environment variables (see README, 'Configuration')."""
    env = dict(os.environ if env is None else env)
    imap = _endpoint("IMAP", env, {"implicit": 993, "starttls": 143, "none": 143})
    smtp = _endpoint("SMTP", env, {"implicit": 465, "starttls": 587, "none": 25})
    if (imap is None) != (smtp is None):
        missing = "MAILBOT_SMTP_HOST" if smtp is None else "MAILBOT_IMAP_HOST"
        raise ConfigError(f"{missing} is not set: set both IMAP and SMTP, or neither for the embedded local mailbox")
    embedded = imap is None
    address = env.get("MAILBOT_ADDRESS", "mailbot@localhost" if embedded else "").strip().lower()
    if "@" not in address:
        raise ConfigError("MAILBOT_ADDRESS must be the bot's email address, e.g. relances@acme.fr")
    owners_text = env.get("MAILBOT_OWNERS", "owner@localhost" if embedded else "")
    owners = tuple(a.lower() for _, a in getaddresses([owners_text]) if "@" in a)
    if not owners:
        raise ConfigError("MAILBOT_OWNERS must list at least one owner address, comma-separated")
    data_dir = Path(env.get("MAILBOT_DATA_DIR", "var/mailbot")).expanduser()
    tz_name = env.get("MAILBOT_TIMEZONE", "Europe/Paris")
    try:
        tz = ZoneInfo(tz_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"MAILBOT_TIMEZONE: unknown time zone {tz_name!r}; use an IANA name like Europe/Brussels") from None
    clock_start = None
    if env.get("MAILBOT_CLOCK_START"):
        try:
            clock_start = datetime.fromisoformat(env["MAILBOT_CLOCK_START"])
        except ValueError:
            raise ConfigError(
                f"MAILBOT_CLOCK_START must be an ISO date-time like 2026-12-01T09:00, got {env['MAILBOT_CLOCK_START']!r}"
            ) from None
        if clock_start.tzinfo is None:
            clock_start = clock_start.replace(tzinfo=tz)
    rules = env.get("MAILBOT_RULES")
    trust = env.get("MAILBOT_TRUST_UNAUTHENTICATED_OWNERS", "1" if embedded else "0") in ("1", "yes", "true")
    authserv = tuple(s.strip().lower() for s in env.get("MAILBOT_TRUSTED_AUTHSERV_IDS", "").split(",") if s.strip())
    max_mb = env.get("MAILBOT_MAX_MESSAGE_MB", "25")
    try:
        max_bytes = int(float(max_mb) * 1024 * 1024)
    except ValueError:
        raise ConfigError(f"MAILBOT_MAX_MESSAGE_MB must be a number of megabytes, got {max_mb!r}") from None
    att_mb = env.get("MAILBOT_MAX_ATTACHMENT_MB", "15")
    try:
        max_att = int(float(att_mb) * 1024 * 1024)
    except ValueError:
        raise ConfigError(f"MAILBOT_MAX_ATTACHMENT_MB must be a number of megabytes, got {att_mb!r}") from None
    tick_text = env.get("MAILBOT_TICK_SECONDS", "60")
    try:
        tick = float(tick_text)
        if not 0.05 <= tick <= 25 * 60:
            raise ValueError
    except ValueError:
        raise ConfigError(f"MAILBOT_TICK_SECONDS must be a number of seconds between 0.05 and 1500, got {tick_text!r}") from None
    clock_file = Path(env["MAILBOT_CLOCK_FILE"]) if env.get("MAILBOT_CLOCK_FILE") else None
    if clock_file is not None and clock_start is not None:
        raise ConfigError("set MAILBOT_CLOCK_START or MAILBOT_CLOCK_FILE, not both")
    port_text = env.get("MAILBOT_EMBEDDED_SMTP_PORT", "2525")
    if not port_text.isdigit():
        raise ConfigError(f"MAILBOT_EMBEDDED_SMTP_PORT must be a port number, got {port_text!r}")
    tuning = tuple(sorted((k, v) for k, v in env.items()
                          if k.startswith("MAILBOT_") and "PASSWORD" not in k and "SECRET" not in k and "TOKEN" not in k))
    return Settings(
        tuning=tuning,
        imap=imap,
        smtp=smtp,
        address=address,
        owners=owners,
        data_dir=data_dir,
        timezone=tz,
        clock_start=clock_start,
        rules_path=Path(rules) if rules else None,
        trust_unauthenticated_owners=trust,
        trusted_authserv_ids=authserv,
        max_message_bytes=max_bytes,
        max_attachment_bytes=max_att,
        embedded_smtp_port=int(port_text),
        tick_seconds=tick,
        clock_file=clock_file,
    )
