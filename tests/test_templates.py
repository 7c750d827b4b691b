"""Every email template, in every language, rendered with realistic data and read back.

Expected amounts and dates are computed here with babel for the template's locale, never
copied from a rendered email; the checks are about what a reader of the email must find
(invoice numbers, amounts, dates, the final date, bank details) and what must never show
(template syntax, "None", "?" placeholders, unescaped markup in the HTML part).
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from babel.dates import format_date, get_month_names
from babel.numbers import format_currency

from mailbot.commands import parse_commands
from mailbot.compose import DEFAULT_TEMPLATES, LOCALES, Rendered, Templates
from mailbot.daemon import failure_reason
from mailbot.errors import InputRejected
from mailbot.handlers.forward import examples, refusal_reason

LANGS = ("en", "fr", "nl", "de")
REMINDERS = ("courtesy", "friendly", "formal", "plan", "formal_notice", "promise_broken", "invoice_copy")
OWNER_NOTES = ("registered", "ask", "client_reply", "result", "problem")
GREETING = {"fr": "Bonjour", "en": "Hello", "nl": "Beste", "de": "Guten Tag"}
NASTY = "<script>alert(1)</script> & Co"
BUSINESS = "Atelier Dupont"

TEMPLATES = Templates()


def money(amount: Decimal | str, lang: str, currency: str = "EUR") -> str:
    return format_currency(Decimal(str(amount)), currency, locale=LOCALES[lang])


def longdate(d: date, lang: str) -> str:
    return format_date(d, format="long", locale=LOCALES[lang])


def html_text(s: str) -> str:
    """What autoescape makes of a value in the HTML part."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&#34;").replace("'", "&#39;")


# --- data -------------------------------------------------------------------------------

INVOICES = [
    ("F2026-014", date(2026, 11, 15), date(2026, 12, 15), Decimal("1440.00"), 7),
    ("F2026-020", date(2026, 11, 20), date(2026, 12, 20), Decimal("250.50"), 1),
    ("F2026-031", date(2026, 12, 1), date(2026, 12, 31), Decimal("12345.67"), 0),
]
FINAL = date(2026, 12, 30)
PROMISE = date(2026, 12, 20)
CHARGES = ["1 440,00 × 12,15 % × 7 / 365 = 3,36", "40,00 EUR (indemnité forfaitaire)"]


def reminder_context(lang: str, n_items: int, charges: bool, pay: bool, client: str = "ACME SARL") -> dict[str, Any]:
    items = [{"number": n, "issue_date": i, "due_date": d, "amount_due": a, "currency": "EUR", "days_late": late}
             for n, i, d, a, late in INVOICES[:n_items]]
    greeting = GREETING[lang] if lang == "de" else f"{GREETING[lang]} {client}"  # as reminders._greeting does
    return {
        "lang": lang, "business_name": BUSINESS, "commands_hint": "done, paid 500, status",
        "greeting": greeting, "items": items, "total_due": sum((i["amount_due"] for i in items), Decimal(0)),
        "currency": "EUR", "final_date": FINAL,
        "iban": "BE71 0961 2345 6769" if pay else None, "bic": "GKCCBEBB" if pay else None,
        "reference": "+++090/9337/55493+++" if pay else "F2026-014",
        "charges": list(CHARGES) if charges else [], "qr_cid": "qr-F2026-014@mailbot" if pay else None,
        "promise_date": PROMISE,
    }


def file_doc(number: str = "F2026-014", client_name: str | None = "ACME SARL", **kw: Any) -> dict[str, Any]:
    """A receivable as handlers.base.file_view shows it to templates."""
    doc = {
        "id": 1, "number": number, "status": "open", "document_type": "invoice", "client_email": "compta@acme.fr",
        "client_name": client_name, "seller_name": BUSINESS, "amount": Decimal("1440.00"), "amount_due": Decimal("1440.00"),
        "currency": "EUR", "issue_date": date(2026, 11, 15), "due_date": date(2026, 12, 15), "language": "fr",
        "iban": "FR76 3000 6000 0112 3456 7890 189", "payment_reference": "RF18 5390 0754 7034", "missing": [],
        "dispute": None, "paused_until": None, "promise_date": None, "last_stage": 1, "stage_name": "friendly",
    }
    return doc | kw


