"""What a reply says, built from an answer, and the Telegram calls that send or replace it."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from telegram import CallbackQuery, InlineKeyboardMarkup, Message
from telegram.error import BadRequest

from bot.search.results import Answer, ArticleResult
from bot.search.scope import NO_MATCH
from bot.telegram import formatting
from bot.telegram.i18n import CATALOG, DEFAULT_LANGUAGE, text
from bot.telegram.keyboards import Unit
from bot.treaty.layout import CONVENTION_ID
from bot.treaty.model import Treaty
from bot.treaty.references import find_references

PAGE_SIZE = 3  # results a page shows


def convention_articles(results: Sequence) -> tuple[int, ...]:
    """The Convention articles among results, for the activity record."""
    return tuple(r.article for r in results if r.document == CONVENTION_ID and r.article)


def unit_of(result: ArticleResult) -> Unit:
    """What a paging button names of a result."""
    return result.document, result.article, result.paragraph, result.subparagraph


async def edit_in_place(
    query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None
) -> None:
    """Replace the message under a button; a repeated press that changes nothing is fine."""
    try:
        await query.edit_message_text(text, reply_markup=keyboard)
    except BadRequest as error:
        if "not modified" not in error.message:
            raise


async def send_parts(
    message: Message,
    parts: Sequence[str],
    quote_first: bool,
    keyboard: InlineKeyboardMarkup | None = None,
) -> Message:
    """Send a text split over several messages, `keyboard` under the last, and return the last;
    only the first may quote `message` (as PTB does by default in groups, so the reply is tied
    to the command that asked for it)."""
    sent = message
    for index, part in enumerate(parts):
        sent = await message.reply_text(
            part,
            do_quote=None if quote_first and index == 0 else False,
            reply_markup=keyboard if index == len(parts) - 1 else None,
        )
    return sent


def declined_reply(answer: Answer, treaty: Treaty, lang: str) -> str:
    """Why nothing is quoted: the missing provision, the subject the text does not record
    (with the provisions that govern it, as not answering), or that nothing matches."""
    if answer.error:
        return f"{escape(answer.error)} {text('browse_hint', lang)}"
    if answer.reason in (None, NO_MATCH):
        return text("no_match", lang)
    key = f"scope_{answer.reason}"
    reply = (
        text(key, lang, **answer.note_values)
        if key in CATALOG[DEFAULT_LANGUAGE]
        else answer.note or text("no_match", lang)  # a subject not yet translated
    )
    return formatting.declined_message(reply, answer.related, treaty, lang)


def named_paragraph(question: str, answer: Answer) -> bool:
    """Whether the best result is a paragraph the question names ("article 40 21"): it is then
    quoted whole, never cut."""
    if answer.error or not answer.results or answer.results[0].paragraph is None:
        return False
    first = answer.results[0]
    return first.document == CONVENTION_ID and any(
        (r.document, r.article, r.paragraph) == (first.document, first.article, first.paragraph)
        for r in find_references(question)
    )


def relevant_results(answer: Answer) -> tuple[ArticleResult, ...]:
    """The results "More results" pages through: the first page, then each later result that
    would pass the abstention test on its own (the retriever's "relevant" evidence). One that
    would not is skipped rather than ending the pages: a signal that names an article without
    matching its text can rank it above relevant ones."""
    relevant = answer.evidence.get("relevant")
    if relevant is None:  # a lookup: every result was asked for
        return answer.results
    # Another instrument's provision is placed among the results only when it is relevant.
    return answer.results[:PAGE_SIZE] + tuple(
        result for result in answer.results[PAGE_SIZE:]
        if result.document != CONVENTION_ID or str(result.article) in relevant
    )


def render_first_answer(answer: Answer, treaty: Treaty, lang: str) -> str:
    """The first message a question gets (scripts/screen_size.py measures it)."""
    if answer.abstained:
        return declined_reply(answer, treaty, lang)
    return formatting.answer_message(
        answer.results[:PAGE_SIZE], treaty, answer.error, lang,
        whole_first=named_paragraph(answer.question, answer),
    )
