"""Cut the treaty into citable search units that follow its structure.

A unit is a numbered (or unnumbered) paragraph. A paragraph longer than the model's window
(Article 2's definitions, long lists) is cut into its lettered sub-paragraphs instead, each with
its roman items, so nothing is silently truncated and each unit still has an exact citation.
A paragraph that fits but lists lettered sub-paragraphs also gets one "subparagraph" unit per
item, beside the whole paragraph, so that the answer can name and quote the item that answers
("Article 47, paragraph 1 (c)"). Every unit also carries its article and chapter headings, which
the search sees but the quotation leaves out.

Clauses (sentences and semicolon-separated items within a line) are the finest grain: the
answer marks the clause that best matches the question, and a paragraph's best clause is
evidence for quoting it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.treaty.instruments import Resolution
from bot.treaty.layout import BUDAPEST_ID, RESOLUTION_ID
from bot.treaty.model import Article, Paragraph, Part, Treaty

CHUNKER_VERSION = "2"
# "paragraph" units partition each article's text; "subparagraph" units repeat one lettered
# item of a paragraph that also has a whole unit.
ChunkKind = Literal["heading", "paragraph", "subparagraph"]
MIN_ITEMS = 2  # a paragraph with fewer lettered items gets no per-item units
_CLAUSE_END = re.compile(r"(?<=[.;])\s+(?=[A-Z“(])")


@dataclass(frozen=True)
class Chunk:
    id: int
    kind: ChunkKind
    article: int
    paragraph: str | None  # printed paragraph number; None when unnumbered
    subparagraph: str | None  # "a" when the unit is one lettered sub-paragraph group
    text: str  # verbatim treaty text of the unit (the article title for a heading unit)
    context: str  # "Article 7. Illegal access. Chapter II Criminalization"

    @property
    def search_text(self) -> str:
        return self.context if self.kind == "heading" else f"{self.context}\n{self.text}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Chunk:
        return cls(**data)


def heading_context(article: Article) -> str:
    return f"Article {article.number}. {article.title}. {article.chapter}"


def chunk_treaty(
    treaty: Treaty, count_tokens: Callable[[str], int], max_tokens: int
) -> list[Chunk]:
    chunks: list[Chunk] = []

    def add(kind: ChunkKind, article: Article, label: str | None, sub: str | None, text: str):
        context = heading_context(article)
        chunks.append(Chunk(len(chunks), kind, article.number, label, sub, text, context))

    for article in treaty.articles:
        add("heading", article, None, None, article.title)
        for paragraph in article.paragraphs:
            whole = f"{heading_context(article)}\n{paragraph.text}"
            groups = _subparagraph_groups(paragraph)
            if count_tokens(whole) <= max_tokens or not _has_items(paragraph):
                add("paragraph", article, paragraph.label, None, paragraph.text)
                items = [(sub, parts) for sub, parts in groups if sub is not None]
                if len(items) >= MIN_ITEMS:
                    for sub, parts in items:
                        add("subparagraph", article, paragraph.label, sub, _joined(parts))
                continue
            for sub, parts in groups:
                add("paragraph", article, paragraph.label, sub, _joined(parts))
    return chunks


@dataclass(frozen=True)
class Clause:
    """A sentence, or an item ended by ";", of one paragraph: `start` and `end` are offsets
    into the paragraph's verbatim text (`Paragraph.text`)."""

    article: int
    paragraph: int  # the paragraph's position in its article (unnumbered ones have no label)
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def clauses_of(treaty: Treaty) -> list[Clause]:
    """Every clause of every article paragraph, in reading order."""
    clauses = []
    for article in treaty.articles:
        for index, paragraph in enumerate(article.paragraphs):
            clauses += [
                Clause(article.number, index, start, end)
                for start, end in clause_spans(paragraph.text)
            ]
    return clauses


def clause_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each clause: each line, cut after a "." or ";" that ends a sentence."""
    spans = []
    offset = 0
    for line in text.split("\n"):
        start = 0
        for match in _CLAUSE_END.finditer(line):
            spans.append((offset + start, offset + match.start()))
            start = match.end()
        if line[start:].strip():
            spans.append((offset + start, offset + len(line.rstrip())))
        offset += len(line) + 1
    return spans


def _joined(parts: list[Part]) -> str:
    return "\n".join(part.text for part in parts)


def _has_items(paragraph: Paragraph) -> bool:
    return any(part.level == 1 for part in paragraph.parts)


def _subparagraph_groups(paragraph: Paragraph) -> list[tuple[str | None, list[Part]]]:
    """The lead text alone, then each lettered item with its roman items; closing lines
    ("with the intent that ...") stay with the last item they complete."""
    groups: list[tuple[str | None, list[Part]]] = []
    for part in paragraph.parts:
        if part.level == 1:
            groups.append((part.label, [part]))
        elif groups and (part.level == 2 or groups[-1][0] is not None):
            groups[-1][1].append(part)
        else:
            groups.append((None, [part]))
    return groups


@dataclass(frozen=True)
class InstrumentUnit:
    """A search unit of the resolution or the Budapest Convention: one paragraph, cited by its
    document, its article (Budapest; None in the resolution) and its printed number (None for
    a preambular or unnumbered paragraph); `position` is the paragraph's place in its article
    (Budapest) or in the resolution's preamble or operative part."""

    id: int
    document: str  # "resolution" or "budapest"
    article: int | None
    paragraph: str | None
    position: int
    text: str  # verbatim
    context: str  # what the search sees besides the text: the instrument, article and heading

    @property
    def search_text(self) -> str:
        return f"{self.context}\n{self.text}"

    @property
    def ref(self) -> str:
        """The evaluator's gold-reference form: "resolution:12", "resolution:preamble",
        "budapest:16"."""
        if self.document == RESOLUTION_ID:
            return f"{self.document}:{self.paragraph or 'preamble'}"
        return f"{self.document}:{self.article}"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> InstrumentUnit:
        return cls(**data)


RESOLUTION_CONTEXT = "General Assembly resolution 79/243 (A/RES/79/243)"
BUDAPEST_CONTEXT = "Budapest Convention on Cybercrime (Council of Europe, ETS No. 185)"


def instrument_units(
    resolution: Resolution | None, budapest: Treaty | None
) -> list[InstrumentUnit]:
    """Every paragraph of the resolution and of the Budapest Convention, in reading order."""
    units: list[InstrumentUnit] = []

    def add(document: str, article: int | None, paragraph: Paragraph, position: int,
            context: str) -> None:
        units.append(InstrumentUnit(len(units), document, article, paragraph.label, position,
                                    paragraph.text, context))

    if resolution is not None:
        for position, paragraph in enumerate(resolution.preamble):
            add(RESOLUTION_ID, None, paragraph, position, f"{RESOLUTION_CONTEXT}, preamble")
        for position, paragraph in enumerate(resolution.operative):
            add(RESOLUTION_ID, None, paragraph, position,
                f"{RESOLUTION_CONTEXT}, operative paragraph {paragraph.label}")
    if budapest is not None:
        for article in budapest.articles:
            context = (f"{BUDAPEST_CONTEXT}, Article {article.number}. {article.title}. "
                       f"{article.chapter}")
            for position, paragraph in enumerate(article.paragraphs):
                add(BUDAPEST_ID, article.number, paragraph, position, context)
    return units
