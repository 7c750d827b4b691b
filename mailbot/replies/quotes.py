"""Strip quoted history and signatures from the plain text of a reply.

The idea (after github/email_reply_parser and mailgun/talon): walk the lines once, recognise
the places where the *history* starts — an attribution line ("On … wrote:", "Le … a écrit :",
"Op … schreef …:", "Am … schrieb …:"), an Outlook header block ("From:/De:/Van:/Von:" followed
by "Sent:/Envoyé :/Verzonden:/Gesendet:/Date:"), an "Original Message" rule, a long underscore
rule — and the places where the *signature* starts ("--", "Sent from my iPhone", a closing
such as "Cordialement," followed only by short name/phone lines).

`>`-quoted lines are always dropped, but lines after a `>` block are kept: that is how
bottom-posted and inline answers survive. After an unquoted history block (Outlook style) the
rest is history, since nothing marks where it ends.
"""

from __future__ import annotations

import re

# Words that end an attribution line, in the languages mailbot's clients write.
_WROTE = (
    r"wrote|writes|a écrit|a ecrit|schreef|schrieb|escribió|escribio|ha scritto|scrisse|"
    r"skrev|kirjoitti|написал|написала|napisał|napisał\(a\)|escreveu|yazdı|írta"
)
_ATTRIBUTION_END = re.compile(rf"(?:{_WROTE})\s*:?\s*$", re.IGNORECASE)
_ATTRIBUTION_START = re.compile(
    r"^\s*(?:On|Le|Op|Am|El|Il|Em|Den|På|Dne|Dnia|W dniu|Pe)\b", re.IGNORECASE
)
# "26.06.2014, 14:41, "Alexander L" <abc@example.com>:" (Yandex, mail.ru): a line that ends
# with an address and a colon, and carries a date or time.
_ADDRESS_COLON = re.compile(r"<?[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?\s*:\s*$")
_HAS_DATE = re.compile(r"\d{1,4}[./:-]\d{1,2}|\b(?:19|20)\d\d\b")

_RULE = re.compile(
    r"^\s*[-_=*]{2,}\s*(?:Original Message|Message d'origine|Message original|"
    r"Oorspronkelijk bericht|Origineel bericht|Ursprüngliche Nachricht|Originalnachricht|"
    r"Forwarded message|Message transféré|Doorgestuurd bericht|Weitergeleitete Nachricht|"
    r"Mensaje original|Messaggio originale|Reply message|Original)\s*[-_=*]{2,}\s*$",
    re.IGNORECASE,
)
_UNDERSCORES = re.compile(r"^\s*_{8,}\s*$")
# Any short phrase framed by long dash runs ("-------- Oprindelig besked --------").
_FRAMED = re.compile(r"^\s*-{4,}\s*[^\W\d][\w' ]{2,40}\s*-{4,}\s*$")
# "Message du : 12/12/2016 13:20" (French webmails) opens a header block on its own.
_MESSAGE_OF = re.compile(r"^\s*(?:Message du|Nachricht vom|Bericht van)\s*:", re.IGNORECASE)
_FROM_KEY = re.compile(
    r"^\s*\*?\s*(?:From|De|Van|Von|Da|Fra|Från|Od|От|Expéditeur|Afzender|Absender)\s*\*?\s*:",
    re.IGNORECASE,
)
_HEADER_KEY = re.compile(
    r"^\s*\*?\s*(?:Sent|Envoyé|Envoye|Verzonden|Gesendet|Date|Datum|Enviado|Inviato|Sendt|"
    r"Lähetetty|Отправлено|To|À|A|Aan|An|Para|Til|Cc|Subject|Objet|Onderwerp|Betreff|Asunto|"
    r"Oggetto|Emne|Kopie|Kopie aan|Copie à|Тема|Кому)\s*\*?\s*:",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"^\s*>")

