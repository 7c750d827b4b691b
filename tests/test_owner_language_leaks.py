"""No English in a French, Dutch or German owner's notes, from the paths that used to leak it.

Each note kind is rendered in English and in fr/nl/de with data from the real producers: intake
warnings from real forwards and documents, the "(unsure)" mark the forward handler sets, plan
refusals from `plans.refusal`, the commands that fit from `handlers.client.fitting`, importer
refusals, skipped rows and bad rows from `importer`, the guard's held-notes title, the answer lines
an "ask" note suggests (`handlers.forward.examples`), the reasons a message was quarantined (the
forward handler's and the daemon's, from real refusals), and the per-client setting confirmations
(`handlers.command._client_setting`). The English
words are taken from the English rendering of the same note (minus the data: names, numbers,
addresses, file names); none may appear in the other language's rendering. A few words are
words of both languages (French "client", German "Status"): they are listed per language with
what they mean there.
"""

from __future__ import annotations

import ast
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest

from mailbot.coded import Coded
from mailbot.commands import Command, parse_line
from mailbot.compose import Templates
from mailbot.daemon import failure_reason, refused_shape_reason, too_large_reason
from mailbot.errors import ExtractionError, InputRejected
from mailbot.guard import GuardPolicy, HeldSummary, inspect_message
from mailbot.handlers.base import Desk, file_view
from mailbot.handlers.client import fitting
from mailbot.handlers.command import _client_setting
from mailbot.handlers.forward import EXAMPLES, examples, refusal_reason
from mailbot.importer import ImportPlan, ImportRefused, read_table, register
from mailbot.intake import Limits, extract_message, extract_path, parse_corrections
from mailbot.intake.textfields import extract_text_fields
from mailbot.models import OPEN, Receivable
from mailbot.plans import refusal
from mailbot.replies.reading import ReplyReading
from mailbot.rules import parse_rules
from tests.support.harness import RULES_7_15

LANGS = ("fr", "nl", "de")
TEMPLATES = Templates()
RULES = parse_rules(RULES_7_15)
FIXTURES = Path(__file__).parent / "fixtures"
MAILBOT = Path(__file__).parent.parent / "mailbot"
D = Decimal

# Names of formats, codes, folders and commands, the same in every language ("e-mail", "mailbot/quarantine",
# "mailbot replay").
FORMATS = {"pdf", "xml", "csv", "xlsx", "ubl", "cii", "iban", "eur", "factur", "mail", "code", "quarantine", "utf", "mailbot", "mime", "replay"}
# Words of both English and the note's language, with their meaning there: not leaks.
SHARED = {
    "fr": {"client", "note", "notes", "date", "total", "pause", "plan", "message", "messages", "question", "visible", "pages", "structure", "cause", "type"},
    "nl": {"plan", "open", "status", "per", "type",
           "factuurnummer"},  # a Dutch column name the English import refusal quotes as an example
    "de": {"status", "plan", "name", "export", "text", "was", "will", "die", "hat", "also", "rest"},
}


# --- data from the real producers -----------------------------------------------------------

def _receivable(number: str = "F2026-014", **kw: Any) -> Receivable:
    base = dict(id=1, number=number, status=OPEN, client_email="billing@acme.test", client_name="ACME SARL",
                amount=D("1440.00"), amount_due=D("1440.00"), currency="EUR", issue_date=date(2026, 11, 15),
                due_date=date(2026, 12, 15), language="fr")
    return Receivable(**(base | kw))