STATUS_FILES = [
    file_doc(),
    file_doc("F2026-015", client_name=None, status="draft"),
    file_doc("F2026-016", dispute="price not agreed"),
    file_doc("F2026-017", paused_until=date(2027, 1, 10)),
    file_doc("F2026-018", promise_date=date(2026, 12, 20)),
    file_doc("F2026-019", stage_name=None, last_stage=-1),
    file_doc("F2026-020", status="closed"),
    file_doc("F2026-021", status="cancelled"),
]

# Every kind of change the command, forward and credit-note handlers report (handlers/command.py, forward.py).
CHANGES: list[dict[str, Any]] = [
    {"kind": "closed", "number": "F2026-014", "rid": 1},
    {"kind": "partial", "number": "F2026-014", "amount": Decimal("500.00"), "currency": "EUR", "balance": Decimal("940.00"), "rid": 1},
    {"kind": "cancelled", "number": "F2026-014", "rid": 1},
    {"kind": "paused", "number": "F2026-014", "until": date(2027, 1, 10), "rid": 1},
    {"kind": "resumed", "number": "F2026-014", "rid": 1},
    {"kind": "dispute_resolved", "number": "F2026-014", "rid": 1},
    {"kind": "promise", "number": "F2026-014", "date": date(2026, 12, 20), "rid": 1},
    {"kind": "note", "number": "F2026-014", "rid": 1},
    {"kind": "client_email", "number": "F2026-014", "value": "new@acme.fr", "rid": 1},
    {"kind": "updated", "number": "F2026-014", "field": "due date", "value": date(2026, 12, 31), "rid": 1},
    {"kind": "undone", "number": "F2026-014", "what": "pause until 2027-01-10", "rid": 1},
    {"kind": "duplicate", "number": "F2026-014", "state": "open"},
    *({"kind": "status", "r": r} for r in STATUS_FILES),
    {"kind": "no_file", "text": "F2099-001"},
    {"kind": "ambiguous", "text": "paid", "numbers": ["F2026-014", "F2026-020"]},
    {"kind": "nothing_open"},
    {"kind": "registered", "number": "F2026-014", "rid": 1},
    {"kind": "unknown", "text": "merci pour tout"},
    {"kind": "digest", "text": "the weekly digest is not available yet"},
]
KNOWN_KINDS = sorted({c["kind"] for c in CHANGES} - {"unknown", "digest"})

PROBLEMS: dict[str, dict[str, Any]] = {
    # Reasons as the forward handler and the daemon give them: a code with its data, and the English sentence.
    "quarantined": {"kind": "quarantined", "about": "Facture F2026-014", "can_replay": False,
                    "reason": refusal_reason(InputRejected("scan.pdf has 300 pages; the limit is 200 (MAILBOT_MAX_PDF_PAGES)"))},
    "quarantined_replay": {"kind": "quarantined", "about": "Facture F2026-014", "reason": failure_reason(RuntimeError("database locked")),
                           "can_replay": True},
    "refused": {"kind": "refused", "sender": "boss@atelier-dupont.fr", "about": "done F2026-014", "reason": "DKIM fail"},
    "bounce_hard": {"kind": "bounce", "address": "compta@acme.fr", "numbers": ["F2026-014", "F2026-020"], "hard": True,
                    "reason": "550 5.1.1 user unknown"},
    "bounce_soft": {"kind": "bounce", "address": "compta@acme.fr", "numbers": ["F2026-014"], "hard": False,
                    "reason": "452 mailbox full"},
    "send_failed": {"kind": "send_failed", "about": "Rappel : facture F2026-014", "address": "compta@acme.fr",
                    "reason": "connection refused", "numbers": ["F2026-014"]},
    "send_failed_no_file": {"kind": "send_failed", "about": "Rappel", "address": "compta@acme.fr",
                            "reason": "connection refused", "numbers": []},
    "flood": {"kind": "flood", "count": 57, "sender": "spam@bad.example"},
}


def owner_base(lang: str) -> dict[str, Any]:
    return {"lang": lang, "business_name": BUSINESS, "commands_hint": "done, paid 500, pause until 2027-01-10, note: ..., status"}


