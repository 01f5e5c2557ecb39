"""Question in, ranked article-level results out. Never generates text: every result is a
verbatim paragraph of the treaty with its citation.

How a question is answered:
1. A question about something the text does not record (who ratified, how it was negotiated,
   statistics, one country's law, products, news) or about another instrument is declined with
   a reply that says so (bot.search.scope), before any search.
2. Direct references ("article 40 paragraph 21", "40(21)") are looked up, not searched.
3. Otherwise each search unit (paragraph, sub-paragraph, article heading) gets a dense score
   (cosine similarity of embeddings) and a BM25 score; the glossary adds treaty vocabulary to
   the BM25 query for everyday words ("ransomware", "revenge porn").
4. Articles are ranked by fusing several article-level signals (best dense paragraph, dense
   heading, best BM25 unit, glossary votes, a definition request for a term that the
   Convention defines, the closest paragraph aid by vector and, in the question's language,
   by words), so an article wins when independent kinds of evidence agree: for
   English, the scoring signals by their standardised scores, the voting ones by rank (in
   the other languages, only the multilingual paragraph signal is fused by score). The
   first five are then rescored by their best quotable unit (dense and lexical agreement).
5. Each result quotes the unit where dense and lexical evidence agree most, helped by its
   paragraph aids, the question's words that few of its siblings hold and the question's cues
   ("how long" → the paragraph with the period); a sub-paragraph when it
   alone answers, with its paragraph's lead-in; its best clause is marked (bot.search.paragraphs,
   bot.search.highlight).
6. A question whose best dense match stays below a calibrated similarity, with no glossary
   term and no defined term, is declined: the treaty does not address it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bot.encoding.encoders import Encoder, load_query_encoder
from bot.encoding.lexical import tokenize
from bot.index.store import (
    BUILD_HINT,
    IndexNotReady,
    LoadedIndex,
    live_build,
    multilingual_model_copy,
    opened_index,
    query_model_copy,
)
from bot.search import fusion
from bot.search.aids import ParagraphAidWords, SearchAids
from bot.search.chapters import BroadQuestions
from bot.search.concordance import Concordance
from bot.search.cues import Cue, Cues
from bot.search.definitions import DefinedTerms
from bot.search.dense import DenseSpace, dense_article_scores, dense_rankings
from bot.search.dense import similarities as similarities_to
from bot.search.glossary import Glossary, GlossaryMatch, expansion_tokens, glossary_ranking
from bot.search.highlight import Clauses
from bot.search.instruments import Hit, InstrumentSearch
from bot.search.language import detect_language
from bot.search.paragraphs import (
    DistinctiveWords,
    ParagraphAidMatch,
    QuotableUnits,
    Quote,
    closeness,
)
from bot.search.ranking import ArticleRuns
from bot.search.results import Answer, ArticleResult
from bot.search.scope import (
    HISTORY,
    NO_MATCH,
    NOT_LOADED,
    OTHER_INSTRUMENT,
    Scope,
    ScopeExamples,
    Verdict,
)
from bot.settings import Settings
from bot.source.obtain import budapest_url, official_pdf_url, page_link
from bot.treaty.citations import (
    no_such_article,
    no_such_budapest_article,
    no_such_operative_paragraph,
    no_such_paragraph,
)
from bot.treaty.layout import BUDAPEST_ID, CONVENTION_ID, NOTES_ID, RESOLUTION_ID, SYMBOL
from bot.treaty.model import Article, Paragraph, Treaty
from bot.treaty.notes import notes_on
from bot.treaty.references import (
    BUDAPEST_NAMES,
    Reference,
    asks_comparison,
    find_references,
    names_budapest,
    names_resolution,
    resolution_paragraphs,
    without_budapest,
)

MAX_QUESTION_CHARS = 1000


def question_as_read(question: str) -> str:
    """The part of a question retrieval reads: on one line, at most MAX_QUESTION_CHARS."""
    return " ".join(question.split())[:MAX_QUESTION_CHARS]


@dataclass(frozen=True)
class _Question:
    """A question as the signals read it."""

    text: str
    language: str
    weights: Mapping[str, float]
    tokens: list[str]
    glossary: list[GlossaryMatch]
    defining: list[int]  # units that define a term the question asks about
    cues: list[Cue]  # kinds of paragraph the question asks for ("how long" → periods)
    plain: str  # the text, this Convention's full name shortened (`Cues.shortened`)
    embedded: str  # what the embedding models read: a subject a cue names, or else `plain`

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
        self._encoding_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="encode")
        self._aids = SearchAids(index.aids, index.aid_vectors, index.aid_words)
        self._chunks = index.chunks
        self._is_heading = np.array([c.kind == "heading" for c in self._chunks])
        # Article rankings see each paragraph once: not again through its sub-paragraphs.
        self._is_repeat = np.array([c.kind == "subparagraph" for c in self._chunks])
        self._judged = ~self._is_repeat
        self._runs = ArticleRuns.of([c.article for c in self._chunks])
        self._unit_article = np.array([c.article for c in self._chunks])
        self._lead_prior = fusion.LEAD_PARAGRAPH_PRIOR * np.array(
            [c.kind != "heading" and c.paragraph in ("1", None) for c in self._chunks]
        )
        self._defined_terms = DefinedTerms(self._chunks)
        self._cues = Cues.load(self._chunks)
        self._quotable = QuotableUnits(self._chunks, index.treaty)
        self._paragraph_aids = ParagraphAidMatch(
            index.paragraph_aids, self._chunks,
            {"dense": index.paragraph_aid_vectors.vectors,
             "multilingual": index.paragraph_aid_vectors.multilingual},
        )
        # The other languages' are made at their first question: each costs 50 ms of a start.
        self._distinctive = {fusion.ENGLISH: DistinctiveWords(self._chunks, index.paragraph_aids)}
        self._paragraph_aid_words = ParagraphAidWords(
            index.paragraph_aids, index.paragraph_aid_words
        )
        self._clauses = Clauses(index.clauses, [self._clause_text(c) for c in index.clauses])
        self._clause_vectors = {"dense": index.clause_vectors}
        if index.clause_multilingual_vectors is not None:
            self._clause_vectors["multilingual"] = index.clause_multilingual_vectors
        self._scope = Scope.load()
        self._scope_examples = ScopeExamples(
            index.scope_examples,
            {"dense": index.scope_example_vectors.vectors,
             "multilingual": index.scope_example_vectors.multilingual},
        )
        self._broad = BroadQuestions.load()
        self._instruments = InstrumentSearch(index.instruments)
        self._concordance = Concordance.load()
        self._documents = {CONVENTION_ID, NOTES_ID, *self._instruments.documents}
        self._holdings = self._holdings_in_words()
        self._pdf_url = official_pdf_url(index.treaty.source_sha256)
        self._refers_to = {key: tuple(value) for key, value in index.cross_references.items()}
        referred_by: dict[int, set[int]] = {}
        for key, named in index.cross_references.items():
            for number in named:
                referred_by.setdefault(number, set()).add(int(key.split(".")[0]))
        self._referred_by = {n: tuple(sorted(by)) for n, by in referred_by.items()}

    def _holdings_in_words(self) -> str:
        """What the bot holds, for replies about an instrument it does not hold."""
        held = [f"the {self.treaty.title.split(';')[0].strip()} ({self.treaty.symbol}) and its "
                "interpretative notes"]
        if RESOLUTION_ID in self._documents:
            held.append(f"the resolution that adopted it ({SYMBOL})")
        if BUDAPEST_ID in self._documents:
            held.append("the Council of Europe Convention on Cybercrime (Budapest, ETS No. 185)")
        return ", ".join(held[:-1]) + " and " + held[-1] if len(held) > 1 else held[0]

    @classmethod
    def load(cls, settings: Settings) -> Retriever:
        """The retriever over the live build. The models and the language detector load on
        other threads from the moment the build is known (ONNX Runtime releases the GIL), while
        this thread reads the index and builds the retriever's own tables, and the index's
        checksums are verified; nothing is left to load at the first question."""
        build_dir, manifest = live_build(settings.index_dir)
        if manifest.get("model") != settings.embedding_model:
            raise IndexNotReady(
                f"The index was built with {manifest.get('model')}, but "
                f"EMBEDDING_MODEL is {settings.embedding_model}. {BUILD_HINT}"
            )
        multilingual = manifest.get("multilingual_model")
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="load") as pool:
            loading = {"dense": pool.submit(
                load_query_encoder, settings.embedding_model,
                query_model_copy(build_dir, manifest)
            )}
            if multilingual:
                copy = multilingual_model_copy(build_dir, manifest)
                loading["multilingual"] = pool.submit(_multilingual_encoder, multilingual, copy)
            with opened_index(settings.index_dir, (build_dir, manifest)) as index:
                spaces: dict[str, DenseSpace] = {}  # filled in once the models are loaded
                retriever = cls(index, spaces, Glossary.load())
                vectors = {"dense": index.vectors, "multilingual": index.multilingual_vectors}
                spaces.update({name: DenseSpace(future.result(), vectors[name])
                               for name, future in loading.items()
                               if vectors[name] is not None})
        return retriever

    @property
    def treaty(self) -> Treaty:
        return self._index.treaty

    @property
    def manifest(self) -> dict[str, Any]:
        return self._index.manifest

    @property
    def documents(self) -> set[str]:
        """The index's document ids: "convention", "interpretative-notes", and "resolution"
        and "budapest" when loaded."""
        return set(self._documents)

    @property
    def budapest(self) -> Treaty | None:
        return self._index.instruments.budapest

    @property
    def concordance(self) -> Concordance:
        return self._concordance

    @property
    def instruments(self) -> list[dict[str, Any]]:
        """The instruments loaded, each with the sha256 of the file it was read from."""
        return list(self.manifest.get("instruments", []))

    @property
    def source_verified(self) -> bool:
        """False when the index was built from a source of unknown sha256 (--allow-unverified)."""
        return self.manifest.get("verified") is not False

    def ask(self, question: str, k: int = 3) -> Answer:
        question = question_as_read(question)
        answer = self._answer(question, k)
        if answer.results and not answer.comparison and answer.results[0].document == CONVENTION_ID:
            answer = replace(answer, chapter=self._broad.chapter(question))
        return answer if self.source_verified else replace(answer, source_verified=False)

    def _answer(self, question: str, k: int) -> Answer:
        if not question:
            return Answer(question, ())
        verdict = self._scope.judge(question, self._documents, self._holdings)
        if (verdict is not None and verdict.subject == HISTORY
                and RESOLUTION_ID in self._documents and self._scope.about_resolution(question)):
            answer = self._from_resolution(question, k, fusion.RESOLUTION_NAMED_FLOOR)
            if answer is not None:
                return answer
        if verdict is not None:
            if verdict.subject == OTHER_INSTRUMENT and names_budapest(question):
                verdict = replace(verdict, subject=NOT_LOADED, reply=self._scope.not_loaded_reply)
            return self._declined(question, verdict)
        references = [r for r in find_references(question) if not r.loose or self._exists(r)]
        paragraphs = resolution_paragraphs(question)
        if BUDAPEST_ID not in self._documents and any(
            r.document == BUDAPEST_ID for r in references
        ):
            return self._declined(question, Verdict(NOT_LOADED, self._scope.not_loaded_reply))
        if BUDAPEST_ID in self._documents and (
            asks_comparison(question) or self._scope.asks_relation(question, BUDAPEST_NAMES)
        ):
            return self._compare(question, references, k)
        if references or paragraphs:
            return self._lookup(question, references, k, paragraphs)
        if BUDAPEST_ID in self._documents and names_budapest(question):
            return self._search_budapest(question, k)
        return self._search(question, k)

    def article_result(self, number: int, paragraph: str | None = None) -> ArticleResult | None:
        """The verbatim article (or one paragraph of it) as a result, for direct lookups."""
        article = self.treaty.article(number)
        if article is None:
            return None
        chosen = article.paragraph(paragraph) if paragraph else article.paragraphs[0]
        if chosen is None:
            return None
        position = article.paragraphs.index(chosen)
        quote = Quote(-1, chosen, position, None, chosen.text, None, 0, chosen.pages)
        return self._result(article, quote, 1.0)

    def unit_result(
        self, document: str, number: int | None, paragraph: str | None, subparagraph: str | None
    ) -> ArticleResult | None:
        """The result quoting this unit as a search quotes it, or None when the index has no such
        unit: for results recalled without their question (a "More results" button names the
        ranked units). Its score is 0: it was ranked when the question was asked."""
        if document == BUDAPEST_ID:
            return self.budapest_result(number, paragraph, score=0.0) if number else None
        if document == RESOLUTION_ID:
            return self.resolution_result(paragraph, score=0.0) if paragraph else None
        unit = self._quotable.unit_of(number, paragraph, subparagraph) if number else None
        article = self.treaty.article(number) if number else None
        if document != CONVENTION_ID or unit is None or article is None:
            return None
        return self._result(article, self._quotable.quote(unit), 0.0)

    def budapest_result(
        self, number: int, paragraph: str | None = None, unit: int | None = None,
        score: float = 1.0,
    ) -> ArticleResult | None:
        """A Budapest article (one paragraph of it, or the search unit `unit`), verbatim."""
        article = self.budapest.article(number) if self.budapest else None
        if article is None:
            return None
        if unit is not None:
            chosen = article.paragraphs[self._instruments.units[unit].position]
        else:
            chosen = article.paragraph(paragraph) if paragraph else article.paragraphs[0]
        if chosen is None:
            return None
        return ArticleResult(
            document=BUDAPEST_ID, article=number, title=article.title, chapter=article.chapter,
            paragraph=chosen.label, text=chosen.text, score=round(score, 4),
            link=budapest_url(),
        )

    def resolution_result(
        self, label: str | None, position: int = 0, score: float = 1.0
    ) -> ArticleResult | None:
        """An operative paragraph of the resolution (`label`), or its preambular paragraph at
        `position` (`label` None), verbatim, linked to its page of the official PDF."""
        resolution = self._index.instruments.resolution
        if resolution is None:
            return None
        if label is None:
            chosen = resolution.preamble[position] if position < len(resolution.preamble) else None
        else:
            chosen = resolution.paragraph(label)
        if chosen is None:
            return None
        return ArticleResult(
            document=RESOLUTION_ID, article=None, title=f"General Assembly resolution {SYMBOL}",
            chapter="Operative paragraphs" if label else "Preamble", paragraph=chosen.label,
            text=chosen.text, score=round(score, 4), pages=chosen.pages,
            link=page_link(self._pdf_url, chosen.pages[0]) if self._pdf_url and chosen.pages
            else None,
        )

    def _hit_result(self, hit: Hit) -> ArticleResult | None:
        unit = self._instruments.units[hit.unit]
        if unit.document == BUDAPEST_ID:
            return self.budapest_result(unit.article or 0, unit=hit.unit, score=hit.score)
        return self.resolution_result(unit.paragraph, unit.position, hit.score)

    def _declined(self, question: str, verdict: Verdict) -> Answer:
        """No results, the verdict's reply, and the articles that govern its subject."""
        related = tuple(
            result for number in verdict.related if (result := self.article_result(number))
        )
        values = (
            {"instrument": verdict.instrument, "holdings": self._holdings}
            if verdict.instrument
            else {}
        )
        return Answer(
            question, (), reason=verdict.subject, note=verdict.reply, related=related,
            evidence={"declined": [f"{verdict.subject}: {verdict.evidence}"]},
            note_values=values,
        )

    # --- Looking up what a question names ---------------------------------------------------

    def _exists(self, reference: Reference) -> bool:
        """The treaty has the provision (a bare "40 21" is never guessed into another one)."""
        article = self.treaty.article(reference.article)
        return article is not None and (
            reference.paragraph is None or article.paragraph(reference.paragraph) is not None
        )

    def _lookup(
        self, question: str, references: Sequence[Reference], k: int,
        operative: Sequence[str] = (),
    ) -> Answer:
        results: list[ArticleResult] = []
        problems = []
        for label in operative:
            result = self.resolution_result(label)
            if result is None:
                problems.append(no_such_operative_paragraph(label)
                                if RESOLUTION_ID in self._documents
                                else f"This index does not hold resolution {SYMBOL}'s own "
                                     "paragraphs: build it from the official PDF.")
            else:
                results.append(result)
        for reference in references:
            if reference.document == BUDAPEST_ID:
                result = self._budapest_lookup(reference, problems)
            else:
                result = self._convention_lookup(reference, problems)
            if result and all((r.document, r.article) != (result.document, result.article)
                              for r in results):
                results.append(result)
        return Answer(question, tuple(results[:k]), " ".join(problems) or None)

    def _convention_lookup(self, reference: Reference, problems: list[str]):
        article = self.treaty.article(reference.article)
        if article is None:
            problems.append(no_such_article(reference.article))
            return None
        result = self.article_result(reference.article, reference.paragraph)
        if result is None:
            problems.append(no_such_paragraph(article, str(reference.paragraph)))
            result = self.article_result(reference.article)
        return result and replace(result, referred_by=self._referred_by.get(article.number, ()))

    def _budapest_lookup(self, reference: Reference, problems: list[str]):
        article = self.budapest.article(reference.article) if self.budapest else None
        if article is None:
            problems.append(no_such_budapest_article(reference.article))
            return None
        result = self.budapest_result(reference.article, reference.paragraph)
        if result is None:
            missing = no_such_paragraph(article, str(reference.paragraph))
            problems.append(f"Budapest Convention, {missing}")
            result = self.budapest_result(reference.article)
        return result

    def _from_resolution(self, question: str, k: int, floor: float) -> Answer | None:
        """The resolution's paragraphs alone, when the best matches the question at `floor`."""
        query = self._read(question)
        hits = self._instruments.search(RESOLUTION_ID, self._embed(query), query.tokens,
                                        query.judge)
        if not hits or max(hit.cosine for hit in hits) < floor:
            return None
        results = tuple(r for hit in hits[:k] if (r := self._hit_result(hit)))
        return Answer(question, results, evidence=self._evidence(query))

    # --- The Budapest Convention, and comparisons with it -----------------------------------

    def _search_budapest(self, question: str, k: int) -> Answer:
        """A question that names Budapest: its provisions only, best first."""
        query = self._read(question)
        hits = self._instruments.search(BUDAPEST_ID, self._embed(query), query.tokens,
                                        query.judge)
        results = tuple(r for hit in hits[:k] if (r := self._hit_result(hit)))
        return Answer(question, results, evidence=self._evidence(query))

    def _compare(self, question: str, references: Sequence[Reference], k: int) -> Answer:
        """This Convention's provision and its Budapest counterpart side by side: the pair the
        question names, or the best-ranked pair the concordance links (UN rank + Budapest
        rank), each Budapest result with the concordance's note on the difference."""
        named_un = [r.article for r in references
                    if r.document == CONVENTION_ID and self.treaty.article(r.article)]
        named_budapest = [r.article for r in references if r.document == BUDAPEST_ID
                          and self.budapest and self.budapest.article(r.article)]
        query = self._read(question)
        searched = {} if named_un else {
            r.article: r for r in self._search(without_budapest(question), 5).results
            if r.document == CONVENTION_ID
        }
        un_ranked = named_un or list(searched)
        hits = self._instruments.search(BUDAPEST_ID, self._embed(query), query.tokens,
                                        query.judge)
        budapest_ranked = named_budapest or [int(h.provision.split(":")[1]) for h in hits]
        units = {int(h.provision.split(":")[1]): h.unit for h in hits}
        pairs = sorted(
            (i + j, u, b)
            for i, u in enumerate(un_ranked[:5])
            for j, b in enumerate(budapest_ranked[:5])
            if b in self._concordance.counterparts(u) or named_budapest
        )
        order = list(dict.fromkeys(u for _, u, _ in pairs)) or un_ranked[:1]
        results: list[ArticleResult] = []
        for un in order:
            if len(results) >= max(k, 2):
                break
            counterparts = [b for _, u, b in pairs if u == un] + list(
                self._concordance.counterparts(un)
            )
            result = searched.get(un) or self.article_result(un)
            if result is None:
                continue
            results.append(result)
            note = self._concordance.entry(un)
            for number in dict.fromkeys(counterparts):
                paired = self.budapest_result(number, unit=units.get(number))
                if paired and all((r.document, r.article) != (BUDAPEST_ID, number)
                                  for r in results):
                    results.append(replace(paired, compared_with=un,
                                           difference_note=note.note if note else None))
        if not results:
            results = [r for h in hits[:k] if (r := self._hit_result(h))]
        first = results[0] if results and results[0].document == CONVENTION_ID else None
        entry = self._concordance.entry(first.article or 0) if first else None
        note = entry.note if entry and not entry.budapest else None  # "No counterpart: ..."
        return Answer(question, tuple(results), evidence=self._evidence(query), comparison=True,
                      note=note)

    def comparison(self, number: int) -> Answer:
        """`/compare 7`, `treaty-ask --compare 7`: the article, its Budapest counterparts with
        the note on the difference, or the note that it has none."""
        article = self.article_result(number)
        if article is None:
            return Answer(f"compare {number}", (), no_such_article(number))
        entry = self._concordance.entry(number)
        results = [article]
        if self.budapest is not None and entry is not None:
            results += [replace(r, compared_with=number, difference_note=entry.note)
                        for b in entry.budapest if (r := self.budapest_result(b))]
        note = None
        if entry is not None and not entry.budapest:
            note = entry.note
        error = None if self.budapest is not None else self._scope.not_loaded_reply
        return Answer(f"compare {number}", tuple(results), error, comparison=True,
                      note=note)

    # --- Searching --------------------------------------------------------------------------

    def _search(self, question: str, k: int) -> Answer:
        query = self._read(question)
        vectors = self._embed(query)
        similarities = {name: self._spaces[name].similarities(v) for name, v in vectors.items()}
        judge = similarities[query.judge]
        words = query.tokens + expansion_tokens(query.glossary)
        lexical = self._index.lexical.scores(words)
        # Each threshold is applied to the units it was calibrated on: the English ones on the
        # paragraph units (a short sub-paragraph alone scores higher, and let "how to write a
        # will" through), the other languages' floor on all units (README "Abstention").
        judged = self._judged if query.language == fusion.ENGLISH else slice(None)
        best = {space: float(scores[judged].max()) for space, scores in similarities.items()}
        aid_similarities = (
            self._aids.similarities(query.language, vectors["multilingual"])
            if query.language != fusion.ENGLISH and "multilingual" in vectors
            else None
        )
        names_an_aid = aid_similarities is not None and bool(
            len(aid_similarities) and aid_similarities.max() >= fusion.AID_MATCH
        )
        names_a_term = bool(query.glossary or query.defining) or names_an_aid
        resolution = (
            self._instruments.search(RESOLUTION_ID, vectors, query.tokens, query.judge)
            if RESOLUTION_ID in self._documents else []
        )
        named = names_resolution(question)
        aid_cosines = self._aid_cosines(query, vectors)
        aid_best = {space: float(cosines.max()) for space, cosines in aid_cosines.items()}
        described = fusion.describes_a_paragraph(aid_best, best, query.language)
        if not fusion.is_answerable(
            best, best[query.judge], names_a_term or described, query.language
        ):
            if resolution and fusion.resolution_answers(resolution[0].cosine, named):
                results = tuple(r for hit in resolution[:k] if (r := self._hit_result(hit)))
                return Answer(question, results, evidence=self._evidence(query))
            scores = ", ".join(f"{space} {score:.2f}" for space, score in best.items())
            return Answer(
                question, (), reason=NO_MATCH, note=self._scope.default_reply,
                evidence={"declined": [f"best cosine {scores}"]},
            )
        # A question related to the text may still be one of a subject it does not cover. The
        # paragraph aids describe the Convention alone: a question whose answer the resolution
        # gives (it is named, asks what the resolution decides, or the resolution's paragraph
        # is placed among the results) is not judged by them.
        operative = [hit for hit in resolution if ":preamble" not in hit.provision]
        place = fusion.resolution_place(operative[0].cosine, best[query.judge], False, k,
                                        query.language) if operative else None
        if not named and place is None and not self._scope.about_resolution(question) and (
            verdict := self._outside_the_text(query, vectors, aid_best)
        ):
            return self._declined(question, verdict)
        rankings = self._rankings(
            query, vectors, similarities, lexical, aid_similarities, aid_cosines
        )
        # Each article's best paragraph aid, per space: a fused signal and the aid lead below.
        article_aids = {
            space: self._runs.best(np.where(self._is_repeat, -np.inf, cosines))
            for space, cosines in aid_cosines.items()
        }
        scored, scale = fusion.score_fused(query.language)
        fused = fusion.fuse(
            rankings, self._article_scores(scored, similarities, lexical, article_aids),
            self._runs.articles.tolist(), query.weights, scale,
        )
        agreement = fusion.agreement(judge, lexical)
        fused = fusion.rescored(fused, lambda number: self._quotable.best_score(number, agreement))
        fused = fusion.cued(fused, self._cues.articles(query.cues))
        fused = fusion.before_counterparts(fused, self._cues.counterparts(question))
        if query.judge in article_aids:
            fused = fusion.aid_led(fused, dict(zip(
                self._runs.articles.tolist(), article_aids[query.judge].tolist(), strict=True
            )))
        units = fusion.unit_scores(
            judge, lexical, self._lead_prior, query.defining, self._cues.units(query.cues),
            self._aid_closeness(query, vectors, aid_cosines),
            self._distinctive_scores(query, words), query.language,
        )
        clauses = self._clauses.scores(
            similarities_to(self._clause_vectors[query.judge], vectors[query.judge]), words
        )
        whole = Cues.asks_main_rule(query.cues)
        articles = fusion.top_articles(fused, k)
        results = tuple(
            self._best_paragraph(article, fused[article], units, judge, clauses, whole)
            for article in articles
        )
        evidence = self._evidence(query)
        # Which results the abstention test would answer with on their own: paging ends where
        # they stop being relevant.
        evidence["relevant"] = [
            str(article) for article in articles
            if self._relevant(article, similarities, judged, names_a_term, query)
        ]
        if named:
            first = [r for hit in resolution[:fusion.NAMED_PARAGRAPHS]
                     if hit.cosine >= fusion.RESOLUTION_NAMED_FLOOR
                     and (r := self._hit_result(hit))]
            results = (*first, *results)[:k]
        elif place is not None:
            paragraph = self._hit_result(operative[0])
            if paragraph is not None:
                results = (*results[:place], paragraph, *results[place:])[:k]
        return Answer(question, results, evidence=evidence)

    def _outside_the_text(
        self, query: _Question, vectors: dict[str, np.ndarray], aid_best: dict[str, float]
    ) -> Verdict | None:
        """The verdict of the question's closest scope example when it is much closer to it
        than to any paragraph aid (`fusion.outside_the_text`) and its subject lets examples
        decide (`Scope.example_verdict`), or None."""
        closest = {space: found for space in aid_best
                   if (found := self._scope_examples.closest(space, vectors[space]))}
        if not fusion.outside_the_text(
            {space: found.cosine for space, found in closest.items()}, aid_best, query.language
        ):
            return None
        nearest = closest.get(query.judge) or next(iter(closest.values()))
        evidence = (f"closest to the example {nearest.example.text!r} ({nearest.cosine:.2f}; "
                    f"closest paragraph aid {aid_best.get(query.judge, 0.0):.2f})")
        return self._scope.example_verdict(nearest.example, query.plain, evidence)

    def _relevant(
        self,
        article: int,
        similarities: dict[str, np.ndarray],
        judged: slice | np.ndarray,
        names_a_term: bool,
        query: _Question,
    ) -> bool:
        """Whether the article alone passes the abstention test (`fusion.is_answerable`)."""
        mask = self._unit_article == article
        if not isinstance(judged, slice):
            mask &= judged
        if not mask.any():
            return False
        best = {space: float(scores[mask].max()) for space, scores in similarities.items()}
        return fusion.is_answerable(best, best[query.judge], names_a_term, query.language)

    def _read(self, question: str) -> _Question:
        """The question's language and the signals' view of its words."""
        language = detect_language(question) if "multilingual" in self._spaces else "en"
        weights = fusion.signal_weights(language)
        tokens = tokenize(question)
        cues = self._cues.matching(question)
        plain = self._cues.shortened(question)
        subject = Cues.subject_named(question, cues)
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
            cues=cues,
            plain=plain,
            embedded=self._cues.shortened(subject) if subject else plain,
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
            name: self._encoding_pool.submit(self._spaces[name].embed, query.embedded)
            for name in elsewhere
        }
        vector = self._spaces[here].embed(query.embedded)
        return {name: pending[name].result() if name in pending else vector for name in names}

    def _distinctive_scores(self, query: _Question, words: Sequence[str]) -> np.ndarray | None:
        """`words`: the question's English words (with the glossary's), for an English one."""
        if query.language == fusion.ENGLISH:
            return self._distinctive[fusion.ENGLISH].scores(words)
        if query.language not in self._index.paragraph_aid_words:  # no aids in that language
            return None
        if (distinctive := self._distinctive.get(query.language)) is None:
            distinctive = DistinctiveWords(self._chunks, self._index.paragraph_aids, query.language)
            self._distinctive[query.language] = distinctive
        return distinctive.scores(distinctive.tokens(query.text))

    def _aid_cosines(
        self, query: _Question, vectors: dict[str, np.ndarray]
    ) -> dict[str, np.ndarray]:
        """Each unit's best paragraph-aid cosine in each space the question is read in: both
        for English, only the multilingual one otherwise (the English model reads other
        languages near chance), where the aids in the question's language join the English
        ones."""
        spaces = vectors if query.language == fusion.ENGLISH else [query.judge]
        cosines = {
            space: self._paragraph_aids.cosines(space, vectors[space], query.language)
            for space in spaces
        }
        return {space: values for space, values in cosines.items() if values is not None}

    def _aid_closeness(
        self, query: _Question, vectors: dict[str, np.ndarray],
        aid_cosines: Mapping[str, np.ndarray],
    ) -> list[np.ndarray]:
        """In each space of `aid_cosines`, how close each unit's aids come to the question: among
        its article's units for an English question, among all units otherwise."""
        if query.language != fusion.ENGLISH:
            return [closeness(cosines) for cosines in aid_cosines.values()]
        return [
            within for space in aid_cosines
            if (within := self._paragraph_aids.within_article(space, vectors[space])) is not None
        ]

    def _rankings(
        self,
        query: _Question,
        vectors: dict[str, np.ndarray],
        similarities: dict[str, np.ndarray],
        lexical: np.ndarray,
        aid_similarities: np.ndarray | None,
        aid_cosines: Mapping[str, np.ndarray],
    ) -> dict[str, list[int]]:
        """One article ranking per signal."""
        rankings = {
            "lexical": self._runs.rank_positive(np.where(self._is_repeat, 0.0, lexical)),
            "glossary": glossary_ranking(query.glossary),
            "definition": list(dict.fromkeys(self._chunks[i].article for i in query.defining)),
            "paragraph_aid_words": self._paragraph_aid_words.ranking(query.text, query.language),
        }
        if query.language != fusion.ENGLISH:
            rankings |= self._aids.rankings(
                query.text, query.language, vectors["multilingual"], aid_similarities
            )
        for name, similarity in similarities.items():
            rankings |= dense_rankings(
                name, np.where(self._is_repeat, -np.inf, similarity), self._is_heading, self._runs
            )
        for space, cosines in aid_cosines.items():
            rankings[f"{space}_paragraph_aids"] = self._runs.rank(
                np.where(self._is_repeat, -np.inf, cosines)
            )
        return rankings

    def _article_scores(
        self,
        scored: Sequence[str],
        similarities: dict[str, np.ndarray],
        lexical: np.ndarray,
        article_aids: Mapping[str, np.ndarray],
    ) -> dict[str, np.ndarray]:
        """Each article's score for each of the `scored` signals (`article_aids`: each
        article's best paragraph aid, per space)."""
        scores = {"lexical": self._runs.best(np.where(self._is_repeat, 0.0, lexical))}
        for name, similarity in similarities.items():
            scores |= dense_article_scores(
                name, np.where(self._is_repeat, -np.inf, similarity), self._is_heading, self._runs
            )
        for space, best in article_aids.items():
            scores[f"{space}_paragraph_aids"] = best
        return {name: values for name, values in scores.items() if name in scored}

    def _best_paragraph(
        self,
        number: int,
        score: float,
        unit_scores: np.ndarray,
        dense: np.ndarray,
        clause_scores: np.ndarray,
        whole: bool = False,
    ) -> ArticleResult:
        """The article's result: its best unit quoted (a paragraph `whole` if so asked), its
        best clause marked, and its other paragraphs that the judging space finds nearly as
        close."""
        article = self.treaty.article(number)
        assert article is not None
        unit = self._quotable.choose(number, unit_scores, whole)
        quote = self._quotable.quote(unit)
        highlight = self._clauses.best(
            number, quote.paragraph_index, quote.offset, len(quote.text), clause_scores
        )
        return self._result(
            article, quote, score, highlight, self._quotable.also(number, unit, dense)
        )

    def _result(
        self,
        article: Article,
        quote: Quote,
        score: float,
        highlight: tuple[int, int] | None = None,
        also: tuple[str, ...] = (),
    ) -> ArticleResult:
        label = quote.paragraph.label
        return ArticleResult(
            document=CONVENTION_ID,
            article=article.number,
            title=article.title,
            chapter=article.chapter,
            paragraph=label,
            text=quote.text,
            score=round(score, 4),
            subparagraph=quote.subparagraph,
            lead_in=quote.lead_in,
            highlight=highlight,
            also=also,
            pages=quote.pages,
            link=page_link(self._pdf_url, quote.pages[0]) if self._pdf_url and quote.pages
            else None,
            notes=notes_on(
                self.treaty.notes, article.number, label, quote.subparagraph,
                f"{quote.lead_in or ''}\n{quote.text}",
            ),
            refers_to=self._refers_to.get(f"{article.number}.{quote.paragraph_index}", ()),
            counterparts=self._concordance.counterparts(article.number)
            if BUDAPEST_ID in self._documents else (),
        )

    def _evidence(self, query: _Question) -> dict[str, list[str]]:
        """What the answer rests on, for `treaty-eval --show-misses`."""
        return {
            "language": [query.language],
            "glossary": [
                f"{m.term} → {', '.join(map(str, m.entry.articles))}" for m in query.glossary
            ],
            "defined_terms": [
                self._chunks[i].text.split("“")[1].split("”")[0] for i in query.defining
            ],
            "cues": [cue.id for cue in query.cues],
        }

    def _clause_text(self, clause) -> str:
        paragraph: Paragraph = self.treaty.article(clause.article).paragraphs[clause.paragraph]
        return paragraph.text[clause.start : clause.end]


def _multilingual_encoder(name: str, copy: Path | None) -> Encoder:
    """The multilingual model, warmed up (first-call allocations, the weights' pages read in),
    and the language detector that routes questions to it."""
    encoder = load_query_encoder(name, copy)
    encoder.encode(["warm-up"])
    detect_language("warm-up question")
    return encoder
