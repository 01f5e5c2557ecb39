"""BM25 over pre-tokenised texts (bm25s), shared by the treaty's lexical index and the
multilingual search aids."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np


class Bm25:
    def __init__(self, bm25) -> None:
        self._bm25 = bm25

    @classmethod
    def build(cls, documents: Sequence[Sequence[str]]) -> Bm25:
        import bm25s

        bm25 = bm25s.BM25()
        bm25.index([list(tokens) or [""] for tokens in documents], show_progress=False)
        return cls(bm25)

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory))

    @classmethod
    def load(cls, directory: Path) -> Bm25:
        import bm25s

        return cls(bm25s.BM25.load(str(directory), mmap=False))

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """The BM25 score of every document for `tokens`; zeros when none of them is known."""
        known = [t for t in tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