def owner_contexts(lang: str, client: str = "ACME SARL") -> dict[str, tuple[str, dict[str, Any]]]:
    """Name -> (template, context), one per way the handlers call note_owner."""
    r = file_doc(client_name=client)
    out: dict[str, tuple[str, dict[str, Any]]] = {
        "registered": ("registered", {"r": r, "next_date": date(2026, 12, 18), "next_stage": "friendly",
                                      "source": "factur-x", "warnings": ["the due date was computed from the terms"]}),
        "registered_bare": ("registered", {"r": file_doc(client_name=client, iban=None, payment_reference=None), "next_date": None,
                                           "next_stage": None, "source": "body", "warnings": []}),
        "ask": ("ask", {"r": file_doc(client_name=client, status="draft", missing=["due_date"]), "subject": "Fwd: Facture F2026-014",
                        "found": [("Invoice number", "F2026-014"), ("Client", client), ("Amount due", "1440.00 (unsure)")],
                        "missing": ["due date", "buyer email"], "examples": examples(lang, ["due_date", "buyer_email"])}),
        "ask_nothing": ("ask", {"r": file_doc(number="", client_name=None, status="draft"), "subject": "Fwd: scan",
                                "found": [], "missing": ["invoice number", "amount due"],
                                "examples": examples(lang, ["invoice_number", "amount_due"])}),
        "client_reply": ("client_reply", {"sender": "compta@acme.fr", "files": [r, file_doc("F2026-020", client_name=client)],
                                          "reading": {"intent": "promise", "sure": True, "date": date(2026, 12, 20), "amount": None,
                                                      "currency": "EUR", "reason": None},
                                          "evidence": "nous payerons le 20 décembre",
                                          "action": {"kind": "promise", "until": date(2026, 12, 25)}, "new_text": "Bonjour,\nnous payerons le 20 décembre.\nCordialement",
                                          "fitting": ["promise 2026-12-20", "resume", "done"]}),
        "client_reply_one": ("client_reply", {"sender": "compta@acme.fr", "files": [r], "reading": {"intent": "question", "sure": False, "date": None, "amount": None,
                                                          "currency": "EUR", "reason": None},
                                              "evidence": None, "action": {"kind": "unsure", "until": date(2026, 12, 29)}, "new_text": "Which invoice?", "fitting": ["note: ..."]}),
        "result_all": ("result", {"title": "Done: F2026-014", "changes": CHANGES, "show_help": False}),
        "result_help": ("result", {"title": "I did not understand your message: here are the commands",
                                   "changes": [{"kind": "unknown", "text": "merci"}], "show_help": True}),
    }
    for name, ctx in PROBLEMS.items():
        out[f"problem_{name}"] = ("problem", ctx)
    return {k: (t, owner_base(lang) | ctx) for k, (t, ctx) in out.items()}


# --- checks shared by every email -----------------------------------------------------------

def assert_clean(rendered: Rendered, lang: str) -> None:
    for part, s in (("subject", rendered.subject), ("text", rendered.text), ("html", rendered.html)):
        for leak in ("{{", "}}", "{%", "%}", "{#", "#}"):
            assert leak not in s, f"{part} leaks template syntax {leak!r}:\n{s}"
        assert "None" not in s, f"{part} shows None:\n{s}"
        assert "Undefined" not in s
        # A filter given no value writes "?": a "?" standing alone where a date or amount should be.
        for m in re.finditer(r"(?:^|(?<=[\s(:>«\u00a0\u202f]))\?", s, re.M):
            before = s[max(0, m.start() - 12):m.start()]
            french_question = lang == "fr" and re.search(r"[^\W\d_]{3,} $", before) and not before.rstrip().endswith("pour")
            assert french_question, f"{part} has a '?' placeholder after {before!r}:\n{s}"
    assert rendered.subject and "\n" not in rendered.subject and "\r" not in rendered.subject
    assert rendered.subject == rendered.subject.strip()


def assert_well_spaced(text: str) -> None:
    assert text.endswith("\n") and not text.endswith("\n\n"), repr(text[-40:])
    assert "\n\n\n" not in text, f"more than one blank line in a row:\n{text}"
    for line in text.splitlines():
        assert line == line.rstrip(), f"trailing whitespace in {line!r}"


def paragraph_of(text: str, needle: str) -> list[str]:
    """The lines of the blank-line separated paragraph that contains needle."""
    for para in text.split("\n\n"):
        if needle in para:
            return para.splitlines()
    raise AssertionError(f"{needle!r} not in:\n{text}")


# --- the template set ------------------------------------------------------------------------

