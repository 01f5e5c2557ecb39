"""Retrieval quality and latency over a question file (format: ../shared/eval/README.md).

Gold paragraphs are written "40.21" (Article 40, paragraph 21), "2(h)" (Article 2,
sub-paragraph (h), for an article printed without numbered paragraphs), "47.1(c)" (Article 47,
paragraph 1 (c)) or "10" (the whole of Article 10). A quotation hits a gold provision when one
lies within the other: quoting paragraph 1 (c) hits "47.1", quoting the whole of Article 13
hits "13(c)", any quotation from Article 41 hits "41" (tests/data/README.md).

Gold references across instruments are written `"refs": ["convention:25", "resolution:11",
"resolution:preamble", "budapest:16"]`; `"both": true` (a comparison) asks for every one of
them among the first 5 results, otherwise one among the first 3 is a hit (`hit@3`).
"""

from __future__ import annotations

import json
import math
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.search.results import Answer, ArticleResult
from bot.treaty.layout import BUDAPEST_ID, CONVENTION_ID, RESOLUTION_ID

EVAL_K = 10
_GOLD = re.compile(r"^(\d+)(?:\.(\d+))?(?:\s?\(([a-z]+)\))?$")
_REF = re.compile(rf"^(?:({CONVENTION_ID}|{BUDAPEST_ID}):\d+|{RESOLUTION_ID}:(?:\d+|preamble))$")
HIT_AT = 3  # a question with `refs` is a hit when a gold ref is among this many results
BOTH_AT = 5  # ... and a comparison (`both`) when all of them are among this many


@dataclass(frozen=True)
class Provision:
    """A gold provision or a quotation's: article, numbered paragraph, lettered sub-paragraph."""

    article: int
    paragraph: str | None = None
    subparagraph: str | None = None

    @classmethod
    def parse(cls, gold: str) -> Provision:
        match = _GOLD.match(gold.strip())
        if match is None:
            raise ValueError(f"not a provision: {gold!r} (write 40.21, 2(h), 47.1(c) or 10)")
        return cls(int(match.group(1)), match.group(2), match.group(3))

    def answered_by(self, quoted: Provision) -> bool:
        """Whether a quotation of `quoted` contains this provision or lies within it."""
        return (
            quoted.article == self.article
            and self.paragraph in (None, quoted.paragraph)
            and (self.subparagraph is None or quoted.subparagraph in (None, self.subparagraph))
        )


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    articles: tuple[int, ...]
    paragraphs: tuple[str, ...]
    kind: str
    lang: str
    subkind: str | None = None  # for an out-of-scope question: a near-miss's kind
    refs: tuple[str, ...] = ()  # gold across instruments: "resolution:12", "budapest:2"
    both: bool = False  # a comparison: every ref must be answered

    @property
    def in_scope(self) -> bool:
        return bool(self.articles or self.refs)

    @property
    def gold(self) -> tuple[str, ...]:
        """The gold as refs: `refs`, or `articles` as this Convention's."""
        return self.refs or tuple(f"{CONVENTION_ID}:{a}" for a in self.articles)

    @property
    def gold_provisions(self) -> tuple[Provision, ...]:
        return tuple(Provision.parse(p) for p in self.paragraphs)


def load_questions(path: Path) -> list[Question]:
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            questions.append(
                Question(
                    id=str(raw["id"]),
                    question=raw["question"],
                    articles=tuple(raw.get("articles", ())),
                    paragraphs=tuple(raw.get("paragraphs", ())),
                    kind=raw.get("kind", "lay"),
                    lang=raw.get("lang", "en"),
                    subkind=raw.get("subkind"),
                    refs=tuple(raw.get("refs", ())),
                    both=bool(raw.get("both", False)),
                )
            )
            for gold in questions[-1].paragraphs:  # a malformed label fails on load
                Provision.parse(gold)
            for ref in questions[-1].refs:
                if not _REF.match(ref):
                    raise ValueError(f"not a ref: {ref!r} (write convention:25, "
                                     "resolution:12, resolution:preamble or budapest:16)")
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"{path}:{number}: not a question object ({error})") from error
    return questions


