"""The dense signals: cosine similarity of the question to every search unit, in each
embedding space the index holds, ranked by the best paragraph and by the heading.

The similarities are products with the vectors the FAISS index holds, read in place, so each
matrix of vectors is held once, in FAISS."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.encoding.encoders import Encoder
from bot.search.ranking import ArticleRuns


@dataclass(frozen=True)
class DenseSpace:
    """An embedding model and the FAISS index of every chunk's unit vector in its space."""

    encoder: Encoder
    vectors: Any  # faiss.IndexFlatIP

    def embed(self, question: str) -> np.ndarray:
        return self.encoder.encode([question])[0]

    def similarities(self, vector: np.ndarray) -> np.ndarray:
        return similarities(self.vectors, vector)


def similarities(index: Any, vector: np.ndarray, rows: slice = slice(None)) -> np.ndarray:
    """The inner product of `vector` with every row (or the `rows`) of a flat FAISS index, in
    row order: for unit vectors, their cosine similarity. Computed on a view of the index's own
    rows: FAISS's search would also sort every row (k = all of them), which took six times as
    long."""
    return stored_vectors(index)[rows] @ np.asarray(vector, dtype=np.float32)


def stored_vectors(index: Any) -> np.ndarray:
    """The rows of a flat FAISS index as a matrix, read in place."""
    import faiss

    matrix = faiss.rev_swig_ptr(index.get_xb(), index.ntotal * index.d)
    return matrix.reshape(index.ntotal, index.d)


def dense_article_scores(
    space: str, similarity: np.ndarray, is_heading: np.ndarray, runs: ArticleRuns
) -> dict[str, np.ndarray]:
    """Each article's best paragraph and its heading's similarity, by `runs.articles`."""
    return {
        f"{space}_paragraph": runs.best(np.where(is_heading, -np.inf, similarity)),
        f"{space}_heading": runs.best(np.where(is_heading, similarity, -np.inf)),
    }


def dense_rankings(
    space: str, similarity: np.ndarray, is_heading: np.ndarray, runs: ArticleRuns
) -> dict[str, list[int]]:
    """"<space>_paragraph" (best paragraph unit) and "<space>_heading" (the article's title)."""
    return {
        f"{space}_paragraph": runs.rank(np.where(is_heading, -np.inf, similarity)),
        f"{space}_heading": runs.rank(np.where(is_heading, similarity, -np.inf)),
    }