def test_every_language_has_every_template():
    names = set(TEMPLATES.names())
    english = {n.split("/", 1)[1] for n in names if n.startswith("en/")}
    assert {f"{t}.j2" for t in REMINDERS} <= english
    assert {f"owner/{t}.j2" for t in OWNER_NOTES} <= english
    for lang in LANGS:
        mine = {n.split("/", 1)[1] for n in names if n.startswith(f"{lang}/")}
        assert mine == english, f"{lang}: missing {english - mine}, extra {mine - english}"


def test_templates_of_a_language_only_use_that_language():
    for lang in LANGS:
        for path in (DEFAULT_TEMPLATES / lang).rglob("*.j2"):
            src = path.read_text(encoding="utf-8")
            others = re.findall(r"""(?:extends|import|include)\s+["'](\w+)/""", src)
            assert all(o == lang for o in others), f"{path} refers to templates of {others}"


# --- reminders ----------------------------------------------------------------------------------

@pytest.mark.parametrize("pay", [True, False], ids=["iban", "no-iban"])
@pytest.mark.parametrize("charges", [True, False], ids=["charges", "no-charges"])
@pytest.mark.parametrize("n_items", [1, 3])
@pytest.mark.parametrize("name", REMINDERS)
@pytest.mark.parametrize("lang", LANGS)
def test_reminder(lang: str, name: str, n_items: int, charges: bool, pay: bool):
    ctx = reminder_context(lang, n_items, charges, pay)
    out = TEMPLATES.render(f"{lang}/{name}.j2", ctx)
    assert_clean(out, lang)
    assert_well_spaced(out.text)
    text, html = out.text, out.html

    # Each invoice: number, dates and amount in the locale's formats, in both parts.
    for i in ctx["items"]:
        amount = money(i["amount_due"], lang)
        for part in (text, html):
            assert i["number"] in part
            assert amount in part, f"{amount!r} not in\n{part}"
            assert longdate(i["due_date"], lang) in part
            assert longdate(i["issue_date"], lang) in part
        # One line per invoice in the text part, holding all of its facts.
        lines = [ln for ln in text.splitlines() if i["number"] in ln and amount in ln]
        assert len(lines) == 1, text
        assert longdate(i["due_date"], lang) in lines[0] and longdate(i["issue_date"], lang) in lines[0]
        assert lines[0].startswith("- ")
    if n_items > 1:
        total = money(ctx["total_due"], lang)
        assert total in text and total in html
    else:
        assert money(sum((Decimal(str(x[3])) for x in INVOICES), Decimal(0)), lang) not in text
    assert ctx["items"][0]["number"] in out.subject

    # The clear final date, in the long format ("30 décembre 2026", not 2026-12-30).
    final = longdate(FINAL, lang)
    assert get_month_names("wide", locale=LOCALES[lang])[FINAL.month] in final
    assert final in text and final in html
    assert FINAL.isoformat() not in text
    if name == "promise_broken":
        assert longdate(PROMISE, lang) in text and longdate(PROMISE, lang) in out.subject

    # Layout of the text part: greeting, then paragraphs separated by one blank line;
    # the invoice list is a paragraph of its own, one invoice a line.
    paras = text.rstrip("\n").split("\n\n")
    assert paras[0] == f"{ctx['greeting']},"
    assert "\n" not in paras[1] and len(paras[1]) > 40, "the intro is one paragraph right after the greeting"
    listing = paragraph_of(text, ctx["items"][0]["number"])
    assert [ln for ln in listing if ln.startswith("- ")] == [ln for ln in text.splitlines() if ln.startswith("- ")]
    assert len([ln for ln in listing if ln.startswith("- ")]) == n_items
    assert paragraph_of(text, final) == [next(ln for ln in text.splitlines() if final in ln)], "the final date stands alone"
    assert paras[-1].splitlines()[-1] == BUSINESS

    # Late-payment charges: every line shown when given, nothing when not.
    for line in CHARGES:
        assert (line in text) is charges and (line in html) is charges
    if charges:
        block = paragraph_of(text, CHARGES[0])
        assert all(any(c in ln for ln in block) for c in CHARGES) and len(block) == len(CHARGES) + 1

    # Bank details and the QR code image only when there is an IBAN.
    assert ("BE71 0961 2345 6769" in text) is pay and ("BE71 0961 2345 6769" in html) is pay
    assert ("GKCCBEBB" in text) is pay
    assert ("cid:qr-F2026-014@mailbot" in html) is pay
    assert "IBAN" not in text + html if not pay else html_text("+++090/9337/55493+++") in html
    if pay:
        assert "+++090/9337/55493+++" in text
        assert paragraph_of(text, "BE71 0961 2345 6769") == [next(ln for ln in text.splitlines() if "BE71" in ln)]

    assert f'<html lang="{lang}"' in html
    assert html.count("<p") == html.count("</p>")


