"""One line per case: where the intent rules must hold their ground (negation, refusal vs delay,
means of payment, missing things that are not goods). Not part of any scored set."""

from __future__ import annotations

from datetime import date

import pytest

from mailbot.replies import classify_intent

WED = date(2024, 12, 4)  # a Wednesday


@pytest.mark.parametrize(
    "text, intent, when",
    [
        # Refusals are disputes; a refusal bounded by a date is a promise for that date.
        ("Not paying this. Job was never finished.", "dispute", None),
        ("wij betalen deze factuur niet want het werk is nog niet klaar", "dispute", None),
        ("We won't pay until the 20th.", "promise", date(2024, 12, 20)),
        ("Ik wacht met betalen tot 15 december.", "promise", date(2024, 12, 15)),
        ("Je ne réglerai rien avant le 15, notre comptable est en congé.", "promise", date(2024, 12, 15)),
        ("On ne paiera pas une marchandise cassée.", "dispute", None),
        # The means of payment is not a refusal.
        ("I'm not paying by card, I'll transfer on Friday.", "promise", date(2024, 12, 6)),
        ("We betalen niet met creditcard maar via overschrijving, volgende week.", "promise", date(2024, 12, 13)),
        # Missing things that are not goods; unfinished things that are not work.
        ("Il manque le numéro de commande sur la facture, pouvez-vous le rajouter ?", "question", None),
        ("The transfer is not done yet but it will be on Friday.", "promise", date(2024, 12, 6)),
        ("Your reminder was addressed to my old email address.", "other", None),
        ("Il manque deux cartons.", "dispute", None),
        ("Three items are missing from the delivery.", "dispute", None),
        # Dispute words that do not dispute the invoice.
        ("Aucune réclamation de notre part. Le paiement partira le 13.", "promise", date(2024, 12, 13)),
        ("There was a dispute between our directors about signing; resolved now, paying Friday.", "promise", date(2024, 12, 6)),
        ("Bonjour, quel est votre RIB ? Celui de la facture ne fonctionne pas sur notre outil.", "question", None),
        # Typed without accents.
        ("je n'ai jamais recu la facture, pouvez-vous me la renvoyer ?", "copy_request", None),
        ("paiement debut janvier, desole", "promise", date(2025, 1, 10)),
    ],
)
def test_intent_holds(text: str, intent: str, when: date | None) -> None:
    reading = classify_intent(text, today=WED)
    assert (reading.intent, reading.date) == (intent, when), reading


@pytest.mark.parametrize(
    "text, expected",
    [
        ("volgende week dinsdag", date(2024, 12, 10)),
        ("next week Tuesday", date(2024, 12, 10)),
        ("mardi de la semaine prochaine", date(2024, 12, 10)),
        ("dinsdag volgende week", date(2024, 12, 10)),
        ("lundi en huit", date(2024, 12, 16)),
        ("avant Noël", date(2024, 12, 24)),
        ("voor kerst", date(2024, 12, 24)),
        ("sous huitaine", date(2024, 12, 11)),
        ("sous quinzaine", date(2024, 12, 18)),
        ("fevrier 2025", None),  # a month alone is not a day
    ],
)
def test_new_date_forms(text: str, expected: date | None) -> None:
    from mailbot.replies.dates import find_dates

    found = find_dates(text, WED)
    assert (found[0].value if found else None) == expected


@pytest.mark.parametrize(
    "text, when",
    [
        ("The invoice is in this week's payment run, which goes out Thursday.", date(2024, 12, 5)),
        ("Le règlement interviendra début janvier, au plus tard le 10.", date(2025, 1, 10)),
        ("Payment next week, on Tuesday most likely.", date(2024, 12, 10)),
    ],
)
def test_a_named_day_refines_a_vague_bound(text: str, when: date) -> None:
    assert classify_intent(text, today=WED).date == when


