"""Structured e-invoices: CII (Factur-X, ZUGFeRD 1/2, XRechnung) and UBL 2.1 (Peppol BIS 3).

The syntax is decided by the root element's namespace, never by its local name or the file
name: early ZUGFeRD files have a root called `Invoice` that is not UBL. Paths are written
with local names and resolved namespace-agnostically, because the same business term sits
under differently-named (or even unqualified) elements across CII generations; the namespace
check at the root is what keeps a foreign document out.

Every value read here is the sender's own declaration, so it gets confidence 1.0 and an
XPath-like evidence string.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from mailbot.coded import Coded
from mailbot.errors import ExtractionError
from mailbot.intake.fields import InvoiceFields
from mailbot.intake.language import guess_text_language, language_for_country
from mailbot.intake.values import is_email, money, normalize_iban

NS_CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
NS_ZUGFERD1 = "urn:ferd:CrossIndustryDocument:invoice:1p0"
NS_CBFBUY = "urn:un:unece:uncefact:data:standard:CBFBUY:5"  # ZUGFeRD release candidate (2013/14)
NS_UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_UBL_CREDITNOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_FATTURAPA = "http://ivaservizi.agenziaentrate.gov.it/docs/xsd/fatture/v1.2"

SYNTAXES = {
    NS_CII: "CII",
    NS_ZUGFERD1: "ZUGFeRD1-CII",
    NS_CBFBUY: "ZUGFeRD-RC",
    NS_UBL_INVOICE: "UBL",
    NS_UBL_CREDITNOTE: "UBL",
}

# UNTDID 1001 codes that mean "credit note" (EN 16931 allows these for BT-3).
CREDIT_NOTE_CODES = {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}


def safe_parser() -> etree.XMLParser:
    """No external entities, no network, no entity blow-up: e-invoices come from strangers."""
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
    )


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse untrusted XML; raise ExtractionError naming the file when it is not well-formed."""
    # A DTD declaring entities is never legitimate in an e-invoice; refusing it before
    # parsing is the surest way not to expand a "billion laughs" or read a local file.
    head = data[:65536]
    if b"<!ENTITY" in head or b"<\x00!\x00E\x00N\x00T\x00I\x00T\x00Y" in head:
        raise ExtractionError(f"{name} declares XML entities (DTD); e-invoices never do, so it was not read")
    try:
        root = etree.fromstring(data, parser=safe_parser())
    except etree.XMLSyntaxError as exc:
        raise ExtractionError(f"{name} is not well-formed XML ({exc}); ask the sender for a valid copy") from exc
    except ValueError as exc:  # e.g. unicode strings with an encoding declaration
        raise ExtractionError(f"{name} cannot be read as XML ({exc})") from exc
    if root is None:
        raise ExtractionError(f"{name} contains no XML element")
    # Same rule after parsing, for a DTD placed beyond the first 64 KiB.
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None and any(True for _ in docinfo.internalDTD.iterentities()):
        raise ExtractionError(f"{name} declares XML entities (DTD); e-invoices never do, so it was not read")
    return root


def syntax_of(root: etree._Element) -> str | None:
    """'CII', 'ZUGFeRD1-CII', 'ZUGFeRD-RC', 'UBL', 'FatturaPA' or None, from the root namespace."""
    ns = etree.QName(root).namespace
    if ns == NS_FATTURAPA:
        return "FatturaPA"
    return SYNTAXES.get(ns or "")


def _path(expr: str) -> str:
    """'A/B|C/D' (local names, '|' = alternatives) -> namespace-agnostic XPath."""
    steps = []
    for step in expr.split("/"):
        attr = ""
        if "[" in step:
            step, attr = step.split("[", 1)
            attr = "[" + attr
        if step == "":
            steps.append("")
            continue
        names = step.split("|")
        cond = " or ".join(f"local-name()='{n}'" for n in names)
        steps.append(f"*[{cond}]{attr}")
    return "/".join(steps)


