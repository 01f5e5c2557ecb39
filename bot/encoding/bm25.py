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
        tokens, arrays = in_token_order(dict(bm25.vocab_dict),
                                        *(np.asarray(matrix[name]) for name in _ARRAYS))
        return cls(tokens, int(matrix["num_docs"]), *arrays)

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


def in_token_order(
    tokens: dict[str, int], data: np.ndarray, indices: np.ndarray, indptr: np.ndarray
) -> tuple[dict[str, int], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The same matrix with its columns in sorted token order. bm25s numbers tokens as a set
    yields them, which follows Python's hash seed, so two builds of the same texts wrote
    different files. A token without a column (bm25s always lists "", even when no document
    is empty) is left out."""
    ordered = sorted(token for token, column in tokens.items() if column < len(indptr) - 1)
    columns = np.array([tokens[token] for token in ordered], dtype=np.int64)
    starts, ends = indptr[columns], indptr[columns + 1]
    taken = (np.concatenate([np.arange(a, b) for a, b in zip(starts, ends, strict=True)])
             if len(columns) else np.zeros(0, dtype=np.int64))
    lengths = (ends - starts).astype(indptr.dtype)
    new_indptr = np.concatenate([np.zeros(1, dtype=indptr.dtype), np.cumsum(lengths)])
    return ({token: i for i, token in enumerate(ordered)},
            (data[taken], indices[taken], new_indptr))
