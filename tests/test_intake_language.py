"""A Belgian (or Swiss) buyer's language is not its country's: the invoice's own words decide."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from mailbot.intake import extract_path

NOTE_NL = "Gelieve te betalen binnen dertig dagen met vermelding van de gestructureerde mededeling. Bedankt voor uw vertrouwen."
NOTE_FR = "Merci de payer dans les trente jours en indiquant la communication structurée. Merci pour votre confiance."


@pytest.mark.parametrize("note, country, expected", [
    (NOTE_NL, "BE", "nl"),
    (NOTE_FR, "BE", "fr"),
    (NOTE_FR, "CH", "fr"),
    (NOTE_NL, "FR", "fr"),  # a country with one language keeps it
    ("", "BE", None),  # nothing to go by: the owner's default applies later
])
def test_language_of_a_multilingual_country_comes_from_the_words(tmp_path: Path, note: str, country: str, expected: str | None) -> None:
    xml = resources.files("mailbot").joinpath("data/demo-invoice-ubl.xml").read_text(encoding="utf-8")
    xml = xml.replace(NOTE_NL, note).replace("Boekhoudkundig advies", "Service")
    xml = xml.replace("<cbc:IdentificationCode>BE</cbc:IdentificationCode>", f"<cbc:IdentificationCode>{country}</cbc:IdentificationCode>")
    path = tmp_path / "invoice.xml"
    path.write_text(xml, encoding="utf-8")
    assert extract_path(path).language == expected
