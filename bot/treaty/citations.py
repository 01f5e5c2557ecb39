"""The English wording of citations and of "no such provision", written once for every
interface (the Telegram bot translates the second through its own catalogue)."""

from __future__ import annotations

from bot.treaty.layout import ARTICLE_COUNT
from bot.treaty.model import Article

SEPARATOR = " · "


def number_range(first: int | str, last: int | str) -> str:
    """A range such as "7 to 21", written with the en dash the treaty prints."""
    return f"{first}\N{EN DASH}{last}"


def citation_line(number: int, title: str, chapter: str | None = None) -> str:
    """"Article 7 · Illegal access · Chapter II Criminalization" (the chapter when given)."""
    return SEPARATOR.join(part for part in (f"Article {number}", title, chapter) if part)


def paragraph_labels(article: Article) -> list[str]:
    """The article's paragraph numbers as printed, in order."""
    return [p.label for p in article.paragraphs if p.label]


def paragraph_span(article: Article) -> str:
    """"paragraphs 1–33", or "no numbered paragraphs"."""
    labels = paragraph_labels(article)
    if not labels:
        return "no numbered paragraphs"
    return f"paragraphs {number_range(labels[0], labels[-1])}"


def no_such_article(number: int) -> str:
    return (
        f"The Convention has articles {number_range(1, ARTICLE_COUNT)}; "
        f"there is no article {number}."
    )


def no_such_paragraph(article: Article, label: str) -> str:
    return (
        f"Article {article.number} has {paragraph_span(article)}; there is no paragraph {label}."
    )
