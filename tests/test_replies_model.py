"""The statistical models: exact to scikit-learn, shipped up to date, and measured honestly.

Honest figure: each 2026 blind set (blind_2026_a/b/c/d.yaml, written by four separate authors who
never read the rules nor the other sets) is held out of training in turn; the models are trained
on everything else and the whole reader (rules + models) scored on the held-out author. The even
ids were looked at while the combination was tuned (thresholds, date choices, cues); the odd ids
are sealed: only aggregates are printed. A and B were measured once after the combination was
frozen (SEALED_FIRST_RUN), C and D arrived later and were measured once whole (CD_FIRST_RUN).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

import mailbot.replies.intent as intent
from mailbot.replies.model import MODEL_PATH, REASON_MODEL_PATH, IntentModel, load_model, prepare
from tests.test_replies_corpus import REPLIES, load_cases, load_set
from tests.test_replies_scoring import Score, _sealed, report, score

sklearn = pytest.importorskip("sklearn")
from mailbot.replies.train import export, fit, load_labelled  # noqa: E402  (needs scikit-learn)

TRAINING = sorted(REPLIES.glob("*.yaml"))
HELD_OUT = ("blind_2026_a", "blind_2026_b", "blind_2026_c", "blind_2026_d")

# Baselines. The rules as this work found them (commit 0af84e2), on both 2026 sets whole (480):
# intents 372/480 (77.5%), dispute recall 81/132 (61.4%), promise date 137/180 (76.1%). The rules
# alone today, sealed halves: intents 189/240, dispute P 95.5% R 63.6%, promise date 76/92 (82.6%)
# (printed by test_rules_alone_are_the_baseline).
# Rules + model, measured once on the sealed halves after the combination was frozen (model
# trained without general_forms.yaml): intents 225/240, dispute P 100% R 95.5% (63/66), promise
# date 86/92; with general_forms.yaml in training as shipped: intents 227/240 (94.6%), the rest equal.
SEALED_FIRST_RUN = {"intents": 225 / 240, "dispute_precision": 1.0, "dispute_recall": 63 / 66, "promise_date": 86 / 92}
# blind_2026_c.yaml and blind_2026_d.yaml (two more authors, 240 each, promise-heavy; D writes long
# professional mails) arrived after the reader above was frozen: its first run on them, trained
# on everything else, before anyone looked at a case (C / D): intents 96.2% / 89.6%; dispute
# P 93.9% / 83.3%, R 95.8% / 93.8%; promise date exact 115/120 (95.8%) / 101/120 (84.2%); false
# dispute 1.6% / 4.7%; false promise 2.5% / 6.7%; reason category 39/48 / 40/48. Rules alone on
# them: intents 90.4% / 80.0%, dispute recall 81.2% / 58.3%, promise date 94.2% / 80.0%.
CD_FIRST_RUN = {"intents": (0.962, 0.896), "dispute_precision": (0.939, 0.833), "dispute_recall": (0.958, 0.938),
                "promise_date": (115 / 120, 101 / 120)}
# After the dev-half work on C and D (the four 2026 sets held out in turn, sealed halves, 480):
# intents 451/480 (94.0%), dispute P 93.7% R 96.3%, promise date 199/216 (92.1%), false promise
# 4.2%, reason category 90/108. D's long professional mails are the weak spot (see the note in
# tests/fixtures/replies/README.md). Floors: what is reached, minus a margin.
FLOORS = {"intents": 0.91, "dispute_precision": 0.90, "dispute_recall": 0.93, "promise_date": 0.88, "false_promise": 0.07,
          "reason_category": 0.62}
# The reason model (a dispute's category), same protocol: sealed halves 46/66 (69.7%) against
# 29/66 (43.9%) for the cues' categories; dev halves 52/66 against 35/66.


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


def _held_out(name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Score, Score]:
    others = [p for p in TRAINING if p.stem != name]
    model = IntentModel(export(fit(load_labelled(others))))
    reasons = IntentModel(export(fit(load_labelled(others, "reason"))))
    monkeypatch.setattr(intent, "load_model", lambda: model)
    monkeypatch.setattr(intent, "load_reason_model", lambda: reasons)
    cases = load_set(name)
    return score([c for c in cases if not _sealed(c)]), score([c for c in cases if _sealed(c)])


def test_leave_one_author_out(monkeypatch: pytest.MonkeyPatch) -> None:
    dev = sealed = None
    for name in HELD_OUT:
        d, s = _held_out(name, monkeypatch)
        report(f"{name} held out of training, dev half (even ids)", d, show_wrong=False)
        report(f"{name} held out of training, sealed half (odd ids)", s, show_wrong=False)
        dev = d if dev is None else dev.add(d)
        sealed = s if sealed is None else sealed.add(s)
    assert dev is not None and sealed is not None
    report("the 2026 sets held out in turn, dev halves", dev, show_wrong=False)
    report("the 2026 sets held out in turn, sealed halves", sealed, show_wrong=False)
    for part in (dev, sealed):
        assert part.kinds == Counter({"client_reply": part.cases})
        precision, recall = part.precision_recall("dispute")
        assert part.right / part.cases >= FLOORS["intents"]
        assert precision >= FLOORS["dispute_precision"] and recall >= FLOORS["dispute_recall"]
        assert part.promise_date_rate >= FLOORS["promise_date"]
        assert part.false_positive_rate("promise") <= FLOORS["false_promise"]
        assert part.reason_right / part.reason_total >= FLOORS["reason_category"]


def test_rules_alone_are_the_baseline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a model file the reader falls back to the rules, and they are measurably worse on
    unseen authors: the model earns its place."""
    monkeypatch.setattr(intent, "load_model", lambda: None)
    monkeypatch.setattr(intent, "load_reason_model", lambda: None)
    cases = [c for name in HELD_OUT for c in load_set(name) if _sealed(c)]
    rules = score(cases)
    report("rules alone, sealed halves", rules, show_wrong=False)
    assert rules.precision_recall("dispute")[1] < SEALED_FIRST_RUN["dispute_recall"]
    assert rules.right / rules.cases < SEALED_FIRST_RUN["intents"]
