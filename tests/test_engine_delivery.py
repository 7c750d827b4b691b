"""Reminders as a client's mail client and spam filter see them.

- Headless Chromium (Debian `chromium`) opens the HTML of every email stage in every language
  at 600 px: the page renders, the QR image loads (its cid: reference replaced by a data: URI,
  as a mail client resolves it), and nothing is wider than 600 px. One Chromium process serves
  every page, driven over the DevTools protocol on a pipe (stdlib only). Screenshots are kept
  in tests/artifacts/engine/.
- SpamAssassin (Debian `spamassassin`, local rules only: `spamassassin -L -t`, all messages in
  one --mbox run) scores the same
  emails, with the invoice attached and the QR code inline: each must stay below 2.0 points.
  The reports are kept in tests/artifacts/engine/spamassassin/.

Both skip with the reason when the program is missing, except with CI=true, where they fail.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import date, datetime
from decimal import Decimal
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from mailbot.compose import Attachment, Templates
from mailbot.handlers.reminders import make_reminder, reminder_message, render_letter
from mailbot.models import OPEN, Receivable
from mailbot.rules import parse_rules

ARTIFACTS = Path(__file__).resolve().parent / "artifacts" / "engine"
LANGS = ("fr", "en", "nl", "de")
EMAILS = ("courtesy", "friendly", "formal", "plan", "notice", "promise_broken", "invoice_copy")
RULES = parse_rules("""
business:
  name: "Atelier Dupré & Fils"
  country: FR
  iban: "FR7630006000011234567890189"
  bic: "AGRIFRPP"
  reference: rf
  payment_link: "https://pay.atelier-dupre.fr/?invoice={number}&amount={amount}"
stages:
  - {name: courtesy, after: -3, attach_invoice: false}
  - {name: friendly, after: 7}
  - {name: formal, after: 15, charges: true}
  - {name: plan, after: 30, charges: true}
  - {name: notice, after: 60, channel: letter, template: formal_notice, email_client: true, charges: true}
""")
TODAY = date(2026, 5, 20)
# A real (tiny) PDF: the invoice copy every stage but the courtesy notice carries.
INVOICE_PDF = (Path(__file__).resolve().parent / "fixtures" / "engine" / "invoice-F2026-014.pdf")


def need(program: str) -> str:
    path = shutil.which(program)
    if path is None:
        package = {"chromium": "chromium chromium-driver", "spamassassin": "spamassassin"}[program]
        message = f"{program} is not installed: apt-get install -y {package} (make test installs it as root)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


def files_for(lang: str) -> list[Receivable]:
    amounts = ("1440.00", "250.50", "12345.67")
    return [Receivable(id=i + 1, number=f"F2026-0{14 + i}", status=OPEN, client_email="compta@acme-client.fr",
                       client_name="ACME Constructions Générales SARL", amount=Decimal(a), amount_due=Decimal(a),
                       issue_date=date(2026, 3, 1 + i), due_date=date(2026, 3, 31) if i == 0 else date(2026, 4, 5 + i),
                       language=lang, attachment="x") for i, a in enumerate(amounts)]


def load_invoice(r: Receivable) -> Attachment:
    return Attachment(f"{r.number}.pdf", "application/pdf", INVOICE_PDF.read_bytes())


def email_for(lang: str, name: str) -> EmailMessage:
    files = files_for(lang)
    stage = RULES.stage_named(name)
    template = stage.template if stage else name
    extra = [render_letter(RULES, Templates(), files, stage, TODAY)] if stage and stage.channel == "letter" else []
    rem = make_reminder(RULES, Templates(), files, stage, template, TODAY, qr_cid=f"qr-{lang}-{name}@atelier-dupre.fr",
                        load_attachment=load_invoice, attach=stage.attach_invoice if stage else True, extra=extra)
    return reminder_message(RULES, rem, to="compta@acme-client.fr", to_name=files[0].client_name,
                            from_addr="relances@atelier-dupre.fr", message_id=f"<reminder.{lang}.{name}.4f2a@atelier-dupre.fr>",
                            when=datetime(2026, 5, 20, 9, 0, tzinfo=ZoneInfo("Europe/Paris")), previous=[])


def html_with_data_uris(msg: EmailMessage) -> str:
    """The HTML part with each cid: image replaced by a data: URI, as a mail client shows it."""
    html = msg.get_body(("html",)).get_content()
    for part in msg.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_maintype() == "image":
            uri = f"data:{part.get_content_type()};base64,{base64.b64encode(part.get_content()).decode()}"
            html = html.replace(f"cid:{cid.strip('<>')}", uri)
    return html


# --- Chromium over the DevTools pipe -------------------------------------------------------------


def _high(*fds: int) -> tuple[int, ...]:
    """The same pipe ends moved above 9, so the shell's 3<&N 4>&M cannot clobber one with the other."""
    out = []
    for fd in fds:
        out.append(fcntl.fcntl(fd, fcntl.F_DUPFD, 10))
        os.close(fd)
    return tuple(out)


