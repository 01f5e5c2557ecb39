"""From scores of rows (search units, search aids) to a ranking of articles.

Rows of one article are stored next to each other, so an article's best row is a maximum over
its run of rows: one `np.maximum.reduceat` for the whole index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ArticleRuns:
    """Start offsets and article numbers of the runs of consecutive rows of one article."""

    starts: np.ndarray
    articles: np.ndarray

    @classmethod
    def of(cls, articles: Sequence[int]) -> ArticleRuns:
        values = np.asarray(articles, dtype=np.int64)
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else values
        return cls(starts, values[starts])

    def best(self, scores: np.ndarray) -> np.ndarray:
        """Each article's best row, in the order of `self.articles`."""
        return np.maximum.reduceat(scores, self.starts) if len(self.starts) else scores[:0]

    def rank(self, scores: np.ndarray) -> list[int]:
        """Articles ordered by their best row (ties: lower article first); rows scored -inf
        take no part."""
        if not len(self.starts):
            return []
        best = self.best(scores)
        order = np.argsort(-best, kind="stable")
        return self.articles[order[np.isfinite(best[order])]].tolist()

    def rank_positive(self, scores: np.ndarray) -> list[int]:
        """Articles by their best row, among rows that score above zero (a lexical match)."""
        return self.rank(np.where(scores > 0, scores, -np.inf))
