"""Webhook mode through PTB's real webhook server on 127.0.0.1: only Telegram gets in."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from botapi_standin import BotApiStandIn
from telegram.ext import Application
from telegram_harness import BOT_USERNAME, ProcessedUpdates, stand_in_settings, track_updates

from bot.search.retriever import Retriever
from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.app import ALLOWED_UPDATES, build_application, webhook_parameters

SECRET = "s3cret_Token-1"
PUBLIC_URL = "https://bot.example.org/treaty/hook"
CHAT_ID = 31337


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def webhook_settings(bot_api: BotApiStandIn) -> Settings:
    return stand_in_settings(
        bot_api,
        telegram_webhook_url=PUBLIC_URL,
        telegram_webhook_listen="127.0.0.1",
        telegram_webhook_port=free_port(),
        telegram_webhook_secret=SECRET,
    )


@pytest.fixture(scope="module")
async def webhook_bot(
    bot_api: BotApiStandIn, retriever: Retriever, webhook_settings: Settings
) -> AsyncIterator[Application]:
    """The bot serving its webhook, started as `run_webhook` starts it."""
    application = build_application(webhook_settings, retriever)
    application.bot_data["processed"] = track_updates(application)
    await application.initialize()
    assert application.updater is not None
    await application.updater.start_webhook(**webhook_parameters(webhook_settings))
    await application.start()
    yield application
    await application.updater.stop()
    await application.stop()
    assert application.post_stop is not None
    await application.post_stop(application)
    await application.shutdown()


def help_update(update_id: int) -> dict:
    chat = {"id": CHAT_ID, "type": "private", "first_name": "Ada"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_735_000_000,
            "chat": chat,
            "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Ada"},
            "text": "/help",
            "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
        },
    }


async def test_webhook_is_registered_with_its_secret(
    bot_api: BotApiStandIn, webhook_bot: Application
) -> None:
    (registration,) = [c for c in bot_api.calls if c.method == "setWebhook"]
    assert registration.params["url"] == PUBLIC_URL
    assert registration.params["secret_token"] == SECRET
    assert registration.params["allowed_updates"] == list(ALLOWED_UPDATES)


async def test_webhook_refuses_requests_without_the_secret_and_serves_telegram(
    bot_api: BotApiStandIn, webhook_bot: Application, webhook_settings: Settings
) -> None:
    bot_api.register_chat({"id": CHAT_ID, "type": "private", "first_name": "Ada"})
    local_url = f"http://127.0.0.1:{webhook_settings.telegram_webhook_port}/treaty/hook"
    header = "X-Telegram-Bot-Api-Secret-Token"

    async with httpx.AsyncClient() as client:
        without = await client.post(local_url, json=help_update(9001))
        wrong = await client.post(local_url, json=help_update(9002), headers={header: "guess"})
        assert (without.status_code, wrong.status_code) == (403, 403)

        accepted = await client.post(local_url, json=help_update(9003), headers={header: SECRET})
        assert accepted.status_code == 200
    processed: ProcessedUpdates = webhook_bot.bot_data["processed"]
    await processed.wait(9003)
    assert processed.done == {9003}, "a refused request must never reach the handlers"
    (reply,) = [
        c for c in bot_api.calls if c.method == "sendMessage" and c.params["chat_id"] == CHAT_ID
    ]
    assert reply.params["text"] == texts.help_text(BOT_USERNAME, "en")
