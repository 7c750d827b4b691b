"""The words that reveal what a client means, per intent, in French, English, Dutch and German.

A lexicon, not logic: `mailbot.replies.intent` finds these cues clause by clause, drops the
negated and hypothetical ones and decides. Patterns are written with accents and compiled folded
(`mailbot.replies.fold`), so "reçu" also reads "recu". A cue's category becomes the reason of a
dispute ("wrong_amount: ne correspond pas").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mailbot.replies.fold import folded

_W = r"(?:[^\s!?;]+\s+)"  # one word and its space, for "up to n words between" gaps

@dataclass(frozen=True)
class Cue:
    intent: str
    category: str
    pattern: re.Pattern[str]
    strength: float  # confidence when this cue decides
    negatable: bool = True  # False when the cue already carries its own negation


def _c(intent: str, category: str, pattern: str, strength: float = 0.9, negatable: bool = True) -> Cue:
    return Cue(intent, category, folded(pattern), strength, negatable)


_GOODS = (
    r"(?:marchandises?|commandes?|livraisons?|produits?|matériel|colis|prestations?|travaux|articles?|pièces?|"
    r"goods|order|delivery|deliveries|items?|products?|shipment|parcel|parts|materials?|service|work|"
    r"goederen|bestelling|levering|producten|artikelen|pakket|onderdelen|werkzaamheden|"
    r"ware|bestellung|lieferung|leistung)"
)
_INVOICE = r"(?:facture|invoice|factuur|rechnung|nota)"
# "not paying by card", "betalen niet met cash": about the means, not a refusal.
# "not paying yet" is a delay, not a refusal.
_NOT_MEANS = r"(?!\s+(?:by|via|with|in\s+cash|through|par|en\s+espèces|avec|met|per|contant|via|mit|bar|yet|encore|nog|noch)\b)"
# Who or what does the work a client may say was never done.
_WORK = (
    r"(?:job|work|works|project|installation|migration|intervention|repair|technician|engineer|plumber|"
    r"travail|travaux|chantier|projet|réparation|technicien|ouvrier|plombier|"
    r"werk|klus|project|montage|reparatie|monteur|technicus|loodgieter|arbeit|auftrag|techniker)"
)

CUES: list[Cue] = [
    # --- dispute -------------------------------------------------------------------------
    _c("dispute", "contested", r"\b(?:je|nous|on)\s+(?:[^\s!?;]+\s+)?contest\w*|\bcontest(?:ons|e|er|ation)\b"),
    # "a dispute between our directors" is about something else.
    _c("dispute", "contested", r"\b(?:dispute|disputing|disputed|contest(?:ing)?)\b(?!\s+(?:between|among|within|internally))"),
    _c("dispute", "contested", r"\b(?:betwist\w*|bestreit\w*|beanstand\w*|widersprech\w*|reklamation)\b"),
    _c("dispute", "contested", r"\b(?:désaccord|disagree|oneens|niet\s+akkoord|nicht\s+einverstanden|litige|réclamation|complaint|klacht)\b"),
    _c("dispute", "contested", r"\bpas\s+d['’]accord\b", negatable=False),
    _c("dispute", "contested", r"\b(?:nous|je)\s+(?:refusons|refuse)\s+(?:de\s+(?:payer|régler)|cette\s+facture)|\brefuse\s+to\s+pay\b|\bweigeren\s+(?:te\s+)?betalen\b"),
    _c("dispute", "wrong_amount",
       rf"\b(?:montant|prix|total|tarif|somme|{_INVOICE}|amount|price|figure|bedrag|prijs|totaal|betrag|preis)\s+{_W}{{0,4}}(?:est|is|seems|looks|semble|me semble|nous semble|lijkt|ist)?\s*{_W}{{0,2}}"
       r"(?:erroné\w*|incorrect\w*|faux|fausse|inexact\w*|trop\s+élevé\w*|exagéré\w*|wrong|incorrect|inaccurate|too\s+high|overstated|onjuist|fout\w*|verkeerd|te\s+hoog|falsch|zu\s+hoch)\b"),
    _c("dispute", "wrong_amount",
       r"\b(?:erreur|error|mistake|fout|fehler)\s+(?:[^\s!?;]+\s+){0,2}(?:sur|dans|in|on|op|auf)\s+(?:la|votre|cette|the|your|this|de|uw|die|ihrer)\s+(?:facture|invoice|factuur|rechnung)"),
    _c("dispute", "wrong_amount", r"\b(?:facture|invoice|factuur)\s+(?:est\s+|is\s+)?(?:erronée|incorrecte|wrong|incorrect|onjuist|foutief)\b"),
    _c("dispute", "wrong_amount",
       r"\b(?:amount|montant|bedrag|total|totaal|price|prix|prijs|sum|somme)\s+(?:\w+\s+){0,2}?(?:is|est|was|were|était)\s+(?:not\s+correct|incorrect|wrong|pas\s+correct|erroné|faux|niet\s+(?:juist|correct)|onjuist|fout)\b", 0.85, negatable=False),
    # "Van de 4 motoren zijn er maar 2 gemonteerd", "sur les 40 chaises, seules 28 livrées", "only 2 of the 4".
    _c("dispute", "partial_delivery",
       r"\b(?:van|sur|of|out\s+of)\s+(?:de\s+|les\s+|the\s+)?(?:\d+|deux|trois|quatre|twee|drie|vier|two|three|four)\s+[^.!?]{0,60}?\b(?:maar|slechts|only|seulement|seules?|que)\s+(?:\d+|één|een|one|un|une|deux|twee|two|trois|drie|three)\b|"
       r"\bonly\s+(?:\d+|one|two|three)\s+(?:of|out\s+of)\s+(?:the\s+)?(?:\d+|two|three|four|five)\b|"
       # "Nous avons reçu 2 imprimantes sur les 3 facturées", "only came 3 times", "maar 3 keer geweest".
       r"\b(?:reçu|livré\w*|received|delivered|ontvangen|geleverd|erhalten)\s+(?:\d+|deux|trois|two|three|twee|drie)\s+\w+\s+(?:sur|of|van|von)\s+(?:les\s+|the\s+|de\s+)?\d+|"
       r"\bonly\s+(?:came|come|turned\s+up|showed\s+up|been|did|worked|delivered|cleaned)\s+(?:\w+\s+)?(?:\d+|once|twice|two|three|four)\s*(?:times|x)?\b|"
       r"\b(?:maar|slechts)\s+(?:\d+|twee|drie|vier)\s+(?:keer|maal)\s+(?:\w+\s+)?(?:geweest|gekomen|gepasseerd)|"
       r"\b(?:ne\s+sont|n['’]est|ne\s+\w+)\s+(?:venu\w*|passé\w*)\s+que\s+(?:\d+|deux|trois)\s+fois", 0.85, negatable=False),
    _c("dispute", "wrong_amount", r"\b(?:overcharged|over-?billed|surfactur\w+|trop\s+factur\w+|te\s+veel\s+(?:gefactureerd|aangerekend|gerekend)|zu\s+viel\s+berechnet)\b"),
    _c("dispute", "wrong_amount", r"\bklopt\s+niet\b|\bstimmt\s+nicht\b|\bne\s+(?:correspond|colle)\s+pas\b|\b(?:does|do|did)\s*n['o’]t\s+(?:match|correspond|add\s+up)\b|\b(?:does|do)\s+not\s+(?:match|correspond)\b|\bkomt\s+niet\s+overeen\b", negatable=False),
    _c("dispute", "wrong_amount", r"\b(?:au\s+lieu\s+de|instead\s+of|in\s+plaats\s+van|statt)\b.{0,40}\d", 0.75),
    _c("dispute", "duplicate",
       r"\b(?:factur\w+\s+(?:deux\s+fois|en\s+double|à\s+double)|double\s+facturation|(?:charged|billed|invoiced)\s+twice|double[- ]?(?:billed|charged|invoiced)|"
       r"duplicate\s+(?:charge|invoice\s+for\s+the\s+same)|dubbel\s+gefactureerd|twee\s+keer\s+gefactureerd|twee\s+keer\s+(?:aangerekend|in\s+rekening)|doppelt\s+berechnet)\b"),
    _c("dispute", "not_delivered",
       rf"\b(?:n['’]|ne\s+)?(?:avons|ai|a|ont)\s+(?:toujours\s+|jamais\s+|pas\s+|encore\s+)+(?:rien\s+)?(?:été\s+livrés?|reçu\s+(?:[^\s!?;]+\s+){{0,2}}{_GOODS})", negatable=False),
    _c("dispute", "not_delivered",
       rf"\b{_GOODS}\s+(?:[^\s!?;]+\s+){{0,4}}(?:n['’]\w+\s+|ne\s+\w+\s+)?(?:pas|jamais|never|not|wasn['’]t|weren['’]t|hasn['’]t|haven['’]t|niet|nooit|nie|nicht)\s+(?:encore\s+|yet\s+|been\s+|été\s+|ooit\s+)*(?:livrée?s?|reçue?s?|arrivée?s?|effectuée?s?|réalisée?s?|delivered|arrived|received|shipped|performed|completed|geleverd|ontvangen|aangekomen|uitgevoerd|geliefert|erhalten)\b", negatable=False),
    _c("dispute", "not_delivered",
       rf"\b(?:never|not|haven['’]t|have\s+not|hasn['’]t|has\s+not|didn['’]t|did\s+not|still\s+not|still\s+haven['’]t)\s+(?:yet\s+|even\s+)?(?:been\s+)?(?:received|got|gotten|delivered)\s+(?:[^\s!?;]+\s+){{0,2}}{_GOODS}", negatable=False),
    _c("dispute", "not_delivered",
       rf"\b(?:nooit|niet|nog\s+niet|nog\s+steeds\s+niet)\s+(?:[^\s!?;]+\s+){{0,2}}(?:geleverd|afgeleverd)\b|\b{_GOODS}\s+(?:[^\s!?;]+\s+){{0,5}}(?:nooit|niet|nog\s+niet)\s+(?:[^\s!?;]+\s+)?(?:geleverd|ontvangen|gekregen)", 0.85, negatable=False),
    _c("dispute", "not_delivered", r"\b(?:jamais\s+été\s+livré\w*|pas\s+(?:encore\s+)?été\s+livré\w*|non\s+livré\w*|not\s+(?:yet\s+)?(?:been\s+)?delivered|never\s+(?:been\s+)?delivered|never\s+arrived|niet\s+geleverd|nooit\s+geleverd|nicht\s+geliefert|nie\s+geliefert)\b", negatable=False),
    _c("dispute", "not_ordered",
       r"\b(?:pas\s+ce\s+que\s+nous\s+avons\s+commandé|jamais\s+commandé|pas\s+commandé|n['’]avons\s+(?:jamais|pas)\s+commandé|not\s+what\s+we\s+ordered|never\s+ordered|did\s*n['o]t\s+order|didn['’]t\s+order|not\s+ordered|"
       r"niet\s+(?:wat\s+we\s+)?besteld|nooit\s+besteld|hebben\s+(?:dit|dat|het)\s+niet\s+besteld|nicht\s+bestellt|nie\s+bestellt)\b", negatable=False),
    _c("dispute", "quality",
       r"\b(?:déçue?s?\s+(?:\S+\s+){0,2}qualité|défectueu\w*|défaut\w*|abîmé\w*|endommagé\w*|cassé\w*|non\s+conforme\w*|mauvaise\s+qualité|qualité\s+(?:insuffisante|médiocre|décevante)|malfaçon\w*|"
       r"defective|damaged|broken|faulty|poor\s+quality|substandard|"
       r"defect|kapot|beschadigd|slechte\s+kwaliteit|gebrekkig|mangelhaft|beschädigt)\b"),
    # "does not work" is a complaint about what was sold, not about an IBAN or a link.
    _c("dispute", "quality",
       rf"\b(?:{_GOODS}|machine|site|website|logiciel|software|appareil|apparaat|installation|installatie|système|system|systeem)\s+(?:\S+\s+){{0,4}}?"
       r"(?:ne\s+fonctionne\s+(?:toujours\s+|encore\s+)?(?:pas|plus)|(?:is\s+|are\s+)?(?:still\s+)?not\s+working|does\s*n['o’]?t\s+work|do\s*n['o’]?t\s+work|"
       r"(?:werkt|werken)\s+(?:nog\s+steeds\s+|nog\s+altijd\s+|alweer\s+)?niet|funktioniert\s+(?:immer\s+noch\s+)?nicht)", negatable=False),
    _c("dispute", "already_credited",
       r"\b(?:annulée?\s+par\s+(?:l['’]|un\s+|notre\s+|votre\s+)?avoir|avoir\s+(?:[^\s!?;]+\s+){0,2}(?:émis|reçu|accordé|établi|envoyé)|(?:fait|émis|établi|reçu)\s+(?:l['’]objet\s+d['’])?un\s+avoir|déjà\s+(?:été\s+)?(?:crédité|remboursé|annulé)|"
       r"credit\s+note|credited|already\s+(?:been\s+)?(?:refunded|cancelled|canceled)|"
       r"creditnota|gecrediteerd|al\s+(?:terug)?betaald\s+door\s+u|gutschrift|gutgeschrieben|storniert)\b"),
    # Refusing or withholding payment is a dispute even without a reason ("not paying this",
    # "on ne paiera pas", "wij betalen deze factuur niet"). "Cannot pay" is not a refusal, and a
    # refusal bounded by a date ("won't pay before the 15th") is a promise: see intent._refusal.
    _c("dispute", "contested",
       rf"\b(?:won['’]t|will\s+not|shall\s+not|are\s+not\s+going\s+to|refuse\s+to|am\s+not\s+going\s+to)\s+(?:be\s+)?(?:pay(?:ing)?|settl\w+)\b{_NOT_MEANS}|"
       rf"^\W*(?:we\s+are\s+|we['’]re\s+|i['’]m\s+)?not\s+paying\b{_NOT_MEANS}|\bwithhold(?:ing)?\s+(?:the\s+|our\s+)?payment|\b(?:on\s+hold|blocked)\s+until\b|"
       r"\b(?:ne\s+|n['’])(?:paierons|payerons|paierai|payerai|paiera|payera|réglerons|réglerai|réglera|verserons)\s+(?:pas|rien|que|qu['’]|aucun)|"
       r"\b(?:bloquons|suspendons|retenons|gelons)\s+(?:le\s+)?(?:paiement|règlement)|\brefuse\w*\s+de\s+(?:payer|régler)|"
       rf"\b(?:ga|gaan|zal|zullen)\s+(?:[^\s!?;]+\s+){0,2}niet\s+betalen\b{_NOT_MEANS}|\bbetalen\s+(?:we|wij|ik)?\s*(?:deze\s+|de\s+|die\s+|dit\s+)?(?:factuur\s+|rekening\s+)?(?:dus\s+)?niet\b{_NOT_MEANS}|"
       r"\b(?:houden|hou|houd)\s+(?:we\s+|wij\s+)?(?:de\s+)?betaling\s+(?:\w+\s+){0,2}(?:aan|tegen)|\bwacht\w*\s+(?:\w+\s+){0,2}met\s+betalen\s+tot",
       negatable=False),
    _c("dispute", "contested", r"\b(?:not|don['’]t|do\s+not)\s+agree\s+with\b|\bniet\s+eens\s+met\b|\b(?:maken|maak)\s+(?:[^\s!?;]+\s+)?bezwaar\b|\bbezwaar\s+tegen\b|\bniet\s+akkoord\b", negatable=False),
    # Only part of what was ordered arrived.
    _c("dispute", "partial_delivery",
       r"\b(?:only|seulement|que|maar|slechts|nur)\s+(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|un|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien)\s+"
       r"(?:[^\s!?;]+\s+){0,2}(?:of|sur|van|von|des|du)\s+(?:the\s+|les\s+|de\s+|la\s+)?\d+|"
       r"\b(?:sur|out\s+of|van\s+de|of\s+the)\s+(?:les\s+)?\d+\s+(?:[^\s!?;]+\s+){0,3}(?:seulement|seule?s?|only|maar|slechts)\s+\d+|"
       rf"\b(?:only|seulement|maar|slechts|nur)\s+(?:a\s+|une\s+|een\s+|ein(?:en)?\s+)?(?:part|partie|deel|gedeelte|teil)\s+(?:of|de|du|des|van|der)\s+(?:the\s+|our\s+|la\s+|les\s+|de\s+|het\s+|onze\s+)?{_GOODS}|"
       r"\bmanqu\w*\s+(?:encore\s+)?(?:\d+|des|deux|trois|quatre|cinq|plusieurs|certains|certaines|une\s+partie|la\s+moitié)\b"
       r"(?!\s+(?:chiffres|numéros|caractères|informations|infos|données|détails|mentions|coordonnées|références))|"
       r"\b(?:missing|ontbreken|ontbreekt|fehlen)\s+(?:\d+|some|several|two|three|four|five|half|er\s+\d+)\b|"
       rf"\b{_GOODS}\s+(?:[^\s!?;]+\s+){{0,3}}?(?:manquent|manquaient|missing|ontbreken|ontbreekt|ontbraken|fehlen|fehlt)\b|"
       r"\b(?:\d+|some|several|two|three|half)\s+(?:[^\s!?;]+\s+){0,2}(?:are|were)\s+missing\b|"
       r"\b(?:la\s+moitié|half|de\s+helft|die\s+hälfte)\s+(?:of\s+|de\s+|van\s+)?(?:the\s+|la\s+|les\s+|des\s+|de\s+)?(?:commande|articles?|order|items?|goods|bestelling|goederen|lieferung)\b"
       r"(?=.{0,40}\b(?:manqu|missing|ontbr|arriv|livr|deliver|geleverd|received|reçu|ontvangen|returned|retourn))",
       negatable=False),
    # A price, fee or discount that was never agreed ("taux horaire jamais convenu", "fee would be waived").
    _c("dispute", "price_not_agreed",
       r"\b(?:tarif|taux|prix|frais|pénalités|supplément|remise|rate|price|fee|charge|surcharge|discount|tarief|uurtarief|prijs|kosten|meerkosten|korting|toeslag)\w*\s+"
       r"(?:[^\s!?;]+\s+){0,6}?(?:n['’]\w+\s+|ne\s+\w+\s+)?(?:jamais|pas|never|not|nooit|niet|nie)\s+(?:été\s+|been\s+|ooit\s+|vooraf\s+|met\s+ons\s+)*"
       r"(?:convenu\w*|accepté\w*|validé\w*|prévu\w*|agreed|accepted|approved|discussed|quoted|afgesproken|overeengekomen|goedgekeurd|vereinbart)|"
       r"\b(?:jamais|never|nooit|nie)\s+(?:été\s+|been\s+)?(?:convenu\w*|agreed|afgesproken|overeengekomen|vereinbart)\b|"
       r"\b(?:would|should|was\s+to)\s+be\s+waived\b|\b(?:remise|discount|korting)\s+(?:[^\s!?;]+\s+){0,6}?(?:n['’]apparaît\s+pas|ne\s+figure\s+pas|manqu\w+|missing|not\s+(?:applied|shown|included)|ontbreekt|niet\s+(?:toegepast|verrekend))|"
       r"\b(?:ne\s+(?:tient|tenez|tiennent|tenons)\s+pas\s+compte|does\s*n['o’]t\s+take\s+into\s+account|not\s+taken\s+into\s+account|(?:houdt|houden|hield)\s+geen\s+rekening)\b|"
       # Extra work nobody asked for: "meerwerken nooit besproken", "extra work was never agreed".
       r"\b(?:meerwerk\w*|extra\s+work|additional\s+work|travaux\s+supplémentaires|suppléments?)\s+(?:[^\s!?;]+\s+){0,4}?(?:jamais|pas|never|not|nooit|niet|nie)\s+(?:[^\s!?;]+\s+){0,2}?"
       r"(?:convenu\w*|demandé\w*|commandé\w*|discuté\w*|approuvé\w*|agreed|requested|ordered|discussed|approved|besproken|gevraagd|besteld|goedgekeurd|afgesproken)|"
       # "Wij betalen enkel het bedrag van de offerte", "we will only pay the quoted price".
       r"\b(?:betalen|betaal)\s+(?:we\s+|wij\s+|ik\s+)?(?:enkel|alleen|slechts)\s+(?:het\s+|de\s+)?(?:bedrag|prijs)|\bonly\s+pay\s+(?:the\s+)?(?:quoted|agreed)\b",
       negatable=False),
    # Made out to somebody else: another company of the group, a former company, the wrong name.
    _c("dispute", "wrong_addressee",
       r"\b(?:adressée?|établie?|libellée?|addressed|made\s+out|issued|staat|opgesteld)\s+(?:[^\s!?;]+\s+){0,2}(?:à|au\s+nom\s+de|to|in\s+the\s+name\s+of|op\s+naam\s+van)\s+"
       r"(?:[^\s!?;]+\s+){0,4}?(?:filiale|maison\s+mère|société\s+mère|subsidiary|parent\s+company|holdings?|vorige|ancienne|former|old|previous|verkeerde|mauvaise|wrong)\b"
       r"(?!\s+(?:postal\s+|e-?mail\s+)?(?:address|adresse|adres|office|bureau|e-?mail|mail|kantoor|mailbox|boîte|postbus))|"
       r"\b(?:isn['’]t|is\s+not|n['’]est\s+pas|is\s+niet)\s+(?:ours|à\s+nous|pour\s+nous|van\s+ons|voor\s+ons)\b|"
       r"\b(?:wrong|mauvaise|verkeerde|falsche)\s+(?:company|entity|addressee|customer|client|société|entité|destinataire|bedrijf|entiteit|naam|klant|firma)\b|"
       # "should be billed to our client, not to me", "devrait être établie au nom de…", "moet op
       # naam van de vennootschap en niet op mijn naam".
       r"\b(?:should|must|has\s+to|needs\s+to|ought\s+to)\s+(?:have\s+)?(?:be|been)\s+(?:billed|invoiced|addressed|made\s+out|issued)\s+to\b|"
       r"\b(?:doit|devrait|doivent|devraient|aurait\s+dû)\s+être\s+(?:adressée?s?|établie?s?|libellée?s?|émise?s?|faite?s?)\s+(?:à|au\s+nom)|"
       r"\b(?:au\s+nom\s+de|op\s+naam\s+van|in\s+the\s+name\s+of|billed\s+to|addressed\s+to)\b(?:[^.!?]|\.(?=\d)){0,100}?\b(?:et\s+non|en\s+niet|and\s+not|not\s+to)\b",
       negatable=False),
    # Work not finished, or never done.
    _c("dispute", "not_delivered",
       rf"\b{_WORK}\s+(?:[^\s!?;]+\s+){{0,5}}?(?:never|not|n['’]t|pas|jamais|niet|nooit|nie|nicht)\s+(?:[^\s!?;]+\s+){{0,2}}?"
       r"(?:finished|completed|done|installed|came|come|turned\s+up|showed\s+up|fini\w*|terminé\w*|achevé\w*|venu\w*|réalisé\w*|installé\w*|eu\s+lieu|"
       r"afgemaakt|afgewerkt|klaar|voltooid|geïnstalleerd|gekomen|uitgevoerd|fertig|erledigt|gekommen)\b",
       negatable=False),
    _c("dispute", "not_ordered", r"\b(?:nooit|niet)\s+(?:[^\s!?;]+\s+){0,3}?(?:heb|hebben)\s+besteld\b", negatable=False),
    # Billed for more than was done or used.
    _c("dispute", "wrong_amount",
       r"\b(?:charged|charges|billed|bills|invoiced|facturé\w*|facture[sz]?|compté\w*|gefactureerd|aangerekend|rekent|rekenen)\s+(?:[^\s!?;]+\s+){0,4}?(?:for\s+)?\d+\s*%?\s+(?:[^\s!?;]+\s+){0,8}?(?:but|mais|maar|alors\s+que|terwijl|whereas)\b|"
       # "The total should be €1,200, not €1,440", "le montant devrait être de 1 200 €".
       r"\b(?:total|amount|montant|somme|bedrag|totaal|prix|price|prijs)\s+(?:should|devrait|aurait\s+dû|moet|moest|zou\s+moeten)\s+(?:be|have\s+been|être|zijn)\b|"
       # VAT at the wrong rate: "21% btw aangerekend terwijl dit 6% moest zijn".
       r"\b(?:tva|btw|vat|mwst)\b[^.!?]{0,50}?\b(?:au\s+lieu\s+de|alors\s+que|terwijl|in\s+plaats\s+van|instead\s+of|whereas)\b|"
       r"\d+\s?%\s+(?:de\s+)?(?:tva|btw|vat|mwst)\b[^.!?]{0,50}?\b(?:au\s+lieu\s+de|alors\s+que|terwijl|in\s+plaats\s+van|instead\s+of|whereas|but|mais|maar)\b|"
       r"\b(?:more|plus\s+d['’]|meer)\s+(?:hours|heures|uren|days|jours|dagen)\s+(?:[^\s!?;]+\s+){0,3}?(?:than|que|dan)\b|"
       r"\b(?:only|seulement|maar|slechts)\s+(?:ever\s+)?(?:activated|used|ordered|utilisé|commandé|gebruikt|besteld)\s+\d+|"
       r"\b(?:should|ought)\s*n['o’]?t\s+(?:be\s+)?(?:be\s+)?(?:charged|billed|invoiced)|\bne\s+(?:devrions|devrait|devait)\s+pas\s+être\s+factur",
       negatable=False),
    _c("dispute", "duplicate",
       r"\b(?:doublon|dubbele\s+factuur|duplicate\s+(?:of|invoice)|(?:twee\s+keer|twice|deux\s+fois)\s+(?:dezelfde|the\s+same|la\s+même)|"
       r"déjà\s+(?:été\s+)?factur\w+|already\s+(?:been\s+)?(?:invoiced|billed|charged)|al\s+(?:eerder\s+)?(?:gefactureerd|aangerekend))\b",
       negatable=False),
    _c("dispute", "quality",
       r"\b(?:slecht(?:e)?\s+(?:gedaan|werk|uitgevoerd)|not\s+(?:good|well)\s+done|(?:many|several|lots\s+of)\s+problems?\s+with)\b", negatable=False),
    # VAT at a rate or in a case where it does not apply.
    _c("dispute", "wrong_amount",
       r"\b(?:tva|btw|vat|mwst)\b[^.!?]{0,40}?(?:should\s*n['o’]?t|should\s+not|not\s+(?:be|have\s+been)\s+(?:charged|applied)|ten\s+onrechte|à\s+tort|wrongly|incorrectly|onterecht|verlegd|reverse[- ]charge|autoliquidation|exonéré\w*|exempt\w*|vrijgesteld)|"
       r"\b(?:ten\s+onrechte|à\s+tort|wrongly|incorrectly|onterecht)\s+(?:[^\s!?;]+\s+){0,3}?(?:tva|btw|vat|mwst)\b", 0.8, negatable=False),
    # "seules 8 ont été livrées", "only 8 were delivered", "maar 8 geleverd", "4 palettes manquantes".
    _c("dispute", "partial_delivery",
       r"\b(?:seule?s?|only|slechts|maar|nur)\s+\d+\s+(?:[^\s!?;]+\s+){0,3}?(?:ont\s+été\s+|a\s+été\s+|were\s+|was\s+|have\s+been\s+|zijn\s+|werden\s+|is\s+)?"
       r"(?:livrée?s?|delivered|geleverd|arrived|arrivée?s?|received|reçue?s?|ontvangen|aangekomen|geliefert)\b|"
       r"\b\d+\s+(?:[^\s!?;]+\s+){0,3}?(?:manquante?s?|missing|ontbrekende|fehlende)\b", 0.85, negatable=False),
    _c("dispute", "partial_delivery",
       r"\b(?:only|seulement|maar|slechts|nur)\s+(?:received|got|reçu|ontvangen|gekregen|geleverd|delivered|livré\w*|erhalten)\s+\d+\s+(?:[^\s!?;]+\s+)?(?:of|sur|van|op|von)\b|"
       r"\b(?:missing|ontbreken|ontbreekt|manquent|fehlen)\s+(?:nog\s+|er\s+|still\s+|encore\s+|noch\s+)+(?:\d+|some|several|two|three|half|deux|trois|twee|drie)\b", negatable=False),
    # Made out to the person instead of the company: "addressed to me personally… please reissue
    # it to Bright Sparks Ltd", "adressée à moi personnellement", "op mijn persoonlijke naam".
    _c("dispute", "wrong_addressee",
       r"\b(?:addressed|made\s+out|issued|adressée?|établie?|libellée?|opgesteld|gericht|staat)\s+(?:to|à|aan|op)\s+(?:me|moi|mij|mijn\s+naam)\s+(?:personally|personnellement|persoonlijk|privé|in\s+privé)|"
       r"\bre-?issue\w*\s+(?:it|this|the\s+invoice)\s+(?:to|in\s+the\s+name\s+of)\b|\bop\s+mijn\s+persoonlijke\s+naam\b", 0.85, negatable=False),
    _c("dispute", "wrong_addressee",
       r"\b(?:billed|invoiced|addressed|sent|made\s+out|issued|re-?invoiced?)\s+to\s+(?:our\s+|the\s+)?(?:parent\s+company|head\s+office|holding|subsidiary|sister\s+company|other\s+company)\b|"
       r"\b(?:n['’]est\s+)?pas\s+(?:à|au)\s+(?:notre|mon|bon)\s+nom\b|\bau\s+mauvais\s+nom\b|\bniet\s+op\s+(?:onze|mijn)\s+naam\b|\bnot\s+(?:in\s+)?(?:our|my)\s+name\b", 0.85, negatable=False),
    _c("dispute", "price_not_agreed",
       r"\b(?:never|not|didn['’]t|did\s+not|jamais|nooit|niet|pas)\s+(?:[^\s!?;]+\s+){0,2}?(?:asked\s+for|ordered|requested|demandé|commandé|gevraagd|besteld)\s+(?:[^\s!?;]+\s+){0,2}?(?:extra|additional|supplémentaires?|meerwerk\w*)|"
       r"\bnot\s+what\s+(?:was|we\s+were|you)\s+(?:quoted|agreed|offered)|\bpas\s+ce\s+qui\s+(?:était|a\s+été)\s+(?:convenu|prévu|indiqué)|\bniet\s+wat\s+(?:er\s+)?(?:afgesproken|geoffreerd)|"
       r"\b(?:quote|quotation|estimate|devis|offerte)\b(?:[^.!?]|\.(?=\d)){0,60}?\d(?:[^.!?]|\.(?=\d)){0,40}?\b(?:invoic\w*|factur\w*|charg\w*|aangerekend|rekent|bill\w*)\b(?:[^.!?]|\.(?=\d)){0,30}?\d", 0.8, negatable=False),
    _c("dispute", "quality",
       r"\bstill\s+(?:does\s*n['o’]?t|do\s*n['o’]?t|is\s*n['o’]?t|not)\s+work(?:ing)?\b|\b(?:fonctionne|marche)\s+(?:toujours\s+pas|mal)\b|"
       r"\b(?:werkt|werken)\s+(?:nog\s+steeds|nog\s+altijd|alweer)\s+niet\b|\bwerkt\s+niet\s+meer\b|"
       r"\bferme\s+mal\b|\bmal\s+(?:posée?s?|faite?s?|finie?s?|installée?s?)\b|"
       r"\bbadly\s+(?:done|installed|finished|fitted)\b|\bscheef\b|\bslordig\w*\b", 0.75, negatable=False),
    _c("dispute", "contested",
       rf"\b(?:returned|sent\s+back|renvoyé\w*|retourné\w*|teruggestuurd|teruggezonden|terugbezorgd|zurückgeschickt)\s+(?:[^\s!?;]+\s+){{0,3}}?{_GOODS}|"
       rf"\b{_GOODS}\s+(?:[^\s!?;]+\s+){{0,3}}?(?:returned|sent\s+back|teruggestuurd|renvoyée?s?|retournée?s?)\b|"
       rf"\b(?:annuler|cancel|annuleren|crediteren|créditer|stornieren)\s+(?:[^\s!?;]+\s+){{0,2}}?{_INVOICE}|\b{_INVOICE}\s+(?:[^\s!?;]+\s+){{0,3}}?(?:annulée|cancell?ed|geannuleerd|gecrediteerd)\b", 0.8, negatable=False),
    _c("dispute", "duplicate", r"\b(?:dit|dat|het|this|it|c['’]est|elle)\s+(?:is\s+|est\s+|fait\s+)?(?:dubbel|en\s+double|doublon|a\s+duplicate|double(?:\s+billed)?)\b", 0.85, negatable=False),
    _c("dispute", "duplicate", r"\bsame\s+invoice\s+as\b|\bmême\s+facture\s+que\b|\bdezelfde\s+factuur\s+als\b", 0.85, negatable=False),
    # "Deze factuur is een dubbel van F-2024-013", "het is dezelfde als F-2024-011", "already
    # received under number F-2024-015": the other invoice's number says it is the same one.
    _c("dispute", "duplicate",
       r"\b(?:een\s+)?dubbel\s+van\b|\b(?:dezelfde|hetzelfde|the\s+same|la\s+même|le\s+même)\s+(?:\w+\s+)?(?:als|as|que)\s+(?:(?:factuur|invoice|facture|la|le|nr\.?|no\.?)\s+)?[a-z]{0,4}-?\d|"
       r"\b(?:al|reeds|already|déjà)\s+(?:eens\s+|été\s+)?(?:ontvangen|received|reçue?)\s+(?:\w+\s+){0,2}?(?:onder|under|sous)\s+(?:het\s+|le\s+)?(?:nummer|number|numéro|n°|nr)", 0.85, negatable=False),
    # "Cette facture fait double emploi avec la F-2024-009", "F-2024-017 is een dubbele
    # facturatie", "deze factuur is dubbel", "al betaald onder nummer F-2024-011".
    _c("dispute", "duplicate",
       r"\bdouble\s+emploi\b|\bdubbele\s+factur\w+|\b(?:facture|factuur|invoice|rechnung)\s+(?:\S+\s+)?(?:est|is|ist)\s+(?:\w+\s+)?(?:dubbel|en\s+double|a\s+duplicate|doppelt)\b|"
       r"\b(?:betaald|payée?s?|réglée?s?|paid)\s+(?:\w+\s+)?(?:onder|sous|under)\s+(?:het\s+|le\s+)?(?:nummer|numéro|n°|number|invoice|factuur|facture)\b", 0.9, negatable=False),
    # Somebody else pays it: "ma formation est financée par Actiris", "mijn opleiding wordt betaald
    # door het UWV", "covered by my insurance", "à charge de la mutuelle".
    _c("dispute", "wrong_addressee",
       r"\b(?:financée?s?|payée?s?|prise?s?\s+en\s+charge|remboursée?s?|gefinancierd|betaald|terugbetaald|funded|paid\s+for|covered|reimbursed|bezahlt|übernommen)\s+(?:\w+\s+)?(?:par|door|by|von)\s+"
       r"(?:l['’]|le\s+|la\s+|het\s+|de\s+|the\s+|my\s+|our\s+|mon\s+|ma\s+|notre\s+|mijn\s+|onze\s+|mein\w*\s+)?"
       r"(?:actiris|forem|vdab|uwv|france\s+travail|pôle\s+emploi|opco|employeur|employer|werkgever|arbeitgeber|fonds|fund|cpas|ocmw|mutuelle|mutualité|ziekenfonds|mutualiteit|"
       r"insurance|insurer|assurance|assureur|verzekering|verzekeraar|versicherung|krankenkasse)\b", 0.85, negatable=False),
    # Paying one part and refusing the rest: "I'll pay the consultation on Friday but not the
    # €540 for the crown", "het deel van de controle betaal ik, maar de kroon niet".
    _c("dispute", "contested",
       r"\b(?:pay\w*|betaal\w*|paie\w*|paye\w*|règle\w*|régler)\b[^.!?]{0,60}?\b(?:but\s+not|maar\s+niet|mais\s+pas)\s+(?:the|for|de|het|voor|la|le|les|l['’]|pour|[€$£]|\d)|"
       r"\b(?:pay\w*|betaal\w*|paie\w*|règle\w*)\b[^.!?]{0,60}?[,;.]\s*(?:but|maar|mais)\s+(?:[^\s!?;]+\s+){1,6}?(?:niet|not|pas|never|nooit|jamais)\b", 0.85, negatable=False),
    # Payment held until the work is put right: "nous ne pouvons pas régler avant la
    # réimpression", "I cannot pay before you look again at it", "wij schorten de betaling op tot
    # gecorrigeerde plannen worden geleverd". (Held until a day is a promise: cues "not_before".)
    _c("dispute", "contested",
       r"\b(?:ne\s+(?:\w+\s+){0,2}?pas|cannot|can['’]t|won['’]t|will\s+not|not|niet|geen|nicht|schort\w*|suspend\w*|hold\w*|withh\w*|bloqu\w*|reten\w*|houden)\b"
       r"[^.!?]{0,50}?\b(?:avant|before|until|till|tant\s+que|tot(?:dat)?|zolang|bis)\b[^.!?]{0,60}?"
       r"\b(?:réimpr\w*|corrig\w*|correct\w*|répar\w*|repair\w*|fix\w*|look\s+(?:again|at\s+it)|livr\w*|deliver\w*|geleverd|gecorrigeerd|hersteld|opgelost|"
       r"resolved|résolu\w*|remplac\w*|replac\w*|vervangen|credit\s+note|avoir|creditnota|gutschrift|refai\w*|redo\w*|rectifi\w*|reprint\w*|herdruk\w*|terugkomen|come\s+back|finish\w*|termin\w*|afgewerkt)",
       0.85, negatable=False),
    _c("dispute", "contested",
       r"\b(?:schorten\s+(?:\w+\s+){0,4}?op|suspend\w*\s+(?:le\s+|the\s+|our\s+|notre\s+)?(?:paiement|règlement|payment)|withhold\w*\s+(?:the\s+)?payment|"
       r"houden\s+(?:de\s+)?betaling\s+(?:\w+\s+)?(?:in|aan)|retenons\s+(?:le\s+)?paiement|"
       r"(?:can['’]?not|can['’]t|can\s+not|won['’]t|will\s+not|are\s+unable\s+to)\s+accept\s+(?:this|the|your)\s+invoice|"
       r"ne\s+(?:pouvons|pourrons|peux|pouvez)\s+pas\s+accepter\s+(?:cette|votre|la)\s+facture|(?:kunnen|kan)\s+(?:deze|uw|de|jullie)\s+factuur\s+niet\s+(?:aanvaarden|accepteren)|"
       # "Why would I pay?": "waarom zou ik al betalen??", "pourquoi je paierais ?"
       r"why\s+(?:would|should)\s+(?:i|we)\s+pay|waarom\s+zou(?:den)?\s+(?:ik|we|wij)\s+(?:\w+\s+)?betalen|pourquoi\s+(?:je|on|nous)\s+(?:paierai[st]?|devrai[st]?\s+payer|paierions))\b",
       0.9, negatable=False),
    _c("dispute", "wrong_addressee",
       r"\b(?:wrong\s+(?:person|customer|client|company|address)|mauvaise\s+personne|mauvais\s+client|verkeerde\s+(?:persoon|klant|firma|vennootschap)|"
       r"(?:staat|is)\s+op\s+naam\s+van\s+[^.!?]{2,60}?\b(?:terwijl|maar|in\s+plaats)|est\s+(?:établie\s+|libellée\s+)?au\s+nom\s+de\s+[^.!?]{2,60}?\b(?:alors\s+que|au\s+lieu|mais)|"
       r"is\s+(?:addressed|made\s+out)\s+to\s+[^.!?]{2,60}?\b(?:but|instead|whereas))\b", 0.85, negatable=False),
    _c("dispute", "contested",
       r"\b(?:er|there|il)\s+(?:\w+\s+)?(?:is|zit|y\s+a)\s+(?:een\s+|a\s+|une\s+)?(?:fout|vergissing|mistake|error|erreur)\b|\b(?:er|there)\s+(?:een\s+)?(?:fout|vergissing|mistake|error)\s+(?:\w+\s+)?(?:is|zit)\b", 0.8, negatable=False),
    _c("dispute", "contested",
       rf"\b(?:ik|we|wij)\s+betaal?\w*\s+(?:dit|dat|deze\s+factuur|die\s+factuur|het)\s+nie[t]?\b{_NOT_MEANS}|\b(?:da|dat|dit)\s+betaal\s+(?:ik|we)\s+nie[t]?\b|\bweiger\w*\s+(?:[^\s!?;]+\s+){{0,2}}?(?:factuur|betaling|te\s+betalen)\b|"
       r"\b(?:refuse|reject)\w*\s+(?:this|the|your)\s+invoice\b|\brejet\w*\s+(?:cette|la|votre)\s+facture\b", 0.85, negatable=False),
    # Payment held until the supplier puts something right: "nous réglerons lorsque le solde sera
    # livré", "wij betalen pas als dit hersteld is", "we'll pay once it is fixed". Not "quand mon
    # salaire tombe": the condition must be the supplier's repair, delivery or correction.
    _c("dispute", "contested",
       r"\b(?:pay\w*|settl\w*|régl\w*|pai\w*|pay\w*|betal\w*|betaal|zahl\w*)\s+(?:[^\s!?;]+\s+){0,3}?(?:pas\s+|only\s+|uniquement\s+|seulement\s+|enkel\s+|alleen\s+|erst\s+)?"
       r"(?:als|wanneer|zodra|when|once|after|until|lorsque|quand|dès\s+que|une\s+fois\s+que|wenn|sobald)\s+(?:[^\s!?;]+\s+){0,6}?(?:livrée?s?|réparée?s?|corrigée?s?|rectifiée?s?|terminée?s?|finie?s?|résolue?s?|remplacée?s?|refaite?s?|hersteld|geleverd|opgelost|verbeterd|gecorrigeerd|vervangen|afgewerkt|overgedaan|fixed|repaired|delivered|corrected|resolved|replaced|finished|completed|redone|geliefert|repariert|behoben)\b", 0.8, negatable=False),
    # The supplier's part first, the payment after: "Once the remaining items are complete we will
    # proceed with payment", "dès que la migration sera terminée, nous réglerons", "zodra het
    # hersteld is, betalen we"; and payment withheld in so many words.
    _c("dispute", "contested",
       r"(?:^|[.;:]\s*|\b)(?:once|when|as\s+soon\s+as|after|dès\s+que|lorsque|quand|une\s+fois\s+que|zodra|wanneer|als|nadat|sobald|wenn)\s+(?:[^\s!?;]+\s+){0,8}?"
       r"(?:complete[d]?|finished|fixed|repaired|delivered|corrected|resolved|replaced|done|terminée?s?|finie?s?|livrée?s?|réparée?s?|corrigée?s?|résolue?s?|"
       r"hersteld|geleverd|opgelost|afgewerkt|gecorrigeerd|vervangen|klaar|fertig|geliefert|repariert|behoben)\b[^.!?]{0,60}?"
       r"\b(?:pay\w*|settl\w*|proce\w+\s+with\s+(?:the\s+)?payment|régl\w*|pai\w*|pay\w*|betal\w*|betaal|zahl\w*)", 0.85, negatable=False),
    _c("dispute", "contested",
       r"\bnot\s+(?:yet\s+)?in\s+a\s+position\s+to\s+(?:authori[sz]e|approve|release|make|process)\s+(?:the\s+|any\s+)?payment|"
       r"\bpas\s+(?:encore\s+)?en\s+mesure\s+d['’](?:autoriser|approuver|valider)\s+le\s+(?:paiement|règlement)|"
       r"\b(?:kunnen|kan)\s+(?:de\s+betaling\s+)?(?:nog\s+)?niet\s+(?:goedkeuren|vrijgeven|autoriseren)\b", 0.85, negatable=False),
    # "Dit is niet het werk dat we verwacht hadden", "not what we expected".
    _c("dispute", "quality",
       r"\b(?:niet\s+(?:het\s+werk\s+|de\s+kwaliteit\s+)?(?:wat|dat|die)\s+(?:we|wij|ik)\s+(?:[^\s!?;]+\s+){0,2}?verwacht\w*|not\s+(?:the\s+\w+\s+)?what\s+we\s+(?:had\s+)?expected|"
       r"pas\s+(?:du\s+tout\s+)?(?:ce\s+que|le\s+travail\s+que)\s+nous\s+(?:avions\s+)?(?:attendions|attendu))\b", 0.8, negatable=False),
    # "geen levering", "no delivery yet", "nog niks gekregen": nothing arrived.
    _c("dispute", "not_delivered",
       r"\b(?:geen\s+levering|no\s+delivery|pas\s+de\s+livraison|aucune\s+livraison|keine\s+lieferung)\b|"
       r"\b(?:nog\s+(?:steeds\s+)?(?:niks|niets)|nothing|toujours\s+rien|rien)\s+(?:[^\s!?;]+\s+)?(?:gekregen|ontvangen|geleverd|received|delivered|reçu|livré)\b", 0.85, negatable=False),
    # A refusal in so many words: "ik ga dus geen € 1.440 betalen", "dus ook geen betaling".
    _c("dispute", "contested",
       r"\b(?:ga|gaan|zal|zullen|wil|willen)\s+(?:[^\s!?;]+\s+){0,2}?geen\s+(?:[^\s!?;]+\s+){0,3}?betalen\b|"
       r"\b(?:dus|so|donc|alors)\s+(?:ook\s+|also\s+|aussi\s+)?(?:geen\s+betaling|no\s+payment|pas\s+de\s+(?:paiement|règlement))\b", 0.85, negatable=False),
    # Asking for a corrected invoice is contesting this one.
    _c("dispute", "wrong_amount",
       r"\b(?:facture\s+(?:rectifiée|corrigée|rectificative)|(?:corrected|amended|revised)\s+invoice|(?:gecorrigeerde|verbeterde|correcte)\s+factuur|korrigierte\s+rechnung)\b", 0.75, negatable=False),
    # An invoice called unjustified, or nothing owed: "cette facture n'est pas justifiée", "deze
    # factuur is onterecht", "we don't owe you anything", "wij zijn u niets verschuldigd".
    _c("dispute", "contested",
       r"\b(?:injustifi\w+|unjustifi\w+|unwarranted|unfounded|onterecht\w*|ongegrond\w*|ungerechtfertigt\w*|unberechtigt\w*)\b|"
       rf"\b{_INVOICE}\s+(?:[^\s!?;]+\s+){{0,3}}?(?:not|pas|niet|nicht)\s+(?:[^\s!?;]+\s+)?(?:justifi\w+|terecht|gerechtvaardigd|warranted|berechtigt|fondée?)\b|"
       r"\b(?:(?:don['’]t|do\s+not|does\s*n['’]t)\s+owe\s+(?:you\s+)?(?:anything|a\s+thing|a\s+penny|this|that|it)|owe\s+(?:you\s+)?nothing|"
       r"(?:vous\s+)?(?:devons|dois|doit)\s+rien|(?:niets|niks)\s+(?:verschuldigd|schuldig)|schulden\s+(?:ihnen\s+)?nichts)\b|"
       r"\b(?:hier|daar|waar)\s+(?:betaal|betalen)\s+(?:ik|we|wij)\s+(?:dus\s+)?niet\s+voor\b", 0.85, negatable=False),
    # Extra charges nobody announced, a price above the quote: "your quote was €1,200", "le devis
    # était de 1 200 €", "meer dan afgesproken", "nobody told me about any additional charges".
    _c("dispute", "price_not_agreed",
       r"\b(?:quote|quotation|estimate|devis|offre|offerte|prijsofferte|angebot|kostenvoranschlag)\s+(?:[^\s!?;]+\s+){0,3}?"
       r"(?:was|said|stated|mentioned|came\s+to|était|indiquait|mentionnait|prévoyait|disait|bedroeg|vermeldde|zei|lag\s+op|war|lautete)\s+(?:[^\s!?;]+\s+){0,3}?(?:[€$£]\s?)?\d|"
       r"\b(?:extra|additional|hidden|unexpected|supplementary|supplémentaires?|cachés?|imprévus?|bijkomende|verborgen|onverwachte|zusätzliche)\s+(?:charges?|costs?|fees?|frais|coûts?|kosten|gebühren)\b"
       r"(?=[^.!?]{0,60}\b(?:nobody|no\s+one|never|not\s+in|came\s+from|come\s+from|personne|jamais|pas\s+dans|viennent|niemand|nooit|niet\s+in|komen)\b)|"
       r"\b(?:nobody|no\s+one|never)\s+(?:told|mentioned|said|informed)\s+(?:[^\s!?;]+\s+){0,4}?(?:extra|additional|charges?|costs?|fees?)\b|"
       r"\b(?:more\s+than\s+(?:we\s+|was\s+)?(?:agreed|quoted|discussed|estimated)|plus\s+(?:cher\s+)?que\s+(?:prévu|convenu|le\s+devis|annoncé)|"
       r"(?:meer|duurder)\s+dan\s+(?:afgesproken|geoffreerd|voorzien|overeengekomen|de\s+offerte)|mehr\s+als\s+(?:vereinbart|angeboten))\b", 0.8, negatable=False),
    # Asked as a challenge, not for information: "where do these extra costs come from?"
    _c("dispute", "price_not_agreed",
       r"\b(?:where|d['’]où|waar)\s+(?:[^\s!?;]+\s+){0,4}?(?:extra|additional|supplément\w*|frais|kosten|meerprijs)\b[^.!?]{0,30}?\b(?:came|come|comes|viennent|vient|sortent|komen|komt|vandaan)\b", 0.85, negatable=False),
    # The same work billed twice: "you sent this invoice twice", "deux factures pour la même
    # commande", "twee keer gefactureerd", "dezelfde levering".
    _c("dispute", "duplicate",
       r"\b(?:twice|deux\s+fois|twee\s+keer|tweemaal|zweimal|doppelt|2\s*(?:x|fois|keer|maal|times)(?=\s))(?:\b|(?<=\s))[^.!?;]{0,40}?\b(?:sent|envoyé\w*|gestuurd|verstuurd|ontvangen|received|reçu\w*|factur\w*|gefactureerd|invoiced|billed|charged|gekregen|geschickt|berechnet|aangerekend)\b|"
       r"\b(?:sent|envoyé\w*|gestuurd|verstuurd|received|reçu\w*|factur\w*|invoiced|billed|charged|gekregen|aangerekend)\b[^.!?;]{0,30}?\b(?:twice|deux\s+fois|twee\s+keer|tweemaal|zweimal)\b|"
       r"\b(?:deux|two|twee|zwei|2)\s+(?:factures|invoices|facturen|rechnungen)\s+(?:[^\s!?;]+\s+){0,3}?(?:pour|for|voor|für|over)\s+(?:la\s+|the\s+|de\s+|het\s+|dieselbe\s+|die\s+)?(?:même|same|zelfde|dezelfde|hetzelfde|gleiche)", 0.85, negatable=False),
    # Still waiting for what was sold: "on attend toujours la livraison", "we wachten nog steeds
    # op de levering", "still waiting for the goods".
    _c("dispute", "not_delivered",
       rf"\b(?:still\s+waiting\s+(?:for|on)|toujours\s+en\s+attente\s+d[eu]s?|attend\w*\s+toujours|wacht\w*\s+(?:nog\s+steeds\s+|nog\s+altijd\s+|nog\s+)op|warten\s+(?:immer\s+)?noch\s+auf)\s+(?:[^\s!?;]+\s+){{0,2}}?(?:{_GOODS}|{_WORK}|livraison|levering)\b", 0.85, negatable=False),
    _c("dispute", "quality",
       r"\b(?:bâclé\w*|botched|shoddy|sloppy|slecht\s+(?:afgewerkt|geplaatst|gemonteerd|geïnstalleerd)|niet\s+(?:goed|correct|degelijk)\s+(?:uitgevoerd|gedaan|afgewerkt|geplaatst)|"
       r"not\s+(?:done|finished|installed|fitted)\s+(?:properly|correctly)|pas\s+(?:été\s+)?(?:fait|réalisé|posé|installé)\w*\s+(?:correctement|dans\s+les\s+règles))\b", 0.85, negatable=False),
    # --- paid claim ----------------------------------------------------------------------
    _c("paid_claim", "paid",
       r"\b(?:avons|ai|avez|a)\s+(?:déjà\s+|bien\s+|hier\s+|ce\s+matin\s+|aujourd['’]hui\s+)*(?:(?:payé|réglé|viré|acquitté|soldé)\b|"
       r"effectué\s+(?:le|un|notre|ce)\s+(?:virement|paiement|règlement)|procédé\s+au\s+(?:paiement|règlement|virement)|envoyé\s+(?:le|un|notre)\s+(?:paiement|virement|chèque|règlement)|fait\s+(?:le|un)\s+virement)"),
    _c("paid_claim", "paid",
       r"\b(?:virement|paiement|règlement|chèque|transfert)\s+(?:[^\s!?;]+\s+){0,4}?(?:a\s+été|est|avait\s+été|été)\s+(?:bien\s+|déjà\s+)?(?:effectué|fait|envoyé|parti|réalisé|passé|émis|exécuté|initié|posté)"),
    _c("paid_claim", "paid", r"\b(?:virement|paiement|règlement)\s+(?:effectué|fait|réalisé|envoyé|émis|exécuté|parti)\b"),
    _c("paid_claim", "paid",
       r"\b(?:facture|montant|somme|solde)\s+(?:[^\s!?;]+\s+){0,4}?(?:a\s+été|est|était)\s+(?:déjà\s+|bien\s+)?(?:payée?|réglée?|acquittée?|soldée?|versée?|virée?|transférée?)"),
    _c("paid_claim", "paid", r"\bdéjà\s+(?:été\s+)?(?:payée?s?|réglée?s?|viré)\b"),
    _c("paid_claim", "paid",
       r"\b(?:preuve|justificatif|avis|confirmation|copie)\s+d[eu']\s*(?:notre\s+)?(?:paiement|virement|règlement)|"
       r"\b(?:proof|confirmation|evidence)\s+of\s+(?:the\s+)?(?:payment|transfer)|\bremittance\s+advice|\bpayment\s+confirmation|"
       r"\bbetalingsbewijs|\bbewijs\s+van\s+betaling|\bzahlungsnachweis|\büberweisungsbeleg"),
    _c("paid_claim", "paid",
       r"\b(?:we|i|we['’]ve|i['’]ve|we\s+have|i\s+have|we\s+had|our\s+accounts\s+(?:team|department)\s+(?:has\s+)?)\s*(?:already\s+|just\s+|actually\s+|both\s+)?(?:paid|settled|wired|transferred|remitted|"
       r"sent\s+(?:you\s+)?(?:the\s+|a\s+|our\s+)?(?:payment|money|transfer|funds|cheque|check|wire)|made\s+(?:the\s+|a\s+)?(?:payment|transfer|bank\s+transfer)|initiated\s+(?:the\s+|a\s+)?(?:payment|transfer))"),
    _c("paid_claim", "paid",
       r"\b(?:payment|transfer|invoice|amount|bill|balance|wire|it|funds|money|cheque|check)\s+(?:[^\s!?;]+\s+){0,3}?(?:was|has\s+been|had\s+been|have\s+been|were|is\s+already)\s+(?:already\s+|fully\s+)?(?:paid|made|sent|settled|processed|executed|initiated|transferred|released|wired|issued|remitted)"),
    _c("paid_claim", "paid", r"\balready\s+(?:been\s+)?(?:paid|settled)\b|\bpaid\s+in\s+full\b|\bhas\s+been\s+paid\b"),
    # A cheque on its way is paid as far as the client is concerned: "we mailed a check on
    # Monday", "le chèque vous a été adressé", "j'ai déposé le chèque dans votre boîte".
    _c("paid_claim", "paid",
       r"\b(?:mailed|posted|sent|dropped\s+off|put)\s+(?:you\s+)?(?:a|the|our)\s+(?:check|cheque)|\b(?:check|cheque)\s+(?:was|has\s+been)\s+(?:mailed|posted|sent)|"
       r"\bchèque\s+(?:\w+\s+){0,6}?(?:a\s+été|est\s+parti|est)\s+(?:adressé|envoyé|posté|expédié|déposé)|\b(?:ai|avons)\s+(?:déposé|posté|envoyé|mis)\s+(?:le|un|notre)\s+chèque|"
       r"\bcheque\s+(?:is\s+)?(?:verstuurd|opgestuurd|gepost)\b", 0.85),
    # A participle without its auxiliary: "Overschrijving gedaan op maandag", "payment sent".
    _c("paid_claim", "paid", r"^\W*(?:overschrijving|betaling|storting|transfer|payment|wire)\s+(?:gedaan|uitgevoerd|verstuurd|verzonden|done|made|sent)\b", 0.85),
    # The client's bank has already taken the money: "van onze rekening afgeschreven", "debited".
    _c("paid_claim", "paid",
       r"\b(?:is|zijn|werd|werden)\s+(?:[^\s!?;]+\s+){0,6}?afgeschreven\b|\b(?:was|has\s+been|have\s+been|were)\s+(?:[^\s!?;]+\s+){0,2}?debited\b|"
       r"\b(?:a|ont)\s+(?:bien\s+|déjà\s+)?été\s+(?:débitée?s?|prélevée?s?)\b"),
    _c("paid_claim", "paid", r"^\W*(?:just\s+|already\s+)?(?:sent|paid|wired|transferred)\s+(?:you\s+)?(?:the\s+|our\s+)?(?:payment|money|funds|transfer|amount|invoice|it)\b", 0.8),
    _c("paid_claim", "paid", r"\bc['’]est\s+(?:déjà\s+|bien\s+)?(?:payé|réglé|viré)\b|^\W*(?:déjà\s+)?(?:payé|réglé|viré)\b"),
    _c("paid_claim", "paid", r"\b(?:net|zojuist|zonet|zo\s+net|vandaag|gisteren|vanochtend|vanmorgen|vanmiddag|eergisteren|al|reeds)\s+(?:betaald|overgemaakt|overgeschreven|voldaan)\b|^\W*(?:is\s+)?(?:gisteren\s+|vandaag\s+)?(?:betaald|overgemaakt)\b"),
    _c("paid_claim", "paid",
       r"\b(?:hebben|heb|hebt|is|zijn|werd|werden)\s+(?:[^\s!?;]+\s+){0,6}?(?:betaald|overgemaakt|voldaan|overgeschreven|gestort)\b|"
       r"\b(?:betaling|overschrijving|storting|het\s+geld|het\s+bedrag)\s+(?:is|werd)\s+(?:[^\s!?;]+\s+){0,3}?(?:vertrokken|verstuurd|verzonden|uitgevoerd|doorgevoerd|gebeurd|gedaan)\b"),
    _c("paid_claim", "paid",
       r"\b(?:payment|transfer|it|wire|money|virement|paiement|betaling|overschrijving)\s+(?:[^\s!?;]+\s+)?(?:went|has\s+gone|have\s+gone|is\s+passé|est\s+passé|is\s+doorgegaan)\s+through\b|\b(?:went|has\s+gone)\s+through\b"),
    _c("paid_claim", "paid", r"\b(?:betaald|overgemaakt|voldaan)\s+(?:op|gisteren|vandaag|vorige|afgelopen|eergisteren)\b"),
    _c("paid_claim", "paid",
       r"\b(?:haben|habe|hat|wurde|wurden|ist)\s+(?:[^\s!?;]+\s+){0,6}?(?:bezahlt|überwiesen|beglichen)\b"),
    # "Paid via bank transfer on 30 November", "Paid last Friday": a bare participle opening
    # the sentence, followed by when or how.
    _c("paid_claim", "paid",
       r"^\W*(?:(?:hi|hello|hey|bonjour|salut|hallo|hoi|dag|beste)\b[^,.!]{0,20}[,!.]\s*)?(?:just\s+|already\s+|all\s+)?(?:paid|settled|wired|transferred|payé|réglé|viré|betaald|overgemaakt|voldaan|bezahlt|überwiesen)\s+"
       r"(?:via|through|on|in\s+full|last|yesterday|this\s+morning|today|par|le|hier|ce\s+matin|op|gisteren|vanochtend|vandaag|per|am|gestern|"
       r"by\s+(?:bank|card|credit|transfer|cheque|check|bacs|wire|paypal|direct|virement|carte)|"
       r"monday|tuesday|wednesday|thursday|friday|lundi|mardi|mercredi|jeudi|vendredi|maandag|dinsdag|woensdag|donderdag|vrijdag)\b", 0.85),
    _c("paid_claim", "paid", r"\b(?:we|i)\s+(?:just\s+|already\s+)?(?:sent|paid|wired|transferred)\s+(?:you\s+)?(?:[€$£]\s?\d|\d[\d.,]*\s?(?:€|eur|euros?|\$|£|gbp|usd))"),
    _c("paid_claim", "paid", r"\b(?:this|that|which)\s+(?:[^\s!?;]+\s+){0,2}?(?:was|has\s+been|had\s+been)\s+(?:already\s+|fully\s+)?(?:paid|settled)\b"),
    _c("paid_claim", "paid",
       r"\b(?:is|zijn)\s+(?:[^\s!?;]+\s+){0,3}?de\s+deur\s+uit\s+gegaan\b|\bwent\s+out\b|\b(?:has|have)\s+gone\s+out\b(?!\s+(?:on|next|tomorrow|this\s+(?:friday|monday)))|"
       r"\bleft\s+(?:our|my)\s+(?:account|bank)\b|\bvan\s+(?:onze|mijn)\s+rekening\s+(?:gegaan|vertrokken|afgegaan)\b"),
    # A payment noun with its past participle and no auxiliary, as people write in a hurry:
    # "Transfer sent this morning", "Cheque posted yesterday", "Virement parti hier", "Betaling
    # uitgevoerd op 29/11". With an auxiliary the other cues decide ("était parti sur votre ancien
    # compte" tells a story the next sentence finishes).
    _c("paid_claim", "paid",
       r"\b(?:payment|transfer|bank\s+transfer|wire|cheque|check|remittance|bacs|virement|paiement|règlement|chèque|versement|"
       r"betaling|overschrijving|storting|het\s+geld|het\s+bedrag|the\s+money|l['’]argent)\b"
       r"(?:(?!\b(?:était|est|a|avait|sera|was|is|has|had|will|be|être|werd|wordt|worden|zal|heeft|had)\b)(?:[^.!?;]|\.(?=\d))){0,40}?"
       r"\b(?:made|sent|done|posted|mailed|issued|executed|processed|initiated|completed|effectuée?|envoyée?|(?<!la\s)postée?|faite?(?!\s+partie)|partie?|émise?|exécutée?|"
       r"vertrokken|verstuurd|verzonden|uitgevoerd|gedaan|gebeurd|gegaan)\b", 0.8),
    # --- plan request --------------------------------------------------------------------
    _c("plan_request", "plan",
       r"\b(?:en\s+plusieurs?\s+(?:fois|versements|échéances)|petit\s+à\s+petit|bit\s+by\s+bit|(?:stukje|beetje)\s+bij\s+(?:stukje|beetje)|in\s+schijven|en\s+(?:deux|trois|quatre|cinq|six|\d+)\s+(?:fois|versements|mensualités|échéances|paiements)|"
       r"échéancier|paiements?\s+échelonnés?|échelonn\w+|étaler\s+(?:le\s+|les\s+|ce\s+)?(?:paiements?|règlements?|montant)|mensualités|facilités?\s+de\s+paiement|plan\s+de\s+paiement)\b"),
    _c("plan_request", "plan",
       r"\b(?:instal{1,2}ments?|payment\s+(?:plan|arrangement|schedule)|pay\s+(?:it\s+|this\s+|that\s+|the\s+\w+\s+)?in\s+(?:[^\s!?;]+\s+)?(?:parts|stages|tranches|chunks|pieces)|spread\s+(?:out\s+)?(?:the\s+)?(?:payments?|cost|amount)|"
       r"split\s+(?:the\s+)?(?:payment|invoice|amount|bill)|monthly\s+payments|staggered\s+payments?|part[- ]payments?)\b"),
    _c("plan_request", "plan",
       r"\b(?:in\s+(?:[^\s!?;]+\s+)?termijnen|betalingsregeling|afbetalingsregeling|afbetaling|afbetalen|betaalregeling|gespreid\s+betalen|gespreide\s+betaling\w*|(?:betaling\s+)?spreiden|"
       r"in\s+(?:twee|drie|vier|\d+)\s+(?:keer|delen|termijnen|maandelijkse)|maandelijkse\s+(?:betalingen|termijnen|bedragen)|"
       r"ratenzahlung|in\s+raten|teilzahlung\w*)\b"),
    # "Could we spread this over 2 months?", "in two halves", "half now, half later", "split it".
    _c("plan_request", "plan",
       r"\b(?:spread|split|stagger)\s+(?:it\s+|this\s+|that\s+|the\s+\w+\s+)?(?:over|into|across|in)\s+(?:\d+|two|three|four|five|six|several)\s+(?:months?|weeks?|parts?|payments?|halves)\b|"
       r"\bsplit\s+(?:it|this|that)\b|\bin\s+(?:two|2)\s+halves\b|\bhalf\s+now\b|\bla\s+moitié\s+(?:maintenant|tout\s+de\s+suite|ce\s+mois)|\bmoitié\s+(?:maintenant|ce\s+mois)|"
       r"\bétaler\s+(?:[^\s!?;]+\s+){0,3}?sur\s+(?:\d+|deux|trois|quatre|plusieurs)\s+mois\b|\bde\s+helft\s+(?:nu|nu\s+al|deze\s+maand)\b|"
       r"\b(?:spreiden|verdelen)\s+over\s+(?:\d+|twee|drie|vier|enkele)\s+(?:maanden|weken|keer)\b|\bover\s+(?:\d+|twee|drie|vier)\s+maanden\s+(?:spreiden|verdelen|betalen)\b|"
       r"\bin\s+(?:\d+|twee|drie|vier)\s+(?:stukken|schijven|betalingen)\b|\b(?:\d+|deux|trois|quatre)\s+(?:paiements|versements)\b", 0.85),
    _c("plan_request", "plan",
       r"(?:[€$£]\s?\d[\d.,]*|\b\d[\d.,]*\s?(?:€|eur\b|euros?\b|\$|£)?)\s*(?:a|per|par|each|every|chaque|elke|iedere|pro|/)\s*(?:month|mois|maand|monat|week|semaine|woche)\b"),
    # --- copy request --------------------------------------------------------------------
    _c("copy_request", "copy",
       rf"\b(?:renvoy\w+|réenvoy\w+|retransmett\w+|transmett\w+|envoy\w+|faire\s+parvenir|adress\w+|resend|re-send|send|forward|e-?mail|"
       rf"sturen|toesturen|versturen|doorsturen|mailen|sende\w*|schick\w*|zusenden)\s+(?:[^\s!?;]+\s+){{0,4}}"
       rf"(?:{_INVOICE}|copie|duplicata|copy|kopie|duplicaat|pdf)\b(?!\s+(?:à|to|aan|an)\s+(?:notre|our|ons)\s+(?:service|department|afdeling))"),
    _c("copy_request", "copy",
       rf"\b(?:copie|duplicata|double|copy|kopie|duplicaat|duplicate)\s+(?:[^\s!?;]+\s+){{0,3}}(?:de\s+|of\s+|van\s+|der\s+)(?:la|votre|cette|the|your|this|that|de|uw|deze|die|ihrer)?\s*{_INVOICE}"),
    _c("copy_request", "copy",
       rf"\b(?:{_INVOICE})\s+(?:[^\s!?;]+\s+){{0,4}}(?:à\s+nouveau|de\s+nouveau|again|opnieuw|nogmaals|nog\s+een\s+keer|nog\s+eens|erneut|nochmals|noch\s+einmal)\b"),
    _c("copy_request", "copy",
       rf"\b(?:à\s+nouveau|de\s+nouveau|again|opnieuw|nogmaals|erneut|nochmals)\s+(?:[^\s!?;]+\s+){{0,3}}(?:{_INVOICE})\b"),
    _c("copy_request", "missing_invoice",
       rf"\b(?:pas|jamais|never|not|didn['’]t|haven['’]t|niet|nooit|nicht|nie|kein\w*)\s+(?:[^\s!?;]+\s+){{0,3}}(?:reçu|received|got|gotten|seen|ontvangen|gezien|gehad|gekregen|erhalten)\s+(?:[^\s!?;]+\s+){{0,3}}{_INVOICE}",
       negatable=False),
    _c("copy_request", "copy",
       r"\b(?:me|nous)\s+(?:la|les)\s+(?:renvoyer|réenvoyer|retransmettre|transmettre|faire\s+parvenir|envoyer)\b|\bn['’]ai\s+pas\s+(?:reçu\s+)?(?:la|votre|cette)\s+facture", 0.85),
    _c("copy_request", "missing_invoice",
       rf"\b(?:niet|not|pas|nicht)\s+(?:de|the|la|die)\s+{_INVOICE}\s+(?:zelf|itself|elle-même|selbst)", 0.85, negatable=False),
    _c("copy_request", "missing_invoice",
       rf"\b{_INVOICE}\s+(?:[^\s!?;]+\s+){{0,5}}(?:introuvable|illisible|pas\s+reçue|jamais\s+reçue|jamais\s+arrivée|manquante|missing|not\s+attached|unreadable|corrupt\w*|can['’]?not\s+be\s+opened|"
       r"niet\s+ontvangen|nooit\s+ontvangen|kwijt|niet\s+(?:te\s+)?(?:openen|vinden|gevonden)|nicht\s+erhalten|nie\s+erhalten)", negatable=False),
    _c("copy_request", "missing_invoice",
       rf"\b(?:retrouve|trouve|find|locate|vinden|terugvinden|finden)\s+(?:[^\s!?;]+\s+){{0,2}}(?:la|votre|cette|the|your|this|that|de|uw|deze|die|ihre)?\s*{_INVOICE}", 0.8, negatable=False),
    # Verbs that mean "send again" by themselves ("Can you resend?", "opnieuw versturen"); not
    # the payment ("renvoyer le virement") and not "je vous renvoie à nos conditions".
    _c("copy_request", "copy",
       r"\b(?:resend\w*|re-send\w*|re-?issue\w*|renvoy\w+|réexpédi\w+|retransmett\w+|(?:opnieuw|nogmaals|nog\s+(?:eens|een\s+keer))\s+(?:toe|ver|door)?(?:sturen|mailen|zenden)|"
       r"(?:toe|ver|door)?(?:sturen|mailen)\s+(?:[^\s!?;]+\s+){0,2}?(?:opnieuw|nogmaals|nog\s+(?:eens|een\s+keer))|erneut\s+senden|nochmals\s+schicken)\b"
       r"(?!\s+(?:vers|à|au|aux|to\s+(?:our|the)\s+(?:bank|payment))\b)(?!\s+(?:(?:le|la|the|de|het|our|notre|ons)\s+)?(?:virement|paiement|payment|transfer|betaling|overschrijving|chèque|cheque|money|geld|argent)\b)",
       0.85),
    _c("copy_request", "missing_invoice",
       rf"\b(?:{_INVOICE}|pdf|attachment|pièce\s+jointe|bijlage|anhang|fichier|file|bestand)\s+(?:[^\s!?;]+\s+){{0,5}}?"
       r"(?:(?:n['’]\w+\s+|ne\s+\w+\s+)?(?:pas|not|niet|nicht)\s+(?:jointe?s?|attached|bijgevoegd|included|meegestuurd|angehängt)|est\s+vide|is\s+(?:leeg|empty|blank)|vide|leeg|empty|blank|"
       r"won['’]t\s+open|does\s*n['o’]t\s+open|ne\s+s['’]ouvre\s+pas|gaat\s+niet\s+open|opent\s+niet|missing|manquante?|ontbreekt)", negatable=False),
    _c("copy_request", "copy",
       r"\b(?:graag|please|merci\s+de|svp|s['’]il\s+vous\s+pla[iî]t|bitte)\b.{0,40}\b(?:copie|kopie|copy|duplicata|duplicaat|exemplaar)\b|"
       r"\b(?:copie|kopie|copy|duplicata|duplicaat)\b.{0,25}\b(?:svp|please|graag|s['’]il\s+vous\s+pla[iî]t|bitte)\b", 0.8),
    # Dutch puts the object first ("Kunt u een duplicaat sturen?", "stuur je de factuur nog even
    # door?"); "ik stuur de factuur door naar onze boekhouding" is not a request, so this counts
    # only in a question or a request (intent._find_hits).
    _c("copy_request", "copy_asked",
       rf"\b(?:{_INVOICE}|copie|duplicata|copy|kopie|duplicaat|pdf)\s+(?:[^\s!?;]+\s+){{0,5}}?(?:sturen|toesturen|versturen|doorsturen|opsturen|mailen|bezorgen|zenden|door)\b|"
       rf"\b(?:stuur|stuurt|mail|zend|bezorg)\w*\s+(?:[^\s!?;]+\s+){{0,4}}?(?:{_INVOICE}|kopie|duplicaat|pdf)\b", 0.8),
    _c("copy_request", "copy", r"\b(?:get|have|receive|obtenir|avoir|krijgen|ontvangen)\s+(?:a\s+|une\s+|een\s+)?(?:pdf|copy|copie|kopie|duplicata|duplicaat)\b", 0.85),
    # A link to the invoice that does not open: "le lien vers la facture ne fonctionne pas".
    _c("copy_request", "missing_invoice",
       r"\b(?:lien|link|download\w*|téléchargement)\b[^.!?]{0,40}?\b(?:ne\s+(?:\w+\s+)?(?:fonctionne|marche|s['’]ouvre)\s+pas|doesn['’]t\s+work|does\s+not\s+work|isn['’]t\s+working|broken|expired|expiré|werkt\s+niet|verlopen|kapot|funktioniert\s+nicht|abgelaufen)", 0.85, negatable=False),
    _c("copy_request", "copy", r"\b(?:me|nous)\s+l['’]\s*(?:envoyer|renvoyer|réenvoyer|retransmettre|transmettre|faire\s+parvenir|adresser)\b", 0.85),
    # Public bodies and large firms take invoices only through a platform: "merci de déposer votre
    # facture sur Chorus Pro", "please submit it via Coupa", "gelieve ze via Peppol te sturen".
    # The invoice has to be sent again, another way: the owner reads the platform in the evidence.
    _c("copy_request", "portal",
       r"\b(?:chorus(?:\s+pro)?|peppol|coupa|ariba|basware|tungsten|jaggaer|mercurius|(?:supplier|vendor|e-?invoicing|invoice|invoicing)\s+portal|"
       r"portail\s+(?:fournisseurs?|de\s+(?:facturation|dépôt))|plateforme\s+de\s+facturation|leveranciersportaal|facturatieportaal|lieferantenportal)\b",
       0.85, negatable=False),
    # --- promise -------------------------------------------------------------------------
    _c("promise", "promise",
       r"\b(?:allons|vais|va|allez)\s+(?:vous\s+|le\s+|la\s+|les\s+)?(?:[^\s!?;]+\s+){0,4}?(?:payer|régler|solder|virer|procéder\s+au|effectuer|faire\s+(?:le|un)\s+(?:virement|paiement|nécessaire)|envoyer\s+(?:le|un|notre)\s+(?:paiement|virement|règlement|chèque))"),
    _c("promise", "promise",
       r"\b(?:paierons|payerons|paierai|payerai|paiera|payera|réglera|réglerons|réglerai|virerons|virerai|effectuerons|effectuerai|procéderons|procéderai|solderons|ferons\s+(?:le|un)\s+(?:virement|paiement|nécessaire)|ferai\s+(?:le|un)\s+(?:virement|paiement))\b"),
    _c("promise", "promise",
       rf"\b(?:paiement|virement|règlement|{_INVOICE}|solde|montant|somme)\s+(?:[^\s!?;]+\s+){{0,4}}?(?:sera|seront|va\s+être|interviendra|partira|arrivera|est\s+prévu|est\s+programmé|est\s+planifié|sera\s+effectué|devrait\s+(?:être|arriver|partir|intervenir))"),
    _c("promise", "promise",
       r"\b(?:pouvons|pourrons|pourrai|peux|pourrions|compte|comptons|prévoyons|prévois|prévu\s+de|espérons|espère|essaierons|essayerons|tâcherons)\s+(?:vous\s+)?(?:[^\s!?;]+\s+){0,2}?(?:payer|régler|virer|solder|effectuer\s+le\s+(?:virement|paiement))"),
    _c("promise", "promise",
       r"\b(?:paiement|virement|règlement)\s+(?:[^\s!?;]+\s+){0,2}(?:prévu|programmé|planifié)\b"),
    _c("promise", "promise",
       r"(?:\b(?:will|shall|going\s+to|plan\s+to|planning\s+to|intend\s+to|expect\s+to|aim\s+to|hope\s+to|try\s+to|able\s+to|can|could)|['’]ll)\s+(?:[^\s!?;]+\s+){0,3}?(?:pay|settle|transfer|wire|remit|clear|process|release|(?:get|be)\s+paid|get\s+(?:it|this|that)\s+paid|"
       r"make\s+(?:the\s+|a\s+)?(?:payment|transfer)|send\s+(?:you\s+)?(?:the\s+|a\s+)?(?:payment|money|transfer|funds))\b"),
    _c("promise", "promise",
       rf"\b(?:payment|transfer|{_INVOICE}|amount|balance|it|funds|money)\s+(?:[^\s!?;]+\s+){{0,3}}?(?:will|should|is\s+going\s+to|is\s+scheduled|is\s+planned|shall)\s+(?:[^\s!?;]+\s+){{0,2}}?(?:be\s+(?:paid|made|sent|settled|processed|released|transferred|included|executed|done|honou?red)|arrive|go\s+out|reach|follow|be\s+in)"),
    _c("promise", "promise", r"\b(?:scheduled|planned|queued|booked)\s+(?:[^\s!?;]+\s+){0,3}(?:payment|transfer|for\s+payment|in\s+(?:our|the)\s+(?:next\s+)?payment\s+run)|\bpayment\s+run\b"),
    _c("promise", "promise",
       r"\b(?:zullen|zal|gaan|ga|gaat|kunnen|kan|proberen|probeer|hopen|hoop|willen|wil)\s+(?:[^\s!?;]+\s+){0,9}?(?:betalen|overmaken|voldoen|overschrijven|storten|betaald|overgemaakt|voldaan)\b"),
    _c("promise", "promise",
       r"\b(?:wordt|worden|zal\s+worden|zullen\s+worden)\s+(?:[^\s!?;]+\s+){0,6}?(?:betaald|overgemaakt|voldaan|overgeschreven|gestort|verwerkt|uitbetaald)\b"),
    _c("promise", "promise", r"\b(?:betalen|maken|storten)\s+(?:we|wij|ik)\b(?:\s+\w+){0,6}\s*(?:over)?", 0.8),
    # Dutch puts the verb before the subject after a fronted date: "Half januari betaal ik",
    # "Morgen maak ik het over".
    _c("promise", "present_with_date",
       r"\b(?:betaal|stort|voldoe)\s+(?:ik|we|wij)\b|\b(?:maak|maken)\s+(?:ik|we|wij)\s+(?:[^\s!?;]+\s+){0,4}?over\b", 0.8),
    # An action on the payment with a date, the payment being named elsewhere in the message:
    # "I'll sort it out tomorrow", "Nous le refaisons lundi" (after "le virement est parti sur
    # votre ancien compte"). Counted only with a future date: in answer to a reminder, the
    # thing to sort out is the payment.
    _c("promise", "action_with_date",
       r"(?:\b(?:will|shall|going\s+to|i|we)|['’]ll)\s+(?:[^\s!?;]+\s+){0,2}?(?:sort|handle|deal\s+with|take\s+care\s+of|get\s+(?:it|this|that)\s+(?:done|sorted))\b|"
       r"\b(?:nous|je|on)\s+(?:vous\s+)?(?:le|la|l['’])\s*(?:refai\w+|referons|referai|relan\w+|repass\w+|relancerons)\b|"
       r"\b(?:doen|regelen|proberen)\s+(?:we|wij|ik)\s+(?:het|dat|dit)\b|\b(?:ik|we|wij)\s+(?:doe|doen|regel|regelen)\s+(?:het|dat|dit)\b|"
       r"\b(?:wordt|worden)\s+(?:[^\s!?;]+\s+){0,3}?(?:geregeld|gedaan|in\s+orde\s+gebracht)\b", 0.75),
    # Present tense with a date means the future in Dutch, German and French ("we betalen
    # volgende week", "wir zahlen am Freitag", "on règle vendredi"): counted only with a date.
    _c("promise", "present_with_date",
       r"\b(?:(?:we|wij|ik)\s+(?:betalen|betaal|maken|storten|stort|voldoen|voldoe)|(?:wir|ich)\s+(?:zahlen|zahle|überweisen|überweise|begleichen)|"
       r"(?:on|nous|je)\s+(?:vous\s+|le\s+|la\s+|les\s+|l['’])?(?:paie|paye|payons|règle|réglons|vire|virons|solde|soldons|envoie|envoyons)|(?:we|i)\s+(?:pay|settle|transfer)|"
       r"(?:ik|we|wij)\s+(?:maak|maken|schrijf|schrijven)\s+(?:[^\s!?;]+\s+){0,5}?over)\b", 0.8),
    # "we regelen het zo snel mogelijk", "on s'en occupe au plus vite": a promise without a day,
    # counted only when the message is about paying (intent._find_hits).
    _c("promise", "asap",
       r"\b(?:regelen|regel|doen|betalen|betaal|maak\s+(?:het|dat|dit|ze|hem)|maken\s+(?:we|wij)\s+(?:het|dat|dit)|stort\w*|sort|sorted|r[ée]gularis\w*|handle|deal\s+with|settle|settled|pay|paid|get\s+(?:it|this|that)\s+(?:done|through)|règle\w*|occupe\w*|paie\w*|vire\w*|fais|ferons|ferai)\b[^.!?]{0,30}?"
       r"\b(?:zo\s+snel\s+mogelijk|zo\s+vlug\s+mogelijk|zsm|asap|as\s+soon\s+as\s+(?:possible|we\s+can)|dès\s+que\s+possible|au\s+plus\s+vite|au\s+plus\s+tôt|so\s+schnell\s+wie\s+möglich)\b", 0.75),
    # "Vous recevrez le paiement sous peu", "you'll receive the money", "u ontvangt de betaling".
    _c("promise", "promise",
       r"\b(?:(?:vous\s+)?recevrez\s+(?:le\s+|votre\s+|notre\s+)?(?:paiement|virement|règlement|argent|chèque)|(?:you['’]ll|you\s+will)\s+(?:receive|get)\s+(?:the\s+|your\s+|our\s+)?(?:payment|money|funds|transfer|cheque)|"
       r"(?:u|je|jij)\s+(?:ontvangt|krijgt|zult)\s+(?:[^\s!?;]+\s+){0,2}?(?:betaling|het\s+geld|uw\s+geld|overschrijving))\b", 0.85),
    _c("promise", "promise", r"\b(?:mets|mettons|mettrai|mettrons|va\s+mettre|allons\s+mettre|sera\s+mise?|est\s+mise?)\s+(?:la\s+|le\s+|les\s+|cette\s+facture\s+)?en\s+paiement\b", 0.85),
    _c("promise", "promise", r"\b(?:ingepland|staat\s+gepland|in\s+de\s+(?:volgende\s+)?betaalrun|betaalrun)\b", 0.85),
    _c("promise", "promise", r"\b(?:payment|money|transfer)\s+(?:is\s+)?coming\b|\bbetaling\s+komt\b|\b(?:le\s+)?(?:paiement|virement)\s+arrive\b", 0.85),
    # The client in the payment run: "you'll be in the run of the 15th", "vous serez dans le
    # prochain lot", "dan zit ge erbij" (after naming the run's day).
    _c("promise", "promise",
       r"\b(?:you['’]ll|you\s+will)\s+be\s+(?:in|included\s+in|on|part\s+of)\s+(?:the|our|that)\s+(?:next\s+)?(?:run|batch|payment\s+run|payments?)\b|"
       r"\bvous\s+(?:serez|ferez\s+partie)\s+(?:\w+\s+){0,2}?(?:du|dans\s+le)\s+(?:prochain\s+)?(?:lot|paiement|virement|run)\b|"
       r"\b(?:zit|zitten)\s+(?:ge|u|je|jullie)\s+(?:er\s*bij|mee|in\s+de\s+(?:volgende\s+)?betaalrun)\b|\b(?:ge|u|je|jullie)\s+(?:zit|zitten)\s+(?:er\s*bij|mee\s+in|in\s+de\s+(?:volgende\s+)?betaalrun)", 0.85),
    # The invoice as a pronoun, the payment as a subject that "follows", the invoice that "goes
    # along" with a payment run: "elle sera réglée le 20", "betaling volgt eind januari", "uw
    # factuur gaat mee op 3 januari", "elle passera dans notre prochain lot de paiements".
    _c("promise", "promise",
       r"\b(?:elle|il|celle-ci|celui-ci|ça|cela|le\s+tout)\s+sera\s+(?:\w+\s+)?(?:réglée?|payée?|virée?|soldée?|honorée?|mise?\s+en\s+paiement)|"
       r"\b(?:betaling|overschrijving|storting)\s+volgt\b|\bvolgt\s+(?:de|uw|onze)\s+(?:betaling|overschrijving)|\b(?:paiement|virement|règlement)\s+suivra\b|"
       r"\b(?:gaat|gaan)\s+mee\s+(?:op|in|met|bij)\b|\bpassera\s+(?:dans|avec|lors)\b|\bgoes\s+(?:out\s+)?(?:with|in)\s+(?:the|our)\s+(?:next\s+)?(?:run|payment|batch)", 0.85),
    # "Deze week lukt niet meer, het wordt volgende week vrijdag", "it'll be next Friday": the
    # thing that "will be" in answer to a reminder is the payment; counted only with a date.
    _c("promise", "action_with_date",
       r"\b(?:het\s+wordt|dat\s+wordt|it['’]ll\s+be|it\s+will\s+be|that['’]ll\s+be|ce\s+sera|ça\s+sera|es\s+wird)\b", 0.75),
    _c("promise", "promise",
       r"\b(?:werden|werde|wird|können|kann)\s+(?:[^\s!?;]+\s+){0,6}?(?:bezahlen|überweisen|begleichen|bezahlt|überwiesen|beglichen)\b|\b(?:überweisen|zahlen|begleichen)\s+wir\b"),
    # "nous ne pourrons pas payer avant le 30": a refusal with a date is a promise for that date.
    _c("promise", "not_before",
       r"\b(?:ne\s+(?:pourrons|pouvons|pourrai|peux|pourra)\s+(?:la\s+|le\s+|vous\s+|les\s+)?(?:payer|régler)\s+qu['’e]|"
       r"ne\s+(?:pourrons|pouvons|pourrai|peux|pourra|sera)\s+pas\s+(?:[^\s!?;]+\s+){0,3}?(?:payer|régler|être\s+(?:payée?|réglée?))\s+(?:[^\s!?;]+\s+){0,3}?(?:avant|qu['’]à\s+partir|que)|"
       r"(?:can['’]?not|can['’]t|won['’]t\s+be\s+able\s+to|will\s+not\s+be\s+able\s+to|unable\s+to|not\s+able\s+to)\s+(?:[^\s!?;]+\s+){0,2}?pay\s+(?:[^\s!?;]+\s+){0,3}?(?:before|until|till|prior\s+to)|"
       r"(?:kunnen|kan)\s+(?:[^\s!?;]+\s+){0,4}(?:pas|niet\s+(?:eerder\s+dan|vóór|voor))\s+(?:[^\s!?;]+\s+){0,4}|"
       r"(?:können|kann)\s+(?:[^\s!?;]+\s+){0,3}(?:erst|nicht\s+vor))", 0.85, negatable=False),
    # Any negated payment bounded by a date: "je ne réglerai rien avant le 15", "we won't release
    # payment until 15 January". Counted only when a date follows (intent._find_hits).
    _c("promise", "not_before_date",
       r"(?:\bne\b|\bn['’]|\bnot\b|n['’]t\b|\bcannot\b|\bunable\b|\bniet\b|\bgeen\b|\bnicht\b).{0,40}?\b(?:pay\w*|paid|pai\w*|régl\w*|vir\w*|vers\w*|betal\w*|overma\w*|settl\w*|release\w*|remit\w*|zahl\w*)\b"
       r".{0,30}?\b(?:avant|before|until|till|prior\s+to|voor|vóór|qu['’]à\s+partir\s+d\w*|vor|erst)\b", 0.85, negatable=False),
    _c("promise", "promise", r"\bpas\s+avant\s+(?:le|la|fin)\b|\bnot\s+(?:before|until)\b|\bpas\s+vóór\b|\bniet\s+(?:vóór|voor)\s+(?:de|het|eind)\b|\berst\s+(?:am|ab|nach|ende)\b", 0.75, negatable=False),
]
