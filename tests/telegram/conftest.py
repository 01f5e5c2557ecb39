"""The bot under test, running for the whole session against the local Bot API stand-in.

The bot polls the stand-in over real HTTP (python-telegram-bot's HTTPXRequest), exactly as
it would poll Telegram; see `telegram_harness` for how tests play its users.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from botapi_standin import BotApiStandIn
from telegram.ext import Application
from telegram_harness import BOT_USER, TOKEN, Harness, polling, stand_in_settings

from bot.search.retriever import Retriever
from bot.telegram.app import build_application


@pytest.fixture(scope="session")
async def bot_api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(TOKEN, BOT_USER) as standin:
        yield standin


@pytest.fixture(scope="session")
async def running_bot(bot_api: BotApiStandIn, retriever: Retriever) -> AsyncIterator[Application]:
    """The bot, polling the stand-in as `treaty-bot` polls Telegram, for the whole session."""
    application = build_application(stand_in_settings(bot_api), retriever)
    async with polling(application) as processed:
        application.bot_data["processed"] = processed
        yield application


@pytest.fixture
def telegram(bot_api: BotApiStandIn, running_bot: Application) -> Harness:
    return Harness(bot_api, running_bot.bot_data["processed"])
