"""The English wording of citations and of "no such provision", written once for every
interface (the Telegram bot translates the second through its own catalogue)."""

from __future__ import annotations

from bot.treaty.layout import (
    ARTICLE_COUNT,
    BUDAPEST_ARTICLE_COUNT,
    BUDAPEST_ID,
    OPERATIVE_COUNT,
    RESOLUTION_ID,
    SYMBOL,
)
from bot.treaty.model import Article, Chapter

SEPARATOR = " · "


def number_range(first: int | str, last: int | str) -> str:
    """A range such as "7 to 21", written with the en dash the treaty prints."""
    return f"{first}\N{EN DASH}{last}"


def articles_of(chapter: Chapter) -> str:
    """"7–21": the numbers of a chapter's articles."""
    return number_range(chapter.articles[0].number, chapter.articles[-1].number)


def chapter_label(number: str, title: str) -> str:
    """"Chapter II · Criminalization": the heading as the treaty prints it, on one line."""
    return f"Chapter {number}{SEPARATOR}{title}"


def citation_line(number: int, title: str, chapter: str | None = None) -> str:
    """"Article 7 · Illegal access · Chapter II Criminalization" (the chapter when given)."""
    return SEPARATOR.join(part for part in (f"Article {number}", title, chapter) if part)


def short_citation(
    article: int, paragraph: str | None = None, subparagraph: str | None = None
) -> str:
    """"Art. 47(1)(c)", "Art. 2(h)", "Art. 10": a provision as lawyers abbreviate it."""
    numbers = "".join(f"({part})" for part in (paragraph, subparagraph) if part)
    return f"Art. {article}{numbers}"


def short_citation_line(
    article: int, title: str, paragraph: str | None = None, subparagraph: str | None = None
) -> str:
    """"Art. 47(1)(c) · Law enforcement cooperation": one short line, without the chapter."""
    return SEPARATOR.join((short_citation(article, paragraph, subparagraph), title))


def provision_label(paragraph: str | None, subparagraph: str | None = None) -> str:
    """"21", "1 (c)", "(h)": a paragraph, or a sub-paragraph, as a citation names it."""
    sub = f"({subparagraph})" if subparagraph else ""
    return " ".join(part for part in (paragraph, sub) if part)


def provision_citation(
    article: int, paragraph: str | None = None, subparagraph: str | None = None
) -> str:
    """"Article 40, paragraph 21", "Article 47, paragraph 1 (c)", "Article 2 (h)", "Article 10"."""
    if paragraph:
        return f"Article {article}, paragraph {provision_label(paragraph, subparagraph)}"
    return " ".join(
        part for part in (f"Article {article}", provision_label(None, subparagraph)) if part
    )


BUDAPEST_NAME = "Budapest Convention"


def document_citation(
    document: str, article: int | None, paragraph: str | None = None,
    subparagraph: str | None = None,
) -> str:
    """A citation that names its instrument when it is not this Convention: "A/RES/79/243,
    operative paragraph 12", "A/RES/79/243, preamble", "Budapest Convention, Article 16,
    paragraph 1"; this Convention's as `provision_citation`."""
    if document == RESOLUTION_ID:
        return f"{SYMBOL}, operative paragraph {paragraph}" if paragraph else f"{SYMBOL}, preamble"
    cited = provision_citation(article or 0, paragraph, subparagraph)
    return f"{BUDAPEST_NAME}, {cited}" if document == BUDAPEST_ID else cited


def document_heading(document: str, article: int | None, title: str, chapter: str | None,
                     paragraph: str | None = None) -> str:
    """The heading line of a result: `citation_line` for this Convention, "A/RES/79/243 ·
    Operative paragraph 12", "Budapest Convention · Article 2 · Illegal access"."""
    if document == RESOLUTION_ID:
        part = f"Operative paragraph {paragraph}" if paragraph else "Preamble"
        return SEPARATOR.join((SYMBOL, part))
    if document == BUDAPEST_ID:
        return SEPARATOR.join((BUDAPEST_NAME, citation_line(article or 0, title)))
    return citation_line(article or 0, title, chapter)


def no_such_operative_paragraph(label: str) -> str:
    return (f"Resolution {SYMBOL} has operative paragraphs {number_range(1, OPERATIVE_COUNT)}; "
            f"there is no operative paragraph {label}.")


def no_such_budapest_article(number: int) -> str:
    return (f"The {BUDAPEST_NAME} has articles {number_range(1, BUDAPEST_ARTICLE_COUNT)}; "
            f"there is no article {number}.")


def also_line(labels: list[str] | tuple[str, ...]) -> str:
    """"Also: paragraph 2", "Also: paragraphs 3, 5", "Also: (c), (d)"."""
    numbered = [label for label in labels if label[:1].isdigit()]
    noun = "paragraphs " if len(numbered) > 1 else "paragraph " if numbered else ""
    return f"Also: {noun}{', '.join(labels)}"


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
    return f"Article {article.number} has {paragraph_span(article)}; there is no paragraph {label}."
