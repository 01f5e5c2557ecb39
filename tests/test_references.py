"""Direct references are recognised in every form users type, and only those."""

import pytest

from bot.treaty.references import (
    Reference,
    asks_comparison,
    find_references,
    names_budapest,
    parse_article_arguments,
    resolution_paragraphs,
    without_budapest,
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Article 41", [Reference(41)]),
        ("art. 17", [Reference(17)]),
        ("Art 65", [Reference(65)]),
        ("article 40 paragraph 21", [Reference(40, "21")]),
        ("Article 40, paragraph 21", [Reference(40, "21")]),
        ("paragraph 21 of article 40", [Reference(40, "21")]),
        ("40(21)", [Reference(40, "21")]),
        ("art. 40(21)", [Reference(40, "21")]),
        ("what does article 36 say", [Reference(36)]),
        ("article 99", [Reference(99)]),
        ("статья 17", [Reference(17)]),
        ("пункт 3 статьи 40", [Reference(40, "3")]),
        ("artículo 17", [Reference(17)]),
        ("第十七条", [Reference(17)]),
        ("第17条", [Reference(17)]),
        ("第四十条第二十一款", [Reference(40, "21")]),
        ("第１７条", [Reference(17)]),
        ("المادة 17", [Reference(17)]),
        ("articles 7 and 8", [Reference(7), Reference(8)]),
        ("compare arts 25, 42 and 43", [Reference(25), Reference(42), Reference(43)]),
        # Issue 15: the forms people type ("article 40 21" is what /help teaches, sans slash)
        ("article 40 21", [Reference(40, "21")]),
        ("article 40 21?", [Reference(40, "21")]),
        ("art 40 para 21", [Reference(40, "21")]),
        ("Art. 40 § 21", [Reference(40, "21")]),
        ("Art. 40, § 21", [Reference(40, "21")]),
        ("art. 40.21", [Reference(40, "21")]),
        ("40 § 21", [Reference(40, "21")]),
        ("40 21", [Reference(40, "21")]),
        ("40.21", [Reference(40, "21")]),
        ("article 40 21 and article 17", [Reference(40, "21"), Reference(17)]),
        ("article 7 24 hours a day", [Reference(7)]),
        ("art. 17. 2 more questions", [Reference(17)]),
    ],
)
def test_references_are_found(question: str, expected: list[Reference]) -> None:
    assert find_references(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "Point of contact available 24 hours a day, 7 days a week",
        "Recalling resolutions 74/247 of 2019",
        "art thou a crime?",
        "Is hacking a crime in 2024?",
        "12 2024",
        "what happened on 12 12?",
        "3.5 million victims",
    ],
)
def test_numbers_that_are_not_article_references_are_ignored(question: str) -> None:
    assert find_references(question) == []


BUDAPEST = "budapest"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("What does Article 2 of the Budapest Convention say?", [Reference(2, None, BUDAPEST)]),
        ("Budapest art. 32", [Reference(32, None, BUDAPEST)]),
        ("ETS 185 article 9", [Reference(9, None, BUDAPEST)]),
        ("Council of Europe convention, article 15", [Reference(15, None, BUDAPEST)]),
        ("Budapest Convention article 16, paragraph 2", [Reference(16, "2", BUDAPEST)]),
        ("What does article 7 say?", [Reference(7)]),
        # In a comparison only the article written next to the Budapest name is Budapest's.
        ("compare article 7 with Budapest article 2", [Reference(7), Reference(2, None, BUDAPEST)]),
        ("How does article 24 differ from the Budapest Convention?", [Reference(24)]),
    ],
)
def test_references_name_their_instrument(question: str, expected: list[Reference]) -> None:
    assert find_references(question) == expected


@pytest.mark.parametrize(
    ("question", "paragraphs"),
    [
        ("operative paragraph 5", ["5"]),
        ("paragraph 12 of the resolution", ["12"]),
        ("resolution 79/243 para 2", ["2"]),
        ("OP 9", ["9"]),
        ("A/RES/79/243 OP7", ["7"]),
        ("GA resolution 79/243, operative para. 4", ["4"]),
        ("What does article 40 paragraph 21 say?", []),
        ("Is there an op-ed on the treaty?", []),
    ],
)
def test_operative_paragraphs_of_the_resolution(question: str, paragraphs: list[str]) -> None:
    assert resolution_paragraphs(question) == paragraphs
    assert find_references(question) == ([Reference(40, "21")] if "article 40" in question
                                         else [])


@pytest.mark.parametrize(
    ("question", "named", "comparing"),
    [
        ("Compare the UN rules on production orders with the Budapest Convention", True, True),
        ("Is misuse of devices the same in the UN convention and in the Budapest Convention?",
         True, True),
        ("Compare dispute settlement in the UN and Council of Europe cybercrime conventions",
         True, True),
        ("What does the Budapest Convention say about forgery?", True, False),
        ("Compare articles 7 and 8", False, False),
    ],
)
def test_budapest_and_comparisons_are_recognised(
    question: str, named: bool, comparing: bool
) -> None:
    assert (names_budapest(question), asks_comparison(question)) == (named, comparing)
    assert "Budapest" not in without_budapest(question)


@pytest.mark.parametrize("question", ["40 21", "40.21", " 40 21 ?"])
def test_a_bare_number_pair_is_only_a_loose_reference(question: str) -> None:
    """Loose: the retriever takes it only when the treaty has that provision."""
    (reference,) = find_references(question)
    assert reference == Reference(40, "21") and reference.loose


@pytest.mark.parametrize("question", ["article 40 21", "40(21)", "Art. 40 § 21", "40 § 21"])
def test_a_named_or_cited_provision_is_not_loose(question: str) -> None:
    (reference,) = find_references(question)
    assert not reference.loose


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["7"], Reference(7)),
        (["40", "21"], Reference(40, "21")),
        (["40(21)"], Reference(40, "21")),
        (["40.21"], Reference(40, "21")),
        (["40", "§", "21"], Reference(40, "21")),
        (["40", "21", "3"], None),
        (["banana"], None),
    ],
)
def test_command_arguments(arguments: list[str], expected: Reference | None) -> None:
    assert parse_article_arguments(arguments) == expected
