"""Builders shared by the reply tests: labelled client replies as real .eml messages."""

from __future__ import annotations

import email
import html
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import EmailMessage
from pathlib import Path

import yaml

FIXTURES = Path(__file__).parent / "fixtures"
REPLIES = FIXTURES / "replies"
DEFAULT_TODAY = date(2024, 12, 4)
STYLES = ("top", "plain", "outlook", "bottom", "sig", "iphone", "html")

# The reminder the client answers; it is quoted back so that its words ("règlement", "contestez",
# "1 440,00 €") must not leak into the reading.
REMINDER = {
    "fr": "Bonjour,\n\nSauf erreur de notre part, la facture F-2024-017 de 1 440,00 € échue le 15/11/2024 "
    "reste impayée. Merci de procéder au règlement dès que possible, ou de nous dire si vous contestez "
    "le montant.\n\nCordialement,\nACME Services",
    "en": "Hello,\n\nOur records show that invoice F-2024-017 for €1,440.00, due on 15 November 2024, is "
    "still unpaid. Please arrange payment, or let us know if you dispute the amount.\n\nKind regards,\nACME Services",
    "nl": "Beste,\n\nVolgens onze administratie is factuur F-2024-017 van € 1.440,00, vervallen op 15-11-2024, "
    "nog niet betaald. Gelieve het bedrag over te maken of ons te laten weten als u het niet eens bent.\n\n"
    "Met vriendelijke groet,\nACME Services",
}
ATTRIBUTION = {
    "fr": "Le mar. 3 déc. 2024 à 09:00, ACME Factures <factures@acme.example> a écrit :",
    "en": "On Tue, Dec 3, 2024 at 9:00 AM ACME Billing <billing@acme.example> wrote:",
    "nl": "Op di 3 dec. 2024 om 09:00 schreef ACME Facturen <facturen@acme.example>:",
}
OUTLOOK = {
    "fr": "De : ACME Factures <factures@acme.example>\nEnvoyé : mardi 3 décembre 2024 09:00\nÀ : compta@client.example\nObjet : Relance facture F-2024-017",
    "en": "From: ACME Billing <billing@acme.example>\nSent: Tuesday, December 3, 2024 9:00 AM\nTo: ap@client.example\nSubject: Reminder: invoice F-2024-017",
    "nl": "Van: ACME Facturen <facturen@acme.example>\nVerzonden: dinsdag 3 december 2024 09:00\nAan: administratie@klant.example\nOnderwerp: Herinnering factuur F-2024-017",
}
MOBILE = {"fr": "Envoyé de mon iPhone", "en": "Sent from my iPhone", "nl": "Verzonden vanaf mijn iPhone"}
SIGNATURE = "-- \nJean Dupont | Client SARL\nTél. +33 1 23 45 67 89\nwww.client.example"


@dataclass
class Case:
    id: str
    lang: str
    intent: str
    text: str
    today: date
    style: str
    date: date | None = None
    amount: str | None = None
    reason: str | None = None


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(REPLIES.glob("labelled_*.yaml")):
        lang = path.stem.split("_")[1]
        for index, raw in enumerate(yaml.safe_load(path.read_text(encoding="utf-8"))):
            cases.append(
                Case(
                    id=raw["id"],
                    lang=lang,
                    intent=raw["intent"],
                    text=raw["text"],
                    today=raw.get("today", DEFAULT_TODAY),
                    style=raw.get("style", STYLES[index % len(STYLES)]),
                    date=raw.get("date"),
                    amount=str(raw["amount"]) if raw.get("amount") is not None else None,
                    reason=raw.get("reason"),
                )
            )
    return cases


def load_set(name: str) -> list[Case]:
    """A hold-out file (one list with a `lang` per case): `holdout_mixed` or `blind_2024`."""
    cases: list[Case] = []
    for index, raw in enumerate(yaml.safe_load((REPLIES / f"{name}.yaml").read_text(encoding="utf-8"))):
        cases.append(
            Case(
                id=raw["id"],
                lang=raw["lang"],
                intent=raw["intent"],
                text=raw["text"],
                today=raw.get("today", DEFAULT_TODAY),
                style=raw.get("style", STYLES[index % len(STYLES)]),
                date=raw.get("date"),
                amount=str(raw["amount"]) if raw.get("amount") is not None else None,
                reason=raw.get("reason"),
            )
        )
    return cases


