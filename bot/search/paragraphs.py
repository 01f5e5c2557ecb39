"""What each result quotes: the paragraph (or lettered sub-paragraph) whose evidence best
answers the question, its lead-in, the article's other matching paragraphs, and the pages that
print it. Plain functions over the index's units and per-unit scores.

A sub-paragraph is quoted alone only where it stands on its own with the paragraph's lead-in:
a list closed by words that apply to every item ("... traffic data, in real time, associated
with specified communications") is always quoted whole.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.encoding.lexical import aid_tokens, tokenize
from bot.index.chunking import Chunk
from bot.index.search_aids import ENGLISH, ParagraphAid, described_units
from bot.search.dense import similarities, stored_vectors
from bot.treaty.citations import provision_label
from bot.treaty.model import Paragraph, Part, Treaty, pages_of

OTHER_PARAGRAPH_MARGIN = 0.08  # other paragraphs within this cosine of the quoted one are listed
MAX_ALSO = 3  # at most this many: the closest ones
# A sub-paragraph is quoted alone when its evidence beats its whole paragraph's by this much
# (on the scale of fusion.unit_scores): a near tie means the question is about the paragraph.
SUBPARAGRAPH_MARGIN = 0.1


@dataclass(frozen=True)
class Quote:
    """What a result quotes, verbatim: its text, the lead-in shown before it (for a
    sub-paragraph), and where it sits in its paragraph's text."""

    unit: int
    paragraph: Paragraph
    paragraph_index: int  # its position in the article (unnumbered paragraphs have no label)
    subparagraph: str | None
    text: str
    lead_in: str | None
    offset: int  # of `text` in `paragraph.text`
    pages: tuple[int, ...]


class QuotableUnits:
    """Per article, the units a result may quote: the paragraphs (or, for a paragraph too long
    for the model, its lettered groups), and per paragraph unit its sub-paragraph units that
    read correctly on their own."""

    def __init__(self, chunks: Sequence[Chunk], treaty: Treaty) -> None:
        self._chunks = chunks
        self._treaty = treaty
        self.by_article: dict[int, list[int]] = defaultdict(list)
        self.items: dict[int, list[int]] = defaultdict(list)
        whole_unit: dict[tuple[int, str | None], int] = {}
        for index, chunk in enumerate(chunks):
            if chunk.kind == "heading":
                continue
            paragraph = self.paragraph_of(chunk)
            if chunk.kind == "paragraph":
                if chunk.subparagraph is None and chunk.text != paragraph.text:
                    continue  # a long paragraph's lead-in alone answers nothing
                self.by_article[chunk.article].append(index)
                whole_unit[(chunk.article, chunk.paragraph)] = index
            elif _stands_alone(paragraph):
                self.items[whole_unit[(chunk.article, chunk.paragraph)]].append(index)

    def unit_of(self, article: int, paragraph: str | None, subparagraph: str | None) -> int | None:
        """The quotable unit with this citation, if the index has one."""
        for unit in self.by_article.get(article, []):
            for index in (unit, *self.items.get(unit, [])):
                chunk = self._chunks[index]
                if (chunk.paragraph, chunk.subparagraph) == (paragraph, subparagraph):
                    return index
        return None

    def paragraph_of(self, chunk: Chunk) -> Paragraph:
        return self._located(chunk)[1]

    def _located(self, chunk: Chunk) -> tuple[int, Paragraph]:
        article = self._treaty.article(chunk.article)
        assert article is not None
        return next(
            (index, p) for index, p in enumerate(article.paragraphs)
            if (p.label == chunk.paragraph if chunk.paragraph else chunk.text in p.text)
        )

    def best_score(self, article: int, scores: np.ndarray) -> float:
        """The score of the article's best quotable paragraph unit."""
        return float(scores[self.by_article[article]].max())

    def choose(self, article: int, scores: np.ndarray, whole: bool = False) -> int:
        """The article's best unit by `scores`; within the chosen paragraph, one of its
        sub-paragraphs when that clearly scores higher still (unless `whole` is asked for)."""
        best = max(self.by_article[article], key=lambda i: scores[i])
        items = [] if whole else self.items.get(best, [])
        if items:
            item = max(items, key=lambda i: scores[i])
            if scores[item] > scores[best] + SUBPARAGRAPH_MARGIN:
                return item
        return best

    def quote(self, unit: int) -> Quote:
        chunk = self._chunks[unit]
        position, paragraph = self._located(chunk)
        if chunk.subparagraph is None:
            return Quote(unit, paragraph, position, None, paragraph.text, None, 0, paragraph.pages)
        lead = _lead_parts(paragraph)
        quoted = [p for p in paragraph.parts if p.text in chunk.text.split("\n")]
        return Quote(
            unit=unit,
            paragraph=paragraph,
            paragraph_index=position,
            subparagraph=chunk.subparagraph,
            text=chunk.text,
            lead_in="\n".join(p.text for p in lead) or None,
            offset=paragraph.text.find(chunk.text),
            pages=pages_of([*lead, *quoted]),
        )

    def also(self, article: int, quoted: int, dense: np.ndarray) -> tuple[str, ...]:
        """Labels of the article's other paragraphs that the judging space finds nearly as
        close as the quoted one ("3", or "(e)" in an article without numbered paragraphs):
        the closest `MAX_ALSO`, in the article's order."""
        chosen = self._chunks[quoted]
        floor = dense[quoted] - OTHER_PARAGRAPH_MARGIN
        best: dict[str, float] = {}
        order: list[str] = []
        for index in self.by_article[article]:
            chunk = self._chunks[index]
            if chunk.paragraph == chosen.paragraph and (chunk.paragraph or index == quoted):
                continue  # the quoted paragraph itself, or one of its parts
            label = chunk.paragraph or provision_label(None, chunk.subparagraph)
            if dense[index] >= floor and label:
                if label not in best:
                    order.append(label)
                best[label] = max(best.get(label, -1.0), float(dense[index]))
        closest = set(sorted(best, key=lambda label: -best[label])[:MAX_ALSO])
        return tuple(label for label in order if label in closest)


