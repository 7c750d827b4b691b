"""Payment references, IBAN checks and the EPC ("SEPA") payment QR code.

A reminder is paid fastest when the debtor can scan it: the QR code fills in the
beneficiary, IBAN, amount and reference in their banking app, and the reference lets
the owner match the transfer to the invoice without guessing. Everything here is pure:
strings and Decimals in, strings (or PNG bytes) out.

References (domain.md section 6):

- Belgian structured communication (OGM/VCS) ``+++ddd/dddd/ddddd+++``: ten digits plus
  two check digits, the ten modulo 97 (97 when the remainder is 0).
- ISO 11649 creditor reference ``RF`` + 2 check digits + up to 21 alphanumerics, valid
  when the rearranged number modulo 97 is 1 (the ISO 7064 MOD 97-10 used by IBANs).

The EPC QR code follows EPC069-12 version 002 in UTF-8, error correction M, QR
version at most 13, payload at most 331 bytes.
"""

from __future__ import annotations

import hashlib
import io
import re
from decimal import Decimal, InvalidOperation

import segno
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException

from mailbot.errors import MailbotError


class PaymentDataError(MailbotError, ValueError):
    """An IBAN, BIC, reference or QR field is wrong; the message says which and the fix.

    Also a ValueError, because every case is a bad value handed in by the caller.
    """


# --- Belgian structured communication (OGM / VCS) -------------------------------------

_BE_DIGITS = 10
_BE_RE = re.compile(r"^(?P<open>\+{3}|\*{3})?(\d{3})/?(\d{4})/?(\d{5})(?P<close>\+{3}|\*{3})?$")


def _be_check(ten_digits: str) -> int:
    # The remainder 0 would give check digits "00", which the scheme reserves: it
    # writes 97 instead, so a valid reference never ends in 00.
    return int(ten_digits) % 97 or 97


def belgian_structured_reference(base: int | str) -> str:
    """The Belgian structured communication for up to ten digits.

    >>> belgian_structured_reference(1234567890)
    '+++123/4567/89002+++'
    """
    if isinstance(base, bool):  # bool is an int subclass: True would silently mean 1
        raise PaymentDataError("Belgian reference base must be digits, not a bool")
    if isinstance(base, int):
        if not 0 <= base < 10**_BE_DIGITS:
            raise PaymentDataError(
                f"Belgian reference base {base} must be between 0 and 9999999999 (ten digits)"
            )
        digits = f"{base:0{_BE_DIGITS}d}"
    else:
        compact = base.replace(" ", "")
        if not compact.isascii() or not compact.isdigit() or not 1 <= len(compact) <= _BE_DIGITS:
            raise PaymentDataError(
                f"Belgian reference base {base!r} must be 1 to 10 digits; "
                "the two check digits are added for you"
            )
        digits = compact.zfill(_BE_DIGITS)
    full = f"{digits}{_be_check(digits):02d}"
    return f"+++{full[0:3]}/{full[3:7]}/{full[7:12]}+++"


def is_valid_belgian_reference(s: str) -> bool:
    """True for ``+++090/9337/55493+++``, ``***090/9337/55493***`` or ``090933755493``."""
    if not isinstance(s, str):
        return False
    m = _BE_RE.match(s.replace(" ", ""))
    if not m:
        return False
    # Delimiters come in pairs of the same kind, or not at all.
    if m.group("open") != m.group("close"):
        return False
    digits = "".join(m.group(i) for i in (2, 3, 4))
    return int(digits[10:]) == _be_check(digits[:10])


# --- ISO 11649 creditor reference ------------------------------------------------------

_RF_BASE_MAX = 21
_RF_RE = re.compile(r"^RF(\d{2})([A-Z0-9]{1,21})$")


def _iso7064_mod97(alnum: str) -> int:
    # Letters become two-digit numbers (A=10 ... Z=35), exactly as for IBANs.
    return int("".join(str(int(ch, 36)) for ch in alnum)) % 97


def _compact(s: str) -> str:
    return "".join(s.split()).upper()


def rf_reference(base: str) -> str:
    """The ISO 11649 creditor reference for `base`, printed in groups of four.

    >>> rf_reference("539007547034")
    'RF18 5390 0754 7034'
    """
    compact = _compact(base)
    if not compact or len(compact) > _RF_BASE_MAX or not re.fullmatch(r"[A-Z0-9]+", compact):
        raise PaymentDataError(
            f"RF reference base {base!r} must be 1 to 21 letters or digits "
            "(no dashes or slashes): strip them first"
        )
    check = 98 - _iso7064_mod97(compact + "RF00")
    ref = f"RF{check:02d}{compact}"
    return " ".join(ref[i : i + 4] for i in range(0, len(ref), 4))


