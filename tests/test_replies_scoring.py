"""Scores on public corpora and on our labelled client replies; run with -s to see the figures.

Three sets of client replies, kept apart because they answer different questions:
- the tuning set (labelled_*.yaml, 195): the rules were written against it, so its score only
  proves nothing regressed;
- the old hold-out (holdout_mixed.yaml, 42): written after the first tuning, never tuned on;
- the blind set (blind_2024.yaml, 192): written before the second round of rule changes. Its
  odd-numbered half is *sealed*: its misses are never printed, so rule changes could not be
  aimed at them; its score is the honest estimate for replies nobody has seen.

Since 2026 the reader is the rules plus a statistical model trained on every one of these sets, so
here the rules are scored alone (the `rules_only` fixture): on sets the model learned from, the
combined score would prove nothing. The combined reader's honest figures, by leaving each
independent author out of training, are in tests/test_replies_model.py.

Floors (committed): bounce/auto-reply detection >= 99% on sisimai and flanker; hard/soft agrees
with sisimai's ground truth for >= 85% of bounces; no labelled client reply read as a bounce or
an auto-reply; floors per set below, and on all sets together.
"""

from __future__ import annotations

import csv
import email
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from email import policy
from pathlib import Path

import pytest

from mailbot.replies import read_message
from mailbot.replies.reading import INTENTS
from mailbot.replies.reading import ReplyReading
from tests.test_replies_corpus import FIXTURES, Case, load_cases, load_set, message_for

BOUNCES = FIXTURES / "bounces"


@pytest.fixture(autouse=True)
def rules_only(monkeypatch: pytest.MonkeyPatch) -> None:
    import mailbot.replies.intent as intent

    monkeypatch.setattr(intent, "load_model", lambda: None)
    monkeypatch.setattr(intent, "load_reason_model", lambda: None)


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


@dataclass
class Score:
    """What one set of labelled replies says about the intent reader."""

    cases: int = 0
    confusion: Counter = field(default_factory=Counter)  # (labelled, read) -> count
    kinds: Counter = field(default_factory=Counter)
    promise_total: int = 0
    promise_right: int = 0  # read as a promise with exactly the labelled date
    paid_total: int = 0
    paid_right: int = 0
    amount_total: int = 0
    amount_right: int = 0
    reason_total: int = 0
    reason_right: int = 0
    leaks: list[str] = field(default_factory=list)  # quoted reminder left in new_text
    wrong: list[str] = field(default_factory=list)

    def add(self, other: Score) -> Score:
        total = Score()
        for name in ("cases", "promise_total", "promise_right", "paid_total", "paid_right",
                     "amount_total", "amount_right", "reason_total", "reason_right"):
            setattr(total, name, getattr(self, name) + getattr(other, name))
        total.confusion = self.confusion + other.confusion
        total.kinds = self.kinds + other.kinds
        total.leaks = self.leaks + other.leaks
        total.wrong = self.wrong + other.wrong
        return total

    def precision_recall(self, intent: str) -> tuple[float, float]:
        tp = self.confusion[(intent, intent)]
        fp = sum(n for (label, read), n in self.confusion.items() if read == intent and label != intent)
        fn = sum(n for (label, read), n in self.confusion.items() if label == intent and read != intent)
        return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)

    def false_positive_rate(self, intent: str) -> float:
        """Share of replies that are NOT `intent` but were read as it (a false dispute stops
        reminders; a false promise delays them)."""
        others = sum(n for (label, _), n in self.confusion.items() if label != intent)
        wrong = sum(n for (label, read), n in self.confusion.items() if label != intent and read == intent)
        return wrong / others if others else 0.0

    @property
    def right(self) -> int:
        return sum(n for (label, read), n in self.confusion.items() if label == read)

    @property
    def promise_date_rate(self) -> float:
        return self.promise_right / self.promise_total if self.promise_total else 1.0


_REMINDER_WORDS = ("Sauf erreur", "Our records show", "Volgens onze administratie", "ACME", "Jean Dupont", "tu peux regarder", "can you pay this", "kun jij dit")


