"""Understanding what comes back after a reminder: bounces, auto-replies, client replies.

Entry points:
- `new_text(msg)` — the sender's own words, without quoted history or signature;
- `auto_reply_info(msg)` — (is it automatic, return date);
- `bounce_info(msg)` — the delivery failure, or None;
- `classify_intent(text, today=…)` — promise / paid_claim / dispute / copy_request /
  plan_request / question / other, with date, amount, reason and evidence;
- `read_message(msg)` — all of the above in the right order.

Modules: `body` (decoding, HTML to text), `quotes` (history and signature stripping), `dates`
and `amounts` (what people write), `autoreply`, `bounces`, `intent`, `read`.
"""

from mailbot.replies.autoreply import auto_reply_info
from mailbot.replies.bounces import bounce_info
from mailbot.replies.intent import classify_intent
from mailbot.replies.read import new_text, read_message
from mailbot.replies.reading import Bounce, ReplyReading

__all__ = ["Bounce", "ReplyReading", "auto_reply_info", "bounce_info", "classify_intent", "new_text", "read_message"]
