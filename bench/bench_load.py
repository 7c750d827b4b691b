"""Load on a private Dovecot and an aiosmtpd sink in its own process, each figure next to its raw
baseline with the ratio:

- reaction latency, APPEND of a forward -> the owner's confirmation in the sink (p50/p99),
  against the bare IDLE notification latency (APPEND -> EXISTS on an idling connection);
- ingest throughput, forwarded invoices per second through the whole pipeline (fetch, route,
  read, register, commit, move, confirm), against a bare imapclient fetch + stdlib parse of the
  same messages;
- the daemon's resident memory after the ingest.

    .venv/bin/python bench/bench_load.py [--samples 30] [--batch 300]

Needs dovecot (Debian's dovecot-imapd). Traffic stays on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import imapclient  # noqa: E402

from mailbot.store import read_state  # noqa: E402
from tests.support.dovecot import PASSWORD, Dovecot, find_dovecot, free_port  # noqa: E402
from tests.support.harness import BOT, FIELDS_BODY, OWNER, forward  # noqa: E402


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def invoice(n: int) -> bytes:
    m = forward(f"Fwd: invoice {n}", FIELDS_BODY.replace("F2026-014", f"B{n:06d}").replace("billing@acme.test", f"billing@c{n % 50}.test"))
    m["Message-ID"] = f"<bench-{n}-{time.time_ns()}@owner.test>"
    return m.as_bytes()


def login(dovecot: Dovecot, user: str) -> imapclient.IMAPClient:
    c = imapclient.IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    c.login(user, PASSWORD)
    return c


def bare_idle_latency(dovecot: Dovecot, samples: int) -> list[float]:
    user = f"idle-{os.getpid()}@test"
    watcher, writer = login(dovecot, user), login(dovecot, user)
    watcher.select_folder("INBOX")
    out = []
    for n in range(samples):
        watcher.idle()
        t0 = time.perf_counter()
        writer.append("INBOX", invoice(n))
        while True:
            if any(r[1] == b"EXISTS" for r in watcher.idle_check(timeout=5) if len(r) > 1):
                break
        out.append(time.perf_counter() - t0)
        watcher.idle_done()
    watcher.logout()
    writer.logout()
    return out


def sink_count(folder: Path) -> int:
    return sum(1 for _ in folder.glob("*.eml"))


def start_daemon(dovecot: Dovecot, user: str, sink_port: int, data: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILBOT_")} | {
        "MAILBOT_IMAP_HOST": "127.0.0.1", "MAILBOT_IMAP_PORT": str(dovecot.port), "MAILBOT_IMAP_USER": user,
        "MAILBOT_IMAP_PASSWORD": PASSWORD, "MAILBOT_IMAP_TLS": "none",
        "MAILBOT_SMTP_HOST": "127.0.0.1", "MAILBOT_SMTP_PORT": str(sink_port), "MAILBOT_SMTP_USER": "bot",
        "MAILBOT_SMTP_PASSWORD": "x", "MAILBOT_SMTP_TLS": "none", "MAILBOT_ADDRESS": BOT, "MAILBOT_OWNERS": OWNER,
        "MAILBOT_DATA_DIR": str(data), "MAILBOT_TRUST_UNAUTHENTICATED_OWNERS": "1",
        "MAILBOT_CLOCK_START": "2026-12-01T10:00:00+01:00", "PYTHONPATH": str(ROOT),
    }
    fh = open(log, "wb")
    proc = subprocess.Popen([sys.executable, "-m", "mailbot", "run"], env=env, stdout=fh, stderr=fh, cwd=ROOT)
    deadline = time.monotonic() + 30
    while "connected; watching INBOX" not in log.read_text(errors="replace"):
        if time.monotonic() > deadline or proc.poll() is not None:
            raise RuntimeError(log.read_text()[-2000:])
        time.sleep(0.05)
    return proc


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=30)
    ap.add_argument("--batch", type=int, default=300)
    args = ap.parse_args()
    binary = find_dovecot()
    if binary is None:
        sys.exit("dovecot is not installed: apt-get install dovecot-imapd")
    root = Path(tempfile.mkdtemp(prefix="mailbot-bench-"))
    os.chmod(root, 0o755)
    dovecot = Dovecot(root / "dovecot", binary)
    (root / "dovecot").mkdir()
    os.chmod(root / "dovecot", 0o755)
    dovecot.start()
    sink_dir, sink_port = root / "sink", free_port()
    sink = subprocess.Popen([sys.executable, "-m", "tests.support.sink_process", str(sink_port), str(sink_dir)], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert sink.stdout is not None and sink.stdout.readline().strip() == "ready"
    proc = None
    try:
        idle = bare_idle_latency(dovecot, args.samples)

        # Reaction: one forward at a time, from APPEND to the confirmation in the sink.
        user = f"react-{os.getpid()}@test"
        proc = start_daemon(dovecot, user, sink_port, root / "data-react", root / "react.log")
        writer = login(dovecot, user)
        time.sleep(1.0)
        reaction = []
        for n in range(args.samples):
            before = sink_count(sink_dir)
            t0 = time.perf_counter()
            writer.append("INBOX", invoice(10_000 + n))
            while sink_count(sink_dir) == before:
                time.sleep(0.002)
            reaction.append(time.perf_counter() - t0)
        writer.logout()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)

        # Ingest: a batch lands in INBOX at once (MOVE from a staging folder).
        user = f"ingest-{os.getpid()}@test"
        raws = [invoice(20_000 + n) for n in range(args.batch)]
        c = login(dovecot, user)
        c.create_folder("staging")
        for raw in raws:
            c.append("staging", raw)
        # Baseline: bare fetch + stdlib parse of the same messages.
        c.select_folder("staging", readonly=True)
        t0 = time.perf_counter()
        uids = c.search("ALL")
        for i in range(0, len(uids), 50):
            for data in c.fetch(uids[i : i + 50], ["BODY.PEEK[]"]).values():
                email.message_from_bytes(data[b"BODY[]"], policy=email.policy.default)
        bare = len(uids) / (time.perf_counter() - t0)
        proc = start_daemon(dovecot, user, sink_port, root / "data-ingest", root / "ingest.log")
        before = sink_count(sink_dir)
        c.select_folder("staging")
        t0 = time.perf_counter()
        c.move(c.search("ALL"), "INBOX")
        while sink_count(sink_dir) < before + args.batch:
            time.sleep(0.01)
        pipeline = args.batch / (time.perf_counter() - t0)
        memory = rss_mb(proc.pid)
        stored = len(read_state(root / "data-ingest")["receivables"])
        c.logout()
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
        sink.send_signal(signal.SIGTERM)
        sink.wait(timeout=20)
        dovecot.stop()
        shutil.rmtree(root, ignore_errors=True)

    print(f"{'figure':<44} {'mailbot':>12} {'raw baseline':>14} {'ratio':>8}")
    for label, a, b in (("reaction p50, s (vs bare IDLE notification)", pct(reaction, 50), pct(idle, 50)),
                        ("reaction p99, s (vs bare IDLE notification)", pct(reaction, 99), pct(idle, 99))):
        print(f"{label:<44} {a:>12.3f} {b:>14.3f} {a / b:>7.2f}x")
    print(f"{'ingest, forwards/s (vs bare fetch+parse)':<44} {pipeline:>12.1f} {bare:>14.1f} {bare / pipeline:>7.1f}x slower")
    print(f"{'daemon RSS after ingest, MB':<44} {memory:>12.1f} {'':>14} {'':>8}")
    print(f"({args.samples} reaction samples; batch of {args.batch} forwards, {stored} receivables registered; "
          f"mean IDLE {statistics.mean(idle):.3f} s)")


if __name__ == "__main__":
    main()
