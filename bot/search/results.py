"""What a question gets back: verbatim paragraphs with their citations, and the JSON form
that `treaty-ask --json` prints and maintainers' scripts read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.treaty.layout import CONVENTION_ID
from bot.treaty.model import Article, Note


@dataclass(frozen=True)
class ParagraphMatch:
    label: str | None
    text: str
    score: float


@dataclass(frozen=True)
class ArticleResult:
    document: str  # "convention"
    article: int
    title: str
    chapter: str  # "Chapter II Criminalization"
    paragraph: str | None  # label of the best-matching paragraph; None when unnumbered
    text: str  # verbatim text of that paragraph (or of its matching sub-paragraph group)
    score: float
    other_paragraphs: tuple[ParagraphMatch, ...] = ()
    notes: tuple[Note, ...] = ()  # interpretative notes on this article
    subparagraph: str | None = None  # "a" when `text` is one lettered sub-paragraph group

    @classmethod
    def quote(
        cls,
        article: Article,
        label: str | None,
        text: str,
        score: float,
        others: tuple[ParagraphMatch, ...],
        notes: tuple[Note, ...],
        subparagraph: str | None = None,
    ) -> ArticleResult:
        return cls(
            document=CONVENTION_ID,
            article=article.number,
            title=article.title,
            chapter=article.chapter,
            paragraph=label,
            text=text,
            score=round(score, 4),
            other_paragraphs=others,
            notes=notes,
            subparagraph=subparagraph,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "article": self.article,
            "title": self.title,
            "chapter": self.chapter,
            "paragraph": self.paragraph,
            "score": self.score,
            "text": self.text,
        }


@dataclass(frozen=True)
class Answer:
    question: str
    results: tuple[ArticleResult, ...]
    error: str | None = None  # e.g. "The Convention has articles 1–68; ..." for "article 99"
    evidence: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @property
    def abstained(self) -> bool:
        return not self.results

    def to_json(self) -> dict[str, Any]:
        """The documented JSON contract of one answer (README, "For maintainers")."""
        data: dict[str, Any] = {
            "question": self.question,
            "abstained": self.abstained,
            "results": [result.to_json() for result in self.results],
        }
        if self.error:
            data["error"] = self.error
        return data
