"""The evaluator's metrics, checked against hand-computed values."""

import json

import pytest

from bot.search.evaluation import Outcome, Provision, Question, load_questions, metrics
from bot.search.results import Answer, ArticleResult


def outcome(articles: tuple[int, ...], ranked: list[tuple[int, str | None]], ms: float,
            paragraphs: tuple[str, ...] = (), subkind: str | None = None) -> Outcome:
    question = Question("q", "?", articles, paragraphs, "lay", "en", subkind)
    return Outcome(question, Answer("?", tuple(result(a, p) for a, p in ranked)), ms)


def result(article: int, paragraph: str | None) -> ArticleResult:
    return ArticleResult("convention", article, "t", "c", paragraph, "text", 1.0)


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
    assert figures["paragraph_hit@1"] == 0.5
    assert figures["paragraph_hit@3"] == 0.5
    assert figures["in_scope_answer_rate"] == 1.0
    assert figures["oos_abstain_rate"] == 0.5
    assert figures["p50_ms"] == 30.0
    assert figures["p95_ms"] == 50.0
    assert figures["misses"] == ["q"]


def test_paragraph_hit_at_1_only_counts_the_first_result() -> None:
    figures = metrics([
        outcome((9,), [(9, "2"), (9, "1")], 1.0, ("9.1",)),
        outcome((9,), [(9, "1")], 1.0, ("9.1",)),
    ])
    assert (figures["paragraph_hit@1"], figures["paragraph_hit@3"]) == (0.5, 1.0)


def test_near_misses_and_easy_out_of_scope_questions_are_counted_apart() -> None:
    figures = metrics([
        outcome((), [], 1.0, subkind="status"),
        outcome((), [(64, "1")], 1.0, subkind="status"),
        outcome((), [], 1.0),
    ])
    assert figures["nearmiss_abstain_rate"] == 0.5
    assert figures["easy_oos_abstain_rate"] == 1.0
    assert figures["oos_abstain_rate"] == round(2 / 3, 4)


@pytest.mark.parametrize(
    ("gold", "quoted", "hit"),
    [
        ("40.21", Provision(40, "21"), True),
        ("40.21", Provision(40, "2"), False),
        ("47.1", Provision(47, "1", "c"), True),  # a sub-paragraph of the gold paragraph
        ("47.1(c)", Provision(47, "1"), True),  # the whole paragraph holds the gold item
        ("47.1(c)", Provision(47, "1", "d"), False),
        ("2(h)", Provision(2, None, "h"), True),
        ("2(h)", Provision(2, None, "e"), False),
        ("13(c)", Provision(13), True),  # Article 13 quoted whole
        ("41", Provision(41, "3"), True),  # the whole article
        ("41", Provision(40, "3"), False),
    ],
)
def test_a_quotation_hits_a_gold_provision_when_one_lies_within_the_other(
    gold: str, quoted: Provision, hit: bool
) -> None:
    assert Provision.parse(gold).answered_by(quoted) is hit


def test_a_malformed_gold_label_is_refused_on_load(tmp_path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "?", "articles": [2],
                                "paragraphs": ["2.h"]}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"q\.jsonl:1"):
        load_questions(path)


def ref_outcome(refs: tuple[str, ...], ranked: list[tuple[str, int | None, str | None]],
                both: bool = False) -> Outcome:
    question = Question("q", "?", (), (), "compare" if both else "lay", "en", refs=refs,
                        both=both)
    results = tuple(ArticleResult(d, a, "t", "c", p, "text", 1.0) for d, a, p in ranked)
    return Outcome(question, Answer("?", results), 1.0)


def test_refs_across_instruments_give_hit_at_3_and_both_at_5() -> None:
    figures = metrics([
        ref_outcome(("resolution:12",), [("convention", 12, "1"), ("resolution", None, "12")]),
        ref_outcome(("budapest:2",), [("convention", 2, None)] * 3 + [("budapest", 2, None)]),
        ref_outcome(("convention:7", "budapest:2"),
                    [("convention", 7, "1"), ("budapest", 2, None)], both=True),
        ref_outcome(("convention:7", "budapest:2"), [("convention", 7, "1")], both=True),
        ref_outcome(("resolution:preamble",), [("resolution", None, None)]),
    ])
    # A Budapest or resolution result never counts as this Convention's article of that number.
    assert figures["hit@3"] == round(3 / 5, 4)
    assert figures["both@5"] == 0.5
    assert figures["recall@1"] == round(3 / 5, 4)  # the comparisons' UN article is first


def test_a_malformed_ref_is_refused_on_load(tmp_path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"id": "x", "question": "?", "refs": ["budapest-2"]}) + "\n")
    with pytest.raises(ValueError, match="not a ref"):
        load_questions(path)
    path.write_text(json.dumps({"id": "x", "question": "?", "refs": ["resolution:12"],
                                "both": False}) + "\n")
    (question,) = load_questions(path)
    assert question.in_scope and question.gold == ("resolution:12",)
