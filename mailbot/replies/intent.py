"""What a client means by a reply to a payment reminder: promise, paid, dispute, copy, plan, question.

Two readers. The rules (`read_by_rules`): each intent has cue patterns in French, English, Dutch and German (the
lexicon is `mailbot.replies.cues`), matched sentence by sentence on the new text only, folded so
that text typed without accents reads the same. A cue does not count when it is negated ("je ne
conteste pas", "aucune réclamation", "nog niet betaald") or hypothetical ("si le montant est
erroné"). Cues that carry their own negation ("pas été livré", "never received the goods") are
marked so. A refusal to pay is a dispute unless a date bounds it ("je ne réglerai rien avant le
15" is a promise for the 15th). A sentence that opens as a question promises nothing ("Kan ik
ook met Bancontact betalen?"), and a promise wrapped in strong doubt ("misschien", "je ne peux
rien garantir") is `other`: the owner reads it.

When several intents are present, the one that needs the owner's action most wins:
dispute > paid_claim > plan_request > copy_request > promise > question > other. So "we paid
half, the rest next week" is a paid claim (the owner must check the payment) and "please resend
the invoice, we will pay on Friday" is a copy request (mailbot must send it first).

A refusal with a date is a promise for that date: "nous ne pourrons pas payer avant le 30" means
"on the 30th". When nothing clear is found the intent is `other` with low confidence, so that
mailbot hands the message to the owner rather than guess.

Then a statistical model (`mailbot.replies.model`, trained on every labelled reply) gives its
opinion, and `combine` lets it overrule the rules only where they are weak: it finds the
phrasings no cue was written for (on authors it never saw, dispute recall went from 64% to 95%),
while negation, hedges, tense, dates, amounts and reasons stay the rules' job.

Dates follow `mailbot.replies.dates` (next week = Friday of next week, fin du mois = last day…):
a promise takes the first date on or after today in the deciding sentence (then in the whole
text); a paid claim takes the first date on or before today.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence
from datetime import date

from mailbot.replies.amounts import find_amounts
from mailbot.replies.cues import CUES
from mailbot.replies.focus import focus_on
from mailbot.replies.fold import fold, folded
from mailbot.replies.dates import FoundDate, find_dates
from mailbot.replies.model import load_model, load_reason_model
from mailbot.replies.reading import ReplyReading

PRIORITY = ("dispute", "paid_claim", "plan_request", "copy_request", "promise", "question")


# Negation words searched just before a cue (and just after it, for Dutch/German word order).
_NEG_BEFORE = folded(
    r"(?:\bne\b|\bn['’]|\bpas\b|\bnot\b|n['’]t\b|\bnever\b|\bno\b|\bniet\b|\bgeen\b|\bnooit\b|\bnicht\b|\bkein\w*|\baucun\w*|\bnothing\b|\bniets\b|"
    r"\bsans\b|\bwithout\b|\bzonder\b|\bohne\b|\bnullement\b|\bni\b)")
_NEG_AFTER = folded(r"^\W*(?:[\w'’-]+\W+){0,3}?(?:pas|niet|nicht|nullement|point)\b")
_HYPOTHETICAL = folded(r"\b(?:si|s['’]il|if|als|indien|falls|wenn|au cas où|in case|mocht|sollte)\b")
_FUTURE = folded(
    r"\b(?:sera|seront|serait|va\s+être|vont|allons|vais|will|shall|going\s+to|zal|zullen|gaan|gaat|ga|wordt|worden|"
    r"werden|wird|werde|prévu|prévoyons|plan|planned|scheduled|ingepland)\b|'ll\b")


# Words about money changing hands; with a future date in the same sentence they make a promise
# even without a future verb ("Payment next week.", "Le chèque part lundi", "Morgen gaat de
# betaling de deur uit").
_PAY_WORD = folded(
    r"\b(?:pay\w*|paid|settle\w*|transfer\w*|wire|remit\w*|funds|money|cheque|check|"
    r"pai(?:e|ement|ements)|pay(?:e|er|é)\w*|réglé?\w*|règlement|régler|réglons|virement|vir(?:er|é|ons)|chèque|fonds|"
    r"betal\w*|betaal\w*|betaald|overmak\w*|overgemaakt|overschrijving|storting|geld|"
    r"zahl\w*|bezahl\w*|überweis\w*|argent|(?:le\s+)?nécessaire|de\s+deur\s+uit|m['’]en\s+occupe|s['’]en\s+occupe|take\s+care\s+of\s+it|regel\s+het|"
    # What happens to the payment in answer to a reminder, "it" being the money: "it'll go out
    # Monday", "you'll have it by Friday", "ça part jeudi", "vrijdag staat het op uw rekening".
    r"go(?:es|ing)?\s+out|leaves?|fix\s+(?:you|ye|yous)\s+up|square\s+up|sort|r[ée]gularis\w+|send\s+it(?:\s+over)?|(?:you['’]ll|you\s+will)\s+have\s+(?:it|the\s+money|your\s+money|payment)|(?:i|we)['’]ll\s+have\s+(?:it|the\s+money|this)\s+(?:to|with)\s+you|clear(?:ed)?|sorted|honou?r\w*|"
    r"(?:in|into|hit|reach)\s+your\s+(?:account|bank)|vers\w+|sold\w+|honor\w*|part(?:ira)?|partir|sur\s+votre\s+compte|aurez\s+(?:votre\s+|l['’])?(?:argent|paiement|virement)|"
    r"maak\s+(?:het|dat|dit|ze|hem)\s+(?:[^\s]+\s+){0,4}?over|vereffen\w*|in\s+orde|op\s+uw\s+rekening|staat\s+(?:het|ze|hij|alles)\s+erop|vertrek\w*|gaat\s+(?:\w+\s+){0,3}?uit)\b")
# "Ce sera fait la semaine prochaine", "dat gebeurt volgende week": a promise when the message
# is about paying at all.
_WILL_BE_DONE = folded(
    r"\b(?:ce\s+sera\s+(?:fait|réglé|chose\s+faite)|ça\s+sera\s+fait|(?:that|it)\s+will\s+be\s+(?:done|sorted)|"
    r"dat\s+(?:gebeurt|komt|doen\s+we|regelen\s+we)|komt\s+in\s+orde|das\s+(?:wird|passiert))\b")
_PAST_DONE = folded(
    # "have" after "will" is the future: "you'll have the money by Friday", "we'll have it paid".
    r"\b(?:avons|ai|a\s+été|est\s+parti|effectué|hebben|heb|is\s+(?:al|gisteren)|(?<!ll\s)(?<!will\s)(?:have|has|had)|was|were|did|went|already|déjà|al\s+betaald|afgeschreven)\b")
# Inside a promise cue "pas" is Dutch "not until" ("pas op 15 januari betaald"): only clear
# negations count there.
_NEG_INSIDE_PROMISE = folded(r"\b(?:not|n['’]t|niet|nicht|never|jamais|nooit|ne|n['’]|geen|niks|niets|rien|nothing|nichts|kein\w*)\b|n['’]")
_NEG_INSIDE = folded(r"\b(?:not|n['’]t|pas|niet|nicht|never|jamais|nooit|nog\s+niet|noch\s+nicht|pas\s+encore|not\s+yet)\b")



# A greeting on the same line as the message ("Bonjour, si…", "Hoi, komt…") is not its start.
_GREETING = r"(?:(?:bonjour|bonsoir|salut|hello|hi|hey|dear\s+\w+|hallo|hoi|beste|dag|goedemorgen|goedemiddag|guten\s+tag)\b[\w\s.'’-]{0,20}?[,!:]\s*)?"
# A sentence that opens on a condition ("si notre client nous paie cette semaine, on vous règle
# lundi", "If the funding comes through, we'll pay"): what follows is not a commitment.
_CONDITION_START = folded(
    r"^\W*" + _GREETING + r"(?:si|s['’]il|s['’]ils|if|als|indien|mocht|mochten|falls|wenn|au\s+cas\s+où|in\s+case|provided|pour\s+autant\s+que|à\s+condition)\b")
# "Als het goed is", "if all goes well", "si tout va bien": a mild hedge, like "normalement",
# not a condition that suspends the commitment.
_MILD_IF = folded(
    r"\b(?:als\s+(?:het|alles)\s+goed\s+(?:is|gaat|loopt)|if\s+(?:all|everything)\s+goes\s+(?:well|to\s+plan)|if\s+nothing\s+(?:changes|goes\s+wrong)|"
    r"si\s+tout\s+(?:va\s+bien|se\s+passe\s+bien|est\s+ok)|sauf\s+imprévu|wenn\s+alles\s+(?:gut\s+geht|klappt))\b\W*")


def _conditional(sentence: str) -> bool:
    return bool(_CONDITION_START.match(_MILD_IF.sub("", sentence)))


# What must happen before a payment is not a promise of it: "we need your IBAN before we can
# pay", "we moeten u eerst aanmaken voor we kunnen betalen", "pour pouvoir vous payer".
_PRECONDITION = folded(
    r"\b(?:(?:before|until|voordat|vooraleer|avant\s+de|avant\s+que|pour\s+(?:pouvoir|que)|in\s+order\s+to|so\s+(?:that\s+)?(?:we|i)|om\s+te|bevor|um)\s+(?:[\w'’]+\s+){0,2}|"
    # Dutch "voor" is "before" only as a conjunction, with its subject: "voor we kunnen betalen".
    r"voor\s+(?:we|wij|ik|jullie|u)\s+(?:[\w'’]+\s+)?)$")


# "Send me a duplicate of the invoice": a duplicate asked for is a copy, not a double billing.
_ASKS_DUPLICATE = folded(
    r"\b(?:send|resend|e-?mail|forward|need|want|get|have|receive|envoy\w*|renvoy\w*|transmet\w*|faire\s+parvenir|besoin\s+d['’]|obtenir|recevoir|"
    r"sturen|stuur\w*|bezorg\w*|mail\w*|nodig|krijgen|ontvangen|schick\w*|senden|brauchen)\s+(?:[^\s!?;]+\s+){0,3}?(?:duplicate|duplicata|duplicaat|duplikat)\b")
# A payment run already gone by says nothing of when this invoice will be paid.
_RUN_GONE = folded(
    r"\b(?:al|already|déjà|reeds|schon)\s+(?:\w+\s+)?(?:verwerkt|afgesloten|gesloten|closed|processed|gone|passée?|clôturée?|partie?|vorbei|gelaufen)\b|"
    r"\b(?:run|campagne|lot|betaalrun)\b[^.!?]{0,30}\b(?:has|is)\s+(?:already\s+)?(?:closed|gone)\b")
# A platform named in a request or a rule: "merci de déposer", "we only accept", "ne peut traiter que".
_PORTAL_ASK = folded(
    r"\b(?:merci\s+de|veuillez|pourriez|pouvez|please|pls|could\s+you|can\s+you|kindly|gelieve|graag|kunt\s+u|kan\s+u|wilt\s+u|bitte|"
    r"only|uniquement|seulement|exclusivement|enkel|alleen|uitsluitend|nur|ne\s+(?:\w+\s+){0,3}?que|must|doit|doivent|dient|moet|moeten|muss|"
    r"déposer|déposez|upload\w*|submit\w*|indienen|opladen|uploaden|einreichen|no\s+longer|plus\s+(?:que|accept)|niet\s+meer)\b")
# Sent again to somebody else in the client's company, not asked of us.
_RESUBMITTED = folded(r"\b(?:voorgelegd|ingediend|doorgegeven|doorgestuurd|submitted|resubmitted|soumise?|transmise?|forwarded|passed\s+on)\b")
# "I thought it was paid", "ik dacht dat alles al betaald was": what the writer believed.
_BELIEF = folded(r"\b(?:thought|dacht|dachten|pensais|pensions|croyais|croyions|dachte|glaubte|i\s+believed)\b")
# A colleague addressed by name or handle, asked to deal with it, often informally ("tu", "jij").
_NAME_NOT_GREETING = r"(?!(?:hi|hello|hey|dear|bonjour|salut|hallo|hoi|beste|dag|goedemorgen|good)\b)[a-zà-ÿ]+"
_TO_COLLEAGUE = folded(
    rf"^\W*(?:@[\w.-]+\W+|{_NAME_NOT_GREETING}\s*[-–:]\s+|{_NAME_NOT_GREETING},\s+)"
    r"[^?]{0,60}?\b(?:tu\s+peux|peux-tu|pourrais-tu|tu\s+pourrais|can\s+you|could\s+you|kan\s+jij|kun\s+jij|kan\s+je|kun\s+je|wil\s+jij|wil\s+je|kannst\s+du)\s+(?:\w+\s+){0,2}?"
    r"(?:handle|deal\s+with|look|check|take|follow|regarder|voir|vérifier|t['’]en\s+occuper|gérer|traiter|répondre|opvolgen|bekijken|nakijken|regelen|checken|beantwoorden|erledigen|prüfen|ansehen)")
# Details a client asks for to book or pay the invoice: an IBAN, a VAT or company number, a PO.
_INFO_ASKED = folded(
    r"\b(?:iban|bic|swift|rekeningnummer|numéro\s+de\s+compte|bank\s+details|coordonnées\s+bancaires|"
    r"(?:vat|tva|btw|kvk|siret|siren|company|enterprise|ondernemings|registration|chamber\s+of\s+commerce)[- ]?(?:number|nummer|numéro|nr|n°|no)|"
    r"numéro\s+(?:de\s+)?(?:tva|siret|siren|bon\s+de\s+commande|commande|d['’]engagement|engagement\s+juridique)|btw-\s*en|kvk-|"
    r"po\s+(?:number|nr|no)|purchase\s+order\s+(?:number|reference)|bestelbon\w*|ordernummer|inkoopordernummer|communication\s+structurée|gestructureerde\s+mededeling)\b")
_DIGITS_MISSING = folded(r"\b(?:digits?|chiffres?|cijfers?|numbers?|incomplet\w*|onvolledig|illisible|unreadable|onleesbaar)\b")
# A plain acknowledgement.
_ACKNOWLEDGED = folded(
    r"\b(?:accus\w+\s+(?:bonne\s+)?réception|(?:en\s+)?pren\w+\s+(?:bonne\s+)?note|noted\s+with\s+thanks|(?:we\s+)?acknowledge\s+receipt|duly\s+noted|"
    r"(?:goed\s+)?ontvangen\s+en\s+genoteerd|nemen\s+er\s+(?:goede\s+)?nota\s+van|wij\s+bevestigen\s+(?:de\s+)?ontvangst|empfang\s+bestätigen)\b")
# A request rather than a statement: "Kunt u…?", "graag", "please", "merci de".
_REQUEST = folded(r"\b(?:graag|gelieve|please|pls|plz|merci\s+de|svp|s['’]il\s+vous\s+pla[iî]t|bitte|kunt\s+u|kan\s+u|wilt\s+u|could\s+you|can\s+you|pourriez|pouvez)\b")
# Words that date a payment "just now" when no date is written: "payé tout à l'heure", "heb het
# net betaald", "je viens de faire le virement", "just paid".
_JUST_NOW = folded(
    r"\b(?:tout\s+à\s+l['’]heure|à\s+l['’]instant|viens\s+de|venons\s+de|just\s+now|just\s+(?:paid|sent|transferred|wired|made)|"
    r"zojuist|zonet|zo\s+net|(?:heb|hebben|is|zijn)\s+(?:het\s+|ze\s+|hem\s+)?net\b)")
# "Komt deze week nog!", "coming on Friday": in answer to a reminder, "it" is the payment.
_COMING = folded(r"^\W*" + _GREETING + r"(?:(?:ok|oké|okay|oki|prima|top|d['’]accord|no\s+worries|pas\s+de\s+souci)\W+)?"
                 r"(?:(?:het|it|ça|cela)\s+)?(?:komt\s+in\s+orde|komt|volgt|is\s+coming|coming|arrive|arrivera|suit|suivra)\b")
# A bare deadline in answer to a reminder: "Mercredi prochain au plus tard.", "Uiterlijk vrijdag."
_DEADLINE = folded(r"\b(?:au\s+plus\s+tard|at\s+the\s+latest|uiterlijk|ten\s+laatste|spätestens)\b")
# Questions asked without a question mark: "je voudrais savoir si…", "I was wondering whether…",
# "ik vroeg me af of…", or a sentence opening on "quel/which/welk" ("Quelle communication dois-je
# utiliser").
_INDIRECT_QUESTION = folded(
    r"\b(?:je\s+voudrais\s+savoir|j['’]aimerais\s+savoir|pourriez-vous\s+me\s+dire|(?:i\s+was|i['’]m)\s+wondering|i['’]d\s+like\s+to\s+know|could\s+you\s+tell\s+me|"
    r"(?:ik\s+)?vroeg\s+me\s+af|ik\s+vraag\s+me\s+af|graag\s+had\s+ik\s+(?:geweten|vernomen)|ik\s+zou\s+graag\s+(?:weten|vernemen)|ich\s+möchte\s+wissen)\b|"
    r"^\W*(?:quel(?:le)?s?|which|welk(?:e)?|lequel|laquelle)\s+\S+\s+\S+")

# "What is this invoice for?", "à quoi correspond cette facture ?", "over welke werf gaat het?":
# the client cannot place the invoice among several jobs. It asks, it does not contest; the
# model, trained on disputes that often open the same way, reads a dispute into it.
_WHAT_FOR = folded(
    r"\b(?:à\s+quoi\s+(?:correspond|se\s+rapporte|fait\s+référence)|de\s+quoi\s+s['’]agit|à\s+quo?i\s+(?:elle|cette\s+facture)\s+correspond|"
    r"(?:à|a)\s+quel(?:le)?s?\s+(?:\w+\s+){1,2}?(?:correspond|se\s+rapporte|fait\s+référence)|quel(?:le)?s?\s+(?:chantier|commande|prestation|intervention|projet|mission|travaux)\s+(?:\w+\s+){0,2}?(?:concerne|vise)|"
    r"what\s+(?:is|was|'s)\s+(?:this|the|that)\s+(?:invoice|bill|charge|amount)\s+for|what\s+(?:this|the|that)\s+(?:invoice|bill|charge|amount)\s+(?:is|was)\s+for|"
    r"what\s+(?:does|do)\s+(?:this|the|that)\s+(?:invoice|bill|charge|amount)\s+(?:relate|refer|correspond|apply)|"
    r"which\s+(?:project|job|order|site|work|service|visit|call-?out|intervention|delivery|one)\s+(?:\w+\s+){0,2}?(?:is\s+(?:this|it)|does\s+(?:this|it))|(?:can['’]?t|cannot)\s+tell\s+which|"
    r"waarvoor\s+(?:is|dient)\s+(?:deze|die|de|dit)\s+(?:factuur|rekening)|waar\s+(?:gaat|slaat)\s+(?:deze|die|de|dit)\s+(?:factuur|rekening|bedrag)\s+(?:over|op)|"
    r"over\s+welke\s+\w+\s+gaat|op\s+welke\s+\w+\s+(?:\w+\s+){0,3}?betrekking|waarop\s+(?:\w+\s+){0,3}?betrekking|"
    r"wofür\s+ist\s+(?:diese|die)\s+rechnung|worauf\s+bezieht\s+sich|welche\w*\s+(?:auftrag|projekt|baustelle|leistung|einsatz)\s+(?:\w+\s+){0,2}?betrifft|"
    # "C'est pour quels soins ?", "Voor welke behandeling is deze factuur?", "is this invoice
    # for the October visit or for the repair?", "concerne-t-elle la commande A ou B ?"
    r"(?:c['’]est\s+)?pour\s+quel(?:le)?s?\s+\w+|voor\s+welke\s+\w+\s+(?:is|was|zijn|geldt)|"
    r"is\s+(?:this|the|that|it)\s+(?:invoice\s+|bill\s+|charge\s+)?for\s+[^?]{1,80}\bor\b|is\s+(?:deze|die|de|dit|het)\s+(?:factuur\s+)?voor\s+[^?]{1,80}\bof\b|"
    r"(?:correspond|concerne|vise)\w*(?:-t-elle|-t-il|-elle|-il)\s+[^?]{1,80}\bou\b|"
    r"(?:avec|with|met)\s+(?:ou|or|of)\s+(?:sans|without|zonder)\s+(?:la\s+)?(?:tva|vat|btw)|"
    r"(?:cette|la)\s+facture\s+(?:est-elle|concerne-t-elle|est)\s+(?:bien\s+)?pour\s+[^?]{1,80}\bou\b|est-ce\s+pour\s+[^?]{1,80}\bou\b|"
    r"(?:concerne|correspond|vise)\w*(?:-t-elle|-t-il)?\s+(?:bien\s+)?(?:à\s+)?(?:la|le|l['’]|les)\s+[^?]{1,80}\bou\b|"
    r"gaat\s+(?:het|deze\s+factuur|dit)\s+(?:\w+\s+)?(?:om|over)\s+[^?]{1,80}\bof\b|"
    # Asking how VAT applies, not contesting it: "la facture est-elle soumise à TVA ?", "is de btw
    # verlegd op deze factuur?", "HTVA ou TVAC ?"
    r"(?:soumise?|assujettie?|subject|onderworpen|verlegd|inclus\w*|included|inbegrepen|inclusief|exclusief)\s+(?:\w+\s+){0,4}?(?:tva|btw|vat)\b[^.!]*\?|"
    r"\b(?:tva|btw|vat)\b[^.!?]{0,40}?(?:verlegd|soumise?|applicable|inclus\w*|included|inbegrepen)\b[^.!]*\?|"
    r"\b(?:htva|hors\s+tva|excl\.?\s+(?:btw|vat))\s+(?:ou|or|of)\s+(?:tvac|ttc|incl\.?\s+(?:btw|vat)))")

_QUESTION_START = folded(
    r"^\W*(?:pouvez|pourriez|pourrais|puis|est-ce|quel\w*|quand|comment|pourquoi|combien|où|"
    r"could|can|would|will|what|which|when|how|why|where|is|are|do|does|did|may|"
    r"kunt|kunnen|kan|zou|wat|welk\w*|wanneer|hoe|waarom|waar|is|zijn|"
    r"können|könnten|wann|wie|warum|welche\w*|ist)\b")

_LANG_WORDS = {
    "fr": {"le", "la", "les", "de", "des", "nous", "vous", "est", "pas", "et", "une", "pour", "facture", "merci", "bonjour", "je", "avons", "sera"},
    "en": {"the", "we", "you", "is", "not", "and", "a", "for", "invoice", "thanks", "hi", "will", "have", "our", "pay", "i"},
    "nl": {"de", "het", "een", "wij", "we", "u", "is", "niet", "en", "voor", "factuur", "bedankt", "hebben", "zal", "ik", "van", "op"},
    "de": {"der", "die", "das", "wir", "sie", "ist", "nicht", "und", "für", "rechnung", "danke", "haben", "ich", "von", "am"},
}


def detect_language(text: str) -> str | None:
    """Best guess among fr/en/nl/de from common words, or None when there is no text."""
    words = re.findall(r"[a-zà-ÿ']+", text.lower())
    if not words:
        return None
    scores = {lang: sum(1 for w in words if w in vocab) for lang, vocab in _LANG_WORDS.items()}
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > 0 else None


@dataclass
class _Hit:
    intent: str
    category: str
    strength: float
    sentence: str
    span: str
    sentence_start: int
    cue_end: int


_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n\s*\n|\n(?=[-*•]\s)|(?<=[.!?])$")


def _sentences(text: str) -> list[tuple[int, str]]:
    """(start offset, sentence) pairs; newlines inside a paragraph are kept as spaces."""
    out: list[tuple[int, str]] = []
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        chunk = text[pos : m.start()]
        if chunk.strip():
            out.append((pos, chunk))
        pos = m.end()
    if text[pos:].strip():
        out.append((pos, text[pos:]))
    # A line break after a short line (greeting, list) also ends a sentence.
    result: list[tuple[int, str]] = []
    for start, chunk in out:
        offset = 0
        for line in chunk.split("\n"):
            if line.strip():
                result.append((start + offset, line))
            offset += len(line) + 1
    return _join_wrapped(result)


def _join_wrapped(parts: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Re-join lines that a mail client wrapped mid-sentence (next line starts lower-case)."""
    joined: list[tuple[int, str]] = []
    for start, line in parts:
        stripped = line.strip()
        if joined and stripped[:1].islower() and joined[-1][1].rstrip()[-1:] not in ".!?:;":
            prev_start, prev = joined[-1]
            joined[-1] = (prev_start, prev.rstrip() + " " + stripped)
        else:
            joined.append((start, line))
    return joined


