"""Scores on public corpora and on our labelled client replies; run with -s to see the figures.

Floors (committed): bounce/auto-reply detection >= 99% on sisimai and flanker; hard/soft agrees
with sisimai's ground truth for >= 85% of bounces; no labelled client reply read as a bounce or
an auto-reply; dispute precision and recall >= 95%; promise date exact for >= 95% of promises;
every other intent precision and recall >= 90%; paid-on date exact >= 90%.
"""

from __future__ import annotations

import csv
import email
from collections import Counter
from email import policy
from pathlib import Path

import pytest

from mailbot.replies import read_message
from mailbot.replies.reading import INTENTS
from tests.test_replies_corpus import FIXTURES, load_cases, message_for

BOUNCES = FIXTURES / "bounces"


def _read(path: Path):
    return read_message(email.message_from_bytes(path.read_bytes(), policy=policy.default))


def _sisimai_truth() -> dict[str, dict[str, str]]:
    with open(BOUNCES / "GROUND_TRUTH_sisimai_bounces.tsv", encoding="utf-8") as handle:
        rows = csv.DictReader(handle, delimiter="\t")
        return {row["file"]: row for row in rows if row["recipient_index"] == "1"}


def _expected_kind(name: str, row: dict[str, str] | None) -> str:
    # Out-of-office, abuse/opt-out reports and "delivered" notices are machine mail but not
    # failures: mailbot files them as auto-replies. Files without a ground-truth row are bounces,
    # except ARF reports by their name.
    if name.startswith("arf-") or (row and row["reason"] in ("vacation", "feedback", "delivered")):
        return "auto_reply"
    return "bounce"


def test_sisimai_detection_and_hardness() -> None:
    truth = _sisimai_truth()
    files = sorted((BOUNCES / "sisimai").glob("*.eml"))
    detected = 0
    hard_total = hard_right = 0
    misses: list[str] = []
    for path in files:
        row = truth.get(path.name)
        expected = _expected_kind(path.name, row)
        reading = _read(path)
        if reading.kind == expected:
            detected += 1
        else:
            misses.append(f"{path.name}: {reading.kind} (expected {expected})")
        if row and expected == "bounce" and reading.bounce is not None:
            hard_total += 1
            hard_right += reading.bounce.hard == (row["hard_bounce"] == "true")
    rate = detected / len(files)
    hard_rate = hard_right / hard_total
    print(f"\nsisimai: {detected}/{len(files)} detected ({rate:.1%}); hard/soft right {hard_right}/{hard_total} ({hard_rate:.1%})")
    for miss in misses:
        print("  miss", miss)
    assert len(files) > 250
    assert rate >= 0.99
    assert hard_rate >= 0.85


def test_flanker_bounces_complaints_and_others() -> None:
    bounces = sorted((BOUNCES / "flanker").glob("*.eml"))
    complaints = sorted((BOUNCES / "flanker" / "complaints").glob("*.eml"))
    others = sorted((BOUNCES / "flanker" / "nonbounce").glob("*.eml")) + sorted((BOUNCES / "sisimai-not").glob("*.eml"))
    got_bounces = sum(_read(p).kind == "bounce" for p in bounces)
    got_complaints = sum(_read(p).kind == "auto_reply" for p in complaints)
    false_bounces = [p.name for p in others if _read(p).kind == "bounce"]
    print(f"\nflanker: bounces {got_bounces}/{len(bounces)}, complaints as auto_reply {got_complaints}/{len(complaints)}, "
          f"non-bounces taken for bounces {len(false_bounces)}/{len(others)}")
    assert got_bounces == len(bounces)
    assert got_complaints == len(complaints)
    assert false_bounces == []


@pytest.mark.parametrize(
    "name, hard, status, reason",
    [
        ("gmail-invalid-address.eml", True, "5.1.0", "userunknown"),
        ("mailbox-full.eml", False, "5.2.2", "mailboxfull"),
        ("zed.eml", True, "5.1.1", "userunknown"),
        ("office365.eml", True, "5.1.10", "notaccept"),
        ("delayed.eml", False, "4.0.0", None),
    ],
)
def test_flanker_bounce_details(name: str, hard: bool, status: str, reason: str | None) -> None:
    bounce = _read(BOUNCES / "flanker" / name).bounce
    assert bounce is not None
    assert (bounce.hard, bounce.status) == (hard, status)
    if reason:
        assert bounce.reason == reason
    assert bounce.recipient and "@" in bounce.recipient