def intake_warnings() -> list[str]:
    """Warnings the intake really writes, one reading per kind of trouble."""
    out: list[str] = []
    out += extract_path(FIXTURES / "forwards" / "rfc822_attached.eml").warnings  # the XML names someone else
    out += extract_path(FIXTURES / "invoices" / "zugferd-corpus/ZUGFeRDv2/fail/Mustangproject/"
                        "factur-x-invalid-xml-encoding-attribute.pdf").warnings  # broken embedded XML
    pdf = (FIXTURES / "invoices" / "zugferd-corpus/ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_BASICWL.pdf").read_bytes()
    typed = EmailMessage(policy=default)
    typed["From"] = "jean@dupont-conseil.fr"
    typed.set_content("montant : 999,00 €\nclient : achats@majolieboutique.test")
    typed.add_attachment(pdf, maintype="application", subtype="pdf", filename="Facture_FR_BASICWL.pdf")
    out += extract_message(typed).warnings  # the owner typed another amount
    broken = EmailMessage()
    broken["From"] = "owner@example.test"
    broken.set_content("invoice: F-9\namount: 10.00 EUR\ndue: 2026-12-15\nclient: a@b.test")
    broken.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="broken.pdf")
    out += extract_message(broken).warnings  # an unreadable attachment
    nothing = EmailMessage()
    nothing["From"] = "owner@example.test"
    nothing.set_content("Just saying hi.")
    out += extract_message(nothing).warnings  # no invoice at all
    out += extract_text_fields("Invoice No. A-1\nAmount due: 100.00 EUR\nBalance due: 250.00 EUR\n").warnings
    out += extract_text_fields("Invoice No. A-2\nTotal: 100.00 EUR\nAmount due: 250.00 EUR\n").warnings
    return out


def bad_rows_csv() -> bytes:
    return ("N° facture;Client;E-mail;Montant TTC;Reste à payer;Échéance;Date facture;Devise;Statut\n"
            "F-1;ACME;compta@acme.fr;100,00;;15/12/2026;01/12/2026;EUR;\n"
            "F-2;ACME;compta@acme.fr;100,00;;15/12/2026;01/12/2026;EUR;payée\n"
            "F-3;ACME;compta@acme.fr;100,00;;15/12/2026;01/12/2026;EUR;annulée\n"
            "F-4;ACME;compta@acme.fr;-50,00;;15/12/2026;01/12/2026;EUR;\n"
            "F-5;ACME;compta@acme.fr;100,00;0;15/12/2026;01/12/2026;EUR;\n"
            ";ACME;pas-une-adresse;abc;;bientôt;01/12/2026;EURO;\n"
            "F-1;ACME;;100,00;;01/11/2026;01/12/2026;ZZZZ;\n"
            "F-6;ACME;compta@acme.fr;100,00;200,00;15/12/2026;01/12/2026;EUR;\n"
            "Total;;;300,00;;;;;\n").encode()


def base(lang: str) -> dict[str, Any]:
    return {"lang": lang, "business_name": "Atelier Dupont", "commands_hint": Desk.COMMANDS_HINT[lang]}


def quarantine_reasons() -> list[Coded | list[str]]:
    """Why a message was quarantined, from the real refusals: intake's limits, the guard's shape check,
    the daemon's size check and a handler's crash; and a forward without an invoice (its warnings)."""
    pdf = (FIXTURES / "invoices" / "zugferd-corpus/ZUGFeRDv2/correct/FNFE-factur-x-examples/Facture_FR_BASICWL.pdf").read_bytes()

    def forward(n: int) -> EmailMessage:
        m = EmailMessage()
        m["From"] = "owner@example.test"
        m.set_content("Facture ci-jointe")
        for i in range(n):
            m.add_attachment(pdf, maintype="application", subtype="pdf", filename=f"facture-{i}.pdf")
        return m

    out: list[Coded | list[str]] = []
    for limits, n in ((Limits(max_attachments=1), 2), (Limits(max_attachment_bytes=1000), 1), (Limits(max_pdf_pages=0), 1)):
        with pytest.raises(InputRejected) as info:
            extract_message(forward(n), limits=limits)
        out.append(refusal_reason(info.value))
    # The MIME tree that breaks the stdlib cannot be built on purpose; the message is intake's own.
    out.append(refusal_reason(ExtractionError("the message's MIME structure cannot be read (boundary missing)")))
    many_parts = EmailMessage()
    many_parts["Subject"] = "parts"
    many_parts.set_content("x")
    for i in range(210):
        many_parts.add_attachment(b"x", maintype="application", subtype="octet-stream", filename=f"{i}.bin")
    for raw in (many_parts.as_bytes(), b"Subject: " + b"x" * 70_000 + b"\r\n\r\nhi\r\n",
                b"From: =?utf-8?b??=\r\nTo: bot@firm.test\r\n\r\nhi\r\n"):
        problem = inspect_message(raw, GuardPolicy())
        assert problem is not None
        out.append(refused_shape_reason(problem))
    out.append(too_large_reason(50 * 1024 * 1024, 25 * 1024 * 1024))
    try:
        {}["number"]
    except KeyError as exc:
        out.append(failure_reason(exc))
    nothing = EmailMessage()
    nothing["From"] = "owner@example.test"
    nothing.set_content("Just saying hi.")
    nothing.add_attachment(b"%PDF-1.4\n%%EOF\n", maintype="application", subtype="pdf", filename="menu.pdf")
    out.append(extract_message(nothing).warnings)  # what the forward handler passes when it found no invoice
    return out


