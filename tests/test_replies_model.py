"""The statistical models: exact to scikit-learn, shipped up to date, and measured honestly.

Honest figures are first runs: a round of blind sets, each written by an author who never read the
rules nor any other set, is scored once by a reader frozen before the sets were seen, with the
models trained without them. Those figures are recorded below (*_FIRST_RUN) and in
tests/fixtures/replies/README.md; after a first run the round becomes development data.

`make test` holds the latest round out of training and checks the issue's floors on it (its
first run was that same computation); `make test-all` also holds every round out in turn. Every set has been looked at by now, so this is a check that the combination keeps
generalising across authors (floors), not a fresh measurement.
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

import mailbot.replies.intent as intent
from mailbot.replies.model import MODEL_PATH, REASON_MODEL_PATH, IntentModel, load_model, prepare
from tests.test_replies_corpus import REPLIES, load_set
from tests.test_replies_scoring import Score, report, score

sklearn = pytest.importorskip("sklearn")
from mailbot.replies.train import export, fit, load_labelled  # noqa: E402  (needs scikit-learn)

TRAINING = sorted(REPLIES.glob("*.yaml"))
HELD_OUT = tuple(f"blind_2026_{author}" for author in "abcdefghijklmnopqrst")
# The rounds, four authors each: A-D, E-H, I-L, M-P, Q-T.
ROUNDS = tuple(HELD_OUT[i : i + 4] for i in range(0, len(HELD_OUT), 4))
LATEST_ROUND = ROUNDS[-1]

# Round 1 (authors A, B), frozen reader, sealed odd halves: intents 225/240, dispute P 100% R 95.5%,
# promise date 86/92. Round 2 (C, D; D writes long professional mails), whole sets, C / D:
# intents 96.2% / 89.6%, dispute P 93.9% / 83.3% R 95.8% / 93.8%, promise date 95.8% / 84.2%.
# After work on their even halves, sealed halves of A-D (480): intents 94.0%, dispute P 93.7%
# R 96.3%, promise date 199/216 (92.1%) -- short of the issue's 95%.
# Round 3 (E, F, G, H: 960 replies, 192 disputes, 480 promises), the reader of 351ebd3 (A-D all
# opened for development first), models trained on everything before E-H: intents 924/960
# (96.2%), dispute precision 97.3% recall 95.3%, promise date exact 456/480 (95.0%), paid date
# 92/96, reason category 147/192, false dispute 0.7%, false promise 2.5%. The reader as it was
# before the A-D work (90d9d59) on the same sets: 916/960, dispute P 95.7% R 92.7%, dates 94.6%;
# the rules alone: 820/960, dispute R 65.6%, dates 88.3%.
EH_FIRST_RUN = {"intents": 924 / 960, "dispute_precision": 0.973, "dispute_recall": 0.953, "promise_date": 456 / 480}
# Round 4 (I, J, K, L: 960 replies), the reader of 41e8143 (round 3's misses worked on first),
# models trained on everything before I-L: intents 926/960 (96.5%), dispute precision 97.8% recall
# 94.8% (182/192), promise date exact 468/480 (97.5%), paid date 87/96, reason category 159/192,
# false dispute 0.5%, false promise 1.7%. On the same sets the round-3 reader (351ebd3): 917/960,
# dispute P 98.3% R 90.6%, dates 97.1%; the reader before today (90d9d59): 913/960, P 96.2%
# R 91.1%, dates 96.7%; the rules alone: 847/960, R 71.4%, dates 93.1%.
IL_FIRST_RUN = {"intents": 926 / 960, "dispute_precision": 0.978, "dispute_recall": 182 / 192, "promise_date": 468 / 480}
# Round 5 (M, N, O, P: 960 replies), the reader of bad97cb (round 4's misses worked on first),
# models trained on everything before M-P: intents 934/960 (97.3%), dispute precision 96.8% recall
# 94.3% (181/192), promise date exact 468/480 (97.5%), paid date 94/96, reason category 147/192,
# false dispute 0.8%, false promise 1.7%. Round 4's reader (41e8143) on them: 927/960, P 95.7%
# R 93.8%, dates 97.1%; the reader before this work (90d9d59): 914/960, P 95.1% R 91.1%, dates
# 96.7%; the rules alone: 857/960, R 70.8%, dates 93.8%.
MP_FIRST_RUN = {"intents": 934 / 960, "dispute_precision": 0.968, "dispute_recall": 181 / 192, "promise_date": 468 / 480}
# Round 6 (Q, R, S, T: 960 replies), the reader of 5f0618e (round 5's misses worked on first),
# models trained on everything before Q-T: intents 946/960 (98.5%), dispute precision 97.4%
# (190/195) recall 99.0% (190/192), promise date exact 474/480 (98.8%), paid date 94/96, reason
# category 169/192, false dispute 0.7%, false promise 0.8%. Round 5's reader (bad97cb) on them:
# 944/960, P 97.4% R 97.9%, dates 98.8%; the reader before this work (90d9d59): 920/960, P 94.7%
# R 92.2%, dates 97.5%; the rules alone: 865/960, R 75.5%, dates 94.8%.
QT_FIRST_RUN = {"intents": 946 / 960, "dispute_precision": 190 / 195, "dispute_recall": 190 / 192, "promise_date": 474 / 480}
# The issue's floors, checked on the latest round held out of training (its first run is above).
ISSUE_FLOORS = {"dispute_precision": 0.95, "dispute_recall": 0.95, "promise_date": 0.95}
# Leave-one-author-out over the eight sets after round 3 was added (1,920): intents 97.4%, dispute
# P 98.6% R 97.1%, promise date 96.2%; after the reader was worked on for round 3's misses: intents
# 98.8%, dispute P 99.5% R 99.0%, promise date 98.6% (tuned on, so optimistic: the next round's
# first run is the honest figure). With round 4 added, two authors held out at a time (2,880):
# intents 97.8%, dispute P 98.8% R 97.9%, promise date 97.9%. With round 5, a round held out at a
# time (3,840; M-P not yet worked on): intents 98.4%, dispute P 98.6% R 98.1%, dates 98.3%. With
# round 6, five rounds (4,800; Q-T not worked on): intents 98.8%, dispute P 98.7% R 99.3%, dates 98.4%.
# Floors: what is reached, minus a margin.
FLOORS = {"intents": 0.96, "dispute_precision": 0.96, "dispute_recall": 0.96, "promise_date": 0.96, "false_promise": 0.02,
          "reason_category": 0.8}


def test_pure_python_probabilities_equal_scikit_learn() -> None:
    pairs = load_labelled(TRAINING)
    fitted = fit(pairs)
    ours = IntentModel(export(fitted))
    worst = 0.0
    for text, _ in pairs[::7]:
        theirs = dict(zip(fitted.classes_, fitted.predict_proba([prepare(text)])[0]))
        mine = ours.probabilities(text)
        worst = max(worst, max(abs(mine[c] - theirs[c]) for c in theirs))
    print(f"\nlargest probability difference, pure Python vs scikit-learn: {worst:.2e}")
    assert worst < 1e-4  # the export rounds weights to 5 decimals


@pytest.mark.parametrize("path, target", [(MODEL_PATH, "intent"), (REASON_MODEL_PATH, "reason")])
def test_shipped_models_are_trained_on_every_labelled_reply(path: Path, target: str) -> None:
    data = json.loads(gzip.decompress(path.read_bytes()))
    assert data["trained_on"]["sets"] == [p.name for p in TRAINING], "retrain: make model"
    assert data["trained_on"]["replies"] == len(load_labelled(TRAINING, target)), "retrain: make model"
    assert load_model() is not None and set(load_model().classes) == set(intent.PRIORITY) | {"other"}


def _held_out(names: tuple[str, ...], monkeypatch: pytest.MonkeyPatch) -> Score:
    others = [p for p in TRAINING if p.stem not in names]
    model = IntentModel(export(fit(load_labelled(others))))
    reasons = IntentModel(export(fit(load_labelled(others, "reason"))))
    monkeypatch.setattr(intent, "load_model", lambda: model)
    monkeypatch.setattr(intent, "load_reason_model", lambda: reasons)
    return score([case for name in names for case in load_set(name)])


def test_the_latest_round_held_out_meets_the_issue_floors(monkeypatch: pytest.MonkeyPatch) -> None:
    """The shipped combination, with models trained on everything but the latest round of blind
    authors: dispute precision and recall and exact promise dates at least 95% (issue 4). The
    round's first run (QT_FIRST_RUN) was this same computation before anyone looked at a case."""
    part = _held_out(LATEST_ROUND, monkeypatch)
    report(f"{' + '.join(LATEST_ROUND)} held out of training", part, show_wrong=False)
    assert part.kinds == Counter({"client_reply": part.cases})  # no reply taken for a bounce or auto-reply
    precision, recall = part.precision_recall("dispute")
    assert precision >= ISSUE_FLOORS["dispute_precision"] and recall >= ISSUE_FLOORS["dispute_recall"]
    assert part.promise_date_rate >= ISSUE_FLOORS["promise_date"]
    assert part.right / part.cases >= FLOORS["intents"]
    assert part.false_positive_rate("promise") <= FLOORS["false_promise"]


