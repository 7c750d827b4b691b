"""Dates written by people in French, English, Dutch and German, resolved against a reference day.

Rules (chosen so that mailbot never chases before the client said it would pay; each is the
*latest* day the writer can reasonably have meant):

- "next week" / "la semaine prochaine" / "volgende week" / "nächste Woche" -> Friday of next week.
- "this week" / "cette semaine" / "d'ici la fin de la semaine" -> Friday of this week (or today if
  already past Friday).
- "end of the month" / "fin du mois" / "eind deze maand" / "Monatsende" -> last day of this month;
  "end of next month" -> last day of next month; "fin janvier" / "end of January" -> last day of it;
  "in January" / "en janvier" -> last day of January; "mi-janvier" -> the 15th; "early next month"
  / "début du mois prochain" -> the 10th of next month.
- A weekday: "vendredi" / "by Friday" -> the first such day on or after today (future) or on or
  before today (past); "vendredi prochain" / "next Friday" -> the first one strictly after today;
  "lundi dernier" / "last Monday" -> the first one strictly before today.
- "le 15" / "on the 20th" / "op de 15e" / "am 15." -> next 15th on or after today (future) or the
  last one on or before today (past); a day-month without year likewise picks the year.
- "volgende week dinsdag" / "next week Tuesday" / "mardi de la semaine prochaine" -> that day of
  next week; "lundi en huit" -> the Monday after the coming one; "avant Noël" / "before Christmas"
  / "voor kerst" -> 24 December.
- "quinze jours" / "sous quinzaine" / "a fortnight" -> 14 days, "huit jours" / "8 jours" / "sous
  huitaine" -> 7 days (French idioms); "dans 15 jours", "in 10 days", "binnen 10 dagen" -> literally
  that many days (the latest day meant); "in two weeks" -> 14 days; "binnen 5 werkdagen" / "within
  5 working days" -> Monday to Friday only; "within 48 hours" -> 2 days.
- "next month" / "le mois prochain" / "volgende maand" -> its last day; "after the weekend" -> the
  Monday; "ce soir" / "tonight" / "vanavond" / Belgian "seffens" -> today; Dutch "de 20ste" -> the 20th.
- Numeric dates are day-first (15/12, 15.12.2024, 15-12-24), ISO 2024-12-15 too; a month-first date
  is only read as such when the day-first reading is impossible (12/15).

`find_dates(text, today, past=False)` returns every date found with its span, in text order.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from mailbot.replies.fold import fold, folded

MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        ("janvier", "janv", "jan", "january", "januari", "januar", "jänner"),
        ("février", "fevrier", "févr", "fevr", "fév", "fev", "feb", "february", "februari", "februar"),
        ("mars", "mar", "march", "maart", "märz", "maerz", "mrt"),
        ("avril", "avr", "apr", "april"),
        ("mai", "may", "mei"),
        ("juin", "jun", "june", "juni"),
        ("juillet", "juil", "jul", "july", "juli"),
        ("août", "aout", "aug", "august", "augustus"),
        ("septembre", "sept", "sep", "september"),
        ("octobre", "oct", "october", "oktober", "okt"),
        ("novembre", "nov", "november"),
        ("décembre", "decembre", "déc", "dec", "december", "dezember", "dez"),
    ],
    start=1,
):
    for _name in _names:
        MONTHS[_name] = _num

for _name in list(MONTHS):
    MONTHS.setdefault(fold(_name), MONTHS[_name])  # "decembre", "fevr": typed without accents

WEEKDAYS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        ("lundi", "monday", "mon", "maandag", "montag"),
        ("mardi", "tuesday", "tue", "tues", "dinsdag", "dienstag"),
        ("mercredi", "wednesday", "wed", "woensdag", "mittwoch"),
        ("jeudi", "thursday", "thu", "thurs", "donderdag", "donnerstag"),
        ("vendredi", "friday", "fri", "vrijdag", "freitag"),
        ("samedi", "saturday", "sat", "zaterdag", "samstag"),
        ("dimanche", "sunday", "sun", "zondag", "sonntag"),
    ]
):
    for _name in _names:
        WEEKDAYS[_name] = _num
# Typed in a hurry or by non-native writers: "i pay on wendsday", "vrijdaag", "firday".
for _name, _num in {"tuseday": 1, "tuesay": 1, "wensday": 2, "wendsday": 2, "wednsday": 2, "wedensday": 2, "wednesdy": 2,
                    "woendag": 2, "thurday": 3, "thursay": 3, "thrusday": 3, "donderag": 3, "firday": 4, "fryday": 4,
                    "fridey": 4, "vrijdaag": 4, "vendredie": 4, "saterday": 5, "zaterag": 5}.items():
    WEEKDAYS[_name] = _num

_NUMBER_WORDS = {
    "un": 1, "une": 1, "one": 1, "a": 1, "an": 1, "een": 1, "één": 1, "ein": 1, "einer": 1, "eine": 1,
    "deux": 2, "two": 2, "twee": 2, "zwei": 2, "trois": 3, "three": 3, "drie": 3, "drei": 3,
    "quatre": 4, "four": 4, "vier": 4, "cinq": 5, "five": 5, "vijf": 5, "fünf": 5,
    "six": 6, "zes": 6, "sechs": 6, "sept": 7, "seven": 7, "zeven": 7, "sieben": 7,
    "huit": 8, "eight": 8, "acht": 8, "dix": 10, "ten": 10, "tien": 10, "zehn": 10,
    "quinze": 15, "fifteen": 15, "vijftien": 15, "fünfzehn": 15,
    "quatorze": 14, "fourteen": 14, "veertien": 14, "vierzehn": 14,
    "vingt": 20, "twenty": 20, "twintig": 20, "zwanzig": 20, "trente": 30, "thirty": 30, "dertig": 30, "dreißig": 30,
}

for _name in list(_NUMBER_WORDS):
    _NUMBER_WORDS.setdefault(fold(_name), _NUMBER_WORDS[_name])

_MONTH_RE = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
_WEEKDAY_RE = "|".join(sorted((re.escape(w) for w in WEEKDAYS if len(w) > 3), key=len, reverse=True))
_NUM_RE = "|".join(sorted((re.escape(w) for w in _NUMBER_WORDS), key=len, reverse=True))
_ORD = r"(?:st|nd|rd|th|er|e|ème|eme|de|ste|\.)?"


# How far ahead a date without a year may be read: beyond it, the writer meant the past one.
HORIZON_DAYS = 185


@dataclass(frozen=True)
class FoundDate:
    value: date
    start: int
    end: int
    text: str
    vague: bool = False  # "next week", "in January": a bound, not a day the writer named


def last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(d: date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


def _friday_of_week(d: date, weeks_ahead: int) -> date:
    monday = d - timedelta(days=d.weekday()) + timedelta(weeks=weeks_ahead)
    return monday + timedelta(days=4)


def _pick_year(day: int, month: int, today: date, past: bool) -> date | None:
    """Day and month without a year: the next occurrence (future) or the last one (past)."""
    for year in (today.year, today.year + 1, today.year - 1):
        try:
            date(year, month, day)
        except ValueError:
            return None
    this_year = date(today.year, month, day)
    if past:
        return this_year if this_year <= today else date(today.year - 1, month, day)
    # A date a few days back is a statement about the past even in a promise ("on the 3rd we
    # sent…"); more than two months back it means next year (writing in December about January),
    # unless that is more than half a year ahead: "devis du 2 septembre" written in December is
    # the September gone by, not next year's.
    if this_year >= today:
        # Nor is a day more than half a year ahead: "ontvangstdatum (22-10)" written in January
        # is last October's.
        return this_year if (this_year - today).days <= HORIZON_DAYS else date(today.year - 1, month, day)
    if (today - this_year).days <= 60:
        return this_year
    next_year = date(today.year + 1, month, day)
    return next_year if (next_year - today).days <= HORIZON_DAYS else this_year


def _pick_day(day: int, today: date, past: bool) -> date | None:
    """A bare day of month ("le 15"): next such day on or after today, or last one before."""
    if not 1 <= day <= 31:
        return None
    year, month = today.year, today.month
    for _ in range(3):
        try:
            candidate = date(year, month, day)
        except ValueError:
            candidate = None
        if candidate is not None:
            if past and candidate <= today:
                return candidate
            if not past and candidate >= today:
                return candidate
        year, month = _add_months(date(year, month, 1), -1 if past else 1)
    return None


def _year(text: str | None, today: date) -> int | None:
    if not text:
        return None
    value = int(text)
    if value < 100:
        value += 2000
    return value if 1990 <= value <= today.year + 5 else None


def _make(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# Each pattern carries a handler name; order matters (longer, more specific first).
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", folded(r"\b(?P<y>(?:19|20)\d\d)-(?P<m>\d{1,2})-(?P<d>\d{1,2})\b")),
    (
        # "the first of next month", "le premier du mois prochain", "de eerste van volgende maand".
        "first_next_month",
        folded(r"\b(?:(?:the\s+)?(?:first|1st)\s+of\s+next\s+month|(?:le\s+)?(?:premier|1er)\s+du\s+mois\s+prochain|(?:de\s+)?(?:eerste|1ste)\s+van\s+(?:de\s+)?volgende\s+maand|(?:am\s+)?ersten\s+des\s+nächsten\s+monats)\b"),
    ),
    (
        # "la semaine du 16", "in de week van 16 december", "the week of the 16th": that week's
        # Friday, the latest day meant.
        "week_of",
        folded(rf"\b(?:semaine\s+du|week\s+van|week\s+of)\s+(?:de\s+|the\s+|le\s+)?(?P<d>\d{{1,2}}){_ORD}(?:\s+(?P<mon>{_MONTH_RE})\b\.?)?"),
    ),
    (
        "numeric",
        folded(
            r"(?<![\d.,/-])(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})(?:[/.-](?P<y>(?:19|20)?\d\d))?(?![\d/-]|[.,]\d)"
            r"(?!\s*(?:working\s+|business\s+|werk)?(?:days?|jours?|dagen|tagen?|weeks?|semaines?|weken|h\b|uur|heures?|%))",
        ),
    ),
    (
        "day_month",
        folded(
            rf"(?<![\w-])(?P<d>\d{{1,2}}|1er|premier){_ORD}\s*(?:de\s+|of\s+)?(?P<mon>{_MONTH_RE})\b\.?(?:,?\s+(?P<y>(?:19|20)\d\d))?",
        ),
    ),
    (
        "month_day",
        folded(
            rf"\b(?P<mon>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}}){_ORD}(?![\d:])(?:,?\s+(?P<y>(?:19|20)\d\d))?",
        ),
    ),
    (
        # "vendredi 13", "Friday the 13th", "vrijdag 13 december": the day number decides.
        "weekday_day",
        folded(
            rf"\b(?:{_WEEKDAY_RE})\s+(?:the\s+)?(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|e|ste|de|\.)?(?:\s+(?P<mon>{_MONTH_RE})\b\.?)?(?![\d/.:-]*\d)",
        ),
    ),
    (
        # "volgende week dinsdag", "next week Tuesday", "mardi de la semaine prochaine",
        # "dinsdag volgende week", "Tuesday next week": that day of next week.
        "weekday_next_week",
        folded(
            rf"\b(?:(?:volgende|next|nächste)\s+week\s+(?:on\s+)?(?P<wd1>{_WEEKDAY_RE})|(?P<wd2>{_WEEKDAY_RE})\s+(?:of\s+|de\s+)?(?:la\s+)?(?:next\s+week|volgende\s+week|semaine\s+prochaine|nächste\s+woche))\b"
        ),
    ),
    (
        # British "Friday week": a week after the coming Friday.
        "weekday_week",
        folded(rf"\b(?P<wd>{_WEEKDAY_RE})\s+week\b(?!\s+(?:of|van))"),
    ),
    (
        # "lundi en huit" (French): that weekday of the week after the coming one.
        "weekday_en_huit",
        folded(rf"\b(?P<wd>{_WEEKDAY_RE})\s+en\s+(?P<n>huit|quinze)\b"),
    ),
    (
        # Christmas Eve is the latest day "avant Noël" / "before Christmas" / "voor kerst" can mean.
        "christmas",
        folded(r"\b(?:avant|before|for|voor|vóór|vor|d['’]ici|by)\s+(?:la\s+|de\s+|the\s+)?(?:noël|christmas|xmas|kerst(?:mis)?|weihnachten)\b"),
    ),
    (
        "relative_week",
        folded(
            r"\b(?:(?:d'ici\s+)?(?:la\s+)?fin\s+de\s+(?:la\s+)?semaine\s+prochaine|end\s+of\s+next\s+week|"
            r"eind\s+volgende\s+week|(?:la\s+)?semaine\s+prochaine|(?:la\s+)?semaine\s+suivante|next\s+week|"
            r"(?:de\s+)?volgende\s+week|(?:in\s+der\s+)?nächsten?\s+woche|(?:begin|start)\s+(?:of\s+)?next\s+week)\b",
        ),
    ),
    (
        "this_week",
        folded(
            r"\b(?:(?:d'ici\s+(?:à\s+)?)?(?:la\s+)?fin\s+de\s+(?:la\s+|cette\s+)?semaine|cette\s+semaine|"
            r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week|this\s+week|deze\s+week|"
            r"(?:aan\s+het\s+)?eind(?:e)?\s+van\s+(?:de(?:ze)?\s+)?week|diese\s+woche|ende\s+der\s+woche)\b",
        ),
    ),
    (
        "year_end",
        folded(
            r"\b(?:(?:la\s+)?fin\s+(?:de\s+)?l['’]année|(?:the\s+)?end\s+of\s+(?:the|this)\s+year|year[- ]end|"
            r"eind(?:e)?\s+van\s+(?:het|dit)\s+jaar|jaareinde|jahresende|ende\s+des\s+jahres)\b",
        ),
    ),
    (
        "month_end_next",
        folded(
            r"\b(?:fin\s+(?:du\s+)?mois\s+prochain|end\s+of\s+next\s+month|eind\s+volgende\s+maand|"
            r"ende\s+nächsten\s+monats)\b",
        ),
    ),
    (
        "month_start_next",
        folded(
            r"\b(?:(?:au\s+)?début\s+(?:du\s+)?mois\s+prochain|(?:early|beginning\s+of|start\s+of)\s+next\s+month|"
            r"begin\s+volgende\s+maand|anfang\s+nächsten\s+monats)\b",
        ),
    ),
    (
        "month_end",
        folded(
            r"\b(?:(?:à\s+la\s+|d'ici\s+(?:la\s+)?)?fin\s+(?:du|de\s+ce|de)\s+mois|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the|this)\s+month|"
            r"month[- ]end|eom|(?<!days\s)(?<!dagen\s)end\s+of\s+month|(?<!dagen\s)einde?\s+maand|eind(?:e)?\s+(?:van\s+)?(?:deze|de)\s+maand|einde\s+van\s+de\s+maand|eind\s+deze\s+maand|"
            r"monatsende|ende\s+des\s+monats|ende\s+dieses\s+monats)\b",
        ),
    ),
    (
        "named_month_part",
        folded(
            rf"\b(?P<part>fin|début|debut|mi|mid|middle\s+of|end\s+of|early|begin|eind|halverwege|half|midden|medio|ende|anfang|mitte)[-\s]+(?:de\s+|d'|of\s+)?(?P<mon>{_MONTH_RE})\b\.?(?:\s+(?P<y>(?:19|20)\d\d))?",
        ),
    ),
    (
        "in_month",
        folded(rf"\b(?:en|in|im|courant|dans\s+le\s+courant\s+de)\s+(?P<mon>{_MONTH_RE})\b(?!\s*\d)", re.IGNORECASE),
    ),
    (
        "in_days",
        folded(
            rf"\b(?:dans|sous|d'ici|endéans|in|within|binnen|over|innerhalb\s+von|innerhalb)\s+(?:les\s+|the\s+next\s+|de\s+)?(?P<n>\d{{1,3}}|{_NUM_RE})\s+(?P<unit>jours?\s+ouvr(?:ables|és|es)|(?:working|business)\s+days?|werkdagen|werktagen?|jours?|days?|dagen|dag|tagen?|semaines?|weeks?|weken|wochen?)\b",
        ),
    ),
    (
        # "next month", "le mois prochain", "volgende maand": no day named, so its last day, as
        # for "in January".
        "next_month",
        folded(r"\b(?:next\s+month|(?:le\s+)?mois\s+prochain|volgende\s+maand|nächsten\s+monat)\b"),
    ),
    (
        # "after the weekend", "na het weekend", "après le week-end": the Monday.
        "after_weekend",
        folded(r"\b(?:after\s+the\s+weekend|na\s+het\s+weekend|après\s+le\s+week-?end|nach\s+dem\s+wochenende)\b"),
    ),
    (
        # "within 48 hours", "sous 48 heures", "binnen 24 uur"; "a fortnight" is 14 days.
        "in_hours",
        folded(r"\b(?:dans|sous|d'ici|in|within|binnen|innerhalb)\s+(?:les\s+|the\s+next\s+|de\s+)?(?P<n>\d{1,3})\s*(?:heures|hours|uur|h|stunden)\b"),
    ),
    (
        # "début d'année", "early next year", "begin volgend jaar": 10 January, as "début janvier".
        "year_start",
        folded(r"\b(?:(?:en\s+|au\s+)?début\s+(?:d['’]|de\s+l['’])année(?:\s+prochaine)?|early\s+next\s+year|(?:the\s+)?(?:start|beginning)\s+of\s+(?:the\s+|next\s+)(?:new\s+)?year|"
               r"begin\s+(?:volgend\s+jaar|het\s+nieuwe\s+jaar|van\s+het\s+(?:nieuwe\s+)?jaar)|anfang\s+(?:des\s+|nächsten\s+)?jahres)\b"),
    ),
    (
        # New Year's Eve by any name.
        "new_years_eve",
        folded(r"\b(?:new\s+year['’]?s\s+eve|saint[- ]sylvestre|réveillon|oudejaars(?:dag|avond)|silvester)\b"),
    ),
    ("fortnight", folded(r"\b(?:within\s+|in\s+)?(?:a|one|the\s+next|the)\s+fortnight\b")),
    # Irish/British "this day week", "a week today": the same weekday next week.
    # "binnen de week" (Belgian Dutch): within seven days.
    ("within_week", folded(r"\bbinnen\s+de\s+week\b")),
    ("day_week", folded(r"\b(?:this\s+day\s+week|today\s+week|a\s+week\s+(?:today|from\s+today))\b")),
    (
        # "after New Year", "le premier jour ouvrable après le Nouvel An", "na Nieuwjaar": the
        # first working day of January.
        "new_year",
        folded(r"\b(?:(?:first\s+(?:working|business)\s+day\s+)?after\s+(?:the\s+)?new\s+year(?:['’]s)?|(?:(?:premier\s+jour\s+ouvrable\s+)?après|dès)\s+(?:le\s+)?nouvel\s+an|na\s+nieuwjaar|nach\s+neujahr|"
               r"first\s+(?:working|business)\s+day\s+of\s+(?:january|the\s+(?:new\s+)?year)|premier\s+jour\s+ouvrable\s+de\s+janvier|eerste\s+werkdag\s+van\s+(?:januari|het\s+(?:nieuwe\s+)?jaar))\b"),
    ),
    # Belgian Dutch says "binnen de acht dagen" for a week, like French "huit jours".
    ("idiom_days", folded(r"\b(?:(?P<n>huit|quinze)\s+jours|(?:sous|dans\s+la|d['’]ici)\s+(?P<q>huitaine|quinzaine)|(?P<a>acht)\s+dagen)\b")),
    (
        # "Paid mid-month", "à la mi-mois", "half van de maand": the 15th of this month, or of
        # the next once the 15th is past.
        "mid_month",
        folded(r"\b(?:mid[- ]month|(?:the\s+)?middle\s+of\s+(?:the|this)\s+month|(?:à\s+la\s+)?mi-mois|(?:rond\s+)?(?:half|midden)\s+(?:van\s+)?(?:de|deze)\s+maand|mitte\s+des\s+monats)\b"),
    ),
    (
        "weekday",
        folded(
            rf"\b(?:(?P<pre>next|this|coming|last|volgende|komende|aanstaande|vorige|afgelopen|nächsten|nächste|kommenden|letzten|ce|le)\s+)?(?P<wd>{_WEEKDAY_RE})\b(?:\s+(?P<post>prochain|dernier|qui\s+vient|passé|prochainement))?",
        ),
    ),
    (
        "bare_day",
        folded(
            r"(?:\b(?:le|du|au|avant\s+le|après\s+le|jusqu'au|the|on\s+the|by\s+the|before\s+the|after\s+the|until\s+the|op\s+de|voor\s+de|tegen\s+de|na\s+de|am|bis\s+zum|vor\s+dem|zum)\s+)(?P<d>\d{1,2})(?P<ord>st|nd|rd|th|er|e|ste|de|\.)?(?![\d/.,:-]*\d)(?!\s*(?:%|€|eur|euros?|h\b|uur|heures?|jours?|days?|dagen|mois|months?|jaar|ans?))",
        ),
    ),
    (
        # Dutch "de 20ste", "de 15de": a day of the month by its ordinal alone.
        "nl_ordinal_day",
        folded(r"\bden?\s+(?P<d>\d{1,2})(?:ste|de|e)\b"),
    ),
    (
        "relative_day",
        folded(
            r"\b(?:après[- ]demain|day\s+after\s+tomorrow|overmorgen|übermorgen|avant[- ]hier|day\s+before\s+yesterday|"
            r"eergisteren|vorgestern|aujourd'hui|today|vandaag|heute|demain|tomorrow|tmrw|tmr|2moro|morgen|hier|yesterday|gisteren|gestern|"
            r"ce\s+matin|this\s+morning|vanochtend|vanmorgen|heute\s+morgen|"
            # "morgenvroeg", "demain matin", "tomorrow morning": tomorrow, whatever its hour.
            r"morgenvroeg|morgenochtend|morgenmiddag|morgenavond|morgen\s+(?:vroeg|ochtend|voormiddag|namiddag)|"
            r"cet\s+après-midi|cet\s+aprem|this\s+afternoon|this\s+evening|vanmiddag|vannamiddag|deze\s+namiddag|heute\s+nachmittag|"
            # Later the same day: "ce soir", "tonight", "vanavond", Belgian "seffens"/"tantôt".
            r"ce\s+soir|tonight|later\s+today|vanavond|seffens|straks|tantôt|dans\s+la\s+journée|in\s+de\s+loop\s+van\s+de\s+dag|heute\s+abend)\b",
        ),
    ),
]

_RELATIVE_OFFSETS = {
    "après-demain": 2, "après demain": 2, "day after tomorrow": 2, "overmorgen": 2, "übermorgen": 2,
    "avant-hier": -2, "avant hier": -2, "day before yesterday": -2, "eergisteren": -2, "vorgestern": -2,
    "aujourd'hui": 0, "today": 0, "vandaag": 0, "heute": 0, "ce matin": 0, "this morning": 0,
    "vanochtend": 0, "vanmorgen": 0, "heute morgen": 0,
    "morgenvroeg": 1, "morgenochtend": 1, "morgenmiddag": 1, "morgenavond": 1, "morgen vroeg": 1, "morgen ochtend": 1,
    "morgen voormiddag": 1, "morgen namiddag": 1,
    "cet après-midi": 0, "cet aprem": 0, "this afternoon": 0, "this evening": 0, "vanmiddag": 0, "vannamiddag": 0,
    "deze namiddag": 0, "heute nachmittag": 0,
    "demain": 1, "tomorrow": 1, "tmrw": 1, "tmr": 1, "2moro": 1, "morgen": 1,
    "ce soir": 0, "tonight": 0, "later today": 0, "vanavond": 0, "seffens": 0, "straks": 0, "tantôt": 0,
    "dans la journée": 0, "in de loop van de dag": 0, "heute abend": 0,
    "hier": -1, "yesterday": -1, "gisteren": -1, "gestern": -1,
}


for _name in list(_RELATIVE_OFFSETS):
    _RELATIVE_OFFSETS.setdefault(fold(_name), _RELATIVE_OFFSETS[_name])


def _resolve(kind: str, m: re.Match[str], today: date, past: bool) -> tuple[date | None, bool]:
    g = m.groupdict()
    if kind == "iso":
        return _make(int(g["y"]), int(g["m"]), int(g["d"])), False
    if kind == "numeric":
        day, month = int(g["d"]), int(g["m"])
        if month > 12 and day <= 12:
            day, month = month, day  # 12/15: the only possible reading is month-first
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None, False
        year = _year(g.get("y"), today)
        if g.get("y") and year is None:
            return None, False
        if year is None:
            # "3.5" or "1-2" alone are too often quantities; demand a plausible day-month.
            if len(g["m"]) == 1 and len(g["d"]) == 1 and re.search(r"[.-]", m.group(0)):
                return None, False
            return _pick_year(day, month, today, past), False
        return _make(year, month, day), False
    if kind in ("day_month", "month_day"):
        raw = g["d"].lower()
        day = 1 if raw in ("1er", "premier") else int(raw)
        month = MONTHS[g["mon"].lower()]
        year = _year(g.get("y"), today)
        if year is not None:
            return _make(year, month, day), False
        return _pick_year(day, month, today, past), False
    if kind == "weekday_day":
        if g.get("mon"):
            return _pick_year(int(g["d"]), MONTHS[g["mon"].lower()], today, past), False
        return _pick_day(int(g["d"]), today, past), False
    if kind == "weekday_next_week":
        wd = WEEKDAYS[(g.get("wd1") or g.get("wd2")).lower()]
        monday = today - timedelta(days=today.weekday()) + timedelta(weeks=1)
        return monday + timedelta(days=wd), False
    if kind == "week_of":
        day = int(g["d"])
        start = _pick_year(day, MONTHS[g["mon"].lower()], today, past) if g.get("mon") else _pick_day(day, today, past)
        return (_friday_of_week(start, 0) if start else None), True
    if kind == "weekday_week":
        wd = WEEKDAYS[g["wd"].lower()]
        return today + timedelta(days=((wd - today.weekday()) % 7) + 7), False
    if kind == "weekday_en_huit":
        wd = WEEKDAYS[g["wd"].lower()]
        first = today + timedelta(days=(wd - today.weekday()) % 7 or 7)
        return first + timedelta(days=7 if g["n"].lower() == "huit" else 14), False
    if kind == "christmas":
        return date(today.year, 12, 24) if today <= date(today.year, 12, 24) else date(today.year + 1, 12, 24), False
    if kind == "relative_week":
        return _friday_of_week(today, 1), True
    if kind == "this_week":
        friday = _friday_of_week(today, 0)
        return (friday if friday >= today else today), True
    if kind == "year_end":
        return date(today.year, 12, 31), True
    if kind == "month_end":
        return last_day(today.year, today.month), True
    if kind == "month_end_next":
        return last_day(*_add_months(today, 1)), True
    if kind == "month_start_next":
        year, month = _add_months(today, 1)
        return date(year, month, 10), True
    if kind == "named_month_part":
        month = MONTHS[g["mon"].lower()]
        year = _year(g.get("y"), today) or _month_year(month, today, past)
        part = g["part"].lower()
        if part in ("mi", "mid", "half", "halverwege", "mitte", "midden", "medio") or part.startswith("middle"):
            return date(year, month, 15), True
        if part in ("début", "debut", "early", "begin", "anfang"):
            return date(year, month, 10), True
        return last_day(year, month), True
    if kind == "in_month":
        month = MONTHS[g["mon"].lower()]
        if len(g["mon"]) <= 3 and g["mon"].lower() not in ("mai", "may", "mei"):
            return None, False  # "in dec" is rare; "in mar", "im jan…" are more often other words
        year = _month_year(month, today, past)
        return last_day(year, month), True
    if kind == "in_days":
        raw = g["n"].lower()
        n = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw, 0)
        unit = g["unit"].lower()
        if re.search(r"ouvr|working|business|werk", unit):
            return _add_working_days(today, n), True
        if unit.startswith(("semaine", "week", "weken", "woche")):
            n *= 7
        elif (raw in ("8", "huit") and unit.startswith("jour")) or (raw == "acht" and unit.startswith("dag")):
            n = 7  # "huit jours", Belgian "binnen de acht dagen": a week
        elif raw == "quinze" and unit.startswith("jour"):
            n = 14
        if n <= 0 or n > 400:
            return None, False
        return today + timedelta(days=n), True
    if kind == "next_month":
        return last_day(*_add_months(today, 1)), True
    if kind == "after_weekend":
        return today + timedelta(days=(0 - today.weekday()) % 7 or 7), False
    if kind == "in_hours":
        hours = int(g["n"])
        if not 1 <= hours <= 240:
            return None, False
        return today + timedelta(days=-(-hours // 24)), True
    if kind == "year_start":
        start = date(today.year, 1, 10)
        return (start if today <= start else date(today.year + 1, 1, 10)), True
    if kind == "first_next_month":
        year, month = _add_months(today, 1)
        return date(year, month, 1), False
    if kind == "new_years_eve":
        return date(today.year, 12, 31), False
    if kind == "within_week":
        return today + timedelta(days=7), True
    if kind == "day_week":
        return today + timedelta(days=7), False
    if kind == "new_year":
        year = today.year + 1 if today.month >= 7 else today.year
        day = date(year, 1, 2)
        while day.weekday() >= 5:
            day += timedelta(days=1)
        return day, True
    if kind == "fortnight":
        return today + timedelta(days=14), True
    if kind == "nl_ordinal_day":
        return _pick_day(int(g["d"]), today, past), False
    if kind == "idiom_days":
        word = (g.get("n") or g.get("q") or g.get("a") or "").lower()
        return today + timedelta(days=7 if word.startswith(("huit", "acht")) else 14), True
    if kind == "mid_month":
        if today.day <= 15:
            return date(today.year, today.month, 15), True
        year, month = _add_months(today, 1)
        return date(year, month, 15), True
    if kind == "weekday":
        wd = WEEKDAYS[g["wd"].lower()]
        pre = (g.get("pre") or "").lower()
        post = (g.get("post") or "").lower()
        strictly_next = pre in ("next", "volgende", "komende", "aanstaande", "nächsten", "nächste", "kommenden", "coming") or post in ("prochain", "qui vient")
        strictly_last = pre in ("last", "vorige", "afgelopen", "letzten") or post in ("dernier", "passé")
        delta = (wd - today.weekday()) % 7
        if strictly_last or (past and not strictly_next):
            back = (today.weekday() - wd) % 7
            if strictly_last and back == 0:
                back = 7
            return today - timedelta(days=back), False
        if strictly_next and delta == 0:
            delta = 7
        return today + timedelta(days=delta), False
    if kind == "bare_day":
        return _pick_day(int(g["d"]), today, past), False
    if kind == "relative_day":
        key = " ".join(m.group(0).lower().split())
        key = key.replace("apres demain", "apres-demain").replace("avant hier", "avant-hier")
        offset = _RELATIVE_OFFSETS.get(key)
        if offset is None:
            return None, False
        return today + timedelta(days=offset), False
    return None, False


def _add_working_days(start: date, n: int) -> date | None:
    """"binnen 5 werkdagen": Monday to Friday only (public holidays are not known here)."""
    if n <= 0 or n > 100:
        return None
    day = start
    while n:
        day += timedelta(days=1)
        n -= day.weekday() < 5
    return day


def _month_year(month: int, today: date, past: bool) -> int:
    if past:
        return today.year if month <= today.month else today.year - 1
    if month >= today.month:
        return today.year
    # "left in October", written in December, is the October gone by: next year's is too far.
    return today.year + 1 if (month + 12 - today.month) <= HORIZON_DAYS // 30 else today.year


def find_dates(
    text: str, today: date, *, past: bool = False, language: str | None = None
) -> list[FoundDate]:
    """Every date expression in `text`, resolved; overlapping matches keep the first pattern.

    >>> [f.value for f in find_dates("on paiera vendredi prochain", date(2024, 12, 4))]
    [datetime.date(2024, 12, 6)]
    """
    text = fold(text)  # same offsets; "debut janvier", "apres-demain" read like the accented words
    taken: list[tuple[int, int]] = []
    found: list[FoundDate] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            start, end = m.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if kind == "relative_day" and m.group(0).lower() == "hier" and language in ("nl", "de", "en"):
                continue  # "hier" is "here" in Dutch and German, "yesterday" only in French
            value, vague = _resolve(kind, m, today, past)
            if kind == "numeric" and language == "en":
                value = _month_first_if_nearer(m, value, today, past)
            if value is None:
                continue
            taken.append((start, end))
            found.append(FoundDate(value, start, end, m.group(0), vague))
    found.sort(key=lambda f: f.start)
    return _the_day_after(text, _named_day_with_its_date(text, found))


# "Le conseil se réunit mardi et le virement partira le lendemain", "our board meets on the 5th,
# I'll pay the day after": the day after the date named just before.
_DAY_AFTER = re.compile(
    r"\b(?:le\s+lendemain|the\s+(?:next|following)\s+day|the\s+day\s+after(?!\s+tomorrow)|de\s+(?:dag|morgen)\s+(?:erna|daarna|nadien)|"
    r"de\s+volgende\s+dag|daags\s+(?:erna|nadien|daarop)|am\s+(?:nächsten|folgenden)\s+tag)\b", re.IGNORECASE)


def _the_day_after(text: str, found: list[FoundDate]) -> list[FoundDate]:
    for m in _DAY_AFTER.finditer(text):
        before = [f for f in found if f.end <= m.start() and not f.vague]
        if before and not any(f.start <= m.start() < f.end for f in found):
            found.append(FoundDate(before[-1].value + timedelta(days=1), m.start(), m.end(), m.group(0)))
    found.sort(key=lambda f: f.start)
    return found


def _month_first_if_nearer(m: re.Match[str], value: date | None, today: date, past: bool) -> date | None:
    """English writers may be American: "wired on 12/02" written on 4 December is the 2nd of
    December, not the 12th of February. When both readings are dates on the right side of
    today, the nearer one wins; day-first stays the reading when only it makes sense."""
    day, month = int(m.group("d")), int(m.group("m"))
    if not (1 <= day <= 12 and 1 <= month <= 12) or day == month:
        return value
    year = _year(m.group("y"), today)
    swapped = _make(year, day, month) if year else _pick_year(month, day, today, past)
    if swapped is None or value is None:
        return value or swapped
    right_side = (lambda d: d <= today) if past else (lambda d: d >= today)
    if right_side(swapped) and (not right_side(value) or abs((swapped - today).days) < abs((value - today).days)):
        return swapped
    return value


_JOIN = re.compile(r"^[\s,]*(?:(?:le|the|de|den|op|on)\s+)?$", re.IGNORECASE)


def _named_day_with_its_date(text: str, found: list[FoundDate]) -> list[FoundDate]:
    """"lundi 16 décembre", "Monday, 16/12", "maandag de 16de": the weekday names the same day as
    the date that follows it, and the written date is the precise one; read alone, the weekday
    would be the coming Monday."""
    kept: list[FoundDate] = []
    for index, current in enumerate(found):
        following = found[index + 1] if index + 1 < len(found) else None
        is_weekday = fold(current.text).lower().strip().split()[-1] in WEEKDAYS
        # "betaal dinsdag, maandag zijn we toe": two weekdays are two days.
        follows_weekday = following is not None and fold(following.text).lower().strip().split()[-1] in WEEKDAYS
        if is_weekday and following is not None and not following.vague and not follows_weekday and _JOIN.match(text[current.end : following.start]):
            continue
        kept.append(current)
    return kept
