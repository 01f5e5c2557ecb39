"""Where the official PDF prints each paragraph: the page map of the source's lines laid onto
the parsed treaty, so that a quotation can be checked against the UN's own print."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from bot.errors import TreatyBotError
from bot.treaty.model import Article, Paragraph, Treaty

_NUMBER = re.compile(r"^\d+\.\s+")


class PageMapError(TreatyBotError, ValueError):
    """The page map does not fit the text it came with (a bug in the reader, not the user's)."""


def with_pages(treaty: Treaty, text: str, line_pages: Sequence[tuple[int, ...]]) -> Treaty:
    """The treaty with the pages of every paragraph line, from the pages of the source's
    non-empty lines (`line_pages`, in order); unchanged when there is no map (a text file)."""
    if not line_pages:
        return treaty
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
    if len(lines) != len(line_pages):
        raise PageMapError(f"{len(line_pages)} page entries for {len(lines)} lines")
    cursor = _Cursor(lines, line_pages)
    chapters = tuple(
        replace(chapter, articles=tuple(_article(article, cursor) for article in chapter.articles))
        for chapter in treaty.chapters
    )
    return replace(treaty, chapters=chapters, _by_number={})


class _Cursor:
    """Walks the source's lines forward: the parsed parts come in the order they are printed."""

    def __init__(self, lines: list[str], pages: Sequence[tuple[int, ...]]) -> None:
        self._lines, self._pages, self._at = lines, pages, 0

    def pages_of(self, text: str, numbered: bool) -> tuple[int, ...]:
        for index in range(self._at, len(self._lines)):
            line = _NUMBER.sub("", self._lines[index], count=1) if numbered else self._lines[index]
            if line == text:
                self._at = index + 1
                return tuple(self._pages[index])
        raise PageMapError(f"no source line for {text[:60]!r}")


def _article(article: Article, cursor: _Cursor) -> Article:
    return replace(article, paragraphs=tuple(_paragraph(p, cursor) for p in article.paragraphs))


def _paragraph(paragraph: Paragraph, cursor: _Cursor) -> Paragraph:
    numbered = paragraph.label is not None  # its first line is printed "N. ..."
    parts = tuple(
        replace(part, pages=cursor.pages_of(part.text, numbered and index == 0))
        for index, part in enumerate(paragraph.parts)
    )
    return replace(paragraph, parts=parts)