def is_valid_rf_reference(s: str) -> bool:
    """True for ``RF18 5390 0754 7034`` (spaces and case do not matter)."""
    if not isinstance(s, str):
        return False
    compact = _compact(s)
    m = _RF_RE.match(compact)
    if not m:
        return False
    # 98 - (n mod 97) only yields 02..98; 00, 01 and 99 can also satisfy "mod 97 == 1"
    # (they alias 97, 98 and 02) but no conforming generator writes them.
    if m.group(1) in ("00", "01", "99"):
        return False
    return _iso7064_mod97(compact[4:] + compact[:4]) == 1


# --- Reference for an invoice ----------------------------------------------------------

REFERENCE_SCHEMES = ("invoice", "be", "rf")


def _be_base_for(invoice_number: str) -> str:
    """Ten digits derived from an invoice number, the same every time.

    An invoice number made of digits and separators (``2026-0042``) keeps its digits,
    so a person can still recognise it in the bank statement. Anything else (letters,
    more than ten digits) is hashed: reconciliation recomputes the reference from the
    invoice number, so readability is a bonus, determinism is what matters.
    """
    digits = re.sub(r"[\s\-/.]", "", invoice_number)
    if digits.isascii() and digits.isdigit() and len(digits) <= _BE_DIGITS:
        return digits.zfill(_BE_DIGITS)
    h = hashlib.sha256(invoice_number.encode("utf-8")).digest()
    return f"{int.from_bytes(h[:8], 'big') % 10**_BE_DIGITS:0{_BE_DIGITS}d}"


def reference_for(invoice_number: str, scheme: str) -> str:
    """The payment reference to print for an invoice.

    >>> reference_for("F-2026-0042", "invoice")
    'F-2026-0042'
    >>> reference_for("2026-0042", "be")
    '+++002/0260/04240+++'
    >>> reference_for("F-2026-0042", "rf")
    'RF69 F202 6004 2'
    """
    number = invoice_number.strip()
    if not number:
        raise PaymentDataError("invoice number is empty: a payment reference needs one")
    if scheme == "invoice":
        return number
    if scheme == "be":
        return belgian_structured_reference(_be_base_for(number))
    if scheme == "rf":
        base = re.sub(r"[^A-Za-z0-9]", "", number)
        if not base or len(base) > _RF_BASE_MAX:
            raise PaymentDataError(
                f"invoice number {number!r} has {len(base)} letters/digits; an RF reference "
                f"holds 1 to {_RF_BASE_MAX}: use the 'be' or 'invoice' reference scheme"
            )
        return rf_reference(base)
    raise PaymentDataError(
        f"unknown reference scheme {scheme!r}: use one of {', '.join(REFERENCE_SCHEMES)}"
    )


# --- IBAN / BIC ------------------------------------------------------------------------


def validate_iban(iban: str) -> str:
    """The IBAN in electronic form (no spaces, upper case), or PaymentDataError.

    >>> validate_iban("be68 5390 0754 7034")
    'BE68539007547034'
    """
    try:
        return IBAN(iban).compact
    except SchwiftyException as exc:  # translated at the boundary, see errors.py
        raise PaymentDataError(
            f"IBAN {iban!r} is not valid ({exc}): copy it again from the bank statement"
        ) from exc


def bic_from_iban(iban: str) -> str | None:
    """The BIC of the IBAN's bank when schwifty's bank registry knows it, else None.

    >>> bic_from_iban("DE89370400440532013000")
    'COBADEFFXXX'
    """
    bic = IBAN(validate_iban(iban)).bic
    return str(bic) if bic is not None else None


def validate_bic(bic: str) -> str:
    """The BIC in upper case without spaces, or PaymentDataError."""
    try:
        return str(BIC(_compact(bic)))
    except SchwiftyException as exc:
        raise PaymentDataError(
            f"BIC {bic!r} is not valid ({exc}): it has 8 or 11 characters, "
            "e.g. GEBABEBB; or leave it out, EPC version 002 does not need it"
        ) from exc


# --- EPC QR code (EPC069-12) -----------------------------------------------------------

EPC_MIN_AMOUNT = Decimal("0.01")
EPC_MAX_AMOUNT = Decimal("999999999.99")
EPC_MAX_BYTES = 331
EPC_MAX_QR_VERSION = 13


def _field(label: str, value: str | None, max_len: int) -> str:
    if value is None:
        return ""
    value = value.strip()
    # A line break would shift every following field: the bank would read the wrong
    # IBAN or amount, so it is refused rather than replaced.
    if "\n" in value or "\r" in value:
        raise PaymentDataError(f"EPC QR {label} contains a line break: put it on one line")
    if len(value) > max_len:
        raise PaymentDataError(
            f"EPC QR {label} has {len(value)} characters, at most {max_len} allowed: shorten it"
        )
    return value


