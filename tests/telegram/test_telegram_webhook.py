"""Webhook mode through the bot's own webhook server (bot/telegram/webhook.py) on 127.0.0.1:
only Telegram gets in, hostile requests cost nothing, and an update is answered 200 only once
it is handled."""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from botapi_standin import BotApiStandIn, Fault
from telegram.ext import Application
from telegram_harness import BOT_USERNAME, ProcessedUpdates, stand_in_settings, track_updates

from bot.search.retriever import Retriever
from bot.settings import Settings
from bot.telegram import texts
from bot.telegram.app import ALLOWED_UPDATES, build_application, webhook_parameters
from bot.telegram.webhook import MAX_BODY_BYTES, SECRET_HEADER, WebhookServer

SECRET = "s3cret_Token-1"
PUBLIC_URL = "https://bot.example.org/treaty/hook"
CHAT_ID = 31337
BODY_TIMEOUT_S = 1.0
IDLE_TIMEOUT_S = 2.0


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
    """The bot serving its webhook, started as `treaty-bot` starts it (with short body and idle
    timeouts, so that the tests of them are quick)."""
    application = build_application(webhook_settings, retriever)
    application.bot_data["processed"] = track_updates(application)
    server = WebhookServer(
        application,
        **webhook_parameters(webhook_settings),
        body_timeout_s=BODY_TIMEOUT_S,
        idle_timeout_s=IDLE_TIMEOUT_S,
    )
    await application.initialize()
    await application.start()
    await server.start()
    yield application
    await server.stop()
    await application.stop()
    assert application.post_stop is not None
    await application.post_stop(application)
    await application.shutdown()


@pytest.fixture(scope="module")
def local_url(webhook_settings: Settings) -> str:
    return f"http://127.0.0.1:{webhook_settings.telegram_webhook_port}/treaty/hook"


def help_update(update_id: int, text: str = "/help") -> dict:
    chat = {"id": CHAT_ID, "type": "private", "first_name": "Ada"}
    entities = [{"type": "bot_command", "offset": 0, "length": 5}] if text == "/help" else []
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_735_000_000,
            "chat": chat,
            "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Ada"},
            "text": text,
            "entities": entities,
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
    bot_api: BotApiStandIn, webhook_bot: Application, local_url: str
) -> None:
    bot_api.register_chat({"id": CHAT_ID, "type": "private", "first_name": "Ada"})
    async with httpx.AsyncClient() as client:
        without = await client.post(local_url, json=help_update(9001))
        wrong = await client.post(local_url, json=help_update(9002), headers={SECRET_HEADER: "x"})
        prefix = await client.post(
            local_url, json=help_update(9004), headers={SECRET_HEADER: SECRET[:-1]}
        )
        foreign = await client.post(  # not ASCII: a plain str comparison would fail, not refuse
            local_url, json=help_update(9005), headers={SECRET_HEADER: "s3cret_Tökén-1".encode()}
        )
        statuses = (without.status_code, wrong.status_code, prefix.status_code)
        assert statuses + (foreign.status_code,) == (403, 403, 403, 403)

        accepted = await client.post(
            local_url, json=help_update(9003), headers={SECRET_HEADER: SECRET}
        )
        assert accepted.status_code == 200
    processed: ProcessedUpdates = webhook_bot.bot_data["processed"]
    assert processed.done == {9003}, "a refused request must never reach the handlers"
    (reply,) = [
        c for c in bot_api.calls if c.method == "sendMessage" and c.params["chat_id"] == CHAT_ID
    ]
    assert reply.params["text"] == texts.help_text(BOT_USERNAME, "en")


async def test_the_answer_is_200_only_once_the_update_is_handled(
    bot_api: BotApiStandIn, webhook_bot: Application, local_url: str
) -> None:
    """Issue 13 (webhook half): python-telegram-bot answered 200 as soon as the update was
    queued, so an update lost afterwards (a crash, a restart) was never sent again."""
    bot_api.register_chat({"id": CHAT_ID, "type": "private", "first_name": "Ada"})

    def replies() -> int:
        return sum(c.method == "sendMessage" and c.params["chat_id"] == CHAT_ID
                   for c in bot_api.calls)

    before = replies()
    bot_api.inject("sendMessage", Fault.slow(1.5))
    processed: ProcessedUpdates = webhook_bot.bot_data["processed"]
    started = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as client:
        answered = await client.post(
            local_url, json=help_update(9101), headers={SECRET_HEADER: SECRET}
        )
    assert answered.status_code == 200
    assert time.monotonic() - started >= 1.5
    assert 9101 in processed.done, "200 came before the update's handling had finished"
    assert replies() == before + 1, "200 came before the reply was sent"


