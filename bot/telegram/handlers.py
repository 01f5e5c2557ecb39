"""Telegram updates in, treaty quotations out: one handler per kind of update.

The handlers only route and format. Retrieval is CPU-bound, so it runs in a worker thread, and
it knows nothing of Telegram: it is reached through the small `TreatyRetriever` protocol.

Every update waits for its sender's turn before it is answered (`bot.telegram.scheduling`):
senders are served round-robin, so one user's flood cannot hold up another user's first
question, and past the queue's limit the bot says it is busy rather than queue without end.

The bot's own words follow the Telegram language of the user who sent the update (one of the
six UN languages, else English); the treaty is always quoted in its English authentic text.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Awaitable, Callable, Collection, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from html import escape

from telegram import (
    CallbackQuery,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.search.results import Answer, ArticleResult
from bot.telegram import formatting, texts
from bot.telegram.activity import Activity, Outcome, redact
from bot.telegram.flood import FloodGuard, Verdict
from bot.telegram.followups import (
    FOLLOW_UP_S,
    FollowUp,
    Provision,
    cited_in,
    paragraph_of,
    parse_follow_up,
    resolve,
    subparagraph_parts,
)
from bot.telegram.i18n import example_questions, text
from bot.telegram.inline import InlineMode
from bot.telegram.keyboards import (
    BUDAPEST_PATTERN,
    CHAPTER_PATTERN,
    EXAMPLE_PATTERN,
    FORGOTTEN_PAGE_PATTERN,
    FULL_TEXT_PATTERN,
    PAGE_PATTERN,
    PARAGRAPH_PATTERN,
    TOC_PATTERN,
    Ranking,
    answer_keyboard,
    article_keyboard,
    chapter_keyboard,
    examples_keyboard,
    not_issued,
    paragraph_keyboard,
    toc_keyboard,
    which_article_keyboard,
)
from bot.telegram.memory import ChatMemory
from bot.telegram.reloading import IndexReloader, TreatyRetriever
from bot.telegram.replies import (
    PAGE_SIZE,
    convention_articles,
    declined_reply,
    edit_in_place,
    named_paragraph,
    relevant_results,
    send_parts,
    unit_of,
)
from bot.telegram.scheduling import Busy, Turns
from bot.telegram.updates import (
    AddressedToBot,
    message_of,
    pressed,
    sender_key,
    user_language,
    without_mention,
)
from bot.treaty.citations import short_citation
from bot.treaty.layout import CONVENTION_ID
from bot.treaty.model import Chapter, Treaty
from bot.treaty.references import parse_article_arguments

logger = logging.getLogger(__name__)

RANKED_RESULTS = 4 * PAGE_SIZE  # what "More results" can page through, if the button holds it
# Updates answered at once. Searches run one at a time anyway (below); a few answers in flight
# let one search overlap the sending of others, while Telegram takes ~30 messages a second.
ANSWER_SLOTS = 4
DEFAULT_QUEUE_LIMIT = 1000

Callback = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[Outcome | None]]


class TreatyBot:
    """The bot's handlers, answering from the retriever the reloader currently holds."""

    def __init__(
        self,
        reloader: IndexReloader,
        activity: Activity,
        flood: FloodGuard,
        admin_user_ids: Collection[int] = (),
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
    ) -> None:
        self.reloader = reloader
        self.activity = activity
        self.flood = flood
        self.admin_user_ids = frozenset(admin_user_ids)
        self.turns = Turns(ANSWER_SLOTS, queue_limit)
        self.memory = ChatMemory()
        self._to_the_bot = filters.UpdateType.MESSAGE & AddressedToBot()
        self.inline = InlineMode(self._ask, lambda: self.reloader.retriever, self.turns)
        self._edited_to_the_bot = filters.UpdateType.EDITED_MESSAGE & AddressedToBot()
        # Searches hold the GIL most of the time: run them one at a time. With more threads
        # they starve the event loop that sends the replies (measured with scripts/loadtest.py
        # on 2 cores: 25 questions/s offered fell to 15/s answered with two threads; one
        # thread answers 29/s of 30 offered, p95 0.6 s). Which search runs next is decided by
        # the turns, round-robin across users.
        self._searches = ThreadPoolExecutor(1, "search")

    async def _send_parts(
        self,
        message: Message,
        parts: Sequence[str],
        quote_first: bool,
        keyboard: InlineKeyboardMarkup | None = None,
    ) -> Message:
        """`_send_parts`, noting the bot's latest message in the chat (see `edited_question`)."""
        sent = await send_parts(message, parts, quote_first, keyboard)
        self.memory.record_sent(message.chat.id, sent.message_id)
        return sent

    async def _first_showing(
        self, query: CallbackQuery, message: Message, shown: Hashable, already: str
    ) -> bool:
        """Answer a button that sends a text below `message`: True the first time it shows
        `shown` there, else False, telling the presser `already` (it is just above)."""
        if not self.memory.first_time_shown(message.chat.id, (message.message_id, shown)):
            await query.answer(already)
            return False
        await query.answer()
        return True

    @property
    def retriever(self) -> TreatyRetriever:
        return self.reloader.retriever

    @property
    def treaty(self) -> Treaty:
        return self.retriever.treaty

    def register(self, application: Application) -> None:
        """Route each kind of update to its handler; an edited question is answered again. The flood
        gate sees every update first; admin commands look unknown to everyone else."""
        new_messages = filters.UpdateType.MESSAGE
        admins = new_messages & filters.User(user_id=self.admin_user_ids)
        logged = self._logged
        application.add_handler(TypeHandler(Update, self.flood_gate), group=-1)
        application.add_handlers(
            [
                CommandHandler("start", logged("/start", self.start), filters=new_messages),
                CommandHandler("help", logged("/help", self.help), filters=new_messages),
                CommandHandler("article", logged("/article", self.article), filters=new_messages),
                CommandHandler("toc", logged("/toc", self.toc), filters=new_messages),
                CommandHandler("about", logged("/about", self.about), filters=new_messages),
                CommandHandler("compare", logged("/compare", self.compare), filters=new_messages),
                CommandHandler(
                    "stats", logged("/stats", self.stats, in_turn=False), filters=admins
                ),
                CommandHandler(
                    "reload", logged("/reload", self.reload, in_turn=False), filters=admins
                ),
                MessageHandler(
                    self._to_the_bot & filters.COMMAND, logged("unknown", self.unknown_command)
                ),
                MessageHandler(
                    self._to_the_bot & filters.TEXT & ~filters.COMMAND,
                    logged("question", self.question),
                ),
                MessageHandler(
                    self._edited_to_the_bot & filters.TEXT & ~filters.COMMAND,
                    logged("edited", self.edited_question),
                ),
                MessageHandler(
                    self._to_the_bot & ~filters.TEXT & ~filters.StatusUpdate.ALL,
                    logged("not-text", self.not_text),
                ),
                # First: python-telegram-bot gives a callback query without data to the first
                # CallbackQueryHandler, whatever its pattern.
                CallbackQueryHandler(logged("button:unknown", self.unknown_button), not_issued),
                CallbackQueryHandler(
                    logged("button:article", self.full_text_button), pattern=FULL_TEXT_PATTERN
                ),
                CallbackQueryHandler(
                    logged("button:budapest", self.budapest_button), pattern=BUDAPEST_PATTERN
                ),
                CallbackQueryHandler(logged("button:more", self.page_button), pattern=PAGE_PATTERN),
                CallbackQueryHandler(
                    logged("button:paragraph", self.paragraph_button), pattern=PARAGRAPH_PATTERN
                ),
                CallbackQueryHandler(
                    logged("button:chapter", self.chapter_button), pattern=CHAPTER_PATTERN
                ),
                CallbackQueryHandler(
                    logged("button:more", self.forgotten_page_button),
                    pattern=FORGOTTEN_PAGE_PATTERN,
                ),
                CallbackQueryHandler(logged("button:toc", self.toc_button), pattern=TOC_PATTERN),
                CallbackQueryHandler(
                    logged("button:example", self.example_button), pattern=EXAMPLE_PATTERN
                ),
                InlineQueryHandler(logged("inline", self.inline.answer, in_turn=False)),
            ]
        )
        application.add_error_handler(self.report_error)

    def _logged(self, command: str, callback: Callback, in_turn: bool = True) -> Callback:
        """The handler, run in its sender's turn (admin commands need none, so that they work
        under load), timed from arrival and recorded (pseudonymous log line, /stats counters).
        """

        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Outcome:
            started = time.perf_counter()
            try:
                if in_turn:
                    async with self.turns.turn(sender_key(update)):
                        outcome = await callback(update, context) or Outcome()
                else:
                    outcome = await callback(update, context) or Outcome()
            except Busy:
                await self._say_busy(update)
                outcome = Outcome(busy=True)
            self.activity.record(update, command, time.perf_counter() - started, outcome)
            return outcome

        return handle

    async def _say_busy(self, update: Update) -> None:
        """Tell a sender the bot cannot take their update now, in the way the update allows."""
        busy = text("busy", user_language(update))
        if update.callback_query:
            await update.callback_query.answer(busy)
        elif update.inline_query:
            await update.inline_query.answer([], cache_time=0)
        elif update.effective_message:
            await update.effective_message.reply_text(busy)

    async def _ask(self, question: str, k: int) -> Answer:
        """Search off the event loop, so one slow question does not stall every chat. A reload
        meanwhile lets the search finish on the retriever it started with."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._searches, self.retriever.ask, question, k)

    # --- Flood protection ---------------------------------------------------------------

    async def flood_gate(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Drop what a user sends beyond their allowance, saying so once per burst; other
        users are not held up. Group chatter not meant for the bot does not count, and admins
        are not limited."""
        sender = sender_key(update)
        meant_for_bot = update.callback_query or update.inline_query or (
            update.message and self._to_the_bot.check_update(update)
        ) or (update.edited_message and self._edited_to_the_bot.check_update(update))
        if sender is None or not meant_for_bot:
            return
        if sender[0] == "user" and sender[1] in self.admin_user_ids:
            return
        if update.inline_query:
            return  # typing is not flooding: see `InlineMode.answer`
        verdict = self.flood.check(sender)
        if verdict is Verdict.ALLOW:
            return
        if verdict is Verdict.WARN:
            logger.info("flood sender=%s: over the limit", self.activity.pseudonym(sender[1]))
            slow_down = text("slow_down", user_language(update))
            if update.callback_query:
                await update.callback_query.answer(slow_down)
            elif update.message:
                await update.message.reply_text(slow_down)
        raise ApplicationHandlerStop

    # --- Commands ---------------------------------------------------------------------

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Say what the bot is, and offer example questions to tap."""
        lang = user_language(update)
        await message_of(update).reply_text(texts.start(lang), reply_markup=examples_keyboard(lang))

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Explain questions, commands, inline mode and group use."""
        lang = user_language(update)
        await message_of(update).reply_text(texts.help_text(context.bot.username, lang))

    async def article(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Outcome | None:
        """Quote an article, or one of its paragraphs, in full."""
        message = message_of(update)
        lang = user_language(update)
        treaty = self.treaty
        reference = parse_article_arguments(context.args or ())
        if reference is None:
            await message.reply_text(text("article_usage", lang))
            return None
        number, label = reference.article, reference.paragraph
        article = treaty.article(number)
        if article is None:
            await message.reply_text(texts.no_such_article(number, len(treaty.articles), lang))
            return None
        if label is None:
            await self._send_parts(
                message, formatting.article_messages(article, treaty, lang), True,
                article_keyboard(article, treaty, lang),
            )
            self.memory.record_answer(message.chat.id, Provision(number))
            return Outcome((number,))
        paragraph = article.paragraph(label)
        if paragraph is None:
            await message.reply_text(texts.no_such_paragraph(article, label, lang))
            return None
        parts = formatting.paragraph_messages(article, paragraph, treaty, lang)
        keyboard = paragraph_keyboard(article, label, treaty, lang)
        await self._send_parts(message, parts, True, keyboard)
        self.memory.record_answer(message.chat.id, Provision(number, label))
        return Outcome((number,))

    async def toc(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """List the chapters, with buttons to browse into their articles."""
        lang = user_language(update)
        await message_of(update).reply_text(
            formatting.toc_message(self.treaty, lang), reply_markup=toc_keyboard(self.treaty)
        )

    async def about(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Name the document, its checksum and the index, so answers can be checked."""
        retriever = self.retriever
        await message_of(update).reply_text(
            formatting.about_message(retriever.treaty, retriever.manifest, user_language(update))
        )

    async def compare(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Outcome | None:
        """An article beside its Budapest counterparts, with our note on the difference."""
        message = message_of(update)
        lang = user_language(update)
        reference = parse_article_arguments(context.args or ())
        if reference is None:
            await message.reply_text(text("compare_usage", lang))
            return None
        treaty = self.treaty
        if treaty.article(reference.article) is None:
            await message.reply_text(
                texts.no_such_article(reference.article, len(treaty.articles), lang)
            )
            return None
        answer = self.retriever.comparison(reference.article)
        if answer.error:  # the index holds no Budapest text
            await message.reply_text(text("scope_not-loaded", lang))
            return None
        await message.reply_text(
            formatting.comparison_message(answer.results, answer.note, treaty, lang),
            reply_markup=answer_keyboard(answer.results, Ranking(()), None, None, lang),
        )
        return Outcome(tuple(r.article for r in answer.results if r.document == CONVENTION_ID))

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Point to /help rather than searching the treaty for a command."""
        await message_of(update).reply_text(text("unknown_command", user_language(update)))

    # --- Admin commands -----------------------------------------------------------------

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """How the bot is doing, without reading its logs (ADMIN_USER_IDS only)."""
        activity = self.activity
        await message_of(update).reply_text(
            texts.stats(
                uptime_s=activity.uptime_s,
                answered=activity.answered,
                abstained=activity.abstained,
                median_s=activity.median_latency_s(),
                errors=activity.errors,
                dropped=self.flood.dropped,
                busy=activity.busy,
                build=self.reloader.build,
                built_at=str(self.retriever.manifest.get("built_at", "unknown")),
            )
        )

    async def reload(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Load a rebuilt index now rather than at the next periodic check (admins only)."""
        result = await self.reloader.reload(retry_refused=True)
        if result.reloaded:
            text = texts.reloaded(result.build)
        elif result.refused:
            text = texts.reload_refused(result.build, result.refused)
        else:
            text = texts.reload_unchanged(result.build)
        await message_of(update).reply_text(text)

    # --- Messages -----------------------------------------------------------------------

    async def question(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> Outcome | None:
        """Answer a question with the provisions that match it best, quoted."""
        message = message_of(update)
        lang = user_language(update)
        question = without_mention(message.text or "", context.bot.username)
        if not question:
            await message.reply_text(texts.empty_mention(context.bot.username, lang))
            return None
        follow_up = parse_follow_up(question)
        if follow_up is not None:
            return await self._follow_up(message, context, follow_up, lang)
        await message.reply_chat_action(ChatAction.TYPING)
        return await self._answer(message, context, question, lang)

    async def _follow_up(
        self,
        message: Message,
        context: ContextTypes.DEFAULT_TYPE,
        follow_up: FollowUp,
        lang: str,
    ) -> Outcome:
        """A follow-up names no article: it means the article of the bot message it replies
        to, or else of the chat's last answer if recent; otherwise ask which one is meant."""
        treaty = self.treaty
        replied = message.reply_to_message
        about = None
        if replied and replied.from_user and replied.from_user.id == context.bot.id:
            about = cited_in(replied.text or "")
        last = self.memory.last_answer(message.chat.id)
        if about is None and last is not None and self.memory.age(last) <= FOLLOW_UP_S:
            about = last.provision
        if about is None:
            keyboard = which_article_keyboard(
                last.articles if last else (), follow_up.paragraph, treaty, lang
            )
            await message.reply_text(text("follow_up_which", lang), reply_markup=keyboard)
            return Outcome()
        target = resolve(follow_up, about, treaty)
        if target is None:
            await message.reply_text(text("no_next", lang))
            return Outcome()
        return await self._quote(message, target, lang)

    async def _quote(self, message: Message, target: Provision, lang: str) -> Outcome:
        """Quote an article, a paragraph or a sub-paragraph whole, with its navigation."""
        treaty = self.treaty
        article = treaty.article(target.article)
        if article is None:
            await message.reply_text(texts.no_such_article(target.article, len(treaty.articles),
                                                           lang))
            return Outcome()
        if target.paragraph is None and target.sub is None:
            parts = formatting.article_messages(article, treaty, lang)
            await self._send_parts(message, parts, True, article_keyboard(article, treaty, lang))
            self.memory.record_answer(message.chat.id, target)
            return Outcome((article.number,))
        paragraph = paragraph_of(article, target.paragraph)
        if paragraph is None:
            reply = (
                texts.no_such_paragraph(article, target.paragraph, lang)
                if target.paragraph
                else text("follow_up_which", lang)
            )
            await message.reply_text(reply)
            return Outcome()
        if target.sub:
            found = subparagraph_parts(paragraph, target.sub)
            if found is None:
                provision = short_citation(article.number, paragraph.label)
                await message.reply_text(
                    text("no_such_subparagraph", lang, provision=provision, sub=escape(target.sub))
                )
                return Outcome()
            parts = formatting.subparagraph_messages(article, paragraph, *found, treaty, lang)
        else:
            parts = formatting.paragraph_messages(article, paragraph, treaty, lang)
        await self._send_parts(
            message, parts, True, paragraph_keyboard(article, paragraph.label, treaty, lang)
        )
        self.memory.record_answer(
            message.chat.id, Provision(article.number, paragraph.label, target.sub)
        )
        return Outcome((article.number,))

    async def edited_question(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> Outcome | None:
        """People fix typos by editing: answer the edited question again, in place when the
        answer is still the bot's latest message in the chat, else in a reply to the edit."""
        message = update.edited_message
        assert message is not None
        lang = user_language(update)
        question = without_mention(message.text or "", context.bot.username)
        if not question or parse_follow_up(question) is not None:
            return None  # an edited follow-up is not asked again: its context may have moved
        answer_id = self.memory.answer_to(message.chat.id, message.message_id)
        if answer_id is None:
            await message.reply_chat_action(ChatAction.TYPING)
            return await self._answer(message, context, question, lang, quote=True)
        answer = await self._ask(question, RANKED_RESULTS)
        treaty = self.treaty
        if answer.abstained:
            page, keyboard = declined_reply(answer, treaty, lang), None
        else:
            ranking = Ranking.fitting(unit_of(r) for r in relevant_results(answer))
            named = named_paragraph(question, answer)
            page, keyboard = self._page(answer.results, ranking, 0, answer.error, lang, named)
            self.memory.remember(message.chat.id, answer_id, question)
        try:
            await context.bot.edit_message_text(
                page, chat_id=message.chat.id, message_id=answer_id, reply_markup=keyboard
            )
        except BadRequest as error:
            if "not modified" not in error.message:
                raise
        shown = answer.results[:PAGE_SIZE]
        return Outcome(tuple(r.article for r in shown), question, abstained=answer.abstained)

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Stickers, photos, voice and files cannot be searched; say so in one line."""
        await message_of(update).reply_text(text("not_text", user_language(update)))

    async def _answer(
        self,
        message: Message,
        context: ContextTypes.DEFAULT_TYPE,
        question: str,
        lang: str,
        asked_by_button: bool = False,
        quote: bool | None = None,
    ) -> Outcome:
        """Reply with the first page of results in the user's language `lang`; a question
        asked by a button is shown above them, since no message of the user's says what was
        asked."""
        answer = await self._ask(question, RANKED_RESULTS)
        # None: PTB's default, quoting in groups; an edited question's new answer quotes it
        do_quote = False if asked_by_button else quote
        treaty = self.treaty
        if answer.abstained:
            sent = await message.reply_text(declined_reply(answer, treaty, lang),
                                            do_quote=do_quote)
            self.memory.record_reply(message.chat.id, message.message_id, sent.message_id)
            return Outcome(question=question, abstained=True)
        named = named_paragraph(question, answer)
        first = answer.results[0]
        if named and not formatting.fits_whole(first):  # too long for an answer: on its own
            article = treaty.article(first.article)
            assert article is not None and first.paragraph is not None
            paragraph = article.paragraph(first.paragraph)
            assert paragraph is not None
            await self._send_parts(
                message, formatting.paragraph_messages(article, paragraph, treaty, lang),
                not asked_by_button, paragraph_keyboard(article, first.paragraph, treaty, lang),
            )
            self.memory.record_answer(message.chat.id, Provision(first.article, first.paragraph))
            return Outcome((first.article,), question, abstained=False)
        ranking = Ranking.fitting(unit_of(r) for r in relevant_results(answer))
        heading = answer.error or (f"“{question}”" if asked_by_button else None)
        ours = answer.note if answer.comparison else None
        page, keyboard = self._page(
            answer.results, ranking, 0, heading, lang, ours, whole_first=named,
            broad=treaty.chapter(answer.chapter),
        )
        sent = await message.reply_text(page, reply_markup=keyboard, do_quote=do_quote)
        self.memory.remember(message.chat.id, sent.message_id, question)
        if not asked_by_button:
            self.memory.record_reply(message.chat.id, message.message_id, sent.message_id)
        shown = answer.results[:PAGE_SIZE]
        if first.document == CONVENTION_ID and first.article:  # follow-ups name its paragraphs
            self.memory.record_answer(
                message.chat.id,
                Provision(first.article, first.paragraph, first.subparagraph),
                convention_articles(shown),
            )
        return Outcome(convention_articles(shown), question, abstained=False)

    def _page(
        self,
        results: Sequence[ArticleResult],
        ranking: Ranking,
        offset: int,
        heading: str | None,
        lang: str,
        ours: str | None = None,
        whole_first: bool = False,
        broad: Chapter | None = None,
    ) -> tuple[str, InlineKeyboardMarkup | None]:
        """A page of results; `ours`, a comparison's note in our own words, goes with them;
        `broad`: the chapter a broad question asks about, offered article by article."""
        shown = results[offset : offset + PAGE_SIZE]
        following = offset + PAGE_SIZE if len(ranking.units) > offset + PAGE_SIZE else None
        # The last of several pages says that nothing further matches closely enough.
        last_page = offset > 0 and following is None
        closing = (text("results_end", lang) if last_page
                   else formatting.broad_chapter_line(broad, lang) if broad else None)
        page = formatting.answer_message(shown, self.treaty, heading, lang, ours, whole_first,
                                         closing=closing)
        previous = max(0, offset - PAGE_SIZE) if offset else None
        first = shown[0]
        cut = (not whole_first and first.document == CONVENTION_ID and first.article
               and first.paragraph and formatting.is_shortened(first))
        keyboard = answer_keyboard(
            shown, ranking, previous, following, lang,
            paragraph=(first.article, first.paragraph) if cut and first.paragraph else None,
            chapter=broad,
        )
        return page, keyboard

    # --- Buttons ------------------------------------------------------------------------

    async def full_text_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> Outcome | None:
        """Send an article in full below the message, once per message and article."""
        query, message = pressed(update)
        assert context.match is not None
        lang = user_language(update)
        treaty = self.treaty
        article = treaty.article(int(context.match.group(1)))
        if article is None or message is None:
            await query.answer(text("button_expired", lang))
            return None
        if not await self._first_showing(query, message, article.number,
                                         texts.already_shown(article.number, lang)):
            return None
        await self._send_parts(
            message, formatting.article_messages(article, treaty, lang), False,
            article_keyboard(article, treaty, lang),
        )
        self.memory.record_answer(message.chat.id, Provision(article.number))
        return Outcome((article.number,))

    async def budapest_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> Outcome | None:
        """Send a Budapest article in full below the message, once per message and article."""
        query, message = pressed(update)
        assert context.match is not None
        lang = user_language(update)
        budapest = self.retriever.budapest
        article = budapest.article(int(context.match.group(1))) if budapest else None
        if article is None or message is None:
            await query.answer(text("button_expired", lang))
            return None
        if not await self._first_showing(query, message, f"budapest:{article.number}",
                                         text("button_budapest", lang, article=article.number)):
            return None
        await self._send_parts(message, formatting.budapest_article_messages(article, lang), False)
        return Outcome()

    async def paragraph_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> Outcome | None:
        """Send one paragraph whole below the message, once per message and paragraph."""
        query, message = pressed(update)
        assert context.match is not None
        lang = user_language(update)
        treaty = self.treaty
        article = treaty.article(int(context.match.group(1)))
        label = context.match.group(2)
        paragraph = article.paragraph(label) if article else None
        if article is None or paragraph is None or message is None:
            await query.answer(text("button_expired", lang))
            return None
        if not await self._first_showing(query, message, (article.number, label),
                                         texts.already_shown(f"{article.number}({label})", lang)):
            return None
        await self._send_parts(
            message, formatting.paragraph_messages(article, paragraph, treaty, lang), False,
            paragraph_keyboard(article, label, treaty, lang),
        )
        self.memory.record_answer(message.chat.id, Provision(article.number, label))
        return Outcome((article.number,))

    async def chapter_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Under a full article: its chapter's list of articles, as a new message."""
        query, message = pressed(update)
        assert context.match is not None
        lang = user_language(update)
        chapter = self.treaty.chapter(context.match.group(1))
        if chapter is None or message is None:
            await query.answer(text("button_expired", lang))
            return
        await query.answer()
        await message.reply_text(
            formatting.chapter_message(chapter, self.treaty, lang),
            reply_markup=chapter_keyboard(chapter, lang),
            do_quote=False,
        )

    async def page_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> Outcome | None:
        """Show another page of results in place of the current one: the units the button
        names, quoted from the index served now (marked as the answer marked them while the
        question is remembered)."""
        query, message = pressed(update)
        assert context.match is not None
        lang = user_language(update)
        offset, ranking = int(context.match.group(1)), Ranking.parse(context.match.group(2))
        ranked = [self.retriever.unit_result(*unit) for unit in ranking.units] if ranking else []
        results = [r for r in ranked if r is not None]
        if ranking is None or len(results) < len(ranked):  # forged, or from another treaty text
            await query.answer(text("button_expired", lang))
            return None
        if len(results) <= offset:
            await query.answer(text("no_more_results", lang))
            return None
        await query.answer()
        question = self.memory.question(message.chat.id, message.message_id) if message else None
        if question is not None:  # quote as the answer did: with the words that answer it marked
            asked = {unit_of(r): r for r in (await self._ask(question, RANKED_RESULTS)).results}
            results = [asked.get(unit_of(r), r) for r in results]
        shown = results[offset : offset + PAGE_SIZE]
        last = offset + len(shown)
        heading = formatting.page_heading(offset + 1, last, question, lang) if offset else None
        await edit_in_place(query, *self._page(results, ranking, offset, heading, lang))
        return Outcome(convention_articles(shown), question)

    async def forgotten_page_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> None:
        """The "More results" button of an older version, whose question was kept only in
        memory and is gone."""
        assert update.callback_query is not None
        await update.callback_query.answer(text("expired", user_language(update)))

    async def toc_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Open a chapter's list of articles, or go back to the chapters."""
        query, message = pressed(update)
        assert context.match is not None
        lang = user_language(update)
        number = context.match.group(1)
        treaty = self.treaty
        if message is None:
            await query.answer(text("button_expired", lang))
            return
        if number is None:
            await query.answer()
            await edit_in_place(query, formatting.toc_message(treaty, lang), toc_keyboard(treaty))
            return
        chapter = treaty.chapter(number)
        if chapter is None:
            await query.answer(text("button_expired", lang))
            return
        await query.answer()
        listing = formatting.chapter_message(chapter, treaty, lang)
        await edit_in_place(query, listing, chapter_keyboard(chapter, lang))

    async def example_button(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE
    ) -> Outcome | None:
        """Ask one of the /start examples on the user's behalf, in the presser's language (in a
        group, /start's buttons may be pressed by someone who reads another language)."""
        query, message = pressed(update)
        assert context.match is not None
        lang = user_language(update)
        examples = example_questions(lang)
        index = int(context.match.group(1))
        if index >= len(examples) or message is None:
            await query.answer(text("button_expired", lang))
            return None
        await query.answer()
        await message.reply_chat_action(ChatAction.TYPING)
        return await self._answer(message, context, examples[index], lang, asked_by_button=True)

    async def unknown_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Callback data the bot never issued (an older version's, forged, or none): stop the
        button's spinner politely rather than leave it turning."""
        assert update.callback_query is not None
        await update.callback_query.answer(text("button_expired", user_language(update)))

    # --- Errors -----------------------------------------------------------------------------

    async def report_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure with its context (never the token or the user's text); tell the
        user only that it failed."""
        self.activity.errors += 1
        error = context.error
        details = "".join(traceback.format_exception(error)) if error else "no exception"
        logger.error(
            "Failed to handle %s:\n%s",
            self.activity.describe(update),
            redact(details, context.bot.token),
        )
        if isinstance(update, Update) and update.effective_chat:
            try:
                await update.effective_chat.send_message(
                    text("something_went_wrong", user_language(update))
                )
            except TelegramError as send_error:
                logger.warning("Could not tell the user about the failure: %s", send_error)