def _epc_amount(amount: Decimal) -> str:
    if not isinstance(amount, Decimal):
        raise PaymentDataError(
            f"EPC QR amount must be a decimal.Decimal, got {type(amount).__name__} "
            "(floats lose cents): pass Decimal('123.45')"
        )
    if not amount.is_finite():
        raise PaymentDataError(f"EPC QR amount {amount} is not a finite number")
    try:
        cents = amount.quantize(Decimal("0.01"))
    except InvalidOperation as exc:  # more digits than the context holds
        raise PaymentDataError(f"EPC QR amount {amount} is too large") from exc
    if cents != amount:
        raise PaymentDataError(
            f"EPC QR amount {amount} has more than 2 decimals: round it to cents first"
        )
    if not EPC_MIN_AMOUNT <= cents <= EPC_MAX_AMOUNT:
        raise PaymentDataError(
            f"EPC QR amount {amount} is outside {EPC_MIN_AMOUNT}..{EPC_MAX_AMOUNT} EUR"
        )
    return f"EUR{cents:.2f}"


def epc_qr_payload(
    *,
    name: str,
    iban: str,
    amount: Decimal,
    bic: str | None = None,
    reference: str | None = None,
    text: str | None = None,
    purpose: str | None = None,
    info: str | None = None,
) -> str:
    """The text of an EPC069-12 SEPA credit transfer QR code (version 002, UTF-8).

    >>> epc_qr_payload(name="Atelier Dupré", iban="BE68539007547034",
    ...                amount=Decimal("1440.00"), reference="RF18 5390 0754 7034")
    'BCD\\n002\\n1\\nSCT\\n\\nAtelier Dupré\\nBE68539007547034\\nEUR1440.00\\n\\nRF18539007547034'
    """
    if reference and text:
        raise PaymentDataError(
            "EPC QR takes a structured reference or a free text, not both: drop the text "
            "(the reference is what the bank matches on)"
        )
    name_v = _field("beneficiary name", name, 70)
    if not name_v:
        raise PaymentDataError("EPC QR beneficiary name is empty: give the owner's name")
    iban_v = validate_iban(iban)
    bic_v = validate_bic(bic) if bic else ""
    amount_v = _epc_amount(amount)
    purpose_v = _field("purpose", purpose, 4).upper()
    if purpose_v and not re.fullmatch(r"[A-Z0-9]{1,4}", purpose_v):
        raise PaymentDataError(
            f"EPC QR purpose {purpose!r} must be an ISO 20022 purpose code (e.g. GDDS)"
        )
    ref_v = _field("structured reference", reference, 35)
    if is_valid_rf_reference(ref_v):
        # Groups of four are the paper form; the QR carries the electronic form.
        ref_v = _compact(ref_v)
    text_v = _field("unstructured text", text, 140)
    info_v = _field("beneficiary-to-originator information", info, 70)

    lines = [
        "BCD",  # service tag
        "002",  # version: BIC optional inside the EEA
        "1",  # character set 1 = UTF-8
        "SCT",  # SEPA credit transfer
        bic_v,
        name_v,
        iban_v,
        amount_v,
        purpose_v,
        ref_v,
        text_v,
        info_v,
    ]
    # Trailing empty fields may be left out; the last line must not end with a newline.
    while lines[-1] == "":
        lines.pop()
    payload = "\n".join(lines)
    size = len(payload.encode("utf-8"))
    if size > EPC_MAX_BYTES:
        raise PaymentDataError(
            f"EPC QR payload is {size} bytes, at most {EPC_MAX_BYTES} allowed: "
            "shorten the name, text or information"
        )
    return payload


def epc_qr_png(payload: str, scale: int = 4) -> bytes:
    """A PNG image of the EPC QR code for `payload` (from `epc_qr_payload`)."""
    if not payload.startswith("BCD\n"):
        raise PaymentDataError("not an EPC QR payload (must start with 'BCD'): use epc_qr_payload")
    if scale < 1:
        raise PaymentDataError(f"QR scale {scale} must be at least 1 pixel per module")
    # Encode the bytes ourselves: given a str, segno would pick ISO 8859-1 when it fits,
    # while the payload declares UTF-8 (character set 1). boost_error stays off because
    # EPC069-12 prescribes level M, not "M or better".
    qr = segno.make_qr(payload.encode("utf-8"), error="m", boost_error=False)
    if qr.version > EPC_MAX_QR_VERSION:  # cannot happen within 331 bytes; guards the rule
        raise PaymentDataError(
            f"EPC QR needs QR version {qr.version}, at most {EPC_MAX_QR_VERSION} allowed"
        )
    out = io.BytesIO()
    qr.save(out, kind="png", scale=scale)
    return out.getvalue()