class _Ledger:
    """Just what `_client_setting` asks of a ledger: the client's open files, save and event."""

    def __init__(self, files: list[Receivable]):
        self.files = files

    def for_client(self, email: str, statuses: Any = None) -> list[Receivable]:
        return [f for f in self.files if f.client_email == email]

    def save(self, r: Receivable) -> None:
        pass

    def event(self, *args: Any, **kw: Any) -> None:
        pass


class _Undo:
    def keep(self, r: Receivable) -> None:
        pass


def client_setting_changes() -> list[dict[str, Any]]:
    """The confirmations `_client_setting` gives for each setting: the client has two open files."""
    files = [_receivable(), _receivable("F2026-020", id=2)]
    desk = type("D", (), {"ledger": _Ledger(files), "now": datetime(2026, 12, 1, tzinfo=timezone.utc)})()
    out = []
    for line in ("segment loyal", "segment chronic", "b2c", "b2b", "language nl"):
        cmd = parse_line(line)
        assert cmd is not None and cmd.verb in ("segment", "kind", "language"), line
        out.append(_client_setting(desk, cmd, files[0], _Undo()) | {"number": files[0].number})  # type: ignore[arg-type]
    return out


def reading(intent: str, *, sure: bool = True) -> ReplyReading:
    return ReplyReading(kind="client_reply", intent=intent, date=date(2027, 1, 8) if intent in ("promise", "paid_claim") else None,
                        amount=D("300") if intent == "paid_claim" else None, confidence=0.9 if sure else 0.3)


