"""Question in, ranked article-level results out. Never generates text: every result is a
verbatim paragraph of the treaty with its citation.

How a question is answered:
1. Direct references ("article 40 paragraph 21", "40(21)") are looked up, not searched.
2. Otherwise each search unit (paragraph, sub-paragraph group, article heading) gets a dense
   score (cosine similarity of embeddings) and a BM25 score; the glossary adds treaty vocabulary
   to the BM25 query for everyday words ("ransomware", "revenge porn").
3. Articles are ranked by reciprocal rank fusion of several article-level rankings (best dense
   paragraph, dense heading, best BM25 unit, glossary votes, a definition request for a term
   that Article 2 defines), so an article wins when independent kinds of evidence agree.
4. The best paragraph of each article is the unit where dense and lexical evidence agree most.
5. A question whose best dense match stays below a calibrated similarity, with no glossary
   term and no defined term, is declined: the treaty does not address it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from bot.encoding.lexical import tokenize
from bot.index.chunking import Chunk
from bot.index.store import BUILD_HINT, IndexNotReady, LoadedIndex, load_index
from bot.search import fusion
from bot.search.aids import SearchAids
from bot.search.definitions import DEFINITIONS_ARTICLE, DefinedTerms
from bot.search.dense import DenseSpace, dense_rankings
from bot.search.glossary import Glossary, GlossaryMatch, expansion_tokens, glossary_ranking
from bot.search.language import detect_language
from bot.search.ranking import ArticleRuns
from bot.search.results import Answer, ArticleResult, ParagraphMatch
from bot.settings import Settings
from bot.treaty.citations import no_such_article, no_such_paragraph
from bot.treaty.model import Article, Treaty
from bot.treaty.references import Reference, find_references

MAX_QUESTION_CHARS = 1000
OTHER_PARAGRAPH_MARGIN = 0.08  # other paragraphs within this cosine of the best are listed


@dataclass(frozen=True)
class _Question:
    """A question as the signals read it."""

    text: str
    language: str
    weights: Mapping[str, float]
    tokens: list[str]
    glossary: list[GlossaryMatch]
    defining: list[int]  # Article 2 units that define a term the question asks about

    @property
    def judge(self) -> str:
        """The space that decides relevance and picks paragraphs: the configured model for
        English, the multilingual one otherwise."""
        return "dense" if self.language == fusion.ENGLISH else "multilingual"


class Retriever:
    def __init__(
        self, index: LoadedIndex, spaces: dict[str, DenseSpace], glossary: Glossary
    ) -> None:
        """`spaces`: "dense" (the configured model) and optionally "multilingual"."""
        self._index = index
        self._spaces = spaces
        self._glossary = glossary
        self._warming: list[threading.Thread] = []
        self._encoding_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode")
        self._aids = SearchAids(
            index.aids, _matrix(index.aid_vectors) if index.aid_vectors is not None else None
        )
        self._chunks = index.chunks
        self._article_of = np.array([c.article for c in self._chunks])
        self._is_heading = np.array([c.kind == "heading" for c in self._chunks])
        self._runs = ArticleRuns.of([c.article for c in self._chunks])
        self._lead_prior = fusion.LEAD_PARAGRAPH_PRIOR * np.array(
            [c.kind == "paragraph" and c.paragraph in ("1", None) for c in self._chunks]
        )
        self._defined_terms = DefinedTerms(self._chunks)
        self._units = {
            (c.article, c.paragraph, c.subparagraph): c
            for c in self._chunks
            if c.kind == "paragraph"
        }

    @classmethod
    def load(cls, settings: Settings) -> Retriever:
        index = load_index(settings.index_dir)
        if index.manifest.get("model") != settings.embedding_model:
            raise IndexNotReady(
                f"The index was built with {index.manifest.get('model')}, but EMBEDDING_MODEL "
                f"is {settings.embedding_model}. {BUILD_HINT}"
            )
        from bot.encoding.encoders import load_query_encoder

        spaces = {"dense": DenseSpace(
            load_query_encoder(settings.embedding_model, index.query_model),
            _matrix(index.vectors),
        )}
        multilingual = index.manifest.get("multilingual_model")
        if multilingual and index.multilingual_vectors is not None:
            spaces["multilingual"] = DenseSpace(
                load_query_encoder(multilingual), _matrix(index.multilingual_vectors)
            )
        retriever = cls(index, spaces, Glossary.load())
        retriever._start_warming()
        return retriever

    @property
    def treaty(self) -> Treaty:
        return self._index.treaty

    @property
    def manifest(self) -> dict[str, Any]:
        return self._index.manifest

    def ask(self, question: str, k: int = 3) -> Answer:
        question = " ".join(question.split())[:MAX_QUESTION_CHARS]
        if not question:
            return Answer(question, ())
        references = find_references(question)
        if references:
            return self._lookup(question, references, k)
        return self._search(question, k)

    def article_result(self, number: int, paragraph: str | None = None) -> ArticleResult | None:
        """The verbatim article (or one paragraph of it) as a result, for direct lookups."""
        article = self.treaty.article(number)
        if article is None:
            return None
        chosen = article.paragraph(paragraph) if paragraph else article.paragraphs[0]
        if chosen is None:
            return None
        return ArticleResult.quote(
            article, chosen.label, chosen.text, 1.0, (), self.treaty.notes_for(number)
        )

    def unit_result(
        self, number: int, paragraph: str | None, subparagraph: str | None
    ) -> ArticleResult | None:
        """The result quoting this search unit as a search quotes it, or None when the index has
        no such unit: for results recalled without their question (a "More results" button
        names the ranked units). Its score is 0: it was ranked when the question was asked."""
        chunk = self._units.get((number, paragraph, subparagraph))
        article = self.treaty.article(number)
        if chunk is None or article is None:
            return None
        return ArticleResult.quote(
            article, chunk.paragraph, _quoted_text(article, chunk), 0.0, (),
            self.treaty.notes_for(number), chunk.subparagraph,
        )

    # --- Looking up what a question names ---------------------------------------------------

    def _lookup(self, question: str, references: Sequence[Reference], k: int) -> Answer:
        results, problems = [], []
        for reference in references:
            article = self.treaty.article(reference.article)
            if article is None:
                problems.append(no_such_article(reference.article))
                continue
            result = self.article_result(reference.article, reference.paragraph)
            if result is None:
                problems.append(no_such_paragraph(article, str(reference.paragraph)))
                result = self.article_result(reference.article)
            if result and all(r.article != result.article for r in results):
                results.append(result)
        return Answer(question, tuple(results[:k]), " ".join(problems) or None)

    # --- Searching --------------------------------------------------------------------------

    def _search(self, question: str, k: int) -> Answer:
        query = self._read(question)
        vectors = self._embed(query)
        similarities = {name: self._spaces[name].similarities(v) for name, v in vectors.items()}
        judge = similarities[query.judge]
        lexical = self._index.lexical.scores(query.tokens + expansion_tokens(query.glossary))
        best = {space: float(scores.max()) for space, scores in similarities.items()}
        names_a_term = bool(query.glossary or query.defining)
        if not fusion.is_answerable(best, float(judge.max()), names_a_term):
            scores = ", ".join(f"{space} {score:.2f}" for space, score in best.items())
            return Answer(question, (), evidence={"declined": [f"best cosine {scores}"]})
        rankings = self._rankings(query, vectors, similarities, lexical)
        fused = fusion.reciprocal_rank_fusion(rankings, query.weights)
        units = fusion.unit_scores(judge, lexical, self._lead_prior, query.defining)
        results = tuple(
            self._best_paragraph(article, fused[article], units, judge)
            for article in fusion.top_articles(fused, k)
        )
        return Answer(question, results, evidence=self._evidence(query))

    def _read(self, question: str) -> _Question:
        """The question's language and the signals' view of its words."""
        for thread in self._warming:
            thread.join()
        language = detect_language(question) if "multilingual" in self._spaces else "en"
        weights = fusion.signal_weights(language)
        tokens = tokenize(question)
        return _Question(
            text=question,
            language=language,
            weights=weights,
            tokens=tokens,
            glossary=self._glossary.match(question) if "glossary" in weights else [],
            defining=(
                self._defined_terms.units_asked_for(question, tokens)
                if "definition" in weights
                else []
            ),
        )

    def _embed(self, query: _Question) -> dict[str, np.ndarray]:
        """The question in each space the fusion weighs (and the judging space), all but the
        last on the other core: ONNX Runtime releases the GIL, so an English question costs
        the slower model, not both."""
        names = [
            name for name in self._spaces
            if name == query.judge
            or query.weights.get(f"{name}_paragraph")
            or query.weights.get(f"{name}_heading")
        ]
        *elsewhere, here = names
        pending = {
            name: self._encoding_pool.submit(self._spaces[name].embed, query.text)
            for name in elsewhere
        }
        vector = self._spaces[here].embed(query.text)
        return {name: pending[name].result() if name in pending else vector for name in names}

    def _rankings(
        self,
        query: _Question,
        vectors: dict[str, np.ndarray],
        similarities: dict[str, np.ndarray],
        lexical: np.ndarray,
    ) -> dict[str, list[int]]:
        """One article ranking per signal."""
        rankings = {
            "lexical": self._runs.rank_positive(lexical),
            "glossary": glossary_ranking(query.glossary),
            "definition": [DEFINITIONS_ARTICLE] if query.defining else [],
        }
        if query.language != fusion.ENGLISH:
            rankings |= self._aids.rankings(query.text, query.language, vectors["multilingual"])
        for name, similarity in similarities.items():
            rankings |= dense_rankings(name, similarity, self._is_heading, self._runs)
        return rankings

    def _best_paragraph(
        self, number: int, score: float, unit_scores: np.ndarray, dense: np.ndarray
    ) -> ArticleResult:
        """The article's result, quoting its best unit and listing its other paragraphs that
        the judging space finds nearly as close."""
        article = self.treaty.article(number)
        assert article is not None
        units = [i for i in np.flatnonzero(self._article_of == number) if not self._is_heading[i]]
        units.sort(key=lambda i: -unit_scores[i])
        best = self._chunks[units[0]]
        others, seen = [], {best.paragraph}
        for i in units[1:]:
            chunk = self._chunks[i]
            if chunk.paragraph in seen or dense[i] < dense[units[0]] - OTHER_PARAGRAPH_MARGIN:
                continue
            seen.add(chunk.paragraph)
            others.append(ParagraphMatch(
                chunk.paragraph, _quoted_text(article, chunk), round(float(dense[i]), 4)
            ))
        return ArticleResult.quote(
            article, best.paragraph, _quoted_text(article, best), score, tuple(others),
            self.treaty.notes_for(number), best.subparagraph,
        )

    def _evidence(self, query: _Question) -> dict[str, list[str]]:
        """What the answer rests on, for `treaty-eval --show-misses`."""
        return {
            "language": [query.language],
            "glossary": [
                f"{m.term} → {', '.join(map(str, m.entry.articles))}" for m in query.glossary
            ],
            "defined_terms": [
                self._chunks[i].text.split("”")[0].lstrip("(“ ") for i in query.defining
            ],
        }

    def _start_warming(self) -> None:
        """Load the multilingual model and the language detector on the other core while the
        first question is read: one after the other they add ~4 s to a cold `treaty-ask`."""
        if "multilingual" not in self._spaces:
            return
        encoder = self._spaces["multilingual"].encoder
        self._warming = [
            threading.Thread(target=encoder.encode, args=(["warm-up"],), daemon=True),
            threading.Thread(target=detect_language, args=("warm-up question",), daemon=True),
        ]
        for thread in self._warming:
            thread.start()


def _quoted_text(article: Article, chunk: Chunk) -> str:
    """A unit's words as quoted: its whole paragraph, unless the unit is one sub-paragraph
    group of a paragraph too long for the model."""
    paragraph = article.paragraph(chunk.paragraph) if chunk.paragraph else None
    return paragraph.text if paragraph and chunk.subparagraph is None else chunk.text


def _matrix(vectors) -> np.ndarray:
    return vectors.reconstruct_n(0, vectors.ntotal)
