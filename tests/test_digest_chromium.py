"""The digest's HTML in a real browser engine (headless Chromium) at 600 px and at a phone's 375 px.

Chromium's --dump-dom gives the page as laid out text (no placeholder may leak); --screenshot
gives pixels: the aged-balance bars must show their colours. Screenshots are kept in
tests/artifacts/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image

from mailbot.charts import COLOURS
from mailbot.compose import Templates
from mailbot.digest import DigestPolicy, build_digest, render_digest
from mailbot.ledger import Ledger
from mailbot.store import Store
from tests.test_digest import NOW, TZ, scripted_month

ARTIFACTS = Path(__file__).parent / "artifacts"


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is missing in CI: `apt-get install -y chromium` (Debian package)")
        pytest.skip("chromium is not installed: `apt-get install -y chromium` to render the digest in a browser")
    return found


def run_chromium(binary: str, profile: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--hide-scrollbars"]
    return subprocess.run([binary, *flags, *args], capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("chromium")
    store = Store.open(tmp / "data")
    scripted_month(store)
    d = build_digest(Ledger(store).all(), store.table("events").all(), NOW, TZ, business="Atelier Dupont & Fils",
                     policy=DigestPolicy(large_amount=Decimal("10000")))
    out = {}
    for lang in ("en", "fr", "nl"):
        page = tmp / f"digest-{lang}.html"
        page.write_text(render_digest(d, Templates(), lang).html, encoding="utf-8")
        out[lang] = page
    return out


@pytest.mark.parametrize("width", [600, 375], ids=["desktop-600", "phone-375"])
@pytest.mark.parametrize("lang", ["en", "fr", "nl"])
def test_the_digest_renders_with_its_chart(pages: dict[str, Path], lang: str, width: int, tmp_path: Path) -> None:
    binary = chromium()
    page = pages[lang]
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"digest-{lang}-{width}.png"
    shot.unlink(missing_ok=True)
    done = run_chromium(binary, tmp_path / "profile", f"--window-size={width},2000", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), done.stderr.decode(errors="replace")[-2000:]
    dom = run_chromium(binary, tmp_path / "profile2", "--dump-dom", page.as_uri()).stdout.decode()
    assert "Atelier Dupont &amp; Fils" in dom and "F2027-" in dom
    for leak in ("{{", "{%", "None", "Undefined"):
        assert leak not in dom

    image = Image.open(shot).convert("RGB")
    assert image.size[0] == width
    colours = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in COLOURS}
    counts = image.getcolors(maxcolors=1 << 24) or []
    seen = {colour: n for n, colour in counts if colour in colours}
    # Every bucket of the scripted month holds money, so every bar shows, each wider than a sliver.
    assert len(seen) == len(COLOURS), f"bar colours visible: {len(seen)} of {len(COLOURS)}"
    assert all(n > 200 for n in seen.values()), seen
    # Nothing wider than the screen: the right edge column is the page background, not content cut off.
    right = [image.getpixel((width - 1, y)) for y in range(0, 600, 10)]
    assert all(p == right[0] for p in right)