def notes(lang: str) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every owner note kind with the data that used to leak, for `lang` (the data is the same in every language;
    only what mailbot words for the owner, like the commands that fit, follows the language)."""
    r = _receivable()
    view = file_view(r, RULES)
    two = [_receivable("F2026-014"), _receivable("F2026-020", id=2)]
    week = date(2027, 1, 7)
    out: dict[str, tuple[str, dict[str, Any]]] = {
        "registered": ("registered", {"r": view, "next_date": date(2026, 12, 22), "next_stage": "friendly", "source": "factur-x",
                                      "warnings": intake_warnings()}),
        "ask": ("ask", {"r": file_view(_receivable(status="draft", missing=["due_date"]), RULES), "subject": "Fwd: Facture F2026-014",
                        "found": [("Invoice number", "F2026-014"), ("Client", "ACME SARL"),
                                  ("Amount due", Coded("unsure", "1440.00 (unsure)", value=D("1440.00")))],
                        "missing": ["due date", "buyer email"], "examples": examples(lang, list(EXAMPLES["en"]))}),
        "result_refused": ("result", {"title": {"kind": "request", "numbers": []}, "show_help": True, "changes": [
            {"kind": "refused_plan", "number": r.number, "text": refusal(r.number, is_instalment=False, balance=D("0"))},
            {"kind": "refused_plan", "number": "F2026-014 (1/3)", "text": refusal("F2026-014 (1/3)", is_instalment=True, balance=D(1))},
        ]}),
        "result_held": ("result", HeldSummary(["F2026-014", "F2026-020"], "x").note_context()),
    }
    for intent in ("promise", "paid_claim", "dispute", "copy_request", "plan_request", "question", "other"):
        for files in ([r], two):
            sure = intent not in ("question", "other")
            acted = intent if sure else "unsure"
            out[f"client_reply_{intent}_{len(files)}"] = ("client_reply", {
                "sender": "billing@acme.test", "files": [file_view(f, RULES) for f in files],
                "reading": {"intent": intent, "sure": sure, "date": date(2027, 1, 8), "amount": None, "currency": "EUR",
                            "reason": "not_delivered: F2026-014" if intent == "dispute" else None},
                "evidence": None, "action": {"kind": acted, "until": date(2027, 1, 13)}, "new_text": "Bonjour",
                "fitting": fitting(acted, reading(intent, sure=sure), files, week, lang)})
    bad = read_table("bad.csv", bad_rows_csv())
    for i, why in enumerate(import_refusals_cached()):
        out[f"import_refused_{i}"] = ("import", {"plan": bad if why.code == "bad_rows" else ImportPlan("notes.csv", "utf-8", ";", 0),
                                                 "registered": [], "refused": why})
    out["batch"] = ("batch", {"count": 1, "period": "hourly", "since": "2026-12-01 09:05", "until": "2026-12-01 10:00",
                              "groups": [{"number": "F2026-014", "client": "ACME SARL", "notes": [
                                  {"at": "2026-12-01 09:05", "subject": "F2026-014", "text": "F2026-014"}]}]})
    out["problem_bounce"] = ("problem", {"kind": "bounce", "numbers": [r.number], "address": "billing@acme.test", "hard": True,
                                         "reason": None})
    out["problem_flood"] = ("problem", {"kind": "flood", "sender": "x@spam.test", "count": 40})
    # A message without a Subject: "(no subject)" is the template's word, not the code's.
    out["problem_no_subject"] = ("problem", {"kind": "quarantined", "about": "", "reason": "x", "can_replay": False})
    for i, why in enumerate(quarantine_reasons_cached()):
        out[f"quarantined_{i}"] = ("problem", {"kind": "quarantined", "about": "Fwd: Facture F2026-014", "reason": why,
                                               "can_replay": getattr(why, "code", "") == "handler_failed"})
    out["result_client_settings"] = ("result", {"title": {"kind": "done", "numbers": ["F2026-014"]}, "show_help": False,
                                                "changes": client_setting_changes()})
    return out


_QUARANTINE: list[Coded | list[str]] = []


def quarantine_reasons_cached() -> list[Coded | list[str]]:
    if not _QUARANTINE:
        _QUARANTINE.extend(quarantine_reasons())
    return _QUARANTINE


_REFUSALS: list[Coded] = []


def import_refusals_cached() -> list[Coded]:
    if not _REFUSALS:
        _REFUSALS.extend(_import_refusals())
    return _REFUSALS


def _import_refusals() -> list[Coded]:
    found = []
    for name, data in (("notes.csv", b"hello;world\n1;2\n"),
                       ("no_email.csv", "N° facture;Montant TTC;Échéance\nF-1;10,00;15/12/2026\n".encode())):
        with pytest.raises(ImportRefused) as info:
            read_table(name, data)
        found.append(info.value.reason)
    with pytest.raises(ImportRefused) as info:
        # A plan with bad rows is refused before the ledger is touched.
        register(None, read_table("bad.csv", bad_rows_csv()), datetime.now(timezone.utc))  # type: ignore[arg-type]
    found.append(info.value.reason)
    return found


# --- the check ------------------------------------------------------------------------------

def words(text: str) -> set[str]:
    """Whole words of three letters or more, lower case ("réglé" stays one word); e-mail addresses,
    file names and setting names (MAILBOT_MAX_PDF_PAGES) are data, not words."""
    text = re.sub(r"\S+@\S+|\S+\.(?:pdf|xml|csv|xlsx|eml)\b|\bMAILBOT_[A-Z_]+", " ", str(text))
    return {w.lower() for w in re.findall(r"[^\W\d_]{3,}", text)}


# Context keys whose strings are sentences (or labels) mailbot writes, never data: an English
# string there is exactly the leak this file looks for. Only the data a `Coded` carries counts.
SENTENCES = ("fitting", "title", "warnings", "text", "refused", "found", "missing", "examples", "commands_hint", "reason",
             "field", "value")


def data_words(value: Any, *, sentence: bool = False) -> set[str]:
    """Words of the data itself (names, numbers, addresses, file names, what a cell held), never of a
    sentence mailbot wrote; a value quoted inside one ("the header 'Montant TTC'") is data too."""
    if isinstance(value, Coded):
        quoted = re.findall(r"(?:(?<=\s)|^)'([^']+)'", str(value))
        return data_words(value.data) | data_words(quoted)
    if isinstance(value, str):
        return set() if sentence else words(value)
    if isinstance(value, dict):
        return set().union(*(data_words(v, sentence=sentence or k in SENTENCES) for k, v in value.items()), set())
    if isinstance(value, (list, tuple)):
        return set().union(*(data_words(v, sentence=sentence) for v in value), set())
    if isinstance(value, ImportPlan):
        return (words(value.source) | words(value.encoding) | data_words(list(value.mapped.values())) | data_words(value.ignored)
                | data_words([n for _, n in value.duplicates]) | data_words([row.receivable.number for row in value.rows])
                | data_words([why for _, why in value.skipped]) | data_words([p for b in value.bad for p in b.problems]))
    return set()


def own_words(lang: str) -> set[str]:
    """Words that are the owner's anyway: the business name, and the language's own command words (the
    English help lists "payé" and "betaald" too)."""
    return words(base(lang)["business_name"]) | words(Desk.COMMANDS_HINT[lang]) | FORMATS | SHARED[lang]


def render_all(template: str, ctx: dict[str, Any], lang: str) -> str:
    out = TEMPLATES.render(f"{lang}/owner/{template}.j2", base(lang) | ctx)
    return f"{out.subject}\n{out.text}"


@pytest.mark.parametrize("lang", LANGS)
def test_no_english_word_in_any_owner_note(lang: str) -> None:
    english_notes = notes("en")
    for name, (template, ctx) in notes(lang).items():
        english = words(render_all(template, english_notes[name][1], "en"))
        english -= data_words(ctx) | data_words(english_notes[name][1]) | own_words(lang)
        assert len(english) >= 10, (name, english)  # the English note has words of its own to look for
        got = render_all(template, ctx, lang)
        leaks = sorted(english & words(got))
        assert not leaks, (lang, name, leaks, got)


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_the_ask_note_examples_are_the_owners_words_and_read_back(lang: str) -> None:
    """Each answer line an "ask" note suggests is what the command handler reads back as that field: the
    client line is a client-email command, the others field corrections; none carries an English word."""
    expected = {"invoice_number": "F2026-014", "amount_due": D("1440.00"), "due_date": date(2026, 12, 15)}
    english = words(" ".join(EXAMPLES["en"].values())) - SHARED.get(lang, set()) - FORMATS
    for field in EXAMPLES["en"]:
        [line] = examples(lang, [field])
        cmd = parse_line(line)
        if field == "buyer_email":
            assert cmd is not None and cmd.verb == "client_email" and cmd.text in line, (lang, line, cmd)
        else:
            assert cmd is None, (lang, line, cmd)  # a command would win over the correction
            assert parse_corrections(line)[field] == expected[field], (lang, line)
        if lang != "en":
            assert not words(line) & english, (lang, line)
    assert examples(lang, ["due_date", "issue_date", "buyer_email"]) == [EXAMPLES[lang]["due_date"], EXAMPLES[lang]["buyer_email"]]
    out = TEMPLATES.render(f"{lang}/owner/ask.j2", base(lang) | notes(lang)["ask"][1]).text
    for line in EXAMPLES[lang].values():
        assert f"\n  {line}\n" in out, (lang, line)


# --- one test per path that leaked ---------------------------------------------------------

def coded_codes() -> set[str]:
    """Every code mailbot's code gives a `Coded` (or an ImportRefused), read from the source."""
    codes = set()
    for path in MAILBOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                args = node.args
                if node.func.id == "Coded" and args and isinstance(args[0], ast.Constant):
                    codes.add(args[0].value)
                elif node.func.id == "ImportRefused" and len(args) > 1 and isinstance(args[1], ast.Constant):
                    codes.add(args[1].value)
    return codes


