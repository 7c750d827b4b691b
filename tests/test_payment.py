"""Payment references, IBANs and the EPC QR code, checked against the standards' arithmetic.

Expected check digits are recomputed here digit by digit (Horner's rule on the decimal
expansion), independently of the int(...) % 97 used by mailbot.payment.
"""

from __future__ import annotations

import io
import os
import string
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mailbot.errors import MailbotError
from mailbot.payment import (
    PaymentDataError,
    belgian_structured_reference,
    bic_from_iban,
    epc_qr_payload,
    epc_qr_png,
    is_valid_belgian_reference,
    is_valid_rf_reference,
    reference_for,
    rf_reference,
    validate_iban,
)


def horner_mod97(digits: str) -> int:
    """n mod 97 one digit at a time, as one would do it by hand."""
    r = 0
    for ch in digits:
        r = (r * 10 + int(ch)) % 97
    return r


def letters_to_digits(s: str) -> str:
    return "".join(ch if ch.isdigit() else str(string.ascii_uppercase.index(ch) + 10) for ch in s)


# --- Belgian structured communication ----------------------------------------------


@pytest.mark.parametrize(
    "base, ten",
    [
        (1234567890, "1234567890"),
        ("42", "0000000042"),
        (0, "0000000000"),  # remainder 0: check digits must be 97, never 00
        (97, "0000000097"),  # remainder 0 again, from a non-zero base
        ("0909337554", "0909337554"),
        (9999999999, "9999999999"),
    ],
)
def test_belgian_reference_matches_hand_arithmetic(base, ten):
    check = horner_mod97(ten) or 97
    full = ten + f"{check:02d}"
    expected = f"+++{full[:3]}/{full[3:7]}/{full[7:]}+++"
    assert belgian_structured_reference(base) == expected
    assert is_valid_belgian_reference(expected)


def test_belgian_remainder_zero_writes_97():
    assert belgian_structured_reference(0) == "+++000/0000/00097+++"
    assert belgian_structured_reference(97 * 12345).endswith("97+++")


@pytest.mark.parametrize(
    "text, ok",
    [
        ("+++090/9337/55493+++", True),
        ("***090/9337/55493***", True),
        ("090933755493", True),
        ("+++ 090 / 9337 / 55493 +++", True),
        ("090/9337/55493", True),
        ("+++090/9337/55493***", False),  # mismatched delimiters
        ("+++090/9337/55493", False),  # delimiter on one side only
        ("+++090/9337/55494+++", False),  # wrong check digits
        ("+++000/0000/00000+++", False),  # 00 is never a check value
        ("09093375549", False),  # 11 digits
        ("", False),
    ],
)
def test_is_valid_belgian_reference_formats(text, ok):
    assert is_valid_belgian_reference(text) is ok


@pytest.mark.parametrize("bad", [-1, 10**10, "12345678901", "12a", "", True])
def test_belgian_reference_rejects_bad_base(bad):
    with pytest.raises(PaymentDataError, match="Belgian reference base"):
        belgian_structured_reference(bad)


@given(st.integers(min_value=0, max_value=10**10 - 1))
def test_generated_belgian_references_are_valid(base):
    ref = belgian_structured_reference(base)
    assert is_valid_belgian_reference(ref)
    digits = ref.strip("+").replace("/", "")
    assert int(digits[:10]) == base


@given(
    st.integers(min_value=0, max_value=10**10 - 1),
    st.integers(min_value=0, max_value=11),
    st.integers(min_value=1, max_value=9),
)
def test_changing_one_belgian_digit_invalidates(base, position, delta):
    digits = belgian_structured_reference(base).strip("+").replace("/", "")
    changed = digits[:position] + str((int(digits[position]) + delta) % 10) + digits[position + 1 :]
    assert not is_valid_belgian_reference(changed)


# --- ISO 11649 -----------------------------------------------------------------------


def test_rf_reference_iso_example():
    # The example printed in ISO 11649 and in the EPC guidelines.
    assert rf_reference("539007547034") == "RF18 5390 0754 7034"
    assert is_valid_rf_reference("RF18 5390 0754 7034")
    assert is_valid_rf_reference("rf18539007547034")
    assert not is_valid_rf_reference("RF19 5390 0754 7034")


