"""Injection, end to end on real servers: fields that carry CR/LF, NUL, Jinja syntax, HTML and
scripts are inert in every header, text and HTML part of every message mailbot sends.

An owner forwards an e-invoice whose number and client name carry the payloads (XML character
references put real CR/LF in them), under a subject that decodes to CR/LF and NUL; the owner's
notes and the client's reminders are then read back from the SMTP sink.
"""

from __future__ import annotations

import base64
import re
from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.support.harness import BOT, OWNER, Harness

pytestmark = pytest.mark.integration

UBL = (Path(__file__).resolve().parents[1] / "mailbot" / "data" / "demo-invoice-ubl.xml").read_text(encoding="utf-8")
CLIENT = "boekhouding@devries-bakkerij.test"
JINJA = "{{ 7*191 }}"  # 1337 if anything evaluates it
LOOP = "{% for x in range(3) %}LOOP{% endfor %}"
NUMBER = "F-1&#13;&#10;Bcc: evil@x.test " + JINJA + "&lt;script&gt;alert(1)&lt;/script&gt;"
NAME = "Evil&#13;&#10;X-Injected: yes " + JINJA + " " + LOOP + " &lt;script&gt;alert(2)&lt;/script&gt; &lt;b&gt;bold&lt;/b&gt;"
SUBJECT = "Fwd: inv\r\nBcc: evil@x.test \x00 " + JINJA + " <script>alert(3)</script>"


def _hostile_forward() -> bytes:
    xml = UBL.replace("<cbc:ID>INV-2026-0042</cbc:ID>", f"<cbc:ID>{NUMBER}</cbc:ID>", 1)
    xml = xml.replace("<cbc:RegistrationName>Bakkerij De Vries BV</cbc:RegistrationName>",
                      f"<cbc:RegistrationName>{NAME}</cbc:RegistrationName>")
    assert NUMBER in xml and NAME in xml
    m = EmailMessage()
    m["From"] = OWNER
    m["To"] = BOT
    m["Subject"] = "placeholder"
    m["Message-ID"] = "<injection-1@firm.test>"
    m.set_content("Here is the invoice.\n")
    m.add_attachment(xml.encode(), maintype="application", subtype="xml", filename="invoice.xml")
    raw = m.as_bytes()
    # A subject that decodes to CR/LF and NUL: impossible to write with EmailMessage, easy for an attacker.
    encoded = b"=?utf-8?b?" + base64.b64encode(SUBJECT.encode()) + b"?="
    return raw.replace(b"Subject: placeholder", b"Subject: " + encoded, 1)


def _header_block(raw: bytes) -> bytes:
    return re.split(rb"\r?\n\r?\n", raw, maxsplit=1)[0]


def _parts(msg: EmailMessage) -> list[tuple[str, str]]:
    out = []
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            out.append((part.get_content_subtype(), part.get_content()))
    return out


def test_payloads_in_fields_are_inert_in_every_message(harness: Harness) -> None:
    h = harness
    h.deliver(_hostile_forward())
    h.step()
    [r] = h.ledger.all()
    assert "evil@x.test" in (r.number or "") and "X-Injected" in (r.client_name or ""), (r.number, r.client_name)
    h.days(20)  # the friendly (due + 7) and formal (due + 15) reminders
    sent = h.sink.messages
    assert h.sink.to(OWNER) and h.sink.to(CLIENT), [m.rcpts for m in sent]

    shown_literally = 0
    for received in sent:
        raw, msg = received.raw, received.msg
        head = _header_block(raw)
        # Headers: no injected line, no NUL, only the recipients mailbot meant.
        assert not re.search(rb"^(bcc|x-injected):", head, re.I | re.M), head.decode(errors="replace")
        assert b"\x00" not in raw
        assert "Bcc" not in msg and "X-Injected" not in msg
        assert received.rcpts in ([OWNER], [CLIENT]), received.rcpts
        for name, value in msg.items():
            assert "\n" not in str(value) and "\r" not in str(value), (name, value)
        assert "1337" not in str(msg["Subject"])
        # Bodies: Jinja syntax stays text, never evaluated; HTML is escaped.
        for subtype, content in _parts(msg):
            assert "1337" not in content and "LOOPLOOPLOOP" not in content, subtype
            assert "\x00" not in content
            if subtype == "html":
                assert "<script" not in content.lower() and "<b>bold" not in content
                if "alert(" in content:
                    assert "&lt;script&gt;" in content
            if JINJA in content:
                shown_literally += 1
    # The payloads did reach the rendered mail (so the checks above looked at something).
    assert shown_literally >= 2


def test_template_syntax_in_a_value_is_printed_not_evaluated() -> None:
    """Values are data: a field holding `{{ self.__init__.__globals__ }}` is printed, not evaluated."""
    from mailbot.compose import Templates

    payload = "{{ self.__init__.__globals__ }}{% import os %}"
    rendered = Templates().render("en/owner/problem.j2", {"lang": "en", "business_name": payload, "commands_hint": payload,
                                                          "kind": "quarantined", "about": payload, "reason": payload,
                                                          "can_replay": False})
    assert payload in rendered.text and "__globals__" in rendered.subject
    assert "{{ self.__init__.__globals__ }}" in rendered.html  # literal in the HTML part too
