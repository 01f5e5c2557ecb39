"""What a question gets back: verbatim paragraphs with their citations, and the JSON form
that `treaty-ask --json` prints and maintainers' scripts read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.treaty.citations import provision_citation
from bot.treaty.model import Note


@dataclass(frozen=True)
class ArticleResult:
    document: str  # "convention"
    article: int
    title: str
    chapter: str  # "Chapter II Criminalization"
    paragraph: str | None  # label of the quoted paragraph; None when unnumbered
    text: str  # verbatim text of that paragraph, or of its quoted sub-paragraph
    score: float
    subparagraph: str | None = None  # "c" when the quote is one lettered sub-paragraph
    # The words before the paragraph's list ("States Parties shall cooperate ... to:"), verbatim,
    # shown before a quoted sub-paragraph so that it is never cut loose from who must do what.
    lead_in: str | None = None
    highlight: tuple[int, int] | None = None  # [start, end) in `text`: the best-matching clause
    also: tuple[str, ...] = ()  # the article's other matching paragraphs: "3", "1 (c)", "(e)"
    pages: tuple[int, ...] = ()  # pages of the official PDF that print the quote (1-based)
    link: str | None = None  # the official PDF at the first of `pages`; None without pages
    notes: tuple[Note, ...] = ()  # interpretative notes on what is quoted

    @property
    def citation(self) -> str:
        """"Article 47, paragraph 1 (c)", "Article 2 (h)", "Article 10"."""
        return provision_citation(self.article, self.paragraph, self.subparagraph)

    @property
    def highlighted(self) -> str | None:
        return self.text[slice(*self.highlight)] if self.highlight else None

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "article": self.article,
            "title": self.title,
            "chapter": self.chapter,
            "paragraph": self.paragraph,
            "subparagraph": self.subparagraph,
            "citation": self.citation,
            "score": self.score,
            "lead_in": self.lead_in,
            "text": self.text,
            "highlight": list(self.highlight) if self.highlight else None,
            "also": list(self.also),
            "pages": list(self.pages),
            "link": self.link,
            "notes": [note.number for note in self.notes],
        }


@dataclass(frozen=True)
class Answer:
    question: str
    results: tuple[ArticleResult, ...]
    error: str | None = None  # e.g. "The Convention has articles 1–68; ..." for "article 99"
    evidence: dict[str, list[str]] = field(default_factory=dict, compare=False)
    # When declined: why ("status", "other-instrument", "no-match", ...), the reply in the
    # bot's own words, and the provisions that govern the subject without answering it.
    reason: str | None = None
    note: str | None = None
    related: tuple[ArticleResult, ...] = ()
    # What the reply names, for interfaces that word it in another language: "instrument"
    # (the instrument asked about), "holdings" (what the bot holds).
    note_values: dict[str, str] = field(default_factory=dict, compare=False)
    source_verified: bool = True  # False: the index was built from an unverified source

    @property
    def abstained(self) -> bool:
        return not self.results

    def to_json(self) -> dict[str, Any]:
        """The documented JSON contract of one answer (README, "For maintainers")."""
        data: dict[str, Any] = {
            "question": self.question,
            "abstained": self.abstained,
            "results": [result.to_json() for result in self.results],
            "related": [result.to_json() for result in self.related],
        }
        if self.error:
            data["error"] = self.error
        if self.abstained and self.note:
            data["note"] = self.note
            data["reason"] = self.reason
        if not self.source_verified:
            data["verified"] = False
        return data
