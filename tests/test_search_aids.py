"""The search aids' word matching and signals on a few hand-written aids."""

from __future__ import annotations

import faiss
import numpy as np

from bot.encoding.bm25 import Bm25
from bot.encoding.lexical import aid_tokens
from bot.index.search_aids import AID_LANGUAGES, ParagraphAid, SearchAid, load_search_aids
from bot.search.aids import AidLexicon, ParagraphAidWords, SearchAids

AIDS = [
    SearchAid(16, "fr", "diffusion non consentie d'images intimes"),
    SearchAid(16, "zh", "未经同意传播私密图像"),
    SearchAid(44, "fr", "extradition des délinquants"),
    SearchAid(44, "ru", "выдача преступников"),
]


def test_chinese_is_read_as_characters_and_character_pairs() -> None:
    assert aid_tokens("引渡", "zh") == ["zh:引", "zh:渡", "zh:引渡"]


def test_words_are_stemmed_per_language_and_short_words_dropped() -> None:
    assert aid_tokens("la extraditions", "fr") == ["fr:extradit"]
    assert aid_tokens("выдачи", "ru") == aid_tokens("выдача", "ru") == ["ru:выдач"]


def words_of(aids: list[SearchAid]) -> Bm25:
    return Bm25.build([aid_tokens(a.text, a.lang) for a in aids])


def test_a_question_with_an_aid_s_words_finds_that_aid() -> None:
    scores = AidLexicon(words_of(AIDS)).scores("Que dit la convention sur l'extradition ?", "fr")
    assert int(np.argmax(scores)) == 2
    assert scores[0] == 0 and scores[3] == 0  # other articles, and Russian words never match


def test_signals_rank_articles_within_the_question_s_language() -> None:
    vectors = faiss.IndexFlatIP(2)
    vectors.add(np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]], dtype=np.float32))
    aids = SearchAids(AIDS, vectors, words_of(AIDS))
    rankings = aids.rankings("выдача", "ru", np.array([1.0, 0.0]))
    assert rankings["search_aids"] == [44]  # the only Russian aid
    assert rankings["search_aid_words"] == [44]



def test_paragraph_aids_rank_articles_by_their_words_in_the_question_s_language() -> None:
    aids = [
        ParagraphAid(7, "1", None, "breaking into a computer"),
        ParagraphAid(40, "30", None, "who pays for a request"),
        ParagraphAid(7, "1", None, "pirater un ordinateur", "fr"),
        ParagraphAid(40, "30", None, "qui paie les frais de la demande", "fr"),
        ParagraphAid(40, "21", None, "refuser une demande", "fr"),
    ]
    words = {lang: Bm25.build([aid_tokens(a.text, lang) for a in aids if a.lang == lang])
             for lang in ("en", "fr")}
    ranking = ParagraphAidWords(aids, words).ranking
    assert ranking("Qui paie les frais d'une demande ?", "fr") == [40]
    assert ranking("Peut-on pirater un ordinateur ?", "fr") == [7]
    assert ranking("who pays?", "en") == [40]
    assert ranking("who pays?", "fr") == []  # English words never meet the French aids
    assert ranking("谁支付费用", "zh") == []  # a language without aids

def test_the_maintained_aids_cover_every_article_in_every_language() -> None:
    aids = load_search_aids()
    for lang in AID_LANGUAGES:
        assert {a.article for a in aids if a.lang == lang} == set(range(1, 69)), lang
