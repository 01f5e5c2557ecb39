"""BM25 over pre-tokenised texts, shared by the treaty's lexical index and the multilingual
search aids.

bm25s computes, at build time, the BM25 score of every token in every document it occurs in:
a sparse matrix with one column per token. A question's score for a document is the sum of its
tokens' entries, which is all questions need: they read the matrix with NumPy alone, because
importing bm25s imports scipy.sparse (0.2–0.4 s of a cold start).

On disk (a folder): data.npy, indices.npy, indptr.npy (the matrix, compressed sparse columns)
and vocabulary.json ({"documents": count, "tokens": {token: column}}).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np

_ARRAYS = ("data", "indices", "indptr")
VOCABULARY = "vocabulary.json"


class Bm25:
    def __init__(
        self, tokens: dict[str, int], documents: int, data: np.ndarray, indices: np.ndarray,
        indptr: np.ndarray,
    ) -> None:
        self._tokens = tokens
        self._documents = documents
        self._data = data
        self._indices = indices
        self._indptr = indptr

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> Bm25:
        import bm25s

        bm25 = bm25s.BM25()  # Lucene's BM25: every score is in the matrix
        bm25.index([list(tokens) or [""] for tokens in documents], show_progress=False)
        matrix = bm25.scores
        return cls(dict(bm25.vocab_dict), int(matrix["num_docs"]),
                   *(np.asarray(matrix[name]) for name in _ARRAYS))

    def save(self, directory: Path) -> None:
        directory.mkdir()
        for name in _ARRAYS:
            np.save(directory / f"{name}.npy", getattr(self, f"_{name}"), allow_pickle=False)
        vocabulary = {"documents": self._documents, "tokens": self._tokens}
        (directory / VOCABULARY).write_text(json.dumps(vocabulary, ensure_ascii=False),
                                            encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> Bm25:
        vocabulary = json.loads((directory / VOCABULARY).read_text(encoding="utf-8"))
        return cls(vocabulary["tokens"], vocabulary["documents"],
                   *(np.load(directory / f"{name}.npy", allow_pickle=False) for name in _ARRAYS))

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every document for `tokens` (a repeated token counts again, as in
        bm25s); zeros when none of them is known."""
        scores = np.zeros(self._documents, dtype=np.float32)
        for token in tokens:
            column = self._tokens.get(token)
            if column is not None:
                start, end = self._indptr[column], self._indptr[column + 1]
                np.add.at(scores, self._indices[start:end], self._data[start:end])
        return scores
