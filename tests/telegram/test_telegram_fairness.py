"""Issue 16 through the real bot (against its own stand-in): turns served round-robin across
users, an honest "busy" past the queue's limit, bounded per-chat memory, flood buckets keyed on
the real sender, and forged buttons without a message."""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from botapi_standin import BotApiStandIn, Fault
from telegram.ext import Application
from telegram_harness import BOT_USER, BOT_USERNAME, TOKEN, Harness, polling, stand_in_settings

from bot.search.retriever import MAX_QUESTION_CHARS, Retriever
from bot.telegram import i18n
from bot.telegram.app import build_application
from bot.telegram.handlers import ANSWER_SLOTS

QUESTION = "Which article criminalizes illegal access?"
QUEUE_LIMIT = 8
FLOOD_BURST = 10  # the default: a user's burst of 10 questions is let through whole
GROUP_ANONYMOUS_BOT = {
    "id": 1087968824, "is_bot": True, "first_name": "Group", "username": "GroupAnonymousBot",
}


@pytest.fixture(scope="module")
async def fair_api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(TOKEN, BOT_USER) as standin:
        yield standin


@pytest.fixture(scope="module")
async def fair_bot(
    fair_api: BotApiStandIn, index_settings, retriever: Retriever
) -> AsyncIterator[Application]:
    settings = stand_in_settings(
        fair_api,
        index_dir=index_settings.index_dir,
        answer_queue_limit=QUEUE_LIMIT,
        flood_burst=FLOOD_BURST,
        flood_per_minute=1.0,
    )
    application = build_application(settings, retriever)
    async with polling(application) as processed:
        application.bot_data["processed"] = processed
        yield application


@pytest.fixture
def harness(fair_api: BotApiStandIn, fair_bot: Application) -> Harness:
    return Harness(fair_api, fair_bot.bot_data["processed"])


def message(standin: BotApiStandIn, chat: dict[str, Any], sender: dict[str, Any], text: str,
            **extra: Any) -> dict[str, Any]:
    return {
        "message_id": standin.next_message_id(chat["id"]),
        "date": int(time.time()),
        "chat": chat,
        "from": sender,
        "text": text,
        **extra,
    }


async def push_all(harness: Harness, payloads: list[dict[str, Any]]) -> list[int]:
    """Queue updates for one getUpdates batch, then wait until the bot has finished them."""
    ids = [await harness.standin.push_update(payload) for payload in payloads]
    for update_id in ids:
        await harness.processed.wait(update_id, timeout=120)
    return ids


def user(user_id: int, language: str = "en") -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": "Ada", "language_code": language}


def private(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "type": "private", "first_name": "Ada"}


def replies_to(standin: BotApiStandIn, chat_id: int) -> list[int]:
    """Positions, among all the bot's sendMessage calls, of those into `chat_id`."""
    sent = [c for c in standin.calls if c.method == "sendMessage" and c.ok]
    return [i for i, c in enumerate(sent) if c.params["chat_id"] == chat_id]


async def test_a_first_question_does_not_wait_behind_another_users_tenth(
    harness: Harness,
) -> None:
    """Issue 16, point 3: questions were searched in arrival order, so one user with one
    question waited behind everything 60 flooding users had sent (19 s instead of 50 ms)."""
    standin = harness.standin
    flooder, newcomer = 510_001, 510_002
    for chat_id in (flooder, newcomer):
        standin.register_chat(private(chat_id))
    flood = [{"message": message(standin, private(flooder), user(flooder), QUESTION)}
             for _ in range(10)]
    one = {"message": message(standin, private(newcomer), user(newcomer), QUESTION)}
    await push_all(harness, [*flood, one])
    flooder_replies, (newcomer_reply,) = replies_to(standin, flooder), replies_to(standin, newcomer)
    assert len(flooder_replies) == 10
    # The first ANSWER_SLOTS of the flood were already being answered, then the turns
    # alternate: the newcomer comes second in rotation, not after all ten.
    behind = [position for position in flooder_replies if position > newcomer_reply]
    assert len(behind) >= 10 - ANSWER_SLOTS - 2, (flooder_replies, newcomer_reply)


