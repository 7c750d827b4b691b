"""Consumers: a Belgian consumer's first reminder is free and says what will be claimed, and
nothing is claimed before its deadline (Code de droit économique, book XIX); a French consumer
never pays a fee or the 40 EUR indemnity (CPCE L111-8).

Expected indemnities are computed here from the scale domain.md section 4 gives, not read back
from mailbot: 20 EUR up to 150 EUR; 30 EUR + 10 % of the part from 150.01 to 500 EUR; 65 EUR + 5 %
of the part above 500 EUR; at most 2,000 EUR.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from email.message import EmailMessage
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date
from babel.numbers import format_currency

from mailbot.compose import LOCALES, Attachment, Templates
from mailbot.handlers.reminders import make_reminder, reminder_message, render_letter
from mailbot.models import OPEN, Receivable
from mailbot.rules import Rules, parse_rules
from mailbot.scheduler import client_facts, commit, due_reminders
from mailbot.statement import CHARGE_WORDS, charge_lines, consumer_notice

D = Decimal
LANGS = ("fr", "en", "nl", "de")
TEMPLATES = Templates()
PARIS = ZoneInfo("Europe/Paris")
CONSUMER = "jan@example.be"
FREE = {"fr": "Ce premier rappel est gratuit", "en": "This first reminder is free of charge",
        "nl": "Deze eerste herinnering is kosteloos", "de": "Diese erste Zahlungserinnerung ist kostenlos"}
ENTERPRISE = {"fr": "numéro d'entreprise 0123.456.789", "en": "enterprise number 0123.456.789",
              "nl": "ondernemingsnummer 0123.456.789", "de": "Unternehmensnummer 0123.456.789"}


def rules_for(country: str = "BE", *, enterprise: bool = True, min_days: int | None = None) -> Rules:
    return parse_rules(f"""
business:
  name: "Atelier Dupré"
  country: {country}
  language: fr
  {'enterprise_number: "0123.456.789"' if enterprise else ''}
  iban: "BE71 0961 2345 6769"
  bic: "GKCCBEBB"
  reference: be
stages:
  - {{name: courtesy, after: -3, attach_invoice: false}}
  - {{name: friendly, after: 7}}
  - {{name: formal, after: 15, charges: true}}
  - {{name: plan, after: 30, charges: true, final_date_days: 10}}
  - {{name: notice, after: 45, channel: letter, template: formal_notice, email_client: true, charges: true}}
policy:
  min_gap_days: 5
segments:
  new: {{shift_days: 0}}
{f'b2c: {{min_final_date_days: {min_days}}}' if min_days else ''}
clients:
  {CONSUMER}: {{b2c: true}}
