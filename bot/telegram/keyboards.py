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

from bot.search.results import ArticleResult
from bot.telegram.i18n import example_questions, text
from bot.treaty.citations import SEPARATOR, chapter_label, paragraph_labels, short_citation
from bot.treaty.layout import BUDAPEST_ID, CONVENTION_ID, RESOLUTION_ID
from bot.treaty.model import Article, Chapter, Treaty

FULL_TEXT_PATTERN = r"^article:(\d{1,3})$"
BUDAPEST_PATTERN = r"^budapest:(\d{1,2})$"
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
        FULL_TEXT_PATTERN, BUDAPEST_PATTERN, PAGE_PATTERN, FORGOTTEN_PAGE_PATTERN, TOC_PATTERN,
        EXAMPLE_PATTERN, PARAGRAPH_PATTERN, CHAPTER_PATTERN,
    )
]
MAX_COUNTERPART_BUTTONS = 2  # per result: UN 40 has four Budapest counterparts
MAX_REFERS_TO_BUTTONS = 3  # the articles the quoted paragraphs refer to, in order
LONG_ARTICLE = 6  # paragraphs; a longer article gets a button per paragraph
PARAGRAPHS_PER_ROW = 8
CHAPTER_ARTICLES_PER_ROW = 5  # "Art. 35" five times fits a phone's width
_MAX_DATA = InlineKeyboardButtonLimit.MAX_CALLBACK_DATA
# A unit's code: an optional document prefix (b: Budapest, r: the resolution's operative
# paragraphs), the article (for the resolution: the paragraph), ".paragraph", sub-paragraph.
_UNIT = re.compile(r"([br]?)(\d{1,3})(?:\.(\d{1,3}))?([a-z]{1,3})?")
_PREFIXES = {"": CONVENTION_ID, "b": BUDAPEST_ID, "r": RESOLUTION_ID}

# document, article (None for the resolution), paragraph label, lettered sub-paragraph
Unit = tuple[str, int | None, str | None, str | None]


def unit_code(unit: Unit) -> str | None:
    """A search unit as a citation: "7.1" (article 7, paragraph 1), "2k" (article 2's unnumbered
    paragraph, sub-paragraph (k)), "40.12a", "17" (an unnumbered paragraph), "b16.1" (Budapest
    Article 16, paragraph 1), "r5" (operative paragraph 5 of the resolution); None for a unit
    not written this way (a preambular paragraph, an odd label)."""
    document, article, paragraph, subparagraph = unit
    if document == RESOLUTION_ID:
        code = f"r{paragraph}" if paragraph and article is None and not subparagraph else None
    elif article is not None:
        prefix = "b" if document == BUDAPEST_ID else ""
        code = f"{prefix}{article}{'.' + paragraph if paragraph else ''}{subparagraph or ''}"
    else:
        code = None
    match = _UNIT.fullmatch(code) if code else None
    return code if match and _unit(match) == unit else None


def _unit(match: re.Match[str]) -> Unit | None:
    document = _PREFIXES[match.group(1)]
    number, paragraph, subparagraph = int(match.group(2)), match.group(3), match.group(4)
    if document == RESOLUTION_ID:
        return None if paragraph or subparagraph else (document, None, str(number), None)
    return document, number, paragraph, subparagraph


@dataclass(frozen=True)
class Ranking:
    """The units an answer ranked, best first, as its paging buttons carry them:
    `page:<offset>:<unit>,<unit>,...` ("page:3:7.1,12.2,b16.1,2k"). As many of the best
    units as the callback data can hold (at least 8, usually 10 or more), up to the first that
    has no code."""

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
        units = [_unit(m) if (m := _UNIT.fullmatch(code)) else None for code in codes.split(",")]
        if not all(units):
            return None
        return cls(tuple(u for u in units if u))

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


def budapest_button(article: int, lang: str) -> InlineKeyboardButton:
    return button(text("button_budapest", lang, article=article), f"budapest:{article}")


def paragraph_button(article: int, label: str, caption: str) -> InlineKeyboardButton:
    return button(caption, f"para:{article}:{label}")


def answer_keyboard(
    results: Sequence[ArticleResult],
    ranking: Ranking,
    previous: int | None,
    following: int | None,
    lang: str,
    paragraph: tuple[int, str] | None = None,
    chapter: Chapter | None = None,
) -> InlineKeyboardMarkup | None:
    """"Paragraph in full" when the best quote was shortened (`paragraph`); per result its full
    text (a Convention article) and its Budapest counterparts, or the Budapest article in full;
    then the articles the quoted paragraphs refer to that are not shown (at most a few, in
    order); then, for a broad question, every article of its `chapter`; then paging to the
    neighbouring pages that exist."""
    rows = []
    if paragraph:
        number, label = paragraph
        provision = short_citation(number, label)
        rows.append([paragraph_button(number, label, text("button_paragraph", lang,
                                                                provision=provision))])
    for result in results:
        if result.document == CONVENTION_ID and result.article:
            row = [full_text_button(result.article,
                                    text("button_full_text", lang, article=result.article))]
            counterparts = [budapest_button(n, lang)
                            for n in result.counterparts[:MAX_COUNTERPART_BUTTONS]
                            if all((r.document, r.article) != (BUDAPEST_ID, n) for r in results)]
            # Three buttons in a row are cut short on a phone ("Full text: Artic…")
            rows += [row + counterparts] if len(counterparts) < 2 else [row, counterparts]
        elif result.document == BUDAPEST_ID and result.article:
            rows.append([budapest_button(result.article, lang)])
    shown = {r.article for r in results if r.document == CONVENTION_ID}
    if chapter is not None:  # its articles have buttons of their own below
        shown |= {a.number for a in chapter.articles}
    named = [n for r in results for n in r.refers_to if n not in shown]
    referred = list(dict.fromkeys(named))[:MAX_REFERS_TO_BUTTONS]
    if referred:
        rows.append([full_text_button(n, text("button_refers_to", lang, article=n))
                     for n in referred])
    if chapter is not None:
        buttons = [full_text_button(a.number, short_citation(a.number)) for a in chapter.articles]
        rows += [buttons[i : i + CHAPTER_ARTICLES_PER_ROW]
                 for i in range(0, len(buttons), CHAPTER_ARTICLES_PER_ROW)]
    paging = [
        button(text(key, lang), ranking.data(offset))
        for key, offset in (("button_previous", previous), ("button_more", following))
        if offset is not None
    ]
    if paging:
        rows.append(paging)
    return InlineKeyboardMarkup(rows) if rows else None


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
    """Under one paragraph: the paragraphs before and after it, then the whole article (on a
    row of its own: three buttons in a row are cut short on a phone)."""
    labels = paragraph_labels(article)
    neighbours = []
    if label in labels:
        position = labels.index(label)
        if position > 0:
            before = labels[position - 1]
            neighbours.append(paragraph_button(article.number, before, f"« ¶ {before}"))
        if position + 1 < len(labels):
            after = labels[position + 1]
            neighbours.append(paragraph_button(article.number, after, f"¶ {after} »"))
    whole = full_text_button(article.number, text("button_full_text", lang, article=article.number))
    return InlineKeyboardMarkup([row for row in (neighbours, [whole]) if row])


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


def toc_keyboard(treaty: Treaty) -> InlineKeyboardMarkup:
    """One button per chapter, labelled with its heading as the treaty prints it."""
    return InlineKeyboardMarkup(
        [
            [
                button(chapter_label(c.number, c.title), f"toc:{c.number}")
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
