"""Run the Telegram bot: `treaty-bot` (long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set).

The index and model are loaded once, before the bot connects; if the index is missing or stale
the bot does not start and says how to build it. A rebuilt index is picked up while running.
An update is confirmed to Telegram only once it is handled, so a bot killed mid-answer answers
it after a restart (`delivery`). SIGTERM or SIGINT stop it cleanly: answers in progress are
finished and confirmed, so none is lost or answered twice after a restart.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import sys
from collections.abc import Iterable
from typing import TypedDict
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, Defaults

from bot.errors import TreatyBotError
from bot.search.retriever import Retriever
from bot.settings import Settings, get_settings
from bot.telegram import texts, webhook
from bot.telegram.activity import Activity, redact
from bot.telegram.delivery import ConfirmingUpdater, RawUpdatesBot
from bot.telegram.flood import FloodGuard
from bot.telegram.handlers import ANSWER_SLOTS, TreatyBot
from bot.telegram.i18n import COMMAND_DESCRIPTIONS, DEFAULT_LANGUAGE
from bot.telegram.network import ApiHealth, ChatRateLimiter, ResilientRequest
from bot.telegram.reloading import IndexReloader, TreatyRetriever

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = (
    Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY
)
WARM_UP_QUESTION = "Is hacking a crime?"
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token
# Updates python-telegram-bot may process at once: enough that every update waiting for its
# turn is in the bot's own fair queue (bot.telegram.scheduling), not in a first-come line
# before it; the updates that need no turn get the margin.
CONCURRENCY_MARGIN = 256
# Libraries that log, at DEBUG, the updates they receive and the parameters of every request
# (user text, the webhook secret): their debug records are dropped unless LOG_QUESTIONS is set.
_OWN_LOGGERS = ("bot", "__main__")


class WebhookParameters(TypedDict):
    listen: str
    port: int
    url_path: str
    webhook_url: str
    secret_token: str
    allowed_updates: tuple[str, ...]


def file_base_url(base_url: str) -> str:
    """The file endpoint beside a Bot API endpoint ("…/bot" gives "…/file/bot")."""
    head, separator, tail = base_url.rpartition("/bot")
    return f"{head}/file/bot{tail}" if separator else base_url


def settings_problems(settings: Settings) -> list[str]:
    """What keeps the bot from starting, each with how to fix it."""
    problems = []
    if settings.telegram_bot_token is None:
        problems.append(
            "TELEGRAM_BOT_TOKEN is not set: create a bot with @BotFather and put its token in "
            "the environment or in .env."
        )
    if settings.telegram_webhook_url:
        secret = settings.telegram_webhook_secret
        if secret is None:
            problems.append(
                "TELEGRAM_WEBHOOK_SECRET must be set in webhook mode, so that requests that do "
                "not come from Telegram are refused."
            )
        elif not _SECRET_TOKEN.match(secret.get_secret_value()):
            problems.append(
                "TELEGRAM_WEBHOOK_SECRET may hold only A-Z, a-z, 0-9, _ and - (1 to 256 "
                "characters)."
            )
    return problems


def webhook_parameters(settings: Settings) -> WebhookParameters:
    """Arguments for `webhook.WebhookServer`: serve the path of the public URL, locally."""
    url = settings.telegram_webhook_url
    secret = settings.telegram_webhook_secret
    if url is None or secret is None:
        raise ValueError("webhook mode needs TELEGRAM_WEBHOOK_URL and TELEGRAM_WEBHOOK_SECRET")
    return WebhookParameters(
        listen=settings.telegram_webhook_listen,
        port=settings.telegram_webhook_port,
        url_path=urlsplit(url).path.lstrip("/"),
        webhook_url=url,
        secret_token=secret.get_secret_value(),
        allowed_updates=ALLOWED_UPDATES,
    )


async def register_bot_profile(application: Application) -> None:
    """Publish the command menu and the descriptions shown before a chat starts. The menu is
    English by default, and in each other UN language for users whose Telegram is set to it."""
    bot = application.bot
    for lang, menu in COMMAND_DESCRIPTIONS.items():
        commands = [BotCommand(name, about) for name, about in menu]
        if lang == DEFAULT_LANGUAGE:
            await bot.set_my_commands(commands)
        else:
            await bot.set_my_commands(commands, language_code=lang)
    await bot.set_my_description(texts.DESCRIPTION)
    await bot.set_my_short_description(texts.SHORT_DESCRIPTION)


def load_retriever(settings: Settings) -> Retriever:
    """Load the index and the models, then answer one question: what a first answer still
    costs (first-call allocations in ONNX Runtime and NumPy) is paid before users ask, not on
    their clock."""
    retriever = Retriever.load(settings)
    retriever.ask(WARM_UP_QUESTION)
    return retriever


def build_application(settings: Settings, retriever: TreatyRetriever) -> Application:
    """The bot, wired to the Bot API at `telegram_api_base_url` and answering from `retriever`
    (replaced when `INDEX_DIR/current` moves to a new build)."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    health = ApiHealth()
    reloader = IndexReloader(
        retriever,
        lambda: load_retriever(settings),
        settings.index_dir,
        settings.index_check_interval_s,
    )
    salt = settings.log_salt.get_secret_value().encode() if settings.log_salt else None
    treaty_bot = TreatyBot(
        reloader,
        Activity(salt, settings.log_questions),
        FloodGuard(settings.flood_burst, settings.flood_per_minute),
        settings.admin_user_ids,
        queue_limit=settings.answer_queue_limit,
    )

    async def post_init(application: Application) -> None:
        await register_bot_profile(application)
        reloader.start()

    async def post_stop(application: Application) -> None:
        await reloader.stop()

    bot = RawUpdatesBot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=settings.telegram_api_base_url,
        base_file_url=file_base_url(settings.telegram_api_base_url),
        request=ResilientRequest(
            health, settings.telegram_retry_for_s, read_timeout=settings.telegram_timeout_s
        ),
        get_updates_request=ResilientRequest(  # polling is safe to repeat: it never gives up
            health, math.inf, connection_pool_size=1, read_timeout=settings.telegram_timeout_s
        ),
        defaults=Defaults(
            parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True)
        ),
        rate_limiter=ChatRateLimiter(),
    )
    # Confirms an update to Telegram only once it is handled (bot/telegram/delivery.py).
    updater = ConfirmingUpdater(bot, asyncio.Queue(), settings.telegram_retry_for_s)
    application = (
        ApplicationBuilder()
        .updater(updater)
        .concurrent_updates(
            updater.processor(settings.answer_queue_limit + ANSWER_SLOTS + CONCURRENCY_MARGIN)
        )
        .post_init(post_init)
        .post_stop(post_stop)
        .build()
    )
    treaty_bot.register(application)
    application.bot_data["treaty_bot"] = treaty_bot
    return application