""")


BE = rules_for()


def cents(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), ROUND_HALF_UP)


def statute_indemnity(amount: Decimal) -> Decimal:
    if amount <= 150:
        value = D(20)
    elif amount <= 500:
        value = 30 + (amount - 150) * D("0.10")
    else:
        value = 65 + (amount - 500) * D("0.05")
    return min(cents(value), D(2000))


def consumer_file(amount: str = "480.00", lang: str = "fr", due: date = date(2026, 4, 10), rid: int = 1,
                  client: str = CONSUMER, **kw) -> Receivable:
    return Receivable(id=rid, number=f"F2026-{rid:03d}", status=OPEN, client_email=client, client_name="Jan Peeters",
                      amount=D(amount), amount_due=D(amount), issue_date=due - timedelta(days=30), due_date=due,
                      language=lang, **kw)


def money(amount: Decimal, lang: str) -> str:
    return format_currency(amount, "EUR", locale=LOCALES[lang])


def longdate(d: date, lang: str) -> str:
    return format_date(d, format="long", locale=LOCALES[lang])


def html_text(s: str) -> str:
    return s.replace("&", "&amp;")  # the needles' apostrophes are the template's own, not escaped values


def plain(s: str) -> str:
    # babel writes French and German with narrow/no-break spaces; compare with ordinary ones.
    return s.replace("\u202f", " ").replace("\xa0", " ")


def render(files: list[Receivable], today: date, stage_name: str | None = "friendly", rules: Rules = BE,
           template: str | None = None):
    stage = next(s for s in rules.stages_for("regular", True) if s.name == stage_name) if stage_name else None
    return make_reminder(rules, TEMPLATES, files, stage, template or (stage.template if stage else "promise_broken"),
                         today, qr_cid="qr@test", load_attachment=lambda _: None, attach=False)


# --- the first reminder's wording, in every language -----------------------------------------

AMOUNTS = ("80.00", "150.00", "150.01", "480.00", "500.00", "500.01", "38700.00", "39200.00", "39300.00", "50000.00")


@pytest.mark.parametrize("amount", AMOUNTS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_first_reminder_states_what_belgian_law_asks(lang: str, amount: str) -> None:
    today = date(2026, 4, 17)  # due 10 April: 7 days late, nothing sent since
    r = consumer_file(amount, lang)
    rem = render([r], today)
    text, html = rem.rendered.text, rem.rendered.html
    indemnity = statute_indemnity(D(amount))
    deadline = date(2026, 5, 1)  # day 1 is 18 April, day 14 is 1 May
    notice = rem.context["consumer_notice"]
    assert notice["deadline"] == deadline and rem.context["final_date"] == deadline
    assert notice["charges_from"] == date(2026, 5, 2)
    assert [f["indemnity"] for f in notice["files"]] == [indemnity]
    # Free, the amount due, the indemnity to be claimed, the deadline, who the creditor is (name and
    # enterprise number), what was sold (the invoice) and its due date: in both parts of the email.
    for needle in (FREE[lang], money(D(amount), lang), money(indemnity, lang), longdate(deadline, lang),
                   "Atelier Dupré", ENTERPRISE[lang], r.number, longdate(r.due_date, lang)):
        assert needle in text, needle
        assert html_text(needle) in html, needle
    # The indemnity is announced, not claimed: no charge line in the first reminder.
    assert rem.context["charges"] == []
    assert not any(w in text for w in CHARGE_WORDS[lang][2:])


@pytest.mark.parametrize("amount, shown", [("150.00", None), ("150.01", "30,00 + 10 % × (150,01 − 150,00) = 30,00"),
                                           ("500.01", "65,00 + 5 % × (500,01 − 500,00) = 65,00"),
                                           ("39300.00", "65,00 + 5 % × (39 300,00 − 500,00) = 2 005,00 → max. 2 000,00")])
def test_the_indemnity_shows_its_bracket_arithmetic(amount: str, shown: str | None) -> None:
    [entry] = consumer_notice([consumer_file(amount)], BE, date(2026, 4, 17), "fr")["files"]
    assert (plain(entry["calculation"]) if entry["calculation"] else None) == shown


@pytest.mark.parametrize("lang", LANGS)
def test_a_first_reminder_at_a_charging_stage_still_claims_nothing(lang: str) -> None:
    # Registered late: the file's first email is the formal stage, which shows charges where allowed.
    today = date(2026, 4, 27)
    rem = render([consumer_file("1440.00", lang)], today, "formal")
    assert rem.context["consumer_notice"] and rem.context["charges"] == []
    assert FREE[lang] in rem.rendered.text and money(D("112.00"), lang) in rem.rendered.text  # 65 + 5 % x 940
    assert rem.context["final_date"] == today + timedelta(days=14)


def test_several_invoices_each_get_their_indemnity() -> None:
    files = [consumer_file("99.00", rid=1), consumer_file("480.00", rid=2, due=date(2026, 4, 12))]
    rem = render(files, date(2026, 4, 17), rules=BE)
    assert [f["indemnity"] for f in rem.context["consumer_notice"]["files"]] == [D("20.00"), D("63.00")]
    assert "les factures restent impayées" in rem.rendered.text


@dataclass
class NoNotice:
    why: str
    files: list[Receivable]
    today: date = date(2026, 4, 17)
    rules: Rules = BE
    stage: str | None = "friendly"
    template: str | None = None


NO_NOTICE = [
    NoNotice("a reminder was sent since it fell due", [consumer_file(first_reminder_date=date(2026, 4, 12))]),
    NoNotice("before the due date a courtesy note is no reminder", [consumer_file()], date(2026, 4, 8), stage="courtesy"),
    NoNotice("a business client", [consumer_file(client="shop@example.be")]),
    NoNotice("a French creditor", [consumer_file()], rules=rules_for("FR")),
    NoNotice("an invoice copy the client asked for", [consumer_file()], stage=None, template="invoice_copy"),
    NoNotice("nothing left to pay", [consumer_file("480.00")]),
]


@pytest.mark.parametrize("case", NO_NOTICE, ids=[c.why for c in NO_NOTICE])
def test_no_notice_where_the_email_is_not_a_consumers_first_reminder(case: NoNotice) -> None:
    for r in case.files:
        if case.why == "nothing left to pay":
            r.amount_due = D(0)
    rem = render(case.files, case.today, case.stage, case.rules, case.template)
    assert rem.context["consumer_notice"] is None
    assert FREE["fr"] not in rem.rendered.text


def test_the_files_own_consumer_flag_counts_too() -> None:
    r = consumer_file(client="marie@example.be", b2c=True)
    assert consumer_notice([r], BE, date(2026, 4, 17), "fr") is not None
    r.b2c = False
    assert consumer_notice([r], BE, date(2026, 4, 17), "fr") is None


def test_an_overdue_invoice_riding_along_gets_the_notice_too() -> None:
    # The courtesy note for a new invoice lists an older one 5 days late, never reminded: for that
    # one this email is the first reminder.
    new = consumer_file(rid=1, due=date(2026, 4, 20))
    old = consumer_file("250.00", rid=2, due=date(2026, 4, 12))
    notice = consumer_notice([new, old], BE, date(2026, 4, 17), "fr")
    assert [f["number"] for f in notice["files"]] == ["F2026-002"]
    assert notice["files"][0]["indemnity"] == D("40.00")  # 30 + 10 % x 100


def test_a_longer_period_in_rules_yaml_moves_both_the_deadline_and_the_charges() -> None:
    rules = rules_for(min_days=21)
    sent = date(2026, 4, 17)
    notice = consumer_notice([consumer_file()], rules, sent, "en")
    assert notice["deadline"] == date(2026, 5, 8) and notice["charges_from"] == date(2026, 5, 9)
    reminded = consumer_file(first_reminder_date=sent)
    assert charge_lines([reminded], rules, date(2026, 5, 8), "en")[0] == []
    lines, total = charge_lines([reminded], rules, date(2026, 5, 9), "en")
    # One day of interest (9 May) at 10.5 %: 480 x 0.105 / 365 = 0.138 -> 0.14; indemnity 63.
    assert total == D("0.14") + D("63.00") and any("63.00" in line for line in lines)


# --- over simulated days: nothing claimed before the deadline ---------------------------------


@dataclass
class Sent:
    day: date
    template: str
    charges: list[str]
    notice: dict | None
    text: str
    letter: bool = False


def simulate(rules: Rules, files: list[Receivable], start: date, days: int) -> list[Sent]:
    """The daemon's planning over `days` days at 09:30: scheduler, rendering, commit (no servers)."""
    sent: list[Sent] = []
    for n in range(days):
        day = start + timedelta(days=n)
        now = datetime(day.year, day.month, day.day, 9, 30, tzinfo=PARIS)
        for due in due_reminders([r for r in files if r.is_open], rules, now, window=rules.window("Europe/Paris"),
                                 facts=client_facts(files)):
            if due.emailed:
                rem = make_reminder(rules, TEMPLATES, due.in_email, due.email_stage, due.template, day,
                                    qr_cid="qr@test", load_attachment=lambda _: None, attach=False)
                letter = None
                if due.letters:
                    pdf = render_letter(rules, TEMPLATES, [i.receivable for i in due.letters], due.letters[0].stage, day)
                    letter = pdf.data
                sent.append(Sent(day, rem.template, rem.context["charges"], rem.context["consumer_notice"],
                                 rem.rendered.text, letter is not None))
            commit(due, now, day)
    return sent


