"""Reading a PDF: its embedded e-invoice XML (Factur-X/ZUGFeRD) and its visible text.

`read_pdf` runs inside the isolated worker (see isolate.py) and returns plain data only;
everything that interprets that data runs in the caller's process.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from mailbot.coded import Coded
from mailbot.errors import ExtractionError, InputRejected
from mailbot.intake.isolate import IsolatedRunner, WorkerCrashed, default_runner

# Names the Factur-X, ZUGFeRD and XRechnung specifications give the embedded file, most
# specific first; any other *.xml attachment is still looked at afterwards.
KNOWN_XML_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")


@dataclass
class PdfContent:
    pages: int = 0
    encrypted: bool = False
    text: str = ""
    # (file name, bytes) of embedded XML files, the one factur-x picked first.
    embedded_xml: list[tuple[str, bytes]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_pdf(job: tuple[bytes, int, bool]) -> PdfContent:
    """Worker side: page count, encryption, embedded XML and (optionally) the text.

    Raises nothing for a readable PDF; a PdfContent with `encrypted=True` is returned for a
    password-protected file so the caller can phrase the error.
    """
    data, max_pages, want_text = job
    # Imported here so the parent process does not pay for them unless it reads PDFs itself.
    import facturx
    from pypdf import PdfReader

    logging.getLogger("factur-x").setLevel(logging.ERROR)
    out = PdfContent()
    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        # An owner password only (permissions) opens with the empty user password.
        try:
            opened = reader.decrypt("")
        except Exception:  # noqa: BLE001 - unsupported crypto is the same as locked for us
            opened = 0
        if not opened:
            out.encrypted = True
            return out
        out.problems.append(Coded("pdf_empty_password", "the PDF is encrypted with an empty password; read anyway"))
    out.pages = len(reader.pages)
    if out.pages > max_pages:
        return out

    try:
        name, xml = facturx.get_xml_from_pdf(data, check_xsd=False)
    except Exception as exc:  # noqa: BLE001 - a broken attachment tree must not hide the text
        name, xml = None, None
        out.problems.append(Coded("pdf_attachments_unlisted", f"embedded files could not be listed ({exc})"))
    if name and xml:
        out.embedded_xml.append((str(name), bytes(xml)))
    else:
        # factur-x skips XML it cannot parse or classify (ZUGFeRD release candidates, bad
        # encodings): collect those too, so the caller can read them or say why not.
        try:
            for att in reader.attachment_list:
                if att.name.lower().endswith(".xml") and att.content:
                    out.embedded_xml.append((att.name, bytes(att.content)))
        except Exception as exc:  # noqa: BLE001
            out.problems.append(Coded("pdf_attachments_unlisted", f"embedded files could not be listed ({exc})"))
        out.embedded_xml.sort(key=lambda item: item[0].lower() not in KNOWN_XML_NAMES)

    if want_text:
        texts = []
        for page in reader.pages:
            try:
                texts.append(page.extract_text() or "")
            except Exception as exc:  # noqa: BLE001 - keep the other pages
                out.problems.append(Coded("pdf_page_unreadable", f"a page could not be read as text ({exc})"))
        out.text = "\n".join(texts)
    return out


def load_pdf(
    data: bytes,
    name: str,
    *,
    max_pages: int,
    timeout: float,
    want_text: bool = True,
    runner: IsolatedRunner | None = None,
) -> PdfContent:
    """Read `data` in the worker; raise ExtractionError/InputRejected with the file's name."""
    if b"%PDF-" not in data[:1024]:
        raise ExtractionError(f"{name} is not a PDF (no %PDF- header); send the original file")
    try:
        content: PdfContent = (runner or default_runner()).call(
            read_pdf, (data, max_pages, want_text), timeout=timeout, what=name
        )
    except WorkerCrashed as exc:
        raise ExtractionError(
            f"{name} could not be read as a PDF ({exc}); it may be truncated or damaged — ask for a new copy"
        ) from exc
    if content.encrypted:
        raise ExtractionError(
            f"{name} is encrypted (password-protected); send a copy without a password, "
            "or write the invoice fields in the email body"
        )
    if content.pages > max_pages:
        raise InputRejected(
            f"{name} has {content.pages} pages; the limit is {max_pages} (MAILBOT_MAX_PDF_PAGES)"
        )
    return content
