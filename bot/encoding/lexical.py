"""English words as BM25 sees them, one tokenizer for the treaty and the questions."""

from __future__ import annotations

import re
from functools import lru_cache


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