def test_the_source_gives_codes_to_its_english_sentences() -> None:
    codes = coded_codes()
    assert {"no_invoice", "several_values", "plan_of_instalment", "held", "no_header", "total_line", "unsure"} <= codes, codes


@pytest.mark.parametrize("lang", LANGS)
def test_every_code_has_words_in_each_language(lang: str) -> None:
    """A code with no branch in `m.say` would print its English sentence: each one has its own words."""
    every = {"document": "facture.pdf", "xml": "factur-x.xml", "amount": D("10"), "currency": "EUR", "named": "a@b.test",
             "forwarded_to": "c@d.test", "used": True, "others": ["F-2"], "number": "F-1", "field": "amount_due", "value": "x",
             "kept": D("10"), "amount_due": D("20"), "total": D("10"), "count": 2, "limit": 20000, "fields": ["client_email"],
             "headers": ["email"], "lines": [3, 4], "rows": [(3, "F-1")], "other_line": 2, "due": date(2026, 1, 1),
             "issued": date(2026, 2, 1), "setting": "kind", "also": ["F-2"], "limit": "20", "size_mb": 50, "limit_mb": 25,
             "error_type": "KeyError"}
    said = {}
    for code in sorted(coded_codes() - {"refused"}):  # "refused": ImportRefused's default, text from the CLI only
        sentinel = f"ENGLISH SENTENCE {code}"
        out = TEMPLATES.render(f"{lang}/owner/import.j2", base(lang) | {
            "plan": ImportPlan("x.csv", "utf-8", ";", 0), "registered": [], "refused": Coded(code, sentinel, **every)})
        assert sentinel not in out.text, (lang, code)
        said[code] = out.text
    assert len(set(said.values())) == len(said)  # no two codes share their words