def _lead_parts(paragraph: Paragraph) -> list[Part]:
    """The plain lines before the paragraph's first lettered sub-paragraph."""
    lead = []
    for part in paragraph.parts:
        if part.level:
            break
        lead.append(part)
    return lead


def _stands_alone(paragraph: Paragraph) -> bool:
    """No plain line after the last item: nothing that completes every item."""
    levels = [part.level for part in paragraph.parts]
    if not any(levels):
        return False
    last_item = max(i for i, level in enumerate(levels) if level)
    return all(level for level in levels[last_item + 1 :])


class ParagraphAidMatch:
    """How close each unit's paragraph aids (`bot.index.search_aids`) come to a question: its
    English aids, and in the multilingual space also those in the question's language."""

    def __init__(
        self, aids: Sequence[ParagraphAid], chunks: Sequence[Chunk], vectors: Mapping[str, Any]
    ) -> None:
        """`vectors`: per space, the FAISS index of the aids (None where not embedded)."""
        self._vectors = {space: index for space, index in vectors.items() if index is not None}
        pairs = described_units(aids, chunks)  # by unit: each unit's aids are a run
        self._runs = {
            lang: _unit_runs([(row, unit) for row, unit in pairs
                              if aids[row].lang in (ENGLISH, lang)])
            for lang in {aid.lang for aid in aids}
        }
        # Each language's entries are one block of rows (English first): a question is compared
        # with its own blocks only.
        rows_of: dict[str, list[int]] = defaultdict(list)
        for row, aid in enumerate(aids):
            rows_of[aid.lang].append(row)
        self._blocks = {lang: slice(rows[0], rows[-1] + 1) for lang, rows in rows_of.items()}
        self._row_count = len(aids)
        self._unit_count = len(chunks)
        self._unit_article = np.array([chunk.article for chunk in chunks])
        english = self._blocks.get(ENGLISH, slice(0))
        self._centred = {
            space: _ArticleCentred(stored_vectors(index)[english],
                                   [aid.article for aid in aids[english]])
            for space, index in self._vectors.items()
        }

    def cosines(self, space: str, vector: np.ndarray, lang: str = ENGLISH) -> np.ndarray | None:
        """Each unit's best aid cosine in `space` (-inf for a unit without aids), among the
        English aids and, in the multilingual space, those in `lang`; None when the index has
        no aids there."""
        if (found := self._row_cosines(space, vector, lang)) is None:
            return None
        cosines, runs = found
        return self._best_per_unit(cosines, runs)

    def within_article(self, space: str, vector: np.ndarray) -> np.ndarray | None:
        """For an English question: each unit's closeness to it among its own article's units,
        0–1, to choose the paragraph. Every aid of an article shares its subject ("a request for
        data"), which the plain cosine mostly measures; what tells its paragraphs apart
        ("expedited", "who pays") is left once the mean of the article's aids is taken out of
        both the question and the aids. Each unit's best such cosine over the best in its
        article; 0 for units without aids or no closer than the mean. (Another language's
        question sits apart from every English mean by its language, and is better served by
        `closeness`.)"""
        if (found := self._row_cosines(space, vector, ENGLISH)) is None:
            return None
        cosines, runs = found
        centred = np.full_like(cosines, -np.inf)
        english = self._blocks[ENGLISH]
        centred[english] = self._centred[space].cosines(
            cosines[english], np.asarray(vector, dtype=np.float32)
        )
        best = np.maximum(self._best_per_unit(centred, runs), 0.0)
        top = np.zeros(int(self._unit_article.max()) + 1)
        np.maximum.at(top, self._unit_article, best)
        scale = top[self._unit_article]
        return np.divide(best, scale, out=np.zeros_like(best), where=scale > 0)

    def _row_cosines(
        self, space: str, vector: np.ndarray, lang: str
    ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray, np.ndarray]] | None:
        """Every aid row's cosine (-inf outside the question's blocks) and the unit runs."""
        if space != "multilingual" or lang not in self._runs:
            lang = ENGLISH
        runs = self._runs.get(lang)
        if space not in self._vectors or runs is None or not len(runs[1]):
            return None
        cosines = np.full(self._row_count, -np.inf, dtype=np.float32)
        for block_lang in dict.fromkeys((ENGLISH, lang)):
            if block := self._blocks.get(block_lang):
                cosines[block] = similarities(self._vectors[space], vector, block)
        return cosines, runs

    def _best_per_unit(
        self, cosines: np.ndarray, runs: tuple[np.ndarray, np.ndarray, np.ndarray]
    ) -> np.ndarray:
        rows, units, starts = runs
        best = np.full(self._unit_count, -np.inf)
        best[units] = np.maximum.reduceat(cosines[rows], starts)
        return best