@pytest.mark.parametrize("min_days", [14, 21])
def test_a_belgian_consumer_is_charged_nothing_before_the_deadline(min_days: int) -> None:
    rules = rules_for(min_days=min_days)
    r = consumer_file("1440.00", "en", due=date(2026, 4, 10))
    sent = simulate(rules, [r], date(2026, 4, 1), 70)
    after_due = [s for s in sent if s.day > r.due_date]
    first = after_due[0]
    # Exactly one email carries the notice: the first one after the due date.
    assert [s.notice is not None for s in sent] == [s is first for s in sent]
    deadline = first.notice["deadline"]
    assert deadline == first.day + timedelta(days=min_days) == r.first_reminder_date + timedelta(days=min_days)
    announced = first.notice["files"][0]["indemnity"]
    assert announced == statute_indemnity(D("1440.00")) == D("112.00")
    # Until the deadline, even at stages that show charges, nothing is claimed.
    before = [s for s in sent if s.day <= deadline]
    assert any(s.template == "formal" for s in before)  # a charging stage did fall in the period
    assert all(s.charges == [] for s in before)
    # After it, the charges are the announced indemnity and interest from the day after the deadline.
    later = [s for s in sent if s.day > deadline and s.charges]
    assert later, [(s.day, s.template) for s in sent]
    s = later[0]
    days = (s.day - deadline).days
    interest = cents(D("1440.00") * D("10.5") / 100 * days / 365)
    assert s.charges[-2:] == [f"F2026-001 – fixed recovery indemnity: 65.00 + 5% × (1,440.00 − 500.00) = {announced}",
                              f"Total charges: €{interest + announced:,.2f}"]
    assert f"× {days} / 365 = {interest}" in s.charges[0]


