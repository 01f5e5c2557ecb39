"""The maintained glossary (`treaty_text/glossary.toml`): everyday and technical words mapped to
the treaty's own vocabulary and to the articles that cover them.

Users say "ransomware" or "revenge porn"; the treaty says "interference with electronic data" and
"non-consensual dissemination of intimate images". A matched entry adds its treaty vocabulary to
the lexical query and votes for its articles, and `explain` says which entries fired.
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.lexical import phrase_tokens
from bot.source import TREATY_TEXT_DIR

GLOSSARY_FILE = TREATY_TEXT_DIR / "glossary.toml"


@dataclass(frozen=True)
class GlossaryEntry:
    terms: tuple[str, ...]
    expansion: str
    articles: tuple[int, ...]
    term_tokens: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class GlossaryMatch:
    entry: GlossaryEntry
    term: str


class Glossary:
    def __init__(self, entries: Sequence[GlossaryEntry]) -> None:
        self.entries = tuple(entries)

    @classmethod
    def load(cls, path: Path = GLOSSARY_FILE) -> Glossary:
        if not path.is_file():
            return cls(())
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        entries = []
        for raw in data.get("entry", []):
            terms = tuple(raw["terms"])
            entries.append(
                GlossaryEntry(
                    terms=terms,
                    expansion=raw.get("expansion", ""),
                    articles=tuple(raw.get("articles", ())),
                    term_tokens=tuple(tuple(phrase_tokens(term)) for term in terms),
                )
            )
        return cls(entries)

    def match(self, question: str) -> list[GlossaryMatch]:
        """Entries with a term whose stemmed words occur together, in order, in the question."""
        question_tokens = phrase_tokens(question)
        matches = []
        for entry in self.entries:
            for term, tokens in zip(entry.terms, entry.term_tokens, strict=True):
                if tokens and contains_phrase(question_tokens, tokens):
                    matches.append(GlossaryMatch(entry, term))
                    break
        return matches


def contains_phrase(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether `needle` occurs as consecutive tokens in `haystack`."""
    width = len(needle)
    return any(tuple(haystack[i : i + width]) == tuple(needle)
               for i in range(len(haystack) - width + 1))