@pytest.mark.parametrize("name", REMINDERS)
@pytest.mark.parametrize("lang", LANGS)
def test_reminder_escapes_client_name_in_html_only(lang: str, name: str):
    ctx = reminder_context(lang, 2, True, True, client=NASTY) | {"greeting": f"{GREETING[lang]} {NASTY}",
                                                                  "business_name": "Dupont & Fils"}
    out = TEMPLATES.render(f"{lang}/{name}.j2", ctx)
    assert_clean(out, lang)
    assert "<script>" not in out.html
    assert html_text(NASTY) in out.html
    assert "Dupont &amp; Fils" in out.html and "Dupont & Fils" not in out.html
    assert NASTY in out.text and "&lt;" not in out.text and "&amp;" not in out.text
    assert out.text.rstrip().endswith("Dupont & Fils")


@pytest.mark.parametrize("lang", LANGS)
def test_money_is_written_as_the_locale_writes_it(lang: str):
    out = TEMPLATES.render(f"{lang}/friendly.j2", reminder_context(lang, 1, False, False))
    babel_says = money("1440.00", lang)
    assert babel_says in out.text
    # The shapes a reader of that language expects (spaces compared as plain spaces).
    expected = {"en": "€1,440.00", "fr": "1 440,00 €", "nl": "€ 1.440,00", "de": "1.440,00 €"}[lang]
    assert babel_says.replace("\u202f", " ").replace("\u00a0", " ") == expected
    if lang != "en":
        # Never an ordinary space inside an amount: it could break the line between number and €.
        assert " " not in babel_says


BE_RULES = """
business:
  name: "Atelier Dupont"
  country: BE
  language: fr
  enterprise_number: "0123.456.789"
  iban: "BE71 0961 2345 6769"
stages:
  - {name: friendly, after: 7}
  - {name: formal, after: 15, charges: true}
clients:
  jan@example.be: {b2c: true}
"""
FREE = {"fr": "Ce premier rappel est gratuit", "en": "This first reminder is free of charge",
        "nl": "Deze eerste herinnering is kosteloos", "de": "Diese erste Zahlungserinnerung ist kostenlos"}
ENTERPRISE = {"fr": "numéro d'entreprise 0123.456.789", "en": "enterprise number 0123.456.789",
              "nl": "ondernemingsnummer 0123.456.789", "de": "Unternehmensnummer 0123.456.789"}


@pytest.mark.parametrize("lang", LANGS)
def test_first_reminder_carries_what_belgian_consumer_law_asks(lang: str):
    """A Belgian consumer's first reminder is free and claims nothing (Code de droit économique XIX.2): it
    states the amount due and its due date, the indemnity that will be claimed after a deadline of at least
    14 days, the deadline, and who the creditor is (name and enterprise number). The notice is the one
    `statement.consumer_notice` builds for the reminder handler."""
    from mailbot.models import OPEN, Receivable
    from mailbot.rules import parse_rules
    from mailbot.statement import CHARGE_WORDS, consumer_notice

    number, issued, due, amount, _ = INVOICES[0]
    r = Receivable(id=1, number=number, status=OPEN, client_email="jan@example.be", client_name="Jan Peeters", amount=amount,
                   amount_due=amount, issue_date=issued, due_date=due, language=lang)
    sent = date(2026, 12, 22)  # 7 days late, nothing sent since it fell due
    notice = consumer_notice([r], parse_rules(BE_RULES), sent, lang)
    assert notice is not None
    ctx = reminder_context(lang, 1, False, True) | {"consumer_notice": notice, "final_date": notice["deadline"],
                                                    "business_name": BUSINESS}
    out = TEMPLATES.render(f"{lang}/friendly.j2", ctx)
    deadline = date(2027, 1, 5)  # day 1 is 23 December, day 14 is 5 January
    assert notice["deadline"] == deadline and notice["charges_from"] == deadline + timedelta(days=1)
    indemnity = Decimal("112.00")  # 65 EUR + 5 % of the 940 EUR above 500 (domain.md section 4)
    for needle in (FREE[lang], ENTERPRISE[lang]):  # the template's own words: its apostrophes are not escaped
        assert needle in out.text and needle in out.html, needle
    for needle in (money(amount, lang), longdate(due, lang), money(indemnity, lang), longdate(deadline, lang), BUSINESS):
        assert needle in out.text and html_text(needle) in out.html, needle
    # Announced, not claimed: no charge line, no total of charges, no amount to pay but the invoice's.
    for part in (out.text, out.html):
        assert CHARGE_WORDS[lang][2] not in part and not any(c in part for c in CHARGES)
        assert money(amount + indemnity, lang) not in part