def test_registration_warnings_are_worded_per_language() -> None:
    warnings = intake_warnings()
    assert {"client_address_differs", "embedded_xml_unreadable", "owner_value_not_kept", "document_unreadable", "no_invoice",
            "several_values", "amount_due_above_total"} <= {w.code for w in warnings}, [w.code for w in warnings]
    en = TEMPLATES.render("en/owner/registered.j2", base("en") | notes("en")["registered"][1]).text
    assert all(w in en for w in warnings)  # English keeps the sentences as the CLI prints them
    for lang in LANGS:
        text = TEMPLATES.render(f"{lang}/owner/registered.j2", base(lang) | notes(lang)["registered"][1]).text
        assert not [w for w in warnings if w in text], lang
        assert "me@buyer.com" in text and "999" in text  # the data the sentences carried is still there


@pytest.mark.parametrize("lang, mark", [("fr", "1440.00 (incertain)"), ("nl", "1440.00 (onzeker)"), ("de", "1440.00 (unsicher)"),
                                        ("en", "1440.00 (unsure)")])
def test_the_unsure_mark_is_a_code_each_language_words(lang: str, mark: str) -> None:
    out = TEMPLATES.render(f"{lang}/owner/ask.j2", base(lang) | notes(lang)["ask"][1])
    assert mark in out.text


@pytest.mark.parametrize("lang, words_", [("fr", ("déjà une échéance", "il ne reste rien à payer")),
                                          ("nl", ("al een termijn", "niets meer te betalen")),
                                          ("de", ("bereits eine Rate", "nichts mehr offen"))])
def test_plan_refusals_are_worded_per_language(lang: str, words_: tuple[str, ...]) -> None:
    assert refusal("F-1", is_instalment=False, balance=D("10")) is None
    text = TEMPLATES.render(f"{lang}/owner/result.j2", base(lang) | notes(lang)["result_refused"][1]).text
    for w in words_:
        assert w in text, (w, text)
    assert "instalment" not in text and "nothing left" not in text


@pytest.mark.parametrize("lang", ["en", *LANGS])
def test_the_commands_that_fit_are_the_owners_words_and_parse_back(lang: str) -> None:
    """Every line offered after a client reply is a command in the owner's language that reads back as itself."""
    english = {"done", "paid", "resume", "promise", "pause", "until", "dispute", "resolved", "cancel", "monthly"}
    offered = 0
    for name, (template, ctx) in notes(lang).items():
        if template != "client_reply":
            continue
        for line in ctx["fitting"]:
            offered += 1
            cmd = parse_line(line)
            assert cmd is not None, (lang, line)
            if len(ctx["files"]) > 1 and cmd.verb != "note":
                assert cmd.number == ctx["files"][0]["number"], (lang, line)
            if lang != "en":
                assert not words(line) & english, (lang, line)
    assert offered >= 20
    nl = fitting("paid_claim", reading("paid_claim"), [_receivable()], date(2027, 1, 7), "nl")
    assert nl == ["betaald", "betaald 300", "hervat"]
    de = fitting("plan_request", reading("plan_request"), [_receivable(), _receivable("F-2", id=2)], date(2027, 1, 7), "de")
    assert de == ["Ratenplan F2026-014 3x monatlich", "pausieren F2026-014 bis 2027-01-07", "fortsetzen F2026-014"]


