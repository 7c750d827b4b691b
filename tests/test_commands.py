"""Owner commands, parsed line by line: one row per case (pure, no mailbox)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from mailbot.commands import WRITABLE, parse_amount, parse_commands, parse_line, write_command
from mailbot.plans import add_months, first_due, split

D = Decimal

# (line, verb, number, amount, date, extra)
CASES = [
    # close
    ("done", "done", None, None, None, {}),
    ("Done, thanks", "done", None, None, None, {}),
    ("Payé, merci !", "done", None, None, None, {}),
    ("payé", "done", None, None, None, {}),
    ("réglé le 3/12", "done", None, None, None, {}),
    ("betaald", "done", None, None, None, {}),
    ("Betaald, bedankt", "done", None, None, None, {}),
    ("paid in full", "done", None, None, None, {}),
    ("done F-12", "done", "F-12", None, None, {}),
    ("done F2026-014 thanks", "done", "F2026-014", None, None, {}),
    ("payé F2026/014", "done", "F2026/014", None, None, {}),
    ("done F-12 (2/3)", "done", "F-12 (2/3)", None, None, {}),
    ("**done F-12**", "done", "F-12", None, None, {}),
    # partial payments: the amount is an amount, even with a thousands space
    ("paid 500", "partial", None, D("500"), None, {}),
    ("payé 1 200,50 €", "partial", None, D("1200.50"), None, {}),
    ("paid € 1,200.50", "partial", None, D("1200.50"), None, {}),
    ("betaald 250,00 EUR", "partial", None, D("250.00"), None, {}),
    ("ontvangen 99", "partial", None, D("99"), None, {}),
    ("paid F-12 500", "partial", "F-12", D("500"), None, {}),
    ("reçu F2026-014 1.440,00", "partial", "F2026-014", D("1440.00"), None, {}),
    # pause / resume
    ("pause until 2027-01-10", "pause", None, None, date(2027, 1, 10), {}),
    ("suspendre jusqu'au 10/01/2027", "pause", None, None, date(2027, 1, 10), {}),
    ("pauzeer tot 10-01-2027", "pause", None, None, date(2027, 1, 10), {}),
    ("pause F-14 until 2027-01-10", "pause", "F-14", None, date(2027, 1, 10), {}),
    ("resume", "resume", None, None, None, {}),
    ("reprendre F-12", "resume", "F-12", None, None, {}),
    ("hervat", "resume", None, None, None, {}),
    # disputes and promises
    ("dispute resolved", "dispute_resolved", None, None, None, {}),
    ("litige résolu", "dispute_resolved", None, None, None, {}),
    ("geschil opgelost", "dispute_resolved", None, None, None, {}),
    ("dispute F-12 resolved", "dispute_resolved", "F-12", None, None, {}),
    ("promise 2026-12-20", "promise", None, None, date(2026, 12, 20), {}),
    ("promesse pour le 20/12/2026", "promise", None, None, date(2026, 12, 20), {}),
    ("belofte F-9 2026-12-20", "promise", "F-9", None, date(2026, 12, 20), {}),
    # plans
    ("plan 3x monthly", "plan", None, None, None, {"count": 3, "period": "monthly"}),
    ("plan F-12 4x weekly", "plan", "F-12", None, None, {"count": 4, "period": "weekly"}),
    ("échéancier 3 fois par mois", "plan", None, None, None, {"count": 3, "period": "monthly"}),
    ("échéancier 3x mensuel", "plan", None, None, None, {"count": 3, "period": "monthly"}),
    ("betalingsplan 6x maandelijks", "plan", None, None, None, {"count": 6, "period": "monthly"}),
    ("plan 2x weekly from 2027-01-05", "plan", None, None, date(2027, 1, 5), {"count": 2, "period": "weekly"}),
    ("plan 3", "plan", None, None, None, {"count": 3, "period": "monthly"}),
    # notes, addresses, the rest
    ("note: called, will pay Friday", "note", None, None, None, {"text": "called, will pay Friday"}),
    ("note F-12: relancé par téléphone", "note", "F-12", None, None, {"text": "relancé par téléphone"}),
    ("notitie: gebeld", "note", None, None, None, {"text": "gebeld"}),
    ("client email x@y.fr", "client_email", None, None, None, {"text": "x@y.fr"}),
    ("client compta@acme.fr", "client_email", None, None, None, {"text": "compta@acme.fr"}),
    ("klant e-mail nieuw@klant.be", "client_email", None, None, None, {"text": "nieuw@klant.be"}),
    ("adresse F-12 nouveau@client.fr", "client_email", "F-12", None, None, {"text": "nouveau@client.fr"}),
    ("cancel", "cancel", None, None, None, {}),
    ("annuler F-12", "cancel", "F-12", None, None, {}),
    ("annuleer", "cancel", None, None, None, {}),
    ("status", "status", None, None, None, {}),
    ("statut", "status", None, None, None, {}),
    ("overzicht", "status", None, None, None, {}),
    ("undo", "undo", None, None, None, {}),
    ("annuler la dernière", "undo", None, None, None, {}),
    ("ongedaan", "undo", None, None, None, {}),
    ("help", "help", None, None, None, {}),
    ("aide", "help", None, None, None, {}),
    ("?", "help", None, None, None, {}),
    # German, every command
    ("erledigt", "done", None, None, None, {}),
    ("Bezahlt, danke", "done", None, None, None, {}),
    ("bezahlt F-12", "done", "F-12", None, None, {}),
    ("beglichen am 3.12.", "done", None, None, None, {}),
    ("bezahlt 500", "partial", None, D("500"), None, {}),
    ("erhalten F-12 1.200,50 €", "partial", "F-12", D("1200.50"), None, {}),
    ("Teilzahlung 250", "partial", None, D("250"), None, {}),
    ("pausieren bis 2027-01-10", "pause", None, None, date(2027, 1, 10), {}),
    ("Pause bis 10.01.2027", "pause", None, None, date(2027, 1, 10), {}),
    ("pausieren F-14 bis zum 10.01.2027", "pause", "F-14", None, date(2027, 1, 10), {}),
    ("fortsetzen", "resume", None, None, None, {}),
    ("fortsetzen F-12", "resume", "F-12", None, None, {}),
    ("Streit erledigt", "dispute_resolved", None, None, None, {}),
    ("Einwand erledigt", "dispute_resolved", None, None, None, {}),
    ("Beanstandung F-12 geklärt", "dispute_resolved", "F-12", None, None, {}),
    ("Zusage 2026-12-20", "promise", None, None, date(2026, 12, 20), {}),
    ("Versprechen F-9 am 20.12.2026", "promise", "F-9", None, date(2026, 12, 20), {}),
    ("Zusage für den 20.12.2026", "promise", None, None, date(2026, 12, 20), {}),
    ("Ratenplan 3x monatlich", "plan", None, None, None, {"count": 3, "period": "monthly"}),
    ("Ratenplan F-12 4 mal wöchentlich ab 2027-01-05", "plan", "F-12", None, date(2027, 1, 5), {"count": 4, "period": "weekly"}),
    ("Ratenzahlung 6x pro Monat", "plan", None, None, None, {"count": 6, "period": "monthly"}),
    ("Notiz: angerufen, zahlt Freitag", "note", None, None, None, {"text": "angerufen, zahlt Freitag"}),
    ("Vermerk F-12: Mahnung per Telefon", "note", "F-12", None, None, {"text": "Mahnung per Telefon"}),
    ("Kunden-E-Mail x@y.de", "client_email", None, None, None, {"text": "x@y.de"}),
    ("E-Mail des Kunden F-12 neu@kunde.de", "client_email", "F-12", None, None, {"text": "neu@kunde.de"}),
    ("stornieren", "cancel", None, None, None, {}),
    ("stornieren F-12", "cancel", "F-12", None, None, {}),
    ("Status", "status", None, None, None, {}),
    ("Übersicht", "status", None, None, None, {}),
    ("rückgängig", "undo", None, None, None, {}),
    ("Rückgängig machen", "undo", None, None, None, {}),
    ("Hilfe", "help", None, None, None, {}),
    ("Befehle", "help", None, None, None, {}),
    ("Verlauf F-12", "history", "F-12", None, None, {}),
    ("exportieren", "export", None, None, None, {}),
    ("Zusammenfassung", "digest", None, None, None, {}),
    ("Kategorie treu", "segment", None, None, None, {"text": "loyal"}),
    ("Kundentyp regelmäßig", "segment", None, None, None, {"text": "regular"}),
    ("Verbraucher", "kind", None, None, None, {"text": "b2c"}),
    ("Sprache de", "language", None, None, None, {"text": "de"}),
]

NOT_COMMANDS = [
    "paid?",  # a question
    "paid? not yet",
    "payé ? pas encore",
    "done yet?",
    "I paid",  # not at the start of the line
    "Paid attention to the new terms",  # a sentence that starts like a command
    "pas payé",
    "plan 1x monthly",  # one instalment is no plan
    "plan 40x monthly",  # more than MAX_INSTALMENTS
    "pause until 2027-02-30",  # no such date
    "paid 0",
    "Bonjour,",
    "Thanks, due 2026-12-15 please",
    "",
    "noch nicht bezahlt",  # German negations and questions
    "bezahlt? noch nicht",
    "erledigt? nein",
    "Streit erledigt?",
    "Ratenplan 1x monatlich",
    "Weiter so, danke",  # "weiter" alone resumes; a sentence does not
    "Zusage bis bald",
]


@pytest.mark.parametrize("line,verb,number,amount,when,extra", CASES, ids=[c[0] or "empty" for c in CASES])
def test_command_line(line, verb, number, amount, when, extra):
    cmd = parse_line(line)
    assert cmd is not None, line
    assert (cmd.verb, cmd.number, cmd.amount, cmd.date) == (verb, number, amount, when)
    for key, value in extra.items():
        assert getattr(cmd, key) == value


@pytest.mark.parametrize("line", NOT_COMMANDS)
def test_not_a_command(line):
    assert parse_line(line) is None


def test_a_digest_reply_carries_one_command_per_line():
    text = "Bonjour,\n\ndone F-12\npaid F-14 300\npause F-15 until 2027-01-10\nnote F-16: rappelé\n\nMerci\n"
    assert [(c.verb, c.number) for c in parse_commands(text)] == [
        ("done", "F-12"), ("partial", "F-14"), ("pause", "F-15"), ("note", "F-16")]


@pytest.mark.parametrize("text,value", [("1 440,50", "1440.50"), ("1,440.50", "1440.50"), ("1.440", "1440"), ("500", "500"),
                                        ("12,5", "12.5"), ("1\u202f440,00", "1440.00")])
def test_amounts(text, value):
    assert parse_amount(text) == D(value)


def test_plan_split_is_exact_to_the_cent_and_dated_per_period():
    parts = split("F-12", D("1000.00"), 3, "monthly", date(2027, 1, 31))
    assert [p.number for p in parts] == ["F-12 (1/3)", "F-12 (2/3)", "F-12 (3/3)"]
    assert [p.amount for p in parts] == [D("333.33"), D("333.33"), D("333.34")]
    assert sum(p.amount for p in parts) == D("1000.00")
    assert [p.due_date for p in parts] == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]
    weekly = split("F-1", D("10.00"), 2, "weekly", date(2027, 1, 5))
    assert [p.due_date for p in weekly] == [date(2027, 1, 5), date(2027, 1, 12)]
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert first_due(date(2026, 12, 1), "monthly") == date(2027, 1, 1)
    with pytest.raises(ValueError, match="at least 2"):
        split("F-1", D("10"), 1, "monthly", date(2027, 1, 1))
    with pytest.raises(ValueError, match="nothing to split"):
        split("F-1", D("0"), 3, "monthly", date(2027, 1, 1))


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
@pytest.mark.parametrize("number", [None, "F2026-014", "F-12 (2/3)"])
def test_every_written_command_parses_back_to_itself(lang: str, number: str | None) -> None:
    """What mailbot offers an owner to reply with (write_command) is read back as that same command."""
    data = {"partial": {"amount": D("1440.50")}, "pause": {"when": date(2027, 1, 10)}, "promise": {"when": date(2026, 12, 20)},
            "plan": {"count": 3, "period": "weekly"}, "note": {"text": "rappelé"}}
    for verb in WRITABLE:
        line = write_command(lang, verb, number=number, **data.get(verb, {}))
        cmd = parse_line(line)
        assert cmd is not None, (lang, line)
        assert (cmd.verb, cmd.number) == (verb, number), (lang, line, cmd)
        assert cmd.amount == data.get(verb, {}).get("amount") and cmd.date == data.get(verb, {}).get("when"), (lang, line, cmd)
        if verb == "plan":
            assert (cmd.count, cmd.period) == (3, "weekly"), (lang, line, cmd)
        if verb == "note":
            assert cmd.text == "rappelé", (lang, line, cmd)


def test_written_commands_use_the_owners_words() -> None:
    assert write_command("de", "pause", when=date(2027, 1, 10)) == "pausieren bis 2027-01-10"
    assert write_command("nl", "done", number="F-1") == "betaald F-1"
    assert write_command("fr", "plan", count=3) == "échéancier 3x mensuel"
    assert write_command("xx", "resume") == "resume"  # a language the parser does not read: English
    with pytest.raises(ValueError, match="no written form for the verb 'status'"):
        write_command("en", "status")
