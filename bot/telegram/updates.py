"""Reading an update: whether a message is meant for the bot, who sent it, in which language,
and the message or button behind it."""

from __future__ import annotations

import re
from collections.abc import Hashable

from telegram import CallbackQuery, Message, MessageEntity, Update
from telegram.constants import ChatType
from telegram.ext import filters

from bot.telegram.i18n import language_of


class AddressedToBot(filters.MessageFilter):
    """Messages meant for the bot: anything in a private chat; in groups, replies to the bot,
    mentions of @bot and commands named for it (`/toc@bot`)."""

    def filter(self, message: Message) -> bool:
        if message.chat.type == ChatType.PRIVATE:
            return True
        bot = message.get_bot()
        replied = message.reply_to_message
        if replied and replied.from_user and replied.from_user.id == bot.id:
            return True
        handle = f"@{bot.username}".lower()
        mentions = [
            *message.parse_entities([MessageEntity.MENTION]).values(),
            *message.parse_caption_entities([MessageEntity.MENTION]).values(),
        ]
        commands = message.parse_entities([MessageEntity.BOT_COMMAND]).values()
        return any(m.lower() == handle for m in mentions) or any(
            c.lower().endswith(handle) for c in commands
        )


def without_mention(text: str, username: str) -> str:
    """The question once "@bot" is taken out of it, on one line."""
    return " ".join(re.sub(rf"@{re.escape(username)}\b", " ", text, flags=re.IGNORECASE).split())


def user_language(update: object) -> str:
    """The UN language of the user behind an update ("fr-CA" → "fr"), English otherwise."""
    user = update.effective_user if isinstance(update, Update) else None
    return language_of(user.language_code if user else None)


def sender_key(update: object) -> Hashable | None:
    """Who sent an update, for flood control and turns: the user, except for a message sent
    in the name of a chat (an anonymous group admin, a channel post in its discussion group),
    whose sender is that chat, in this chat. Telegram gives all anonymous admins of all groups
    one and the same user, so keying on it would let a flood in one group silence another."""
    if not isinstance(update, Update):
        return None
    message = update.message
    if message is not None and message.sender_chat is not None:
        return ("chat", message.sender_chat.id, message.chat.id)
    user = update.effective_user
    return ("user", user.id) if user else None


def message_of(update: Update) -> Message:
    """The message behind a message or command update (the handlers' filters guarantee one)."""
    assert update.effective_message is not None
    return update.effective_message


def pressed(update: Update) -> tuple[CallbackQuery, Message | None]:
    """The pressed button's query and the bot message it sits under; None for a button whose
    message the bot cannot see (an inline message, one too old for Telegram to send, or a
    forged query)."""
    query = update.callback_query
    assert query is not None  # the CallbackQueryHandlers guarantee one
    return query, query.message if isinstance(query.message, Message) else None