async def test_past_the_queue_limit_the_bot_says_it_is_busy(
    harness: Harness, fair_bot: Application
) -> None:
    standin = harness.standin
    flooders, late = (520_001, 520_002, 520_003), 520_099
    per_flooder = (ANSWER_SLOTS + QUEUE_LIMIT) // len(flooders)  # each within its burst
    # The answers in the slots hang on their "typing…" action: the slots stay taken a second.
    standin.inject("sendChatAction", *[Fault.slow(1.0) for _ in range(ANSWER_SLOTS)])
    waiting = []
    for flooder in flooders:
        standin.register_chat(private(flooder))
        waiting += [{"message": message(standin, private(flooder), user(flooder), QUESTION)}
                    for _ in range(per_flooder)]
    assert len(waiting) == ANSWER_SLOTS + QUEUE_LIMIT
    standin.register_chat(private(late))
    over = {"message": message(standin, private(late), user(late, "fr"), QUESTION)}
    started = time.monotonic()
    await push_all(harness, [*waiting, over])
    late_calls = [c for c in standin.calls if c.method == "sendMessage" and c.ok
                  and c.params["chat_id"] == late]
    assert [c.params["text"] for c in late_calls] == [i18n.text("busy", "fr")]
    assert late_calls[0].at - started < 1.0, "the busy reply is immediate, not queued"
    assert [len(replies_to(standin, f)) for f in flooders] == [per_flooder] * 3  # all answered
    treaty_bot = fair_bot.bot_data["treaty_bot"]
    assert treaty_bot.activity.busy >= 1 and treaty_bot.turns.waiting == 0


async def test_anonymous_admins_of_two_groups_have_separate_flood_buckets(
    harness: Harness,
) -> None:
    """Issue 16, point 4: every group's anonymous admins are one Telegram user
    (GroupAnonymousBot), so flooding in group A silenced group B."""
    standin = harness.standin
    groups = [{"id": -530_001, "type": "supergroup", "title": "A"},
              {"id": -530_002, "type": "supergroup", "title": "B"}]
    for group in groups:
        standin.register_chat(group)
    ask = f"@{BOT_USERNAME} {QUESTION}"
    mention = [{"type": "mention", "offset": 0, "length": len(BOT_USERNAME) + 1}]

    def anonymous(group: dict[str, Any]) -> dict[str, Any]:
        return {"message": message(standin, group, GROUP_ANONYMOUS_BOT, ask, entities=mention,
                                   sender_chat=group)}

    await push_all(harness, [anonymous(groups[0]) for _ in range(FLOOD_BURST + 2)])
    in_a = [c.params["text"] for c in standin.calls
            if c.method == "sendMessage" and c.ok and c.params["chat_id"] == groups[0]["id"]]
    assert in_a.count(i18n.text("slow_down", "en")) == 1  # group A hit its limit
    await push_all(harness, [anonymous(groups[1])])
    (in_b,) = [c.params["text"] for c in standin.calls
               if c.method == "sendMessage" and c.ok and c.params["chat_id"] == groups[1]["id"]]
    first_heading = re.match(r"<b>(?:<a [^>]*>)?([^<]*)", in_b)
    assert first_heading and first_heading.group(1).startswith("Art. 7(1) · Illegal access"), (
        "group B was silenced by group A"
    )


async def test_a_forged_button_without_a_message_is_answered_not_crashed(
    harness: Harness, fair_bot: Application
) -> None:
    """Issue 16, "also": a callback query with no message raised an AssertionError."""
    activity = fair_bot.bot_data["treaty_bot"].activity
    errors_before = activity.errors
    for data in ("article:7", "more:abc:3", "toc", "toc:II", "example:0"):
        query = {"id": f"forged-{data}", "from": user(540_001), "chat_instance": "1",
                 "inline_message_id": "AAAA-inline", "data": data}
        exchange = await harness.run({"callback_query": query})
        assert [c.method for c in exchange.calls] == ["answerCallbackQuery"]
        assert exchange.calls[0].params["text"] in (
            i18n.text("button_expired", "en"), i18n.text("expired", "en")
        )
    assert activity.errors == errors_before


async def test_a_chat_keeps_questions_at_the_length_retrieval_reads(
    harness: Harness, fair_bot: Application
) -> None:
    """Issue 16, point 3: each chat kept up to 100 questions of 4,096 characters for ever."""
    chat = harness.private_chat()
    long_question = ("Which article criminalizes illegal access? " + "access " * 600)[:4096]
    reply = (await chat.send(long_question)).only_message
    stored = fair_bot.bot_data["treaty_bot"].memory.question(chat.chat["id"], reply.message_id)
    assert stored == " ".join(long_question.split())[:MAX_QUESTION_CHARS]
    assert len(long_question) == 4096 and len(stored) == MAX_QUESTION_CHARS
    # The bot keeps its per-chat state in its own bounded memory, not in python-telegram-bot's
    # chat_data, which would keep an entry for every chat for the life of the process.
    assert dict(fair_bot.chat_data) == {}