def score(cases: list[Case]) -> Score:
    result = Score()
    for case in cases:
        reading: ReplyReading = read_message(message_for(case))
        result.cases += 1
        result.kinds[reading.kind] += 1
        read = reading.intent or reading.kind
        result.confusion[(case.intent, read)] += 1
        if read != case.intent:
            result.wrong.append(f"{case.id} [{case.style}] {case.intent} -> {read}: {reading.new_text[:80]!r}")
        if case.intent == "promise":
            result.promise_total += 1
            result.promise_right += read == "promise" and reading.date == case.date
            if read == "promise" and reading.date != case.date:
                result.wrong.append(f"{case.id} promise date {reading.date} != {case.date}: {reading.new_text[:60]!r}")
        if case.intent == "paid_claim":
            result.paid_total += 1
            result.paid_right += read == "paid_claim" and reading.date == case.date
        if case.amount is not None:
            result.amount_total += 1
            result.amount_right += reading.amount is not None and reading.amount == Decimal(case.amount)
        if case.reason is not None:
            result.reason_total += 1
            result.reason_right += bool(reading.reason) and reading.reason.split(":")[0] == case.reason
        if any(word in reading.new_text and word not in case.text for word in _REMINDER_WORDS):
            result.leaks.append(case.id)
    return result


def report(name: str, result: Score, *, show_wrong: bool = True) -> None:
    print(f"\n{name}: {result.cases} replies, intents right {result.right}/{result.cases} ({result.right / result.cases:.1%})")
    for intent in INTENTS:
        n = sum(v for (label, _), v in result.confusion.items() if label == intent)
        precision, recall = result.precision_recall(intent)
        print(f"  {intent:13} n={n:3}  precision {precision:6.1%}  recall {recall:6.1%}")
    print(f"  false dispute rate {result.false_positive_rate('dispute'):.1%}, "
          f"false promise rate {result.false_positive_rate('promise'):.1%}")
    print(f"  promise date exact {result.promise_right}/{result.promise_total} ({result.promise_date_rate:.1%}); "
          f"paid date exact {result.paid_right}/{result.paid_total}; amounts {result.amount_right}/{result.amount_total}; "
          f"dispute reason category {result.reason_right}/{result.reason_total}; quoted text leaked {result.leaks}")
    if show_wrong:
        for line in result.wrong:
            print("  wrong", line)


def _sealed(case: Case) -> bool:
    return int("".join(ch for ch in case.id if ch.isdigit())) % 2 == 1


def _blind() -> tuple[list[Case], list[Case]]:
    cases = load_set("blind_2024")
    return [c for c in cases if not _sealed(c)], [c for c in cases if _sealed(c)]


def test_tuning_set() -> None:
    cases = load_cases()
    assert len(cases) >= 150
    result = score(cases)
    report("tuning set (labelled_*.yaml)", result)
    assert result.kinds == Counter({"client_reply": len(cases)})  # no bounce/auto-reply false positive
    dispute_p, dispute_r = result.precision_recall("dispute")
    assert dispute_p >= 0.95 and dispute_r >= 0.95
    assert result.promise_date_rate >= 0.95
    for intent in ("promise", "paid_claim", "copy_request", "plan_request", "question", "other"):
        assert min(result.precision_recall(intent)) >= 0.90, intent
    assert result.paid_right / result.paid_total >= 0.90
    assert result.amount_right == result.amount_total
    assert result.reason_right / result.reason_total >= 0.90
    assert result.leaks == []


def test_old_holdout() -> None:
    """holdout_mixed.yaml was written after the first tuning; first run 26/42 intents, 14/14 dates
    on recognised promises and paid claims, no false dispute. Its misses were then visible while
    the rules were improved, so it is no longer a hold-out: it guards against regressions."""
    result = score(load_set("holdout_mixed"))
    report("old hold-out (holdout_mixed.yaml)", result)
    assert result.kinds == Counter({"client_reply": result.cases})
    assert result.right / result.cases >= OLD_HOLDOUT_FLOOR
    assert result.false_positive_rate("dispute") == 0.0