# How the model's opinion is combined with the rules' reading (pure logic: fake probabilities).
def _combined(text: str, probabilities: dict[str, float]):
    from mailbot.replies.intent import combine, read_by_rules

    today = date(2024, 12, 4)
    reading, hits = read_by_rules(text, today=today)
    full = {k: 0.0 for k in ("promise", "paid_claim", "dispute", "copy_request", "plan_request", "question", "other")}
    full.update(probabilities)
    return combine(reading, hits, full, text, today=today, language=None)


def test_model_overrules_a_weak_rules_reading_and_the_rules_fill_the_date() -> None:
    reading = _combined("Tuesday you will see it appear.", {"promise": 0.8, "other": 0.2})
    assert (reading.intent, reading.date) == ("promise", date(2024, 12, 10))
    assert reading.extra["rules"] == "other" and reading.confidence < 0.8


def test_a_sure_rules_reading_stands_against_the_model() -> None:
    reading = _combined("Nous ne contestons pas la facture ; le virement partira le 20 décembre.", {"dispute": 0.9, "promise": 0.1})
    assert (reading.intent, reading.date) == ("promise", date(2024, 12, 20))


def test_a_hedged_promise_stays_with_the_owner() -> None:
    reading = _combined("We'll try to pay next week, no promises.", {"promise": 0.9, "other": 0.1})
    assert reading.intent == "other"


def test_a_likely_dispute_counts_from_a_lower_probability_over_a_weak_reading() -> None:
    text = "Het dak lekt nog altijd sinds jullie passage."
    assert _combined(text, {"dispute": 0.4, "other": 0.6}).intent == "dispute"
    assert _combined(text, {"dispute": 0.2, "other": 0.8}).intent == "other"
    assert _combined("We betalen nog niet.", {"dispute": 0.6, "other": 0.4}).intent == "other"  # "not yet" is no refusal


def test_a_promise_the_model_invents_needs_a_payment_or_a_day() -> None:
    assert _combined("Merci pour le rappel, bien reçu.", {"promise": 0.9, "other": 0.1}).intent == "other"


def test_somebodys_return_is_not_a_promise_the_model_may_invent() -> None:
    assert _combined("Hello, our accountant will be back on Monday.", {"promise": 0.6, "other": 0.4}).intent == "other"


def test_only_the_head_of_a_huge_reply_is_read() -> None:
    from mailbot.replies.intent import MAX_READ_CHARS, classify_intent

    head = "Bonjour, la marchandise est arrivée cassée, nous ne paierons pas cette facture. "
    text = head + "bla " * (MAX_READ_CHARS // 2)
    reading = classify_intent(text, today=date(2024, 12, 4))
    assert reading.intent == "dispute"
    assert reading.extra["truncated"] == str(len(text))
    assert len(reading.new_text) == MAX_READ_CHARS  # read.read_message puts the whole text back


def test_a_dated_promise_yields_only_to_a_clear_dispute() -> None:
    # Long mails that explain a delay read like disputes to the model: a narrow dispute does not
    # undo a promise the rules read with its day; a clear one does.
    text = "The invoice waited for the signature of the director, who was ill until last week. Payment on 12/12."
    assert _combined(text, {"dispute": 0.55, "promise": 0.45}).intent == "promise"
    assert _combined(text, {"dispute": 0.7, "promise": 0.3}).intent == "dispute"


def test_a_promise_to_pay_part_is_a_dispute_when_the_model_is_all_but_sure() -> None:
    text = "Only the bathroom is finished, the kitchen is not started. We will pay for the bathroom part now."
    assert _combined(text, {"dispute": 0.9, "promise": 0.1}).intent == "dispute"
    assert _combined(text, {"dispute": 0.7, "promise": 0.3}).intent == "promise"  # a sure cue stands
    denied = "No dispute on our side, we will pay for it now."
    assert _combined(denied, {"dispute": 0.9, "promise": 0.1}).intent == "promise"


def test_a_what_for_question_is_not_a_dispute_the_model_reads_into_it() -> None:
    text = "Could you tell me what this invoice is for? We had two call-outs in October."
    assert _combined(text, {"dispute": 0.6, "question": 0.4}).intent == "question"
    assert _combined("Is this invoice correct?", {"dispute": 0.6, "question": 0.4}).intent == "dispute"
