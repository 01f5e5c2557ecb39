"""Cut the treaty into citable search units that follow its structure.

A unit is a numbered (or unnumbered) paragraph. A paragraph longer than the model's window
(Article 2's definitions, long lists) is cut into its lettered sub-paragraphs instead, each with
its roman items, so nothing is silently truncated and each unit still has an exact citation.
Every unit also carries its article and chapter headings, which the search sees but the quotation
leaves out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Literal

from bot.treaty.model import Article, Paragraph, Part, Treaty

CHUNKER_VERSION = "1"
ChunkKind = Literal["heading", "paragraph"]


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
            if count_tokens(whole) <= max_tokens or not _has_items(paragraph):
                add("paragraph", article, paragraph.label, None, paragraph.text)
                continue
            for sub, parts in _subparagraph_groups(paragraph):
                add("paragraph", article, paragraph.label, sub, "\n".join(p.text for p in parts))
    return chunks


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
