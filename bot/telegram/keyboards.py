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
from bot.treaty.citations import SEPARATOR, paragraph_labels, short_citation
from bot.treaty.model import Article, Chapter, Treaty

FULL_TEXT_PATTERN = r"^article:(\d{1,3})$"
PAGE_PATTERN = r"^page:(\d{1,2}):([0-9a-z.,]{1,64})$"
# "More results" as issued before buttons outlived a restart: the token of a question that was
# kept in memory only, so it is gone. Such buttons say the answer has expired.
FORGOTTEN_PAGE_PATTERN = r"^more:[A-Za-z0-9_-]{1,16}:\d{1,3}$"
TOC_PATTERN = r"^toc(?::([IVXLC]{1,8}))?$"
EXAMPLE_PATTERN = r"^example:(\d{1,2})$"
PARAGRAPH_PATTERN = r"^para:(\d{1,3}):(\d{1,3})$"
CHAPTER_PATTERN = r"^chapter:([IVXLC]{1,8})$"
_ISSUED = [
    re.compile(p)
    for p in (
        FULL_TEXT_PATTERN, PAGE_PATTERN, FORGOTTEN_PAGE_PATTERN, TOC_PATTERN, EXAMPLE_PATTERN,
        PARAGRAPH_PATTERN, CHAPTER_PATTERN,
    )
]
LONG_ARTICLE = 6  # paragraphs; a longer article gets a button per paragraph
PARAGRAPHS_PER_ROW = 8
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


def paragraph_button(article: int, label: str, caption: str) -> InlineKeyboardButton:
    return button(caption, f"para:{article}:{label}")


def answer_keyboard(
    articles: Sequence[int],
    ranking: Ranking,
    previous: int | None,
    following: int | None,
    lang: str,
    paragraph: tuple[int, str] | None = None,
) -> InlineKeyboardMarkup:
    """"Paragraph in full" when the best quote was shortened (`paragraph`), a button per cited
    article, then paging to the neighbouring pages that exist."""
    rows = []
    if paragraph:
        number, label = paragraph
        provision = short_citation(number, label)
        rows.append([paragraph_button(number, label, text("button_paragraph", lang,
                                                                provision=provision))])
    rows += [[full_text_button(n, text("button_full_text", lang, article=n))] for n in articles]
    paging = [
        button(text(key, lang), ranking.data(offset))
        for key, offset in (("button_previous", previous), ("button_more", following))
        if offset is not None
    ]
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows)


def article_keyboard(article: Article, treaty: Treaty, lang: str) -> InlineKeyboardMarkup:
    """Under a full article: a button per paragraph of a long one, then the previous and next
    articles and the article's chapter."""
    labels = paragraph_labels(article)
    rows: list[list[InlineKeyboardButton]] = []
    if len(labels) > LONG_ARTICLE:
        buttons = [paragraph_button(article.number, label, f"¶ {label}") for label in labels]
        rows += [
            buttons[i : i + PARAGRAPHS_PER_ROW] for i in range(0, len(buttons), PARAGRAPHS_PER_ROW)
        ]
    rows.append(_neighbours(article.number, treaty, lang, chapter=article.chapter_number))
    return InlineKeyboardMarkup(rows)


def paragraph_keyboard(
    article: Article, label: str | None, treaty: Treaty, lang: str
) -> InlineKeyboardMarkup:
    """Under one paragraph: the paragraphs before and after it, and the whole article."""
    labels = paragraph_labels(article)
    row = []
    if label in labels:
        position = labels.index(label)
        if position > 0:
            before = labels[position - 1]
            row.append(paragraph_button(article.number, before, f"« ¶ {before}"))
        row.append(full_text_button(article.number,
                                    text("button_full_text", lang, article=article.number)))
        if position + 1 < len(labels):
            after = labels[position + 1]
            row.append(paragraph_button(article.number, after, f"¶ {after} »"))
    else:
        row.append(full_text_button(article.number,
                                    text("button_full_text", lang, article=article.number)))
    return InlineKeyboardMarkup([row])


def _neighbours(
    number: int, treaty: Treaty, lang: str, chapter: str
) -> list[InlineKeyboardButton]:
    row = []
    if treaty.article(number - 1):
        row.append(full_text_button(number - 1, text("button_previous_article", lang,
                                                     article=number - 1)))
    row.append(button(text("button_chapter", lang, number=chapter), f"chapter:{chapter}"))
    if treaty.article(number + 1):
        row.append(full_text_button(number + 1, text("button_next_article", lang,
                                                     article=number + 1)))
    return row


def which_article_keyboard(
    articles: Sequence[int], paragraph: str | None, treaty: Treaty, lang: str
) -> InlineKeyboardMarkup | None:
    """For a follow-up the bot cannot place: the articles of the chat's last answer, each
    opening the paragraph asked for where it has one, else the article."""
    rows = []
    for number in articles:
        article = treaty.article(number)
        if article is None:
            continue
        if paragraph and article.paragraph(paragraph):
            rows.append([paragraph_button(number, paragraph, short_citation(number, paragraph))])
        else:
            rows.append([full_text_button(number, text("button_full_text", lang,
                                                       article=number))])
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
