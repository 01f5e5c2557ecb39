"""The resolution and the Budapest Convention through the real index and models: lookups by
instrument, comparisons through the concordance, the Convention kept as the subject."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.search import evaluation
from bot.search.retriever import Retriever

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def resolution_retriever(retriever: Retriever) -> Retriever:
    if "resolution" not in retriever.documents:
        pytest.skip("the index holds no resolution paragraphs: they are read from the official "
                    "PDF, and TREATY_SOURCE is a text file")
    return retriever


@pytest.fixture(scope="module")
def retriever_without_budapest(retriever: Retriever) -> Retriever:
    """The session's index as a clone without BUDAPEST_SOURCE has it."""
    if "budapest" not in retriever.documents:
        return retriever
    index = retriever._index
    bare = replace(index, instruments=replace(index.instruments, budapest=None))
    return Retriever(bare, retriever._spaces, retriever._glossary)


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("operative paragraph 5", "5"),
        ("paragraph 12 of the resolution", "12"),
        ("resolution 79/243 para 2", "2"),
        ("OP 9", "9"),
        ("What does GA resolution 79/243, operative para. 4 say?", "4"),
    ],
)
def test_operative_paragraphs_are_looked_up(
    resolution_retriever: Retriever, question: str, label: str
) -> None:
    (first, *_) = resolution_retriever.ask(question).results
    assert (first.document, first.article, first.paragraph) == ("resolution", None, label)
    assert first.citation == f"A/RES/79/243, operative paragraph {label}"
    data = first.to_json()
    assert (data["document"], data["article"], data["paragraph"]) == ("resolution", None, label)
    assert first.pages and first.link.endswith(f"#page={first.pages[0]}")
    assert first.pages[0] in (2, 3)


def test_a_missing_operative_paragraph_says_which_exist(resolution_retriever: Retriever) -> None:
    answer = resolution_retriever.ask("operative paragraph 13")
    assert answer.error == ("Resolution A/RES/79/243 has operative paragraphs 1–12; there is "
                            "no operative paragraph 13.")


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        ("When is the International Anti-Cybercrime Day?", "12"),
        ("Will the Secretary-General report on what was done to promote the Convention's entry "
         "into force?", "11"),
        ("Who will serve as the secretariat of the Conference of the States Parties according "
         "to the resolution?", "9"),
        ("Is a supplementary protocol with additional criminal offences being negotiated?", "5"),
    ],
)
def test_questions_about_the_resolution_find_its_paragraph(
    resolution_retriever: Retriever, question: str, paragraph: str
) -> None:
    results = resolution_retriever.ask(question).results
    assert ("resolution", paragraph) in [(r.document, r.paragraph) for r in results[:3]]


def test_a_preambular_paragraph_has_no_number(resolution_retriever: Retriever) -> None:
    result = resolution_retriever.resolution_result(None, 4)
    assert result.text.startswith("Expressing its appreciation to the Government of Viet Nam")
    assert (result.paragraph, result.citation) == (None, "A/RES/79/243, preamble")
    assert result.to_json()["paragraph"] is None


def test_the_convention_stays_the_subject(resolution_retriever: Retriever) -> None:
    """Resolution paragraphs that share a question's words do not crowd out the provisions
    that answer it: no Convention figure drops below the floor of test_retrieval."""
    for question in ("Which body reviews the implementation of the Convention?",
                     "Is there a fund for technical assistance to developing countries?",
                     "How many ratifications before the convention enters into force?"):
        first = resolution_retriever.ask(question).results[0]
        assert first.document == "convention", question
    figures = evaluation.metrics(evaluation.run(
        resolution_retriever.ask, evaluation.load_questions(DATA / "questions_en.jsonl")
    ))
    assert figures["recall@1"] >= 0.75 and figures["mrr@10"] >= 0.85


@pytest.mark.parametrize(
    ("question", "article"),
    [
        ("What does Article 2 of the Budapest Convention say?", 2),
        ("Budapest art. 32", 32),
        ("ETS 185 article 9", 9),
        ("Council of Europe convention, article 15", 15),
    ],
)
def test_budapest_references_go_to_budapest(
    budapest_retriever: Retriever, question: str, article: int
) -> None:
    (first, *_) = budapest_retriever.ask(question).results
    assert (first.document, first.article) == ("budapest", article)
    assert first.citation.startswith(f"Budapest Convention, Article {article}")
    assert first.text == budapest_retriever.budapest.article(article).paragraphs[0].text
    assert first.link == "https://rm.coe.int/1680081561" and first.pages == ()


