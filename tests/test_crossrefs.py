"""The text's own references to other articles, recognised at build time."""

import pytest

from bot.search.concordance import Concordance, ConcordanceError
from bot.treaty.crossrefs import articles_named


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("in accordance with article 25 of this Convention", [25]),
        ("the offences established in accordance with articles 7 to 16 of this Convention",
         list(range(7, 17))),
        ("article 40, paragraph 21 (b) and (c) and paragraph 22, of this Convention", [40]),
        ("article 40, and articles 41 to 46 of this Convention shall apply", list(range(40, 47))),
        ("article 31 or 50 of this Convention", [31, 50]),
        ("referred to in paragraph 3 of this article", []),
        ("consistent with Article 2 of the Charter of the United Nations", []),
        ("articles 57, paragraph 5 (g), 61 and 62 of this Convention", [57, 61, 62]),
    ],
)
def test_articles_named(text: str, named: list[int]) -> None:
    assert articles_named(text, 68) == named


def test_an_article_does_not_refer_to_itself_nor_past_the_last() -> None:
    assert articles_named("articles 24 and 99 of this Convention", 68, own=24) == []


def test_the_concordance_covers_every_article_by_its_rules() -> None:
    concordance = Concordance.load()
    assert concordance.counterparts(7) == (2,)
    assert concordance.counterparts(24) == (15,)
    assert concordance.counterparts(1) == ()
    assert concordance.entry(1).note.startswith("No counterpart:")
    assert 25 in concordance.un_articles_for(16)


def test_a_broken_concordance_is_refused_with_the_entry(tmp_path) -> None:
    path = tmp_path / "concordance.toml"
    path.write_text('[[article]]\nun = 1\nbudapest = [49]\nnote = "A difference."\n'
                    '[[article]]\nun = 2\nbudapest = []\nnote = "Nothing alike."\n')
    with pytest.raises(ConcordanceError) as raised:
        Concordance.load(path)
    message = str(raised.value)
    assert "1..68" in message and "Budapest articles are 1..48" in message
    assert "No counterpart:" in message
