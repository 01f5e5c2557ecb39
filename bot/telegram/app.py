"""Run the Telegram bot: `treaty-bot` (long polling, or a webhook when TELEGRAM_WEBHOOK_URL is set).

The index and model are loaded once, before the bot connects; if the index is missing or stale
the bot does not start and says how to build it.
"""

from __future__ import annotations

import logging
import re
import sys
from typing import TypedDict
from urllib.parse import urlsplit

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, Defaults

from bot.index_store import IndexNotReady
from bot.retrieval import Retriever
from bot.settings import Settings, get_settings
from bot.telegram import texts
from bot.telegram.handlers import TreatyBot, TreatyRetriever

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY, Update.INLINE_QUERY)
_SECRET_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")  # what Telegram accepts as secret_token


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
    """Arguments for `run_webhook`/`start_webhook`: serve the path of the public URL, locally."""
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
    """Publish the command menu and the descriptions shown before a chat starts."""
    bot = application.bot
    await bot.set_my_commands([BotCommand(name, about) for name, about in texts.COMMANDS])
    await bot.set_my_description(texts.DESCRIPTION)
    await bot.set_my_short_description(texts.SHORT_DESCRIPTION)


def build_application(settings: Settings, retriever: TreatyRetriever) -> Application:
    """The bot, wired to the Bot API at `telegram_api_base_url` and answering from `retriever`."""
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    application = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(settings.telegram_api_base_url)
        .base_file_url(file_base_url(settings.telegram_api_base_url))
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(True)
        .post_init(register_bot_profile)
        .build()
    )
    TreatyBot(retriever, log_questions=settings.log_questions).register(application)
    return application


def configure_logging() -> None:
    logging.basicConfig(
        format="%(asctime)s %(levelname)s %(name)s: %(message)s", level=logging.INFO
    )
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main() -> None:
    """Check the settings, load the index once, then poll Telegram or serve the webhook."""
    configure_logging()
    settings = get_settings()
    problems = settings_problems(settings)
    if problems:
        sys.exit("\n".join(problems))
    try:
        retriever = Retriever.load(settings)
    except IndexNotReady as error:
        sys.exit(str(error))
    application = build_application(settings, retriever)
    if settings.telegram_webhook_url:
        logger.info("Serving the webhook for %s", settings.telegram_webhook_url)
        application.run_webhook(**webhook_parameters(settings))
    else:
        logger.info("Polling Telegram for updates")
        application.run_polling(allowed_updates=ALLOWED_UPDATES)
