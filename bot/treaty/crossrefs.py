"""The text's own references to other articles: "in accordance with article 25", "articles 7
to 16 of this Convention", "article 40, paragraph 21 (b) and (c) and paragraph 22", "articles
57, paragraph 5 (g), 61 and 62". Recognised when the index is built and kept with each
paragraph, so that an answer can offer them as navigation."""

from __future__ import annotations

import re

from bot.treaty.model import Treaty

# "article(s)" then numbers joined by commas, "and", "or", "to", with paragraph and item
# labels in between; "paragraph N" inside the list names a paragraph, not an article.
_LIST = re.compile(
    r"\barticles?\s+\d+"
    r"(?:\s*(?:,|\band\b|\bor\b|\bto\b)?\s*(?:paragraphs?\s+\d+|\([a-z]+\)|\d+(?!\s*\))))*",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"(paragraphs?\s+)?(\d+)|\b(to)\b", re.IGNORECASE)
_OTHER_INSTRUMENT = re.compile(r"^\s*,?\s*of\s+the\s+(?!present\b|convention\b)", re.IGNORECASE)


def articles_named(text: str, count: int, own: int | None = None) -> list[int]:
    """The article numbers (1..count) that `text` names, in order of first mention, without
    `own` (the article the text belongs to) and without articles of other instruments
    ("article 2 of the Charter")."""
    found: list[int] = []
    for match in _LIST.finditer(text):
        if _OTHER_INSTRUMENT.match(text[match.end():]):
            continue
        previous: int | None = None
        ranged = False
        for token in _TOKEN.finditer(match.group(0)):
            if token.group(3):
                ranged = True
                continue
            if token.group(1):  # a paragraph number
                ranged = False
                continue
            number = int(token.group(2))
            numbers = range(previous + 1, number + 1) if ranged and previous else [number]
            found += [n for n in numbers if 1 <= n <= count and n != own and n not in found]
            previous, ranged = number, False
    return found


def cross_references(treaty: Treaty, count: int) -> dict[str, list[int]]:
    """"ARTICLE.POSITION" of every Convention paragraph that names other articles -> them."""
    return {
        f"{article.number}.{position}": named
        for article in treaty.articles
        for position, paragraph in enumerate(article.paragraphs)
        if (named := articles_named(paragraph.text, count, article.number))
    }