class _ArticleCentred:
    """Cosines between a question and each English aid once both are taken relative to the
    mean of the aid's article's aids, from the plain cosines: cos(q - c, a - c) =
    (q.a - q.c - a.c + c.c) / (|q - c| |a - c|), with all but q.a and q.c computed once."""

    def __init__(self, rows: np.ndarray, articles: Sequence[int]) -> None:
        numbers, self._article = np.unique(np.array(articles, dtype=int), return_inverse=True)
        self._centroids = np.zeros((len(numbers), rows.shape[1]), dtype=np.float32)
        np.add.at(self._centroids, self._article, rows)
        self._centroids /= np.bincount(self._article)[:, None]
        by_row = np.arange(len(rows))
        self._aid_centroid = (rows @ self._centroids.T)[by_row, self._article]
        self._centroid_norm = np.einsum("ij,ij->i", self._centroids, self._centroids)[self._article]
        self._spread = np.sqrt(np.maximum(
            np.einsum("ij,ij->i", rows, rows) - 2 * self._aid_centroid + self._centroid_norm, 0.0
        ))

    def cosines(self, plain: np.ndarray, vector: np.ndarray) -> np.ndarray:
        """`plain`: each aid's cosine with `vector`; -inf where an aid is its article's mean."""
        towards = (self._centroids @ vector)[self._article]
        distance = np.sqrt(np.maximum(vector @ vector - 2 * towards + self._centroid_norm, 0.0))
        distance *= self._spread
        return np.divide(plain - towards - self._aid_centroid + self._centroid_norm, distance,
                         out=np.full_like(plain, -np.inf), where=distance > 1e-6)


