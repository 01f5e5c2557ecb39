"""Inline mode: "@bot question" in any chat offers the best-matching provisions; choosing one
inserts its paragraph, cited, with the source line."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    Update,
)
from telegram.ext import ContextTypes

from bot.search.results import Answer
from bot.search.retriever import question_as_read
from bot.telegram import formatting
from bot.telegram.activity import Outcome
from bot.telegram.i18n import text
from bot.telegram.reloading import TreatyRetriever
from bot.telegram.replies import convention_articles
from bot.telegram.scheduling import Turns
from bot.telegram.updates import sender_key, user_language
from bot.treaty.citations import short_citation_line
from bot.treaty.layout import CONVENTION_ID

INLINE_RESULTS = 5
INLINE_MIN_CHARS = 3  # a shorter inline query is not searched; it offers the private chat
INLINE_PAUSE_S = 0.4  # an inline query is answered when the user pauses this long in typing
INLINE_CACHE = 256  # inline answers kept, the least recently asked dropped first


class InlineMode:
    """Answers inline queries from the retriever the bot holds now (`retriever`), searching
    through `ask` in the asker's turn."""

    def __init__(
        self,
        ask: Callable[[str, int], Awaitable[Answer]],
        retriever: Callable[[], TreatyRetriever],
        turns: Turns,
    ) -> None:
        self._ask = ask
        self._retriever = retriever
        self._turns = turns
        self._latest: dict[int, str] = {}  # per user, the inline query to answer
        self._cache: OrderedDict[
            tuple[str, str, int], tuple[list[InlineQueryResultArticle], tuple[int, ...]]
        ] = OrderedDict()

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Outcome:
        """Offer the best-matching articles; choosing one inserts its paragraph, cited.

        Every keystroke is an inline query: typing is not flooding. So inline queries are not
        counted by the flood guard; each user's latest query is answered after a short pause
        (earlier ones are dropped, as Telegram's client drops them), in the user's turn, and
        answers are cached. A query too short to search offers a button into the private chat.
        """
        query = update.inline_query
        assert query is not None
        question = " ".join(query.query.split())
        lang = user_language(update)
        if len(question) < INLINE_MIN_CHARS:
            await query.answer([], button=self._start_button(lang), cache_time=0)
            return Outcome()
        user = query.from_user.id
        self._latest[user] = query.id
        await asyncio.sleep(INLINE_PAUSE_S)
        if self._latest.get(user) != query.id:
            return Outcome()  # the user typed on: only the latest query is answered
        del self._latest[user]
        async with self._turns.turn(sender_key(update)):
            found, articles = await self._results(question, lang)
        await query.answer(found, button=None if found else self._start_button(lang))
        return Outcome(articles, question)

    def _start_button(self, lang: str) -> InlineQueryResultsButton:
        return InlineQueryResultsButton(text("inline_start", lang), start_parameter="inline")

    async def _results(
        self, question: str, lang: str
    ) -> tuple[list[InlineQueryResultArticle], tuple[int, ...]]:
        """The inline results for a question, from the cache when it was asked lately."""
        key = (question_as_read(question).lower(), lang, id(self._retriever()))
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return cached
        answer = await self._ask(question, INLINE_RESULTS)
        treaty = self._retriever().treaty
        results = (
            [
                InlineQueryResultArticle(
                    id=str(result.article) if result.document == CONVENTION_ID
                    else result.citation,
                    title=short_citation_line(
                        result.article, result.title, result.paragraph, result.subparagraph
                    ) if result.document == CONVENTION_ID and result.article else result.heading,
                    description=formatting.inline_description(result),
                    input_message_content=InputTextMessageContent(
                        formatting.inline_result_message(result, treaty, lang)
                    ),
                )
                for result in answer.results
            ],
            convention_articles(answer.results),
        )
        self._cache[key] = results
        while len(self._cache) > INLINE_CACHE:
            self._cache.popitem(last=False)
        return results