_SIG_DASHES = re.compile(r"^\s*(?:--|—+|-- )\s*$")
_SENT_FROM = re.compile(
    r"^\s*-*\s*(?:Sent from (?:my )?[\w .-]{2,40}|Sent with [\w .-]{2,30}|Sent via [\w .-]{2,30}|"
    r"Get Outlook for \w+|Envoyé (?:de|depuis|à partir de) (?:mon |ma |l'|la )?[\w .'-]{2,40}|"
    r"Verzonden (?:vanaf|met|van) (?:mijn )?[\w .-]{2,40}|Verstuurd (?:vanaf|met|van) (?:mijn )?[\w .-]{2,40}|"
    r"Von meinem [\w .-]{2,30} gesendet|Gesendet von [\w .-]{2,40}|Gesendet mit [\w .-]{2,30}|"
    r"Enviado desde [\w .-]{2,30}|Inviato da [\w .-]{2,30})"
    r"\s*(?:<[^>]*>)?\s*$",
    re.IGNORECASE,
)
# Closings that start a signature when only short lines follow them.
_CLOSING = re.compile(
    r"^\s*(?:(?:bien |très )?cordialement|bien à (?:vous|toi)|salutations(?: distinguées)?|"
    r"sinc[eè]res salutations|meilleures salutations|bonne (?:journée|soirée)|merci(?: beaucoup| d'avance| encore)?|"
    r"(?:best|kind|warm|many thanks and)? ?regards|best(?: wishes)?|cheers|thanks(?: again| in advance)?|thank you|"
    r"many thanks|sincerely|yours(?: sincerely| faithfully| truly)?|"
    r"met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|(?:hartelijke )?groet(?:en|jes)?|mvg|"
    r"alvast bedankt|bedankt|dank(?:je| u)(?: wel)?|"
    r"mit freundlichen grüßen|mit freundlichen grüssen|(?:viele |beste |liebe )?grüße|mfg|danke(?: schön)?)"
    r"\s*[,.!]*\s*$",
    re.IGNORECASE,
)
_DISCLAIMER = re.compile(
    r"^\s*(?:This (?:e-?mail|message)(?: and any)? .{0,40}(?:confidential|intended)|"
    r"Ce (?:message|courriel|mail|e-mail) .{0,60}(?:confidenti|destin)|"
    r"Dit (?:e-?mail)?bericht .{0,60}(?:vertrouwelijk|bestemd)|"
    r"Diese (?:E-?Mail|Nachricht) .{0,60}(?:vertraulich|bestimmt)|"
    r"DISCLAIMER|AVERTISSEMENT|CONFIDENTIAL)",
    re.IGNORECASE,
)


def _attribution_span(lines: list[str], i: int) -> int:
    """Number of lines (1-3) forming an attribution starting at line i, or 0.

    Clients wrap long attributions ("Le lun. 15 nov. 2021 à 19:42, John <john@x>\\na écrit :"),
    so up to three lines are joined before testing.
    """
    first = lines[i].lstrip("> ").strip().strip("-").strip()
    if not first:
        return 0
    if not (_ATTRIBUTION_START.match(first) or _HAS_DATE.search(first) or "@" in first):
        return 0
    for span in (1, 2, 3):
        if i + span > len(lines):
            break
        if span > 1 and (not lines[i + span - 1].strip() or lines[i + span - 2].rstrip()[-1:] in ".!?"):
            break  # an attribution never spans a blank line or a finished sentence
        # Zoho frames it: "---- On Wed, 24 Feb 2021 … wrote ----".
        joined = " ".join(line.lstrip("> ").strip().strip("-").strip() for line in lines[i : i + span])
        if len(joined) > 400:
            break
        if _ATTRIBUTION_END.search(joined) and (
            _ATTRIBUTION_START.match(joined) or _HAS_DATE.search(joined) or "@" in joined
        ):
            # "On the other hand, they wrote:" is prose; real attributions carry a date or address.
            if _HAS_DATE.search(joined) or "@" in joined or re.search(r"\b(?:you|vous|u|je|Sie)\b", joined):
                return span
        if _ADDRESS_COLON.search(joined) and _HAS_DATE.search(joined):
            return span
    return 0


def _history_rule(line: str) -> bool:
    """A line that opens the old mail on its own: "-----Original Message-----", a long underscore
    rule, a framed phrase, "Message du :"."""
    return bool(_RULE.match(line) or _UNDERSCORES.match(line) or _FRAMED.match(line) or _MESSAGE_OF.match(line))


def _header_block_at(lines: list[str], i: int) -> bool:
    """An Outlook-style header block: From:/De:/Van:/Von: then another header key soon after."""
    if not _FROM_KEY.match(lines[i]):
        return False
    # Hotmail puts Date:/Subject: before From:; Outlook puts From: first. Either way at least
    # one more known header key must sit within the next four lines (or the previous two).
    window = lines[max(0, i - 2) : i] + lines[i + 1 : i + 5]
    return any(_HEADER_KEY.match(line) for line in window)


def _header_block_start(lines: list[str], i: int) -> int:
    """Move back over header-key lines that precede From: (Hotmail's Date:/Subject: first)."""
    start = i
    while start > 0 and _HEADER_KEY.match(lines[start - 1]):
        start -= 1
    return start


