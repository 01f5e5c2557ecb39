"""The dense signals: cosine similarity of the question to every search unit, in each
embedding space the index holds, ranked by the best paragraph and by the heading."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.encoding.encoders import Encoder
from bot.search.ranking import ArticleRuns


@dataclass(frozen=True)
class DenseSpace:
    """An embedding model and the unit vectors of every chunk in its space."""

    encoder: Encoder
    vectors: np.ndarray

    def embed(self, question: str) -> np.ndarray:
        return self.encoder.encode([question])[0]

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        return self.vectors @ vector


def dense_rankings(
    space: str, similarity: np.ndarray, is_heading: np.ndarray, runs: ArticleRuns
) -> dict[str, list[int]]:
    """"<space>_paragraph" (best paragraph unit) and "<space>_heading" (the article's title)."""
    return {
        f"{space}_paragraph": runs.rank(np.where(is_heading, -np.inf, similarity)),
        f"{space}_heading": runs.rank(np.where(is_heading, similarity, -np.inf)),
    }