def test_a_bare_article_stays_this_convention(budapest_retriever: Retriever) -> None:
    (first, *_) = budapest_retriever.ask("What does article 7 say?").results
    assert (first.document, first.article) == ("convention", 7)
    assert first.counterparts == (2,)  # the "Budapest: Article 2" button


def test_budapest_appears_only_when_named_or_compared(budapest_retriever: Retriever) -> None:
    plain = budapest_retriever.ask("Is illegal access to a computer system a crime?", k=10)
    assert {r.document for r in plain.results} <= {"convention", "resolution"}
    named = budapest_retriever.ask("What does the Budapest Convention say about computer-related "
                                   "forgery?")
    assert (named.results[0].document, named.results[0].article) == ("budapest", 7)
    assert {r.document for r in named.results} == {"budapest"}


@pytest.mark.parametrize(
    ("question", "un", "budapest"),
    [
        ("How does article 24 differ from the Budapest Convention?", 24, 15),
        ("Compare the UN rules on production orders with the Budapest Convention", 27, 18),
        ("compare article 7 with Budapest article 2", 7, 2),
    ],
)
def test_a_comparison_returns_both_provisions_side_by_side(
    budapest_retriever: Retriever, question: str, un: int, budapest: int
) -> None:
    answer = budapest_retriever.ask(question)
    assert answer.comparison
    pairs = [(r.document, r.article) for r in answer.results]
    assert pairs.index(("convention", un)) + 1 == pairs.index(("budapest", budapest))
    paired = answer.results[pairs.index(("budapest", budapest))]
    assert paired.compared_with == un
    assert paired.difference_note == budapest_retriever.concordance.entry(un).note
    assert paired.to_json()["difference_note"]["ours"] is True


def test_without_budapest_a_question_about_it_says_how_to_add_it(
    retriever_without_budapest: Retriever,
) -> None:
    for question in ("What does Article 2 of the Budapest Convention say?", "Budapest art. 32"):
        answer = retriever_without_budapest.ask(question)
        assert answer.abstained and answer.reason == "not-loaded"
        assert "BUDAPEST_SOURCE" in answer.note and "treaty-build-index" in answer.note
    assert retriever_without_budapest.ask("article 7").results[0].counterparts == ()
    # Article 60 still answers how this Convention relates to Budapest.
    relation = retriever_without_budapest.ask(
        "How does this Convention relate to the Budapest Convention?")
    assert relation.results[0].article == 60


@pytest.mark.parametrize("question", [
    "What does the Lanzarote Convention say about solicitation of children?",
    "What does Article 10 of the Istanbul Convention say?",
])
def test_an_instrument_not_held_gets_the_honest_reply(
    budapest_retriever: Retriever, question: str
) -> None:
    answer = budapest_retriever.ask(question)
    assert answer.abstained and answer.reason == "other-instrument"
    assert "Budapest, ETS No. 185" in answer.note  # what the bot holds, Budapest included


def test_quoted_paragraphs_carry_the_articles_they_refer_to(retriever: Retriever) -> None:
    (result,) = retriever.ask("article 26", k=1).results  # "... article 25 of this Convention"
    assert 25 in result.refers_to and 26 not in result.refers_to
    assert result.to_json()["also_refers_to"] == list(result.refers_to)
    (looked_up,) = retriever.ask("article 25", k=1).results
    assert 26 in looked_up.referred_by


def test_quality_floor_on_our_own_instrument_questions(budapest_retriever: Retriever) -> None:
    """Floors under today's figures (README "Evaluation"), to catch a broken route."""
    figures = evaluation.metrics(evaluation.run(
        budapest_retriever.ask, evaluation.load_questions(DATA / "questions_instruments.jsonl")
    ))
    if "resolution" in budapest_retriever.documents:
        assert figures["hit@3"] >= 0.8
    assert figures["both@5"] >= 0.9
    assert figures["oos_abstain_rate"] >= 0.9
