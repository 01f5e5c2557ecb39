"""The evaluator's metrics, checked against hand-computed values."""

from bot.search.evaluation import Outcome, Question, metrics
from bot.search.results import Answer, ArticleResult


def outcome(articles: tuple[int, ...], ranked: list[tuple[int, str | None]], ms: float,
            paragraphs: tuple[str, ...] = ()) -> Outcome:
    question = Question("q", "?", articles, paragraphs, "lay", "en")
    results = tuple(
        ArticleResult("convention", a, "t", "c", p, "text", 1.0) for a, p in ranked
    )
    return Outcome(question, Answer("?", results), ms)


def test_metrics_match_hand_computed_values() -> None:
    outcomes = [
        outcome((7,), [(7, "1"), (8, None)], 10.0, ("7.1",)),  # rank 1, paragraph hit
        outcome((9,), [(1, None), (2, None), (9, "2")], 20.0, ("9.1",)),  # rank 3, no hit
        outcome((5,), [(1, None)] + [(n, None) for n in range(10, 20)], 30.0),  # miss
        outcome((), [], 40.0),  # out of scope, declined
        outcome((), [(3, None)], 50.0),  # out of scope, answered
    ]
    figures = metrics(outcomes)
    assert figures["n"] == 5
    assert figures["recall@1"] == round(1 / 3, 4)
    assert figures["recall@3"] == round(2 / 3, 4)
    assert figures["mrr@10"] == round((1 + 1 / 3) / 3, 4)
    assert figures["paragraph_hit@3"] == 0.5
    assert figures["in_scope_answer_rate"] == 1.0
    assert figures["oos_abstain_rate"] == 0.5
    assert figures["p50_ms"] == 30.0
    assert figures["p95_ms"] == 50.0
    assert figures["misses"] == ["q"]
