"""Owner commands end to end on Dovecot + aiosmtpd, with owner authentication switched on.

Two halves: each command from the authenticated owner does what it says and is confirmed; and
each command from anyone else — a stranger, the owner's address without authentication, forged
Authentication-Results, a display-name disguise, several From addresses, the owner only in
Reply-To — changes no file, sends nothing to the client, and the owner hears of the forgeries.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any

import pytest

from mailbot.models import CANCELLED, CLOSED, OPEN
from mailbot.handlers.forward import EXAMPLES
from mailbot.plans import UNDER_PLAN
from tests.support.harness import CLIENT, FIELDS_BODY, OWNER, RULES_7_15, Harness, forward, reply_to

pytestmark = pytest.mark.integration

AUTHSERV = "mx.firm.test"
PASS = f"{AUTHSERV}; dkim=pass header.d=firm.test header.s=sel; spf=pass smtp.mailfrom=owner@firm.test"


@pytest.fixture
def h(dovecot, imap_user, smtp_sink, tmp_path):
    """A harness where owner mail counts only when our server (mx.firm.test) authenticated it."""
    harness = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "data",
                      env={"MAILBOT_TRUST_UNAUTHENTICATED_OWNERS": "0", "MAILBOT_TRUSTED_AUTHSERV_IDS": AUTHSERV})
    yield harness
    harness.close()


def stamped(h: Harness, msg: EmailMessage, *, top: list[str] = ()) -> bytes:
    """The message as our receiving server would file it: its own Authentication-Results on top."""
    if "Date" not in msg:
        msg["Date"] = format_datetime(h.clock.now())
    if "Message-ID" not in msg:
        msg["Message-ID"] = make_msgid(domain="sender.test")
    return "".join(f"Authentication-Results: {t}\r\n" for t in top).encode() + msg.as_bytes()


def owner_says(h: Harness, msg: EmailMessage) -> None:
    h.deliver(stamped(h, msg, top=[PASS]))
    h.step()


def notes(h: Harness) -> list[EmailMessage]:
    return [m.msg for m in h.sink.to(OWNER)]


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


def register(h: Harness, body: str = FIELDS_BODY, subject: str = "Fwd: Facture F2026-014") -> EmailMessage:
    owner_says(h, forward(subject, body))
    return notes(h)[-1]


def command(h: Harness, about: EmailMessage, text: str) -> str:
    """The owner replies `text` to the note `about`; returns the confirmation's text."""
    before = len(notes(h))
    owner_says(h, reply_to(about, text, sender=OWNER))
    got = notes(h)[before:]
    assert got, f"no confirmation for {text!r}"
    return "\n".join(text_of(m) for m in got)


def the_file(h: Harness, number: str = "F2026-014"):
    return next(r for r in h.ledger.all() if r.number == number)


def set_state(h: Harness, **fields: Any) -> None:
    """Put the file in a state (paused, disputed) as earlier mail would have."""
    with h.store.transaction():
        r = the_file(h)
        for k, v in fields.items():
            setattr(r, k, v)
        h.ledger.save(r)


# --- the owner's commands do what they say ----------------------------------------------------

def test_done_closes_and_confirms(h):
    note = register(h)
    said = command(h, note, "Payé, merci !")
    assert the_file(h).status == CLOSED
    assert "Closed F2026-014" in said


def test_partial_payment_keeps_the_balance_then_closes_at_zero(h):
    note = register(h)
    said = command(h, note, "paid 500")
    r = the_file(h)
    assert (r.status, r.amount_due) == (OPEN, Decimal("940.00"))
    assert "€500.00" in said and "€940.00 still due" in said
    said = command(h, note, "betaald 940,00")
    assert the_file(h).status == CLOSED and "Closed F2026-014" in said


def test_pause_resume_promise_dispute(h):
    note = register(h)
    assert "paused until 2027-01-10" in command(h, note, "pause until 2027-01-10")
    assert the_file(h).paused_until == date(2027, 1, 10)
    assert "reminders resumed" in command(h, note, "resume")
    assert the_file(h).paused_until is None
    assert "promised for 2026-12-20" in command(h, note, "promise 2026-12-20")
    r = the_file(h)
    assert (r.promise_date, r.paused_until) == (date(2026, 12, 20), date(2026, 12, 23))  # grace of 3 days
    set_state(h, dispute="wrong amount", paused_until=date(2027, 3, 1))
    assert "dispute marked resolved" in command(h, note, "litige résolu")
    r = the_file(h)
    assert (r.dispute, r.paused_until) == (None, None)