def _unit_runs(pairs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For (aid row, unit) pairs ordered by unit: the rows, the units, and where each unit's
    run of rows starts."""
    rows = np.array([row for row, _ in pairs], dtype=int)
    units, starts = np.unique(np.array([unit for _, unit in pairs], dtype=int), return_index=True)
    return rows, units, starts


def closeness(cosines: np.ndarray) -> np.ndarray:
    """Units' best aid cosines (`ParagraphAidMatch.cosines`) over the best of any unit, so that
    1 is the question's closest paragraph aid; 0 for units without aids. For a question in
    another language than English (`ParagraphAidMatch.within_article` for English)."""
    finite = np.isfinite(cosines)
    top = float(cosines[finite].max()) if finite.any() else 0.0
    return np.where(finite, cosines / top, 0.0) if top > 0 else np.zeros_like(cosines)


class DistinctiveWords:
    """Which of an article's units hold the question's words that the article's other units
    lack. Within an article every paragraph shares the subject's words ("request", "data",
    "State Party"), and the long general paragraph holds most of them; the word that tells the
    answering paragraph apart is the one only it, or its paragraph aids, has ("expedited",
    "urgently", "email"). Words of one language: for English the treaty's and the aids',
    for the other languages those of the aids in that language (`aid_tokens`)."""

    def __init__(
        self, chunks: Sequence[Chunk], aids: Sequence[ParagraphAid], lang: str = ENGLISH
    ) -> None:
        aids = [aid for aid in aids if aid.lang == lang]
        self.lang = lang
        words = [
            set(tokenize(c.text)) if c.kind != "heading" and lang == ENGLISH else set()
            for c in chunks
        ]
        for row, unit in described_units(aids, chunks):
            words[unit] |= set(self.tokens(aids[row].text))
        by_article: dict[int, list[int]] = defaultdict(list)
        for unit, chunk in enumerate(chunks):
            if chunk.kind != "heading":
                by_article[chunk.article].append(unit)
        articles = [units for units in by_article.values() if len(units) > 1]
        # Each unit's article among those of two units or more; the rest share one past them,
        # where no word is ever posted.
        self._article_of = np.full(len(chunks), len(articles))
        # word -> the units that hold it, in articles of two units or more, and its weight in
        # each unit's article
        postings: dict[str, tuple[list[int], list[float]]] = defaultdict(lambda: ([], []))
        for article, units in enumerate(articles):
            self._article_of[units] = article
            holding: dict[str, list[int]] = defaultdict(list)
            for unit in units:
                for word in words[unit]:
                    holding[word].append(unit)
            for word, held in holding.items():
                rare = math.log(1 + (len(units) - len(held) + 0.5) / (len(held) + 0.5))
                postings[word][0].extend(held)
                postings[word][1].extend([rare] * len(held))
        self._postings = {
            word: (np.array(units), np.array(weights))
            for word, (units, weights) in postings.items()
        }
        self._article_count = len(articles) + 1

    def tokens(self, text: str) -> list[str]:
        return tokenize(text) if self.lang == ENGLISH else aid_tokens(text, self.lang)

    def scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Per unit, the weight of the question's words it holds, each weighed by how few of
        its article's units hold it, over the article's best unit: 0–1."""
        scores = np.zeros(len(self._article_of))
        for word in set(tokens):
            if (posting := self._postings.get(word)) is not None:
                units, weights = posting
                scores[units] += weights  # a word is posted once per unit
        top = np.zeros(self._article_count)
        np.maximum.at(top, self._article_of, scores)
        scale = top[self._article_of]
        return np.divide(scores, scale, out=np.zeros_like(scores), where=scale > 0)
