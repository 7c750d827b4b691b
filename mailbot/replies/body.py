"""Getting readable text out of a message: headers, charsets, transfer encodings, HTML.

Real mail lies about its charset, nests parts oddly and sometimes carries only HTML. Every
function here degrades instead of raising: a reply we cannot fully decode is still worth
reading, and one bad message must never stop the daemon.
"""

from __future__ import annotations

import codecs
import re
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from datetime import date

from lxml import etree, html as lxml_html

# Encodings that mail clients announce under names Python does not know.
_CHARSET_ALIASES = {
    "ks_c_5601-1987": "cp949",
    "x-sjis": "shift_jis",
    "iso-8859-8-i": "iso-8859-8",
    "x-unknown": "utf-8",
    "unknown-8bit": "utf-8",
    "default": "utf-8",
    "us-ascii": "utf-8",  # many "ascii" parts actually carry UTF-8 or Latin-1 bytes
    "ascii": "utf-8",
}


def header(msg: Message, name: str) -> str:
    """The header as one decoded string, '' when absent or unparseable.

    Reads the raw value and decodes RFC 2047 words itself: the default policy's structured
    parsing takes seconds on a 200 kB header full of encoded words, and may raise on junk.
    Values are cut at 8,000 characters, far beyond any real subject or address list.

    >>> header(msg, "Subject")
    'Réponse automatique : Relance facture F-2024-017'
    """
    values = header_all(msg, name)
    return values[0] if values else ""


def header_all(msg: Message, name: str) -> list[str]:
    """Every occurrence of a header, decoded the same safe way as `header`."""
    try:
        items = msg.raw_items()
    except AttributeError:  # a plain Message from another policy
        items = msg.items()
    out = []
    for key, raw in items:
        if key.lower() != name.lower():
            continue
        text = str(raw)[:8000]
        if "=?" in text:
            try:
                text = str(make_header(decode_header(text)))
            except Exception:  # junk encoded words: keep the raw text
                pass
        out.append(" ".join(text.split()))
    return out


def addresses(msg: Message, name: str) -> list[str]:
    """Lower-cased bare addresses of an address header."""
    value = header(msg, name)
    if not value:
        return []
    try:
        pairs = getaddresses([value])
    except Exception:
        return []
    return [addr.strip().lower() for _, addr in pairs if "@" in addr]


def message_date(msg: Message) -> date | None:
    """The Date header as a calendar date in the sender's own time zone."""
    value = header(msg, "Date")
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _charset_name(charset: str | None) -> str:
    name = (charset or "utf-8").strip().strip('"').lower()
    name = _CHARSET_ALIASES.get(name, name)
    try:
        codecs.lookup(name)
    except LookupError:
        return "utf-8"
    return name


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Bytes to text with the announced charset, falling back to UTF-8 then cp1252."""
    name = _charset_name(charset)
    for candidate in (name, "utf-8", "cp1252"):
        try:
            return data.decode(candidate)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def part_text(part: Message) -> str:
    """The decoded text of one non-multipart part ('' if it has none)."""
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        raw = part.get_payload()
        return raw if isinstance(raw, str) else ""
    if isinstance(payload, str):
        return payload
    return decode_bytes(payload, part.get_content_charset())


def _is_attachment(part: Message) -> bool:
    try:
        disposition = (part.get("Content-Disposition") or "").lower()
    except Exception:
        disposition = ""
    return disposition.startswith("attachment")


def _walk_own_parts(msg: Message, depth: int = 0):
    """Leaf parts of the message itself, not of messages attached to it.

    Depth is bounded because public torture tests nest enclosures endlessly.
    """
    if depth > 20:
        return
    if msg.is_multipart():
        try:
            children = msg.get_payload()
        except Exception:
            return
        if not isinstance(children, list):
            return
        for child in children:
            if not isinstance(child, Message):
                continue
            if child.get_content_type() in ("message/rfc822", "message/global"):
                continue  # an attached message is history, not the reply
            yield from _walk_own_parts(child, depth + 1)
    else:
        yield msg


def body_parts(msg: Message) -> tuple[str, str]:
    """(plain, html) text of the message's own inline body parts."""
    plain: list[str] = []
    htmls: list[str] = []
    for part in _walk_own_parts(msg):
        ctype = part.get_content_type()
        if _is_attachment(part):
            continue
        if ctype == "text/plain" or ctype.startswith("multipart/"):  # unparsed multipart: raw text
            plain.append(part_text(part))
        elif ctype == "text/html":
            htmls.append(part_text(part))
    return "\n".join(p for p in plain if p.strip()), "\n".join(h for h in htmls if h.strip())