_CLAUSE_BREAK = folded(r"[,;:()]|\b(?:mais|but|maar|aber|however|toutefois|cependant|en|and|et|dus|so|donc)\b")


def _clause_before(sentence: str, start: int) -> str:
    """The part of the clause before a position: negation does not cross ", mais", "but"…"""
    before = sentence[max(0, start - 60) : start]
    parts = _CLAUSE_BREAK.split(before)
    return parts[-1] if parts else before


def _negated(sentence: str, start: int, end: int) -> bool:
    before = _clause_before(sentence, start)
    words_before = re.findall(r"[\w'’]+", before)[-4:]
    window = " ".join(words_before)
    if _NEG_BEFORE.search(window):
        # "non seulement", "pas seulement", "not only" do not negate what follows.
        if not re.search(r"(?:not|pas|non)\s+(?:only|seulement|uniquement)\s*$", window, re.IGNORECASE):
            # "no later than" / "pas plus tard que" is a deadline, not a negation
            if not re.search(r"\b(?:no|pas)\s+(?:later|plus\s+tard)\b", window, re.IGNORECASE):
                return True
    after = sentence[end : end + 30]
    return bool(_NEG_AFTER.match(after)) and not re.match(r"\W*(?:pas\s+avant|not\s+(?:before|until))", after, re.I)


