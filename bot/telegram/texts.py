"""The bot's own words: the profile, the replies that need values filled in, and admin texts.

The copy users read is in `bot.telegram.locales`, in the six UN languages; this module fills
the templates that take values (escaping them, so every reply stays valid Telegram HTML) and
holds what is English only: the profile descriptions and the admin replies (/stats, /reload).
Every reply is valid Telegram HTML: fixed text has no markup characters except deliberate tags,
and anything from a user or the treaty is escaped where it is inserted.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot.telegram.i18n import example_questions, text
from bot.treaty.citations import number_range, paragraph_labels
from bot.treaty.model import Article

DESCRIPTION = (
    "Ask questions about the United Nations Convention against Cybercrime (A/RES/79/243). "
    "Every answer quotes the treaty verbatim with its exact citation (article, paragraph, "
    "chapter); the bot writes no text of its own and gives no legal advice."
)
SHORT_DESCRIPTION = "Questions on the UN Convention against Cybercrime, answered by quoting it."


def start(lang: str) -> str:
    examples = "\n".join(f"• {escape(q)}" for q in example_questions(lang))
    return text("start", lang, examples=examples)


def help_text(username: str, lang: str) -> str:
    return text("help", lang, username=escape(username))


def empty_mention(username: str, lang: str) -> str:
    return text("empty_mention", lang, username=escape(username))


def already_shown(article: int | str, lang: str) -> str:
    return text("already_shown", lang, article=article)


def no_such_article(number: int, count: int, lang: str) -> str:
    return text("no_such_article", lang, number=number, articles=number_range(1, count))


def no_such_paragraph(article: Article, paragraph: str, lang: str) -> str:
    labels = paragraph_labels(article)
    if not labels:
        return text("no_numbered_paragraphs", lang, article=article.number)
    return text(
        "no_such_paragraph",
        lang,
        article=article.number,
        paragraph=escape(paragraph),
        paragraphs=number_range(labels[0], labels[-1]),
    )


# --- Admin texts (/stats, /reload): English only -------------------------------------------


def stats(
    *,
    uptime_s: float,
    answered: int,
    abstained: int,
    median_s: float | None,
    errors: int,
    dropped: int,
    busy: int,
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
        f"Turned away as busy (queue full): {busy}\n"
        f"Index build: {escape(build)} (built {escape(built_at)})"
    )


def reloaded(build: str) -> str:
    return f"Reloaded: now serving index build {escape(build)}."


def reload_unchanged(build: str) -> str:
    return f"No new index: still serving build {escape(build)}."


def reload_refused(build: str, reason: str) -> str:
    return f"The new index was refused; still serving build {escape(build)}.\n{escape(reason)}"
