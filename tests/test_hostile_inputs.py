"""Hostile documents and messages: each ends in a clear outcome, in bounded time and memory.

The cases (tests/fixtures/hostile/run_cases.py) run in a child process with a 4 GB address-space
limit and a timeout, so a blow-up fails the test instead of the machine. Bounds are generous on
purpose (10 s of CPU, 500 MB per input): they catch a real blow-up (the 850 KB Subject that costs 80 s
and 20 GB), not a slow machine.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from mailbot.guard import GuardPolicy, inspect_message
from tests.fixtures.hostile import builders as b
from tests.fixtures.hostile.run_cases import cases

ROOT = Path(__file__).resolve().parents[1]
MAX_CPU_SECONDS = 10.0  # CPU, not wall time: the suite may share its two cores
MAX_WALL_SECONDS = 60.0  # a hang, which costs no CPU
MAX_MB = 500
ADDRESS_SPACE = 4 << 30

# case -> (acceptable outcomes, a phrase the outcome must contain, or None)
EXPECTED: dict[str, tuple[set[str], str | None]] = {
    "pdf-flate-bomb-1GB-page": ({"fields"}, "a page could not be read as text"),
    "pdf-flate-bomb-1GB-embedded-xml": ({"fields"}, "embedded files could not be listed"),
    "pdf-recursive-pages": ({"ExtractionError"}, "x.pdf could not be read as a PDF"),
    "pdf-self-referencing-length": ({"fields", "ExtractionError"}, "x.pdf"),
    "pdf-xref-loop": ({"fields", "ExtractionError"}, None),
    "pdf-deep-arrays": ({"fields", "ExtractionError"}, None),
    "pdf-20k-pages": ({"InputRejected"}, "x.pdf has 20000 pages; the limit is 50 (MAILBOT_MAX_PDF_PAGES)"),
    "pdf-encrypted": ({"ExtractionError"}, "x.pdf is encrypted"),
    "pdf-truncated": ({"ExtractionError"}, "x.pdf could not be read as a PDF"),
    "pdf-garbage": ({"ExtractionError"}, "x.pdf could not be read as a PDF"),
    "pdf-no-xref": ({"fields", "ExtractionError"}, None),
    "zip-bomb": ({"ExtractionError"}, "invoice.pdf is not a PDF"),
    "xml-xxe": ({"ExtractionError"}, "x.xml declares XML entities"),
    "xml-xxe-parameter-entity": ({"ExtractionError"}, "x.xml declares XML entities"),
    "xml-external-dtd": ({"fields", "ExtractionError"}, None),
    "xml-xxe-after-70KB": ({"ExtractionError"}, "x.xml declares XML entities"),
    "xml-xxe-utf32": ({"ExtractionError"}, "x.xml declares XML entities"),
    "xml-xinclude": ({"fields", "ExtractionError"}, None),
    "xml-billion-laughs": ({"ExtractionError"}, "x.xml declares XML entities"),
    "xml-quadratic-blowup": ({"ExtractionError"}, "x.xml declares XML entities"),
    "xml-100k-deep": ({"ExtractionError"}, "x.xml is not well-formed XML"),
    "xml-14MB-text-node": ({"ExtractionError"}, "x.xml is not well-formed XML"),
    "mail-xxe-attached-owner": ({"quarantine"}, "factur-x.xml declares XML entities"),
    "mail-pdf-bomb-owner": ({"processed", "quarantine"}, "Fwd: invoice"),
    "mail-zip-bomb-owner": ({"quarantine"}, "no invoice found"),
    "mail-21-attachments-owner": ({"quarantine"}, "the message has 21 attachments; the limit is 20 (MAILBOT_MAX_ATTACHMENTS)"),
    "mail-rfc822-nested-15-owner": ({"processed", "quarantine"}, "Fwd: deep"),
    "mail-rfc822-nested-15-stranger": ({"quarantine"}, None),
    "mail-rfc822-nested-500-owner": ({"quarantine"}, "nested"),
    "mail-multipart-nested-3000-stranger": ({"quarantine"}, None),
    "mail-20k-headers-stranger": ({"quarantine"}, None),
    "mail-2MB-subject-stranger": ({"quarantine"}, None),
    "mail-1000-nested-comments-stranger": ({"quarantine"}, None),
    "mail-150-parts-owner": ({"processed", "quarantine"}, "Fwd: parts"),
    "mail-3000-encoded-words-stranger": ({"quarantine"}, None),
    "mail-60KB-from-stranger": ({"quarantine"}, None),
    "mail-50k-encoded-words-stranger": ({"quarantine"}, "MAILBOT_MAX_HEADER_KB"),
    "mail-5000-parts-owner": ({"quarantine"}, "MAILBOT_MAX_MIME_PARTS"),
    "mail-2MB-from-stranger": ({"quarantine"}, "MAILBOT_MAX_HEADER_KB"),
    "mail-5MB-references-stranger": ({"quarantine"}, "MAILBOT_MAX_HEADER_KB"),
}
FULL_SIZE = ["mail-50k-encoded-words-stranger", "mail-5000-parts-owner", "mail-2MB-from-stranger", "mail-5MB-references-stranger"]
QUICK = [name for name in cases("/x") if name not in FULL_SIZE]
assert set(EXPECTED) == set(cases("/x")), "every case needs an expected outcome"

# Cases that once failed and the fix they needed: kept as documentation of why the guard
# runs before the full parse (daemon.py: message identity from headers only, then
# guard.inspect_message before email.message_from_bytes).
KNOWN_FAILURES: dict[str, str] = {}


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def run_cases(names: list[str], timeout: float, batches: int = 2) -> tuple[dict[str, dict], str]:
    """Results by case name, the cases split over `batches` child processes run side by side;
    a case missing from the dict killed or stalled its child."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen([sys.executable, "-m", "tests.fixtures.hostile.run_cases", *names[i::batches]], cwd=ROOT, env=env,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=_limit)
        for i in range(min(batches, len(names)))
    ]
    results: dict[str, dict] = {}
    errors = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
            err += f"\ntimed out after {timeout:g} s"
        errors.append(err[-1500:])
        for line in out.splitlines():
            data = json.loads(line)
            if "case" in data:
                results[data["case"]] = data
    return results, "\n".join(errors)


