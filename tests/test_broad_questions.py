"""Broad questions (about a chapter's subject as a whole): the matching rules on a small
vocabulary, the maintained file in treaty_text/ on questions in our own words, and the answer's
`chapter` on the real treaty."""

import re

import pytest

from bot.search.chapters import BroadChapter, BroadQuestions, Vocabulary, content_words

GENERIC = Vocabulary(["what", "which", "are", "the", "does", "cover*", "a", "as", "counts"])
CONVENTION = [re.compile(r"\bthe convention\b", re.IGNORECASE)]


def small_file() -> BroadQuestions:
    crimes = BroadChapter("II", Vocabulary(["crime", "crimes", "offence*"]),
                          (re.compile("(哪些)(犯罪)"),))
    cooperation = BroadChapter("V", Vocabulary(["international", "cooperation"]), ())
    return BroadQuestions([crimes, cooperation], CONVENTION, GENERIC)


def test_a_star_matches_a_word_by_its_beginning_and_other_words_whole() -> None:
    vocabulary = Vocabulary(["offence*", "crime"])
    assert "offences" in vocabulary and "offence" in vocabulary and "crime" in vocabulary
    assert "crimes" not in vocabulary and "off" not in vocabulary


def test_content_words_leave_out_generic_words_and_the_convention_s_name() -> None:
    words = content_words("Which crimes does the Convention cover?", CONVENTION, GENERIC)
    assert words == ["crimes"]


def test_a_question_of_only_one_chapter_s_words_is_broad() -> None:
    broad = small_file()
    assert broad.chapter("What counts as a crime?") == "II"
    assert broad.chapter("Which offences does the convention cover?") == "II"
    assert broad.chapter("International cooperation?") == "V"


def test_one_word_outside_the_chapter_s_subject_makes_a_question_specific() -> None:
    broad = small_file()
    assert broad.chapter("Which crimes allow extradition?") is None
    assert broad.chapter("international cooperation on crimes") is None  # two chapters' words
    assert broad.chapter("What does the convention cover?") is None  # nothing left to match


def test_a_pattern_must_match_the_whole_question_without_punctuation_or_spaces() -> None:
    broad = small_file()
    assert broad.chapter("哪些 犯罪？") == "II"
    assert broad.chapter("哪些犯罪可以引渡？") is None


@pytest.fixture(scope="module")
def maintained() -> BroadQuestions:
    return BroadQuestions.load()


@pytest.mark.parametrize(("question", "chapter"), [
    ("What counts as a crime under this convention?", "II"),
    ("Which offences does the UN cybercrime treaty require countries to criminalise?", "II"),
    ("list of crimes in the convention", "II"),
    ("How does international cooperation work under the treaty?", "V"),
    ("What procedural powers does the convention give the police?", "IV"),
    ("What technical assistance and capacity building does it provide?", "VII"),
    ("What are the final clauses?", "IX"),
    ("Quelles infractions la convention prévoit-elle ?", "II"),
    ("¿Cómo funciona la cooperación internacional?", "V"),
    ("Какие преступления предусматривает конвенция?", "II"),
    ("这项公约涵盖哪些犯罪？", "II"),
    ("ما هي الجرائم التي تشملها الاتفاقية؟", "II"),
])
def test_broad_questions_in_our_own_words_name_their_chapter(
    maintained: BroadQuestions, question: str, chapter: str
) -> None:
    assert maintained.chapter(question) == chapter


@pytest.mark.parametrize("question", [
    "Which article makes illegal access to a computer system a crime?",
    "Is hacking illegal?",
    "Which crimes can lead to extradition?",
    "Can a State refuse mutual legal assistance?",
    "What is the statute of limitations for these offences?",
    "How long must traffic data be preserved?",
    "Quelles infractions peuvent donner lieu à extradition ?",
    "哪些犯罪可以引渡？",
])
def test_questions_about_one_provision_are_not_broad(
    maintained: BroadQuestions, question: str
) -> None:
    assert maintained.chapter(question) is None


def test_every_listed_chapter_exists_and_has_articles_to_offer(maintained, retriever) -> None:
    for listed in maintained.chapters:
        chapter = retriever.treaty.chapter(listed.number)
        assert chapter is not None and len(chapter.articles) >= 3, listed.number


def test_the_answer_to_a_broad_question_names_its_chapter_beside_the_quotes(retriever) -> None:
    answer = retriever.ask("What counts as a crime under this convention?")
    assert answer.results and answer.chapter == "II"
    assert answer.to_json()["chapter"] == "II"
    specific = retriever.ask("Which article makes illegal access to a computer system a crime?")
    assert specific.chapter is None and "chapter" not in specific.to_json()
    assert retriever.ask("What's the weather today?").chapter is None  # declined: no chapter
