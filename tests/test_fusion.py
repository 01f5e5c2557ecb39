"""The fusion rules on small hand-made inputs: reciprocal rank fusion, score fusion of
standardised signals, the choice of the top articles, declining, the quoted unit's score, and
article rankings from rows."""

from __future__ import annotations

import numpy as np
import pytest

from bot.search import fusion
from bot.search.ranking import ArticleRuns


def test_rrf_sums_weighted_reciprocal_ranks() -> None:
    rankings = {"a": [7, 8], "b": [8, 9]}
    fused = fusion.reciprocal_rank_fusion(rankings, {"a": 1.0, "b": 0.5}, k=10)
    assert fused[7] == pytest.approx(1 / 11)
    assert fused[8] == pytest.approx(1 / 12 + 0.5 / 11)
    assert fused[9] == pytest.approx(0.5 / 12)


def test_a_signal_without_weight_takes_no_part() -> None:
    fused = fusion.reciprocal_rank_fusion({"a": [7], "unweighted": [9]}, {"a": 1.0})
    assert fusion.top_articles(fused, 5) == [7]


def test_standardized_scores_and_a_missing_unit_counting_as_the_lowest() -> None:
    assert fusion.standardized(np.array([1.0, 2.0, 3.0])) == pytest.approx([-1.2247, 0, 1.2247],
                                                                          abs=1e-4)
    assert fusion.standardized(np.array([0.5, 0.5])) == pytest.approx([0.0, 0.0])
    with_missing = fusion.standardized(np.array([1.0, -np.inf, 3.0]))
    assert with_missing[1] == with_missing[0] < with_missing[2]


def test_score_fusion_prefers_one_signal_far_ahead_to_two_close_seconds() -> None:
    """RRF would put article 7 (second twice) level with 25 (first once, far behind once):
    by scores, 25's lead in "a" outweighs its small gap in "b"."""
    articles = [7, 25, 40]
    scores = {"a": np.array([0.50, 0.80, 0.45]), "b": np.array([0.62, 0.60, 0.40])}
    fused = fusion.score_fusion(scores, articles, {"a": 1.0, "b": 1.0}, scale=1.0)
    assert fusion.top_articles(fused, 3) == [25, 7]  # the last scores zero: no evidence above
    rrf = fusion.reciprocal_rank_fusion({"a": [25, 7, 40], "b": [7, 25, 40]}, {"a": 1, "b": 1})
    assert rrf[7] == pytest.approx(rrf[25])


def test_english_fuses_all_scoring_signals_by_score_the_other_languages_one() -> None:
    english, english_scale = fusion.score_fused("en")
    other, other_scale = fusion.score_fused("zh")
    assert {"dense_paragraph", "lexical"} <= set(english)
    assert other == ("multilingual_paragraph",) and other_scale < english_scale
    assert set(other) <= set(fusion.signal_weights("zh"))  # a score-fused signal is weighed


def test_fuse_adds_rank_fusion_of_the_signals_without_scores() -> None:
    articles = [7, 25]
    scores = {"a": np.array([0.2, 0.4])}
    weights = {"a": 1.0, "glossary": 1.0}
    fused = fusion.fuse({"a": [7, 25], "glossary": [7]}, scores, articles, weights)
    by_scores = fusion.score_fusion(scores, articles, weights)
    assert fused[25] == pytest.approx(by_scores[25])  # "a"'s ranking is not counted twice
    assert fused[7] == pytest.approx(by_scores[7] + 1 / (fusion.RRF_K + 1))


def test_rescoring_raises_only_the_first_articles_by_their_best_unit() -> None:
    fused = {7: 0.50, 25: 0.48, 40: 0.10}
    best_unit = {7: 0.8, 25: 2.0, 40: 2.0}
    raised = fusion.rescored(fused, best_unit.__getitem__, n=2, weight=0.05)
    assert raised[25] == pytest.approx(0.48 + 0.1) and raised[7] == pytest.approx(0.54)
    assert raised[40] == 0.10  # outside the first two: not rescored
    assert fusion.top_articles(raised, 3) == [25, 7, 40]


def test_agreement_scales_each_signal_to_its_best_unit() -> None:
    assert fusion.agreement(np.array([0.2, 0.4]), np.array([3.0, 0.0])) == pytest.approx(
        [0.5 + 1.0, 1.0]
    )
    assert fusion.agreement(np.array([0.2, 0.4]), np.zeros(2)) == pytest.approx([0.5, 1.0])


def test_top_articles_breaks_ties_by_article_number_and_cuts_at_k() -> None:
    fused = {12: 0.2, 3: 0.2, 5: 0.5, 9: 0.0}
    assert fusion.top_articles(fused, 5) == [5, 3, 12]
    assert fusion.top_articles(fused, 2) == [5, 3]


@pytest.mark.parametrize(
    ("best", "judge", "names_a_term", "answerable"),
    [
        ({"dense": 0.35, "multilingual": 0.20}, 0.35, False, True),
        ({"dense": 0.37, "multilingual": 0.14}, 0.37, False, False),  # one space sees nothing
        ({"dense": 0.25, "multilingual": 0.10}, 0.25, True, True),  # a named term, above floor
        ({"dense": 0.15, "multilingual": 0.10}, 0.15, True, False),  # a named term, too far
        ({"multilingual": 0.17}, 0.17, False, True),  # only the multilingual space is asked
    ],
)
def test_declining(best: dict, judge: float, names_a_term: bool, answerable: bool) -> None:
    assert fusion.is_answerable(best, judge, names_a_term) is answerable