# Compiled XPaths, memoised: compiling them costs more than evaluating them on one invoice.
_XPATHS: dict[str, etree.XPath] = {}


class _Reader:
    def __init__(self, root: etree._Element):
        self.root = root

    def nodes(self, expr: str, ctx: etree._Element | None = None) -> list[etree._Element]:
        xp = _XPATHS.get(expr)
        if xp is None:
            xp = _XPATHS[expr] = etree.XPath(_path(expr))
        return list(xp(ctx if ctx is not None else self.root))

    def text(self, expr: str, ctx: etree._Element | None = None) -> tuple[str | None, etree._Element | None]:
        """First non-empty text at expr, white space normalised (names can span lines)."""
        for node in self.nodes(expr, ctx):
            value = " ".join((node.text or "").split())
            if value:
                return value, node
        return None, None


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return money(Decimal(value.strip()))
    except InvalidOperation:
        return None


def _cii_date(node: etree._Element | None) -> date | None:
    """CII dates: <DateTimeString format="102">20260302</...>, or directly in the element (RC)."""
    if node is None:
        return None
    raw = (node.text or "").strip()
    fmt = node.get("format", "102")
    m = re.fullmatch(r"(\d{4})-?(\d{2})-?(\d{2})", raw)
    if m and fmt in ("102", ""):
        return _mkdate(int(m[1]), int(m[2]), int(m[3]))
    if fmt == "610" and re.fullmatch(r"\d{6}", raw):  # month only: take the first day
        return _mkdate(int(raw[:4]), int(raw[4:6]), 1)
    return None


def _date_carrier(r: _Reader, node: etree._Element) -> etree._Element:
    """<IssueDateTime><udt:DateTimeString format="102">…</…></…>, or the text in place (RC)."""
    inner = r.nodes("DateTimeString", node)
    return inner[0] if inner else node


def _iso_date(value: str | None) -> date | None:
    if not value:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*|[+-Z].*)?", value.strip())
    return _mkdate(int(m[1]), int(m[2]), int(m[3])) if m else None