def test_note_client_email_cancel_status_help(h):
    note = register(h)
    assert 'note saved ("called, will pay Friday")' in command(h, note, "note: called, will pay Friday")
    assert any(e["kind"] == "note" and e["text"] == "called, will pay Friday" for e in h.ledger.history(the_file(h).id))
    assert "new@acme.test" in command(h, note, "client email new@acme.test")
    assert the_file(h).client_email == "new@acme.test"
    status = command(h, note, "status")
    assert "F2026-014" in status and "new@acme.test" in status
    helped = command(h, note, "help")
    assert "plan 3x monthly" in helped and "pause until 2027-01-10" in helped
    assert "cancelled" in command(h, note, "cancel")
    assert the_file(h).status == CANCELLED
    assert "No open file" in command(h, note, "status")


def test_unknown_text_gets_the_list_of_commands_and_changes_nothing(h):
    note = register(h)
    before = h.store.table("receivables").all()
    said = command(h, note, "What do you think of this client?")
    assert "I did not understand" in str(notes(h)[-1]["Subject"])
    assert "dispute resolved" in said and "client email new@client.com" in said
    assert h.store.table("receivables").all() == before


def test_undo_puts_the_file_back(h):
    note = register(h)
    command(h, note, "paid 500")
    said = command(h, note, "undo")
    assert 'undid "paid 500"' in said
    assert the_file(h).amount_due == Decimal("1440.00")
    assert "Nothing to undo" in command(h, note, "undo")


def test_correction_by_reply(h):
    note = register(h)
    said = command(h, note, "amount 1 200,00\nclient compta@acme.test")
    r = the_file(h)
    assert (r.amount_due, r.client_email) == (Decimal("1200.00"), "compta@acme.test")
    assert "1200.00" in said and "compta@acme.test" in said
    command(h, note, "undo")
    assert the_file(h).amount_due == Decimal("1440.00")


def test_commands_by_invoice_number_several_per_message(h):
    register(h)
    register(h, FIELDS_BODY.replace("F2026-014", "F2026-015").replace("1440.00", "300.00"), "Fwd: Facture F2026-015")
    register(h, FIELDS_BODY.replace("F2026-014", "F2026-016").replace("1440.00", "99.00"), "Fwd: Facture F2026-016")
    # Not a reply: a fresh email (as from a digest) naming each file.
    msg = forward("commands", "Hello,\n\ndone F2026-014\npaid F2026-015 100\npause F2026-016 until 2027-01-10\ndone F2099-001\n")
    owner_says(h, msg)
    said = text_of(notes(h)[-1])
    assert the_file(h, "F2026-014").status == CLOSED
    assert the_file(h, "F2026-015").amount_due == Decimal("200.00")
    assert the_file(h, "F2026-016").paused_until == date(2027, 1, 10)
    assert "F2099-001" in said and "no open file" in said


def test_a_command_about_several_files_asks_which(h):
    register(h)
    register(h, FIELDS_BODY.replace("F2026-014", "F2026-015"), "Fwd: Facture F2026-015")
    status = notes(h)[-1]
    owner_says(h, forward("status", "status"))
    listing = notes(h)[-1]
    # The status note is about no file in particular; a bare "done" to it must not guess.
    said = command(h, listing, "done")
    assert all(r.status == OPEN for r in h.ledger.all()), said
    assert status is not None


def test_plan_splits_into_instalments_that_are_reminded_alone_and_close_the_parent(h):
    note = register(h)
    said = command(h, note, "plan 3x monthly")
    parent = the_file(h)
    kids = h.ledger.instalments(parent.id)
    assert parent.status == UNDER_PLAN
    assert [(k.number, k.amount_due, k.due_date) for k in kids] == [
        ("F2026-014 (1/3)", Decimal("480.00"), date(2027, 1, 1)),
        ("F2026-014 (2/3)", Decimal("480.00"), date(2027, 2, 1)),
        ("F2026-014 (3/3)", Decimal("480.00"), date(2027, 3, 1)),
    ]
    assert "F2026-014 (1/3): €480.00 due 2027-01-01" in said
    # The parent is never reminded; the first instalment is, after its own due date (+7).
    h.days(37)  # 2027-01-07
    assert h.sink.to(CLIENT) == []
    h.days(1)  # 2027-01-08
    [first] = [m.msg for m in h.sink.to(CLIENT)]
    assert "F2026-014 (1/3)" in text_of(first) and "(2/3)" not in text_of(first)
    # The owner closes the instalments one by one; the last closes the file.
    command(h, note, "done F2026-014 (1/3)")
    command(h, note, "done F2026-014 (2/3)")
    assert the_file(h).status == UNDER_PLAN
    command(h, note, "done F2026-014 (3/3)")
    assert the_file(h).status == CLOSED


