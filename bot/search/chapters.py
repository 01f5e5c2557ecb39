"""Broad questions: ones about a chapter's subject as a whole ("What counts as a crime under
this convention?"), which no single paragraph answers. Told by the words of the maintained
file `treaty_text/broad_questions.toml`, so that every verdict names the words it rests on;
the search still quotes its best provisions, and the interfaces offer the chapter beside them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.datafiles import read_toml
from bot.settings import TREATY_TEXT_DIR

BROAD_QUESTIONS_FILE = TREATY_TEXT_DIR / "broad_questions.toml"

_WORD = re.compile(r"[\w'’-]+")
_NOT_WRITING = re.compile(r"[\W_]+")  # what a pattern ignores: punctuation and spaces


class Vocabulary:
    """Words matched whole, or by their beginning when written with a trailing "*"."""

    def __init__(self, words: Iterable[str]) -> None:
        words = [w.lower() for w in words]
        self._whole = frozenset(w for w in words if not w.endswith("*"))
        self._prefixes = tuple(w[:-1] for w in words if w.endswith("*"))

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and (word in self._whole or word.startswith(self._prefixes))


@dataclass(frozen=True)
class BroadChapter:
    number: str  # the chapter's roman numeral, as the treaty prints it
    terms: Vocabulary
    patterns: tuple[re.Pattern[str], ...]


def content_words(question: str, phrases: Sequence[re.Pattern[str]], generic: Vocabulary
                  ) -> list[str]:
    """The question's words that say what it is about: without this Convention's name and
    without the words any question has ("what", "which", "under", "cover")."""
    for phrase in phrases:
        question = phrase.sub(" ", question)
    words = [w.strip("'’-") for w in _WORD.findall(question.lower())]
    return [w for w in words if w and w not in generic]


class BroadQuestions:
    def __init__(self, chapters: Sequence[BroadChapter], phrases: Sequence[re.Pattern[str]],
                 generic: Vocabulary) -> None:
        self.chapters = tuple(chapters)
        self._phrases = tuple(phrases)
        self._generic = generic

    @classmethod
    def load(cls, path: Path = BROAD_QUESTIONS_FILE) -> BroadQuestions:
        data = read_toml(path, optional=True)
        generic = data.get("generic", {})
        chapters = [
            BroadChapter(
                raw["number"],
                Vocabulary(raw.get("terms", ())),
                tuple(re.compile(p, re.IGNORECASE) for p in raw.get("patterns", ())),
            )
            for raw in data.get("chapter", [])
        ]
        phrases = [re.compile(p, re.IGNORECASE) for p in generic.get("phrases", ())]
        return cls(chapters, phrases, Vocabulary(generic.get("words", ())))

    def chapter(self, question: str) -> str | None:
        """The chapter whose subject the question asks about as a whole, or None: every content
        word of the question is a word of that chapter's subject, or one of its patterns
        matches the whole question."""
        words = content_words(question, self._phrases, self._generic)
        if words:
            for chapter in self.chapters:
                if all(word in chapter.terms for word in words):
                    return chapter.number
        rest = question
        for phrase in self._phrases:
            rest = phrase.sub("", rest)
        rest = _NOT_WRITING.sub("", rest)
        for chapter in self.chapters:
            if any(pattern.fullmatch(rest) for pattern in chapter.patterns):
                return chapter.number
        return None