def _mkdate(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _evidence(node: etree._Element | None) -> str:
    if node is None:
        return ""
    return node.getroottree().getpath(node) if node.getroottree() is not None else etree.QName(node).localname


def extract_structured(data: bytes, name: str) -> InvoiceFields:
    """Fields of one CII or UBL document.

    extract_structured(open('factur-x.xml','rb').read(), 'factur-x.xml').invoice_number
    -> 'FA-2017-0010'
    """
    root = parse_xml(data, name)
    syntax = syntax_of(root)
    if syntax is None:
        ns = etree.QName(root).namespace or "no namespace"
        raise ExtractionError(
            f"{name} is XML but not an e-invoice mailbot knows (root {etree.QName(root).localname!r}, "
            f"namespace {ns}); send a Factur-X/ZUGFeRD, XRechnung, CII or UBL invoice instead"
        )
    if syntax == "FatturaPA":
        raise ExtractionError(
            f"{name} is an Italian FatturaPA invoice, which mailbot does not read; "
            "forward its PDF copy or write the fields in the email body"
        )
    fields = InvoiceFields()
    fields.syntax = syntax
    if syntax == "UBL":
        _read_ubl(_Reader(root), root, fields)
        fields.source = "ubl"
    else:
        _read_cii(_Reader(root), fields)
        fields.source = "cii"
    if fields.buyer_country:
        lang = language_for_country(fields.buyer_country)
        # A guess from the country, not a declaration: the owner may correct it.
        fields.set("language", lang, 0.7, f"buyer country {fields.buyer_country}")
    if fields.language is None:
        # Belgium and Switzerland speak several languages: the invoice's own words decide
        # (notes, payment terms, item names).
        words = " ".join(t.strip() for t in root.itertext() if t and not t.strip().replace(".", "").isdigit())
        lang, share = guess_text_language(words)
        if lang is not None and share >= 0.5:
            fields.set("language", lang, 0.6, "words of the invoice")
    return fields


def _put(fields: InvoiceFields, name: str, value: object, node: etree._Element | None) -> None:
    fields.set(name, value, 1.0, _evidence(node))


def _read_cii(r: _Reader, f: InvoiceFields) -> None:
    doc = "ExchangedDocument|HeaderExchangedDocument"
    trade = "SupplyChainTradeTransaction|SpecifiedSupplyChainTradeTransaction"
    agreement = f"{trade}/ApplicableHeaderTradeAgreement|ApplicableSupplyChainTradeAgreement"
    settlement = f"{trade}/ApplicableHeaderTradeSettlement|ApplicableSupplyChainTradeSettlement"
    totals = f"{settlement}/SpecifiedTradeSettlementHeaderMonetarySummation|SpecifiedTradeSettlementMonetarySummation"

    v, n = r.text(f"{doc}/ID")
    _put(f, "invoice_number", v, n)
    v, n = r.text(f"{doc}/TypeCode")
    f.type_code = v
    _put(f, "document_type", "credit_note" if v in CREDIT_NOTE_CODES else "invoice", n)
    f.set("document_type", "invoice", 1.0, "no TypeCode: an invoice by default")

    for node in r.nodes(f"{doc}/IssueDateTime"):
        node = _date_carrier(r, node)
        _put(f, "issue_date", _cii_date(node), node)
        break
    # The first payment term that states a due date (several terms = instalments).
    for node in r.nodes(f"{settlement}/SpecifiedTradePaymentTerms/DueDateDateTime"):
        node = _date_carrier(r, node)
        _put(f, "due_date", _cii_date(node), node)
        if f.due_date:
            break
    v, n = r.text(f"{settlement}/SpecifiedTradePaymentTerms/Description")
    _put(f, "payment_terms", v, n)

    v, n = r.text(f"{settlement}/InvoiceCurrencyCode")
    _put(f, "currency", v, n)

    v, n = r.text(f"{agreement}/SellerTradeParty/Name")
    _put(f, "seller_name", v, n)
    for node in r.nodes(f"{agreement}/SellerTradeParty/SpecifiedTaxRegistration/ID"):
        if node.get("schemeID") == "VA" and (node.text or "").strip():
            _put(f, "seller_vat", node.text.strip(), node)
            break
    v, n = r.text(f"{agreement}/BuyerTradeParty/Name")
    _put(f, "buyer_name", v, n)
    v, n = r.text(f"{agreement}/BuyerTradeParty/PostalTradeAddress/CountryID")
    _put(f, "buyer_country", v.upper() if v else None, n)

    # BT-58 (the buyer's contact person) first, then BT-49 (electronic address, scheme EM).
    v, n = r.text(f"{agreement}/BuyerTradeParty/DefinedTradeContact/EmailURIUniversalCommunication/URIID")
    _put_email(f, v, n, "BT-58 buyer contact e-mail")
    for node in r.nodes(f"{agreement}/BuyerTradeParty/URIUniversalCommunication/URIID"):
        if node.get("schemeID") == "EM":
            _put_email(f, " ".join((node.text or "").split()), node, "BT-49 buyer electronic address")
            break

    v, n = r.text(f"{totals}/GrandTotalAmount")
    _put(f, "total_amount", _decimal(v), n)
    v, n = r.text(f"{totals}/DuePayableAmount")
    _put(f, "amount_due", _decimal(v), n)

    means = f"{settlement}/SpecifiedTradeSettlementPaymentMeans"
    v, n = r.text(f"{means}/PayeePartyCreditorFinancialAccount/IBANID")
    _put(f, "iban", normalize_iban(v) if v else None, n)
    v, n = r.text(f"{means}/PayeeSpecifiedCreditorFinancialInstitution/BICID")
    _put(f, "bic", v, n)
    v, n = r.text(f"{settlement}/PaymentReference")
    _put(f, "payment_reference", v, n)
    v, _ = r.text(
        "ExchangedDocumentContext|SpecifiedExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID"
    )
    f.profile = v


def _put_email(f: InvoiceFields, value: str | None, node: etree._Element | None, what: str) -> None:
    if not value:
        return
    if value.lower().startswith("mailto:"):
        value = value[7:]
    if is_email(value):
        _put(f, "buyer_email", value, node)
    else:
        f.warnings.append(Coded("not_an_email", f"{what} {value!r} is not an e-mail address; ignored", value=value))


def _read_ubl(r: _Reader, root: etree._Element, f: InvoiceFields) -> None:
    is_credit = etree.QName(root).localname == "CreditNote"
    v, n = r.text("ID")
    _put(f, "invoice_number", v, n)
    v, n = r.text("CreditNoteTypeCode" if is_credit else "InvoiceTypeCode")
    f.type_code = v
    doc_type = "credit_note" if is_credit or v in CREDIT_NOTE_CODES else "invoice"
    _put(f, "document_type", doc_type, n if n is not None else root)
    v, n = r.text("IssueDate")
    _put(f, "issue_date", _iso_date(v), n)
    v, n = r.text("DueDate")
    _put(f, "due_date", _iso_date(v), n)
    v, n = r.text("PaymentMeans/PaymentDueDate")
    _put(f, "due_date", _iso_date(v), n)
    v, n = r.text("PaymentTerms/Note")
    _put(f, "payment_terms", v, n)
    v, n = r.text("DocumentCurrencyCode")
    _put(f, "currency", v, n)

    seller = "AccountingSupplierParty/Party"
    buyer = "AccountingCustomerParty/Party"
    v, n = r.text(f"{seller}/PartyLegalEntity/RegistrationName")
    _put(f, "seller_name", v, n)
    v, n = r.text(f"{seller}/PartyName/Name")
    f.set("seller_name", v, 0.95, _evidence(n))  # trading name only when no legal name
    for node in r.nodes(f"{seller}/PartyTaxScheme"):
        cid, cnode = r.text("CompanyID", node)
        scheme, _ = r.text("TaxScheme/ID", node)
        if cid and (scheme or "VAT").upper() == "VAT":
            _put(f, "seller_vat", cid, cnode)
            break
    v, n = r.text(f"{buyer}/PartyLegalEntity/RegistrationName")
    _put(f, "buyer_name", v, n)
    v, n = r.text(f"{buyer}/PartyName/Name")
    f.set("buyer_name", v, 0.95, _evidence(n))
    v, n = r.text(f"{buyer}/PostalAddress/Country/IdentificationCode")
    _put(f, "buyer_country", v.upper() if v else None, n)

    v, n = r.text(f"{buyer}/Contact/ElectronicMail")
    _put_email(f, v, n, "BT-58 buyer contact e-mail")
    for node in r.nodes(f"{buyer}/EndpointID"):
        if node.get("schemeID") == "EM":
            _put_email(f, " ".join((node.text or "").split()), node, "BT-49 buyer electronic address")
            break

    v, n = r.text("LegalMonetaryTotal/TaxInclusiveAmount")
    _put(f, "total_amount", _decimal(v), n)
    v, n = r.text("LegalMonetaryTotal/PayableAmount")
    _put(f, "amount_due", _decimal(v), n)

    v, n = r.text("PaymentMeans/PayeeFinancialAccount/ID")
    _put(f, "iban", normalize_iban(v) if v else None, n)
    v, n = r.text("PaymentMeans/PayeeFinancialAccount/FinancialInstitutionBranch/ID")
    _put(f, "bic", v, n)
    v, n = r.text("PaymentMeans/PaymentID")
    _put(f, "payment_reference", v, n)
    v, _ = r.text("ProfileID")
    f.profile = v
