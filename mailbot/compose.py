"""Turn a template and a context into a finished email (text + HTML), safely.

Templates live in ``templates/<lang>/``; the owner overrides any of them by putting a file of
the same name in ``<data dir>/templates/<lang>/``. Each template defines the blocks
``subject``, ``text`` and ``html``. Rendering runs in Jinja2's sandbox; the HTML block is
rendered with autoescape so client names and invoice fields cannot inject markup, and header
values are folded to one line so they cannot inject headers.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal
from markupsafe import Markup
from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined, pass_context
from jinja2.sandbox import SandboxedEnvironment

DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
LOCALES = {"fr": "fr_FR", "en": "en_GB", "nl": "nl_BE", "de": "de_DE"}


@dataclass
class Rendered:
    subject: str
    text: str
    html: str


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    inline_cid: str | None = None  # set for images shown inside the HTML part


def _locale(ctx: Any) -> str:
    return LOCALES.get(ctx.get("lang", "en"), "en_GB")


@pass_context
def _money(ctx: Any, amount: Decimal | str | None, currency: str = "EUR") -> str:
    if amount is None:
        return "?"
    return format_currency(Decimal(str(amount)), currency, locale=_locale(ctx))


@pass_context
def _number(ctx: Any, value: Decimal | str) -> str:
    return format_decimal(Decimal(str(value)), format="#,##0.00", locale=_locale(ctx))


@pass_context
def _longdate(ctx: Any, value: date | datetime | str | None) -> str:
    if value is None:
        return "?"
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if isinstance(value, datetime):
        value = value.date()
    return format_date(value, format="long", locale=_locale(ctx))


def _paragraphs(text: str) -> Markup:
    """Plain text (already escaped by autoescape) as HTML paragraphs, line breaks kept."""
    blocks = [b for b in str(text).split("\n\n") if b.strip()]
    return Markup("".join(f"<p>{b.strip().replace(chr(10), '<br>')}</p>" for b in blocks))


def _isodate(value: date | datetime | None) -> str:
    if value is None:
        return "?"
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


class Templates:
    """The template set: defaults plus the owner's overrides."""

    def __init__(self, overrides: Path | None = None, defaults: Path = DEFAULT_TEMPLATES):
        dirs = [str(p) for p in (overrides, defaults) if p is not None and p.exists()]
        loader = ChoiceLoader([FileSystemLoader(d) for d in dirs])
        self._text_env = self._env(loader, autoescape=False)
        self._html_env = self._env(loader, autoescape=True)

    @staticmethod
    def _env(loader: ChoiceLoader, autoescape: bool) -> SandboxedEnvironment:
        env = SandboxedEnvironment(
            loader=loader, autoescape=autoescape, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        env.filters.update(money=_money, number=_number, longdate=_longdate, isodate=_isodate, paragraphs=_paragraphs)
        return env

    def names(self) -> list[str]:
        return self._text_env.list_templates(filter_func=lambda n: n.endswith(".j2"))

    def render(self, name: str, context: dict[str, Any]) -> Rendered:
        def block(env: SandboxedEnvironment, which: str) -> str:
            tmpl = env.get_template(name)
            ctx = tmpl.new_context(dict(context))
            # A full render registers the blocks of the whole {% extends %} chain in ctx.blocks,
            # most derived first; then each part is rendered on its own.
            for _ in tmpl.root_render_func(ctx):
                pass
            if which not in ctx.blocks:
                raise KeyError(f"template {name} has no '{which}' block; add {{% block {which} %}}…{{% endblock %}}")
            return "".join(ctx.blocks[which][0](ctx)).strip()

        subject = " ".join(block(self._text_env, "subject").split())  # one line: no header injection
        return Rendered(subject, block(self._text_env, "text") + "\n", block(self._html_env, "html"))


def build_message(
    rendered: Rendered,
    *,
    from_name: str,
    from_addr: str,
    to: list[str],
    message_id: str,
    when: datetime,
    in_reply_to: str | None = None,
    references: list[str] | None = None,
    attachments: list[Attachment] | None = None,
    auto_submitted: bool = True,
    extra_headers: dict[str, str] | None = None,
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = formataddr((_one_line(from_name), from_addr))
    msg["To"] = ", ".join(to)
    msg["Subject"] = rendered.subject
    msg["Date"] = format_datetime(when)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    refs = [r for r in (references or []) if r]
    if refs:
        msg["References"] = " ".join(refs)
    if auto_submitted:
        # RFC 3834: well-behaved autoresponders will not answer us, and we never answer them.
        msg["Auto-Submitted"] = "auto-generated"
    for k, v in (extra_headers or {}).items():
        msg[k] = _one_line(v)
    msg.set_content(rendered.text)
    msg.add_alternative(rendered.html, subtype="html")
    inline = [a for a in attachments or [] if a.inline_cid]
    if inline:
        html_part = msg.get_payload()[1]
        for a in inline:
            maintype, subtype = a.content_type.split("/", 1)
            html_part.add_related(a.data, maintype=maintype, subtype=subtype, cid=f"<{a.inline_cid}>", filename=a.filename)
    for a in attachments or []:
        if a.inline_cid:
            continue
        if a.content_type == "message/rfc822":
            inner = email.message_from_bytes(a.data, policy=email.policy.default)
            msg.add_attachment(inner, filename=_one_line(a.filename))
            continue
        maintype, subtype = a.content_type.split("/", 1)
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=_one_line(a.filename))
    return msg


def _one_line(value: str) -> str:
    return " ".join(str(value).split())