def test_blind_set() -> None:
    """blind_2024.yaml, frozen before the rules were changed for it.

    First run, before any rule change (the "blind" figure): BLIND_FIRST_RUN below; after the
    changes, the sealed half is the estimate for unseen replies. Floors apply to both the
    sealed half and the whole set.
    """
    dev, sealed = _blind()
    result_dev, result_sealed = score(dev), score(sealed)
    report("blind set, open half (even ids)", result_dev)
    report("blind set, sealed half (odd ids, misses not shown)", result_sealed, show_wrong=False)
    both = result_dev.add(result_sealed)
    report("blind set, whole", both, show_wrong=False)
    assert both.kinds == Counter({"client_reply": both.cases})
    assert both.leaks == []
    for part in (result_sealed, both):
        assert part.right / part.cases >= BLIND_FLOORS["intents"]
        dispute_p, dispute_r = part.precision_recall("dispute")
        assert dispute_p >= BLIND_FLOORS["dispute_precision"] and dispute_r >= BLIND_FLOORS["dispute_recall"]
        assert part.promise_date_rate >= BLIND_FLOORS["promise_date"]
        assert part.false_positive_rate("dispute") <= BLIND_FLOORS["false_dispute_rate"]
        assert part.false_positive_rate("promise") <= BLIND_FLOORS["false_promise_rate"]


def test_all_sets_together() -> None:
    """The issue's targets, on every labelled reply we have (tuning + old hold-out + blind)."""
    dev, sealed = _blind()
    result = score(load_cases()).add(score(load_set("holdout_mixed"))).add(score(dev)).add(score(sealed))
    report("all sets together", result, show_wrong=False)
    dispute_p, dispute_r = result.precision_recall("dispute")
    assert dispute_p >= COMBINED_FLOORS["dispute_precision"]
    assert dispute_r >= COMBINED_FLOORS["dispute_recall"]
    assert result.promise_date_rate >= COMBINED_FLOORS["promise_date"]


# Floors: what the rules actually reach, minus a small margin (see the module docstring).
# The old hold-out's misses were visible while the rules were improved (26/42 -> 42/42): tuned now.
OLD_HOLDOUT_FLOOR = 0.95
# First run of the rules of commit 53c17f9 on blind_2024.yaml, before any change (whole set /
# sealed half): intents 144/192 (75.0%) / 75/97; dispute precision 91.7% / 100%, recall 45.8% /
# 48.0%; promise date exact 57/74 (77.0%) / 28/35; false dispute rate 1.4% / 0%; false promise
# rate 5.1% / 4.8%; paid date exact 17/25.
BLIND_FIRST_RUN = {"intents": 0.750, "dispute_precision": 0.917, "dispute_recall": 0.458, "promise_date": 0.770}
#
# After the general rule changes (whole / sealed half): intents 189/192 (98.4%) / 94/97 (96.9%);
# dispute precision and recall 100% / 100% (48 and 25 disputes); promise date exact 69/74 (93.2%)
# / 30/35 (85.7%); false dispute and false promise rates 0% / 0%. The sealed half's 85.7% is
# the honest figure for unseen promises and it is BELOW the 95% target; two of its 30
# hits use date forms ("avant Noël", "lundi en huit") the author of the set knew were in it,
# so 80-87.5% is the fairer reading. The floors below hold what is reached, minus a margin.
BLIND_FLOORS = {
    "intents": 0.94, "dispute_precision": 0.95, "dispute_recall": 0.95, "promise_date": 0.83,
    "false_dispute_rate": 0.02, "false_promise_rate": 0.02,
}
# All 429 labelled replies (tuning 195, old hold-out 42, blind 192): dispute 100% / 100%,
# promise date exact 155/160 (96.9%). Most of these were seen while tuning.
COMBINED_FLOORS = {"dispute_precision": 0.95, "dispute_recall": 0.95, "promise_date": 0.95}


def _independent() -> tuple[list[Case], list[Case]]:
    cases = load_set("blind_independent")
    return [c for c in cases if not _sealed(c)], [c for c in cases if _sealed(c)]


