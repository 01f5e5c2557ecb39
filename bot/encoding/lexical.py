"""Words as BM25 sees them: English for the treaty and the questions, and the words of the
search aids in the other UN languages (`aid_tokens`).

Stop words and splitting are bm25s's defaults, written out here so that questions never import
bm25s, which imports scipy.sparse (0.2–0.4 s of a cold start); tests/test_lexical.py keeps them
equal to bm25s's.
"""

from __future__ import annotations

import re
from functools import lru_cache

# bm25s.stopwords.STOPWORDS_EN
STOPWORDS_EN = frozenset((
    "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is",
    "it", "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there",
    "these", "they", "this", "to", "was", "will", "with",
))
WORD = re.compile(r"(?u)\b\w\w+\b")
_SNOWBALL = {"en": "english", "ar": "arabic", "fr": "french", "es": "spanish", "ru": "russian"}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def tokenize(text: str) -> list[str]:
    """Lower-cased, stop-worded, Snowball-stemmed words."""
    stem = _stemmer("en")
    return [stem(word) for word in WORD.findall(text.lower()) if word not in STOPWORDS_EN]


def phrase_tokens(text: str) -> list[str]:
    """Every word, stemmed, stop words kept: for matching multi-word phrases exactly."""
    stem = _stemmer("en")
    return [stem(word) for word in re.findall(r"\w+", text.lower())]


def aid_tokens(text: str, lang: str) -> list[str]:
    """A search aid's (or a question's) words, stemmed with the language's Snowball stemmer;
    for Chinese, which has no spaces, characters and character pairs. Tokens carry the
    language, so languages never mix."""
    if lang == "zh":
        tokens = []
        for run in _HAN.findall(text):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    else:
        stem = _stemmer(lang)
        tokens = [stem(w) for w in re.findall(r"\w+", text.lower()) if len(w) > 2]
    return [f"{lang}:{token}" for token in tokens]


@lru_cache(maxsize=len(_SNOWBALL))
def _stemmer(lang: str):
    import Stemmer

    return Stemmer.Stemmer(_SNOWBALL[lang]).stemWord
