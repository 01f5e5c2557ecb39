"""Playing users against the bot: chats, updates as Telegram would send them, and the
requests the bot made in response to each.

Tests queue an update on the stand-in, wait until every handler of the bot has finished with
it, and read what the bot sent back.
"""

from __future__ import annotations

import asyncio
import itertools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from botapi_standin import ApiCall, BotApiStandIn, StoredMessage, utf16_length
from telegram import Update
from telegram.ext import Application

from bot.settings import Settings
from bot.telegram.activity import Activity
from bot.telegram.app import ALLOWED_UPDATES

TOKEN = "123456789:AAF-stand-in_token-for-tests"
LOG_SALT = "salt-for-tests"  # fixed, so tests can tell which hash in the logs is whose
BOT_USERNAME = "TreatyTestBot"
BOT_USER = {
    "id": 123456789,
    "is_bot": True,
    "first_name": "Treaty",
    "username": BOT_USERNAME,
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": True,
}
USER = {"id": 4242, "is_bot": False, "first_name": "Ada", "language_code": "en"}
OTHER_BOT = {"id": 777, "is_bot": True, "first_name": "Other", "username": "OtherBot"}

_COMMAND = re.compile(r"^/[A-Za-z0-9_]+(?:@[A-Za-z0-9_]+)?")  # Telegram's commands are ASCII
_MENTION = re.compile(r"(?<![\w/])@[A-Za-z0-9_]{5,32}")
_ids = itertools.count(1000)


def entities_for(text: str) -> list[dict[str, Any]]:
    """The entities Telegram would attach to a user's text: a leading command, mentions."""
    entities = []
    command = _COMMAND.match(text)
    if command:
        entities.append(
            {"type": "bot_command", "offset": 0, "length": utf16_length(command.group())}
        )
    for mention in _MENTION.finditer(text):
        if command and mention.start() < command.end():
            continue
        entities.append(
            {
                "type": "mention",
                "offset": utf16_length(text[: mention.start()]),
                "length": utf16_length(mention.group()),
            }
        )
    return entities


@dataclass
class Exchange:
    """The requests the bot made while handling one update (getUpdates left out)."""

    update: dict[str, Any]
    calls: list[ApiCall]
    standin: BotApiStandIn

    def of(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method == method]

    @property
    def sent(self) -> list[StoredMessage]:
        """The messages the bot sent, in order, as the chat shows them."""
        return [
            self.standin.messages[(c.params["chat_id"], c.response["result"]["message_id"])]
            for c in self.of("sendMessage")
            if c.ok
        ]

    @property
    def only_message(self) -> StoredMessage:
        assert len(self.sent) == 1, [m.text for m in self.sent]
        return self.sent[0]

    def assert_all_accepted(self) -> None:
        """Nothing the bot sent was refused (faults the test injected aside)."""
        refused = [
            (c.method, c.response.get("description"))
            for c in self.calls
            if not c.ok and not c.injected
        ]
        assert not refused, f"the Bot API refused: {refused}"


class ProcessedUpdates:
    """Marks each update once the bot has finished with it (handled, dropped or failed)."""

    def __init__(self) -> None:
        self.done: set[int] = set()
        self.changed = asyncio.Condition()

    async def mark(self, update: object) -> None:
        if not isinstance(update, Update):
            return
        async with self.changed:
            self.done.add(update.update_id)
            self.changed.notify_all()

    async def wait(self, update_id: int, timeout: float = 30.0) -> None:
        async def handled() -> None:
            async with self.changed:
                await self.changed.wait_for(lambda: update_id in self.done)

        await asyncio.wait_for(handled(), timeout)


def track_updates(application: Application) -> ProcessedUpdates:
    """Let tests wait until the bot has finished with an update: every handler group, the
    error handlers, and updates the flood gate stopped."""
    processed = ProcessedUpdates()
    process_update = application.process_update

    async def tracked(update: object) -> None:
        try:
            await process_update(update)
        finally:
            await processed.mark(update)

    application.process_update = tracked  # type: ignore[method-assign]
    return processed


@asynccontextmanager
async def polling(application: Application) -> AsyncIterator[ProcessedUpdates]:
    """Run the bot as `treaty-bot` runs it (long polling, with its start-up and stop hooks),
    tracking when it has finished with each update."""
    processed = track_updates(application)
    await application.initialize()
    assert application.post_init is not None and application.post_stop is not None
    await application.post_init(application)
    assert application.updater is not None
    await application.updater.start_polling(
        poll_interval=0, timeout=5, allowed_updates=ALLOWED_UPDATES
    )
    await application.start()
    try:
        yield processed
    finally:
        await application.updater.stop()
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()


