"""Fuzzing with hypothesis: random MIME trees, broken headers, every charset, truncated encodings.

Targets: the router, intake (`extract_message`), the reply readers (`read_message`, `classify`)
and the whole `Daemon.process` path on fakes. Every input must end in a clear outcome: a route, a
disposition, an ExtractionError/InputRejected with a message, or fields with warnings; never an
exception escaping, never a blow-up. The quick profile is derandomized (the same examples on
every run, no flakes) and small; `-m slow` runs a deeper random profile.
"""

from __future__ import annotations

import base64
import email
import email.policy
import quopri
import resource
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from mailbot.cli_classify import classify
from mailbot.config import load_settings
from mailbot.errors import ExtractionError, InputRejected
from mailbot.intake import Limits, extract_message
from mailbot.replies import read_message
from mailbot.router import route
from tests.fixtures.hostile.fakes import BOT, OWNER, fake_daemon

QUICK = settings(max_examples=40, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DEEP = settings(max_examples=1500, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MAX_SECONDS = 10.0  # per input; generous: a blow-up, not a slow machine
MAX_RSS_GROWTH_MB = 500
ROUTES = {"loop", "bounce", "auto_reply", "refused", "owner_forward", "owner_command", "client_reply", "unknown"}

CHARSETS = ["utf-8", "us-ascii", "iso-8859-1", "iso-8859-15", "windows-1252", "utf-16", "utf-7", "koi8-r", "gb2312",
            "shift_jis", "big5", "x-unknown", "utf8mb4", "", "../../etc/passwd", "unicode-1-1-utf-7", "cp65001",
            "iso-2022-jp", "euc-kr", "mac-roman", "utf-32"]
CTYPES = ["text/plain", "text/html", "application/pdf", "application/xml", "text/xml", "application/octet-stream",
          "image/png", "message/delivery-status", "text/rfc822-headers", "application/zip", "garbage", "text/"]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "binary", "x-uuencode", "bogus"]
HEADER_NAMES = ["From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Auto-Submitted",
                "Precedence", "X-Autoreply", "Authentication-Results", "Return-Path", "Content-Type", "X-Failed-Recipients",
                "Reply-To", "Sender", "MIME-Version", "X-Auto-Response-Suppress"]

text = st.text(alphabet=st.characters(codec="utf-8"), max_size=200)
raw_bytes = st.binary(max_size=300)
addresses = st.sampled_from([OWNER, BOT, "client@acme.test", "mailer-daemon@mx.test", "", "<>", "a@b", "\"owner@firm.test\" <evil@x.test>",
                             "=?utf-8?q?=E9?= <x@y.test>", "owner@firm.test, evil@x.test", "@@@", "undisclosed-recipients:;"])


def header_value() -> st.SearchStrategy[bytes]:
    return st.one_of(
        text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        raw_bytes.map(lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")),
        addresses.map(str.encode),
        st.builds(lambda cs, t: f"=?{cs}?b?".encode() + base64.b64encode(t.encode())[: max(1, len(t))] + b"?=",
                  st.sampled_from(CHARSETS), text),
        st.builds(lambda cs, t: f"=?{cs}?q?{t}?=".encode("utf-8", "replace"), st.sampled_from(CHARSETS), text),
        st.just(b"auto-replied"), st.just(b"<a@b> <c@d>"),
        st.just(b"mx.test; dkim=pass header.d=firm.test; spf=pass smtp.mailfrom=owner@firm.test"),
    )


def encode_body(data: bytes, encoding: str, truncate: int) -> bytes:
    if encoding == "base64":
        out = base64.encodebytes(data)
    elif encoding == "quoted-printable":
        out = quopri.encodestring(data)
    else:
        out = data
    return out[: len(out) - truncate] if truncate else out


@st.composite
def leaf(draw) -> bytes:
    ctype = draw(st.sampled_from(CTYPES))
    charset = draw(st.sampled_from(CHARSETS))
    encoding = draw(st.sampled_from(ENCODINGS))
    body_text = draw(text)
    body = draw(st.one_of(
        st.just(body_text.encode(charset, "replace") if _codec_ok(charset) else body_text.encode("utf-8", "surrogatepass")),
        raw_bytes,
        st.sampled_from([b"%PDF-1.4\n%%EOF\n", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj", b"<?xml version='1.0'?><a>",
                         b"invoice: F-1\namount: 10.00 EUR\ndue: 2026-12-15\nclient: c@acme.test\n",
                         "Je paierai le 15 décembre.".encode("latin-1"), b"Final-Recipient: rfc822; x@y\nStatus: 5.1.1\n"]),
    ))
    disposition = draw(st.sampled_from([b"", b"Content-Disposition: attachment; filename=\"f.pdf\"\r\n",
                                        b"Content-Disposition: inline; filename*=utf-8''%E9.xml\r\n",
                                        b"Content-Disposition: attachment; filename=\"" + b"a" * 300 + b"\"\r\n"]))
    truncate = draw(st.integers(0, 5))
    head = f"Content-Type: {ctype}; charset=\"{charset}\"\r\nContent-Transfer-Encoding: {encoding}\r\n".encode()
    return head + disposition + b"\r\n" + encode_body(body, encoding, truncate)


def _codec_ok(name: str) -> bool:
    import codecs

    try:
        codecs.lookup(name)
        return True
    except LookupError:
        return False


def _multipart(children: list[bytes], subtype: str, boundary: str, close: bool) -> bytes:
    parts = b"".join(b"--" + boundary.encode() + b"\r\n" + c + b"\r\n" for c in children)
    end = b"--" + boundary.encode() + b"--\r\n" if close else b""
    return f"Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n\r\npreamble\r\n".encode() + parts + end


def _rfc822(inner: bytes, headers: bytes) -> bytes:
    return b"Content-Type: message/rfc822\r\n\r\n" + headers + inner


def tree(headers: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    return st.recursive(
        leaf(),
        lambda children: st.one_of(
            st.builds(_multipart, st.lists(children, min_size=0, max_size=4),
                      st.sampled_from(["mixed", "alternative", "related", "report", "signed", "encrypted", "bogus"]),
                      st.sampled_from(["b1", "b2", "=_x", "", "a" * 80]), st.booleans()),
            st.builds(_rfc822, children, headers),
        ),
        max_leaves=8,
    )


@st.composite
def header_block(draw) -> bytes:
    lines = draw(st.lists(st.tuples(st.sampled_from(HEADER_NAMES), header_value()), max_size=8))
    out = b"".join(n.encode() + b": " + v + b"\r\n" for n, v in lines)
    if draw(st.booleans()):
        out += b"X-Folded: a\r\n\tb\r\n c\r\n"
    if draw(st.booleans()):
        out += b"Broken header line without colon\r\n"
    return out


@st.composite
def messages(draw) -> bytes:
    sender = draw(addresses)
    top = f"From: {sender}\r\nTo: {BOT}\r\nMIME-Version: 1.0\r\n".encode() if draw(st.booleans()) else b""
    return top + draw(header_block()) + draw(tree(header_block()))


def _parse(raw: bytes) -> EmailMessage:
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(msg, EmailMessage)
    return msg


def _settings():
    return load_settings({"MAILBOT_ADDRESS": BOT, "MAILBOT_OWNERS": OWNER, "MAILBOT_DATA_DIR": "/nonexistent",
                          "MAILBOT_TRUST_UNAUTHENTICATED_OWNERS": "0", "MAILBOT_TRUSTED_AUTHSERV_IDS": "mx.test"})


SETTINGS = _settings()


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def bounded(fn, *args, **kw):
    """Run fn; assert it took less than MAX_SECONDS and did not raise the peak RSS by MAX_RSS_GROWTH_MB."""
    rss, t0 = _rss_mb(), time.monotonic()
    result = fn(*args, **kw)
    assert time.monotonic() - t0 < MAX_SECONDS
    assert _rss_mb() - rss < MAX_RSS_GROWTH_MB
    return result


def _check_route(raw: bytes) -> None:
    r = bounded(route, _parse(raw), SETTINGS, answers_us=lambda refs: bool(refs) and refs[0].startswith("<a"),
                is_client=lambda a: a.endswith("@acme.test"))
    assert r.kind in ROUTES and r.why


def _check_extract(raw: bytes) -> None:
    try:
        fields = bounded(extract_message, _parse(raw), limits=Limits(parse_timeout_s=10))
    except (ExtractionError, InputRejected) as exc:
        assert str(exc)
        return
    # No invoice found is an answer, with a warning that says so.
    assert fields.source or fields.warnings


def _check_read(raw: bytes) -> None:
    msg = _parse(raw)
    reading = bounded(read_message, msg)
    assert reading.kind in ("client_reply", "auto_reply", "bounce")
    assert isinstance(reading.new_text, str)
    result = bounded(classify, msg, [OWNER])
    assert result["kind"] in ("client_reply", "auto_reply", "bounce", "invoice", "owner_command")


def _check_daemon(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        daemon = fake_daemon(Path(tmp) / "data")
        daemon.mailbox.add(raw)
        report = bounded(daemon.run_once)
        [(key, kind, disposition)] = report.handled
        assert disposition in ("processed", "quarantine") and (kind in ROUTES or kind in ("too_large", "refused_shape"))
        assert [f for _, f in daemon.mailbox.filed] == [disposition] and daemon.mailbox.inbox == []
        [record] = daemon.store.table("messages").all()
        assert record["key"] == key and record["disposition"] == disposition
        # Whatever came in, what goes out is only to the owner, or to a client of an open file
        # (none exist here): a stranger's message never gets an answer.
        for _, rcpts, _ in daemon.sender.sent:
            assert rcpts == [OWNER], rcpts


TARGETS = {"route": _check_route, "extract": _check_extract, "read": _check_read, "daemon": _check_daemon}


@pytest.mark.parametrize("target", list(TARGETS))
@QUICK
@given(raw=messages())
def test_fuzz_quick(target: str, raw: bytes) -> None:
    TARGETS[target](raw)


@pytest.mark.slow
@pytest.mark.parametrize("target", list(TARGETS))
@DEEP
@given(raw=messages())
def test_fuzz_deep(target: str, raw: bytes) -> None:
    TARGETS[target](raw)


# Inputs the deep profile found; each stays here as a regression case.
FOUND = {
    "empty-encoded-word-in-from": b'From: =?utf-8?b??=\r\nContent-Type: text/plain; charset="utf-8"\r\n\r\nhi\r\n',
}
# Each was a crash until From was read raw and decoded safely (auth.py, intake, replies).


@pytest.mark.parametrize("target", [
    "route",
    "read",
    "extract",
    "daemon",
])
@pytest.mark.parametrize("case", list(FOUND))
def test_found_by_fuzzing(target: str, case: str) -> None:
    TARGETS[target](FOUND[case])


# Broken bytes that are not even a MIME tree.
@pytest.mark.parametrize("target", list(TARGETS))
@QUICK
@given(raw=st.one_of(st.binary(max_size=2000), st.text(max_size=2000).map(lambda t: t.encode("utf-8", "surrogatepass"))))
def test_fuzz_raw_bytes(target: str, raw: bytes) -> None:
    TARGETS[target](raw)
