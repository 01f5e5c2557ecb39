"""Fusing the signals: weights, score and rank fusion, the quoted unit's score and the
decision to decline. Plain functions over rankings and arrays, so each rule can be tested on
small inputs without a model."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from bot.index.search_aids import ENGLISH

RRF_K = 10  # small: the first few ranks of each signal carry most of the weight
# Weight of each article ranking in the fusion, for English questions and for questions in the
# other UN languages. The English model scores near chance on non-English text, and BM25 and the
# glossary are English, so other languages rely on the multilingual space. "*_paragraph_aids":
# each article's closest phrase of treaty_text/paragraph_aids.toml (everyday words for what each
# paragraph provides, every article covered) in that space. Chosen on our own files (tests/data)
# over 1.0–3.0 for the English model's space and 0.5–2.0 for the multilingual one (rank-fused
# for the other languages, 1.0–6.0) once the file held questions as well as phrases: the sum of
# recall@1 over eight files rose from 6.74 to 7.19 and is flat from 2.0 to 3.0 in the English
# space; it falls above 1.5 in the multilingual one, and above 3.0 for other languages.
# "paragraph_aid_words": each article's paragraph aid in the question's language that shares the
# most of its words (BM25). On our own files the first paragraph quoted was right for 612 of 804
# other-language questions without it, 628 at 1.0, 641 at 2.0, 643 at 3.0 and 4.0 (losses 7, 9,
# 14, 17); for English 835 of 948 without it and 843 at 2.0, none lost.
SIGNAL_WEIGHTS = {
    "en": {
        "dense_paragraph": 1.0,
        "dense_heading": 0.8,
        "multilingual_paragraph": 0.5,
        "multilingual_heading": 0.4,
        "lexical": 1.0,
        "glossary": 0.9,
        "definition": 2.0,
        "dense_paragraph_aids": 2.0,
        "multilingual_paragraph_aids": 1.5,
        "paragraph_aid_words": 2.0,
    },
    "other": {
        "multilingual_paragraph": 1.0,
        "multilingual_heading": 0.3,
        "search_aids": 1.0,
        "search_aid_words": 1.0,
        "lexical": 0.2,
        "multilingual_paragraph_aids": 3.0,
        "paragraph_aid_words": 2.0,
    },
}
# For English questions, the signals that score every article (the dense spaces' best paragraph
# and heading, the best BM25 unit) are fused by their scores, each standardised over the
# articles, not by their ranks: rank fusion rewards an article that is second for every signal
# ("hacker" → article 7 near the top of each) over one that one signal finds far ahead of the
# rest. Glossary and definition votes, which name a few articles and score none, stay rank-fused.
# The scale puts one standard deviation of the weighted sum near one rank step at the top of
# RRF. For the other languages only the multilingual space's best paragraph is score-fused, at
# a smaller scale: the search aids (the strongest evidence there) name a few articles well and
# the rest by chance, and the heading and lexical scores lost recall@1 when score-fused.
# Chosen on our own files (tests/data): English over 0.03–0.12, the other languages over
# 0.01–0.08 (0.01–0.03 all helped; 0.08 lost recall@1).
SCORE_FUSED = {
    "en": ("dense_paragraph", "dense_heading", "multilingual_paragraph",
           "multilingual_heading", "lexical", "dense_paragraph_aids",
           "multilingual_paragraph_aids"),
    "other": ("multilingual_paragraph",),
}
SCORE_FUSION_SCALE = {"en": 0.06, "other": 0.02}
# Second stage: the first RESCORED fused articles are raised by AGREEMENT_WEIGHT times the
# agreement of their best quotable unit (dense and lexical evidence on one paragraph, 0–2):
# an article whose evidence comes from one paragraph that answers beats one whose signals each
# found a different, incidental paragraph. Chosen on our own files (tests/data) over
# 0.05–0.2 and 3–10 articles; above 0.05 the other languages lost recall@1.
RESCORED = 5
AGREEMENT_WEIGHT = 0.05
# A cue for an action that few paragraphs provide (bot.search.cues, `ranks_articles`) raises
# the first RESCORED articles that hold such a paragraph by this much: "can I get my intimate
# photos taken down?" asks for removal (article 34), not the offence its subject names (16).
# With the first six such cues, on our own files (tests/data, 1,389 questions with a gold
# paragraph) the first paragraph quoted was right 1,082 times without it, 1,093 at 0.5, 1,096 at
# 0.8, 1,098 at 1.0 and 1,099 at 1.5; at 1.0 no question lost its hit. The smaller of the two top
# values is kept: a cue matched by chance should not override what every other signal says.
ARTICLE_CUE_BOOST = 1.0
# The paragraph aids say what each paragraph provides in a reader's words, so when one of the
# first RESCORED articles has an aid clearly closer to the question than any of the first
# article's (by AID_LEAD_MARGIN in cosine, in the space that judges the question), the question
# asks what that article provides, whatever subject the other signals found ("get my intimate
# photos taken down": an aid of 34 at 0.89, of 16 at 0.69). It is raised by AID_LEAD_BOOST.
# Chosen on our own files (tests/data, 1,586 questions with a gold paragraph) over margins
# 0.05–0.2 and boosts 0.5–1.0: at 0.15 and 0.5 the first paragraph quoted was right 14 times more
# and 3 times less, and no file lost; at 0.05 as many questions were lost as won, at 0.1 two
# files lost.
AID_LEAD_MARGIN = 0.15
AID_LEAD_BOOST = 0.5
# Declining. A question is in scope when its best cosine similarity to any unit reaches the
# threshold of every space that is loaded (two models must both see a relation), or when it
# names a glossary or defined term and still reaches GLOSSARY_FLOOR. Calibrated on our own
# question files (tests/data): the lowest in-scope English questions score 0.31 (MiniLM) and
# 0.18 (USE) without a glossary term; "flights to Hanoi" scores 0.37 with MiniLM but 0.14 with
# USE. See README "Abstention".
ABSTAIN_BELOW = {"dense": 0.30, "multilingual": 0.16}
GLOSSARY_FLOOR = 0.20
# ... or it is close, in both spaces, to a paragraph aid (treaty_text/paragraph_aids.toml): a
# bare description of conduct ("taking a web server offline by flooding it with junk traffic")
# is far from the treaty's words but near an aid's ("flooding a server with data to disrupt it").
# In our own files (tests/data) the in-scope questions declined without it reach 0.585–0.74 in
# the weaker space of the two; the near-misses past the scope catalogue at most 0.55 ("Should I
# pay the ransom if my files are encrypted?", since the aids hold situations) and 0.47. A
# question in another language is read in the multilingual space alone, where its closest aid
# (an English one) sits lower: in our files and a blind file of 420 in-scope questions, 15
# in-scope questions in the five languages fell below OTHER_LANGUAGE_FLOOR, 6 of them with an aid
# at 0.50 or more ("Кто является депозитарием?": 0.67); no easy out-of-scope question comes
# above 0.37, and the 2 near-misses that do still meet the scope catalogue.
PARAGRAPH_AID_ANSWERS = {"en": 0.58, "other": 0.50}
# A question in one of the five other UN languages is judged by the multilingual space alone:
# the English model scores any Chinese or Arabic text near chance, and let "what's the weather
# in Beijing today?" through. In our own files (tests/data) the lowest in-scope questions score
# 0.14 (one), 0.18 (one) and then 0.19, and easy out-of-scope ones at most 0.18 (README
# "Abstention" has the trade-off).
OTHER_LANGUAGE_FLOOR = 0.19
# ... unless it is (nearly) one of our search aids for an article in its language ("引渡",
# "extradition"): a short keyword question scores low against whole paragraphs (0.17 here).
AID_MATCH = 0.8
# An article's first paragraph states its main rule (the offence, the obligation); later ones
# qualify it. This prior, on a scale where a unit scores up to 2, lets it win near-ties.
LEAD_PARAGRAPH_PRIOR = 0.15
DEFINITION_BOOST = 1.0  # the unit that defines a term asked about is the one to quote
# A question cue ("how long", "who pays", "is it a crime": bot.search.cues) for the paragraphs
# that speak of periods, costs, offences. Chosen on our own files (tests/data) over 0–0.6: the
# paragraph quoted from the right article went from 91 % to 95 % right in English and from 57 %
# to 66 % in the other languages at 0.4; README "How questions are answered".
CUE_BOOST = 0.4
# A paragraph's aids (treaty_text/paragraph_aids.toml): their closeness to the question, 0–1
# per space the question is read in (both for English, the multilingual one otherwise), at this
# weight. On our own files (tests/data), with the article weights above, the sum of
# paragraph_hit@1 over eight files rose from 6.19 at 1.5 to 6.39 at 2.0 and is flat to 4.0.
PARAGRAPH_AID_WEIGHT = 2.0
# The question's English words that few of the article's units hold (bot.search.paragraphs.
# DistinctiveWords), 0–1 per unit, at this weight. On twelve of our files (tests/data) the sum of
# paragraph_hit@1 rose from 9.07 at 0 to 9.19 at 0.2, 9.25 at 0.4 and is flat to 0.8; no file
# went down, and recall@1 does not move (it chooses within an article). In the other languages
# the words are those of the aids in the question's language, and the English BM25 of
# `agreement` sees none of them: over their 804 questions with a gold paragraph (tests/data) the
# first paragraph quoted was right 579 times without them, 594 at 0.2, 607 at 0.4, 609 at 0.6,
# 612 at 0.8 and 611 at 1.2.
DISTINCTIVE_WORDS_WEIGHT = {"en": 0.4, "other": 0.8}


def signal_weights(language: str) -> dict[str, float]:
    return SIGNAL_WEIGHTS[_group(language)]


def score_fused(language: str) -> tuple[tuple[str, ...], float]:
    """The signals fused by score for a question in `language`, and their scale."""
    group = _group(language)
    return SCORE_FUSED[group], SCORE_FUSION_SCALE[group]


def _group(language: str) -> str:
    return ENGLISH if language == ENGLISH else "other"


def is_answerable(
    best: Mapping[str, float], judge_best: float, names_a_term: bool, language: str = ENGLISH
) -> bool:
    """Whether every loaded space sees a relation (`best`: each space's best cosine), or the
    question names a glossary or defined term and the judging space still sees some. A
    question in another language: whether the judging (multilingual) space sees enough, or
    the question is one of our search aids (`names_a_term`)."""
    if language != ENGLISH:
        return judge_best >= OTHER_LANGUAGE_FLOOR or names_a_term
    related = all(score >= ABSTAIN_BELOW[space] for space, score in best.items())
    return related or (names_a_term and judge_best >= GLOSSARY_FLOOR)


def describes_a_paragraph(
    aid_best: Mapping[str, float], best: Mapping[str, float], language: str = ENGLISH
) -> bool:
    """Whether a question is close to one of our paragraph aids (`aid_best`: the closest aid
    in each space it is read in; an English question must be read in every loaded space of
    `best`): then it counts as naming a term for `is_answerable`, like a glossary word."""
    if language == ENGLISH and set(aid_best) != set(best):
        return False
    return bool(aid_best) and min(aid_best.values()) >= PARAGRAPH_AID_ANSWERS[_group(language)]


# A question the thresholds above let through is still outside the text when, in every space it
# is read in (both for English, the multilingual one otherwise), one of the scope catalogue's
# examples (treaty_text/out_of_scope.toml) is closer to it than any paragraph aid, by this
# margin: "are we near the forty ratifications yet?" is nearer "how many states have ratified
# so far?" than any entry on article 65. Other languages need a lead, since examples in their
# own language sit closer to them than the English aids. Chosen on our files and the first
# blind near-miss file (README "Abstention" has the trade-off).
SCOPE_EXAMPLE_MARGIN = {"en": 0.0, "other": 0.10}


def outside_the_text(
    example_best: Mapping[str, float], aid_best: Mapping[str, float], language: str = ENGLISH
) -> bool:
    """Whether the question's closest scope example (`example_best`: its cosine per space)
    beats its closest paragraph aid (`aid_best`) by the language's `SCOPE_EXAMPLE_MARGIN` in
    every space that has both."""
    margin = SCOPE_EXAMPLE_MARGIN[_group(language)]
    spaces = example_best.keys() & aid_best.keys()
    return bool(spaces) and all(
        example_best[space] - aid_best[space] >= margin for space in spaces
    )


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[int]], weights: Mapping[str, float], k: int = RRF_K
) -> dict[int, float]:
    """Each article's weighted sum of 1 / (k + rank) over the rankings it appears in."""
    fused: dict[int, float] = defaultdict(float)
    for signal, ranking in rankings.items():
        for rank, article in enumerate(ranking):
            fused[article] += weights.get(signal, 0.0) / (k + rank + 1)
    return fused


def standardized(scores: np.ndarray) -> np.ndarray:
    """Scores as standard deviations from their mean (all zero when they do not differ); a
    score of -inf (no unit of its kind) counts as the lowest finite one."""
    finite = np.isfinite(scores)
    scores = np.where(finite, scores, scores[finite].min() if finite.any() else 0.0)
    spread = float(scores.std())
    return (scores - scores.mean()) / spread if spread > 0 else np.zeros_like(scores)


def score_fusion(
    article_scores: Mapping[str, np.ndarray],
    articles: Sequence[int],
    weights: Mapping[str, float],
    scale: float = SCORE_FUSION_SCALE[ENGLISH],
) -> dict[int, float]:
    """Each article's weighted sum of its standardised score per signal (`article_scores`: one
    score per article of `articles`, in that order), times `scale`, shifted so that the lowest
    article scores zero."""
    total = np.zeros(len(articles))
    for signal, scores in article_scores.items():
        total += weights.get(signal, 0.0) * standardized(np.asarray(scores, dtype=float))
    total = scale * (total - total.min()) if len(total) else total
    return {int(article): float(score) for article, score in zip(articles, total, strict=True)}


def fuse(
    rankings: Mapping[str, Sequence[int]],
    article_scores: Mapping[str, np.ndarray],
    articles: Sequence[int],
    weights: Mapping[str, float],
    scale: float = SCORE_FUSION_SCALE[ENGLISH],
) -> dict[int, float]:
    """Score fusion of the signals in `article_scores` (at `scale`), plus rank fusion of the
    rankings of the other signals."""
    fused = defaultdict(float, score_fusion(article_scores, articles, weights, scale))
    ranked_only = {name: r for name, r in rankings.items() if name not in article_scores}
    for article, score in reciprocal_rank_fusion(ranked_only, weights).items():
        fused[article] += score
    return fused


def top_articles(fused: Mapping[int, float], k: int) -> list[int]:
    """The `k` articles with the highest fused score above zero (ties: lower article first)."""
    return sorted((a for a in fused if fused[a] > 0), key=lambda a: (-fused[a], a))[:k]


def rescored(
    fused: Mapping[int, float],
    best_unit: Callable[[int], float],
    n: int = RESCORED,
    weight: float = AGREEMENT_WEIGHT,
) -> dict[int, float]:
    """The fused scores, with each of the first `n` articles raised by `weight` times the
    agreement of its best quotable unit (`best_unit(article)`)."""
    raised = dict(fused)
    for article in top_articles(fused, n):
        raised[article] += weight * best_unit(article)
    return raised


def cued(
    fused: Mapping[int, float],
    asked: set[int],
    n: int = RESCORED,
    boost: float = ARTICLE_CUE_BOOST,
) -> dict[int, float]:
    """The fused scores, with those of the first `n` articles that provide the action a cue
    asks for (`asked`) raised by `boost`."""
    return rescored(fused, lambda article: float(article in asked), n, boost)


def aid_led(
    fused: Mapping[int, float],
    best_aid: Mapping[int, float],
    n: int = RESCORED,
    margin: float = AID_LEAD_MARGIN,
    boost: float = AID_LEAD_BOOST,
) -> dict[int, float]:
    """The fused scores, with each of the first `n` articles whose best paragraph aid
    (`best_aid`: cosine by article) beats the first article's by `margin` raised by `boost`."""
    top = top_articles(fused, 1)
    if not top:
        return dict(fused)
    lead = best_aid.get(top[0], np.inf)
    return rescored(
        fused, lambda article: float(best_aid.get(article, -np.inf) - lead >= margin), n, boost
    )


def before_counterparts(
    fused: Mapping[int, float], preferred: Sequence[tuple[int, int]], n: int = RESCORED,
) -> dict[int, float]:
    """The fused scores, with each article asked for (`preferred`: (article, counterpart))
    taking its counterpart's place when both are among the first `n` and the counterpart is
    ahead."""
    swapped = dict(fused)
    first = set(top_articles(fused, n))
    for wanted, other in preferred:
        if {wanted, other} <= first and swapped[other] > swapped[wanted]:
            swapped[wanted], swapped[other] = swapped[other], swapped[wanted]
    return swapped


def agreement(dense: np.ndarray, lexical: np.ndarray) -> np.ndarray:
    """How far the dense and lexical signals agree on each unit: each scaled to its best unit
    and summed (0 to 2)."""
    top = lexical.max()
    return dense / max(dense.max(), 1e-6) + (lexical / top if top > 0 else 0.0)


def unit_scores(
    dense: np.ndarray,
    lexical: np.ndarray,
    prior: np.ndarray,
    defining: Sequence[int] = (),
    cued: Sequence[np.ndarray] = (),
    aided: Sequence[np.ndarray] = (),
    distinctive: np.ndarray | None = None,
    language: str = ENGLISH,
) -> np.ndarray:
    """How well each unit answers, to choose the quoted paragraph within an article: the
    agreement of the dense and lexical signals, plus the lead-paragraph prior, a boost for the
    unit that defines a term asked about, one for the units each matched question cue points
    to (`cued`: one mask per cue), the closeness of each unit's paragraph aids (`aided`: 0–1
    per unit, one array per space) and the words of the question that few of its article's
    units hold (`distinctive`: 0–1 per unit)."""
    scores = agreement(dense, lexical) + prior
    if distinctive is not None:
        scores = scores + DISTINCTIVE_WORDS_WEIGHT[_group(language)] * distinctive
    if len(defining):
        scores[list(defining)] += DEFINITION_BOOST
    for units in cued:
        scores = scores + CUE_BOOST * units
    for closeness in aided:
        scores = scores + PARAGRAPH_AID_WEIGHT * closeness
    return scores


# The resolution's paragraphs beside the Convention's (README "The resolution"): the
# Convention stays the subject, so a resolution paragraph goes first only when the question
# names the resolution or matches it clearly better, last when it matches about as well, and
# alone when no Convention provision matches at all. Cosines in the configured model's space.
# Only an operative paragraph competes so: the preamble restates the Convention's title and
# purposes, which every question about the Convention resembles.
RESOLUTION_LEAD = 0.10  # better than the best Convention paragraph by this much: first
RESOLUTION_NEAR = 0.0  # at least as close as it: third (NEAR_PLACE)
NEAR_PLACE = 2
RESOLUTION_ALONE = 0.40  # the floor for answering from the resolution alone
RESOLUTION_NAMED_FLOOR = 0.25  # ... when the question names the resolution
NAMED_PARAGRAPHS = 2  # a question that names the resolution gets its two best paragraphs first



def resolution_place(
    resolution_cosine: float, convention_cosine: float, named: bool, k: int,
    language: str = ENGLISH,
) -> int | None:
    """Where the best resolution paragraph goes among `k` Convention results, or None."""
    if named and resolution_cosine >= RESOLUTION_NAMED_FLOOR:
        return 0
    if language != ENGLISH:
        return None
    if resolution_cosine >= convention_cosine + RESOLUTION_LEAD:
        return 0
    if resolution_cosine >= convention_cosine + RESOLUTION_NEAR:
        return min(NEAR_PLACE, max(k - 1, 0))
    return None


def resolution_answers(resolution_cosine: float, named: bool) -> bool:
    """Whether the resolution answers a question no Convention provision matches."""
    return resolution_cosine >= (RESOLUTION_NAMED_FLOOR if named else RESOLUTION_ALONE)