async def raw_request(port: int, head: bytes, body: bytes = b"", read_s: float = 10.0) -> bytes:
    """Send a request by hand (as an attacker would), then read until the server closes (a
    reset, from a server closing with the request unread, counts as closing)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = bytearray()
    try:
        writer.write(head + body)
        await writer.drain()
        async with asyncio.timeout(read_s):
            while chunk := await reader.read(65536):
                received += chunk
    except ConnectionResetError:
        pass
    finally:
        writer.close()
    return bytes(received)


def head(path: str, length: int | None, secret: str | None = SECRET, chunked: bool = False):
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if secret is not None:
        lines.append(f"{SECRET_HEADER}: {secret}")
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


async def test_a_huge_body_without_the_secret_is_refused_unread(
    webhook_bot: Application, webhook_settings: Settings
) -> None:
    """Issue 16, point 2: the body (up to 100 MB) was read into memory before the secret was
    checked. Here the 403 comes back after the headers alone, with 95 MB announced."""
    port = webhook_settings.telegram_webhook_port
    started = time.monotonic()
    answer = await raw_request(port, head("/treaty/hook", 95 * 1024 * 1024, secret=None))
    assert answer.startswith(b"HTTP/1.1 403 "), answer[:200]
    assert time.monotonic() - started < 1.0
    assert b"Bad Request" not in answer  # nothing after the refusal


async def test_bodies_over_the_cap_are_refused_even_with_the_secret(
    webhook_bot: Application, webhook_settings: Settings
) -> None:
    port = webhook_settings.telegram_webhook_port
    declared = await raw_request(port, head("/treaty/hook", MAX_BODY_BYTES + 1))
    assert declared.startswith(b"HTTP/1.1 413 "), declared[:200]
    chunk = b"x" * 65536
    body = b"".join(b"%x\r\n%b\r\n" % (len(chunk), chunk) for _ in range(20))  # 1.25 MB
    chunked = await raw_request(port, head("/treaty/hook", None, chunked=True), body)
    assert chunked.startswith(b"HTTP/1.1 400 ") or chunked == b"", chunked[:200]
    processed: ProcessedUpdates = webhook_bot.bot_data["processed"]
    assert not {u for u in processed.done if u >= 9200}


async def test_slow_bodies_and_idle_connections_are_cut_off(
    webhook_bot: Application, webhook_settings: Settings
) -> None:
    """Issue 16, point 2: a slowly sent body held its connection open indefinitely."""
    port = webhook_settings.telegram_webhook_port
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(head("/treaty/hook", 1000) + b'{"update_id": 92')  # and then nothing
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 10) == b""  # closed by the server
    assert time.monotonic() - started < BODY_TIMEOUT_S + 2
    writer.close()

    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    started = time.monotonic()
    writer.write(b"POST /treaty/hook HTTP/1.1\r\nHost: 127")  # headers that never end
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 10) == b""
    assert time.monotonic() - started < IDLE_TIMEOUT_S + 2
    writer.close()


async def test_an_unreadable_update_is_refused_without_logging_its_text(
    webhook_bot: Application, local_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 16, point 9: an update that failed to parse was logged with its text."""
    private = "my very private question about my own case"
    broken = json.dumps({"update_id": "not a number", "message": {"text": private}})
    with caplog.at_level(logging.DEBUG):
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                local_url, content=broken,
                headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
            )
            not_json = await client.post(
                local_url, content=f"{{{private}",
                headers={SECRET_HEADER: SECRET, "Content-Type": "application/json"},
            )
    assert (answer.status_code, not_json.status_code) == (400, 400)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "could not be read as an update" in logged
    assert private not in logged and SECRET not in logged