class RedactingFormatter(logging.Formatter):
    """Blanks out the secrets (the bot token, the webhook secret) wherever a record carries
    them: library messages quoting a request URL or its parameters, exception texts,
    tracebacks."""

    def __init__(self, secrets: Iterable[str | None], fmt: str) -> None:
        super().__init__(fmt)
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        for secret in self._secrets:
            line = redact(line, secret)
        return line


class LibraryDebugFilter(logging.Filter):
    """Drops the DEBUG records of libraries: python-telegram-bot logs each update it receives
    and each request's parameters there, httpx and tornado their traffic."""

    def filter(self, record: logging.LogRecord) -> bool:
        own = record.name.split(".")[0] in _OWN_LOGGERS
        return own or record.levelno >= logging.INFO


def configure_logging(settings: Settings) -> None:
    """Logs to stderr at LOG_LEVEL, without secrets at any level, and without user text unless
    LOG_QUESTIONS is set."""
    token, secret = settings.telegram_bot_token, settings.telegram_webhook_secret
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter(
            [s.get_secret_value() for s in (token, secret) if s is not None],
            "%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    )
    if not settings.log_questions:
        handler.addFilter(LibraryDebugFilter())
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main() -> None:
    """Check the settings, load the index once, then poll Telegram or serve the webhook."""
    try:
        settings = get_settings()
    except TreatyBotError as error:  # a refused setting (e.g. a plain-http Bot API URL)
        sys.exit(str(error))
    configure_logging(settings)
    problems = settings_problems(settings)
    if problems:
        sys.exit("\n".join(problems))
    try:
        retriever = load_retriever(settings)
    except TreatyBotError as error:  # no usable index, or a model that cannot load: how to fix
        sys.exit(str(error))
    application = build_application(settings, retriever)
    try:
        if settings.telegram_webhook_url:
            logger.info("Serving the webhook for %s", settings.telegram_webhook_url)
            server = webhook.WebhookServer(application, **webhook_parameters(settings))
            asyncio.run(webhook.serve(application, server))
        else:
            logger.info("Polling Telegram for updates")
            application.run_polling(allowed_updates=ALLOWED_UPDATES)
    except TelegramError as error:  # e.g. the Bot API unreachable for TELEGRAM_RETRY_FOR_S
        message = redact(str(error), application.bot.token)
        sys.exit(f"Stopped: the Bot API could not be used ({message}).")
    logger.info("Stopped")


if __name__ == "__main__":
    main()