@pytest.mark.parametrize("lang", LANGS)
def test_sample_context_renders_every_reminder(lang: str):
    from mailbot.handlers.reminders import sample_context

    rules = SimpleNamespace(business=SimpleNamespace(name=BUSINESS, iban="BE71 0961 2345 6769", bic="GKCCBEBB"))
    for name in REMINDERS:
        out = TEMPLATES.render(f"{lang}/{name}.j2", sample_context(lang, rules))
        assert_clean(out, lang)
        assert "F2026-014" in out.text and "F2026-014" in out.html


@pytest.mark.parametrize("lang", ["en", "fr", "nl", "de"])
def test_the_same_day_count_reads_singular_and_plural(lang: str):
    ctx = reminder_context(lang, 2, False, False)
    text = TEMPLATES.render(f"{lang}/friendly.j2", ctx).text
    one = next(ln for ln in text.splitlines() if "F2026-020" in ln)     # 1 day late
    seven = next(ln for ln in text.splitlines() if "F2026-014" in ln)   # 7 days late
    # "1 day", "1 jour", "1 dag", "1 Tag": the word after 1 is not the word after 7.
    assert re.search(r"\(1 (\w+)", one)[1] != re.search(r"\(7 (\w+)", seven)[1]


def test_owner_override_in_data_dir_wins(tmp_path):
    override = tmp_path / "templates" / "fr"
    override.mkdir(parents=True)
    (override / "friendly.j2").write_text(
        '{% extends "fr/reminder_base.j2" %}\n'
        "{% block subject %}Petit rappel maison {{ items[0].number }}{% endblock %}\n"
        "{% block intro %}Texte de l'atelier pour {{ items|length }} facture(s).{% endblock %}\n",
        encoding="utf-8",
    )
    ctx = reminder_context("fr", 1, False, True)
    mine = Templates(tmp_path / "templates")
    out = mine.render("fr/friendly.j2", ctx)
    default = TEMPLATES.render("fr/friendly.j2", ctx)
    assert out.subject == "Petit rappel maison F2026-014" != default.subject
    assert "Texte de l'atelier pour 1 facture(s)." in out.text and "Texte de l'atelier pour 1 facture(s)." in out.html
    assert paragraph_of(default.text, "F2026-014") == paragraph_of(out.text, "F2026-014")  # the shared layout still applies
    # Other templates and languages keep the defaults.
    assert mine.render("fr/formal.j2", ctx) == TEMPLATES.render("fr/formal.j2", ctx)
    assert mine.render("nl/friendly.j2", ctx | {"lang": "nl"}) == TEMPLATES.render("nl/friendly.j2", ctx | {"lang": "nl"})


# --- notes to the owner ---------------------------------------------------------------------

ASK_EXAMPLES = {"en": ["due 2026-12-15", "client compta@client.fr"], "fr": ["échéance 2026-12-15", "client compta@client.fr"],
                "nl": ["vervaldag 2026-12-15", "klant boekhouding@klant.be"], "de": ["fällig 2026-12-15", "Kunde buchhaltung@kunde.de"]}
OWNER_CASES = [(lang, case) for lang in LANGS for case in owner_contexts(lang)]


