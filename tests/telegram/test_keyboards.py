"""The paging buttons' data on its own: the ranked units an answer's "More results" carries,
within Telegram's 64 bytes, read back exactly, and data the bot never issued refused."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.constants import InlineKeyboardButtonLimit

from bot.telegram.keyboards import (
    FORGOTTEN_PAGE_PATTERN,
    PAGE_PATTERN,
    Ranking,
    Unit,
    answer_keyboard,
    not_issued,
    unit_code,
)

LIMIT = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA


@pytest.mark.parametrize(
    ("unit", "code"),
    [
        ((7, "1", None), "7.1"),
        ((40, "21", None), "40.21"),
        ((2, None, "k"), "2k"),
        ((40, "12", "a"), "40.12a"),
        ((17, None, None), "17"),
    ],
)
def test_a_unit_is_written_as_its_citation(unit: Unit, code: str) -> None:
    assert unit_code(unit) == code
    assert Ranking.parse(code) == Ranking((unit,))


@pytest.mark.parametrize("unit", [(7, "1 bis", None), (7, "1", "(a)"), (7, "x", None)])
def test_a_label_that_cannot_be_written_so_is_refused(unit: Unit) -> None:
    assert unit_code(unit) is None
    assert Ranking.fitting([(3, "1", None), unit, (4, "1", None)]).units == ((3, "1", None),)


units = st.tuples(
    st.integers(1, 999),
    st.none() | st.integers(1, 999).map(str),
    st.none() | st.sampled_from("abcdefghijklmnop"),
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
    longest = [(40, "12", "a")] * 20
    assert len(Ranking.fitting(longest).units) == 8
    typical = [(7, "1", None), (12, "2", None), (40, "21", None), (2, None, "k")] * 5
    assert len(Ranking.fitting(typical).units) >= 10


@pytest.mark.parametrize("codes", ["7.1,,8.1", "7.1,", "7..1", "a7", "7.1A", "7.1,x"])
def test_data_no_button_carries_is_not_a_ranking(codes: str) -> None:
    assert Ranking.parse(codes) is None


def test_paging_buttons_carry_the_whole_ranking_with_their_page() -> None:
    ranking = Ranking(((7, "1", None), (12, "2", None), (40, "21", None), (2, None, "k")))
    keyboard = answer_keyboard([12], ranking, previous=0, following=6, lang="en")
    paging = keyboard.inline_keyboard[-1]
    assert [b.callback_data for b in paging] == [
        "page:0:7.1,12.2,40.21,2k",
        "page:6:7.1,12.2,40.21,2k",
    ]


def test_more_results_of_the_version_that_kept_questions_in_memory_is_recognised() -> None:
    old = "more:Ab3_x9Qz:3"  # a token of 8 URL-safe characters, then the offset
    assert re.match(FORGOTTEN_PAGE_PATTERN, old) and not re.match(PAGE_PATTERN, old)
    assert not not_issued(old)
