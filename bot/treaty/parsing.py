"""Parse the treaty's plain-text layout into the typed model, and check the result.

The layout is the one of the checked reference rendering: one paragraph per line, a blank line
between paragraphs, "Chapter I" / "Article 7" on a line of their own with the title on the next.
The PDF extractor produces the same layout, so both sources share this one parser.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from bot.errors import TreatyBotError
from bot.treaty.layout import ARTICLE_COUNT, NOTES_MARKER, SYMBOL
from bot.treaty.model import ITEM, Article, Chapter, Note, Paragraph, Treaty, split_parts

PARSER_VERSION = "1"

_CHAPTER = re.compile(r"^Chapter ([IVXLC]+)$")
_ARTICLE = re.compile(r"^Article (\d+)\.?$")
_NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")
_NOTE_HEADING = re.compile(r"^Articles? \d+")
_CLOSING = "IN WITNESS WHEREOF"


class TreatyFormatError(TreatyBotError, ValueError):
    """The text is not in the expected layout or fails validation; the message says where."""


def _is_title(line: str) -> bool:
    """A heading line, not the article's first paragraph or the next heading."""
    structural = (_NUMBERED, ITEM, _ARTICLE, _CHAPTER)
    return bool(line) and not any(p.match(line) for p in structural) and line[-1] not in ".:;,"


def _blocks(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def parse_treaty_text(text: str, source_sha256: str) -> Treaty:
    """Parse the convention (and, when present, its interpretative notes) from the layout."""
    convention_text, _, notes_text = text.partition(NOTES_MARKER)
    lines = _blocks(convention_text)
    if len(lines) < 3 or lines[1] != "Preamble":
        raise TreatyFormatError(
            "the text does not start with the Convention's title followed by 'Preamble': "
            "is it in the layout of un_cybercrime_convention.en.txt (one paragraph per line)?"
        )
    title = lines[0]
    position = 2
    preamble: list[str] = []
    while position < len(lines) and not _CHAPTER.match(lines[position]):
        preamble.append(lines[position])
        position += 1
    if position == len(lines):
        raise TreatyFormatError(
            "no 'Chapter I' line after the preamble: is the text in the layout of "
            "un_cybercrime_convention.en.txt (chapter and article numbers on their own lines)?"
        )

    chapters: list[Chapter] = []
    closing: list[str] = []
    chapter: tuple[str, str] | None = None
    chapter_articles: list[Article] = []
    article_head: tuple[int, str] | None = None
    article_lines: list[str] = []

    def close_article() -> None:
        nonlocal article_head, article_lines
        if article_head is not None and chapter is not None:
            number, article_title = article_head
            chapter_articles.append(
                Article(
                    number=number,
                    title=article_title,
                    chapter_number=chapter[0],
                    chapter_title=chapter[1],
                    paragraphs=_paragraphs(number, article_lines),
                )
            )
        article_head, article_lines = None, []

    def close_chapter() -> None:
        nonlocal chapter_articles
        close_article()
        if chapter is not None:
            chapters.append(Chapter(chapter[0], chapter[1], tuple(chapter_articles)))
        chapter_articles = []

    while position < len(lines):
        line = lines[position]
        heading = lines[position + 1] if position + 1 < len(lines) else ""
        if closing or line.startswith(_CLOSING):
            closing.append(line)
        elif chapter_match := _CHAPTER.match(line):
            close_chapter()
            chapter = (chapter_match.group(1), heading)
            position += 1
        elif article_match := _ARTICLE.match(line):
            close_article()
            named = _is_title(heading)  # an article without one gets "", reported by validate
            article_head = (int(article_match.group(1)), heading if named else "")
            position += 1 if named else 0
        elif article_head is None:
            raise TreatyFormatError(f"text outside any article: {line[:80]!r}")
        else:
            article_lines.append(line)
        position += 1
    close_chapter()

    notes_title, notes = _parse_notes(NOTES_MARKER + notes_text) if notes_text else ("", ())
    return Treaty(
        title=title,
        symbol=SYMBOL,
        source_sha256=source_sha256,
        preamble=tuple(preamble),
        chapters=tuple(chapters),
        closing=tuple(closing),
        notes_title=notes_title,
        notes=notes,
    )


def _paragraphs(article: int, lines: Iterable[str]) -> tuple[Paragraph, ...]:
    """Group an article's lines: a numbered line opens a paragraph; sub-paragraphs and the
    lines that close a list ("with the intent that ...") stay with the paragraph they belong to."""
    groups: list[tuple[str | None, list[str]]] = []
    for line in lines:
        numbered = _NUMBERED.match(line)
        if numbered:
            groups.append((numbered.group(1), [numbered.group(2)]))
        elif groups and (
            groups[-1][0] is not None or ITEM.match(line) or ITEM.match(groups[-1][1][-1])
        ):
            groups[-1][1].append(line)
        else:
            groups.append((None, [line]))
    if not groups:
        raise TreatyFormatError(f"article {article} has no text")
    return tuple(Paragraph(label, split_parts(group)) for label, group in groups)


def _parse_notes(text: str) -> tuple[str, tuple[Note, ...]]:
    lines = _blocks(text)
    title, notes = lines[0], []
    heading = ""
    for line in lines[1:]:
        numbered = _NUMBERED.match(line)
        if _NOTE_HEADING.match(line) and not numbered:
            heading = line
        elif numbered and heading:
            articles = tuple(int(n) for n in re.findall(r"\d+", heading.split(",")[0]))
            notes.append(Note(int(numbered.group(1)), heading, articles, numbered.group(2)))
        else:
            raise TreatyFormatError(f"unexpected line in the interpretative notes: {line[:80]!r}")
    return title, tuple(notes)


def validate(treaty: Treaty, source_text: str) -> None:
    """Refuse a parse that lost structure or text; every problem is listed in one message."""
    problems: list[str] = []
    numbers = [a.number for a in treaty.articles]
    if numbers != list(range(1, ARTICLE_COUNT + 1)):
        missing = sorted(set(range(1, ARTICLE_COUNT + 1)) - set(numbers))
        extra = sorted(set(numbers) - set(range(1, ARTICLE_COUNT + 1)))
        problems.append(
            f"articles must be 1..{ARTICLE_COUNT} in order; missing {missing or 'none'}, "
            f"unexpected {extra or 'none'}, order {numbers[:5]}…"
            if missing or extra
            else "articles are out of order"
        )
    for article in treaty.articles:
        if not article.title.strip():
            problems.append(f"article {article.number} has no heading")
        labels = [int(p.label) for p in article.paragraphs if p.label is not None]
        if labels and labels != list(range(1, len(labels) + 1)):
            problems.append(
                f"article {article.number}: paragraph numbers are not consecutive: {labels}"
            )
    parsed_words = _words(
        "\n".join(
            [treaty.title, "Preamble", *treaty.preamble, *treaty.closing, treaty.notes_title]
            + [f"Chapter {c.number} {c.title}" for c in treaty.chapters]
            + [f"Article {a.number} {a.title} {a.text}" for a in treaty.articles]
            + [f"{n.heading} {n.number}. {n.text}" for n in treaty.notes]
        )
    )
    source_words = _words(source_text)
    lost = source_words - parsed_words
    if lost:
        sample = ", ".join(repr(w) for w in list(lost)[:5])
        problems.append(
            f"the parsed text misses {lost.total()} of the source's {source_words.total()} "
            f"words (e.g. {sample})"
        )
    if problems:
        raise TreatyFormatError("the parsed treaty failed validation:\n- " + "\n- ".join(problems))


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\S+", text))
