"""The treaty as a typed structure: documents, chapters, articles, paragraphs and sub-paragraphs.

Everything downstream (chunking, retrieval, the bot) cites from this model, so it keeps the
printed text verbatim and only adds structure around it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.treaty.layout import CONVENTION_ID, NOTES_ID

ITEM = re.compile(r"^\(([a-z]{1,4})\)\s+")
_ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")


@dataclass(frozen=True)
class Part:
    """One printed line of a paragraph: its lead text, a sub-paragraph, or a closing line."""

    text: str
    label: str | None = None  # "a", "ii" for sub-paragraphs, None otherwise
    level: int = 0  # 0 plain text, 1 lettered, 2 roman
    # PDF pages (1-based) printing this line; empty when the source was a text file.
    pages: tuple[int, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Paragraph:
    label: str | None  # number as printed ("1", "21"), None when unnumbered
    parts: tuple[Part, ...]

    @property
    def text(self) -> str:
        return "\n".join(part.text for part in self.parts)

    @property
    def pages(self) -> tuple[int, ...]:
        return pages_of(self.parts)


def pages_of(parts: Sequence[Part]) -> tuple[int, ...]:
    """The PDF pages that print these lines, in order."""
    return tuple(sorted({page for part in parts for page in part.pages}))


@dataclass(frozen=True)
class Article:
    number: int
    title: str
    chapter_number: str  # roman numeral as printed, "II"
    chapter_title: str
    paragraphs: tuple[Paragraph, ...]

    @property
    def chapter(self) -> str:
        return f"Chapter {self.chapter_number} {self.chapter_title}"

    @property
    def text(self) -> str:
        return "\n\n".join(
            f"{p.label}. {p.text}" if p.label else p.text for p in self.paragraphs
        )

    def paragraph(self, label: str) -> Paragraph | None:
        return next((p for p in self.paragraphs if p.label == label), None)


@dataclass(frozen=True)
class Chapter:
    number: str
    title: str
    articles: tuple[Article, ...]


@dataclass(frozen=True)
class Note:
    """An interpretative note, linked to the articles it interprets."""

    number: int
    heading: str  # as printed: "Article 17", "Articles 23 and 35, with regard to ..."
    articles: tuple[int, ...]
    text: str


@dataclass(frozen=True)
class Treaty:
    title: str
    symbol: str
    source_sha256: str
    preamble: tuple[str, ...]
    chapters: tuple[Chapter, ...]
    closing: tuple[str, ...] = ()
    notes_title: str = ""
    notes: tuple[Note, ...] = ()
    _by_number: dict[int, Article] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_number.update({a.number: a for c in self.chapters for a in c.articles})

    @property
    def articles(self) -> tuple[Article, ...]:
        return tuple(a for c in self.chapters for a in c.articles)

    def article(self, number: int) -> Article | None:
        return self._by_number.get(number)

    def chapter(self, number: str | None) -> Chapter | None:
        return next((c for c in self.chapters if c.number == number), None)

    def notes_for(self, article: int) -> tuple[Note, ...]:
        return tuple(n for n in self.notes if article in n.articles)

    def to_json(self) -> dict[str, Any]:
        """The documented `treaty.json` schema (see index/README.md)."""
        return {
            "documents": [
                {
                    "id": CONVENTION_ID,
                    "title": self.title,
                    "symbol": self.symbol,
                    "source_sha256": self.source_sha256,
                    "preamble": list(self.preamble),
                    "closing": list(self.closing),
                    "articles": [_article_json(a) for a in self.articles],
                },
                {
                    "id": NOTES_ID,
                    "title": self.notes_title,
                    "symbol": self.symbol,
                    "source_sha256": self.source_sha256,
                    "articles": [
                        {
                            "number": number,
                            "title": self._by_number[number].title,
                            "chapter": self._by_number[number].chapter,
                            "paragraphs": [
                                {"label": str(n.number), "text": n.text}
                                for n in self.notes_for(number)
                            ],
                        }
                        for number in sorted({a for n in self.notes for a in n.articles})
                    ],
                    "notes": [
                        {
                            "number": n.number,
                            "heading": n.heading,
                            "articles": list(n.articles),
                            "text": n.text,
                        }
                        for n in self.notes
                    ],
                },
            ]
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Treaty:
        convention, notes = data["documents"]
        chapters: dict[str, tuple[str, list[Article]]] = {}
        for raw in convention["articles"]:
            number, _, title = raw["chapter"].removeprefix("Chapter ").partition(" ")
            article = Article(
                number=raw["number"],
                title=raw["title"],
                chapter_number=number,
                chapter_title=title,
                paragraphs=tuple(_paragraph_from_json(p) for p in raw["paragraphs"]),
            )
            chapters.setdefault(number, (title, []))[1].append(article)
        return cls(
            title=convention["title"],
            symbol=convention["symbol"],
            source_sha256=convention["source_sha256"],
            preamble=tuple(convention.get("preamble", ())),
            chapters=tuple(
                Chapter(number, title, tuple(articles))
                for number, (title, articles) in chapters.items()
            ),
            closing=tuple(convention.get("closing", ())),
            notes_title=notes["title"],
            notes=tuple(
                Note(n["number"], n["heading"], tuple(n["articles"]), n["text"])
                for n in notes.get("notes", ())
            ),
        )


def _article_json(article: Article) -> dict[str, Any]:
    return {
        "number": article.number,
        "title": article.title,
        "chapter": article.chapter,
        "paragraphs": [
            {"label": p.label, "text": p.text, "line_pages": [list(q.pages) for q in p.parts]}
            for p in article.paragraphs
        ],
    }


def _paragraph_from_json(raw: dict[str, Any]) -> Paragraph:
    parts = split_parts(raw["text"].split("\n"))
    line_pages = raw.get("line_pages") or [()] * len(parts)
    return Paragraph(
        label=raw["label"],
        parts=tuple(replace(part, pages=tuple(pages)) for part, pages in zip(
            parts, line_pages, strict=True
        )),
    )


def split_parts(lines: Sequence[str]) -> tuple[Part, ...]:
    """Classify a paragraph's lines into lead text, lettered and roman sub-paragraphs.

    "(i)" is roman inside a lettered item and a letter right after "(h)", as printed in Article 2.
    """
    parts: list[Part] = []
    previous_letter: str | None = None
    previous_roman: str | None = None
    for line in lines:
        match = ITEM.match(line)
        if not match:
            parts.append(Part(text=line))
            continue
        label = match.group(1)
        follows_roman = previous_roman is not None and _next_roman(previous_roman) == label
        starts_roman = label == "i" and previous_letter != "h" and previous_letter is not None
        if label in _ROMAN and (follows_roman or starts_roman):
            parts.append(Part(text=line, label=label, level=2))
            previous_roman = label
        else:
            parts.append(Part(text=line, label=label, level=1))
            previous_letter, previous_roman = label, None
    return tuple(parts)


def _next_roman(label: str) -> str | None:
    index = _ROMAN.index(label)
    return _ROMAN[index + 1] if index + 1 < len(_ROMAN) else None
