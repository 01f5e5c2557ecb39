"""The paging buttons' data on its own: the ranked units an answer's "More results" carries,
within Telegram's 64 bytes, read back exactly, and data the bot never issued refused."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.constants import InlineKeyboardButtonLimit

from bot.search.results import Answer, ArticleResult
from bot.telegram.keyboards import (
    FORGOTTEN_PAGE_PATTERN,
    PAGE_PATTERN,
    Ranking,
    Unit,
    answer_keyboard,
    not_issued,
    unit_code,
)
from bot.telegram.replies import PAGE_SIZE, relevant_results
from bot.treaty.layout import BUDAPEST_ID, CONVENTION_ID, RESOLUTION_ID

LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
C = CONVENTION_ID


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ((C, 7, "1", None), "7.1"),
        ((C, 40, "21", None), "40.21"),
        ((C, 2, None, "k"), "2k"),
        ((C, 40, "12", "a"), "40.12a"),
        ((C, 17, None, None), "17"),
        ((BUDAPEST_ID, 16, "1", None), "b16.1"),
        ((BUDAPEST_ID, 4, None, None), "b4"),
        ((RESOLUTION_ID, None, "5", None), "r5"),
    ],
)
def test_a_unit_is_written_as_its_citation(unit: Unit, code: str) -> None:
    assert unit_code(unit) == code
    assert Ranking.parse(code) == Ranking((unit,))


@pytest.mark.parametrize(
    "unit",
    [
        (C, 7, "1 bis", None),
        (C, 7, "1", "(a)"),
        (C, 7, "x", None),
        (RESOLUTION_ID, None, None, None),  # a preambular paragraph: it has no label
        (RESOLUTION_ID, 3, "1", None),
        (C, None, "1", None),
    ],
)
def test_a_label_that_cannot_be_written_so_is_refused(unit: Unit) -> None:
    assert unit_code(unit) is None
    first, last = (C, 3, "1", None), (C, 4, "1", None)
    assert Ranking.fitting([first, unit, last]).units == (first,)


units = st.tuples(
    st.sampled_from([CONVENTION_ID, BUDAPEST_ID]),
    st.integers(1, 999),
    st.none() | st.integers(1, 999).map(str),
    st.none() | st.sampled_from("abcdefghijklmnop"),
) | st.tuples(
    st.just(RESOLUTION_ID), st.none(), st.integers(1, 99).map(str), st.none()
)


@given(st.lists(units, max_size=30), st.integers(0, 99))
def test_a_ranking_fits_the_callback_data_and_reads_back_the_same(
    ranked: list[Unit], offset: int
) -> None:
    ranking = Ranking.fitting(ranked)
    assert list(ranking.units) == ranked[: len(ranking.units)]
    if not ranking.units:
        return
    data = ranking.data(offset)
    assert len(data.encode()) <= LIMIT
    match = re.match(PAGE_PATTERN, data)
    assert match is not None and not not_issued(data)
    assert int(match.group(1)) == offset
    assert Ranking.parse(match.group(2)) == ranking


def test_at_least_eight_of_the_longest_citations_fit() -> None:
    longest = [(C, 40, "12", "a")] * 20
    assert len(Ranking.fitting(longest).units) == 8
    typical = [(C, 7, "1", None), (C, 12, "2", None), (C, 40, "21", None), (C, 2, None, "k")] * 5
    assert len(Ranking.fitting(typical).units) >= 10


@pytest.mark.parametrize(
    "codes", ["7.1,,8.1", "7.1,", "7..1", "a7", "7.1A", "7.1,x", "r5.1", "r5a", "bb7"]
)
def test_data_no_button_carries_is_not_a_ranking(codes: str) -> None:
    assert Ranking.parse(codes) is None


def test_paging_buttons_carry_the_whole_ranking_with_their_page() -> None:
    ranking = Ranking(
        ((C, 7, "1", None), (C, 12, "2", None), (C, 40, "21", None), (C, 2, None, "k"))
    )
    shown = [ArticleResult(C, 12, "Title", "Chapter II", "2", "text", 1.0)]
    keyboard = answer_keyboard(shown, ranking, previous=0, following=6, lang="en")
    assert keyboard is not None
    paging = keyboard.inline_keyboard[-1]
    assert [b.callback_data for b in paging] == [
        "page:0:7.1,12.2,40.21,2k",
        "page:6:7.1,12.2,40.21,2k",
    ]


def test_a_result_s_buttons_come_at_most_two_to_a_row() -> None:
    """Seen in the screenshots: a full text and two Budapest buttons in one row are all cut."""
    one = replace(ArticleResult(C, 7, "Illegal access", "Chapter II", "1", "text", 1.0),
                  counterparts=(2,))
    two = replace(ArticleResult(C, 18, "Liability", "Chapter II", "1", "text", 1.0),
                  counterparts=(12, 13))
    keyboard = answer_keyboard([one, two], Ranking(()), None, None, "en")
    assert keyboard is not None
    assert [[b.text for b in row] for row in keyboard.inline_keyboard] == [
        ["Full text: Article 7", "Budapest: Article 2"],
        ["Full text: Article 18"],
        ["Budapest: Article 12", "Budapest: Article 13"],
    ]


def test_more_results_of_the_version_that_kept_questions_in_memory_is_recognised() -> None:
    old = "more:Ab3_x9Qz:3"  # a token of 8 URL-safe characters, then the offset
    assert re.match(FORGOTTEN_PAGE_PATTERN, old) and not re.match(PAGE_PATTERN, old)
    assert not not_issued(old)


def test_paging_skips_a_result_that_is_not_relevant_alone_and_goes_on() -> None:
    """Stop 33: a signal that names article 4 put it sixth, and paging ended at five results
    though the seventh (article 21) was relevant."""
    ranked = [7, 12, 40, 2, 13, 4, 21, 99]
    results = tuple(ArticleResult(C, n, "Title", "Chapter", "1", "text", 1.0) for n in ranked)
    budapest = ArticleResult(BUDAPEST_ID, 2, "Illegal access", "Chapter II", "1", "text", 1.0)
    answer = Answer("q", (*results[:7], budapest, results[7]),
                    evidence={"relevant": ["7", "40", "21"]})
    kept = [(r.document, r.article) for r in relevant_results(answer)]
    first_page = [(C, n) for n in ranked[:PAGE_SIZE]]
    assert kept == [*first_page, (C, 21), (BUDAPEST_ID, 2)]