@pytest.mark.parametrize("base", ["539007547034", "F20260042", "ABCDEFGHIJKLMNOPQRSTU", "0"])
def test_rf_check_digits_match_hand_arithmetic(base):
    # ISO 11649: append "RF00", letters to numbers, check = 98 - (n mod 97).
    check = 98 - horner_mod97(letters_to_digits(base + "RF00"))
    compact = rf_reference(base).replace(" ", "")
    assert compact == f"RF{check:02d}{base}"
    # Validation rule: first four characters moved to the end, mod 97 == 1.
    assert horner_mod97(letters_to_digits(compact[4:] + compact[:4])) == 1


@pytest.mark.parametrize("bad", ["", "A" * 22, "F-2026", "é"])
def test_rf_reference_rejects_bad_base(bad):
    with pytest.raises(PaymentDataError, match="RF reference base"):
        rf_reference(bad)


@pytest.mark.parametrize("text", ["RF", "RF18", "RF1X5390", "XX18539007547034", "RF00" + "1" * 22])
def test_is_valid_rf_reference_rejects_malformed(text):
    assert not is_valid_rf_reference(text)


def test_rf_non_canonical_check_digits_rejected():
    # Check digits 02 and 99 differ by 97, so both pass "mod 97 == 1"; only 02 is what
    # 98 - (n mod 97) produces, and a reference written with 99 is not conforming.
    base = next(
        b for b in (str(i) for i in range(1, 10_000)) if rf_reference(b).startswith("RF02")
    )
    alias = "RF99" + base
    assert horner_mod97(letters_to_digits(alias[4:] + alias[:4])) == 1
    assert not is_valid_rf_reference(alias)


alnum = st.text(alphabet=string.ascii_uppercase + string.digits, min_size=1, max_size=21)


@given(alnum)
def test_generated_rf_references_are_valid(base):
    ref = rf_reference(base)
    assert is_valid_rf_reference(ref)
    assert all(len(group) == 4 for group in ref.split(" ")[:-1])
    assert ref.replace(" ", "")[4:] == base


@given(alnum, st.data())
def test_changing_one_rf_digit_invalidates(base, data):
    compact = rf_reference(base).replace(" ", "")
    digit_positions = [i for i, ch in enumerate(compact) if ch.isdigit()]
    pos = data.draw(st.sampled_from(digit_positions))
    delta = data.draw(st.integers(min_value=1, max_value=9))
    changed = compact[:pos] + str((int(compact[pos]) + delta) % 10) + compact[pos + 1 :]
    assert not is_valid_rf_reference(changed)


# --- reference_for -----------------------------------------------------------------


def test_reference_for_invoice_scheme_is_the_number():
    assert reference_for("  F-2026-0042 ", "invoice") == "F-2026-0042"


def test_reference_for_be_keeps_numeric_invoice_digits():
    ref = reference_for("2026-0042", "be")
    assert is_valid_belgian_reference(ref)
    assert ref.strip("+").replace("/", "")[:10] == "0020260042"


def test_reference_for_be_is_deterministic_and_distinguishes_prefixes():
    a1, a2 = reference_for("A-0042", "be"), reference_for("A-0042", "be")
    b = reference_for("B-0042", "be")
    assert a1 == a2
    assert a1 != b  # letters are hashed, not dropped: two series must not collide
    assert is_valid_belgian_reference(a1) and is_valid_belgian_reference(b)


def test_reference_for_rf_uses_the_alphanumerics():
    ref = reference_for("F-2026/0042", "rf")
    assert is_valid_rf_reference(ref)
    assert ref.replace(" ", "")[4:] == "F20260042"


@pytest.mark.parametrize(
    "number, scheme, match",
    [
        ("F-1", "ogm", "unknown reference scheme 'ogm'"),
        ("   ", "invoice", "invoice number is empty"),
        ("X" * 22, "rf", "use the 'be' or 'invoice' reference scheme"),
    ],
)
def test_reference_for_errors(number, scheme, match):
    with pytest.raises(PaymentDataError, match=match):
        reference_for(number, scheme)


# --- IBAN / BIC ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, compact",
    [
        ("be68 5390 0754 7034", "BE68539007547034"),
        ("DE89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("FR14 2004 1010 0505 0001 3M02 606", "FR1420041010050500013M02606"),
    ],
)
def test_validate_iban_normalises(raw, compact):
    assert validate_iban(raw) == compact


