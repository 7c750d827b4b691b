"""The kill -9 torture: a scripted busy month on Dovecot and a sink in its own process, while a
`mailbot run` subprocess is killed with SIGKILL at random moments and restarted.

The scenario is a list of phases, each at one fixed time (the daemon reads "now" from a file,
MAILBOT_CLOCK_FILE): message phases deliver forwards, client replies and owner commands; time
phases move the clock one day on and deliver one probe (an out-of-office from a stranger), so
the torture can tell when the daemon has run a full step at the new time. A phase ends when
every message is recorded, INBOX is empty, a step has ended after that, and nothing is left to
send. Nothing is due in a message phase (every invoice falls due later), so how the daemon
happens to split a phase into steps cannot change what it decides: a run without kills gives
the same store, which is what `compare_stores` checks.

After each kill, the outbox entries left in `sending` whose Message-ID the sink already holds
are the documented window (accepted by SMTP, killed before the `sent` commit): they are the
only messages allowed to reach the sink twice, and they are counted.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import imapclient

from mailbot.daemon import message_key
from mailbot.store import read_state, write_atomic

from .dovecot import PASSWORD, Dovecot, free_port
from .sink_process import read_sink

TZ = ZoneInfo("Europe/Paris")
OWNER = "owner@firm.test"
BOT = "bot@firm.test"
START = datetime(2026, 12, 1, 10, 0, tzinfo=TZ)  # a Tuesday
RULES = """
business:
  name: "Torture Compta"
  country: FR
  language: en
  iban: "FR7630006000011234567890189"
stages:
  - {name: friendly, after: 7, tone: friendly}
  - {name: formal, after: 15, tone: formal}
policy:
  min_gap_days: 3
