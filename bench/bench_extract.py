"""Files per second through `extract_path`, beside bare text extraction with the same library.

    .venv/bin/python bench/bench_extract.py [--rounds N]

PDF baseline: pypdf `extract_text` on every page (in-process, no worker, no heuristics).
XML baseline: a bare lxml parse. The ratio says what intake's extra work costs.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from pathlib import Path

from lxml import etree
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.intake import extract_path  # noqa: E402
from mailbot.intake.isolate import default_runner  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "invoices"


def fixtures(suffix: str) -> list[Path]:
    paths = sorted(p for p in FIXTURES.rglob(f"*{suffix}"))
    # Files that are meant to fail (broken XML, FatturaPA) are not throughput cases.
    return [p for p in paths if "invalid" not in p.name and "fatturaPA" not in str(p)]


def rate(paths: list[Path], func, rounds: int) -> float:
    datas = [(p, p.read_bytes()) for p in paths]
    start = time.perf_counter()
    for _ in range(rounds):
        for path, data in datas:
            func(path, data)
    return len(paths) * rounds / (time.perf_counter() - start)


def bare_pdf(_: Path, data: bytes) -> None:
    for page in PdfReader(io.BytesIO(data)).pages:
        page.extract_text()


def bare_xml(_: Path, data: bytes) -> None:
    etree.fromstring(data)


def ours(path: Path, _: bytes) -> None:
    extract_path(path)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    pdfs, xmls = fixtures(".pdf"), fixtures(".xml")
    extract_path(pdfs[0])  # start the worker once: a daemon pays this at start-up, not per file
    print(f"{'kind':<5}{'files':>6}{'extract_path f/s':>18}{'baseline f/s':>14}{'ratio':>8}  baseline")
    for kind, paths, base, label in (
        ("PDF", pdfs, bare_pdf, "pypdf extract_text, in-process"),
        ("XML", xmls, bare_xml, "lxml etree.fromstring"),
    ):
        ours_rate = rate(paths, ours, args.rounds)
        base_rate = rate(paths, base, args.rounds)
        print(f"{kind:<5}{len(paths):>6}{ours_rate:>18.1f}{base_rate:>14.1f}{ours_rate / base_rate:>8.2f}  {label}")
    default_runner().close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
