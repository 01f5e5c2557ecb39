"""Inline keyboards, and the callback data their buttons carry back (Telegram allows 64 bytes).

Callback data holds only numbers and treaty citations, never a user's text, and says all a
button needs: "Previous/More results" carry the units the answer ranked (`Ranking`), so they
work after a restart without the bot keeping anything. Labels are in the language of the user
the keyboard is for (`lang`); the data is the same in every language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.telegram.i18n import example_questions, text
from bot.treaty.citations import SEPARATOR
from bot.treaty.model import Chapter, Treaty

FULL_TEXT_PATTERN = r"^article:(\d{1,3})$"
PAGE_PATTERN = r"^page:(\d{1,2}):([0-9a-z.,]{1,64})$"
# "More results" as issued before buttons outlived a restart: the token of a question that was
# kept in memory only, so it is gone. Such buttons say the answer has expired.
FORGOTTEN_PAGE_PATTERN = r"^more:[A-Za-z0-9_-]{1,16}:\d{1,3}$"
TOC_PATTERN = r"^toc(?::([IVXLC]{1,8}))?$"
EXAMPLE_PATTERN = r"^example:(\d{1,2})$"
_ISSUED = [
    re.compile(p)
    for p in (FULL_TEXT_PATTERN, PAGE_PATTERN, FORGOTTEN_PAGE_PATTERN, TOC_PATTERN, EXAMPLE_PATTERN)
]
_MAX_DATA = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
_UNIT = re.compile(r"(\d{1,3})(?:\.(\d{1,3}))?([a-z]{1,3})?")

Unit = tuple[int, str | None, str | None]  # article, paragraph label, lettered sub-paragraph


def unit_code(unit: Unit) -> str | None:
    """A search unit as a citation: "7.1" (article 7, paragraph 1), "2k" (article 2's unnumbered
    paragraph, sub-paragraph (k)), "40.12a", "17" (an unnumbered paragraph); None for a label
    that is not written this way."""
    article, paragraph, subparagraph = unit
    code = f"{article}{'.' + paragraph if paragraph else ''}{subparagraph or ''}"
    match = _UNIT.fullmatch(code)
    return code if match and _unit(match) == unit else None


def _unit(match: re.Match[str]) -> Unit:
    return int(match.group(1)), match.group(2), match.group(3)


@dataclass(frozen=True)
class Ranking:
    """The units an answer ranked, best first, as its paging buttons carry them:
    `page:<offset>:<unit>,<unit>,...` ("page:3:7.1,12.2,40.21,2k"). As many of the best
    units as the callback data can hold (at least 8, usually 10 or more)."""

    units: tuple[Unit, ...]

    @classmethod
    def fitting(cls, units: Iterable[Unit]) -> Ranking:
        """The leading units whose codes fit in the data of a button at any page offset."""
        room = _MAX_DATA - len("page:99:")
        kept: list[Unit] = []
        for unit in units:
            code = unit_code(unit)
            if code is None or len(code) > room:
                break
            kept.append(unit)
            room -= len(code) + 1  # the comma before the next code
        return cls(tuple(kept))

    @classmethod
    def parse(cls, codes: str) -> Ranking | None:
        """The ranking a button carries, or None for data no button of the bot carries."""
        matches = [_UNIT.fullmatch(code) for code in codes.split(",")]
        if not all(matches):
            return None
        return cls(tuple(_unit(m) for m in matches if m))

    def data(self, offset: int) -> str:
        return f"page:{offset}:{','.join(unit_code(u) or '' for u in self.units)}"


def button(label: str, data: str) -> InlineKeyboardButton:
    """A button whose data Telegram will accept (it refuses more than 64 bytes)."""
    if len(data.encode()) > InlineKeyboardButtonLimit.MAX_CALLBACK_DATA:
        raise ValueError(f"callback data too long for Telegram: {data!r}")
    return InlineKeyboardButton(label, callback_data=data)


def not_issued(data: object) -> bool:
    """Callback data that none of the bot's buttons carries (an older version's, or forged)."""
    return not (isinstance(data, str) and any(p.match(data) for p in _ISSUED))


def full_text_button(article: int, label: str) -> InlineKeyboardButton:
    return button(label, f"article:{article}")


def answer_keyboard(
    articles: Sequence[int],
    ranking: Ranking,
    previous: int | None,
    following: int | None,
    lang: str,
) -> InlineKeyboardMarkup:
    """A button per cited article, then paging to the neighbouring pages that exist."""
    rows = [[full_text_button(n, text("button_full_text", lang, article=n))] for n in articles]
    paging = [
        button(text(key, lang), ranking.data(offset))
        for key, offset in (("button_previous", previous), ("button_more", following))
        if offset is not None
    ]
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows)


def toc_keyboard(treaty: Treaty, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                button(
                    text("chapter_button", lang, number=c.number, title=c.title),
                    f"toc:{c.number}",
                )
            ]
            for c in treaty.chapters
        ]
    )


def chapter_keyboard(chapter: Chapter, lang: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            *(
                [full_text_button(a.number, f"{a.number}{SEPARATOR}{a.title}")]
                for a in chapter.articles
            ),
            [button(text("button_all_chapters", lang), "toc")],
        ]
    )


def examples_keyboard(lang: str) -> InlineKeyboardMarkup:
    """The /start examples in `lang`; the data holds only the index, which the handler looks
    up in the language of whoever presses the button."""
    return InlineKeyboardMarkup(
        [
            [button(question, f"example:{index}")]
            for index, question in enumerate(example_questions(lang))
        ]
    )
