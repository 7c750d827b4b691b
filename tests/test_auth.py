"""Only owners: the From address alone proves nothing (unit tests, no server).

Every forged form is tried: another sender, forged Authentication-Results (untrusted server, or
below our server's own verdict), an owner address as a display name, several From addresses,
the owner only in Reply-To, and DKIM signatures that do not verify or are not the owner's.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import dkim
import pytest

from mailbot.auth import aligned, check_sender, from_address
from mailbot.config import load_settings

FIX = Path(__file__).parent / "fixtures" / "owner"
KEY = (FIX / "dkim-test.key").read_bytes()
TXT = b"v=DKIM1; k=rsa; p=" + (FIX / "dkim-test.pub.b64").read_bytes().strip()
OWNER = "owner@firm.test"


def dns(name: bytes, timeout: int = 5) -> bytes | None:
    """The test DNS: the public key for sel._domainkey.firm.test and for the evil domain's own key."""
    return TXT if name in (b"sel._domainkey.firm.test.", b"sel._domainkey.evil.test.") else None


def settings(trust: bool = False, authserv: str = "mx.firm.test"):
    return load_settings({"MAILBOT_IMAP_HOST": "127.0.0.1", "MAILBOT_IMAP_USER": "u", "MAILBOT_IMAP_PASSWORD": "p",
                          "MAILBOT_IMAP_TLS": "none", "MAILBOT_SMTP_HOST": "127.0.0.1", "MAILBOT_SMTP_USER": "u",
                          "MAILBOT_SMTP_PASSWORD": "p", "MAILBOT_SMTP_TLS": "none", "MAILBOT_ADDRESS": "bot@firm.test",
                          "MAILBOT_OWNERS": f"{OWNER}, boss@firm.test", "MAILBOT_TRUSTED_AUTHSERV_IDS": authserv,
                          "MAILBOT_TRUST_UNAUTHENTICATED_OWNERS": "1" if trust else "0"})


def raw(from_: str, *, top: list[str] = (), extra: dict[str, str] | None = None, body: str = "done\n") -> bytes:
    head = "".join(f"Authentication-Results: {h}\r\n" for h in top)
    head += f"From: {from_}\r\nTo: bot@firm.test\r\nSubject: Re: Registered: invoice F2026-014\r\n"
    head += "Date: Tue, 01 Dec 2026 10:00:00 +0100\r\nMessage-ID: <m1@firm.test>\r\n"
    for k, v in (extra or {}).items():
        head += f"{k}: {v}\r\n"
    return (head + "\r\n" + body.replace("\n", "\r\n")).encode()


def signed(data: bytes, domain: bytes = b"firm.test") -> bytes:
    return dkim.sign(data, b"sel", domain, KEY, include_headers=[b"from", b"to", b"subject", b"date", b"message-id"]) + data


def check(data: bytes, s=None):
    import email
    import email.policy

    msg = email.message_from_bytes(data, policy=email.policy.default)
    return check_sender(msg, s or settings(), raw=data, dns=dns)


PASS = "mx.firm.test; dkim=pass header.d=firm.test header.s=sel; spf=pass smtp.mailfrom=owner@firm.test"

