"""Inline keyboards, and the callback data their buttons carry back (Telegram allows 64 bytes).

Callback data holds only numbers and short tokens; a question behind "More results" is kept
server-side under its token, so no user text ever has to fit in a button. Labels are in the
language of the user the keyboard is for (`lang`); the data is the same in every language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import InlineKeyboardButtonLimit

from bot.search.results import ArticleResult
from bot.telegram.i18n import example_questions, text
from bot.treaty.citations import SEPARATOR
from bot.treaty.layout import BUDAPEST_ID, CONVENTION_ID
from bot.treaty.model import Chapter, Treaty

FULL_TEXT_PATTERN = r"^article:(\d{1,3})$"
BUDAPEST_PATTERN = r"^budapest:(\d{1,2})$"
PAGE_PATTERN = r"^more:([A-Za-z0-9_-]{1,16}):(\d{1,3})$"
TOC_PATTERN = r"^toc(?::([IVXLC]{1,8}))?$"
EXAMPLE_PATTERN = r"^example:(\d{1,2})$"
_ISSUED = [
    re.compile(p)
    for p in (FULL_TEXT_PATTERN, BUDAPEST_PATTERN, PAGE_PATTERN, TOC_PATTERN, EXAMPLE_PATTERN)
]
MAX_COUNTERPART_BUTTONS = 2  # per result: UN 40 has four Budapest counterparts
MAX_REFERS_TO_BUTTONS = 3  # the articles the quoted paragraphs refer to, in order


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


def budapest_button(article: int, lang: str) -> InlineKeyboardButton:
    return button(text("button_budapest", lang, article=article), f"budapest:{article}")


def answer_keyboard(
    results: Sequence[ArticleResult],
    token: str,
    previous: int | None,
    following: int | None,
    lang: str,
) -> InlineKeyboardMarkup | None:
    """Per result its full text (a Convention article) and its Budapest counterparts, or the
    Budapest article in full; then the articles the quoted paragraphs refer to that are not
    shown (at most a few, in order); then paging to the neighbouring pages that exist."""
    rows = []
    for result in results:
        if result.document == CONVENTION_ID and result.article:
            row = [full_text_button(result.article,
                                    text("button_full_text", lang, article=result.article))]
            row += [budapest_button(n, lang)
                    for n in result.counterparts[:MAX_COUNTERPART_BUTTONS]
                    if all((r.document, r.article) != (BUDAPEST_ID, n) for r in results)]
            rows.append(row)
        elif result.document == BUDAPEST_ID and result.article:
            rows.append([budapest_button(result.article, lang)])
    shown = {r.article for r in results if r.document == CONVENTION_ID}
    named = [n for r in results for n in r.refers_to if n not in shown]
    referred = list(dict.fromkeys(named))[:MAX_REFERS_TO_BUTTONS]
    if referred:
        rows.append([full_text_button(n, text("button_refers_to", lang, article=n))
                     for n in referred])
    paging = [
        button(text(key, lang), f"more:{token}:{offset}")
        for key, offset in (("button_previous", previous), ("button_more", following))
        if offset is not None
    ]
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows) if rows else None


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