class Chromium:
    """One headless Chromium, driven over --remote-debugging-pipe (fd 3 in, fd 4 out, NUL-separated JSON)."""

    def __init__(self, binary: str):
        self.profile = tempfile.mkdtemp(prefix="mailbot-chromium-")
        to_chrome_r, self._to_chrome = _high(*os.pipe())
        self._from_chrome, from_chrome_w = _high(*os.pipe())

        # The protocol's descriptors are fixed (3 and 4); bash moves our pipe ends there (dash only knows fds 0-9).
        self.proc = subprocess.Popen(
            ["bash", "-c", f'exec "$@" 3<&{to_chrome_r} 4>&{from_chrome_w}', "chromium", binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--remote-debugging-pipe", f"--user-data-dir={self.profile}", "about:blank"],
            pass_fds=(to_chrome_r, from_chrome_w), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self._buf = b""
        self._id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        self.call("Page.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=600, height=800, deviceScaleFactor=1, mobile=False)

    def _read(self) -> dict:
        while b"\0" not in self._buf:
            chunk = os.read(self._from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        return json.loads(raw)

    def call(self, method: str, session: bool = False, **params) -> dict:
        self._id += 1
        msg = {"id": self._id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        os.write(self._to_chrome, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
            self.events.append(reply)

    def wait_event(self, name: str) -> None:
        while True:
            if any(e.get("method") == name for e in self.events):
                self.events = [e for e in self.events if e.get("method") != name]
                return
            self.events.append(self._read())

    def open(self, path: Path) -> None:
        self.events.clear()
        self.call("Page.navigate", session=True, url=path.as_uri())
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str):
        return self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True)["result"]["value"]

    def screenshot(self, path: Path) -> None:
        data = self.call("Page.captureScreenshot", session=True, format="png", captureBeyondViewport=True)["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        os.close(self._to_chrome)
        os.close(self._from_chrome)
        shutil.rmtree(self.profile, ignore_errors=True)


@pytest.fixture(scope="module")
def chromium():
    browser = Chromium(need("chromium"))
    yield browser
    browser.close()


@pytest.mark.parametrize("lang", LANGS)
def test_every_reminder_renders_at_600px_with_its_qr_code(chromium: Chromium, lang: str) -> None:
    folder = ARTIFACTS / "html"
    folder.mkdir(parents=True, exist_ok=True)
    for name in EMAILS:
        msg = email_for(lang, name)
        page = folder / f"{lang}-{name}.html"
        page.write_text(html_with_data_uris(msg), encoding="utf-8")
        chromium.open(page)
        state = chromium.evaluate("""({
            width: document.documentElement.scrollWidth,
            text: document.body.innerText,
            images: [...document.images].map(i => ({complete: i.complete, w: i.naturalWidth, h: i.naturalHeight})),
            widest: Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right)),
        })""")
        chromium.screenshot(ARTIFACTS / f"{lang}-{name}.png")
        assert state["width"] <= 600 and state["widest"] <= 600, (lang, name, state["width"], state["widest"])
        assert "F2026-014" in state["text"] and "FR7630006000011234567890189" in state["text"], (lang, name)
        assert lang == "de" or "ACME Constructions" in state["text"]  # German greets without the name
        [qr] = state["images"]  # the QR code, decoded by the browser: a square of real pixels
        assert qr["complete"] and qr["w"] > 100 and qr["w"] == qr["h"], (lang, name, qr)


# --- SpamAssassin ------------------------------------------------------------------------------


def _scores(binary: str, messages: dict[tuple[str, str], bytes]) -> dict[tuple[str, str], tuple[float, str]]:
    """Every message scored by one `spamassassin -L -t --mbox` run (one Perl start-up, not 28)."""
    box = b"".join(b"From relances@atelier-dupre.fr Wed May 20 09:00:00 2026\n"
                   + re.sub(rb"^(>*From )", rb">\1", raw.replace(b"\r\n", b"\n"), flags=re.M) + b"\n"
                   for raw in messages.values())
    out = subprocess.run([binary, "-L", "-t", "--mbox"], input=box, capture_output=True, timeout=600, check=False)
    text = out.stdout.decode("utf-8", "replace")
    chunks = [c for c in re.split(r"^From relances@atelier-dupre\.fr .*$", text, flags=re.M) if c.strip()]
    assert len(chunks) == len(messages), f"spamassassin returned {len(chunks)} of {len(messages)} messages:\n{out.stderr[-2000:]!r}"
    results = {}
    for chunk in chunks:
        mid = re.search(r"^Message-ID: <reminder\.(\w\w)\.(\w+)\.", chunk, re.M | re.I)
        status = re.search(r"^X-Spam-Status: \w+, score=(-?[\d.]+)", chunk, re.M)
        assert mid and status, chunk[:2000]
        at = chunk.find("Content analysis details")
        results[(mid.group(1), mid.group(2))] = (float(status.group(1)), chunk[at:at + 3000] if at >= 0 else chunk[:3000])
    return results


def test_no_reminder_looks_like_spam() -> None:
    binary = need("spamassassin")
    folder = ARTIFACTS / "spamassassin"
    folder.mkdir(parents=True, exist_ok=True)
    cases = [(lang, name) for lang in LANGS for name in EMAILS]
    emails = {case: email_for(*case) for case in cases}
    for (lang, name), msg in emails.items():  # every case really carries the QR code and an attachment
        assert any(p.get_content_type() == "image/png" for p in msg.walk())
        assert name == "courtesy" or any(p.get_content_type() == "application/pdf" for p in msg.walk())
    messages = {case: bytes(msg) for case, msg in emails.items()}
    results = _scores(binary, messages)
    assert set(results) == set(cases)
    failures = []
    for (lang, name), (score, report) in sorted(results.items()):
        (folder / f"{lang}-{name}.eml").write_bytes(messages[(lang, name)])
        (folder / f"{lang}-{name}.txt").write_text(f"score {score}\n\n{report}", encoding="utf-8")
        if score >= 2.0:
            failures.append(f"{lang}/{name}: {score}\n{report}")
    assert not failures, "\n\n".join(failures)
