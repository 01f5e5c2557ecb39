"""The bot's own words: command menu, profile, and the fixed replies.

Kept apart from the handlers so the copy can be read and reviewed in one place. Every reply is
valid Telegram HTML: fixed text has no markup characters except deliberate tags, and anything
from a user or the treaty is escaped where it is inserted.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot.telegram.formatting import number_range

COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "What this bot is, with example questions"),
    ("help", "How to ask, and what the commands do"),
    ("article", "An article or paragraph: /article 7 or /article 40 21"),
    ("toc", "The chapters and articles of the Convention"),
    ("about", "The document, its checksum and the search index"),
)

DESCRIPTION = (
    "Ask questions about the United Nations Convention against Cybercrime (A/RES/79/243). "
    "Every answer quotes the treaty verbatim with its exact citation (article, paragraph, "
    "chapter); the bot writes no text of its own and gives no legal advice."
)
SHORT_DESCRIPTION = "Questions on the UN Convention against Cybercrime, answered by quoting it."

EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Which article makes illegal access to a computer system a crime?",
    "When can a State refuse a request for mutual legal assistance?",
    "How must personal data be protected when it is transferred?",
)

START = (
    "<b>Ask the United Nations Convention against Cybercrime</b>\n\n"
    "I answer questions about the Convention (A/RES/79/243) by quoting it: every answer is "
    "the text of the provisions that match best, verbatim, with the exact article and "
    "paragraph. I never write an answer of my own.\n\n"
    "Ask in your own words, or tap an example:\n"
    + "\n".join(f"• {escape(q)}" for q in EXAMPLE_QUESTIONS)
    + "\n\n/help shows everything I can do."
)


def help_text(username: str) -> str:
    return (
        "<b>How to use this bot</b>\n\n"
        "Send a question in plain words and I quote the three provisions that match best. "
        "Under an answer, <i>Full text</i> opens an article and <i>More results</i> shows the "
        "next matches. You can also name a provision: “article 17”, “art. 40(21)”.\n\n"
        "/article 7 — the full text of article 7\n"
        "/article 40 21 — paragraph 21 of article 40\n"
        "/toc — the chapters and their articles\n"
        "/about — the document and the index behind the answers\n\n"
        f"In any chat, type @{escape(username)} and a question to share a quoted provision.\n"
        "In groups I answer commands, messages that mention me and replies to my messages; "
        "I stay quiet otherwise."
    )


NO_MATCH = (
    "No provision of the Convention matches your question. Try rephrasing it in the words a "
    "treaty would use (for example “mutual legal assistance” rather than “help from another "
    "country”), or browse the articles with /toc."
)
NOT_TEXT = "Please send your question as text."
SOMETHING_WENT_WRONG = "Sorry, something went wrong while answering. Please try again in a moment."
UNKNOWN_COMMAND = "I don't know that command. /help lists the ones I do."
ARTICLE_USAGE = "Usage: /article N, or /article N P for a paragraph: /article 7, /article 40 21."
EXPIRED = "This answer has expired; please ask the question again."
BUTTON_EXPIRED = "This button has expired; please send the command again."
NO_MORE_RESULTS = "No further provisions match this question."
BROWSE_HINT = "/toc lists the articles."
SLOW_DOWN = (
    "You are sending messages faster than I can answer them, so I skipped some. Please wait "
    "a moment, then send one question at a time."
)


def empty_mention(username: str) -> str:
    return f"Ask your question after the mention, e.g. @{escape(username)} what is illegal access?"


def already_shown(article: int) -> str:
    return f"Article {article} is already shown above."


def no_such_article(number: int, count: int) -> str:
    articles = number_range(1, count)
    return f"There is no article {number}: the Convention has articles {articles}. {BROWSE_HINT}"


def no_such_paragraph(article: int, paragraph: str, labels: list[str]) -> str:
    if not labels:
        return (
            f"Article {article} has no numbered paragraphs; /article {article} shows its full text."
        )
    return (
        f"Article {article} has no paragraph {escape(paragraph)}; its paragraphs are numbered "
        f"{number_range(labels[0], labels[-1])}."
    )


def stats(
    *,
    uptime_s: float,
    answered: int,
    abstained: int,
    median_s: float | None,
    errors: int,
    dropped: int,
    build: str,
    built_at: str,
) -> str:
    median = f"{median_s * 1000:.0f} ms" if median_s is not None else "no questions yet"
    return (
        "<b>Bot statistics</b>\n"
        f"Up for {timedelta(seconds=int(uptime_s))}\n"
        f"Questions answered: {answered}\n"
        f"Abstentions (nothing matched): {abstained}\n"
        f"Median answer time: {median}\n"
        f"Errors: {errors}\n"
        f"Messages dropped by flood control: {dropped}\n"
        f"Index build: {escape(build)} (built {escape(built_at)})"
    )


def reloaded(build: str) -> str:
    return f"Reloaded: now serving index build {escape(build)}."


def reload_unchanged(build: str) -> str:
    return f"No new index: still serving build {escape(build)}."


def reload_refused(build: str, reason: str) -> str:
    return f"The new index was refused; still serving build {escape(build)}.\n{escape(reason)}"