# (name, raw message, is_owner, authenticated)
CASES = [
    ("trusted server says dkim=pass", raw(OWNER, top=[PASS]), True, True),
    ("trusted server says dmarc=pass", raw(OWNER, top=["mx.firm.test; dmarc=pass (p=reject) header.from=firm.test"]), True, True),
    ("trusted server says spf=pass only", raw(OWNER, top=["mx.firm.test; spf=pass smtp.mailfrom=firm.test"]), True, True),
    ("display name and case do not matter", raw(f'"The Owner" <{OWNER.upper()}>', top=[PASS]), True, True),
    ("no Authentication-Results", raw(OWNER), True, False),
    ("forged header from an untrusted server", raw(OWNER, top=["mx.evil.test; dkim=pass header.d=firm.test"]), True, False),
    ("trusted server says fail", raw(OWNER, top=["mx.firm.test; dkim=fail header.d=firm.test; spf=softfail smtp.mailfrom=firm.test"]), True, False),
    ("pass for another domain", raw(OWNER, top=["mx.firm.test; dkim=pass header.d=evil.test; spf=pass smtp.mailfrom=evil.test"]), True, False),
    ("pass for a look-alike domain", raw(OWNER, top=["mx.firm.test; dkim=pass header.d=notfirm.test"]), True, False),
    ("pass for a public suffix", raw(OWNER, top=["mx.firm.test; dkim=pass header.d=test"]), True, False),
    ("a forged pass below our server's own fail",
     raw(OWNER, top=["mx.firm.test; dkim=none; spf=fail smtp.mailfrom=evil.test", "mx.firm.test; dkim=pass header.d=firm.test"]), True, False),
    ("an owner address as the display name", raw('"owner@firm.test" <mallory@evil.test>', top=[PASS]), True, False),
    ("several From addresses", raw(f"{OWNER}, mallory@evil.test", top=[PASS]), True, False),
    ("owner only in Reply-To", raw("mallory@evil.test", top=[PASS], extra={"Reply-To": OWNER}), False, False),
    ("owner only in Sender", raw("mallory@evil.test", top=[PASS], extra={"Sender": OWNER}), False, False),
    ("a stranger", raw("mallory@evil.test"), False, False),
    ("no From at all", b"To: bot@firm.test\r\nSubject: done\r\n\r\ndone\r\n", False, False),
    # DKIM checked by mailbot itself (no Authentication-Results from a trusted server)
    ("a verified DKIM signature of the owner's domain", signed(raw(OWNER)), True, True),
    ("a verified DKIM signature next to a forged header", signed(raw(OWNER, top=["mx.evil.test; dkim=fail"])), True, True),
    ("a DKIM signature, then the body changed", signed(raw(OWNER)).replace(b"done", b"cancel"), True, False),
    ("a DKIM signature, then From changed", signed(raw("mallory@evil.test")).replace(b"From: mallory@evil.test", f"From: {OWNER}".encode()), True, False),
    ("a valid DKIM signature of the attacker's own domain", signed(raw(OWNER), domain=b"evil.test"), True, False),
]


@pytest.mark.parametrize("name,data,is_owner,authenticated", CASES, ids=[c[0] for c in CASES])
def test_sender_check(name, data, is_owner, authenticated):
    c = check(data)
    assert (c.is_owner, c.authenticated) == (is_owner, authenticated), c.why


def test_the_reason_names_what_failed():
    assert "not trusted" in check(raw(OWNER, top=["mx.evil.test; dkim=pass header.d=firm.test"])).why
    assert "display name" in check(raw('"owner@firm.test" <mallory@evil.test>')).why
    assert "several From" in check(raw(f"{OWNER}, mallory@evil.test")).why
    assert "does not verify" in check(signed(raw(OWNER)).replace(b"done", b"cancel")).why
    assert "DKIM signature of evil.test" in check(signed(raw(OWNER), domain=b"evil.test")).why
    none = check(raw(OWNER), settings(authserv=""))
    assert not none.authenticated and "no Authentication-Results" in none.why


def test_the_local_opt_in_trusts_the_owner_address_but_never_a_disguise():
    s = settings(trust=True)
    assert check(raw(OWNER), s).authenticated
    assert not check(raw('"owner@firm.test" <mallory@evil.test>'), s).authenticated
    assert not check(raw(f"{OWNER}, mallory@evil.test"), s).authenticated
    assert not check(raw("mallory@evil.test", extra={"Reply-To": OWNER}), s).is_owner


def test_dkim_is_checked_on_the_reserialised_message_when_raw_bytes_are_not_given():
    import email
    import email.policy

    data = signed(raw(OWNER))
    msg = email.message_from_bytes(data, policy=email.policy.default)
    assert check_sender(msg, settings(), dns=dns).authenticated


def test_from_address_and_alignment():
    import email
    import email.policy

    msg = email.message_from_bytes(raw('"owner@firm.test" <Mallory@Evil.test>'), policy=email.policy.default)
    assert from_address(msg) == "mallory@evil.test"
    assert aligned("firm.test", "firm.test") and aligned("mail.firm.test", "firm.test")
    assert not aligned("firm.test", "test") and not aligned("notfirm.test", "firm.test") and not aligned("firm.test", "mail.firm.test")


def test_an_unsigned_message_never_reaches_dns():
    calls = []

    def spy(name, timeout=5):
        calls.append(name)
        return None

    import email
    import email.policy

    msg = email.message_from_bytes(raw(OWNER), policy=email.policy.default)
    assert not check_sender(msg, settings(), dns=spy).authenticated
    assert calls == []
