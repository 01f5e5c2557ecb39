"""`validate` and `parse_treaty_text` refuse damaged or foreign texts, naming the problem.

Each damaged text is made at run time from the treaty text the tests obtain (`layout_text`).
"""

from __future__ import annotations

import re

import pytest

from bot.treaty.parsing import TreatyFormatError, parse_treaty_text, validate


def article_block(text: str, number: int) -> str:
    """The lines from "Article N" up to (not including) the next article heading."""
    match = re.search(rf"(?ms)^Article {number}\n.*?(?=^Article {number + 1}\n)", text)
    assert match, f"Article {number} not found in the text"
    return match.group(0)


def validation_error(text: str) -> str:
    treaty = parse_treaty_text(text, "test")
    with pytest.raises(TreatyFormatError) as caught:
        validate(treaty, text)
    return str(caught.value)


def test_the_whole_text_passes(layout_text: str) -> None:
    validate(parse_treaty_text(layout_text, "test"), layout_text)


def test_missing_article(layout_text: str) -> None:
    text = layout_text.replace(article_block(layout_text, 30), "")
    assert "Article 30\n" not in text
    message = validation_error(text)
    assert "missing [30]" in message
    assert "articles must be 1..68" in message


def test_articles_out_of_order(layout_text: str) -> None:
    block_30, block_31 = article_block(layout_text, 30), article_block(layout_text, 31)
    text = layout_text.replace(block_30 + block_31, block_31 + block_30)
    assert text != layout_text
    message = validation_error(text)
    assert "out of order" in message


def test_article_without_heading(layout_text: str) -> None:
    text = layout_text.replace("Article 7\nIllegal access\n", "Article 7\n")
    assert text != layout_text
    message = validation_error(text)
    assert "article 7 has no heading" in message
    assert "not consecutive" not in message  # the first paragraph is not taken as the title


def test_article_without_heading_before_an_unnumbered_paragraph(layout_text: str) -> None:
    text = layout_text.replace("Article 2\nUse of terms\n", "Article 2\n")
    assert text != layout_text
    assert "article 2 has no heading" in validation_error(text)


def test_non_consecutive_paragraph_numbers(layout_text: str) -> None:
    block = article_block(layout_text, 7)
    renumbered = block.replace("\n2. ", "\n3. ", 1)
    assert renumbered != block
    message = validation_error(layout_text.replace(block, renumbered))
    assert "article 7: paragraph numbers are not consecutive: [1, 3]" in message


def test_lost_text(layout_text: str) -> None:
    treaty = parse_treaty_text(layout_text, "test")
    source = layout_text.replace(
        "Article 7\nIllegal access\n", "Article 7\nIllegal access\n\nsmuggled extra words\n"
    )
    with pytest.raises(TreatyFormatError) as caught:
        validate(treaty, source)
    message = str(caught.value)
    assert "misses 3 of the source's" in message
    assert "'smuggled'" in message or "'extra'" in message or "'words'" in message


def test_several_problems_are_listed_together(layout_text: str) -> None:
    text = layout_text.replace(article_block(layout_text, 30), "").replace(
        "Article 7\nIllegal access\n", "Article 7\n"
    )
    message = validation_error(text)
    assert "missing [30]" in message and "article 7 has no heading" in message


def test_budapest_convention_is_refused(budapest_text: str) -> None:
    with pytest.raises(TreatyFormatError) as caught:
        parse_treaty_text(budapest_text, "test")
    message = str(caught.value)
    assert "layout of un_cybercrime_convention.en.txt" in message
    assert "Chapter I" in message
    assert "\n" not in message  # one line, fit for the CLI's "error:" line


@pytest.mark.parametrize(
    "text",
    [
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n\nSed do eiusmod tempor.\n",
        "A letter\n\nPreamble\n\nDear Sam, the weather is fine.\n\nArticle 1\nBest wishes\n",
        "",
    ],
    ids=["prose", "preamble-without-chapters", "empty"],
)
def test_other_text_is_refused(text: str) -> None:
    with pytest.raises(TreatyFormatError, match=r"layout of un_cybercrime_convention\.en\.txt"):
        parse_treaty_text(text, "test")


def test_text_outside_any_article_is_refused(layout_text: str) -> None:
    text = layout_text.replace(
        "Chapter II\nCriminalization\n", "Chapter II\nCriminalization\n\nA stray line.\n"
    )
    with pytest.raises(TreatyFormatError, match=r"text outside any article: 'A stray line\.'"):
        parse_treaty_text(text, "test")