@pytest.mark.parametrize("bad", ["BE68539007547035", "BE6853900754703", "XX00", ""])
def test_validate_iban_rejects_with_named_iban(bad):
    with pytest.raises(PaymentDataError, match="IBAN") as info:
        validate_iban(bad)
    assert repr(bad) in str(info.value)
    assert isinstance(info.value, MailbotError) and isinstance(info.value, ValueError)


def test_bic_from_iban_known_bank():
    # Bankleitzahl 370 400 44 is Commerzbank Köln in the Bundesbank register.
    assert bic_from_iban("DE89 3704 0044 0532 0130 00") == "COBADEFFXXX"


# --- EPC QR payload ------------------------------------------------------------------


def test_epc_payload_lines_follow_epc069_12():
    payload = epc_qr_payload(
        name="Atelier Dupré",
        iban="be68 5390 0754 7034",
        bic="gebabebb",
        amount=Decimal("1440"),
        reference="RF18 5390 0754 7034",
        purpose="gdds",
        info="Facture F-2026-0042",
    )
    assert payload.split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "GEBABEBB",
        "Atelier Dupré",
        "BE68539007547034",
        "EUR1440.00",
        "GDDS",
        "RF18539007547034",
        "",  # unstructured text stays as an empty line: information comes after it
        "Facture F-2026-0042",
    ]
    assert not payload.endswith("\n")


def test_epc_payload_trailing_empty_fields_dropped():
    payload = epc_qr_payload(name="A", iban="BE68539007547034", amount=Decimal("0.01"), text="F 1")
    assert payload == "BCD\n002\n1\nSCT\n\nA\nBE68539007547034\nEUR0.01\n\n\nF 1"


IBAN = "BE68539007547034"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(reference="RF18539007547034", text="x"), "not both"),
        (dict(name="N" * 71), "beneficiary name has 71 characters, at most 70"),
        (dict(name="  "), "beneficiary name is empty"),
        (dict(name="A\nB"), "line break"),
        (dict(text="t" * 141), "unstructured text has 141 characters, at most 140"),
        (dict(reference="R" * 36), "structured reference has 36 characters, at most 35"),
        (dict(info="i" * 71), "information has 71 characters, at most 70"),
        (dict(purpose="GDDSX"), "purpose has 5 characters, at most 4"),
        (dict(purpose="G-D"), "ISO 20022 purpose code"),
        (dict(amount=Decimal("0")), "outside 0.01..999999999.99"),
        (dict(amount=Decimal("1000000000.00")), "outside 0.01..999999999.99"),
        (dict(amount=Decimal("-5")), "outside"),
        (dict(amount=Decimal("10.005")), "more than 2 decimals"),
        (dict(amount=Decimal("NaN")), "not a finite number"),
        (dict(amount=12.5), "must be a decimal.Decimal, got float"),
        (dict(iban="BE68539007547035"), "IBAN 'BE68539007547035' is not valid"),
        (dict(bic="GEBA"), "BIC 'GEBA' is not valid"),
        # 70 three-byte characters + 140 three-byte characters: > 331 bytes in UTF-8
        (dict(name="€" * 70, text="€" * 140), "bytes, at most 331"),
    ],
)
def test_epc_payload_violations(kwargs, match):
    args = dict(name="Atelier Dupré", iban=IBAN, amount=Decimal("10.00")) | kwargs
    with pytest.raises(PaymentDataError, match=match):
        epc_qr_payload(**args)


# Every field at its own maximum adds up to 332 bytes, so the 331-byte total binds:
# 15 (BCD, 002, 1, SCT, empty BIC, with newlines) + 71 name + 17 IBAN + 16 amount
# + 1 purpose + 1 reference + 141 text + info.
LARGEST = dict(
    name="N" * 70, iban=IBAN, amount=Decimal("999999999.99"), text="t" * 140, info="i" * 69
)


def test_epc_payload_accepts_exactly_331_bytes_and_not_332():
    payload = epc_qr_payload(**LARGEST)
    assert len(payload.encode("utf-8")) == 15 + 71 + 17 + 16 + 1 + 1 + 141 + 69 == 331
    assert "EUR999999999.99" in payload.split("\n")
    with pytest.raises(PaymentDataError, match="332 bytes, at most 331"):
        epc_qr_payload(**(LARGEST | {"info": "i" * 70}))


# --- EPC QR image --------------------------------------------------------------------


def _zbar():
    """pyzbar with the system libzbar, or a skip (a failure on CI, where it must exist)."""
    try:
        from pyzbar import pyzbar  # noqa: F401 - imports libzbar through ctypes
    except ImportError as exc:
        reason = f"QR decoding needs pyzbar and the libzbar0 apt package ({exc})"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    return pyzbar