def test_independent_set() -> None:
    """blind_independent.yaml, written by an author who never read the rules (240 replies).

    Even ids are the development half (its misses are printed and were looked at while the rules
    were changed); odd ids are sealed (only aggregates are ever printed), so the sealed half is
    the honest estimate for replies written by somebody else.

    First run (rules of b189a80), dev / sealed: intents 95/120 (79.2%) / 102/120 (85.0%); dispute
    P 95.0% / 100%, R 63.3% / 72.2%; promise P 77.4% / 92.6%, R 88.9% / 87.7%; promise date 24/27 /
    47/57 (82.5%); paid date 17/21 / 13/15; false dispute 1.1% / 0%; false promise 7.5% / 6.3%.
    Final, dev / sealed: intents 120/120 / 108/120 (90.0%); dispute P 100% / 100%, R 100% / 88.9%;
    promise P 100% / 96.2%, R 100% / 87.7%; promise date 27/27 / 49/57 (86.0%); paid date 21/21 /
    14/15; false dispute 0% / 0%; false promise 0% / 3.2%. Details next to INDEPENDENT_FINAL.
    """
    dev, sealed = _independent()
    result_dev, result_sealed = score(dev), score(sealed)
    report("independent set, development half (even ids)", result_dev)
    report("independent set, sealed half (odd ids, misses not shown)", result_sealed, show_wrong=False)
    assert len(dev) == len(sealed) == 120
    for part in (result_dev, result_sealed):
        assert part.kinds == Counter({"client_reply": part.cases})
        assert part.leaks == []
        assert part.false_positive_rate("dispute") <= 0.02
    floors = INDEPENDENT_SEALED_FLOORS
    assert result_sealed.right / result_sealed.cases >= floors["intents"]
    dispute_p, dispute_r = result_sealed.precision_recall("dispute")
    assert dispute_p >= floors["dispute_precision"] and dispute_r >= floors["dispute_recall"]
    assert result_sealed.promise_date_rate >= floors["promise_date"]
    assert result_sealed.paid_right >= floors["paid_date_right"]
    assert result_sealed.false_positive_rate("promise") <= floors["false_promise_rate"]
    assert result_dev.right / result_dev.cases >= floors["intents"]
    assert result_dev.false_positive_rate("promise") <= floors["false_promise_rate"]


# First run of the rules of commit b189a80 on blind_independent.yaml (development half / sealed
# half): intents 95/120 (79.2%) / 102/120 (85.0%); dispute precision 95.0% / 100%, recall 63.3% /
# 72.2%; promise precision 77.4% / 92.6%, recall 88.9% / 87.7%; promise date exact 24/27 / 47/57
# (82.5%); paid date 17/21 / 13/15; false dispute rate 1.1% / 0%; false promise rate 7.5% / 6.3%;
# plan_request recall 90.0% / 62.5%; copy_request precision 76.9% / 83.3%.
INDEPENDENT_FIRST_RUN = {"intents": (0.792, 0.850), "dispute_recall": (0.633, 0.722), "promise_date": (0.889, 0.825)}
# After the general rule changes (development half / sealed half): intents 120/120 / 108/120
# (90.0%); dispute precision 100% / 100%, recall 100% / 88.9% (16/18); promise precision 100% /
# 96.2%, recall 100% / 87.7%; promise date exact 27/27 / 49/57 (86.0%); paid date 21/21 / 14/15;
# false dispute rate 0% / 0%; false promise rate 0% / 3.2%; plan_request recall 100% / 87.5%;
# copy_request precision 100% / 100%. The development half is 100% because its misses were read:
# it says nothing about unseen replies. The sealed half is the honest figure and it is BELOW the
# issue's targets (dispute recall 88.9% < 95%, promise date 86.0% < 95%).
INDEPENDENT_FINAL = {"intents": (1.0, 0.900), "dispute_recall": (1.0, 0.889), "promise_date": (1.0, 0.860)}
# Floors: the sealed half's figures minus a small margin (about one reply each).
INDEPENDENT_SEALED_FLOORS = {
    "intents": 0.88, "dispute_precision": 0.95, "dispute_recall": 0.83, "promise_date": 0.84,
    "paid_date_right": 13, "false_promise_rate": 0.05,
}
