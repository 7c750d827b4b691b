"""Owner commands, read from the new text of an owner's email: pure parsing, no effects.

One command per line, French, English, Dutch or German. A reply about one file may say just "payé";
a digest reply may carry several lines that each name their file ("done F-12",
"pause F-14 until 2027-01-10"). A line that is not a command is ignored, and a line that
reads like a question or a negation ("paid?", "paid? not yet") is never a command.

>>> parse_commands("Payé, merci !")
[Command(verb='done', number=None, amount=None, date=None, text='Payé, merci !', count=None, period=None)]
>>> parse_commands("paid 500")[0].amount
Decimal('500')
>>> parse_commands("plan F-12 3x monthly")[0]
Command(verb='plan', number='F-12', amount=None, date=None, text='plan F-12 3x monthly', count=3, period='monthly')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

VERBS = ("done", "partial", "pause", "resume", "dispute_resolved", "promise", "plan", "note", "client_email", "cancel",
         "status", "undo", "help", "digest", "history", "export", "segment", "kind", "language")
# Verbs that answer with a report of their own rather than a change to a file.
REPORTS = ("status", "digest", "history", "export")
PERIODS = ("weekly", "monthly")
MAX_INSTALMENTS = 24


@dataclass
class Command:
    verb: str
    number: str | None = None  # invoice number named in the line, if any
    amount: Decimal | None = None
    date: date | None = None  # pause until / promised for / first instalment on
    text: str = ""  # the line, or the note's text / the new address
    count: int | None = None  # instalments of a plan
    period: str | None = None  # "weekly" | "monthly"


# An invoice number: letters, then a digit somewhere ("F-12", "F2026/014", "2026-014"), and the
# "(1/3)" that names one instalment of a plan.
_NUM = r"(?P<number>[A-Z]{0,6}[-/_.]?\d[\w\-/.]*(?:\s*\(\d{1,2}/\d{1,2}\))?)"
_CLOSE = r"(?:done|paid|pay[ée]e?s?|r[ée]gl[ée]e?s?|betaald|voldaan|bezahlt|erledigt|beglichen|clos|closed|sold[ée]e?s?)"
_PAID = (r"(?:paid|pay[ée]e?s?|r[ée]gl[ée]e?s?|betaald|voldaan|received|re[cç]ue?s?|ontvangen|bezahlt|erhalten|eingegangen"
         r"|teilzahlung|anzahlung|acompte|deelbetaling)")
_DATE = r"(?P<date>\d{4}-\d{2}-\d{2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{4})"
_AMOUNT = r"(?:€\s*)?(?P<amount>\d{1,3}(?:[ \u00a0\u202f.,]?\d{3})*(?:[.,]\d{1,2})?)\s*(?:€|eur|euros?)?"
_EMAIL = r"(?P<text>[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+)"
# What may follow "paid" on a closing line: thanks, "in full", when or how it was paid.
_AFTER_CLOSE = (r"(?:thanks|thank|merci|bedankt|dank|danke|in full|en totalit[ée]|int[ée]gralement|volledig|vollst[äa]ndig"
                r"|le|on|op|am|by|par|per|via|ce|today|aujourd'hui|vandaag|heute|hier|yesterday|gisteren|gestern|\d)")
_NEGATION = re.compile(r"\?|\b(?:not?|pas|non|niet|geen|nog|yet|jamais|never|nicht|noch)\b", re.I)
_PERIOD_WORDS = {
    "monthly": "monthly", "month": "monthly", "months": "monthly", "mensuel": "monthly", "mensuelle": "monthly",
    "mensuellement": "monthly", "mois": "monthly", "maandelijks": "monthly", "maand": "monthly", "monatlich": "monthly",
    "weekly": "weekly", "week": "weekly", "weeks": "weekly", "hebdomadaire": "weekly", "semaine": "weekly",
    "wekelijks": "weekly", "wöchentlich": "weekly", "woechentlich": "weekly", "monat": "monthly", "monate": "monthly",
    "woche": "weekly", "wochen": "weekly",
}
_PERIOD = r"(?:(?:par|per|a|every|each|chaque|elke|pro|je|jede|jeden|jeder)\s+)?(?P<period>" + "|".join(sorted(_PERIOD_WORDS, key=len, reverse=True)) + r")"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("undo", re.compile(r"^(?:undo|annuler la derni[eè]re(?: commande)?|d[ée]faire|ongedaan(?: maken)?"
                        r"|r[üu]e?ckg[äa]e?ngig(?: machen)?|zur[üu]e?cknehmen)\s*[.!]*$", re.I)),
    ("dispute_resolved", re.compile(
        rf"^(?:dispute|litige|contestation|geschil|betwisting|streit|einwand|beanstandung|reklamation)(?:\s+{_NUM})?\s+"
        rf"(?:resolved|r[ée]solue?|r[ée]gl[ée]e?|opgelost|erledigt|gekl[äa]e?rt|gel[öo]e?st|beigelegt)\s*[.!]*$", re.I)),
    # Lazy number: "payé 1 200,50" is an amount with a thousands space, not invoice 1 and 200,50.
    ("partial", re.compile(rf"^{_PAID}(?:\s+{_NUM})??\s+{_AMOUNT}\s*[.!]*$", re.I)),
    ("done", re.compile(rf"^{_CLOSE}(?:\s+{_NUM})?(?P<rest>[.,!;:].*|\s+{_AFTER_CLOSE}\b.*)?$", re.I)),
    ("pause", re.compile(
        rf"^(?:pause|suspendre|suspends?|pauzeer|pauze|pausieren|pausiere|anhalten)(?:\s+{_NUM})?\s+"
        rf"(?:until|till|jusqu'?au|jusqu'?à|jusqu'?a|tot(?: en met)?|bis(?: zum)?)\s+{_DATE}\s*[.!]*$", re.I)),
    ("resume", re.compile(rf"^(?:resume|reprendre|reprise|hervat|hervatten|fortsetzen|weiter)(?:\s+{_NUM})?\s*[.!]*$", re.I)),
    ("promise", re.compile(rf"^(?:promise|promesse|promis|belofte|beloofd|zusage|zugesagt|versprechen|versprochen)(?:\s+{_NUM})?\s+"
                           rf"(?:for\s+|on\s+|pour\s+le\s+|le\s+|op\s+|am\s+|f[üu]r\s+(?:den\s+)?|zum\s+)?{_DATE}\s*[.!]*$", re.I)),
    ("plan", re.compile(
        rf"^(?:plan|[ée]ch[ée]ancier|betalingsplan|afbetalingsplan|afbetaling|ratenzahlung|ratenplan|raten)(?:\s+{_NUM})?\s+(?P<count>\d{{1,2}})\s*(?:x|fois|keer|maal|mal)?"
        rf"(?:\s+{_PERIOD})?(?:\s+(?:from|starting|[àa] partir du|d[èe]s le|vanaf|ab)\s+{_DATE})?\s*[.!]*$", re.I)),
    ("note", re.compile(rf"^(?:note|nota|notitie|remarque|notiz|vermerk)(?:\s+{_NUM})?\s*:\s*(?P<text>.+)$", re.I)),
    ("client_email", re.compile(
        rf"^(?:client\s+e-?mail|email\s+client|e-?mail\s+(?:du\s+)?client|client|klant(?:\s+e-?mail)?|kunden-?\s?e-?mail"
        rf"|e-?mail(?:-adresse)?\s+des\s+kunden|kunde|e-?mail|adresse)(?:\s+{_NUM})?\s*:?\s+{_EMAIL}\s*$", re.I)),
    ("cancel", re.compile(rf"^(?:cancel|annuler|annul[ée]e?|annuleer|annuleren|withdraw|retirer|stornieren|storniert|storno)"
                          rf"(?:\s+{_NUM})?\s*[.!]*$", re.I)),
    # Per-client settings: they apply to every open file of that client.
    ("segment", re.compile(
        rf"^(?:segment|cat[ée]gorie|categorie|kategorie|klanttype|kundentyp)(?:\s+{_NUM})?\s+(?P<text>new|nouveau|nieuw|neu|regular|normal|"
        rf"r[ée]gulier|gewoon|regelm[äa]e?[ßs]s?ig|loyal|fid[èe]le|trouw|treu|chronic|chronique|chronisch)\s*[.!]*$", re.I)),
    ("kind", re.compile(rf"^(?P<text>b2c|b2b|consumer|business|particulier|professionnel|consument|bedrijf|verbraucher|unternehmen)"
                        rf"(?:\s+{_NUM})?\s*[.!]*$", re.I)),
    ("language", re.compile(rf"^(?:language|langue|taal|sprache)(?:\s+{_NUM})?\s+(?P<text>fr|en|nl|de)\s*[.!]*$", re.I)),
    ("status", re.compile(r"^(?:status|statut|[ée]tat|overzicht|stand|[üu]e?bersicht)(?:\s+(?P<text>[^.!?]+?))?\s*[.!?]*$", re.I)),
    ("digest", re.compile(r"^(?:digest|r[ée]sum[ée]|samenvatting|overzicht van de week|zusammenfassung|wochen[üu]e?bersicht|wochenbericht)"
                          r"\s*[.!?]*$", re.I)),
    ("history", re.compile(rf"^(?:history|historique|historiek|geschiedenis|verlauf|historie)\s+{_NUM}\s*[.!?]*$", re.I)),
    ("export", re.compile(r"^(?:export|exporter|exporteer|exporteren|exportieren)\s*[.!?]*$", re.I)),
    ("help", re.compile(r"^(?:help|aide|\?|hulp|hilfe|commands|commandes|commando'?s|befehle)\s*[.!?]*$", re.I)),
]


# The words owners write for a client's kind, in FR/EN/NL/DE, to the values the engine knows.
_SETTING_WORDS = {
    "nouveau": "new", "nieuw": "new", "neu": "new", "normal": "regular", "régulier": "regular", "regulier": "regular",
    "gewoon": "regular", "fidèle": "loyal", "fidele": "loyal", "trouw": "loyal", "treu": "loyal",
    "chronique": "chronic", "chronisch": "chronic", "regelmäßig": "regular", "regelmässig": "regular",
    "regelmaessig": "regular",
    "consumer": "b2c", "particulier": "b2c", "consument": "b2c", "verbraucher": "b2c",
    "business": "b2b", "professionnel": "b2b", "bedrijf": "b2b", "unternehmen": "b2b",
}


# The line an owner writes for a verb, in each language the parser reads: mailbot offers these
# in its notes ("commands that fit"), so each one must parse back to the same command.
_WRITTEN: dict[str, dict[str, str]] = {
    "en": {"done": "done{n}", "partial": "paid{n} {amount}", "pause": "pause{n} until {date}", "resume": "resume{n}",
           "dispute_resolved": "dispute{n} resolved", "promise": "promise{n} {date}", "plan": "plan{n} {count}x {period}",
           "note": "note{n}: {text}", "cancel": "cancel{n}"},
    "fr": {"done": "payé{n}", "partial": "payé{n} {amount}", "pause": "suspendre{n} jusqu'au {date}", "resume": "reprendre{n}",
           "dispute_resolved": "litige{n} résolu", "promise": "promesse{n} {date}", "plan": "échéancier{n} {count}x {period}",
           "note": "note{n} : {text}", "cancel": "annuler{n}"},
    "nl": {"done": "betaald{n}", "partial": "betaald{n} {amount}", "pause": "pauzeer{n} tot {date}", "resume": "hervat{n}",
           "dispute_resolved": "geschil{n} opgelost", "promise": "belofte{n} {date}", "plan": "betalingsplan{n} {count}x {period}",
           "note": "notitie{n}: {text}", "cancel": "annuleer{n}"},
    "de": {"done": "bezahlt{n}", "partial": "bezahlt{n} {amount}", "pause": "pausieren{n} bis {date}", "resume": "fortsetzen{n}",
           "dispute_resolved": "Beanstandung{n} erledigt", "promise": "Zusage{n} {date}", "plan": "Ratenplan{n} {count}x {period}",
           "note": "Notiz{n}: {text}", "cancel": "stornieren{n}"},
}
_PERIOD_WRITTEN = {"en": {"monthly": "monthly", "weekly": "weekly"}, "fr": {"monthly": "mensuel", "weekly": "hebdomadaire"},
                   "nl": {"monthly": "maandelijks", "weekly": "wekelijks"}, "de": {"monthly": "monatlich", "weekly": "wöchentlich"}}
WRITABLE = tuple(_WRITTEN["en"])


def write_command(lang: str, verb: str, *, number: str | None = None, amount: Decimal | None = None, when: date | None = None,
                  count: int | None = None, period: str = "monthly", text: str = "...") -> str:
    """The command line an owner of language `lang` would write (English for a language the parser does not know).

    >>> write_command("de", "pause", number="F-12", when=date(2027, 1, 10))
    'pausieren F-12 bis 2027-01-10'
    >>> write_command("fr", "partial", amount=Decimal("1440.50"))
    'payé 1440.50'
    """
    words = _WRITTEN.get(lang, _WRITTEN["en"])
    if verb not in words:
        raise ValueError(f"no written form for the verb {verb!r}; one of {', '.join(WRITABLE)}")
    return words[verb].format(n=f" {number}" if number else "", amount=f"{amount:f}" if amount is not None else "",
                              date=when.isoformat() if when else "", count=count or "",
                              period=_PERIOD_WRITTEN.get(lang, _PERIOD_WRITTEN["en"])[period], text=text)


def parse_amount(text: str) -> Decimal | None:
    """'1 440,50' -> Decimal('1440.50'); '1,440.50' -> Decimal('1440.50'); '500' -> Decimal('500')."""
    t = re.sub(r"[ \u00a0\u202f]", "", text)
    if "," in t and "." in t:
        t = t.replace(".", "").replace(",", ".") if t.rfind(",") > t.rfind(".") else t.replace(",", "")
    elif "," in t:
        head, _, tail = t.rpartition(",")
        t = f"{head.replace(',', '')}.{tail}" if len(tail) <= 2 else t.replace(",", "")
    elif t.count(".") == 1 and len(t.rpartition(".")[2]) == 3:
        t = t.replace(".", "")  # "1.440" is a thousands separator in fr/nl/de
    try:
        return Decimal(t)
    except InvalidOperation:
        return None


def parse_date(text: str) -> date | None:
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if m:  # day first, as written in France, Belgium and the Netherlands
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def parse_line(line: str) -> Command | None:
    s = " ".join(line.strip().strip("*_").split())
    if not s:
        return None
    for verb, pattern in _PATTERNS:
        m = pattern.match(s)
        if not m:
            continue
        g = m.groupdict()
        if verb == "done" and _NEGATION.search(g.get("rest") or ""):
            return None  # "paid? not yet" is a question, not a command
        cmd = Command(verb, number=" ".join(g["number"].split()) if g.get("number") else None, text=s)
        if g.get("amount"):
            cmd.amount = parse_amount(g["amount"])
            if cmd.amount is None or cmd.amount <= 0:
                return None  # "paid 0" is a slip, not "done" with invoice number 0
        if g.get("date"):
            cmd.date = parse_date(g["date"])
            if cmd.date is None:
                continue
        if verb == "plan":
            cmd.count = int(g["count"])
            cmd.period = _PERIOD_WORDS[g["period"].lower()] if g.get("period") else "monthly"
            if not 2 <= cmd.count <= MAX_INSTALMENTS:
                continue
        if verb in ("segment", "kind", "language"):
            cmd.text = _SETTING_WORDS.get(g["text"].lower(), g["text"].lower())
        elif verb in ("note", "client_email") or (verb == "status" and g.get("text")):
            cmd.text = g["text"].strip()
        elif verb == "status":
            cmd.text = ""
        return cmd
    return None


def parse_commands(text: str) -> list[Command]:
    """Every line of `text` that is a command, in order."""
    out = []
    for line in text.splitlines():
        cmd = parse_line(line)
        if cmd is not None:
            out.append(cmd)
    return out