def _clause_at(sentence: str, pos: int) -> str:
    """The clause of `sentence` around `pos`: "this week's run has already closed, so it'll be
    next Friday" has two."""
    for m in _CLAUSE.finditer(sentence):
        if m.start() <= pos < m.end():
            return m.group(0)
    return sentence


def _hypothetical(sentence: str, start: int) -> bool:
    before = sentence[max(0, start - 50) : start]
    clause = re.split(r"[,;:]", before)[-1]
    return bool(_HYPOTHETICAL.search(clause))


def _find_hits(text: str, today: date) -> list[_Hit]:
    hits: list[_Hit] = []
    folded_text = fold(text)
    asks_info = any(s.strip().endswith("?") and _INFO_ASKED.search(fold(s)) for _, s in _sentences(text))
    for s_start, original in _sentences(text):
        # Rules match the folded sentence; offsets are the same in the original, which gives
        # the evidence with its accents.
        sentence = fold(original)
        for cue in CUES:
            for m in cue.pattern.finditer(sentence):
                if cue.negatable and _negated(sentence, m.start(), m.end()):
                    continue
                if cue.intent == "dispute" and cue.strength < 0.85 and _asks(sentence):
                    continue  # weak cues in a question ask about it: "moet de btw verlegd worden?"
                if cue.intent in ("dispute",) and _hypothetical(sentence, m.start()):
                    continue
                if cue.category == "duplicate" and _ASKS_DUPLICATE.search(sentence):
                    continue  # "could you send me a duplicate of F-2024-017" asks for a copy
                inside = _NEG_INSIDE if cue.intent == "paid_claim" else _NEG_INSIDE_PROMISE
                if cue.intent == "paid_claim" and (_FUTURE.search(m.group(0)) or _MODAL.search(m.group(0)) or _by_future_date(sentence, today)):
                    continue  # "wordt binnen 5 werkdagen betaald", "tegen vrijdag is het betaald"
                if cue.intent == "promise" and (_conditional(sentence) or _PRECONDITION.search(sentence[max(0, m.start() - 30) : m.start()])):
                    continue  # "if the funding comes through next week, we'll pay"
                if cue.category in ("missing_invoice", "partial_delivery") and (
                    _INFO_ASKED.search(sentence) or (asks_info and _DIGITS_MISSING.search(sentence))
                ):
                    continue  # "What's your IBAN? The one on the invoice is missing two digits."
                if cue.category == "portal" and not _PORTAL_ASK.search(sentence):
                    continue  # "D'après Chorus Pro, votre facture est mise en paiement" reports, it does not ask
                if cue.intent == "copy_request" and _RESUBMITTED.search(sentence):
                    continue  # "ik heb de factuur opnieuw voorgelegd aan onze directeur"
                if cue.category == "copy_asked" and not (sentence.rstrip().endswith("?") or _REQUEST.search(sentence)):
                    continue  # "ik stuur de factuur door naar onze boekhouding" tells, it does not ask
                if cue.category == "asap" and not _PAY_WORD.search(folded_text):
                    continue
                if cue.intent in ("paid_claim", "promise") and cue.negatable and inside.search(m.group(0)):
                    continue  # "we hebben nog niet betaald", "betalen we nog niet"
                if cue.intent == "paid_claim" and (_FUTURE.search(sentence[max(0, m.start() - 25) : m.start()]) or _hypothetical(sentence, m.start())):
                    continue  # "the payment will be made", "if it has been paid"
                if cue.intent == "paid_claim" and _BELIEF.search(_clause_before(sentence, m.start())):
                    continue  # "ik dacht dat alles al betaald was": a belief, asked about
                if cue.intent == "promise" and cue.category not in ("not_before", "not_before_date") and _asks(sentence):
                    continue  # "Kan ik ook met Bancontact betalen?" asks, it does not promise
                if cue.intent == "promise" and _RUN_GONE.search(_clause_at(sentence, m.start())):
                    continue  # "onze betaalrun van vandaag is al verwerkt": that run is gone
                # The date of "not before" follows the cue; a fronted date counts for the others
                # ("Morgen maak ik het over").
                scope = sentence[m.start() :] if cue.category == "not_before_date" else sentence
                if cue.category in ("present_with_date", "not_before_date", "action_with_date") and not any(
                    f.value >= today for f in find_dates(scope, today)
                ):
                    continue
                if cue.intent == "dispute" and cue.category == "contested" and _bounded_by_date(sentence, m.start(), today):
                    continue  # "on ne paiera pas avant le 15": a promise for the 15th, not a refusal
                if cue.category == "present_with_date" and not any(
                    f.value >= today for f in find_dates(sentence, today)
                ):
                    continue
                span = original[m.start() : m.end()]
                hits.append(_Hit(cue.intent, cue.category, cue.strength, original.strip(), span, s_start, s_start + m.end()))
                break
        # "we sent $720 as a part-payment": an instalment already paid is not a plan request.
        if any(h.sentence_start == s_start and h.intent == "paid_claim" for h in hits):
            hits = [h for h in hits if not (h.sentence_start == s_start and h.intent == "plan_request")]
        if not _asks(sentence) and not _conditional(sentence) and not any(h.sentence_start == s_start and h.intent in ("promise", "paid_claim") for h in hits):
            dated = _dated_payment(folded_text, sentence, today)
            if dated is not None:
                hits.append(_Hit("promise", "dated_payment", 0.7, original.strip(), dated, s_start, s_start + len(sentence)))
    return hits


