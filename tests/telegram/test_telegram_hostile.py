"""Hostile and odd input, generated: over a thousand updates through the running bot.

Every update gets a valid reply or a deliberate silence: no handler fails (the error handler
never fires), and the stand-in refuses nothing the bot sends (so every reply is valid Telegram
HTML within the limits). Updates go in batches, side by side, to keep the run short.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from botapi_standin import BotApiStandIn, StoredMessage
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from telegram.ext import Application, ContextTypes
from telegram_harness import BOT_USERNAME, Chat, Harness

BATCH = 25
BATCHES = 42  # 1,050 updates

FRAGMENTS = [
    "", " ", "\n", "\r\n", "\t", "\x00", "\x07", "\x1b[31m", "\u200b", "\u200e", "\u200f",
    "\u202e", "\ufeff", "\u2028", "e\u0301", "\u0301", "👩‍👩‍👧", "🇺🇳", "😀", "ـ", "ﷺ", "𝒜",
    "مرحبا", "你好", "Привет", "<b>", "</b>", "<i>x</i>", "<a href='x'>", "<script>", "&", "&amp;",
    "&#0;", "&lt;", "*bold*", "_it_", "`code`", "```", "[link](http://x)", "\\", "||spoiler||",
    f"@{BOT_USERNAME}", "@", "/", "/article", "/start", "article 40(21)", "art. 999999",
    "article -3", "%s", "{}", "' OR 1=1 --", "illegal access", "data", "?",
]
fragments = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=6), max_size=40).map("".join)
long_text = st.builds(
    lambda piece, length: (piece * (length // len(piece) + 1))[:length],
    st.text(min_size=1, max_size=12),
    st.integers(4000, 6000),
)
texts = st.one_of(st.text(max_size=300), fragments, long_text)
numbers = st.integers(-(10**30), 10**30).map(str)
callback_data = st.one_of(
    st.text(max_size=64),
    st.builds(lambda n: f"article:{n}", numbers),
    st.builds(lambda t, n: f"more:{t}:{n}", st.text(max_size=20), numbers),
    st.builds(lambda n, u: f"page:{n}:{u}", numbers, st.text("0123456789.,abk", max_size=40)),
    st.builds(lambda c: f"toc:{c}", st.text(max_size=10)),
    st.builds(lambda n: f"example:{n}", numbers),
)
updates = st.one_of(
    st.tuples(st.just("private"), texts),
    st.tuples(st.just("group"), st.tuples(st.booleans(), texts)),
    st.tuples(st.just("article"), st.one_of(numbers, texts, st.tuples(numbers, numbers))),
    st.tuples(st.just("button"), callback_data),
    st.tuples(st.just("inline"), st.text(max_size=300)),
)


class Failures:
    """An extra error handler: counts what reaches the error handlers."""

    def __init__(self) -> None:
        self.errors: list[BaseException] = []

    async def record(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            self.errors.append(context.error)


@pytest.fixture(scope="module")
def failures(running_bot: Application) -> Iterator[Failures]:
    counter = Failures()
    running_bot.add_error_handler(counter.record)
    yield counter
    running_bot.remove_error_handler(counter.record)


@pytest.fixture(scope="module")
async def shared_toc(bot_api: BotApiStandIn, running_bot: Application) -> tuple[Chat, Any]:
    """A bot message with buttons, for generated callback data to be pressed on."""
    harness = Harness(bot_api, running_bot.bot_data["processed"])
    chat = harness.private_chat()
    return chat, (await chat.send("/toc")).only_message


def article_command(arguments: Any) -> str:
    if isinstance(arguments, tuple):
        return f"/article {arguments[0]} {arguments[1]}"
    return f"/article {arguments}"


async def play(
    telegram: Harness, shared: tuple[Chat, StoredMessage], update: tuple[str, Any]
) -> tuple[str, Chat | None, dict[str, Any]]:
    """Send one generated update; what was sent, the chat it went to, and the exchange's
    update."""
    kind, content = update
    if kind == "private":
        chat = telegram.private_chat()
        return kind, chat, (await chat.send(content)).update
    if kind == "group":
        mention, text = content
        chat = telegram.group_chat()
        return kind, chat, (await chat.send(f"@{BOT_USERNAME} {text}" if mention else text)).update
    if kind == "article":
        chat = telegram.private_chat()
        return kind, chat, (await chat.send(article_command(content))).update
    if kind == "button":  # pressed by a user of their own, so that no one floods
        chat, toc = shared
        presser = Chat(telegram, chat.chat, telegram.private_chat().user)
        forged = StoredMessage(
            toc.chat_id, toc.message_id, toc.html, toc.text,
            {"inline_keyboard": [[{"text": "Forged", "callback_data": content}]]}, toc.payload,
        )
        return kind, None, (await presser.press(forged, "Forged")).update
    return kind, None, (await telegram.inline_query(content)).update


@settings(
    max_examples=BATCHES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.generate],  # shrinking a batch of 25 replays takes minutes; reports name it
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
@given(batch=st.lists(updates, min_size=BATCH, max_size=BATCH))
async def test_hostile_input_gets_a_valid_reply_or_a_deliberate_silence(
    telegram: Harness,
    failures: Failures,
    shared_toc: tuple[Chat, StoredMessage],
    batch: list[tuple[str, Any]],
) -> None:
    standin = telegram.standin
    first_call = len(standin.calls)
    played = await asyncio.gather(*(play(telegram, shared_toc, update) for update in batch))
    assert failures.errors == [], "the error handler fired"
    refused = [
        (c.method, c.response.get("description"))
        for c in standin.calls[first_call:]
        if not c.ok
        and not (c.method == "editMessageText" and "not modified" in c.response["description"])
    ]
    assert refused == [], "the Bot API refused a request"
    answers = [c for c in standin.calls[first_call:] if c.method == "answerCallbackQuery"]
    for kind, chat, sent in played:
        if kind in ("private", "article"):
            assert chat is not None and chat.replies(), f"no reply to {sent}"
        if kind == "button":
            query = sent["callback_query"]["id"]
            assert [a.params["callback_query_id"] for a in answers].count(query) == 1