@pytest.mark.parametrize("lang,case", OWNER_CASES, ids=[f"{lang}-{case}" for lang, case in OWNER_CASES])
def test_owner_note(lang: str, case: str):
    template, ctx = owner_contexts(lang)[case]
    out = TEMPLATES.render(f"{lang}/owner/{template}.j2", ctx)
    assert_clean(out, lang)
    assert_well_spaced(out.text)
    text, html = out.text, out.html
    assert f'<html lang="{lang}"' in html
    assert text.rstrip().splitlines()[-2] == "--" and ctx["commands_hint"] in text.splitlines()[-1]
    body = text.split("\n--\n")[0].strip()
    assert body, "a note with an empty body"

    numbers: list[str] = []
    amounts: list[str] = []
    if template == "registered":
        r = ctx["r"]
        numbers = [r["number"]]
        amounts = [money(r["amount_due"], lang)]
        for v in (r["client_email"], r["due_date"].isoformat(), r["issue_date"].isoformat(), r["client_name"]):
            assert v in text
        if ctx["next_date"]:
            assert ctx["next_date"].isoformat() in text
        for v in (r["iban"], r["payment_reference"]):
            if v:
                assert v in text
        for w in ctx["warnings"]:
            assert w in text
    elif template == "ask":
        numbers = [ctx["r"]["number"]] if ctx["r"]["number"] else []
        assert ctx["subject"] in text
        if case == "ask":  # the answer lines, in the owner's words (handlers/forward.py examples)
            assert ctx["examples"] == ASK_EXAMPLES[lang]
        for ex in ctx["examples"]:
            assert any(ln.strip() == ex for ln in text.splitlines()), f"example {ex!r} not on a line of its own"
        for _, value in ctx["found"]:
            assert value.replace(" (unsure)", "") in text  # the "unsure" mark may be translated
    elif template == "client_reply":
        numbers = [f["number"] for f in ctx["files"]]
        amounts = [money(f["amount_due"], lang) for f in ctx["files"]]
        for line in ctx["new_text"].splitlines():
            assert any(ln.endswith(line) for ln in text.splitlines())
        for v in (ctx["sender"], ctx["action"]["until"].isoformat(), *ctx["fitting"]):
            assert v in text
        if ctx["evidence"]:
            assert ctx["evidence"] in text
    elif template == "result":
        assert out.subject == ctx["title"]
        numbers = sorted({c["number"] for c in ctx["changes"] if c.get("number")})
        amounts = [money(c[k], lang) for c in ctx["changes"] if c["kind"] == "partial" for k in ("amount", "balance")]
    elif template == "problem":
        for key in ("about", "reason", "address", "sender"):
            if key in ctx and not (key == "reason" and hasattr(ctx[key], "code") and lang != "en"):
                assert ctx[key] in text, key
        if hasattr(ctx.get("reason"), "code"):  # a coded reason: its data in every language
            assert all(str(v) in text for v in ctx["reason"].data.values()), text
        numbers = list(ctx.get("numbers", []))
        if ctx["kind"] == "flood":
            assert str(ctx["count"]) in text
    for n in numbers:
        assert n in text and n in html, f"invoice {n} missing"
    for a in amounts:
        assert a in text and a in html, f"amount {a!r} (as babel writes it for {lang}) missing:\n{text}"
    # The HTML part is the text in paragraphs; angle brackets around addresses must survive.
    assert "<compta@acme.fr>" not in html, "a bare <address> in HTML is read as a tag and disappears"


@pytest.mark.parametrize("lang", LANGS)
def test_every_change_kind_has_its_own_sentence(lang: str):
    base = owner_base(lang) | {"title": "Done", "show_help": False}
    fallback = TEMPLATES.render(f"{lang}/owner/result.j2", base | {"changes": [{"kind": "zz_new", "text": "zz"}]}).text
    assert "zz_new" in fallback and "zz" in fallback  # an unknown kind is shown, not dropped
    seen = set()
    for c in CHANGES:
        out = TEMPLATES.render(f"{lang}/owner/result.j2", base | {"changes": [c]})
        assert_clean(out, lang)
        body = out.text.split("\n--\n")[0].strip()
        assert body and len(body.splitlines()) == 1, f"{c['kind']}: {body!r}"
        if c["kind"] in KNOWN_KINDS:
            assert c["kind"] + ":" not in body and "_" not in body.replace(c.get("number", ""), ""), f"{c['kind']} fell back: {body!r}"
        seen.add(body)
        for k in ("number", "text", "what", "value"):
            if k in c and c["kind"] not in ("updated",):
                assert str(c[k]) in body, (c, body)
        if c["kind"] == "updated":
            assert c["value"].isoformat() in body
        if c["kind"] in ("paused", "promise"):
            assert (c.get("until") or c.get("date")).isoformat() in body
        if c["kind"] == "ambiguous":
            assert all(n in body for n in c["numbers"])
        if c["kind"] == "status":
            r = c["r"]
            assert r["number"] in body and money(r["amount_due"], lang) in body and r["due_date"].isoformat() in body
    # The eight status files are in eight different states: eight different sentences.
    states = {TEMPLATES.render(f"{lang}/owner/result.j2", base | {"changes": [{"kind": "status", "r": r | {"number": "X"}}]}).text
              for r in STATUS_FILES}
    assert len(states) == len(STATUS_FILES)
    assert len(seen) == len(CHANGES)


