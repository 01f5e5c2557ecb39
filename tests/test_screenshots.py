"""scripts/screenshots.py's mask: the pictures committed to the repository show no treaty text."""

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "screenshots.py"
PARAGRAPH = "Each State Party shall adopt such legislative and other measures as may be necessary."


@pytest.fixture(scope="module")
def screenshots():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["screenshots"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    yield module
    del sys.modules["screenshots"]


@pytest.fixture(scope="module")
def mask(screenshots):
    return screenshots.TreatyMask([PARAGRAPH], ["Illegal access"])


def test_a_citation_keeps_our_words_and_masks_the_title(mask) -> None:
    assert mask.spans("Art. 7(1) · Illegal access") == [
        ("Art. 7(1) · ", False), ("Illegal access", True)
    ]


def test_a_quoted_paragraph_is_masked_even_with_its_label_or_cut_short(mask) -> None:
    for line in (f"1. {PARAGRAPH}", PARAGRAPH[:50] + "…"):
        assert all(masked for run, masked in mask.spans(line) if run.strip(" .…1"))


def test_our_own_lines_stay_legible(mask) -> None:
    line = "Your question is about a whole chapter: each button below opens one."
    assert mask.spans(line) == [(line, False)]


def test_a_drawn_reply_shows_no_treaty_words_and_keeps_telegram_s_quote_styles(
    screenshots, mask
) -> None:
    html = (f"<b>Art. 7(1) · Illegal access</b>\n<blockquote>{PARAGRAPH}</blockquote>\n"
            f"<blockquote expandable>{PARAGRAPH}</blockquote>\n<i>Verbatim · official text</i>")
    drawn = screenshots.page_html(html, mask)
    assert mask.leaks(drawn) == []
    assert '<blockquote class="expandable">' in drawn and "Verbatim · official text" in drawn
    assert mask.leaks(screenshots.page_html(html, None))  # unmasked, the check finds the quote
