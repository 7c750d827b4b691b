"""IDLE after a step: mail that arrived while the daemon was busy wakes it at once."""

from __future__ import annotations

import pytest

from tests.support.harness import FIELDS_BODY, Harness, append_inbox, forward

pytestmark = pytest.mark.integration


class _DeliverWhileSending:
    """Delivers the next forward while the daemon sends its confirmation (mid-step)."""

    def __init__(self, real, h: Harness):
        self.real, self.h, self.done = real, h, False

    def send(self, raw, sender, recipients):
        self.real.send(raw, sender, recipients)
        if not self.done:
            self.done = True
            second = forward("Fwd: second", FIELDS_BODY.replace("F2026-014", "F2026-015"))
            append_inbox(self.h.dovecot, self.h.user, second.as_bytes())


def test_mail_that_arrives_during_a_step_ends_the_next_wait(harness: Harness) -> None:
    h = harness
    h.daemon.sender = _DeliverWhileSending(h.daemon.sender, h)
    h.deliver(forward("Fwd: first", FIELDS_BODY))
    h.step()
    assert h.daemon.sender.done
    # Without the look before IDLE, the server has already announced the message during the
    # step and IDLE stays silent until the tick (a minute in production).
    assert h.daemon.mailbox.wait(4) is True
    h.step()
    assert sorted(r.number for r in h.ledger.all()) == ["F2026-014", "F2026-015"]
    assert h.daemon.mailbox.wait(1) is False  # nothing new: IDLE waits for the timeout
