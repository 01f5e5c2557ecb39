"""Which quotation an interpretative note interprets: the note on "article 2 (e)" goes with
Article 2 (e), not with every quotation of Article 2; the note "with regard to the term
“investigation”" goes with quotations that use that term. A note that names no part of its
article goes with all of it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from bot.treaty.model import Note

_SUBPARAGRAPH = re.compile(r"\barticle (\d+) \(([a-z]+)\)", re.IGNORECASE)
_PARAGRAPH = re.compile(r"\barticle (\d+), paragraph (\d+)", re.IGNORECASE)
_TERM = re.compile(r"with regard to the term “([^”]+)”", re.IGNORECASE)


def note_applies(
    note: Note, article: int, paragraph: str | None, subparagraph: str | None, quoted: str
) -> bool:
    """Whether `note` interprets a quotation of `article` (its `paragraph`, `subparagraph`,
    with the verbatim words `quoted`)."""
    if article not in note.articles:
        return False
    subparagraphs, paragraphs, term = _parts_named(note, article)
    if subparagraphs and subparagraph not in subparagraphs:
        return False
    if paragraphs and paragraph not in paragraphs:
        return False
    return term is None or term in quoted.lower()


@lru_cache(maxsize=256)
def _parts_named(note: Note, article: int) -> tuple[frozenset[str], frozenset[str], str | None]:
    """The sub-paragraphs and paragraphs of `article` that the note names, and its term."""
    subparagraphs = frozenset(s for n, s in _SUBPARAGRAPH.findall(note.text) if int(n) == article)
    paragraphs = frozenset(p for n, p in _PARAGRAPH.findall(note.text) if int(n) == article)
    term = _TERM.search(note.heading)
    return subparagraphs, paragraphs, term.group(1).lower() if term else None


def notes_on(
    notes: Sequence[Note],
    article: int,
    paragraph: str | None,
    subparagraph: str | None,
    quoted: str,
) -> tuple[Note, ...]:
    return tuple(n for n in notes if note_applies(n, article, paragraph, subparagraph, quoted))
