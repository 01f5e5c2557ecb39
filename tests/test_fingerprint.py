"""The PDF reader's text against the committed fingerprint of the checked reference rendering:
the same characters in the same order in every article, note and paragraph list, on any clone
(the renderings themselves are not in the repository)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.source.obtain import read_treaty_text, resolve_source
from bot.treaty.fingerprint import part_fingerprint, treaty_fingerprint
from bot.treaty.parsing import parse_treaty_text

FINGERPRINT = Path(__file__).parent / "data" / "reference_fingerprint.json"
# The reference keeps one kerning split ("in th e offences", Article 18) that the reader does
# not make: word counts may differ by that much, never the characters.
MAX_WORD_DIFFERENCE = 2


@pytest.fixture(scope="module")
def expected() -> dict:
    data = json.loads(FINGERPRINT.read_text(encoding="utf-8"))
    data.pop("made_from")
    return data


@pytest.fixture(scope="module")
def extracted(treaty_pdf: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    source = resolve_source(str(treaty_pdf), tmp_path_factory.mktemp("cache"))
    return treaty_fingerprint(parse_treaty_text(read_treaty_text(source), source.sha256))


def test_every_article_has_the_reference_characters(expected: dict, extracted: dict) -> None:
    assert extracted["articles"].keys() == expected["articles"].keys()
    differing = [
        number for number, part in expected["articles"].items()
        if extracted["articles"][number]["sha256"] != part["sha256"]
    ]
    assert differing == []


def test_every_article_has_the_reference_paragraphs(expected: dict, extracted: dict) -> None:
    for number, part in expected["articles"].items():
        assert extracted["articles"][number]["paragraphs"] == part["paragraphs"], number


@pytest.mark.parametrize("part", ["title", "preamble", "closing"])
def test_the_other_parts_have_the_reference_characters(
    expected: dict, extracted: dict, part: str
) -> None:
    assert extracted[part] == expected[part]


def test_the_notes_have_the_reference_characters(expected: dict, extracted: dict) -> None:
    assert extracted["notes"] == expected["notes"]


def test_word_counts_agree(expected: dict, extracted: dict) -> None:
    difference = sum(
        abs(extracted["articles"][n]["words"] - part["words"])
        for n, part in expected["articles"].items()
    )
    assert difference <= MAX_WORD_DIFFERENCE


def test_the_hash_ignores_spacing_only() -> None:
    def digest(text: str) -> str:
        return part_fingerprint(text)["sha256"]

    assert digest("in th e offences") == digest("in the\noffences")
    assert digest("in the offences") != digest("in the offence")
    assert part_fingerprint("a  b\nc")["words"] == 3


def test_the_committed_fingerprint_is_the_reference_s(reference_text: str, expected: dict) -> None:
    """Regenerate with `python scripts/make_fingerprint.py` when the renderings change."""
    assert treaty_fingerprint(parse_treaty_text(reference_text, "reference")) == expected
