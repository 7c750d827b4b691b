"""Reply forms the reader must get right, one phrasing each (tests/fixtures/replies/general_forms.yaml).

Written from kinds of phrasing rather than copied from any labelled set. Round 1 (2024): conditions,
hedges, indirect questions, plan and copy requests as questions, wrong entity, VAT, partial
delivery, extra work, date grammar. Round 2 (2026): the payment as "it" ("you'll have it by
Friday", "ça part jeudi"), Belgian "vereffenen", mild ifs ("als het goed is"), a weekday with its
date ("lundi 16 décembre"), participles without an auxiliary ("transfer sent this morning"),
duplicates, quotes and extra charges, "not justified", "nothing owed", still waiting for the
goods, plan requests with typos, and what must happen before a payment ("before we can pay").

Two readers are checked: the rules alone (`read_by_rules`, every form) and the whole reader
(`classify_intent`, rules + model). The model is trained on these forms too, so the second check
proves the combination keeps them, not that the model generalises: that is
tests/test_replies_model.py's job. today is Wednesday 4 December 2024.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from mailbot.replies.intent import classify_intent, read_by_rules

TODAY = date(2024, 12, 4)
FORMS = yaml.safe_load((Path(__file__).parent / "fixtures" / "replies" / "general_forms.yaml").read_text(encoding="utf-8"))


def _check(reading, form: dict) -> None:
    assert reading.intent == form["intent"], reading
    if form["intent"] in ("promise", "paid_claim"):
        assert reading.date == form.get("date"), reading
    if form["intent"] == "dispute" and form.get("reason"):
        assert (reading.reason or "").split(":")[0] == form["reason"], reading


@pytest.mark.parametrize("form", FORMS, ids=[f["id"] for f in FORMS])
def test_rules_read_the_form(form: dict) -> None:
    reading, _ = read_by_rules(form["text"], today=TODAY)
    _check(reading, form)


@pytest.mark.parametrize("form", FORMS, ids=[f["id"] for f in FORMS])
def test_reader_reads_the_form(form: dict) -> None:
    _check(classify_intent(form["text"], today=TODAY), form)
