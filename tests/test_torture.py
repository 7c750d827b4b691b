"""kill -9 torture: a busy month while `mailbot run` is killed at random moments and restarted.

The short form runs in `make test`; the long form (hundreds of kills) is marked slow:
    MAILBOT_TORTURE_SEED=1234 .venv/bin/python -m pytest -q -m slow tests/test_torture.py -s
The seed is printed; the same seed replays the same scenario and the same kill plan.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from tests.support.dovecot import Dovecot
from tests.support.torture import torture

pytestmark = pytest.mark.integration


def _seed() -> int:
    return int(os.environ.get("MAILBOT_TORTURE_SEED", time.time_ns() % 1_000_000))


def test_kill_9_torture_short(dovecot: Dovecot, tmp_path: Path) -> None:
    seed = _seed()
    print(f"\ntorture seed {seed} (rerun with MAILBOT_TORTURE_SEED={seed})")
    figures = torture(dovecot, tmp_path, seed=seed, invoices=24, days=12, kills=5, max_gap=1.0)
    print(f"torture figures: {figures}")
    assert figures["kills"] == 5 and figures["reminders"] > 0


@pytest.mark.slow
def test_kill_9_torture_long(dovecot: Dovecot, tmp_path: Path) -> None:
    seed = _seed()
    kills = int(os.environ.get("MAILBOT_TORTURE_KILLS", "200"))
    print(f"\ntorture seed {seed} (rerun with MAILBOT_TORTURE_SEED={seed}), {kills} kills")
    figures = torture(dovecot, tmp_path, seed=seed, invoices=300, days=35, kills=kills, max_gap=1.5)
    print(f"torture figures: {figures}")
    assert figures["kills"] == kills and figures["reminders"] > 50