# Doubt strong enough that a promise is not one. "As soon as possible" / "zo snel mogelijk" are
# not doubt; "should", "normalement", "hopefully" are mild and keep the promise.
_HEDGE = folded(
    r"\b(?:maybe|perhaps|possibly|peut[- ]être|il\s+est\s+possible|misschien|eventueel|wellicht|vielleicht|"
    r"(?:can['’]?t|cannot|can\s+not)\s+(?:promise|guarantee)|no\s+guarantee|"
    r"ne\s+(?:peux|pouvons|puis)\s+(?:rien|pas)\s+(?:vous\s+)?(?:garantir|promettre)|sans\s+garantie|"
    r"(?:kan|kunnen)\s+(?:niets|niks|het\s+niet)\s+(?:beloven|garanderen)|geen\s+garantie|"
    r"(?:don['’]t|do\s+not)\s+know\s+(?:yet\s+)?(?:when|if|whether)|ne\s+sais\s+pas\s+(?:encore\s+)?(?:quand|si)|weet\s+(?:nog\s+)?niet\s+(?:wanneer|of)|"
    r"not\s+sure|pas\s+sûr|niet\s+zeker|no\s+idea\s+when|aucune\s+idée|"
    r"ne\s+(?:vous\s+)?(?:promets|promettons|garantis|garantissons)\s+rien|"
    # Hope is not a commitment ("hopefully next week", "j'espère pouvoir payer", "ik hoop te
    # kunnen betalen"); "hope that's OK" after a firm day is politeness and does not match.
    r"hopefully|(?:i|we)\s+hope\s+to|hope\s+(?:we|i)\s+(?:can|will|['’]ll)|j['’]esp[eè]re\s+(?:pouvoir|que\s+(?:nous|je|on))|esp[eé]rons\s+(?:pouvoir|que)|"
    r"(?:ik|we|wij)\s+(?:hoop|hopen)\s+(?:[^\s!?;]+\s+){0,4}?(?:te\s+)?kunnen|hopelijk|hoffentlich|"
    r"no\s+promises|(?:won['’]t|will\s+not)\s+promise|(?:beloof|beloven)\s+(?:niets|niks)|nichts\s+versprechen|"
    # Trying is not committing ("we'll try to settle before the end of December", "je vais
    # essayer de vous régler", "we proberen het vrijdag te betalen"); retrying a failed payment
    # ("morgen proberen we de betaling opnieuw") names no verb of paying and stays a promise.
    r"(?:try|tries|trying|attempt)\s+(?:and|to)\s+(?:[^\s!?;]+\s+){0,2}?(?:pay|settle|clear|transfer|wire|send|get|sort|make)|"
    r"(?:essa\w+|tâch\w+|tent\w+)\s+de\s+(?:vous\s+|le\s+|la\s+|les\s+)?(?:payer|régler|virer|faire|solder|envoyer|verser)|"
    r"(?:prob(?:eer|eren)\w*|tracht\w*)\s+(?:[^\s!?;]+\s+){0,5}?(?:te\s+(?:betalen|voldoen|regelen|vereffenen|storten|doen)|over\s+te\s+maken)|"
    r"versuch\w*\s+(?:[^\s!?;]+\s+){0,5}?zu\s+(?:zahlen|bezahlen|überweisen)|"
    # Paying once somebody else has paid is not a commitment: the day is theirs ("we'll pay once
    # our client pays us", "quand l'assurance m'aura remboursé", "zodra de subsidie binnen is").
    # One's own salary or a benefit due on a known day ("quand mon salaire tombe") is not this.
    r"(?:once|when|as\s+soon\s+as|after|until|quand|lorsque|dès\s+que|dès|jusqu['’]à\s+ce\s+que|zodra|wanneer|als|nadat|tot|sobald|wenn|nachdem)\s+(?:[^\s!?;]+\s+){0,4}?(?:l['’]|d['’])?"
    r"(?:client|customer|klant|opdrachtgever|kunde|insurance|insurer|assurance|assureur|verzekering|verzekeraar|versicherung|"
    r"cpas|ocmw|mutuelle|mutualité|ziekenfonds|mutualiteit|krankenkasse|commune|mairie|gemeente|municipality|council|région|province|provincie|"
    r"subsid\w*|subvention\w*|grant|funding|financement|financiering|fördermittel|"
    r"main\s+contractor|entreprise\s+générale|hoofdaannemer|generalunternehmer|bouwheer|maître\s+d['’]ouvrage|principal|donneur\s+d['’]ordre)\b(?:\s+(?:[^\s!?;]+\s+){0,4}?)"
    r"(?:pays?|paid|paying|settles?|comes?\s+(?:through|in)|arrives?|pa[iy]\w*|réglé|régl\w*|rembours\w*|vers\w*|arriv\w*|betaal\w*|betaald|uitbetaald|"
    r"binnen|(?:over)?gestort|zahlt|bezahlt|eingegangen)|"
    r"(?:once|when|as\s+soon\s+as|dès\s+que|quand|lorsque|zodra|wanneer|sobald)\s+(?:we|i|nous|on|je|j['’]|wij|we|ik)\s+(?:\w+\s+){0,2}?(?:receive|get|recevons|recevrons|recevrai|aurons\s+reçu|aurai\s+reçu|ontvangen|krijgen|erhalten)\s+"
    r"(?:(?:the|their|its|his|her|leur|son|sa|le|la|les|dat|het|de|hun|zijn|haar)\s+)?(?:payment|money|funds|paiement|argent|fonds|betaling|geld|bedrag|zahlung)|"
    r"(?:zodra|wanneer|als|nadat)\s+(?:we|wij|ik)\s+(?:dat|het|de|die|hun|zijn)\s+(?:bedrag|geld|betaling|subsidie|uitkering|premie)\s+(?:\w+\s+)?(?:ontvangen|krijgen|binnen)|"
    r"(?:zodra|wanneer|als)\s+(?:het|dat|de|die)\s+(?:geld|bedrag|betaling|subsidie)\s+(?:\w+\s+){0,2}?binnen|"
    r"dès\s+(?:sa|leur|la)\s+réception|"
    # "Our funding hasn't come through yet. Once it does, we'll pay."
    r"(?:funding|subsid\w*|grant|subvention\w*|financement|financiering|subsidie|fördermittel)\s+(?:[^\s!?;]+\s+){0,6}?"
    r"(?:hasn['’]t|has\s+not|n['’]\w+\s+pas|is\s+nog\s+niet|nog\s+niet|noch\s+nicht|not\s+yet|pas\s+encore)\s+(?:[^\s!?;]+\s+){0,3}?"
    r"(?:come|arrived|been\s+paid|been\s+released|versée?|arrivée?|tombée?|binnen|uitbetaald|toegekend|through|eingegangen)|"
    # Somebody else still has to approve: "dès que le bon de commande aura été validé par la
    # direction", "once the board has approved it", "zodra de directie het goedkeurt".
    r"(?:once|when|as\s+soon\s+as|after|quand|lorsque|dès\s+que|zodra|wanneer|nadat|sobald)\s+(?:[^\s!?;]+\s+){0,6}?"
    r"(?:aura\s+(?:été\s+)?|auront\s+(?:été\s+)?|sera\s+|has\s+(?:been\s+)?|have\s+(?:been\s+)?|is\s+|are\s+|gets?\s+|heeft\s+|hebben\s+|werd\s+|wordt\s+)?"
    r"(?:validé\w*|approuvé\w*|accepté\w*|signé\w*|approved|signed|accepted|validated|goedgekeurd|goedkeurt|getekend|tekent|ondertekend|aanvaard|akkoord\s+geeft|genehmigt|freigegeben|unterschrieben)|"
    r"(?:once|when|as\s+soon\s+as|quand|dès\s+que|zodra|wanneer)\s+(?:the\s+|la\s+|le\s+|de\s+|het\s+|our\s+|notre\s+|onze\s+)?(?:cpas|ocmw|mutuelle|ziekenfonds|board|direction|directie|bestuur|conseil|raad)\b)\b"
)