def test_the_notice_deadline_and_the_charges_agree_whatever_the_day_it_goes() -> None:
    # Whatever the weekday the first reminder leaves on (windows move it), the charges start the day
    # after the deadline it printed, never before.
    for offset in range(7):
        due = date(2026, 3, 2) + timedelta(days=offset)
        r = consumer_file("300.00", "en", due=due)
        sent = simulate(BE, [r], due, 60)
        first = next(s for s in sent if s.notice)
        deadline = first.notice["deadline"]
        assert all(not s.charges for s in sent if s.day <= deadline)
        assert charge_lines([r], BE, deadline, "en")[0] == []
        assert charge_lines([r], BE, deadline + timedelta(days=1), "en")[0] != []


def test_a_french_consumer_never_pays_a_fee_or_the_40_eur_indemnity() -> None:
    rules = rules_for("FR")
    consumer = consumer_file("1440.00", "en", rid=1)  # a consumer by the owner's word in rules.yaml
    business = consumer_file("1440.00", "en", rid=2, client="shop@example.fr")
    sent_c = simulate(rules, [consumer], date(2026, 4, 1), 70)
    sent_b = simulate(rules, [business], date(2026, 4, 1), 70)
    indemnity = CHARGE_WORDS["en"][1]
    # The same stages, the same days: the business client is charged the 40 EUR, the consumer nothing.
    assert [s.template for s in sent_c] == [s.template for s in sent_b] and any(s.letter for s in sent_c)
    assert any(f"{indemnity}: €40.00" in line for s in sent_b for line in s.charges)
    assert all(s.charges == [] and s.notice is None for s in sent_c), [(s.day, s.charges) for s in sent_c]
    assert all("€40.00" not in s.text and indemnity not in s.text for s in sent_c)
    # After the formal notice, interest at the legal rate only, never an indemnity.
    later = date(2026, 6, 30)
    lines, total = charge_lines([consumer], rules, later, "en")
    days = (later - consumer.formal_notice_date).days
    assert lines == [f"F2026-001 – late-payment interest: 1,440.00 × 2.62% × {days} / 365 = "
                     f"{cents(D('1440.00') * D('0.0262') * days / 365)}", f"Total charges: €{total}"]


# --- the real loop: Dovecot + aiosmtpd -----------------------------------------------------------

E2E_RULES = """
business:
  name: "Atelier Dupré"
  country: BE
  language: en
  {enterprise}
  iban: "BE71 0961 2345 6769"
  reference: be
stages:
  - {{name: friendly, after: 7, tone: friendly}}
  - {{name: formal, after: 15, tone: formal, charges: true}}
  - {{name: plan, after: 30, tone: firm, charges: true}}
policy:
  min_gap_days: 3
digest:
  enabled: false
clients:
  billing@acme.test: {{b2c: true}}
"""
# Due Monday 15 June 2026; friendly on Monday 22 June, formal on Tuesday 30 June, plan on Wednesday 15 July.
E2E_BODY = ("invoice: F2026-480\nclient: Jan Peeters <billing@acme.test>\namount: 480.00 EUR\n"
            "issued: 2026-05-15\ndue: 2026-06-15\nlanguage: fr\n")
START = datetime(2026, 6, 1, 9, 0, tzinfo=PARIS)


def _body(msg: EmailMessage) -> str:
    return msg.get_body(("plain",)).get_content()


@pytest.fixture
def be_harness(dovecot, imap_user, smtp_sink, tmp_path):
    from tests.support.harness import Harness

    made = []

    def make(enterprise: bool = True):
        h = Harness(dovecot=dovecot, user=imap_user, sink=smtp_sink, data_dir=tmp_path / "data", start=START,
                    rules=E2E_RULES.format(enterprise='enterprise_number: "0123.456.789"' if enterprise else ""))
        made.append(h)
        return h

    yield make
    for h in made:
        h.close()


