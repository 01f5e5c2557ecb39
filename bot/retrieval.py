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

import re
import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from bot.chunking import Chunk
from bot.embedding import Encoder
from bot.glossary import Glossary, GlossaryMatch, contains_phrase
from bot.index_store import BUILD_HINT, IndexNotReady, LoadedIndex, load_index
from bot.language import detect_language
from bot.lexical import tokenize
from bot.references import Reference, find_references
from bot.search_aids import AidLexicon
from bot.settings import Settings
from bot.treaty import ARTICLE_COUNT, CONVENTION_ID, Article, Note, Treaty

MAX_QUESTION_CHARS = 1000
RRF_K = 10  # small: the first few ranks of each signal carry most of the weight
# Weight of each article ranking in the fusion, for English questions and for questions in the
# other UN languages. The English model scores near chance on non-English text, and BM25 and the
# glossary are English, so other languages rely on the multilingual space.
SIGNAL_WEIGHTS = {
    "en": {
        "dense_paragraph": 1.0,
        "dense_heading": 0.8,
        "multilingual_paragraph": 0.5,
        "multilingual_heading": 0.4,
        "lexical": 1.0,
        "glossary": 0.9,
        "definition": 2.0,
    },
    "other": {
        "multilingual_paragraph": 1.0,
        "multilingual_heading": 0.3,
        "search_aids": 1.0,
        "search_aid_words": 1.0,
        "lexical": 0.2,
    },
}
# Declining. A question is in scope when its best cosine similarity to any unit reaches the
# threshold of every space that is loaded (two models must both see a relation), or when it
# names a glossary or defined term and still reaches GLOSSARY_FLOOR. Calibrated on our own
# question files (tests/data): the lowest in-scope English questions score 0.31 (MiniLM) and
# 0.18 (USE) without a glossary term; "flights to Hanoi" scores 0.37 with MiniLM but 0.14 with
# USE. See README "Abstention".
ABSTAIN_BELOW = {"dense": 0.30, "multilingual": 0.16}
GLOSSARY_FLOOR = 0.20
# An article's first paragraph states its main rule (the offence, the obligation); later ones
# qualify it. This prior, on a scale where a unit scores up to 2, lets it win near-ties.
LEAD_PARAGRAPH_PRIOR = 0.15
OTHER_PARAGRAPH_MARGIN = 0.08  # other paragraphs within this cosine of the best are listed
DEFINITION_INTENT = re.compile(
    r"\b(defin\w*|meaning|means|mean|what is an?|what are|what counts as|what is meant)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ParagraphMatch:
    label: str | None
    text: str
    score: float


@dataclass(frozen=True)
class ArticleResult:
    document: str  # "convention"
    article: int
    title: str
    chapter: str  # "Chapter II Criminalization"
    paragraph: str | None  # label of the best-matching paragraph; None when unnumbered
    text: str  # verbatim text of that paragraph (or of its matching sub-paragraph group)
    score: float
    other_paragraphs: tuple[ParagraphMatch, ...] = ()
    notes: tuple[Note, ...] = ()  # interpretative notes on this article


@dataclass(frozen=True)
class Answer:
    question: str
    results: tuple[ArticleResult, ...]
    error: str | None = None  # e.g. "The Convention has articles 1–68." for "article 99"
    evidence: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @property
    def abstained(self) -> bool:
        return not self.results


@dataclass(frozen=True)
class DenseSpace:
    """An embedding model and the unit vectors of every chunk in its space."""

    encoder: Encoder
    vectors: np.ndarray

    def embed(self, question: str) -> np.ndarray:
        return self.encoder.encode([question])[0]


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
        self._aid_vectors = (
            _matrix(index.aid_vectors) if index.aid_vectors is not None else None
        )
        self._aid_language = np.array([a.lang for a in index.aids])
        self._aid_segments = _segments([a.article for a in index.aids])
        self._aid_lexicon = AidLexicon(index.aids) if index.aids else None
        self._chunks: list[Chunk] = index.chunks
        self._article_of = np.array([c.article for c in self._chunks])
        self._is_heading = np.array([c.kind == "heading" for c in self._chunks])
        self._unit_segments = _segments([c.article for c in self._chunks])
        self._lead_prior = LEAD_PARAGRAPH_PRIOR * np.array(
            [c.kind == "paragraph" and c.paragraph in ("1", None) for c in self._chunks]
        )
        self._defined_terms = _defined_terms(self._chunks)

    @classmethod
    def load(cls, settings: Settings) -> Retriever:
        index = load_index(settings.index_dir)
        if index.manifest.get("model") != settings.embedding_model:
            raise IndexNotReady(
                f"The index was built with {index.manifest.get('model')}, but EMBEDDING_MODEL "
                f"is {settings.embedding_model}. {BUILD_HINT}"
            )
        from bot.embedding import load_query_encoder

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
    def manifest(self) -> dict:
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
        return _result(article, chosen.label, chosen.text, 1.0, (), self.treaty)

    def _lookup(self, question: str, references: Sequence[Reference], k: int) -> Answer:
        results, problems = [], []
        for reference in references:
            article = self.treaty.article(reference.article)
            if article is None:
                problems.append(
                    f"The Convention has articles 1–{ARTICLE_COUNT}; there is no article "
                    f"{reference.article}."
                )
                continue
            result = self.article_result(reference.article, reference.paragraph)
            if result is None:
                labels = [p.label for p in article.paragraphs if p.label]
                problems.append(
                    f"Article {article.number} has "
                    + (f"paragraphs 1–{labels[-1]}" if labels else "no numbered paragraphs")
                    + f"; there is no paragraph {reference.paragraph}."
                )
                result = self.article_result(reference.article)
            if result and all(r.article != result.article for r in results):
                results.append(result)
        return Answer(question, tuple(results[:k]), " ".join(problems) or None)

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

    def _search(self, question: str, k: int) -> Answer:
        for thread in self._warming:
            thread.join()
        language = detect_language(question) if "multilingual" in self._spaces else "en"
        weights = SIGNAL_WEIGHTS["en" if language == "en" else "other"]
        tokens = tokenize(question)
        glossary = self._glossary.match(question) if "glossary" in weights else []
        expansion = [t for m in glossary for t in tokenize(m.entry.expansion)]
        lexical = self._index.lexical.scores(tokens + expansion)
        defined = self._defined_term_units(question, tokens) if "definition" in weights else []
        # The space that picks paragraphs: the configured model for English.
        judge = "dense" if language == "en" else "multilingual"
        query_vectors = self._embed(question, [
            name for name in self._spaces
            if name == judge or weights.get(f"{name}_paragraph") or weights.get(f"{name}_heading")
        ])
        similarities = {
            name: self._spaces[name].vectors @ vector for name, vector in query_vectors.items()
        }
        dense = similarities[judge]
        best = {name: float(similarity.max()) for name, similarity in similarities.items()}
        related = all(score >= ABSTAIN_BELOW[name] for name, score in best.items())
        named_term = bool(glossary or defined) and float(dense.max()) >= GLOSSARY_FLOOR
        if not (related or named_term):
            scores = ", ".join(f"{name} {score:.2f}" for name, score in best.items())
            return Answer(question, (), evidence={"declined": [f"best cosine {scores}"]})

        rankings = {
            "lexical": self._rank_articles(np.where(lexical > 0, lexical, -np.inf)),
            "glossary": _glossary_ranking(glossary),
            "definition": [2] if defined else [],
        }
        if language != "en" and self._aid_vectors is not None:
            rankings["search_aids"] = self._rank_by_search_aids(
                query_vectors["multilingual"], language
            )
        if language != "en" and self._aid_lexicon is not None:
            words = self._aid_lexicon.scores(question, language)
            rankings["search_aid_words"] = _rank_segments(
                np.where(words > 0, words, -np.inf), self._aid_segments
            )
        for name, similarity in similarities.items():
            rankings[f"{name}_paragraph"] = self._rank_articles(
                np.where(self._is_heading, -np.inf, similarity)
            )
            rankings[f"{name}_heading"] = self._rank_articles(
                np.where(self._is_heading, similarity, -np.inf)
            )
        fused: dict[int, float] = defaultdict(float)
        for signal, ranking in rankings.items():
            for rank, article in enumerate(ranking):
                fused[article] += weights.get(signal, 0.0) / (RRF_K + rank + 1)
        ranked = sorted((a for a in fused if fused[a] > 0), key=lambda a: (-fused[a], a))[:k]
        unit_scores = _unit_scores(dense, lexical) + self._lead_prior
        if defined:
            unit_scores[defined] += 1.0
        results = tuple(
            self._article_result(article, fused[article], unit_scores, dense) for article in ranked
        )
        evidence = {
            "language": [language],
            "glossary": [f"{m.term} → {', '.join(map(str, m.entry.articles))}" for m in glossary],
            "defined_terms": [self._chunks[i].text.split("”")[0].lstrip("(“ ") for i in defined],
        }
        return Answer(question, results, evidence=evidence)

    def _embed(self, question: str, names: list[str]) -> dict[str, np.ndarray]:
        """The question in each named space, all but the last on the other core: ONNX Runtime
        releases the GIL, so an English question costs the slower model, not both."""
        *elsewhere, here = names
        pending = {
            name: self._encoding_pool.submit(self._spaces[name].embed, question)
            for name in elsewhere
        }
        vector = self._spaces[here].embed(question)
        return {name: pending[name].result() if name in pending else vector for name in names}

    def _rank_articles(self, unit_scores: np.ndarray) -> list[int]:
        """Articles by their best unit; units scored -inf take no part."""
        return _rank_segments(unit_scores, self._unit_segments)

    def _rank_by_search_aids(self, vector: np.ndarray, language: str) -> list[int]:
        """Articles by their closest search phrase in the question's own language."""
        scores = np.where(self._aid_language == language, self._aid_vectors @ vector, -np.inf)
        return _rank_segments(scores, self._aid_segments)

    def _defined_term_units(self, question: str, tokens: Sequence[str]) -> list[int]:
        """Article 2 units defining a term the question asks the meaning of."""
        if not DEFINITION_INTENT.search(question):
            return []
        return [unit for term, unit in self._defined_terms if contains_phrase(tokens, term)]

    def _article_result(
        self, number: int, score: float, unit_scores: np.ndarray, dense: np.ndarray
    ) -> ArticleResult:
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
            paragraph = article.paragraph(chunk.paragraph) if chunk.paragraph else None
            text = paragraph.text if paragraph and chunk.subparagraph is None else chunk.text
            others.append(ParagraphMatch(chunk.paragraph, text, round(float(dense[i]), 4)))
        best_paragraph = article.paragraph(best.paragraph) if best.paragraph else None
        text = best_paragraph.text if best_paragraph and best.subparagraph is None else best.text
        return _result(article, best.paragraph, text, score, tuple(others), self.treaty)


def _result(
    article: Article,
    label: str | None,
    text: str,
    score: float,
    others: tuple[ParagraphMatch, ...],
    treaty: Treaty,
) -> ArticleResult:
    return ArticleResult(
        document=CONVENTION_ID,
        article=article.number,
        title=article.title,
        chapter=article.chapter,
        paragraph=label,
        text=text,
        score=round(score, 4),
        other_paragraphs=others,
        notes=treaty.notes_for(article.number),
    )


def _segments(articles: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Start offsets and article numbers of the runs of consecutive rows of one article."""
    values = np.asarray(articles)
    starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]]) if len(values) else values
    return starts, values[starts]


def _rank_segments(scores: np.ndarray, segments: tuple[np.ndarray, np.ndarray]) -> list[int]:
    """Articles ordered by the best score among their rows (ties: lower article first)."""
    starts, articles = segments
    if not len(starts):
        return []
    best = np.maximum.reduceat(scores, starts)
    order = np.argsort(-best, kind="stable")
    return [int(articles[i]) for i in order if np.isfinite(best[i])]


def _matrix(vectors) -> np.ndarray:
    return vectors.reconstruct_n(0, vectors.ntotal)


def _unit_scores(dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """Per-unit agreement of both signals, each scaled to its best unit."""
    top = lexical.max()
    return dense / max(dense.max(), 1e-6) + (lexical / top if top > 0 else 0.0)


def _glossary_ranking(matches: Iterable[GlossaryMatch]) -> list[int]:
    votes: dict[int, float] = defaultdict(float)
    for match in matches:
        for position, article in enumerate(match.entry.articles):
            votes[article] += match.length / (position + 1)
    return sorted(votes, key=lambda a: (-votes[a], a))


def _defined_terms(chunks: Sequence[Chunk]) -> list[tuple[tuple[str, ...], int]]:
    """(stemmed term, unit) for every “quoted term” that Article 2 defines."""
    terms = []
    for index, chunk in enumerate(chunks):
        if chunk.article != 2 or chunk.kind != "paragraph":
            continue
        for line in chunk.text.split("\n"):
            head = line.split(" shall mean")[0]
            terms.extend(
                (tuple(tokenize(term)), index) for term in re.findall(r"“([^”]+)”", head)
            )
    return [(term, unit) for term, unit in terms if term]
