"""The answering words within a quote: the clause (sentence, or item ended by ";") that best
matches the question, as character offsets into the quoted text, which is never changed.

Clauses are cut at build time (`bot.index.chunking.clauses_of`) and embedded in both spaces,
so choosing one costs a product with a few hundred vectors and a look at their words.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import numpy as np

from bot.encoding.lexical import tokenize
from bot.index.chunking import Clause

WORD_WEIGHT = 0.15  # a clause holding every word of the question gains this much cosine


class Clauses:
    def __init__(self, clauses: Sequence[Clause], texts: Sequence[str]) -> None:
        """`texts`: each clause's verbatim words, in the order of `clauses`."""
        self._clauses = list(clauses)
        # Each word's clauses, so that a question's words are counted in one pass over them.
        holding: dict[str, list[int]] = defaultdict(list)
        for index, text in enumerate(texts):
            for word in set(tokenize(text)):
                holding[word].append(index)
        self._holding = {word: np.array(rows) for word, rows in holding.items()}
        self._by_paragraph: dict[tuple[int, int], list[int]] = defaultdict(list)
        for index, clause in enumerate(self._clauses):
            self._by_paragraph[(clause.article, clause.paragraph)].append(index)

    def scores(self, similarity: np.ndarray, question_words: Sequence[str]) -> np.ndarray:
        """How well each clause matches: its cosine with the question, plus the share of the
        question's words it contains."""
        words = set(question_words)
        if not words:
            return similarity
        rows = [self._holding[word] for word in words if word in self._holding]
        if not rows:
            return similarity
        shared = np.bincount(np.concatenate(rows), minlength=len(self._clauses))
        return similarity + (WORD_WEIGHT / len(words)) * shared

    def best(
        self, article: int, paragraph: int, start: int, length: int, scores: np.ndarray
    ) -> tuple[int, int] | None:
        """The best clause of the quote `[start, start + length)` of a paragraph, as offsets
        into the quote; None when the quote is a single clause (nothing to single out)."""
        inside = [
            i for i in self._by_paragraph.get((article, paragraph), [])
            if self._clauses[i].start >= start and self._clauses[i].end <= start + length
        ]
        if len(inside) < 2:
            return None
        best = self._clauses[max(inside, key=lambda i: scores[i])]
        return best.start - start, best.end - start
