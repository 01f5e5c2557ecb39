"""Follow-ups on their own: the wording patterns (data, six languages), the citation a bot
message is read back from, what "the next one" is, and how long the last answer stands."""

from __future__ import annotations

import pytest

from bot.telegram.followups import (
    FOLLOW_UP_S,
    FollowUp,
    Provision,
    cited_in,
    parse_follow_up,
    resolve,
)
from bot.telegram.keyboards import which_article_keyboard
from bot.telegram.memory import ChatMemory
from bot.treaty.model import Treaty
from bot.treaty.parsing import parse_treaty_text


@pytest.fixture(scope="module")
def treaty(layout_text: str) -> Treaty:
    return parse_treaty_text(layout_text, source_sha256="0" * 64)


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("paragraph 3", FollowUp("paragraph", "3")),
        ("and what about paragraph 3?", FollowUp("paragraph", "3")),
        ("And para. 21 (c)?", FollowUp("paragraph", "21", "c")),
        ("and (b)?", FollowUp("sub", sub="b")),
        ("(B)", FollowUp("sub", sub="b")),
        ("the next one", FollowUp("next")),
        ("Next?", FollowUp("next")),
        ("et le paragraphe 3 ?", FollowUp("paragraph", "3")),
        ("et le paragraphe 3\N{NARROW NO-BREAK SPACE}?", FollowUp("paragraph", "3")),
        ("et (b) ?", FollowUp("sub", sub="b")),
        ("le suivant", FollowUp("next")),
        ("¿y el párrafo 2?", None),  # the opening mark is not in the Spanish pattern
        ("y el párrafo 2?", FollowUp("paragraph", "2")),
        ("el siguiente", FollowUp("next")),
        ("а пункт 3?", FollowUp("paragraph", "3")),
        ("следующий", FollowUp("next")),
        ("第3款呢？", FollowUp("paragraph", "3")),
        ("下一款", FollowUp("next")),
        ("الفقرة 3", FollowUp("paragraph", "3")),
    ],
)
def test_follow_ups_are_recognised_in_the_six_languages(
    message: str, expected: FollowUp | None
) -> None:
    assert parse_follow_up(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "What does paragraph 3 of article 18 say about sanctions?",
        "article 40 paragraph 3",
        "40 21",
        "Is hacking a crime?",
        "next steps for ratification",
        "b",
    ],
)
def test_questions_and_references_are_not_follow_ups(message: str) -> None:
    assert parse_follow_up(message) is None


def test_a_bot_message_is_read_back_from_its_first_citation() -> None:
    assert cited_in("“q”\nArt. 40(21)(b) · General principles\ntext") == Provision(40, "21", "b")
    assert cited_in("Art. 2(h) · Use of terms") == Provision(2, None, "h")
    assert cited_in("Article 7 · Illegal access · Chapter II Criminalization") == Provision(7)
    assert cited_in("Table of contents\nChapter I General provisions") is None


def test_the_next_one(treaty: Treaty) -> None:
    next_one = FollowUp("next")
    assert resolve(next_one, Provision(40, "21"), treaty) == Provision(40, "22")
    assert resolve(next_one, Provision(40, "32"), treaty) == Provision(41)  # the last paragraph
    assert resolve(next_one, Provision(7), treaty) == Provision(8)
    assert resolve(next_one, Provision(68), treaty) is None
    assert resolve(FollowUp("sub", sub="c"), Provision(40, "21", "b"), treaty) == Provision(
        40, "21", "c"
    )


def test_the_last_answer_stands_for_a_few_minutes_and_is_kept_per_chat() -> None:
    now = [0.0]
    memory = ChatMemory(clock=lambda: now[0])
    memory.record_answer(1, Provision(18, "4"), (18, 21, 17))
    last = memory.last_answer(1)
    assert last is not None and last.provision == Provision(18, "4")
    assert memory.last_answer(2) is None
    now[0] = FOLLOW_UP_S + 1
    last = memory.last_answer(1)
    assert last is not None and memory.age(last) > FOLLOW_UP_S  # too old to follow
    assert last.articles == (18, 21, 17)  # still offered as buttons


def test_which_article_buttons_open_the_paragraph_asked_for(treaty: Treaty) -> None:
    keyboard = which_article_keyboard((18, 2, 7), "3", treaty, "en")
    assert keyboard is not None
    rows = [[(b.text, b.callback_data) for b in row] for row in keyboard.inline_keyboard]
    assert rows == [
        [("Art. 18(3)", "para:18:3")],
        [("Full text: Article 2", "article:2")],  # no paragraph 3: the article
        [("Full text: Article 7", "article:7")],
    ]
    assert which_article_keyboard((), "3", treaty, "en") is None