@pytest.mark.integration
def test_a_belgian_consumer_gets_a_free_first_reminder_then_nothing_charged_before_the_deadline(be_harness) -> None:
    from tests.support.harness import CLIENT, forward

    h = be_harness()
    h.deliver(forward("Fwd: Facture F2026-480", E2E_BODY))
    h.step()
    h.days(20)  # 21 June
    assert h.sink.to(CLIENT) == []
    h.days(1)  # Mon 22 June, due + 7
    [first] = [m.msg for m in h.sink.to(CLIENT)]
    text, html = _body(first), first.get_body(("html",)).get_content()
    # Sent on 22 June: day 1 is 23 June, day 14 is 6 July. 480 EUR: 30 + 10 % x 330 = 63 EUR.
    for needle in ("Ce premier rappel est gratuit", "jusqu'au 6 juillet 2026 inclus", "une indemnité forfaitaire de 63,00 €",
                   "(30,00 + 10 % × (480,00 − 150,00) = 63,00)", "480,00 € dus depuis le 15 juin 2026", "F2026-480",
                   "échéance le 15 juin 2026", "Créancier : Atelier Dupré, numéro d'entreprise 0123.456.789",
                   "à partir du 7 juillet 2026", "Merci de régler au plus tard le 6 juillet 2026"):
        assert needle in plain(text), needle
    assert "63,00 €" in plain(html) and "6 juillet 2026" in html
    assert "Pénalités de retard" not in text
    [r] = h.ledger.all()
    assert r.first_reminder_date == date(2026, 6, 22)

    # The next stage, before the deadline (Tue 30 June, charges: true): claims nothing.
    h.days(8)
    second = [m.msg for m in h.sink.to(CLIENT)][1]
    assert "Deuxième relance" in str(second["Subject"])
    text2 = _body(second)
    assert "Pénalités de retard" not in text2 and "indemnité" not in text2 and "gratuit" not in text2

    # The stage after the deadline (Wed 15 July): the indemnity announced, interest from 7 July (9 days).
    h.days(15)
    third = [m.msg for m in h.sink.to(CLIENT)][2]
    text3 = plain(_body(third))
    assert "Pénalités de retard prévues par la loi" in text3
    assert "indemnité forfaitaire pour frais de recouvrement : 30,00 + 10 % × (480,00 − 150,00) = 63,00" in text3
    interest = str(cents(D(480) * D("0.105") * 9 / 365)).replace(".", ",")  # 1,24
    assert f"480,00 × 10,5 % × 9 / 365 = {interest}" in text3


@pytest.mark.integration
def test_without_the_enterprise_number_the_first_reminder_waits_and_the_owner_is_told_once(be_harness) -> None:
    from tests.support.harness import CLIENT, OWNER, forward

    h = be_harness(enterprise=False)
    h.deliver(forward("Fwd: Facture F2026-480", E2E_BODY))
    h.step()
    registered = len(h.sink.to(OWNER))
    h.days(24)  # 25 June: the first reminder has been due since the 22nd
    assert h.sink.to(CLIENT) == []
    notes = [m.msg for m in h.sink.to(OWNER)][registered:]
    assert len(notes) == 1, [str(n["Subject"]) for n in notes]
    assert "First reminder on hold" in str(notes[0]["Subject"]) and "enterprise_number" in _body(notes[0])
    [r] = h.ledger.all()
    assert r.first_reminder_date is None and r.last_stage == -1

    # The owner adds the number and restarts mailbot: the reminder goes, with its own 14 days.
    h.rules = parse_rules(E2E_RULES.format(enterprise='enterprise_number: "0123.456.789"'))
    h.restart()
    h.step()
    [first] = [m.msg for m in h.sink.to(CLIENT)]
    assert "numéro d'entreprise 0123.456.789" in _body(first)
    assert "jusqu'au 9 juillet 2026 inclus" in _body(first)  # sent 25 June
    assert len(h.sink.to(OWNER)) == registered + 1


@pytest.mark.integration
def test_the_owner_answers_the_hold_note_b2b_and_the_reminder_goes_as_to_a_business(be_harness) -> None:
    from tests.support.harness import CLIENT, OWNER, forward, reply_to

    h = be_harness(enterprise=False)
    h.rules = parse_rules(E2E_RULES.format(enterprise="").replace("clients:\n  billing@acme.test: {b2c: true}\n", ""))
    h.restart()
    h.deliver(forward("Fwd: Facture F2026-480", E2E_BODY))
    h.step()
    h.deliver(reply_to(h.sink.to(OWNER)[0].msg, "b2c", sender=OWNER))  # a consumer by the owner's command
    h.step()
    assert h.ledger.all()[0].b2c
    h.days(21)  # 22 June: the first reminder is due and waits
    hold = [m.msg for m in h.sink.to(OWNER) if "First reminder on hold" in str(m.msg["Subject"])]
    assert len(hold) == 1 and h.sink.to(CLIENT) == []
    h.deliver(reply_to(hold[0], "b2b", sender=OWNER))
    h.step()
    [r] = h.ledger.all()
    [reminder] = [m.msg for m in h.sink.to(CLIENT)]
    assert not r.b2c and "premier rappel est gratuit" not in _body(reminder)
    assert r.last_stage == 0