def test_bounce_finds_the_original_message_id() -> None:
    bounce = _read(BOUNCES / "flanker" / "zed.eml").bounce
    assert bounce is not None and bounce.original_message_id == "<20090708054735.GC7578@example.com>"


def test_labelled_client_replies() -> None:
    cases = load_cases()
    assert len(cases) >= 150
    predicted: dict[str, str] = {}
    kinds = Counter()
    promise_total = promise_right = paid_total = paid_right = 0
    amount_total = amount_right = reason_total = reason_right = 0
    wrong: list[str] = []
    for case in cases:
        reading = read_message(message_for(case))
        kinds[reading.kind] += 1
        predicted[case.id] = reading.intent or reading.kind
        if reading.intent != case.intent:
            wrong.append(f"{case.id} [{case.style}] {case.intent} -> {reading.intent}: {reading.new_text[:70]!r}")
        if case.intent == "promise":
            promise_total += 1
            promise_right += reading.intent == "promise" and reading.date == case.date
        if case.intent == "paid_claim":
            paid_total += 1
            paid_right += reading.intent == "paid_claim" and reading.date == case.date
        if case.amount is not None:
            amount_total += 1
            amount_right += str(reading.amount) == case.amount
        if case.reason is not None:
            reason_total += 1
            reason_right += bool(reading.reason) and reading.reason.split(":")[0] == case.reason
    print(f"\nlabelled replies: {len(cases)} ({Counter(c.lang for c in cases)}), kinds {dict(kinds)}")
    scores = {}
    for intent in INTENTS:
        tp = sum(1 for c in cases if c.intent == intent and predicted[c.id] == intent)
        fp = sum(1 for c in cases if c.intent != intent and predicted[c.id] == intent)
        fn = sum(1 for c in cases if c.intent == intent and predicted[c.id] != intent)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        scores[intent] = (precision, recall)
        print(f"  {intent:13} n={tp + fn:3}  precision {precision:6.1%}  recall {recall:6.1%}")
    print(f"  promise date exact {promise_right}/{promise_total}; paid date exact {paid_right}/{paid_total}; "
          f"amounts {amount_right}/{amount_total}; dispute reason category {reason_right}/{reason_total}")
    for line in wrong:
        print("  wrong", line)
    assert kinds == Counter({"client_reply": len(cases)})  # no bounce/auto-reply false positive
    assert scores["dispute"][0] >= 0.95 and scores["dispute"][1] >= 0.95
    assert promise_right / promise_total >= 0.95
    for intent in ("promise", "paid_claim", "copy_request", "plan_request", "question", "other"):
        assert min(scores[intent]) >= 0.90, intent
    assert paid_right / paid_total >= 0.90
    assert amount_right == amount_total
    assert reason_right / reason_total >= 0.90


def test_holdout_written_after_tuning() -> None:
    """holdout_mixed.yaml was written after the rules were tuned and is never tuned on.

    Its first run (recorded in the report) read 27/42 intents right, 14/17 dates; misses fell to
    `other`/`question` (the owner is asked) rather than to a wrong action. Floors: no reply taken
    for machine mail, >= 60% intents, no false dispute, >= 80% dates on right promises/paid claims.
    """
    import yaml

    from tests.test_replies_corpus import DEFAULT_TODAY, REPLIES, STYLES, Case

    raw = yaml.safe_load((REPLIES / "holdout_mixed.yaml").read_text(encoding="utf-8"))
    right = dated = dated_right = false_disputes = 0
    for index, item in enumerate(raw):
        case = Case(id=item["id"], lang=item["lang"], intent=item["intent"], text=item["text"],
                    today=item.get("today", DEFAULT_TODAY), style=STYLES[index % len(STYLES)], date=item.get("date"))
        reading = read_message(message_for(case))
        assert reading.kind == "client_reply", case.id
        right += reading.intent == case.intent
        false_disputes += reading.intent == "dispute" and case.intent != "dispute"
        if case.intent in ("promise", "paid_claim") and reading.intent == case.intent:
            dated += 1
            dated_right += reading.date == case.date
    print(f"\nhold-out: intents {right}/{len(raw)}, dates {dated_right}/{dated}, false disputes {false_disputes}")
    assert right / len(raw) >= 0.60
    assert false_disputes == 0
    assert dated_right / dated >= 0.80
