"""What a question gets back: verbatim paragraphs with their citations, and the JSON form
that `treaty-ask --json` prints and maintainers' scripts read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.treaty.citations import document_citation, document_heading
from bot.treaty.model import Note


@dataclass(frozen=True)
class ArticleResult:
    document: str  # "convention", "resolution" or "budapest"
    article: int | None  # None for a paragraph of the resolution
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
    # The other articles of this Convention that the quoted paragraph names ("in accordance
    # with article 25"), in order, and for a looked-up article those whose text names it.
    refers_to: tuple[int, ...] = ()
    referred_by: tuple[int, ...] = ()
    # A Convention article's Budapest counterparts (concordance.toml), when Budapest is loaded.
    counterparts: tuple[int, ...] = ()
    # In a comparison, on a Budapest result: the UN article it is compared with and the
    # concordance's line on the main difference, in our own words (never treaty text).
    compared_with: int | None = None
    difference_note: str | None = None

    @property
    def citation(self) -> str:
        """"Article 47, paragraph 1 (c)", "A/RES/79/243, operative paragraph 12", "Budapest
        Convention, Article 16, paragraph 1"."""
        return document_citation(self.document, self.article, self.paragraph, self.subparagraph)

    @property
    def heading(self) -> str:
        """"Article 7 · Illegal access · Chapter II ...", "A/RES/79/243 · Operative paragraph
        12", "Budapest Convention · Article 2 · Illegal access"."""
        return document_heading(self.document, self.article, self.title, self.chapter,
                                self.paragraph)

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
            "also_refers_to": list(self.refers_to),
            "referred_by": list(self.referred_by),
            "budapest_counterparts": list(self.counterparts),
            "compared_with": self.compared_with,
            "difference_note": (
                {"text": self.difference_note, "ours": True} if self.difference_note else None
            ),
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
    comparison: bool = False  # results pair UN articles with their Budapest counterparts
    # A broad question's chapter ("II"): it asks about the chapter's subject as a whole.
    chapter: str | None = None

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
        elif self.comparison and self.note:  # the concordance's line: our words
            data["note"] = self.note
        if not self.source_verified:
            data["verified"] = False
        if self.comparison:
            data["comparison"] = True
        if self.chapter:
            data["chapter"] = self.chapter
        return data