# "should have been sent to our parent company" is not a payment made.
_MODAL = folded(r"\b(?:should|could|would|must|ought|moet|moest|zou|zouden|devrait|aurait|auraient|sollte|müsste)\b")
_BY = folded(r"\b(?:tegen|uiterlijk|ten\s+laatste|d['’]ici|by|avant|before|no\s+later\s+than|spätestens|bis|binnen|voor|vóór|within|endéans|dans|innerhalb)\s+(?:(?:le|la|the|de|het|den)\s+)?$")


# Date expressions that carry their own "by": "voor Kerstmis is het betaald", "before Christmas".
_BY_IN_DATE = folded(r"(?:avant|before|for|voor|vóór|vor|d['’]ici|by|binnen|within|dans|endéans|innerhalb)\b")


def _by_future_date(sentence: str, today: date) -> bool:
    """"Tegen vrijdag is het betaald", "d'ici lundi c'est réglé": a past tense bounded by a
    coming day is a promise, not a claim."""
    if re.search(r"\b(?:already|déjà|al|reeds|schon)\b", sentence, re.IGNORECASE):
        return False
    found = find_dates(sentence, today)
    # "Dat is betaald voor Kerstmis, op 23/12": a day already gone says when it was paid.
    if any(f.value < today for f in found):
        return False
    return any(f.value > today and (_BY.search(sentence[: f.start]) or _BY_IN_DATE.match(f.text)) for f in found)