def check(name: str, results: dict[str, dict], stderr: str) -> None:
    result = results.get(name)
    assert result is not None, f"the child process died or stalled during {name}: {stderr}"
    outcomes, phrase = EXPECTED[name]
    assert result["outcome"] != "raised", f"{name} raised out of the daemon: {result['detail']}"
    assert result["outcome"] in outcomes, f"{name}: {result['outcome']}: {result['detail'][:500]}"
    if phrase is not None:
        assert phrase in result["detail"], f"{name}: {result['detail'][:800]}"
    assert not result["secret_seen"], f"{name}: the content of a local file leaked into the outcome"
    assert result["cpu_seconds"] < MAX_CPU_SECONDS, f"{name} took {result['cpu_seconds']} s of CPU"
    assert result["seconds"] < MAX_WALL_SECONDS, f"{name} took {result['seconds']} s"
    assert result["peak_mb"] < MAX_MB, f"{name} used {result['peak_mb']} MB"
    assert result["worker_peak_mb"] < MAX_MB, f"{name}: the PDF worker used {result['worker_peak_mb']} MB"
    if "filed" in result:
        assert len(result["filed"]) == 1 and result["filed"][0][1] == result["outcome"], result["filed"]


@pytest.fixture(scope="module")
def quick_results() -> tuple[dict[str, dict], str]:
    return run_cases(QUICK, timeout=240)


def _param(name: str):
    reason = KNOWN_FAILURES.get(name)
    return pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason)) if reason else name


@pytest.mark.parametrize("name", [_param(n) for n in QUICK])
def test_hostile_input_has_a_clear_bounded_outcome(name: str, quick_results: tuple[dict[str, dict], str]) -> None:
    check(name, *quick_results)


@pytest.mark.slow
@pytest.mark.parametrize("name", [_param(n) for n in FULL_SIZE])
def test_full_size_slow_paths_are_bounded(name: str) -> None:
    check(name, *run_cases([name], timeout=120, batches=1))


# -- the guard's shape check on the same inputs, in this process (it must be cheap) ---------------
@pytest.mark.parametrize("raw, phrase", [
    (b.email_many_encoded_words(50_000), "a header (Subject) is 830 KB; the limit is 64 KB (MAILBOT_MAX_HEADER_KB)"),
    (b.email_huge_header("References", 5_000_000), "a header (References) is"),
    (b.email_huge_header("From", 2_000_000), "a header (From) is"),
    (b.email_many_addresses(50_000), "a header (To) is"),
    (b.email_many_parts(5000), "more than 200 MIME parts (MAILBOT_MAX_MIME_PARTS)"),
    (b.email_nested_rfc822(25), "nested more than 20 levels deep (MAILBOT_MAX_MIME_DEPTH)"),
    (b.email_nested_multipart(1000), "nested too deep to read"),
    (b.email_nested_rfc822(1000), "nested too deep to read"),
    (b"From: =?utf-8?b??=\r\nTo: bot@firm.test\r\n\r\nhi\r\n", "a header (From) cannot be parsed (IndexError)"),
], ids=["encoded-words", "references", "from", "to", "parts", "rfc822-25", "multipart-1000", "rfc822-1000", "empty-encoded-word"])
def test_inspect_message_names_the_limit(raw: bytes, phrase: str) -> None:
    assert phrase in (inspect_message(raw, GuardPolicy()) or "")


@pytest.mark.parametrize("raw", [
    b.email_nested_rfc822(5), b.email_many_parts(150), b.email_many_headers(5000),
    b.email_with([("a.pdf", "application/pdf", b"%PDF-1.4\n" + b"0" * (5 << 20))]),
    b.email_huge_header("References", 30_000),
], ids=["forward-of-forwards", "150-parts", "5000-headers", "5MB-attachment", "30KB-references"])
def test_inspect_message_lets_ordinary_mail_through(raw: bytes) -> None:
    assert inspect_message(raw, GuardPolicy()) is None