"""


@dataclass
class Phase:
    kind: str  # "messages" | "time"
    when: datetime
    messages: list[bytes]


def _mail(sender: str, subject: str, body: str, mid: str, when: datetime, **headers: str) -> bytes:
    m = EmailMessage()
    m["From"], m["To"], m["Subject"], m["Message-ID"], m["Date"] = sender, BOT, subject, mid, format_datetime(when)
    for k, v in headers.items():
        m[k.replace("_", "-")] = v
    m.set_content(body)
    return m.as_bytes()


def scenario(seed: int, invoices: int, days: int, batch: int = 25) -> list[Phase]:
    """A busy month: `invoices` forwards on day 0 (and a few later), then `days` days with
    client replies and owner commands; reminders fall due along the way."""
    rng = random.Random(seed)
    n_clients = max(3, invoices // 3)
    clients = [(f"Client {i} SARL", f"billing@client{i}.test") for i in range(n_clients)]
    serial = iter(range(1, 10**6))
    registered: list[tuple[str, str]] = []  # (number, client email)

    def forward(when: datetime, earliest_due: date) -> bytes:
        n = next(serial)
        name, addr = rng.choice(clients)
        number = f"T{seed % 1000:03d}-{n:05d}"
        due = earliest_due + timedelta(days=rng.randint(1, 12))
        body = (f"Hello, here is the invoice.\n\ninvoice: {number}\nclient: {name} <{addr}>\n"
                f"amount: {rng.randint(100, 9000)}.{rng.randint(0, 99):02d} EUR\nissued: {(due - timedelta(days=30)).isoformat()}\n"
                f"due: {due.isoformat()}\n")
        registered.append((number, addr))
        return _mail(OWNER, f"Fwd: Facture {number}", body, f"<fwd-{seed}-{n}@owner.test>", when)

    phases: list[Phase] = []
    day0 = [forward(START, START.date()) for _ in range(invoices)]
    for i in range(0, len(day0), batch):
        phases.append(Phase("messages", START, day0[i : i + batch]))
    for day in range(1, days + 1):
        when = START + timedelta(days=day)
        probe = _mail("robot@elsewhere.test", "Out of office", "I am away.", f"<probe-{seed}-{day}@elsewhere.test>", when,
                      Auto_Submitted="auto-replied")
        phases.append(Phase("time", when, [probe]))
        todays: list[bytes] = []
        # A few talkative clients reply (a reply pauses all their files); the others stay silent.
        talkative = [(num, a) for num, a in registered if a in {c[1] for c in clients[: max(1, n_clients // 5)]}]
        for _ in range(rng.randint(0, 2) if talkative else 0):
            number, addr = rng.choice(talkative)
            n = next(serial)
            text = rng.choice(["We will pay next week.", "Nous avons payé hier, merci.", "Could you send the invoice again?",
                               "We dispute this amount, the delivery was incomplete."])
            todays.append(_mail(addr, f"Re: Facture {number}", text, f"<reply-{seed}-{n}@client.test>", when))
        for _ in range(rng.randint(0, 1)):
            number, _addr = rng.choice(registered)
            n = next(serial)
            todays.append(_mail(OWNER, "done", f"done {number}\n", f"<cmd-{seed}-{n}@owner.test>", when))
        if day % 5 == 0:
            todays += [forward(when, when.date()) for _ in range(rng.randint(1, 3))]
        if todays:
            phases.append(Phase("messages", when, todays))
    return phases


class Daemon:
    """One `mailbot run` subprocess at a time, each with its own log file."""

    def __init__(self, env: dict[str, str], log_dir: Path):
        self.env = env
        self.log_dir = log_dir
        self.proc: subprocess.Popen | None = None
        self.starts = 0
        self.log: Path | None = None

    def start(self) -> None:
        self.starts += 1
        self.log = self.log_dir / f"daemon-{self.starts:04d}.log"
        with open(self.log, "wb") as fh:
            self.proc = subprocess.Popen([sys.executable, "-m", "mailbot", "-v", "run"], env=self.env,
                                         stdin=subprocess.DEVNULL, stdout=fh, stderr=fh)

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log and self.log.exists() else ""

    def wait_connected(self, timeout: float = 60) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if "connected; watching INBOX" in self.text():
                return time.monotonic()
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"mailbot exited with {self.proc.returncode}:\n{self.text()[-3000:]}")
            time.sleep(0.02)
        raise RuntimeError(f"mailbot did not connect within {timeout} s:\n{self.text()[-3000:]}")

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Outcome:
    label: str
    data_dir: Path
    sink_dir: Path
    delivered: list[str] = field(default_factory=list)  # message keys, in order
    kills: int = 0
    window: set[str] = field(default_factory=set)  # Message-IDs accepted by SMTP, killed before `sent`
    seconds: float = 0.0


class Run:
    """One mailbot data directory + one IMAP account + one sink process, driven through phases."""

    def __init__(self, label: str, dovecot: Dovecot, user: str, root: Path, *, seed: int, kills: int = 0,
                 max_gap: float = 1.0, phase_timeout: float = 90):
        self.label, self.dovecot, self.user = label, dovecot, user
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed * 7919 + kills)
        self.kills_wanted = kills
        self.max_gap = max_gap
        self.phase_timeout = phase_timeout
        self.outcome = Outcome(label, root / "data", root / "sink")
        self.clock_file = root / "now.txt"
        self.sink_port = free_port()
        (root / "rules.yaml").write_text(RULES)
        self.sink = subprocess.Popen([sys.executable, "-m", "tests.support.sink_process", str(self.sink_port), str(self.outcome.sink_dir)],
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, text=True,
                                     cwd=Path(__file__).parents[2])
        assert self.sink.stdout is not None and self.sink.stdout.readline().strip() == "ready"
        env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")}
        env |= {
            "MAILBOT_IMAP_HOST": "127.0.0.1", "MAILBOT_IMAP_PORT": str(dovecot.port), "MAILBOT_IMAP_USER": user,
            "MAILBOT_IMAP_PASSWORD": PASSWORD, "MAILBOT_IMAP_TLS": "none",
            "MAILBOT_SMTP_HOST": "127.0.0.1", "MAILBOT_SMTP_PORT": str(self.sink_port),
            "MAILBOT_SMTP_PASSWORD": "unused", "MAILBOT_SMTP_TLS": "none", "MAILBOT_SMTP_USER": "bot",
            "MAILBOT_ADDRESS": BOT, "MAILBOT_OWNERS": OWNER, "MAILBOT_DATA_DIR": str(self.outcome.data_dir),
            "MAILBOT_TIMEZONE": "Europe/Paris", "MAILBOT_TRUST_UNAUTHENTICATED_OWNERS": "1",
            "MAILBOT_RULES": str(root / "rules.yaml"), "MAILBOT_CLOCK_FILE": str(self.clock_file),
            "MAILBOT_TICK_SECONDS": "0.2",
        }
        self.daemon = Daemon(env, root)

    def close(self) -> None:
        self.daemon.stop()
        self.sink.send_signal(signal.SIGTERM)
        self.sink.wait(timeout=20)
        if self.sink.stdout:
            self.sink.stdout.close()

    # -- driving ------------------------------------------------------------------------------
    def play(self, phases: list[Phase]) -> Outcome:
        t0 = time.monotonic()
        # Which phases get a kill: spread evenly when there are more kills than phases.
        per_phase = [0] * len(phases)
        if self.kills_wanted:
            if self.kills_wanted < len(phases):
                for i in self.rng.sample(range(len(phases)), self.kills_wanted):
                    per_phase[i] = 1
            else:
                for i in range(self.kills_wanted):
                    per_phase[i % len(phases)] += 1
        write_atomic(self.clock_file, phases[0].when.isoformat().encode())
        self.daemon.start()
        self.daemon.wait_connected()
        imap = imapclient.IMAPClient("127.0.0.1", port=self.dovecot.port, ssl=False)
        imap.login(self.user, PASSWORD)
        try:
            for phase, kills in zip(phases, per_phase):
                write_atomic(self.clock_file, phase.when.isoformat().encode())
                keys = []
                for raw in phase.messages:
                    imap.append("INBOX", raw)
                    keys.append(message_key(raw))
                self.outcome.delivered += keys
                self._settle(imap, keys, phase.when, kills)
        finally:
            imap.logout()
            self.daemon.stop()
        self.outcome.seconds = time.monotonic() - t0
        return self.outcome

    def _kill_and_restart(self) -> None:
        self.daemon.kill9()
        self.outcome.kills += 1
        state = read_state(self.outcome.data_dir)
        in_sink = {str(m["Message-ID"]).strip() for m in read_sink(self.outcome.sink_dir)}
        for e in state.get("outbox", {}).values():
            if e["state"] == "sending" and e["message_id"] in in_sink:
                self.outcome.window.add(e["message_id"])
        self.daemon.start()

    def _settle(self, imap: imapclient.IMAPClient, keys: list[str], now: datetime, kills: int) -> None:
        connected = self.daemon.wait_connected()
        kill_at = [connected + self.rng.uniform(0, self.max_gap) for _ in range(kills)]
        deadline = time.monotonic() + self.phase_timeout
        mark: tuple[Path, int] | None = None
        while True:
            if kill_at and time.monotonic() >= kill_at[0]:
                kill_at.pop(0)
                self._kill_and_restart()
                connected = self.daemon.wait_connected()
                kill_at = [connected + self.rng.uniform(0, self.max_gap) for _ in kill_at]
                mark = None
                continue
            if time.monotonic() > deadline:
                raise RuntimeError(f"{self.label}: phase at {now} did not settle; log tail:\n{self.daemon.text()[-4000:]}")
            if self.daemon.proc is not None and self.daemon.proc.poll() is not None:
                raise RuntimeError(f"{self.label}: mailbot exited with {self.daemon.proc.returncode}:\n{self.daemon.text()[-4000:]}")
            try:
                state = read_state(self.outcome.data_dir)
            except Exception:  # read during a compaction's rename: look again
                time.sleep(0.02)
                continue
            recorded = {m["key"] for m in state.get("messages", {}).values()}
            imap.select_folder("INBOX", readonly=True)
            inbox_empty = not imap.search("ALL")
            if all(k in recorded for k in keys) and inbox_empty:
                log = self.daemon.log
                assert log is not None
                if mark is None or mark[0] != log:
                    mark = (log, len(self.daemon.text()))
                elif "step done" in self.daemon.text()[mark[1]:]:
                    pending = [e for e in state.get("outbox", {}).values()
                               if e["state"] in ("planned", "sending") and datetime.fromisoformat(e["next_try"]) <= now]
                    if not pending and not kill_at:
                        return
                    if not pending and kill_at:
                        # Work is done before the planned kill: kill now, mid-IDLE, and go on.
                        kill_at = [time.monotonic()] + kill_at[1:]
                    mark = (log, len(self.daemon.text()))
            time.sleep(0.03)


# -- checks ---------------------------------------------------------------------------------------

_OUTBOX_NOISE = ("attempts", "sent_at", "in_sent_folder", "error", "check_sent", "raw")


def normalized_store(data_dir: Path) -> dict[str, list[str]]:
    """The committed state with what may differ between two equal runs taken out: the random
    install token (in Message-IDs), IMAP UIDs and UIDVALIDITY, send attempts, MIME boundaries."""
    state = read_state(data_dir)
    token = next(iter(state["meta"].values()))["install_token"]
    out: dict[str, list[str]] = {}
    for name, table in sorted(state.items()):
        if name == "meta":
            continue
        docs = []
        for doc_id, doc in table.items():
            doc = dict(doc)
            if name == "outbox":
                for k in _OUTBOX_NOISE:
                    doc.pop(k, None)
            if name == "messages":
                doc.pop("uid", None)
                doc.pop("uidvalidity", None)
            if name == "checkpoint":
                doc = {"last_uid": doc.get("last_uid")}
            text = json.dumps(doc, sort_keys=True).replace(token, "TOKEN")
            docs.append((f"{int(doc_id):06d} " if name == "receivables" else "") + text)
        out[name] = sorted(docs)
    return out


def check_exactly_once(outcome: Outcome, dovecot: Dovecot, user: str) -> dict[str, int]:
    """Every message handled once and filed once; every planned email sent once (the window aside)."""
    state = read_state(outcome.data_dir)
    records = Counter(m["key"] for m in state["messages"].values())
    problems = []
    for key in outcome.delivered:
        if records[key] != 1:
            problems.append(f"{key} recorded {records[key]} times")
    c = imapclient.IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    c.login(user, PASSWORD)
    try:
        filed: Counter[str] = Counter()
        delim = c.list_folders()[0][1].decode()
        for folder in ("INBOX", f"mailbot{delim}processed", f"mailbot{delim}quarantine"):
            c.select_folder(folder, readonly=True)
            uids = c.search("ALL")
            for data in (c.fetch(uids, ["BODY.PEEK[HEADER]"]).values() if uids else []):
                filed[(folder, message_key(None, data[b"BODY[HEADER]"]))] += 1
    finally:
        c.logout()
    if any(f == "INBOX" for f, _ in filed):
        problems.append("INBOX is not empty")
    per_key = Counter(k for (_f, k) in filed.elements())
    for key in outcome.delivered:
        if per_key[key] != 1:
            problems.append(f"{key} filed {per_key[key]} times")
    sink = Counter(str(m["Message-ID"]).strip() for m in read_sink(outcome.sink_dir))  # a long id may be folded
    entries = {e["message_id"]: e for e in state["outbox"].values()}
    duplicates = {mid for mid, n in sink.items() if n > 1}
    for mid, e in entries.items():
        if e["state"] != "sent" or sink[mid] < 1:
            problems.append(f"{mid} is {e['state']} and reached the sink {sink[mid]} times")
    stray = set(sink) - set(entries)
    if stray:
        problems.append(f"sent but not in the outbox: {sorted(stray)[:5]}")
    outside = duplicates - outcome.window
    if outside:
        problems.append(f"sent twice outside the documented window: {sorted(outside)}")
    if problems:
        raise AssertionError(f"{outcome.label}: " + "; ".join(problems[:20]))
    return {
        "messages": len(outcome.delivered),
        "emails": len(entries),
        "reminders": sum(1 for e in entries.values() if e["kind"] == "reminder"),
        "kills": outcome.kills,
        "window": len(outcome.window),
        "duplicates": len(duplicates),
    }


def torture(dovecot: Dovecot, root: Path, *, seed: int, invoices: int, days: int, kills: int,
            max_gap: float = 1.0) -> dict[str, object]:
    """Play the scenario twice (no kills, then kills) and compare. Returns the figures."""
    phases = scenario(seed, invoices, days)
    tag = f"{seed}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    reference = Run("reference", dovecot, f"torture-ref-{tag}@test", root / "reference", seed=seed)
    try:
        ref = reference.play(phases)
    finally:
        reference.close()
    ref_figures = check_exactly_once(ref, dovecot, reference.user)
    killed = Run("killed", dovecot, f"torture-kill-{tag}@test", root / "killed", seed=seed, kills=kills, max_gap=max_gap)
    try:
        out = killed.play(phases)
    finally:
        killed.close()
    figures = check_exactly_once(out, dovecot, killed.user)
    a, b = normalized_store(ref.data_dir), normalized_store(out.data_dir)
    if a != b:
        diff = []
        for name in sorted(set(a) | set(b)):
            only_a = sorted(set(a.get(name, [])) - set(b.get(name, [])))
            only_b = sorted(set(b.get(name, [])) - set(a.get(name, [])))
            if only_a or only_b:
                diff.append(f"{name}: without kills only {only_a[:2]}; with kills only {only_b[:2]}")
        raise AssertionError("the store differs from the run without kills: " + " | ".join(diff))
    return {"seed": seed, "phases": len(phases), **figures, "reference_emails": ref_figures["emails"],
            "seconds_reference": round(ref.seconds, 1), "seconds_killed": round(out.seconds, 1)}