def _asks(sentence: str) -> bool:
    """A sentence that opens as a question ("Kan ik ook met Bancontact betalen?", "Could we pay
    on the 20th?"): what it says about paying is not a commitment. A tag question after a
    commitment ("je vous règle le 20, cela vous convient ?") still commits."""
    stripped = sentence.strip()
    opening = re.sub(r"^" + _GREETING, "", fold(stripped), flags=re.IGNORECASE)  # "Hi, can I pay by card?"
    return (stripped.endswith("?") and bool(_QUESTION_START.match(opening))) or bool(_INDIRECT_QUESTION.search(fold(stripped)))


_BOUND = folded(r"\b(?:avant|before|until|till|prior\s+to|voor|vóór|tot|jusqu['’]\w*|qu['’]à\s+partir|vor|erst|bis)\b")


def _bounded_by_date(sentence: str, start: int, today: date) -> bool:
    """True when a refusal is bounded by "before <date>": a delay, not a refusal."""
    after = sentence[start : start + 100]
    bound = _BOUND.search(after)
    return bool(bound) and any(f.value >= today for f in find_dates(after[bound.end() :], today))


_EARLIER_TODAY = re.compile(r"today|aujourd'hui|vandaag|heute|ce matin|this morning|vanochtend|vanmorgen|heute morgen")


def _dated_payment(text: str, sentence: str, today: date) -> str | None:
    """The payment word or "will be done" phrase of a sentence that also names a future date."""
    # "Régularisé depuis ce matin", "approval came through this morning": earlier today is news,
    # not the day of a payment.
    future = [f for f in find_dates(sentence, today) if f.value >= today and not _EARLIER_TODAY.fullmatch(fold(f.text).lower())]
    today_word = re.search(r"\b(?:today|aujourd['’]hui|vandaag|heute|ce\s+soir|tonight|vanavond|seffens|straks|tantot)\b", sentence, re.IGNORECASE)
    if not future and not today_word:
        return None
    coming = _COMING.match(sentence) or _DEADLINE.search(sentence)
    if coming and future:
        return coming.group(0).strip()
    # "We kunnen deze maand niet betalen, wel eind januari": a refused payment with a contrasting
    # dated clause is a promise for that date.
    contrast = re.search(r"[,;]\s*(?:mais|but|maar|wel|aber|sondern|however)\b(?P<rest>.*)$", sentence, re.IGNORECASE)
    if contrast and _PAY_WORD.search(sentence[: contrast.start()]) and any(
        f.value >= today for f in find_dates(contrast.group("rest"), today)
    ):
        return contrast.group(0).strip(" ,;")
    for clause in re.split(r"[,;]|\b(?:mais|but|maar|aber)\b", sentence):
        if _PAST_DONE.search(clause):
            continue
        pay = _PAY_WORD.search(clause) or re.search(r"[€$£]\s?\d|\d\s?(?:€|EUR\b)", clause)
        if pay and not _negated(clause, pay.start(), pay.end()):
            return pay.group(0)
        done = _WILL_BE_DONE.search(clause)
        if done and _PAY_WORD.search(text):
            return done.group(0)
    return None


def _pick_date(text: str, hit: _Hit, today: date, *, past: bool, language: str | None) -> date | None:
    sentence_dates = find_dates(hit.sentence, today, past=past, language=language)
    if hit.category in ("not_before", "not_before_date"):
        # The date after "avant/before/until" is the one that counts.
        cue_at = hit.sentence.find(hit.span)
        later = [d for d in sentence_dates if d.start >= cue_at]
        if later:
            return later[0].value
    # A paid-on date is a day the writer named; "in January", "last week" are not.
    wanted = [d for d in sentence_dates if (d.value <= today and not d.vague if past else d.value >= today)]
    if not past:
        wanted = _promised_days(hit.sentence, wanted, today)
    if wanted:
        first = wanted[0]
        # "this week's run, which goes out Thursday": a named day inside the vague bound is
        # what the writer meant.
        # what the writer meant. Only within that week: "début janvier, au plus tard le 10" is
        # about January, whatever bare "le 10" resolves to alone.
        # "na nieuwjaar, op 3 januari": the named day just after the bound, too.
        inside = [d for d in wanted[1:] if first.vague and not d.vague and -7 < (first.value - d.value).days < 7]
        return (inside[0] if inside else first).value
    all_dates = find_dates(text, today, past=past, language=language)
    wanted = [d for d in all_dates if (d.value <= today and not d.vague if past else d.value >= today)]
    if not past:
        wanted = _promised_days(text, wanted, today)
    return wanted[0].value if wanted else None


_ABSENCE = folded(r"\b(?:off|away|absent\w*|congé|vacances?|verlof|afwezig|holidays?|out\s+of\s+(?:the\s+)?office|fermée?s?|fermeture|closed|closure|gesloten|sluiting|urlaub|abwesend|"
                  r"abroad|buitenland|à\s+l['’]étranger|en\s+déplacement|op\s+reis|on\s+leave|sick|malade|ziek)\b")
_RETURN = folded(r"\b(?:back|de\s+retour|terug|rentre\w*|revien\w*|returns?|returning|zurück)\b")
_RANGE_WORD = folded(r"\b(?:from|du|van|vom|between|entre|tussen|until|till|jusqu['’]au|jusqu['’]à|tot|bis)\b")
_CONTRAST = folded(r"[,;]?\s*\b(?:mais|but|maar|wel|aber|sondern)\b")
_HABIT = folded(r"\b(?:every|each|chaque|tous\s+les|elke|iedere|jeden|par\s+mois|per\s+maand|a\s+month|twice|deux\s+fois|twee\s+keer|"
                r"normalement|normally|usually|d['’]habitude|meestal|normaal|normaliter|en\s+général|generally|always|toujours|altijd)\b")
