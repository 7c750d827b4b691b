"""Which language to write to a client in: from the buyer's country, else from the text.

Belgium is bilingual, so a Belgian buyer only tells us "fr or nl": the invoice text decides.
"""

from __future__ import annotations

import re

LANGUAGES = ("fr", "en", "nl", "de")

_COUNTRY = {
    "FR": "fr", "MC": "fr", "LU": "fr", "RE": "fr", "GP": "fr", "MQ": "fr", "GF": "fr", "YT": "fr",
    "NL": "nl", "SR": "nl",
    "DE": "de", "AT": "de", "LI": "de",
}

# Frequent words of invoices and short emails in each language; whole words only.
_WORDS = {
    "fr": "facture avoir montant total ttc ht tva échéance date de du la le les et à payer net règlement "
          "virement client conditions paiement jours fin mois merci pour votre vous",
    "nl": "factuur creditnota bedrag totaal btw vervaldatum datum te betalen van de het en een klant "
          "betaling betalingstermijn dagen voor uw u bedankt graag",
    "de": "rechnung gutschrift betrag gesamtbetrag mwst ust fällig datum zu zahlen der die das und von "
          "kunde zahlung zahlungsziel tage netto bis ihre sie vielen dank bitte",
    "en": "invoice credit note amount total vat due date to pay the and of customer payment terms days "
          "net please thank you your for bill",
}
_WORD_SETS = {lang: set(words.split()) for lang, words in _WORDS.items()}
_TOKEN = re.compile(r"[a-zà-öø-ÿ]+", re.IGNORECASE)


def language_for_country(country: str | None) -> str | None:
    """'FR' -> 'fr', 'AT' -> 'de', 'BE' -> None (text decides), anything else -> 'en'."""
    if not country:
        return None
    code = country.strip().upper()
    if code == "BE" or code == "CH":
        return None
    return _COUNTRY.get(code, "en")


def guess_text_language(text: str) -> tuple[str | None, float]:
    """('fr', share of hits) for the language whose common words occur most; (None, 0) if none."""
    counts = dict.fromkeys(LANGUAGES, 0)
    # Web and mail addresses ("hetzner.de") are not words of any language.
    text = re.sub(r"\S+@\S+|(?:https?://|www\.)\S+|\S+\.(?:de|fr|nl|be|com)\b", " ", text.lower())
    for token in _TOKEN.findall(text):
        for lang, words in _WORD_SETS.items():
            if token in words:
                counts[lang] += 1
    total = sum(counts.values())
    if total == 0:
        return None, 0.0
    best = max(LANGUAGES, key=lambda lang: counts[lang])
    return best, counts[best] / total
