"""The two instruments beside the Convention: the resolution that adopts it (A/RES/79/243
itself, pages 1-3 of the official PDF) and, when loaded, the Council of Europe Convention on
Cybercrime (Budapest, ETS No. 185). Both are parsed from the layout of the checked renderings
(one paragraph per line) and validated on every build, like the Convention.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.treaty.layout import (
    BUDAPEST_ARTICLE_COUNT,
    BUDAPEST_SYMBOL,
    OPERATIVE_COUNT,
    RESOLUTION_ADDRESSEE,
    RESOLUTION_TITLE_PREFIX,
    SYMBOL,
)
from bot.treaty.model import Article, Chapter, Paragraph, Part, Treaty
from bot.treaty.parsing import TreatyFormatError

_NUMBERED = re.compile(r"^(\d+)\.\s+(.*)$")


@dataclass(frozen=True)
class Resolution:
    """A/RES/79/243: its title, preambular paragraphs (unnumbered) and operative paragraphs
    ("1" to "12"), verbatim."""

    title: str
    symbol: str
    source_sha256: str
    preamble: tuple[Paragraph, ...]
    operative: tuple[Paragraph, ...]
    closing: tuple[str, ...] = ()

    def paragraph(self, label: str) -> Paragraph | None:
        return next((p for p in self.operative if p.label == label), None)

    def to_json(self) -> dict[str, Any]:
        def paragraph(p: Paragraph) -> dict[str, Any]:
            return {"label": p.label, "text": p.text, "pages": list(p.pages)}

        return {
            "title": self.title,
            "symbol": self.symbol,
            "source_sha256": self.source_sha256,
            "preamble": [paragraph(p) for p in self.preamble],
            "operative": [paragraph(p) for p in self.operative],
            "closing": list(self.closing),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Resolution:
        def paragraph(raw: dict[str, Any]) -> Paragraph:
            return Paragraph(raw["label"], (Part(raw["text"], pages=tuple(raw["pages"])),))

        return cls(
            title=data["title"],
            symbol=data["symbol"],
            source_sha256=data["source_sha256"],
            preamble=tuple(paragraph(p) for p in data["preamble"]),
            operative=tuple(paragraph(p) for p in data["operative"]),
            closing=tuple(data["closing"]),
        )


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.replace("\r\n", "\n").split("\n") if line.strip()]


def parse_resolution(
    text: str, source_sha256: str, line_pages: Sequence[tuple[int, ...]] = ()
) -> Resolution:
    """The resolution from its text in the reference layout: whatever precedes the title
    (symbol, session, agenda item) is left out; the line after the last operative paragraph
    (the plenary meeting) is its closing. `line_pages`: the PDF pages of each non-empty line."""
    lines = _lines(text)
    pages = list(line_pages) or [()] * len(lines)
    if len(pages) != len(lines):
        raise TreatyFormatError(f"{len(pages)} page entries for {len(lines)} resolution lines")
    title_at = next((i for i, line in enumerate(lines)
                     if line.startswith(RESOLUTION_TITLE_PREFIX)), None)
    if title_at is None or RESOLUTION_ADDRESSEE not in lines:
        raise TreatyFormatError(
            f"the resolution's title ({RESOLUTION_TITLE_PREFIX} ...) or the line "
            f"{RESOLUTION_ADDRESSEE!r} is missing: is this the text of A/RES/79/243?"
        )
    addressee = lines.index(RESOLUTION_ADDRESSEE)
    preamble: list[Paragraph] = []
    operative: list[Paragraph] = []
    closing: list[str] = []
    for line, line_pages_ in zip(lines[addressee + 1:], pages[addressee + 1:], strict=True):
        numbered = _NUMBERED.match(line)
        if closing or (operative and not numbered):
            closing.append(line)
        elif numbered:
            operative.append(Paragraph(numbered.group(1), (Part(numbered.group(2),
                                                                pages=line_pages_),)))
        else:
            preamble.append(Paragraph(None, (Part(line, pages=line_pages_),)))
    return Resolution(
        title=" ".join(lines[title_at:addressee]),
        symbol=SYMBOL,
        source_sha256=source_sha256,
        preamble=tuple(preamble),
        operative=tuple(operative),
        closing=tuple(closing),
    )


def validate_resolution(resolution: Resolution) -> None:
    """Refuse a parse that lost the structure: 12 operative paragraphs, numbered in order, and
    at least one preambular paragraph."""
    problems = []
    labels = [p.label for p in resolution.operative]
    wanted = [str(n) for n in range(1, OPERATIVE_COUNT + 1)]
    if labels != wanted:
        problems.append(f"operative paragraphs must be 1..{OPERATIVE_COUNT} in order, not "
                        f"{labels}")
    if not resolution.preamble:
        problems.append("no preambular paragraph")
    if problems:
        raise TreatyFormatError("the parsed resolution failed validation:\n- "
                                + "\n- ".join(problems))


# --- The Budapest Convention ----------------------------------------------------------------

_CHAPTER = re.compile(r"^CHAPTER ([IVXLC]+)$")
_SECTION = re.compile(r"^SECTION (\d+)$")
_TITLE = re.compile(r"^TITLE (\d+)$")
_ARTICLE = re.compile(r"^Article (\d+)$")
# Its items are printed "a) ..." and "(i) ...".
_ITEM = re.compile(r"^(?:[a-z]\)|\([ivx]+\))\s")
_CLOSING = "IN WITNESS WHEREOF"


def parse_budapest(text: str, source_sha256: str) -> Treaty:
    """The Budapest Convention in the layout of budapest_convention.en.txt, as a `Treaty`
    without notes. A Section's and a Title's headings are kept in the article's chapter
    heading ("Chapter II Measures ... · Section 1 Substantive criminal law · Title 1 ..."),
    which the search reads and the quotation leaves out."""
    lines = _lines(text)
    if len(lines) < 3 or lines[1] != "Preamble":
        raise TreatyFormatError(
            "BUDAPEST_SOURCE does not start with the title followed by 'Preamble': is it in "
            "the layout of budapest_convention.en.txt (one paragraph per line)?"
        )
    title, position, preamble = lines[0], 2, []
    while position < len(lines) and not _CHAPTER.match(lines[position]):
        preamble.append(lines[position])
        position += 1
    chapters: list[Chapter] = []
    chapter: list[Any] = []  # number, title, articles
    heading = {"section": "", "title": ""}
    article: list[Any] | None = None  # number, title, chapter title, lines
    closing: list[str] = []

    def close_article() -> None:
        nonlocal article
        if article is not None:
            number, name, context, body = article
            chapter[2].append(Article(number, name, chapter[0], context,
                                      _budapest_paragraphs(number, body)))
        article = None

    def close_chapter() -> None:
        close_article()
        if chapter:
            chapters.append(Chapter(chapter[0], chapter[1], tuple(chapter[2])))

    while position < len(lines):
        line = lines[position]
        following = lines[position + 1] if position + 1 < len(lines) else ""
        if closing or line.startswith(_CLOSING):
            close_article()
            closing.append(line)
        elif match := _CHAPTER.match(line):
            close_chapter()
            chapter = [match.group(1), following.capitalize(), []]
            heading = {"section": "", "title": ""}
            position += 1
        elif match := _SECTION.match(line):
            close_article()
            heading = {"section": f"Section {match.group(1)} {following.capitalize()}",
                       "title": ""}
            position += 1
        elif match := _TITLE.match(line):
            close_article()
            heading["title"] = f"Title {match.group(1)} {following.capitalize()}"
            position += 1
        elif match := _ARTICLE.match(line):
            close_article()
            if not chapter:
                raise TreatyFormatError(f"article {match.group(1)} before any CHAPTER line")
            named = bool(following) and following[-1] not in ".:;," and not (
                _NUMBERED.match(following) or _ITEM.match(following) or _ARTICLE.match(following)
            )
            context = " · ".join(part for part in (chapter[1], heading["section"],
                                                   heading["title"]) if part)
            article = [int(match.group(1)), following if named else "", context, []]
            position += 1 if named else 0
        elif article is None:
            raise TreatyFormatError(f"text outside any article: {line[:80]!r}")
        else:
            article[3].append(line)
        position += 1
    close_chapter()
    return Treaty(
        title=title,
        symbol=BUDAPEST_SYMBOL,
        source_sha256=source_sha256,
        preamble=tuple(preamble),
        chapters=tuple(chapters),
        closing=tuple(closing),
    )


def _budapest_paragraphs(number: int, lines: Sequence[str]) -> tuple[Paragraph, ...]:
    """A numbered line opens a paragraph; items stay with the paragraph (or the unnumbered
    lead-in) above them."""
    groups: list[tuple[str | None, list[str]]] = []
    for line in lines:
        numbered = _NUMBERED.match(line)
        if numbered:
            groups.append((numbered.group(1), [numbered.group(2)]))
        elif groups and (_ITEM.match(line) or groups[-1][0] is not None):
            groups[-1][1].append(line)
        else:
            groups.append((None, [line]))
    if not groups:
        raise TreatyFormatError(f"Budapest article {number} has no text")
    return tuple(Paragraph(label, tuple(Part(text) for text in group)) for label, group in groups)


def validate_budapest(treaty: Treaty, source_text: str) -> None:
    """48 articles in order, each with a heading, and no word of the source lost."""
    problems = []
    numbers = [a.number for a in treaty.articles]
    if numbers != list(range(1, BUDAPEST_ARTICLE_COUNT + 1)):
        problems.append(f"articles must be 1..{BUDAPEST_ARTICLE_COUNT} in order, not "
                        f"{numbers[:5]}… ({len(numbers)} articles)")
    problems += [f"article {a.number} has no heading" for a in treaty.articles if not a.title]
    kept = Counter(" ".join(
        [treaty.title, "Preamble", *treaty.preamble, *treaty.closing]
        + [f"CHAPTER {c.number} {c.title}" for c in treaty.chapters]
        + [f"Article {a.number} {a.title} {a.chapter_title} {a.text}" for a in treaty.articles]
    ).lower().split())
    lost = Counter(source_text.lower().split()) - kept
    lost -= Counter({word: count for word, count in lost.items()
                     if re.fullmatch(r"SECTION|TITLE|\d+|[a-z]\)|\([ivx]+\)", word)})
    if lost:
        sample = ", ".join(repr(w) for w in list(lost)[:5])
        problems.append(f"the parse lost {lost.total()} words of the source (e.g. {sample})")
    if problems:
        raise TreatyFormatError("BUDAPEST_SOURCE failed validation:\n- " + "\n- ".join(problems))


def budapest_json(treaty: Treaty) -> dict[str, Any]:
    """The Budapest Convention in the index's `instruments.json` (index/README.md)."""
    return {
        "title": treaty.title,
        "symbol": treaty.symbol,
        "source_sha256": treaty.source_sha256,
        "preamble": list(treaty.preamble),
        "closing": list(treaty.closing),
        "chapters": [
            {"number": c.number, "title": c.title, "articles": [
                {"number": a.number, "title": a.title, "context": a.chapter_title,
                 "paragraphs": [{"label": p.label, "lines": [q.text for q in p.parts]}
                                for p in a.paragraphs]}
                for a in c.articles
            ]}
            for c in treaty.chapters
        ],
    }


def budapest_from_json(data: dict[str, Any]) -> Treaty:
    return Treaty(
        title=data["title"],
        symbol=data["symbol"],
        source_sha256=data["source_sha256"],
        preamble=tuple(data["preamble"]),
        closing=tuple(data["closing"]),
        chapters=tuple(
            Chapter(c["number"], c["title"], tuple(
                Article(a["number"], a["title"], c["number"], a["context"], tuple(
                    Paragraph(p["label"], tuple(Part(line) for line in p["lines"]))
                    for p in a["paragraphs"]
                ))
                for a in c["articles"]
            ))
            for c in data["chapters"]
        ),
    )