def test_a_question_close_to_a_paragraph_aid_in_every_space_names_a_term() -> None:
    best = {"dense": 0.28, "multilingual": 0.15}  # declined on the treaty's words alone
    near = fusion.PARAGRAPH_AID_ANSWERS["en"]
    assert fusion.describes_a_paragraph({"dense": 0.70, "multilingual": near}, best)
    assert not fusion.describes_a_paragraph({"dense": 0.70, "multilingual": near - 0.01}, best)
    assert not fusion.describes_a_paragraph({"dense": 0.90}, best)  # one space did not look
    assert fusion.is_answerable(best, 0.28, True) and not fusion.is_answerable(best, 0.28, False)


def test_another_language_needs_a_close_aid_only_in_the_space_it_is_read_in() -> None:
    best = {"dense": 0.05, "multilingual": 0.15}  # below the other languages' floor
    near = fusion.PARAGRAPH_AID_ANSWERS["other"]
    assert near < fusion.PARAGRAPH_AID_ANSWERS["en"]  # English aids sit lower for them
    assert fusion.describes_a_paragraph({"multilingual": near}, best, "ru")
    assert not fusion.describes_a_paragraph({"multilingual": near - 0.01}, best, "ru")
    assert not fusion.describes_a_paragraph({}, best, "ru")
    assert not fusion.describes_a_paragraph({"multilingual": near}, best)  # English reads both


def test_a_question_far_closer_to_a_scope_example_than_to_any_aid_is_outside_the_text() -> None:
    english, other = fusion.SCOPE_EXAMPLE_MARGIN["en"], fusion.SCOPE_EXAMPLE_MARGIN["other"]
    aids = {"dense": 0.60, "multilingual": 0.50}
    ahead = {"dense": 0.61 + english, "multilingual": 0.51 + english}
    assert fusion.outside_the_text(ahead, aids)
    assert not fusion.outside_the_text({**ahead, "multilingual": 0.49}, aids)  # every space
    assert not fusion.outside_the_text({}, aids)  # an index without examples
    # Another language is read in the multilingual space alone, where its own-language
    # examples sit closer than the English aids: it needs the larger lead.
    assert other > english
    assert not fusion.outside_the_text({"multilingual": 0.51 + english}, aids, "fr")
    assert fusion.outside_the_text({"multilingual": 0.51 + other}, aids, "fr")


def test_unit_scores_scale_each_signal_to_its_best_unit() -> None:
    dense = np.array([0.2, 0.4, 0.1])
    lexical = np.array([0.0, 1.0, 4.0])
    prior = np.array([0.15, 0.0, 0.0])
    scores = fusion.unit_scores(dense, lexical, prior)
    assert scores == pytest.approx([0.5 + 0.15, 1.0 + 0.25, 0.25 + 1.0])


def test_unit_scores_without_a_lexical_match_and_with_a_definition() -> None:
    dense = np.array([0.2, 0.4])
    scores = fusion.unit_scores(dense, np.zeros(2), np.zeros(2), defining=[0])
    assert scores == pytest.approx([0.5 + fusion.DEFINITION_BOOST, 1.0])


def test_weights_for_english_and_the_other_languages() -> None:
    assert "glossary" in fusion.signal_weights("en")
    assert "glossary" not in fusion.signal_weights("fr")
    assert fusion.signal_weights("zh") is fusion.signal_weights("ar")


def test_article_runs_rank_by_the_best_row() -> None:
    runs = ArticleRuns.of([1, 1, 2, 2, 2, 5])
    assert runs.rank(np.array([0.1, 0.3, 0.2, 0.9, 0.0, 0.5])) == [2, 5, 1]
    assert runs.rank(np.array([0.1, -np.inf, -np.inf, -np.inf, -np.inf, 0.0])) == [1, 5]
    assert runs.rank_positive(np.array([0.0, 0.0, 0.0, 2.0, 0.0, 0.0])) == [2]


def test_article_runs_break_ties_by_position_and_handle_no_rows() -> None:
    assert ArticleRuns.of([4, 3]).rank(np.array([0.5, 0.5])) == [4, 3]
    assert ArticleRuns.of([]).rank(np.array([])) == []


def test_a_resolution_paragraph_joins_convention_results_only_when_named_or_closer() -> None:
    from bot.search.fusion import resolution_answers, resolution_place

    assert resolution_place(0.30, 0.70, named=True, k=3) == 0  # the question names it
    assert resolution_place(0.20, 0.70, named=True, k=3) is None  # ... but it is far off
    assert resolution_place(0.81, 0.70, named=False, k=3) == 0  # clearly closer: first
    assert resolution_place(0.72, 0.70, named=False, k=3) == 2  # about as close: third
    assert resolution_place(0.72, 0.70, named=False, k=1) == 0
    assert resolution_place(0.69, 0.70, named=False, k=3) is None  # the Convention's subject
    assert resolution_place(0.90, 0.70, named=False, k=3, language="fr") is None
    assert resolution_answers(0.45, named=False) and not resolution_answers(0.35, named=False)
    assert resolution_answers(0.30, named=True)