# A colleague's internal forward ("can you deal with this?") sits between the client's answer
# and the reminder: all of it is history.
COLLEAGUE = {
    "fr": ("De : Pierre Morel <pierre@client.example>\nEnvoyé : mardi 3 décembre 2024 11:02\nÀ : Claire Roy <claire@client.example>\n"
           "Objet : TR: Relance facture F-2024-017", "Claire, tu peux regarder ? Je pense qu'on a un souci avec cette facture."),
    "en": ("From: Jane Cole <jane@client.example>\nSent: Tuesday, December 3, 2024 11:02 AM\nTo: Owen Hart <owen@client.example>\n"
           "Subject: FW: Reminder: invoice F-2024-017", "Owen, can you pay this on Friday? Not sure we ever got the goods."),
    "nl": ("Van: Sara Jacobs <sara@klant.example>\nVerzonden: dinsdag 3 december 2024 11:02\nAan: Pieter Smet <pieter@klant.example>\n"
           "Onderwerp: FW: Herinnering factuur F-2024-017", "Pieter, kun jij dit oppakken? Volgens mij klopt het bedrag niet."),
}


def _quoted(lang: str) -> str:
    return "\n".join("> " + line if line else ">" for line in REMINDER[lang].split("\n"))


def body_for(case: Case) -> tuple[str, str]:
    """(subtype, body) of the reply as the client's mail program would write it."""
    lang, text = case.lang, case.text
    if case.style == "top":
        return "plain", f"{text}\n\n{ATTRIBUTION[lang]}\n{_quoted(lang)}\n"
    if case.style == "bottom":
        return "plain", f"{ATTRIBUTION[lang]}\n{_quoted(lang)}\n\n{text}\n"
    if case.style == "outlook":
        return "plain", f"{text}\n\n________________________________\n{OUTLOOK[lang]}\n\n{REMINDER[lang]}\n"
    if case.style == "sig":
        return "plain", f"{text}\n\n{SIGNATURE}\n\n{ATTRIBUTION[lang]}\n{_quoted(lang)}\n"
    if case.style == "iphone":
        return "plain", f"{text}\n\n{MOBILE[lang]}\n\n> {ATTRIBUTION[lang]}\n{_quoted(lang)}\n"
    if case.style == "forwarded":
        header, note = COLLEAGUE[lang]
        return "plain", (
            f"{text}\n\n________________________________\n{header}\n\n{note}\n\n"
            f"________________________________\n{OUTLOOK[lang]}\n\n{REMINDER[lang]}\n"
        )
    if case.style == "html":
        lines = "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in text.split("\n"))
        quoted = "".join(f"<div>{html.escape(line) or '<br>'}</div>" for line in REMINDER[lang].split("\n"))
        return "html", (
            f'<html><body><div dir="ltr">{lines}</div><br><div class="gmail_quote"><div class="gmail_attr">'
            f"{html.escape(ATTRIBUTION[lang])}</div><blockquote class=\"gmail_quote\" style=\"margin:0 0 0 .8ex\">"
            f"{quoted}</blockquote></div></body></html>"
        )
    return "plain", text + "\n"


def message_for(case: Case) -> EmailMessage:
    subtype, body = body_for(case)
    msg = EmailMessage()
    msg["From"] = "Client <client@client.example>"
    msg["To"] = "ACME <factures@acme.example>"
    msg["Subject"] = {"fr": "RE: Relance facture F-2024-017", "en": "Re: Reminder: invoice F-2024-017", "nl": "RE: Herinnering factuur F-2024-017"}[case.lang]
    msg["Date"] = case.today.strftime("%a, %d %b %Y 10:00:00 +0100")
    msg["Message-ID"] = f"<{case.id}@client.example>"
    msg["In-Reply-To"] = "<reminder-2024-017@acme.example>"
    msg.set_content(body, subtype=subtype, charset="utf-8")
    # Round-trip through bytes so that transfer encodings are decoded the way they would be.
    return email.message_from_bytes(msg.as_bytes(), policy=policy.default)


def test_every_wrapped_reply_loses_its_quoted_reminder() -> None:
    """Whatever the client's mail program did (top, bottom, Outlook, HTML, iPhone), the reminder
    must be gone from new_text and the client's first line must remain."""
    from mailbot.replies import new_text

    for case in load_cases():
        text = new_text(message_for(case))
        for reminder_words in ("Sauf erreur", "Our records show", "Volgens onze administratie", "ACME", "Jean Dupont"):
            assert reminder_words not in text, case.id
        first = next(line for line in case.text.split("\n") if line.strip())
        assert first.strip() in text, case.id
