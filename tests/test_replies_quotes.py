"""Quote and signature stripping on public fixtures (talon's ground truth; our expectations for
the github/zapier/crisp reply-parser fixtures)."""

from __future__ import annotations

import csv
import email
from email import policy
from pathlib import Path

import pytest

from mailbot.replies import new_text
from mailbot.replies.body import html_to_text
from mailbot.replies.quotes import strip_quotes

QUOTES = Path(__file__).parent / "fixtures" / "quotes"
# crisp's fixtures share one reply paragraph; each file quotes history in another client's way.
LOREM = (
    "Fusce bibendum, quam hendrerit sagittis tempor, dui turpis tempus erat, pharetra sodales ante sem sit amet metus.\n"
    "Nulla malesuada, orci non vulputate lobortis, massa felis pharetra ex, convallis consectetur ex libero eget ante.\n"
    "Nam vel turpis posuere, rhoncus ligula in, venenatis orci. Duis interdum venenatis ex a rutrum.\n"
    "Duis ut libero eu lectus consequat consequat ut vel lorem. Vestibulum convallis lectus urna,\n"
    "et mollis ligula rutrum quis. Fusce sed odio id arcu varius aliquet nec nec nibh."
)


def _talon_rows() -> list[tuple[str, str]]:
    with open(QUOTES / "talon" / "GROUND_TRUTH_talon.tsv", encoding="utf-8") as handle:
        rows = list(csv.reader(handle, delimiter="\t"))[1:]
    return [(row[0], row[2].replace("\\n", "\n")) for row in rows if "_replies/" in row[0]]


def _without_signature(expected: str) -> str:
    # talon keeps "Sent from my iPhone" and "-- " signatures and sign-offs in the reply; mailbot
    # drops them (it reads intents and owner commands), so compare up to where they start.
    for marker in ("\n\nSent from my iPhone", "\n\n-- \n", "\n\nThanks,"):
        expected = expected.split(marker)[0]
    return expected.strip()


@pytest.mark.parametrize("path, expected", _talon_rows(), ids=lambda v: str(v).split("/")[-1][:30])
def test_talon_ground_truth(path: str, expected: str) -> None:
    local = QUOTES / "talon" / path.split("fixtures/")[1]
    if local.suffix == ".eml":
        got = new_text(email.message_from_bytes(local.read_bytes(), policy=policy.default))
    else:
        got = strip_quotes(html_to_text(local.read_text(encoding="utf-8"), drop_quotes=True))
    assert " ".join(got.split()) == " ".join(_without_signature(expected).split())


CRISP_LOREM = [
    "email_10", "email_11", "email_12", "email_13", "email_14", "email_15", "email_16", "email_17", "email_18",
    "email_22", "email_23", "email_24", "email_25", "email_26", "email_7", "email_8", "email_9",
    "email_danish_dash_separator", "email_en_multiline_2", "email_finnish", "email_fr_multiline", "email_french_2",
    "email_french_dash_separator", "email_german", "email_german_2", "email_german_3", "email_german_outlook",
    "email_gmail_split_line_from", "email_ios_outlook", "email_ios_outlook_fr", "email_italian", "email_msn",
    "email_norwegian_gmail", "email_original_message", "email_original_message_2", "email_outlook_split_line_from",
    "email_portuguese", "email_russian", "email_tricky_10_special_chars_in_name", "email_tricky_12_no_space_after_header",
    "email_tricky_14_long_quote_header", "email_tricky_15_original_message_variations", "email_tricky_5_mixed_languages",
]


@pytest.mark.parametrize("name", CRISP_LOREM)
def test_crisp_history_in_many_clients(name: str) -> None:
    assert strip_quotes((QUOTES / "crisp" / f"{name}.txt").read_text(encoding="utf-8")) == LOREM


# (folder, file, text that must remain, text that must be gone) — one line per case.
CASES = [
    ("github", "email_1_2", "You can list the keys for the bucket", "What is the best way to clear a Riak bucket"),
    ("github", "email_1_3", "Having the function would be great.", "Abhishek Kona wrote"),
    ("github", "email_1_4", "Awesome! I haven't had another problem with it.", "Loader seems to be working well."),
    ("github", "email_1_5", "One: Here's what I've got.", "On Tue, Apr 29, 2014"),
    ("github", "email_1_8", "and under this.", "> "),
    ("github", "email_2_1", "Outlook with a reply", "Google Apps Sync Team"),
    ("github", "email_2_2", "Outlook with a reply directly above line", "From:"),
    ("github", "email_BlackBerry", "Here is another email", "Sent from my BlackBerry"),
    ("github", "email_iPhone", "Here is another email", "Sent from my iPhone"),
    ("github", "email_multi_word_sent_from_my_mobile_device", "Here is another email", "Sent from my Verizon"),
    ("github", "email_sent_from_my_not_signature", "Sent from my desk, is much easier", "On "),
    ("github", "email_sig_delimiter_in_middle_of_line", "this is not a signature", "\n--"),
    ("github", "greedy_on", "On your remote host you can run:", "wrote:"),
    ("github", "pathological", "I think you're onto something.", "wrote:"),
    ("github", "email_one_is_not_on", "One outstanding question I had:", "wrote:"),
    ("zapier", "email_headers_no_delimiter", "And another reply!", "Dan Watson"),
    ("zapier", "email_gmail", "This is a test for inbox replying to a github message.", "wrote:"),
    ("zapier", "email_partial_quote_header", "On your remote host you can run:", "From:"),
    ("crisp", "email_tricky_1_on_false_positive", "On a separate note, I wanted to mention", "@"),
    ("crisp", "email_tricky_2_url_with_wrote", "It's really interesting how they handled", "Original"),
    ("crisp", "email_tricky_4_from_in_body", "This is the actual message content.", "Original"),
    ("crisp", "email_tricky_6_regards_in_sentence", "This is the actual content that should be visible.", "Original"),
    ("crisp", "email_tricky_8_sent_from_in_content", "All messages are sent from the main server.", "Original"),
    ("crisp", "email_tricky_9_nested_quotes", "I agree with the points below.", "> "),
    ("crisp", "email_tricky_13_timestamp_variations", "All of these are just examples in my content", "wrote:"),
    ("crisp", "email_tricky_17_forward_header", "See the forwarded message below.", "Forwarded"),
    ("crisp", "email_tricky_18_inline_reply", "Option C is not suitable for our use case.", "What about option B?"),
    ("crisp", "email_tricky_19_quote_without_header", "And my final thoughts.", "> "),
    ("crisp", "email_unquoted_reply", "This is my reply.", "This is my quote."),
    ("crisp", "email_zoho", "running a test?", "Java sucks"),
    ("crisp", "email_with_regards", "Can you help?", "CEO @ Acme"),
    ("crisp", "email_custom_quote_header", "Thank you!", "I really like your products!"),
    ("crisp", "email_customer_quote_header_3", "je n'ai pas eu de retour sur ma précision", "a écrit"),
]


@pytest.mark.parametrize("folder, name, kept, dropped", CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES])
def test_reply_parser_fixtures(folder: str, name: str, kept: str, dropped: str) -> None:
    got = strip_quotes((QUOTES / folder / f"{name}.txt").read_text(encoding="utf-8"))
    assert kept in got
    assert dropped not in got