@pytest.mark.slow
def test_leave_rounds_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every round held out in turn (five training runs, make test-all): a check that the
    combination generalises across authors, optimistic for the rounds already worked on."""
    total: Score | None = None
    for names in ROUNDS:
        part = _held_out(names, monkeypatch)
        report(f"{' + '.join(names)} held out of training", part, show_wrong=False)
        total = part if total is None else total.add(part)
    assert total is not None
    report("the 2026 sets held out in turn", total, show_wrong=False)
    assert total.kinds == Counter({"client_reply": total.cases})
    precision, recall = total.precision_recall("dispute")
    assert total.right / total.cases >= FLOORS["intents"]
    assert precision >= FLOORS["dispute_precision"] and recall >= FLOORS["dispute_recall"]
    assert total.promise_date_rate >= FLOORS["promise_date"]
    assert total.false_positive_rate("promise") <= FLOORS["false_promise"]
    assert total.reason_right / total.reason_total >= FLOORS["reason_category"]


def test_rules_alone_are_the_baseline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a model file the reader falls back to the rules, and they are measurably worse on
    unseen authors: the model earns its place."""
    monkeypatch.setattr(intent, "load_model", lambda: None)
    monkeypatch.setattr(intent, "load_reason_model", lambda: None)
    cases = [c for name in HELD_OUT for c in load_set(name)]
    rules = score(cases)
    report("rules alone, the 2026 sets", rules, show_wrong=False)
    assert rules.precision_recall("dispute")[1] < EH_FIRST_RUN["dispute_recall"]
    assert rules.right / rules.cases < EH_FIRST_RUN["intents"]
