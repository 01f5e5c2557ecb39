"""The glossary matcher on a small hand-written glossary: whole stemmed phrases in order, the
longest term of an entry, terms inside longer terms, votes and expansions."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.encoding.lexical import tokenize
from bot.search.glossary import (
    GLOSSARY_FILE,
    Glossary,
    contains_phrase,
    expansion_tokens,
    glossary_ranking,
)

SMALL = """
[[entry]]
terms = ["ransomware", "ransomware attack"]
expansion = "interference with electronic data"
articles = [9, 10]

[[entry]]
terms = ["hacking"]
expansion = "illegal access"
articles = [7]

[[entry]]
terms = ["failed hacking"]
expansion = "attempt"
articles = [19, 7]
"""


@pytest.fixture
def glossary(tmp_path: Path) -> Glossary:
    path = tmp_path / "glossary.toml"
    path.write_text(SMALL, encoding="utf-8")
    return Glossary.load(path)


def terms(glossary: Glossary, question: str) -> list[str]:
    return [match.term for match in glossary.match(question)]


def test_terms_match_as_whole_stemmed_phrases(glossary: Glossary) -> None:
    assert terms(glossary, "Were the RANSOMWARE attacks on hospitals crimes?") == [
        "ransomware attack"
    ]
    assert terms(glossary, "is hacking a crime") == ["hacking"]
    assert terms(glossary, "attack of ransomware") == ["ransomware"]
    assert terms(glossary, "hackingtools") == []


def test_a_term_inside_a_longer_matched_term_is_not_separate_evidence(
    glossary: Glossary,
) -> None:
    matches = glossary.match("is failed hacking punished")
    assert [m.term for m in matches] == ["failed hacking"]
    assert matches[0].length == 2


def test_votes_favour_longer_terms_and_an_entry_s_first_article(glossary: Glossary) -> None:
    matches = glossary.match("ransomware attack after failed hacking")
    assert glossary_ranking(matches) == [9, 19, 7, 10]
    assert expansion_tokens(matches) == tokenize("interference with electronic data attempt")


def test_contains_phrase() -> None:
    assert contains_phrase(["a", "b", "c"], ["b", "c"])
    assert not contains_phrase(["a", "b", "c"], ["c", "b"])
    assert not contains_phrase(["a"], ["a", "b"])


def test_a_missing_file_is_an_empty_glossary(tmp_path: Path) -> None:
    assert Glossary.load(tmp_path / "none.toml").match("ransomware") == []


def test_the_maintained_glossary_loads_with_articles_of_the_convention() -> None:
    entries = Glossary.load(GLOSSARY_FILE).entries
    assert len(entries) > 100
    assert all(1 <= article <= 68 for entry in entries for article in entry.articles)
