"""The formal notice (mise en demeure) as a one-page A4 PDF, ready to print, sign and post.

The wording comes from the owner's template (``templates/<lang>/letter.j2``: the subject is the
letter's title, the text block its body); this module only lays it out. Lines that start with
"- " become a list; a blank line separates paragraphs. Built with reportlab, from bytes to
bytes: no file is written here.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer


def letter_pdf(title: str, body: str, *, author: str) -> bytes:
    """A PDF whose text a person (and pypdf) can read back; `title` also goes in its metadata."""
    styles = getSampleStyleSheet()
    normal = ParagraphStyle("body", parent=styles["Normal"], fontName="Helvetica", fontSize=10.5, leading=14)
    bullet = ParagraphStyle("item", parent=normal, leftIndent=12, bulletIndent=2)
    heading = ParagraphStyle("title", parent=styles["Heading2"], fontName="Helvetica-Bold", spaceBefore=6, spaceAfter=8)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm, topMargin=20 * mm,
                            bottomMargin=20 * mm, title=title, author=author, invariant=True)
    flow: list = []
    title_done = False
    for block in body.strip().split("\n\n"):
        lines = [ln.rstrip() for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        if not title_done and any(title.strip() == ln.strip() for ln in lines):
            # The body names the title in its place (after the addresses): print it as a heading.
            for ln in lines:
                flow.append(Paragraph(escape(ln), heading if ln.strip() == title.strip() else normal))
            title_done = True
            continue
        if all(ln.lstrip().startswith("- ") for ln in lines):
            flow.extend(Paragraph(escape(ln.lstrip()[2:]), bullet, bulletText="•") for ln in lines)
        else:
            flow.append(Paragraph("<br/>".join(escape(ln) for ln in lines), normal))
        flow.append(Spacer(1, 3 * mm))
    if not title_done:
        flow.insert(0, Paragraph(escape(title), heading))
    doc.build(flow)
    return out.getvalue()
