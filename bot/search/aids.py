"""Matching a question against the search aids in its own language.

A multilingual encoder matches a question far better against text in the question's own
language than against the English treaty, so questions in Arabic, Chinese, French, Russian and
Spanish are also compared with the index's search aids (`bot.index.search_aids`): by vector,
and word for word here.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from bot.encoding.bm25 import Bm25
from bot.index.search_aids import SearchAid
from bot.search.ranking import ArticleRuns

_SNOWBALL = {"ar": "arabic", "fr": "french", "es": "spanish", "ru": "russian"}
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")


def aid_tokens(text: str, lang: str) -> list[str]:
    """Words stemmed with the language's Snowball stemmer; for Chinese, which has no spaces,
    characters and character pairs. Tokens carry the language, so languages never mix."""
    if lang == "zh":
        tokens = []
        for run in _HAN.findall(text):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    else:
        stemmer = _stemmer(lang)
        tokens = [stemmer.stemWord(w) for w in re.findall(r"\w+", text.lower()) if len(w) > 2]
    return [f"{lang}:{token}" for token in tokens]


@lru_cache(maxsize=len(_SNOWBALL))
def _stemmer(lang: str):
    import Stemmer

    return Stemmer.Stemmer(_SNOWBALL[lang])


class AidLexicon:
    """BM25 over the search aids, so a question that uses an aid's very words ("выдача",
    "引渡") finds it even where the multilingual encoder is distracted by other words."""

    def __init__(self, aids: list[SearchAid]) -> None:
        self._bm25 = Bm25.build([aid_tokens(a.text, a.lang) for a in aids])

    def scores(self, question: str, lang: str) -> np.ndarray:
        return self._bm25.scores(aid_tokens(question, lang))


class SearchAids:
    """The search-aid signals for a question in one of the five other UN languages: its closest
    aid by vector ("search_aids") and by words ("search_aid_words"), both in its own language."""

    def __init__(self, aids: list[SearchAid], vectors: np.ndarray | None) -> None:
        self._vectors = vectors
        self._language = np.array([a.lang for a in aids])
        self._runs = ArticleRuns.of([a.article for a in aids])
        self._lexicon = AidLexicon(aids) if aids else None

    def similarities(self, language: str, vector: np.ndarray) -> np.ndarray | None:
        """Each aid's cosine with the question, -inf for aids in other languages."""
        if self._vectors is None:
            return None
        return np.where(self._language == language, self._vectors @ vector, -np.inf)

    def rankings(
        self,
        question: str,
        language: str,
        vector: np.ndarray,
        similarities: np.ndarray | None = None,
    ) -> dict[str, list[int]]:
        """`similarities`: `self.similarities(language, vector)`, when already computed."""
        rankings = {}
        if self._vectors is not None:
            scores = (
                similarities if similarities is not None
                else self.similarities(language, vector)
            )
            rankings["search_aids"] = self._runs.rank(scores)
        if self._lexicon is not None:
            rankings["search_aid_words"] = self._runs.rank_positive(
                self._lexicon.scores(question, language)
            )
        return rankings