def test_undo_of_a_plan_removes_the_instalments(h):
    note = register(h)
    command(h, note, "plan 2x weekly from 2026-12-20")
    assert len(h.ledger.all()) == 3
    command(h, note, "undo")
    [r] = h.ledger.all()
    assert (r.status, r.amount_due) == (OPEN, Decimal("1440.00"))


def test_done_on_a_file_under_plan_closes_every_instalment(h):
    note = register(h)
    command(h, note, "échéancier 3 fois par mois")
    command(h, note, "paid F2026-014 500")
    kids = h.ledger.instalments(the_file(h).id)
    assert [k.status for k in kids] == [CLOSED, OPEN, OPEN] and kids[1].amount_due == Decimal("460.00")
    command(h, note, "done F2026-014")
    assert the_file(h).status == CLOSED and all(k.status == CLOSED for k in h.ledger.instalments(the_file(h).id))


# --- nobody else can: one test per command ------------------------------------------------------

COMMANDS = ["done", "Payé, merci !", "betaald", "paid 500", "pause until 2027-01-10", "resume", "dispute resolved",
            "promise 2026-12-20", "plan 3x monthly", "note: the client called", "client email mallory@evil.test", "cancel",
            "status", "undo", "help", "amount 1,00", "due 2030-01-01", "done F2026-014"]


NOT_CLAIMING_OWNER = ("stranger", "stranger whose server passed", "owner only in Reply-To")


def spoofs(note: EmailMessage, text: str) -> list[tuple[str, list[str], EmailMessage]]:
    """Every way of claiming to be the owner without being the owner."""
    def reply(sender: str, **headers: str) -> EmailMessage:
        m = reply_to(note, text, sender=sender)
        for k, v in headers.items():
            del m[k]
            m[k] = v
        return m

    return [
        ("stranger", [], reply("mallory@evil.test")),
        ("stranger whose server passed", [f"{AUTHSERV}; dkim=pass header.d=evil.test"], reply("mallory@evil.test")),
        ("owner address, unauthenticated", [], reply(OWNER)),
        ("forged header from an untrusted server", ["mx.evil.test; dkim=pass header.d=firm.test; dmarc=pass header.from=firm.test"], reply(OWNER)),
        ("forged pass below our server's fail",
         [f"{AUTHSERV}; dkim=none; spf=fail smtp.mailfrom=evil.test", f"{AUTHSERV}; dkim=pass header.d=firm.test"], reply(OWNER)),
        ("owner address as display name", [f"{AUTHSERV}; dkim=pass header.d=evil.test"], reply(f'"{OWNER}" <mallory@evil.test>')),
        ("several From addresses", [PASS], reply(f"{OWNER}, mallory@evil.test")),
        ("owner only in Reply-To", [f"{AUTHSERV}; dkim=pass header.d=evil.test"], reply("mallory@evil.test", **{"Reply-To": OWNER})),
    ]


def state(h: Harness) -> dict[str, Any]:
    events = [e for e in h.store.table("events").all() if e["kind"] not in ("refused", "unknown_sender")]
    return {t: h.store.table(t).all() for t in ("receivables", "bad_addresses", "undo")} | {"events": events}


@pytest.mark.parametrize("text", COMMANDS)
def test_no_command_from_anyone_else_changes_a_file(h, text):
    note = register(h)
    command(h, note, "paid 100")  # something for a forged "undo" to undo
    set_state(h, paused_until=date(2026, 12, 10), dispute="wrong amount")
    before = state(h)
    owner_notes, client_mail = len(notes(h)), len(h.sink.to(CLIENT))
    cases = spoofs(note, text)
    for _, top, msg in cases:
        h.deliver(stamped(h, msg, top=top))
    h.step()
    assert state(h) == before, text
    assert len(h.sink.to(CLIENT)) == client_mail
    assert [str(m["Subject"]) for m in h.folder("mailbot/quarantine")] == [str(m["Subject"]) for *_, m in cases]
    # The owner hears of each message that claimed the owner's address (not of plain strangers).
    refused = [m for m in notes(h)[owner_notes:] if "Refused" in str(m["Subject"])]
    claimed = [name for name, _, _ in cases if name not in NOT_CLAIMING_OWNER]
    assert len(refused) == len(claimed), [str(m["Subject"]) for m in notes(h)[owner_notes:]]
    assert len(notes(h)) == owner_notes + len(claimed)


def test_no_invoice_is_registered_from_anyone_else(h):
    for name, top, _ in spoofs(forward("x", "x"), "x"):
        msg = forward(f"Fwd: Facture F2026-099 ({name})", FIELDS_BODY.replace("F2026-014", "F2026-099"))
        if "Reply-To" in name or "stranger" in name or "display" in name:
            del msg["From"]
            msg["From"] = f'"{OWNER}" <mallory@evil.test>' if "display" in name else "mallory@evil.test"
            if "Reply-To" in name:
                msg["Reply-To"] = OWNER
        elif "several" in name:
            del msg["From"]
            msg["From"] = f"{OWNER}, mallory@evil.test"
        h.deliver(stamped(h, msg, top=top))
    h.step()
    assert h.ledger.all() == []
    # The real owner, authenticated, still can.
    register(h)
    assert [r.number for r in h.ledger.all()] == ["F2026-014"]