@pytest.mark.parametrize("lang", LANGS)
def test_the_hold_note_renders_in_the_owners_language(lang: str) -> None:
    files = [{"number": "F2026-480", "amount_due": D("480.00"), "currency": "EUR", "due_date": date(2026, 6, 15)}]
    out = TEMPLATES.render(f"{lang}/consumer_owner.j2", {"lang": lang, "business_name": "Atelier Dupré", "commands_hint": "",
                                                          "files": files, "client": "Jan Peeters", "client_email": CONSUMER})
    for part in (out.subject, out.text, out.html):
        assert not re.search(r"\{\{|\}\}|\{%|%\}|None|Undefined", part), part
    assert "F2026-480" in out.subject and "enterprise_number" in out.text and CONSUMER in out.text
    assert money(D("480.00"), lang) in out.text and longdate(date(2026, 6, 15), lang) in out.text


# --- what a mail client and a spam filter make of it ----------------------------------------------


def _first_reminders() -> dict[tuple[str, str], EmailMessage]:
    out = {}
    for lang in LANGS:
        r = consumer_file("1440.00", lang)
        r.attachment = "x"
        stage = BE.stages_for("regular", True)[1]
        rem = make_reminder(BE, TEMPLATES, [r], stage, stage.template, date(2026, 4, 17), qr_cid=f"qr-{lang}@atelier-dupre.fr",
                            load_attachment=lambda x: Attachment(f"{x.number}.pdf", "application/pdf", INVOICE_PDF.read_bytes()),
                            attach=True)
        assert rem.context["consumer_notice"]
        out[(lang, "beconsumer")] = reminder_message(
            BE, rem, to=CONSUMER, to_name="Jan Peeters", from_addr="relances@atelier-dupre.fr",
            message_id=f"<reminder.{lang}.beconsumer.4f2a@atelier-dupre.fr>",
            when=datetime(2026, 4, 17, 9, 0, tzinfo=PARIS), previous=[])
    return out


INVOICE_PDF = Path(__file__).resolve().parent / "fixtures" / "engine" / "invoice-F2026-014.pdf"


def test_the_first_reminder_does_not_look_like_spam() -> None:
    from tests.test_engine_delivery import ARTIFACTS, _scores, need

    binary = need("spamassassin")
    emails = _first_reminders()
    results = _scores(binary, {case: bytes(m) for case, m in emails.items()})
    folder = ARTIFACTS / "spamassassin"
    folder.mkdir(parents=True, exist_ok=True)
    failures = []
    for (lang, name), (score, report) in sorted(results.items()):
        (folder / f"{lang}-{name}.txt").write_text(f"score {score}\n\n{report}", encoding="utf-8")
        if score >= 2.0:
            failures.append(f"{lang}: {score}\n{report}")
    assert set(results) == set(emails) and not failures, "\n\n".join(failures)


def test_the_first_reminder_renders_at_600px() -> None:
    from tests.test_engine_delivery import ARTIFACTS, Chromium, html_with_data_uris, need

    browser = Chromium(need("chromium"))
    try:
        folder = ARTIFACTS / "html"
        folder.mkdir(parents=True, exist_ok=True)
        for (lang, name), msg in _first_reminders().items():
            page = folder / f"{lang}-{name}.html"
            page.write_text(html_with_data_uris(msg), encoding="utf-8")
            browser.open(page)
            state = browser.evaluate("""({
                width: document.documentElement.scrollWidth, text: document.body.innerText,
                widest: Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right)),
            })""")
            browser.screenshot(ARTIFACTS / f"{lang}-{name}.png")
            assert state["width"] <= 600 and state["widest"] <= 600, (lang, state)
            assert FREE[lang] in state["text"] and "0123.456.789" in state["text"], lang
            assert re.sub(r"\s", "", money(D("112.00"), lang)) in re.sub(r"\s", "", state["text"]), lang
    finally:
        browser.close()