@dataclass(frozen=True)
class Outcome:
    question: Question
    answer: Answer
    milliseconds: float

    @property
    def ranked_articles(self) -> list[int | None]:
        """This Convention's article of each result (None for another instrument's)."""
        return [r.article if r.document == CONVENTION_ID else None for r in self.answer.results]

    @property
    def ranked_refs(self) -> list[str]:
        return [result_ref(r) for r in self.answer.results]

    def first_gold_rank(self) -> int | None:
        gold = self.question.gold
        ranks = [i for i, ref in enumerate(self.ranked_refs, 1) if ref in gold]
        return ranks[0] if ranks else None

    def hit(self) -> bool:
        """A gold ref among the first HIT_AT results; for a comparison, all among BOTH_AT."""
        if self.question.both:
            return set(self.question.gold) <= set(self.ranked_refs[:BOTH_AT])
        rank = self.first_gold_rank()
        return rank is not None and rank <= HIT_AT


def result_ref(result: ArticleResult) -> str:
    """"convention:25", "budapest:16", "resolution:11", "resolution:preamble"."""
    if result.document == RESOLUTION_ID:
        return f"{RESOLUTION_ID}:{result.paragraph or 'preamble'}"
    return f"{result.document}:{result.article}"


def run(ask: Callable[[str, int], Answer], questions: Sequence[Question]) -> list[Outcome]:
    outcomes = []
    for question in questions:
        started = time.perf_counter()
        answer = ask(question.question, EVAL_K)
        outcomes.append(Outcome(question, answer, (time.perf_counter() - started) * 1000))
    return outcomes


def metrics(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    in_scope = [o for o in outcomes if o.question.in_scope]
    out_of_scope = [o for o in outcomes if not o.question.in_scope]
    near_misses = [o for o in out_of_scope if o.question.subkind]
    with_paragraphs = [o for o in in_scope if o.question.paragraphs]
    with_refs = [o for o in in_scope if o.question.refs]
    comparisons = [o for o in with_refs if o.question.both]
    ranks = [o.first_gold_rank() for o in in_scope]

    def share(hits: Sequence[bool]) -> float:
        return round(sum(hits) / len(hits), 4) if hits else 0.0

    def recall(k: int) -> float:
        return share([r is not None and r <= k for r in ranks])

    latencies = sorted(o.milliseconds for o in outcomes)
    return {
        "n": len(outcomes),
        "recall@1": recall(1),
        "recall@3": recall(3),
        "recall@5": recall(5),
        "mrr@10": round(sum(1 / r for r in ranks if r and r <= 10) / len(ranks), 4)
        if ranks
        else 0.0,
        "paragraph_hit@1": share([_paragraph_hit(o, 1) for o in with_paragraphs]),
        "paragraph_hit@3": share([_paragraph_hit(o, 3) for o in with_paragraphs]),
        "hit@3": share([o.hit() for o in with_refs]),
        "both@5": share([o.hit() for o in comparisons]),
        "in_scope_answer_rate": share([not o.answer.abstained for o in in_scope]),
        "oos_abstain_rate": share([o.answer.abstained for o in out_of_scope]),
        "nearmiss_abstain_rate": share([o.answer.abstained for o in near_misses]),
        "easy_oos_abstain_rate": share(
            [o.answer.abstained for o in out_of_scope if not o.question.subkind]
        ),
        "p50_ms": round(statistics.median(latencies), 2) if latencies else 0.0,
        "p95_ms": round(_percentile(latencies, 0.95), 2) if latencies else 0.0,
        "misses": [o.question.id for o, r in zip(in_scope, ranks, strict=True)
                   if r is None or r > 5 or (o.question.both and not o.hit())],
    }


def metrics_by_language(outcomes: Sequence[Outcome]) -> dict[str, dict[str, Any]]:
    languages = sorted({o.question.lang for o in outcomes})
    return {
        lang: metrics([o for o in outcomes if o.question.lang == lang]) for lang in languages
    }


def _paragraph_hit(outcome: Outcome, k: int) -> bool:
    """Whether one of the first `k` results quotes a gold provision."""
    quoted = [
        Provision(r.article, r.paragraph, r.subparagraph)
        for r in outcome.answer.results[:k] if r.document == CONVENTION_ID and r.article
    ]
    return any(
        gold.answered_by(q) for gold in outcome.question.gold_provisions for q in quoted
    )


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile."""
    return sorted_values[max(0, math.ceil(fraction * len(sorted_values)) - 1)]
