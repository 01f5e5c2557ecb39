"""The maintained glossary (`treaty_text/glossary.toml`): everyday and technical words mapped to
the treaty's own vocabulary and to the articles that cover them.

Users say "ransomware" or "revenge porn"; the treaty says "interference with electronic data" and
"non-consensual dissemination of intimate images". A matched entry adds its treaty vocabulary to
the lexical query and votes for its articles, and the answer's evidence names the entries.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.datafiles import read_toml
from bot.encoding.lexical import phrase_tokens, tokenize
from bot.settings import TREATY_TEXT_DIR

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
    start: int  # position of the term's first word in the question
    length: int  # words in the term: a longer term is more specific evidence


class Glossary:
    def __init__(self, entries: Sequence[GlossaryEntry]) -> None:
        self.entries = tuple(entries)
        # Terms by their first word, so matching costs a dictionary look-up per question word.
        self._by_first_word: dict[str, list[tuple[tuple[str, ...], str, GlossaryEntry]]] = {}
        for entry in self.entries:
            for term, tokens in zip(entry.terms, entry.term_tokens, strict=True):
                if tokens:
                    self._by_first_word.setdefault(tokens[0], []).append((tokens, term, entry))

    @classmethod
    def load(cls, path: Path = GLOSSARY_FILE) -> Glossary:
        data = read_toml(path, optional=True)
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
        words = phrase_tokens(question)
        found = [
            GlossaryMatch(entry, term, start, len(tokens))
            for start, word in enumerate(words)
            for tokens, term, entry in self._by_first_word.get(word, ())
            if tuple(words[start : start + len(tokens)]) == tokens
        ]
        # A term inside a longer matched term ("hacking" in "failed hacking") is not separate
        # evidence; an entry counts once, with its longest term.
        kept: dict[int, GlossaryMatch] = {}
        for match in sorted(found, key=lambda m: -m.length):
            if any(_inside(match, other) for other in kept.values()):
                continue
            kept.setdefault(id(match.entry), match)
        return sorted(kept.values(), key=lambda m: m.start)


def expansion_tokens(matches: Iterable[GlossaryMatch]) -> list[str]:
    """The treaty's own words for the matched terms, added to the lexical query."""
    return [token for match in matches for token in tokenize(match.entry.expansion)]


def glossary_ranking(matches: Iterable[GlossaryMatch]) -> list[int]:
    """Articles by the votes of the matched entries: a longer term weighs more, and an entry's
    first article more than its later ones."""
    votes: dict[int, float] = defaultdict(float)
    for match in matches:
        for position, article in enumerate(match.entry.articles):
            votes[article] += match.length / (position + 1)
    return sorted(votes, key=lambda a: (-votes[a], a))


def _inside(match: GlossaryMatch, other: GlossaryMatch) -> bool:
    return (
        other.length > match.length
        and other.start <= match.start
        and match.start + match.length <= other.start + other.length
    )


def contains_phrase(haystack: Sequence[str], needle: Sequence[str]) -> bool:
    """Whether `needle` occurs as consecutive tokens in `haystack`."""
    width = len(needle)
    return any(tuple(haystack[i : i + width]) == tuple(needle)
               for i in range(len(haystack) - width + 1))
