"""Client replies per second through the reply reader, beside a bare reading of the same texts.

    .venv/bin/python bench/bench_classify.py [--rounds N]

Cases: every labelled reply in tests/fixtures/replies (their new text, as `read_message` hands it
on). Baseline: folding the text and splitting it into words and sentences, the least any reader
must do. Rules alone: `read_by_rules`. Whole reader: rules + the intent model (+ the reason model
for disputes). The model files are loaded before timing (the daemon loads them once).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.replies.fold import fold  # noqa: E402
from mailbot.replies.intent import classify_intent, read_by_rules  # noqa: E402
from mailbot.replies.model import load_model, load_reason_model  # noqa: E402

TODAY = date(2024, 12, 4)


def texts() -> list[str]:
    out: list[str] = []
    for path in sorted((ROOT / "tests" / "fixtures" / "replies").glob("*.yaml")):
        out.extend(str(case["text"]) for case in yaml.safe_load(path.read_text(encoding="utf-8")))
    return out


def baseline(text: str) -> None:
    folded = fold(text.lower())
    re.findall(r"\w+", folded)
    re.split(r"(?<=[.!?])\s+|\n\s*\n", folded)


def per_second(func, items: list[str], rounds: int) -> float:
    start = time.perf_counter()
    for _ in range(rounds):
        for text in items:
            func(text)
    return rounds * len(items) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    items = texts()
    tracemalloc.start()
    load_model(), load_reason_model()
    loaded = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    bare = per_second(baseline, items, args.rounds)
    rules = per_second(lambda t: read_by_rules(t, today=TODAY), items, args.rounds)
    whole = per_second(lambda t: classify_intent(t, today=TODAY), items, args.rounds)
    print(f"{len(items)} labelled replies x {args.rounds} rounds")
    print(f"  baseline (fold + split)    {bare:10.0f} replies/s")
    print(f"  rules alone                {rules:10.0f} replies/s   {bare / rules:5.0f}x the baseline's time")
    print(f"  rules + models             {whole:10.0f} replies/s   {bare / whole:5.0f}x the baseline's time, {rules / whole:.2f}x the rules'")
    print(f"  models in memory           {loaded / 1e6:10.1f} MB")


if __name__ == "__main__":
    main()
