"""Every note to a French or Dutch owner is in French or Dutch, end to end (issue 7).

The real handlers on Dovecot + aiosmtpd, with `business.language` set to fr or nl: a
registration, the same invoice forwarded again, a client reply of each intent, owner commands
(pause, something not understood, done) and a hard bounce. The subject and both parts of each
note must carry the owner's words and none of the English ones the handlers used to build.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from mailbot.compose import Templates

from tests.support.harness import CLIENT, FIELDS_BODY, OWNER, RULES_7_15, Harness, forward, reply_to
from tests.test_replies_e2e import bounce

# Phrases from the English templates and from the sentences the handlers used to build in English.
ENGLISH = (
    "Registered", "Already registered", "replied", "My reading", "What I did", "Commands that fit",
    "reminders paused", "I did not understand", "Done:", "Your request", "Reply to this email",
    "a promise to pay", "promise not kept", "no reminder before", "says it has already paid",
    "disputes the invoice", "asks for a copy", "not sure what they mean", "unsure (", "tell me what to do",
    "the fields in your email", "Reminder bounced", "paused until", "here are the commands", "Nothing changed",
)

# What each language must say, per note, in the order the scenario below produces them.
EXPECTED = {
    "fr": {
        "registered": ("Enregistrée : facture F2026-014", "les champs de votre message"),
        "duplicate": ("Déjà enregistrée : F2026-014", "déjà enregistrée"),
        "promise": ("Réponse du client", "une promesse de payer le 2027-01-08", "aucune relance avant le"),
        "paid_claim": ("Réponse du client", "dit avoir déjà payé", "relances en pause jusqu'au"),
        "dispute": ("Réponse du client", "conteste la facture", "relances arrêtées jusqu'à votre décision"),
        "copy_request": ("Réponse du client", "demande une copie de la facture", "copie de la facture envoyée au client"),
        "other": ("Réponse du client", "incertain (", "dites-moi quoi faire"),
        "pause": ("Fait : F2026-014", "en pause jusqu'au 2027-02-10"),
        "unknown": ("Message non compris : voici les commandes", "suspendre jusqu'au"),
        "bounce": ("Relance non distribuée", CLIENT),
        "done": ("Fait : F2026-014", "clos"),
    },
    "nl": {
        "registered": ("Geregistreerd: factuur F2026-014", "pauzeer tot"),
        "duplicate": ("Al geregistreerd: F2026-014",),
        "promise": ("Hoe ik het begrijp", "een belofte om te betalen op 2027-01-08", "geen herinnering vóór"),
        "paid_claim": ("Hoe ik het begrijp", "zegt al betaald te hebben", "herinneringen gepauzeerd tot"),
        "dispute": ("Hoe ik het begrijp", "betwist de factuur", "herinneringen gestopt tot u beslist"),
        "copy_request": ("Hoe ik het begrijp", "vraagt een kopie van de factuur", "kopie van de factuur naar de klant gestuurd"),
        "other": ("Hoe ik het begrijp", "onzeker (", "zeg me wat ik moet doen"),
        "pause": ("Uitgevoerd: F2026-014", "2027-02-10"),
        "unknown": ("Uw bericht niet begrepen", "betaald"),
        "bounce": ("Herinnering onbestelbaar", CLIENT),
        "done": ("Uitgevoerd: F2026-014",),
    },
}

REPLIES = {
    "promise": "We will pay this invoice on 2027-01-08.",
    "paid_claim": "We already paid this invoice last week by bank transfer.",
    "dispute": "We dispute this invoice: the goods arrived damaged and we will not pay for them.",
    "copy_request": "Could you send us a copy of the invoice please?",
    "other": "Hello, our accountant will be back on Monday.",
}


TITLES = [{"kind": k, "numbers": ["F2026-014"], "text": "AV-7"} for k in (
    "unknown", "partly_unchanged", "which_file", "done", "request", "already_registered", "credit_already",
    "credit_which", "credit_applied", "payment_recorded", "payment_which")]
INTENTS = ("promise", "paid_claim", "dispute", "copy_request", "plan_request", "question", "other")
ACTIONS = ("promise", "dispute", "copy_request", "paid_claim", "plan_request", "unsure", "question")


@pytest.mark.parametrize("lang", ["fr", "nl", "de"])
def test_every_code_is_worded_in_each_language(lang: str) -> None:
    """The codes the handlers pass (titles, readings, actions, match reasons) have words in every
    language, German included (the end-to-end run below covers French and Dutch)."""
    t = Templates()
    base = {"lang": lang, "business_name": "Firm", "commands_hint": "x"}
    subjects = set()
    for title in TITLES:
        out = t.render(f"{lang}/owner/result.j2", base | {"title": title, "changes": [], "show_help": False})
        assert "\n" not in out.subject and out.subject not in ("", title["kind"]), (title, out.subject)
        subjects.add(out.subject)
    assert len(subjects) == len(TITLES)  # each code has its own subject
    file = {"number": "F2026-014", "client_name": "ACME", "client_email": "a@acme.test", "amount_due": Decimal("10"),
            "currency": "EUR", "due_date": date(2026, 12, 15), "status": "open", "paused_until": date(2027, 1, 5),
            "dispute": None, "promise_date": None, "stage_name": None}
    bodies = set()
    for intent, acted in zip(INTENTS, ACTIONS):
        for sure in (True, False):
            reading = {"intent": intent, "sure": sure, "date": date(2027, 1, 4), "amount": Decimal("10"), "currency": "EUR",
                       "reason": None}
            out = t.render(f"{lang}/owner/client_reply.j2", base | {
                "sender": "a@acme.test", "files": [file], "reading": reading, "evidence": None, "new_text": "",
                "action": {"kind": acted, "until": date(2027, 1, 5)}, "fitting": []})
            leaks = [w for w in ENGLISH if w in out.text]
            assert not leaks, (lang, intent, acted, leaks, out.text)
            assert "2027-01-05" in out.text and "_" not in out.text, out.text
            bodies.add(out.text)
    assert len(bodies) == 2 * len(INTENTS)  # every reading and action has its own words
    for why in ("no_amount", "several_open", "no_open_of_client"):
        out = t.render(f"{lang}/owner/result.j2", base | {"title": "x", "show_help": False, "changes": [
            {"kind": "credit_unsure", "text": "AV-7", "amount": None, "currency": "EUR", "why": why, "numbers": []}]})
        assert why not in out.text, out.text
    out = t.render(f"{lang}/owner/result.j2", base | {"title": "x", "show_help": False, "changes": [
        {"kind": "payment_unsure", "amount": None, "currency": "EUR", "payer": "ACME", "source": "bank", "how": "nothing",
         "why": "no_amount_read", "numbers": []}]})
    assert "no_amount_read" not in out.text and "could not read" not in out.text, out.text


@pytest.fixture(params=["fr", "nl"])
def owner_lang(request, dovecot, imap_user, smtp_sink, tmp_path: Path):
    rules = RULES_7_15.replace("  language: en\n", f"  language: {request.param}\n")
    assert rules != RULES_7_15
    h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "data", rules=rules)
    yield request.param, h
    h.close()


def _notes(h: Harness) -> list:
    return [m.msg for m in h.sink.to(OWNER)]


def _words(note) -> str:
    """Subject, text part and HTML part of a note: where an English leak would show."""
    plain = note.get_body(("plain",)).get_content()
    html = note.get_body(("html",)).get_content()
    return f"{note['Subject']}\n{plain}\n{html}"


def _one_more(h: Harness, before: int) -> object:
    h.step()
    notes = _notes(h)
    assert len(notes) == before + 1, [str(n["Subject"]) for n in notes[before:]]
    return notes[-1]


@pytest.mark.integration
def test_owner_notes_speak_the_owners_language(owner_lang) -> None:
    lang, h = owner_lang
    seen: dict[str, object] = {}

    h.deliver(forward("Fwd: Facture F2026-014", FIELDS_BODY))
    seen["registered"] = _one_more(h, 0)
    h.deliver(forward("Fwd: Facture F2026-014 (again)", FIELDS_BODY))
    seen["duplicate"] = _one_more(h, 1)

    h.days(21)  # the first reminder, due + 7
    reminders = [m.msg for m in h.sink.to(CLIENT)]
    assert len(reminders) == 1
    for intent, text in REPLIES.items():
        h.deliver(reply_to(reminders[0], text, sender=f"ACME <{CLIENT}>"))
        seen[intent] = _one_more(h, len(_notes(h)))
        events = [e for e in h.ledger.history(h.ledger.all()[0].id) if e["kind"] == "client_reply"]
        assert events[-1]["intent"] == intent, (intent, events[-1])

    registered = seen["registered"]
    h.deliver(reply_to(registered, "pause until 2027-02-10", sender=OWNER))
    seen["pause"] = _one_more(h, len(_notes(h)))
    h.deliver(reply_to(registered, "what is going on with this one", sender=OWNER))
    seen["unknown"] = _one_more(h, len(_notes(h)))
    h.deliver(bounce(str(reminders[0]["Message-ID"]), CLIENT, "5.1.1", "550 5.1.1 <billing@acme.test>: User unknown"))
    seen["bounce"] = _one_more(h, len(_notes(h)))
    h.deliver(reply_to(registered, {"fr": "payé", "nl": "betaald"}[lang], sender=OWNER))
    seen["done"] = _one_more(h, len(_notes(h)))

    for step, note in seen.items():
        words = _words(note)
        subject = str(note["Subject"])
        assert "\n" not in subject, (step, subject)
        leaks = [w for w in ENGLISH if w in words]
        assert not leaks, (lang, step, leaks, words)
        missing = [w for w in EXPECTED[lang][step] if w not in words]
        assert not missing, (lang, step, missing, words)


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_the_commands_hint_in_each_language_is_understood(lang: str) -> None:
    """The footer of every note lists commands in the owner's words: each must parse."""
    from mailbot.commands import parse_line
    from mailbot.handlers.base import Desk

    for words in Desk.COMMANDS_HINT[lang].split(", "):
        assert parse_line(words) is not None, (lang, words)