@pytest.mark.parametrize("lang, line", [("fr", "ligne 10 : ligne de total"), ("nl", "regel 10: totaalregel"), ("de", "Zeile 10: Summenzeile")])
def test_import_refusals_and_row_reasons_are_worded_per_language(lang: str, line: str) -> None:
    plan = read_table("bad.csv", bad_rows_csv())
    assert {why.code for _, why in plan.skipped} == {"marked_paid", "marked_cancelled", "credit_note_row", "nothing_left", "total_line"}
    problems = {p.code for b in plan.bad for p in b.problems}
    assert {"no_number", "not_an_email", "not_an_amount", "not_a_date", "bad_currency", "number_twice", "no_client_email",
            "due_above_total", "due_before_issue"} <= problems, problems
    text = TEMPLATES.render(f"{lang}/owner/import.j2", base(lang) | {"plan": plan, "registered": [], "refused": import_refusals_cached()[-1]}).text
    assert line.replace(" :", ":") in text.replace(" :", ":"), text
    for b in plan.bad:
        for p in b.problems:
            assert p not in text, (lang, p)
    assert all(why not in text for _, why in plan.skipped)
    assert [r.code for r in import_refusals_cached()] == ["no_header", "missing_columns", "bad_rows"]


@pytest.mark.parametrize("lang, title", [("en", "2 more notes held back"), ("fr", "2 autres notes retenues"),
                                         ("nl", "2 andere berichten tegengehouden"), ("de", "2 weitere Hinweise zurückgehalten")])
def test_the_held_notes_title_is_worded_per_language(lang: str, title: str) -> None:
    out = TEMPLATES.render(f"{lang}/owner/result.j2", base(lang) | notes(lang)["result_held"][1])
    assert out.subject.startswith(title), out.subject
    assert "F2026-020" in out.text


def test_the_german_help_lists_german_commands_that_parse() -> None:
    out = TEMPLATES.render("de/owner/result.j2", base("de") | {"title": {"kind": "unknown", "numbers": []}, "changes": [],
                                                             "show_help": True})
    block = out.text.split("Befehle (", 1)[1].split("\n--\n", 1)[0].splitlines()[1:]
    commands = [re.split(r"\s{2,}", ln.strip())[0] for ln in block if ln.strip()]
    assert len(commands) == 12, commands
    for entry in commands:
        for line in entry.split(" | "):
            assert parse_line(line) is not None, line
            assert not words(line) & {"done", "pause", "until", "resume", "promise", "dispute", "resolved", "note", "client",
                                      "cancel", "plan", "monthly", "undo", "help"}, line


def refusal_settings() -> set[str]:
    """Every setting a refusal sentence of intake or of the guard's shape check names (the daemon's own size
    check has its code; the guard's flood settings never reach a quarantine reason)."""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in (MAILBOT / "intake").rglob("*.py")]
    guard = ast.parse((MAILBOT / "guard.py").read_text(encoding="utf-8"))
    trees += [n for n in ast.walk(guard) if isinstance(n, ast.FunctionDef) and n.name == "inspect_message"]
    found = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found |= set(re.findall(r"\bMAILBOT_[A-Z_]+\b", node.value))
    return found


