"""The resolution and the Budapest Convention, parsed and validated: the resolution from the
official PDF word for word against the checked rendering (or its committed fingerprint), the
Budapest text from the layout BUDAPEST_SOURCE names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.source.obtain import read_treaty
from bot.treaty.fingerprint import resolution_fingerprint
from bot.treaty.instruments import (
    Resolution,
    budapest_from_json,
    budapest_json,
    parse_budapest,
    parse_resolution,
    validate_budapest,
    validate_resolution,
)
from bot.treaty.parsing import TreatyFormatError

FINGERPRINT = Path(__file__).parent / "data" / "resolution_fingerprint.json"
RESOLUTION_FILE = "un_ga_resolution_79_243.en.txt"


@pytest.fixture(scope="module")
def pdf_resolution(treaty_source) -> Resolution:
    if not treaty_source.is_pdf:
        pytest.skip(f"TREATY_SOURCE is a text file ({treaty_source.origin}): the resolution is "
                    "read from the official PDF only")
    text = read_treaty(treaty_source)
    resolution = parse_resolution(text.resolution, treaty_source.sha256,
                                  text.resolution_line_pages)
    validate_resolution(resolution)
    return resolution


def test_the_pdf_gives_twelve_operative_paragraphs_on_pages_2_and_3(pdf_resolution) -> None:
    assert [p.label for p in pdf_resolution.operative] == [str(n) for n in range(1, 13)]
    assert pdf_resolution.operative[0].text.startswith("Takes note of the report")
    assert pdf_resolution.operative[11].text.endswith("International Anti-Cybercrime Day.")
    assert pdf_resolution.operative[5].pages == (2, 3)
    assert pdf_resolution.preamble[0].pages == (1,)
    assert pdf_resolution.title.startswith("79/243. United Nations Convention against Cybercrime")


def test_the_pdf_resolution_is_the_checked_rendering_word_for_word(
    pdf_resolution, reference_dir: Path
) -> None:
    reference = parse_resolution((reference_dir / RESOLUTION_FILE).read_text(encoding="utf-8"),
                                 "reference")
    assert pdf_resolution.title == reference.title
    assert [p.text for p in pdf_resolution.preamble] == [p.text for p in reference.preamble]
    assert [p.text for p in pdf_resolution.operative] == [p.text for p in reference.operative]
    assert pdf_resolution.closing == reference.closing


def test_the_pdf_resolution_matches_the_committed_fingerprint(pdf_resolution) -> None:
    expected = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    expected.pop("made_from")
    assert resolution_fingerprint(pdf_resolution) == expected


def test_the_committed_fingerprint_is_the_rendering_s(reference_dir: Path) -> None:
    """Regenerate with `python scripts/make_fingerprint.py` when the renderings change."""
    expected = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    expected.pop("made_from")
    text = (reference_dir / RESOLUTION_FILE).read_text(encoding="utf-8")
    assert resolution_fingerprint(parse_resolution(text, "reference")) == expected


def test_the_resolution_survives_the_index_json(pdf_resolution) -> None:
    assert Resolution.from_json(pdf_resolution.to_json()) == pdf_resolution


SMALL_RESOLUTION = """79/243. A title

The General Assembly,

Recalling something,

1. Decides one thing;

{second}

55th plenary meeting
"""


def test_a_resolution_missing_an_operative_paragraph_is_refused() -> None:
    resolution = parse_resolution(SMALL_RESOLUTION.format(second="3. Decides another;"), "x")
    assert [p.label for p in resolution.operative] == ["1", "3"]
    assert resolution.closing == ("55th plenary meeting",)
    with pytest.raises(TreatyFormatError, match=r"operative paragraphs must be 1\.\.12"):
        validate_resolution(resolution)


def test_a_text_without_the_resolution_s_title_is_refused() -> None:
    with pytest.raises(TreatyFormatError, match="A/RES/79/243"):
        parse_resolution("The General Assembly,\n\n1. Decides;\n", "x")


# --- Budapest ---------------------------------------------------------------------------------


def test_budapest_has_48_headed_articles_with_their_structure(budapest_text: str) -> None:
    budapest = parse_budapest(budapest_text, "x")
    validate_budapest(budapest, budapest_text)
    assert [a.number for a in budapest.articles] == list(range(1, 49))
    article_2 = budapest.article(2)
    assert article_2.title == "Illegal access"
    assert "Section 1 Substantive criminal law" in article_2.chapter
    assert [p.label for p in budapest.article(16).paragraphs] == ["1", "2", "3", "4"]
    # Lettered items stay with the lead-in above them.
    assert budapest.article(1).paragraphs[0].parts[1].text.startswith('a) "computer system"')
    assert budapest.closing[0].startswith("IN WITNESS WHEREOF")
    assert budapest_from_json(budapest_json(budapest)) == budapest


def test_budapest_missing_an_article_or_a_heading_is_refused(budapest_text: str) -> None:
    renumbered = budapest_text.replace("\nArticle 10\n", "\nArticle 11\n")
    with pytest.raises(TreatyFormatError, match=r"articles must be 1\.\.48 in order"):
        validate_budapest(parse_budapest(renumbered, "x"), budapest_text)
    headless = budapest_text.replace("Article 7\nComputer-related forgery\n", "Article 7\n")
    with pytest.raises(TreatyFormatError, match="article 7 has no heading"):
        validate_budapest(parse_budapest(headless, "x"), headless)


def test_budapest_losing_text_is_refused(budapest_text: str) -> None:
    budapest = parse_budapest(budapest_text, "x")
    with pytest.raises(TreatyFormatError, match="lost 1 words"):
        validate_budapest(budapest, budapest_text + "\nunparsed\n")


def test_a_budapest_file_in_another_layout_is_refused() -> None:
    with pytest.raises(TreatyFormatError, match=r"budapest_convention\.en\.txt"):
        parse_budapest("# Convention on Cybercrime\n\nArticle 1 ...\n", "x")