# Dutch "pas" is "not until" ("pas volgende week"), so not a negation here.
_NEG_CLAUSE = folded(r"\b(?:niet|not|n['’]t|cannot|geen|nicht|kein\w*|jamais|nooit|never)\b|\bne\b|\bn['’]")
# Clauses end at punctuation and at "and" between two statements (Dutch "en" only before its
# subject: "en ik betaal", not "en januari").
_CLAUSE = folded(r"(?:(?![,;]|\b(?:et|and|und|so|dus|donc)\b|\ben\s+(?:ik|we|wij|dan|het)\b).)+")


def _promised_days(sentence: str, wanted: list[FoundDate], today: date) -> list[FoundDate]:
    """The candidate days of a promise, most likely first.

    - A day after "but" replaces one before it: "Deze vrijdag lukt niet meer, maar volgende
      dinsdag staat het erop", "pas vendredi mais lundi".
    - Today is the day of the sentence's other news ("suite à notre conversation de ce matin, je
      confirme le paiement mardi 10/12", "out of the office today but I'll pay next Monday"):
      a later day wins, the latest day meant.
    - An absence ("I'm off from the 9th to the 16th") names days nobody pays on.
    """
    folded_sentence = fold(sentence)
    if _ABSENCE.search(folded_sentence):
        in_range = set()
        for m in _RANGE_WORD.finditer(folded_sentence):
            inside = [d for d in wanted if 0 <= d.start - m.end() <= 12]
            if inside:
                idx = wanted.index(inside[0])
                in_range.add(idx)
                if idx + 1 < len(wanted) and wanted[idx + 1].start - wanted[idx].end <= 12:
                    in_range.add(idx + 1)
        if len(in_range) < len(wanted):
            wanted = [d for i, d in enumerate(wanted) if i not in in_range]
    # "Onze penningmeester is deze week in het buitenland, we betalen over een week", "je rentre
    # le 2 et je fais le virement le 3": the clause that speaks of paying names the day.
    clauses = [(m.start(), m.end()) for m in _CLAUSE.finditer(folded_sentence)]
    paying = [span for span in clauses if _PAY_WORD.search(folded_sentence[span[0] : span[1]])]
    if paying and len(paying) < len(clauses):
        in_paying = [d for d in wanted if any(a <= d.start < b for a, b in paying)]
        if not in_paying:
            # "Our board meets on the 5th and I'll make the payment the next day, 6 December":
            # the day comes after the words about paying.
            in_paying = [d for d in wanted if d.start >= paying[0][0]]
        if in_paying:
            wanted = in_paying + [d for d in wanted if d not in in_paying]
    # A day after "but" replaces one before it, whichever clause speaks of paying: "nos conditions
    # prévoient un paiement à 45 jours fin de mois, mais nous vous la réglerons le 18 décembre".
    contrast = None
    for m in _CONTRAST.finditer(folded_sentence):
        contrast = m
    if contrast is not None:
        after = [d for d in wanted if d.start >= contrast.end()]
        if after:
            wanted = after + [d for d in wanted if d.start < contrast.end()]
    # "Deze week lukt niet meer, het wordt volgende week vrijdag": a day in a negated clause
    # gives way to one that is not; so does a day of a habit ("we pay our suppliers on the 1st
    # and 15th of every month, you'll be in the run on the 15th").
    habits = [(m.start(), m.end()) for m in re.finditer(r"[^,;]+", folded_sentence) if _HABIT.search(m.group(0))]
    negated = [d for d in wanted if any(a <= d.start < b and _NEG_CLAUSE.search(folded_sentence[a:b]) for a, b in clauses)
               or any(a <= d.start < b for a, b in habits)]
    if negated and len(negated) < len(wanted):
        wanted = [d for d in wanted if d not in negated] + negated
    later = [d for d in wanted if d.value > today]
    if later and len(later) < len(wanted):
        wanted = later
    return wanted


def _pick_amount(text: str, hit: _Hit):
    amounts = find_amounts(hit.sentence) or find_amounts(text)
    return amounts[0].value if amounts else None


def classify_intent(text: str, *, today: date, language: str | None = None, invoices: Sequence[str] = ()) -> ReplyReading:
    """Read the intent of a client's new text: the rules, then the statistical model's opinion.
    `invoices` are the numbers of the file(s) the reply is about: lines about other invoices
    are not read (`focus.focus_on`).

    >>> classify_intent("Nous ne pourrons pas payer avant le 30.", today=date(2024, 12, 4))
    ReplyReading(kind='client_reply', intent='promise', date=datetime.date(2024, 12, 30), ...)
    """
    full_length = len(text)
    text = focus_on(text[:MAX_READ_CHARS], invoices)
    language = language or detect_language(text)
    reading, hits = read_by_rules(text, today=today, language=language)
    if full_length > MAX_READ_CHARS:
        reading.extra["truncated"] = str(full_length)
    model = load_model()
    if model is None or not text.strip():
        return reading
    reading = combine(reading, hits, model.probabilities(text), text, today=today, language=language)
    return _reason_by_model(reading, text)


def _reason_by_model(reading: ReplyReading, text: str) -> ReplyReading:
    """A dispute's reason category from the reason model when it is shipped: on unseen authors it
    agreed with the labels far more often than the cues' categories (tests/test_replies_model.py).
    The evidence after the colon stays the rules' span or sentence."""
    reasons = load_reason_model()
    if reading.intent != "dispute" or reasons is None or not reading.reason:
        return reading
    probabilities = reasons.probabilities(text)
    category = max(probabilities, key=lambda k: probabilities[k])
    reading.reason = f"{category}:{reading.reason.split(':', 1)[1]}"
    return reading


# What a person writes in answer to a reminder fits in far less; the rules' cost grows faster than
# the text (a 1 MB reply took 39 s), so only the head is read. The whole message still reaches
# the owner, and new_text keeps it all.
MAX_READ_CHARS = 20_000

# The model overrides the rules only when it is at least this sure of another intent; below it
# the rules' reading stands (the owner still sees both in the note).
MODEL_OVERRIDE = 0.5
DISPUTE_OVERRIDE = 0.35
# A rules reading at least this sure (a strong cue, no competing intent) is kept.
RULES_SURE = 0.85
# Against a promise: a dated one yields to a dispute from this probability, any one from the next.
DATED_PROMISE_DISPUTE = 0.65
DISPUTE_OVER_PROMISE = 0.85
# Said in so many words: no dispute. The model reads "contestons" whatever comes around it.
_NO_DISPUTE = folded(
    r"\b(?:ne\s+(?:\w+\s+)?contest\w*\s+pas|pas\s+de\s+(?:contestation|litige)|aucune?\s+(?:contestation|litige|réclamation)|"
    r"not\s+(?:disput|contest)\w*|no\s+(?:dispute|issue|problem)s?\s+(?:with|about|on)|(?:don['’]t|do\s+not)\s+(?:dispute|contest)|"
    r"(?:betwist\w*|bestrijd\w*)\s+(?:\w+\s+){0,3}?niet|geen\s+(?:betwisting|bezwaar|discussie|probleem)|nicht\s+(?:bestreiten|beanstanden)|"
    # "Not yet" delays a payment, it does not refuse it: "we betalen nog niet".
    r"(?:betal|pay|pai|zahl)\w*\s+(?:\w+\s+)?(?:nog\s+niet|not\s+yet|pas\s+encore|noch\s+nicht))\b")