@pytest.mark.parametrize("lang", LANGS)
def test_quarantine_reasons_are_worded_per_language(lang: str) -> None:
    reasons = quarantine_reasons_cached()
    assert [getattr(r, "code", "warnings") for r in reasons] == [
        "over_limit", "over_limit", "over_limit", "message_unreadable", "over_limit", "over_limit", "malformed_message",
        "message_too_large", "handler_failed", "warnings"]
    assert [r.data["setting"] for r in reasons if getattr(r, "code", "") == "over_limit"] == [
        "MAILBOT_MAX_ATTACHMENTS", "MAILBOT_MAX_ATTACHMENT_MB", "MAILBOT_MAX_PDF_PAGES", "MAILBOT_MAX_MIME_PARTS", "MAILBOT_MAX_HEADER_KB"]
    every = notes(lang)
    for i, why in enumerate(reasons):
        ctx = every[f"quarantined_{i}"][1]
        text = TEMPLATES.render(f"{lang}/owner/problem.j2", base(lang) | ctx).text
        en = TEMPLATES.render("en/owner/problem.j2", base("en") | ctx).text
        for sentence in why if isinstance(why, list) else [why]:
            assert sentence in en and sentence not in text, (lang, sentence)  # English keeps the sentence, as the log does
        if getattr(why, "code", "") == "over_limit":
            assert why.data["setting"] in text and why.data["limit"] in text  # the setting to raise, and its value
        if getattr(why, "code", "") == "handler_failed":
            assert "KeyError" in text and "mailbot replay" in text


@pytest.mark.parametrize("lang, words", [("en", "(no subject)"), ("fr", "(sans objet)"), ("nl", "(geen onderwerp)"),
                                          ("de", "(kein Betreff)")])
def test_a_message_without_subject_is_named_in_the_owners_language(lang: str, words: str) -> None:
    from mailbot.guard import subject_of

    about = subject_of(b"From: someone@example.test\r\nTo: bot@example.test\r\n\r\nbody")
    assert about == ""  # the code passes no words of its own
    out = TEMPLATES.render(f"{lang}/owner/problem.j2", base(lang) | {"kind": "quarantined", "about": about, "reason": "x",
                                                                     "can_replay": False})
    assert words in out.subject and words in out.text


@pytest.mark.parametrize("lang", LANGS)
def test_every_setting_a_refusal_names_has_its_own_words(lang: str) -> None:
    """A refusal naming a setting the owner's words do not know would fall back to "a limit of mailbot"."""
    def said(setting: str) -> str:
        out = TEMPLATES.render(f"{lang}/owner/problem.j2", base(lang) | {
            "kind": "quarantined", "about": "x", "can_replay": False,
            "reason": Coded("over_limit", "ENGLISH", setting=setting, limit="9")}).text
        return out.replace(setting, "SETTING")

    settings = refusal_settings()
    assert {"MAILBOT_MAX_ATTACHMENT_MB", "MAILBOT_MAX_ATTACHMENTS", "MAILBOT_MAX_PDF_PAGES", "MAILBOT_PARSE_TIMEOUT_S",
            "MAILBOT_MAX_HEADER_KB", "MAILBOT_MAX_MIME_PARTS", "MAILBOT_MAX_MIME_DEPTH"} <= settings, settings
    unknown = said("MAILBOT_SOMETHING_NEW")
    worded = {s: said(s) for s in settings}
    assert all(w != unknown for w in worded.values()), [s for s, w in worded.items() if w == unknown]
    assert len(set(worded.values())) == len(worded)


@pytest.mark.parametrize("lang, words_", [
    ("fr", ("catégorie du client (aussi F2026-020)", "fidèle", "particulier (B2C)", "langue des relances", "néerlandais")),
    ("nl", ("soort klant (ook F2026-020)", "trouw", "consument (B2C)", "taal van de herinneringen", "Nederlands")),
    ("de", ("Kundenkategorie (auch F2026-020)", "treu", "Verbraucher (B2C)", "Sprache der Erinnerungen", "Niederländisch"))])
def test_client_setting_confirmations_are_worded_per_language(lang: str, words_: tuple[str, ...]) -> None:
    changes = client_setting_changes()
    assert [(c["field"].code, c["value"].code) for c in changes] == [("client_setting", "setting_value")] * 5
    assert all(c["field"].data["also"] == ["F2026-020"] for c in changes)
    text = TEMPLATES.render(f"{lang}/owner/result.j2", base(lang) | notes(lang)["result_client_settings"][1]).text
    for w in words_:
        assert w in text, (w, text)
    en = TEMPLATES.render("en/owner/result.j2", base("en") | notes("en")["result_client_settings"][1]).text
    assert "kind of client (also F2026-020) is now loyal" in en and "consumer (B2C)" in en