@pytest.mark.parametrize("lang", LANGS)
def test_every_problem_kind_has_a_subject_and_a_body(lang: str):
    subjects = set()
    for name, ctx in PROBLEMS.items():
        out = TEMPLATES.render(f"{lang}/owner/problem.j2", owner_base(lang) | ctx)
        assert_clean(out, lang)
        subjects.add((ctx["kind"], out.subject))
        body = out.text.split("\n--\n")[0].strip()
        assert len(body) > 30, (name, body)
    assert len({k for k, _ in subjects}) == len({c["kind"] for c in PROBLEMS.values()})
    assert len({s for _, s in subjects}) >= len({c["kind"] for c in PROBLEMS.values()})
    replay = TEMPLATES.render(f"{lang}/owner/problem.j2", owner_base(lang) | PROBLEMS["quarantined_replay"]).text
    no_replay = TEMPLATES.render(f"{lang}/owner/problem.j2", owner_base(lang) | PROBLEMS["quarantined"]).text
    assert "mailbot replay" in replay and "mailbot replay" not in no_replay
    hard = TEMPLATES.render(f"{lang}/owner/problem.j2", owner_base(lang) | PROBLEMS["bounce_hard"]).text
    soft = TEMPLATES.render(f"{lang}/owner/problem.j2", owner_base(lang) | PROBLEMS["bounce_soft"]).text
    # A hard bounce suggests the command that changes the address; it must be one mailbot understands.
    suggested = [c for ln in hard.splitlines() for c in parse_commands(ln)]
    assert [c.verb for c in suggested] == ["client_email"], hard
    assert not [c for ln in soft.splitlines() for c in parse_commands(ln)], soft
    failed = TEMPLATES.render(f"{lang}/owner/problem.j2", owner_base(lang) | PROBLEMS["send_failed"]).text
    assert [c.verb for ln in failed.splitlines() for c in parse_commands(ln)] == ["client_email"], failed


@pytest.mark.parametrize("lang", LANGS)
def test_owner_note_escapes_client_name_in_html_only(lang: str):
    for case in ("registered", "ask", "client_reply", "result_all"):
        template, ctx = owner_contexts(lang, client=NASTY)[case]
        if case == "result_all":
            ctx = ctx | {"changes": [{"kind": "status", "r": file_doc(client_name=NASTY)}]}
        out = TEMPLATES.render(f"{lang}/owner/{template}.j2", ctx)
        assert_clean(out, lang)
        assert "<script>" not in out.html and html_text(NASTY) in out.html, case
        assert NASTY in out.text, case
        assert html_text("<compta@acme.fr>") in out.html or case in ("ask",), case


@pytest.mark.parametrize("lang", LANGS)
def test_owner_help_lists_commands_mailbot_understands(lang: str):
    template, ctx = owner_contexts(lang)["result_help"]
    text = TEMPLATES.render(f"{lang}/owner/{template}.j2", ctx).text
    rows = [ln for ln in text.splitlines() if re.match(r"^  \S.*\S {2,}\S", ln)]
    assert len(rows) >= 10, text
    for row in rows:
        example = re.split(r" {2,}", row.strip())[0]
        for alternative in example.split(" | "):
            assert parse_commands(alternative), f"{lang}: the help offers {alternative!r}, which mailbot does not understand"


@pytest.mark.parametrize("lang", LANGS)
def test_registration_note_suggests_corrections_mailbot_understands(lang: str):
    from mailbot.intake import parse_corrections

    template, ctx = owner_contexts(lang)["registered"]
    body = TEMPLATES.render(f"{lang}/owner/{template}.j2", ctx).text.split("\n--\n")[0]
    examples = [ln.strip() for ln in body.strip().split("\n\n")[-1].splitlines() if ln.startswith("  ")]
    parsed = [parse_corrections(ex) for ex in examples]
    assert all(len(p) == 1 for p in parsed), list(zip(examples, parsed))
    fields = {k: v for p in parsed for k, v in p.items()}
    assert set(fields) == {"amount_due", "buyer_email", "due_date"}, examples
    assert fields["amount_due"] == Decimal("1200.00") and fields["due_date"] == date(2026, 12, 15)
