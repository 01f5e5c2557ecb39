"""Matching a question against the search aids in its own language.

A multilingual encoder matches a question far better against text in the question's own
language than against the English treaty, so questions in Arabic, Chinese, French, Russian and
Spanish are also compared with the index's search aids (`bot.index.search_aids`): by vector,
and word for word here. Questions in every language, English too, are also compared word for
word with the paragraph aids in their own language (`ParagraphAidWords`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from bot.encoding.bm25 import Bm25
from bot.encoding.lexical import aid_tokens
from bot.index.search_aids import ParagraphAid, SearchAid
from bot.search import dense
from bot.search.ranking import ArticleRuns


class AidLexicon:
    """BM25 over the search aids (built with the index), so a question that uses an aid's very
    words ("выдача", "引渡") finds it even where the multilingual encoder is distracted by
    other words."""

    def __init__(self, bm25: Bm25) -> None:
        self._bm25 = bm25

    def scores(self, question: str, lang: str) -> np.ndarray:
        return self._bm25.scores(aid_tokens(question, lang))


class SearchAids:
    """The search-aid signals for a question in one of the five other UN languages: its closest
    aid by vector ("search_aids") and by words ("search_aid_words"), both in its own language."""

    def __init__(self, aids: list[SearchAid], vectors: Any | None, words: Bm25 | None) -> None:
        """`vectors`: the FAISS index of the aids in the multilingual space; `words`: their
        BM25 index (`bot.encoding.lexical.aid_tokens`)."""
        self._vectors = vectors
        self._language = np.array([a.lang for a in aids])
        self._runs = ArticleRuns.of([a.article for a in aids])
        self._lexicon = AidLexicon(words) if words is not None else None

    def similarities(self, language: str, vector: np.ndarray) -> np.ndarray | None:
        """Each aid's cosine with the question, -inf for aids in other languages."""
        if self._vectors is None:
            return None
        return np.where(
            self._language == language, dense.similarities(self._vectors, vector), -np.inf
        )

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


class ParagraphAidWords:
    """Articles by their paragraph aid that shares the most of the question's words in its own
    language: the aids hold a reader's words for what each paragraph provides ("заблокировать
    сайт", "who pays for the request"), which the treaty's words and an encoder's closeness
    to whole paragraphs often miss, most of all in the other languages."""

    def __init__(self, aids: Sequence[ParagraphAid], words: Mapping[str, Bm25]) -> None:
        """`words`: per language, the BM25 index of its `aids` in their order (an article's
        rows are stored together)."""
        self._lexicons = {lang: AidLexicon(bm25) for lang, bm25 in words.items()}
        self._runs = {
            lang: ArticleRuns.of([aid.article for aid in aids if aid.lang == lang])
            for lang in words
        }

    def ranking(self, question: str, lang: str) -> list[int]:
        if lang not in self._lexicons:
            return []
        return self._runs[lang].rank_positive(self._lexicons[lang].scores(question, lang))