# --- an owner who reads French, Dutch or German: the answers mailbot asks for, and why it refused ---

OWNER_LANGS = ("fr", "nl", "de")


@pytest.fixture
def owner_in(dovecot, imap_user, smtp_sink, tmp_path):
    """Harnesses whose rules.yaml says the owner's language (owner mail trusted as in the default harness)."""
    made: list[Harness] = []

    def make(lang: str, **env: str) -> Harness:
        h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / f"data-{len(made)}",
                    rules=RULES_7_15.replace("language: en", f"language: {lang}"), env=env)
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


@pytest.mark.parametrize("lang", OWNER_LANGS)
def test_the_owner_answers_an_ask_note_with_the_lines_it_suggests(owner_in, lang):
    """The ask note's example lines are the owner's words, and sent back as they are they complete the draft."""
    h = owner_in(lang)
    h.deliver(forward("Fwd: Facture F2026-014", "invoice: F2026-014\namount: 1440.00 EUR\nissued: 2026-11-15\n"))
    h.step()
    [draft] = h.ledger.all()
    assert set(draft.missing) == {"due_date", "buyer_email"}
    [ask] = notes(h)
    lines = [ln.strip() for ln in text_of(ask).splitlines()]
    wanted = [EXAMPLES[lang][m] for m in ("due_date", "buyer_email")]
    assert all(w in lines for w in wanted), text_of(ask)
    assert wanted[0] != EXAMPLES["en"]["due_date"]
    h.deliver(reply_to(ask, "\n".join(wanted), sender=OWNER))
    h.step()
    r = the_file(h)
    address = wanted[1].split()[-1]
    assert (r.status, r.due_date, r.client_email) == (OPEN, date(2026, 12, 15), address)


@pytest.mark.parametrize("lang, says, english", [
    ("fr", ("aucune facture trouvée", "le message a trop de pièces jointes (limite 1, réglage MAILBOT_MAX_ATTACHMENTS)"),
     ("no invoice", "attachments; the limit")),
    ("nl", ("geen factuur gevonden", "het bericht heeft te veel bijlagen (limiet 1, instelling MAILBOT_MAX_ATTACHMENTS)"),
     ("no invoice", "attachments; the limit")),
    ("de", ("keine Rechnung gefunden", "die Nachricht hat zu viele Anhänge (Grenze 1, Einstellung MAILBOT_MAX_ATTACHMENTS)"),
     ("no invoice", "attachments; the limit")),
])
def test_why_a_forward_was_quarantined_is_in_the_owners_language(owner_in, lang, says, english):
    h = owner_in(lang, MAILBOT_MAX_ATTACHMENTS="1")
    h.deliver(forward("Fwd: rien", "Are you free for lunch?\n"))
    h.deliver(forward("Fwd: deux", "two", attachments=[("a.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n"),
                                                        ("b.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n")]))
    h.step()
    assert len(h.folder("mailbot/quarantine")) == 2
    text = "\n".join(text_of(m) for m in notes(h))
    for phrase in says:
        assert phrase in text, text
    for phrase in english:
        assert phrase not in text, text


@pytest.mark.parametrize("lang, says", [
    ("fr", ("catégorie du client (aussi F2026-015) » : fidèle", "type de client (aussi F2026-015) » : particulier (B2C)",
            "langue des relances (aussi F2026-015) » : néerlandais")),
    ("de", ("Kundenkategorie (auch F2026-015) ist jetzt treu", "Kundenart (auch F2026-015) ist jetzt Verbraucher (B2C)",
            "Sprache der Erinnerungen (auch F2026-015) ist jetzt Niederländisch")),
])
def test_a_client_setting_is_confirmed_in_the_owners_language(owner_in, lang, says):
    h = owner_in(lang)
    h.deliver(forward("Fwd: one", FIELDS_BODY))
    h.deliver(forward("Fwd: two", FIELDS_BODY.replace("F2026-014", "F2026-015").replace("1440.00", "300.00")))
    h.step()
    first = next(m for m in notes(h) if "F2026-014" in str(m["Subject"]))
    answer = command(h, first, "segment loyal\nb2c\nlanguage nl")
    for phrase in says:
        assert phrase in answer, answer
    for english in ("kind of client", "client type", "reminder language", "consumer (B2C)", "(also ", "is now"):
        assert english not in answer, answer