def decode_qr_bytes(png: bytes) -> list[bytes]:
    """Raw bytes of every QR code in `png`.

    pyzbar's decode() lets zbar guess the text encoding, and zbar reads short UTF-8
    as Shift-JIS ("É" comes back as "ﾃ"), so this asks zbar for the bytes unchanged
    (ZBAR_CFG_BINARY, zbar >= 0.23.1; pyzbar does not name it, hence the number).
    """
    pyzbar = _zbar()
    from ctypes import c_void_p, cast

    from PIL import Image
    from pyzbar import wrapper as w

    zbar_cfg_binary = 4
    pixels, width, height = pyzbar._pixel_data(Image.open(io.BytesIO(png)))
    with pyzbar._image_scanner() as scanner:
        if w.zbar_image_scanner_set_config(scanner, w.ZBarSymbol.QRCODE, zbar_cfg_binary, 1):
            pytest.fail("this libzbar cannot return raw bytes (needs zbar >= 0.23.1)")
        with pyzbar._image() as image:
            w.zbar_image_set_format(image, pyzbar._FOURCC["L800"])
            w.zbar_image_set_size(image, width, height)
            w.zbar_image_set_data(image, cast(pixels, c_void_p), len(pixels), None)
            assert w.zbar_scan_image(scanner, image) >= 0
            return [d.data for d in pyzbar._decode_symbols(pyzbar._symbols_for_image(image))]


def qr_version_from_png(png: bytes, scale: int) -> int:
    from PIL import Image

    width = Image.open(io.BytesIO(png)).size[0]
    modules = width // scale - 2 * 4  # segno's default quiet zone is 4 modules
    return (modules - 17) // 4


@pytest.mark.parametrize(
    "name, reference, text",
    [
        ("Élise Dupré", "RF18 5390 0754 7034", None),
        ("Müller & Söhne GmbH", None, "Facture F-2026-0042 — merci"),
        ("Łódź Żółć", reference_for("2026-0042", "be").strip("+").replace("/", ""), None),
    ],
)
def test_qr_decodes_to_exact_payload(name, reference, text):
    amount = Decimal("1440.50")
    payload = epc_qr_payload(
        name=name, iban="BE68 5390 0754 7034", amount=amount, reference=reference, text=text
    )
    png = epc_qr_png(payload, scale=3)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    (decoded,) = decode_qr_bytes(png)
    assert decoded == payload.encode("utf-8")
    lines = decoded.decode("utf-8").split("\n")
    assert lines[5] == name
    assert lines[6] == validate_iban("BE68 5390 0754 7034")
    assert Decimal(lines[7].removeprefix("EUR")) == amount
    if reference:
        assert lines[9] == reference.replace(" ", "")
    else:
        assert lines[10] == text


def test_largest_payload_fits_qr_version_13_at_level_m():
    # 331 bytes is exactly the byte capacity of version 13 at level M: if the code were
    # made at L it would be smaller, at Q or H it would not fit in version 13.
    payload = epc_qr_payload(**LARGEST)
    assert len(payload.encode()) == 331
    png = epc_qr_png(payload, scale=2)
    assert qr_version_from_png(png, 2) == 13
    (decoded,) = decode_qr_bytes(png)
    assert decoded == payload.encode()


@settings(max_examples=15, deadline=None)
@given(
    amount=st.decimals(min_value=Decimal("0.01"), max_value=Decimal("999999999.99"), places=2),
    base=st.integers(min_value=0, max_value=10**10 - 1),
)
def test_qr_round_trip_amount_and_reference(amount, base):
    reference = rf_reference(str(base))
    payload = epc_qr_payload(name="Atelier", iban=IBAN, amount=amount, reference=reference)
    (decoded,) = decode_qr_bytes(epc_qr_png(payload, scale=2))
    lines = decoded.decode("utf-8").split("\n")
    assert Decimal(lines[7][3:]) == amount
    assert is_valid_rf_reference(lines[9]) and lines[9] == reference.replace(" ", "")


@pytest.mark.parametrize("payload, scale, match", [("hello", 4, "start with 'BCD'"), ("BCD\n", 0, "scale")])
def test_qr_png_refuses_bad_input(payload, scale, match):
    with pytest.raises(PaymentDataError, match=match):
        epc_qr_png(payload, scale=scale)