def all_text(msg: Message, limit: int = 200_000, *, attached: bool = True) -> str:
    """Every text part and delivery report, for bounce parsing; `attached=False` leaves out
    the returned original message, whose words must not be taken for the MTA's diagnosis."""
    chunks: list[str] = []
    size = 0
    for part in _walk_all(msg, attached=attached):
        ctype = part.get_content_type()
        # A multipart whose boundary the parser could not find is left as one text leaf.
        if ctype.startswith("text/") or ctype.startswith("message/") or ctype.startswith("multipart/"):
            text = part_text(part)
            if ctype == "text/html":
                text = html_to_text(text)
            chunks.append(text)
            size += len(text)
            if size > limit:
                break
    return "\n".join(chunks)[:limit]


def _walk_all(msg: Message, depth: int = 0, *, attached: bool = True):
    if depth > 20:
        return
    if not attached and depth > 0 and msg.get_content_type() in ("message/rfc822", "message/global", "text/rfc822-headers"):
        return
    if msg.is_multipart():
        try:
            children = msg.get_payload()
        except Exception:
            return
        if isinstance(children, list):
            for child in children:
                if isinstance(child, Message):
                    yield from _walk_all(child, depth + 1, attached=attached)
    else:
        yield msg


# Containers that mail clients use for the quoted history of an HTML reply.
_QUOTE_XPATH = (
    "//blockquote"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' gmail_quote ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' yahoo_quoted ')]"
    " | //*[contains(concat(' ', normalize-space(@class), ' '), ' moz-cite-prefix ')]"
    " | //*[@id='divRplyFwdMsg'] | //*[@id='appendonsend']"
)
_BLOCK_TAGS = {
    "p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
    "hr", "pre", "blockquote", "section", "article", "header", "footer", "dd", "dt",
}


def html_to_text(markup: str, *, drop_quotes: bool = False) -> str:
    """Visible text of an HTML body, one line per block; quoted history dropped on request.

    >>> html_to_text('<div>Hi.</div><blockquote>old</blockquote>', drop_quotes=True)
    'Hi.'
    """
    if not markup.strip():
        return ""
    try:
        parser = lxml_html.HTMLParser(remove_comments=True, encoding="utf-8")
        root = lxml_html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", markup)
    for bad in root.xpath("//script | //style | //head | //title"):
        bad.drop_tree()
    if drop_quotes:
        for node in root.xpath(_QUOTE_XPATH):
            if node.getparent() is not None:
                node.drop_tree()
        _drop_after_reply_rule(root)
    lines: list[str] = []
    current: list[str] = []

    def flush(*, force: bool = False) -> None:
        # A <br> always ends a line (an empty one for <div><br></div>, Gmail's paragraph gap);
        # other blocks end a line only when they hold text, so nesting does not pile up blanks.
        line = " ".join("".join(current).split())
        if line or force:
            lines.append(line)
        current.clear()

    def visit(node) -> None:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag == "br":
            flush(force=True)
        elif tag in _BLOCK_TAGS:
            flush()
        if node.text:
            current.append(node.text)
        for child in node:
            visit(child)
        if tag in _BLOCK_TAGS and tag != "br":
            flush()
        if node.tail:
            current.append(node.tail)

    visit(root)
    flush()
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _drop_after_reply_rule(root) -> None:
    """Outlook separates history with an <hr> (or a bordered div) then a From:/De: block.

    Everything from such a separator to the end of its parent is dropped when the text that
    follows starts like a header block.
    """
    for hr in root.xpath("//hr"):
        following = "".join(hr.xpath("string(following::text()[normalize-space()][1])"))
        if re.match(r"\s*\**\s*(From|De|Van|Von|Da|Fra)\s*:", following):
            parent = hr.getparent()
            if parent is None:
                continue
            drop = False
            for sibling in list(parent):
                if sibling is hr:
                    drop = True
                if drop:
                    parent.remove(sibling)
            return
