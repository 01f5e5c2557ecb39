"""BM25 over the same units as the dense index, with one tokenizer for corpus and questions."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=1)
def _tokenizer():
    import bm25s
    import Stemmer

    return bm25s.tokenization.Tokenizer(
        stopwords="en", stemmer=Stemmer.Stemmer("english"), splitter=r"(?u)\b\w\w+\b"
    )


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-worded, Snowball-stemmed words."""
    tokenizer = _tokenizer()
    return [
        tokenizer.stemmer(word) for word in tokenizer.splitter(text.lower())
        if word not in tokenizer.stopwords
    ]


def phrase_tokens(text: str) -> list[str]:
    """Every word, stemmed, stop words kept: for matching multi-word phrases exactly."""
    tokenizer = _tokenizer()
    return [tokenizer.stemmer(word) for word in re.findall(r"\w+", text.lower())]


class LexicalIndex:
    def __init__(self, bm25) -> None:
        self._bm25 = bm25

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        bm25 = bm25s.BM25()
        bm25.index([tokenize(text) or [""] for text in texts], show_progress=False)
        return cls(bm25)

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory))

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(directory), mmap=False))

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every unit for the question's tokens (zeros when none is known)."""
        known = [t for t in tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(self._bm25.scores["num_docs"], dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)