# Confidence of a reading the model chose against the rules: its probability, discounted, so
# that a narrow win stays under the handler's threshold for acting and reaches the owner instead.
MODEL_DISCOUNT = 0.85


def combine(reading: ReplyReading, hits: list[_Hit], probabilities: dict[str, float], text: str, *,
            today: date, language: str | None) -> ReplyReading:
    """The rules' reading, overridden by the model when it is sure of another intent.

    The rules keep what they do better: a hedged promise stays `other` (the owner reads it), and
    dates, amounts and dispute reasons always come from the rules' readers, for whichever
    intent wins. Measured by leaving each author's set out of training: tests/test_replies_model.py.
    """
    best = max(probabilities, key=lambda k: probabilities[k])
    # A missed dispute means chasing somebody who contests the invoice: over a weak or
    # promise reading of the rules, the model's dispute counts from a lower probability.
    if best != "dispute" and probabilities.get("dispute", 0.0) >= DISPUTE_OVERRIDE and reading.intent in ("other", "question"):
        best = "dispute"
    p = probabilities[best]
    reading.extra["model"] = f"{best} {p:.2f}"
    if best == reading.intent:
        reading.confidence = max(reading.confidence, min(p, 0.95))
        return reading
    # A promise the rules read with its day is a firm reading: a narrow dispute does not undo it
    # (long business mails that explain a delay read like disputes to the model).
    dispute_bar = DATED_PROMISE_DISPUTE if (reading.intent == "promise" and reading.date is not None) else DISPUTE_OVERRIDE
    if p < (dispute_bar if best == "dispute" else MODEL_OVERRIDE) or "hedged" in reading.extra:
        return reading
    # A cue the rules are sure of stands: the model does not see negation or tense ("nous ne
    # contestons pas", "we won't pay until the 20th", "tegen vrijdag is het betaald"). Except a
    # promise the model is all but certain contests the invoice: "I can pay 800, the price we
    # agreed", "we will pay for the bathroom once the kitchen is done" pay only what they accept.
    sure_dispute = best == "dispute" and reading.intent in ("promise", "paid_claim") and p >= DISPUTE_OVER_PROMISE
    if reading.confidence >= RULES_SURE and not sure_dispute:
        return reading
    if best == "dispute" and _NO_DISPUTE.search(fold(text)):
        return reading
    hit = max((h for h in hits if h.intent == best), key=lambda h: h.strength, default=None)
    if hit is None:
        hit = _best_sentence(text, best)
        # A promise the rules did not see is still no promise when hedged or conditional.
        if best == "promise" and (_HEDGE.search(fold(text)) or _conditional(fold(hit.sentence))):
            return reading
        # Nor is a thank-you that names neither a payment nor a day ("merci, bien reçu"), nor
        # somebody's return ("our accountant will be back on Monday"): the day is theirs.
        folded_text = fold(text)
        if best == "promise" and not _PAY_WORD.search(folded_text) and (
            _RETURN.search(folded_text) or _ABSENCE.search(folded_text) or not any(f.value > today for f in find_dates(text, today))
        ):
            return reading
    chosen = ReplyReading(kind="client_reply", intent=best, new_text=text, evidence=hit.sentence,
                          confidence=round(p * MODEL_DISCOUNT, 3), extra=dict(reading.extra))
    chosen.extra["rules"] = reading.intent or "other"
    _fill(chosen, hit, text, today, language)
    return chosen


def _best_sentence(text: str, intent: str) -> _Hit:
    """The sentence the model finds most `intent`-like: the evidence when no cue matched."""
    model = load_model()
    assert model is not None
    best: tuple[float, int, str] = (-1.0, 0, text.strip())
    for start, sentence in _sentences(text):
        p = model.probabilities(sentence).get(intent, 0.0)
        if p > best[0]:
            best = (p, start, sentence.strip())
    return _Hit(intent, "model", best[0], best[2], "", best[1], best[1] + len(best[2]))


def read_by_rules(text: str, *, today: date, language: str | None = None) -> tuple[ReplyReading, list[_Hit]]:
    """The rules' reading alone, with the cue hits it was decided from."""
    language = language or detect_language(text)
    reading = ReplyReading(kind="client_reply", new_text=text)
    if language:
        reading.extra["language"] = language
    hits = _find_hits(text, today)
    by_intent: dict[str, list[_Hit]] = {}
    for hit in hits:
        by_intent.setdefault(hit.intent, []).append(hit)
    chosen: _Hit | None = None
    for intent in PRIORITY[:-1]:
        if intent in by_intent:
            # Of equally strong cues, one in a sentence about a habit ("mon employeur paie
            # normalement les salaires le 27") gives way.
            chosen = max(by_intent[intent], key=lambda h: (h.strength, not _HABIT.search(fold(h.sentence))))
            break
    if chosen is None and _TO_COLLEAGUE.search(fold(text.strip())):
        # A reply-all meant for a colleague ("@Christophe tu peux regarder ?", "Steve - see
        # below, can you handle?"): nothing to answer, the owner reads it.
        reading.intent = "other"
        reading.confidence = 0.85
        reading.extra["internal"] = text.strip()[:120]
        return reading, hits
    if chosen is None and _ACKNOWLEDGED.search(fold(text)) and len(text) < 300 and not _question_sentence(text):
        # "Nous accusons réception de votre courriel et en prenons bonne note": nothing more.
        reading.intent = "other"
        reading.confidence = 0.85
        return reading, hits
    if chosen is None:
        question = _question_sentence(text)
        if question:
            reading.intent = "question"
            reading.evidence = question
            reading.confidence = 0.6
            what_for = next((s.strip() for _, s in _sentences(text)
                             if _WHAT_FOR.search(fold(s)) or (s.strip().endswith("?") and _INFO_ASKED.search(fold(s)))), None)
            if what_for:
                reading.evidence = what_for
                reading.confidence = 0.9
            return reading, hits
        reading.intent = "other"
        reading.confidence = 0.3
        return reading, hits
    reading.intent = chosen.intent
    reading.evidence = chosen.sentence
    reading.confidence = chosen.strength
    others = sorted({h.intent for h in hits} - {chosen.intent})
    if others:
        reading.extra["also"] = ",".join(others)
        reading.confidence = min(reading.confidence, 0.8)
    if chosen.intent == "promise" and _HEDGE.search(fold(text)):
        # "Misschien lukt het volgende week, maar ik kan niets beloven": pausing on it would be a
        # guess; the owner reads it.
        reading.intent = "other"
        reading.confidence = 0.3
        reading.extra["hedged"] = chosen.sentence
        return reading, hits
    _fill(reading, chosen, text, today, language)
    return reading, hits


def _fill(reading: ReplyReading, hit: _Hit, text: str, today: date, language: str | None) -> None:
    """Date, amount and reason of the intent `hit` decided, read by the rules."""
    if hit.intent == "promise":
        reading.date = _pick_date(text, hit, today, past=False, language=language)
        reading.amount = _pick_amount(text, hit)
    elif hit.intent == "paid_claim":
        reading.date = _pick_date(text, hit, today, past=True, language=language)
        if reading.date is None and _JUST_NOW.search(fold(hit.sentence)):
            reading.date = today
        reading.amount = _pick_amount(text, hit)
    elif hit.intent == "dispute":
        # A dispute no cue named is still contested; the owner reads the evidence sentence.
        category = hit.category if hit.category != "model" else "contested"
        reading.reason = f"{category}: {(hit.span or hit.sentence).strip()[:120]}"
        reading.amount = _pick_amount(text, hit)
    elif hit.intent == "plan_request":
        reading.amount = _pick_amount(text, hit)


def _question_sentence(text: str) -> str | None:
    for _, sentence in _sentences(text):
        s = sentence.strip()
        if s.endswith("?") or _INDIRECT_QUESTION.search(fold(s)):
            return s
    return None