class Harness:
    """Plays users and chats against the running bot."""

    def __init__(self, standin: BotApiStandIn, processed: ProcessedUpdates) -> None:
        self.standin = standin
        self.processed = processed

    async def run(self, payload: dict[str, Any]) -> Exchange:
        start = len(self.standin.calls)
        update_id = await self.standin.push_update(payload)
        await self.processed.wait(update_id)
        calls = [c for c in self.standin.calls[start:] if c.method != "getUpdates"]
        return Exchange({"update_id": update_id, **payload}, calls, self.standin)

    def private_chat(self, language_code: str | None = "en") -> Chat:
        """A private chat with a new user whose Telegram is set to `language_code` (None: a
        user whose update carries no language_code, as Telegram sometimes sends)."""
        user = user_with(language_code)
        return Chat(self, {"id": user["id"], "type": "private", "first_name": "Ada"}, user)

    def group_chat(self) -> Chat:
        chat = {"id": -next(_ids), "type": "supergroup", "title": "Treaty study group"}
        return Chat(self, chat, {**USER, "id": next(_ids)})

    async def inline_query(self, query: str, language_code: str | None = "en") -> Exchange:
        user = user_with(language_code)
        inline = {"id": str(next(_ids)), "from": user, "query": query, "offset": ""}
        return await self.run({"inline_query": inline})


def user_with(language_code: str | None) -> dict[str, Any]:
    """A new user whose Telegram is in `language_code` (None: the field left out)."""
    user = {**USER, "id": next(_ids), "language_code": language_code}
    if language_code is None:
        del user["language_code"]
    return user


class Chat:
    """One chat with one user in it."""

    def __init__(self, harness: Harness, chat: dict[str, Any], user: dict[str, Any]) -> None:
        self.harness = harness
        self.chat = chat
        self.user = user
        harness.standin.register_chat(chat)

    def _message(self, **content: Any) -> dict[str, Any]:
        message_id = self.harness.standin.next_message_id(self.chat["id"])
        return {
            "message_id": message_id,
            "date": 1_735_000_000,
            "chat": self.chat,
            "from": self.user,
            **content,
        }

    async def send(self, text: str, reply_to: dict[str, Any] | None = None) -> Exchange:
        """The user sends a text message (a command, a question, a mention...), possibly as a
        reply to the message `reply_to` (a message payload)."""
        message = self._message(text=text)
        entities = entities_for(text)
        if entities:
            message["entities"] = entities
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return await self.harness.run({"message": message})

    async def edit(self, exchange: Exchange, text: str) -> Exchange:
        """The user edits the message they sent in `exchange` to read `text`, as Telegram
        sends it: an edited_message update with the same message_id and an edit_date."""
        message = {**exchange.update["message"], "text": text, "edit_date": 1_735_000_100}
        entities = entities_for(text)
        if entities:
            message["entities"] = entities
        else:
            message.pop("entities", None)
        return await self.harness.run({"edited_message": message})

    async def send_media(self, **content: Any) -> Exchange:
        """The user sends something that is not text (a sticker, a photo...)."""
        return await self.harness.run({"message": self._message(**content)})

    async def press(self, message: StoredMessage, button_text: str) -> Exchange:
        """The user taps a button of `message` as their screen shows it (which may be an older
        version than the chat's current one: a stale keyboard)."""
        current = self.harness.standin.messages[(message.chat_id, message.message_id)]
        query = {
            "id": str(next(_ids)),
            "from": self.user,
            "chat_instance": str(self.chat["id"]),
            "message": current.payload,
            "data": message.button(button_text)["callback_data"],
        }
        return await self.harness.run({"callback_query": query})

    def calls(self, method: str = "sendMessage") -> list[ApiCall]:
        """The bot's accepted calls of `method` into this chat so far; for tests that run
        exchanges side by side, whose `Exchange.calls` then overlap."""
        chat_id = self.chat["id"]
        return [
            c for c in self.harness.standin.calls
            if c.method == method and c.ok and c.params.get("chat_id") == chat_id
        ]

    def replies(self) -> list[str]:
        """The texts the bot has sent into this chat, in order."""
        return [c.response["result"]["text"] for c in self.calls("sendMessage")]

    def message(self, sent: StoredMessage) -> StoredMessage:
        """The bot's message as the chat shows it now (after any edits)."""
        return self.harness.standin.messages[(sent.chat_id, sent.message_id)]


def sticker() -> dict[str, Any]:
    return {
        "file_id": "sticker-1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }


def stand_in_settings(bot_api: BotApiStandIn, **overrides: Any) -> Settings:
    values = {
        "telegram_bot_token": bot_api.token,
        "telegram_api_base_url": bot_api.base_url,
        "log_salt": LOG_SALT,
        **overrides,
    }
    return Settings(_env_file=None, **values)


def pseudonym(identifier: int) -> str:
    """How the bot under test names a user or chat in its logs."""
    return Activity(LOG_SALT.encode()).pseudonym(identifier)
