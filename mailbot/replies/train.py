"""Train the statistical intent model from labelled client replies (a developer's tool).

The rules in `mailbot.replies.intent` read negation, dates and amounts well but miss phrasings
nobody wrote a cue for: on replies by authors they were never shaped on they found 61-70% of
disputes. A linear model over character and word n-grams, trained on every labelled reply,
generalises across authors far better (see tests/test_replies_model.py for the leave-one-author-
out figures). It is trained here with scikit-learn and exported as plain numbers, so that the
daemon needs neither scikit-learn nor a pickle: `mailbot.replies.model` recomputes the same
features and probabilities in pure Python.

    python -m mailbot.replies.train tests/fixtures/replies/*.yaml --out mailbot/data/intent_model.json.gz
    python -m mailbot.replies.train tests/fixtures/replies/*.yaml --target reason --out mailbot/data/reason_model.json.gz

The second model names a dispute's reason (wrong amount, not delivered, duplicate…): the rules'
cue categories agreed with the labels for about half of the disputes by unseen authors.

Needs the `train` extra (scikit-learn); the result is deterministic for the same inputs.
"""

from __future__ import annotations

import argparse
import gzip
import json
from pathlib import Path
from typing import Any, Iterable

import yaml

from mailbot.replies.model import CHAR_NGRAMS, WORD_NGRAMS, prepare

# Kept small and fixed: the model is a reader's second opinion, not a research project.
REGULARISATION = 10.0
MIN_DF_CHARS = 2


def load_labelled(paths: Iterable[Path], target: str = "intent") -> list[tuple[str, str]]:
    """(text, label) pairs from labelled YAML sets (a list of mappings with text, intent and, for
    disputes, reason). `target` "intent" labels every reply; "reason" labels the disputes that
    name their reason's category."""
    pairs: list[tuple[str, str]] = []
    for path in paths:
        for raw in yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []:
            if target == "intent":
                pairs.append((str(raw["text"]), str(raw["intent"])))
            elif raw.get("intent") == "dispute" and raw.get("reason"):
                pairs.append((str(raw["text"]), str(raw["reason"])))
    return pairs


def fit(pairs: list[tuple[str, str]]) -> Any:
    """A fitted scikit-learn pipeline (FeatureUnion of two TF-IDF vectorisers + logistic regression)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline, make_union

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True, min_df=MIN_DF_CHARS, lowercase=False)
    words = TfidfVectorizer(analyzer="word", ngram_range=WORD_NGRAMS, sublinear_tf=True, lowercase=False)
    model = make_pipeline(make_union(chars, words), LogisticRegression(C=REGULARISATION, max_iter=5000, class_weight="balanced"))
    model.fit([prepare(text) for text, _ in pairs], [intent for _, intent in pairs])
    return model


def export(model: Any) -> dict[str, Any]:
    """The fitted pipeline as plain numbers: per vectoriser its vocabulary with idf and the
    coefficients of each class; features whose weight is tiny for every class are dropped."""
    union, regression = model.steps[0][1], model.steps[1][1]
    classes = [str(c) for c in regression.classes_]
    coef = regression.coef_
    parts: list[dict[str, Any]] = []
    offset = 0
    for name, vectoriser in union.transformer_list:
        vocabulary = vectoriser.vocabulary_
        features: dict[str, list[float]] = {}
        for term, index in vocabulary.items():
            column = offset + index
            weights = [round(float(coef[k][column]), 5) for k in range(len(classes))]
            features[term] = [round(float(vectoriser.idf_[index]), 5), *weights]
        parts.append({"name": name, "analyzer": vectoriser.analyzer, "ngram_range": list(vectoriser.ngram_range), "features": features})
        offset += len(vocabulary)
    return {"classes": classes, "intercept": [round(float(b), 6) for b in regression.intercept_], "parts": parts}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m mailbot.replies.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="+", type=Path, help="labelled YAML sets (tests/fixtures/replies/*.yaml)")
    parser.add_argument("--out", type=Path, required=True, help="where to write the model (.json.gz)")
    parser.add_argument("--target", choices=("intent", "reason"), default="intent",
                        help="intent: what the client means; reason: the category of a dispute")
    args = parser.parse_args(argv)
    pairs = load_labelled(args.sets, args.target)
    data = export(fit(pairs))
    data["trained_on"] = {"replies": len(pairs), "sets": sorted(p.name for p in args.sets), "target": args.target}
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    # mtime=0: the same inputs give the same bytes, so a retrain without change is no diff.
    args.out.write_bytes(gzip.compress(payload, mtime=0))
    print(f"{args.out}: {len(pairs)} replies, {sum(len(p['features']) for p in data['parts'])} features, {args.out.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