def strip_quotes(text: str) -> str:
    """Only what the sender wrote in this message, without history or signature.

    >>> strip_quotes("Payé hier.\\n\\nLe 3 déc. 2024 à 10:00, Compta <c@x.fr> a écrit :\\n> Relance")
    'Payé hier.'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\u200b", "")
    lines = text.split("\n")
    kept: list[str] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i]
        span = _attribution_span(lines, i)
        if span:
            j = i + span
            # Skip blank lines then the quoted block that the attribution introduces.
            k = j
            while k < n and not lines[k].strip():
                k += 1
            if k < n and _QUOTED.match(lines[k]):
                i = k
                continue  # the '>' lines are dropped below; what follows them is kept
            break  # unquoted history: the rest of the message is the old mail
        if _history_rule(line):
            break
        if _header_block_at(lines, i):
            start = _header_block_start(lines, i)
            if i > start:
                del kept[len(kept) - (i - start) :]
            break
        if _QUOTED.match(line):
            i += 1
            # Clients wrap long quoted lines without repeating '>': a line glued to a long quoted
            # line (no blank line between) still belongs to it. After a short quoted line it is
            # an inline answer (Thunderbird: "> Hi\nHello").
            previous = line
            while (
                i < n
                and lines[i].strip()
                and not _QUOTED.match(lines[i])
                and len(previous.lstrip("> ").rstrip()) >= 40
                and not _attribution_span(lines, i)
            ):
                previous = lines[i]
                i += 1
            continue
        kept.append(line)
        i += 1
    return _strip_signature(kept)


def _strip_signature(lines: list[str]) -> str:
    cut = len(lines)
    for idx, line in enumerate(lines):
        if _SIG_DASHES.match(line) or _SENT_FROM.match(line) or _DISCLAIMER.match(line):
            cut = idx
            break
    lines = lines[:cut]
    # A closing ends the message when everything after it looks like a name card.
    for idx, line in enumerate(lines):
        if _CLOSING.match(line) and _only_name_card(lines[idx + 1 :]):
            if idx > 0 and any(prev.strip() for prev in lines[:idx]):
                lines = lines[:idx]
            break
    return _tidy(lines)


def _only_name_card(rest: list[str]) -> bool:
    content = [line.strip() for line in rest if line.strip()]
    if len(content) > 8:
        return False
    for line in content:
        if len(line) > 70:
            return False
        words = line.split()
        # A sentence (several words ending in punctuation) means the message goes on.
        if len(words) >= 6 and line[-1] in ".?!":
            return False
        if re.search(r"\b(?:pay|payer|paie|betal|zahl|facture|invoice|factuur|rechnung)\w*", line, re.I):
            return False
    return True


def _tidy(lines: list[str]) -> str:
    # Leftover separators ("====", "-----") that introduced the history we cut.
    while lines and re.fullmatch(r"\s*[-=_*~]*\s*", lines[-1]):
        lines = lines[:-1]
    text = "\n".join(line.rstrip() for line in lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()


# "See below from our finance team", "voir ci-dessous la réponse de notre comptabilité", "zie
# hieronder het antwoord van onze boekhouding": the client's answer is the internal mail it
# forwards, not the pointer above it.
_POINTER = re.compile(
    r"\b(?:see\s+(?:the\s+)?(?:answer\s+|reply\s+|response\s+|message\s+|e-?mail\s+|note\s+)?below|see\s+underneath|below\s+(?:is\s+)?(?:the\s+)?(?:answer|reply|response)|"
    r"voir\s+(?:la\s+réponse\s+|le\s+message\s+|le\s+mail\s+|l['’]e-?mail\s+)?ci-dessous|cf\.?\s+ci-dessous|ci-dessous\s+la\s+réponse|"
    r"zie\s+(?:het\s+antwoord\s+|de\s+mail\s+|het\s+bericht\s+)?(?:hieronder|onder)|hieronder\s+(?:vindt\s+u\s+)?(?:het\s+)?antwoord|siehe\s+(?:die\s+antwort\s+)?unten)\b",
    re.IGNORECASE,
)


def forwarded_answer(text: str, ours: str | None, own: str | None = None) -> str:
    """The first mail quoted under a pointer ("see below from our finance team"), when it is not
    ours: its body, without its header, its own history and signature. `ours` is the domain the
    reply was sent to (mailbot's), found in the header of our own reminder; "" when the new
    text is no pointer or the block below is our own message.

    >>> forwarded_answer("See below.\\n\\n-----Original Message-----\\nFrom: AP\\nSent: Monday\\n\\nPaid on 28/11.", "acme.example")
    'Paid on 28/11.'
    """
    own = strip_quotes(text) if own is None else own  # the caller usually has it already
    if not own or len(own) > 400 or not _POINTER.search(own):
        return ""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    start = next((i for i, line in enumerate(lines) if _history_rule(line) or _header_block_at(lines, i)), None)
    if start is None:
        return ""
    end = start + 1 if not _header_block_at(lines, start) else start
    while end < len(lines) and (not lines[end].strip() or _FROM_KEY.match(lines[end]) or _HEADER_KEY.match(lines[end])):
        end += 1
    header = "\n".join(lines[start:end]).lower()
    if ours and ours.lower() in header:
        return ""
    return strip_quotes("\n".join(lines[end:]))

