"""The bot through faults of the Bot API, floods, a rebuilt or corrupted index, and the
admin commands: each against its own stand-in, with short timeouts so faults cost seconds.

What the bot guarantees: a reply whose request failed (429, 5xx, no connection, a timeout, a
dropped connection) is retried and delivered; exactly once when the failed attempt never
reached Telegram, at least once when it may have (the one case where a reply can arrive twice).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from botapi_standin import BotApiStandIn, Fault
from telegram.ext import Application
from telegram_harness import (
    BOT_USER,
    TOKEN,
    Chat,
    Exchange,
    Harness,
    polling,
    pseudonym,
    stand_in_settings,
)

from bot.index.store import CURRENT_LINK, current_build
from bot.search.retriever import Retriever
from bot.settings import Settings
from bot.telegram import i18n
from bot.telegram.app import build_application

QUESTION = "Which article criminalizes illegal access?"
ANSWER_HEAD = "Art. 7(1) · Illegal access"
ADMIN = 900_001
READ_TIMEOUT_S = 1.0
INDEX_CHECK_S = 0.2
FLOOD_BURST = 3


def make_build(index_dir: Path, source: Path, name: str) -> Path:
    """A copy of a build under a new name, its manifest told apart by `built_at`."""
    build = index_dir / "builds" / name
    shutil.copytree(source, build)
    manifest_path = build / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["built_at"] = f"{manifest['built_at']} ({name})"
    manifest_path.write_text(json.dumps(manifest))
    return build


def swap_current(index_dir: Path, build: Path) -> None:
    """Point `current` at `build` in one rename, as `treaty-build-index` does."""
    staged = index_dir / f".{CURRENT_LINK}-{build.name}"
    staged.symlink_to(build.relative_to(index_dir))
    os.replace(staged, index_dir / CURRENT_LINK)


@pytest.fixture(scope="module")
def live_index(index_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index folder of the module's own, whose builds the tests swap and corrupt."""
    index_dir = tmp_path_factory.mktemp("live") / "index"
    source = current_build(index_settings.index_dir)
    assert source is not None
    swap_current(index_dir, make_build(index_dir.parent / "index", source, "build-a"))
    return index_dir


@pytest.fixture(scope="module")
async def fault_api() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(TOKEN, BOT_USER) as standin:
        yield standin


@pytest.fixture(scope="module")
async def fault_bot(fault_api: BotApiStandIn, live_index: Path) -> AsyncIterator[Application]:
    settings = stand_in_settings(
        fault_api,
        index_dir=live_index,
        index_check_interval_s=INDEX_CHECK_S,
        telegram_timeout_s=READ_TIMEOUT_S,
        telegram_retry_for_s=20.0,
        flood_burst=FLOOD_BURST,
        flood_per_minute=1.0,
        admin_user_ids=[ADMIN],
    )
    application = build_application(settings, Retriever.load(settings))
    async with polling(application) as processed:
        application.bot_data["processed"] = processed
        yield application


@pytest.fixture
def harness(fault_api: BotApiStandIn, fault_bot: Application) -> Harness:
    return Harness(fault_api, fault_bot.bot_data["processed"])


def admin_chat(harness: Harness) -> Chat:
    chat = harness.private_chat()
    chat.user = {**chat.user, "id": ADMIN}
    chat.chat = {**chat.chat, "id": ADMIN}
    harness.standin.register_chat(chat.chat)
    return chat


async def stats(harness: Harness) -> str:
    return (await admin_chat(harness).send("/stats")).only_message.text


def assert_answered(exchange: Exchange) -> None:
    """One reply, the answer itself (not the apology of the error handler)."""
    assert [m.text.split("\n")[0] for m in exchange.sent] == [ANSWER_HEAD]


# --- The Bot API failing ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "faults",
    [
        [Fault.error(500, "Internal Server Error"), Fault.error(502, "Bad Gateway")],
        [Fault.dropped(processed=False)],
        [Fault.dropped(processed=False, after_s=READ_TIMEOUT_S + 0.5)],  # a timeout
        [Fault.too_many_requests(retry_after=1)],
    ],
    ids=["5xx", "dropped", "timeout", "429"],
)
async def test_a_failed_reply_is_retried_and_delivered_once(
    harness: Harness, faults: list[Fault]
) -> None:
    harness.standin.inject("sendMessage", *faults)
    exchange = await harness.private_chat().send(QUESTION)
    assert_answered(exchange)
    assert [c.injected for c in exchange.of("sendMessage")] == [True] * len(faults) + [False]
    assert "Errors: 0" in await stats(harness), "the bot kept running, no handler failed"


@pytest.mark.parametrize(
    "fault",
    [Fault.dropped(processed=True), Fault.slow(READ_TIMEOUT_S + 0.3)],
    ids=["answer-lost", "answer-too-late"],
)
async def test_a_reply_that_reached_telegram_but_whose_answer_was_lost_arrives_twice(
    harness: Harness, fault: Fault
) -> None:
    """The documented cost of never losing a reply: Telegram offers no way to ask whether a
    message was sent, so a request that may have got through is sent again."""
    harness.standin.inject("sendMessage", fault)
    exchange = await harness.private_chat().send(QUESTION)
    first, second = exchange.sent
    assert first.html == second.html


async def test_a_button_answer_whose_response_was_lost_is_not_repeated_as_an_error(
    harness: Harness,
) -> None:
    chat = harness.private_chat()
    answer = (await chat.send(QUESTION)).only_message
    harness.standin.inject("answerCallbackQuery", Fault.dropped(processed=True))
    pressed = await chat.press(answer, "Full text: Article 7")
    lost, repeated = pressed.of("answerCallbackQuery")
    assert lost.injected and "query is too old" in repeated.response["description"]
    assert pressed.sent[0].text.startswith("Article 7 · Illegal access")
    assert i18n.text("something_went_wrong", "en") not in [m.text for m in pressed.sent]


async def test_a_429_pauses_only_the_chat_it_was_about(harness: Harness) -> None:
    waiting, other = harness.private_chat(), harness.private_chat()
    harness.standin.inject("sendMessage", Fault.too_many_requests(retry_after=2))
    started = time.monotonic()
    paused = asyncio.create_task(waiting.send(QUESTION))
    told_to_wait = await harness.standin.wait_for(
        lambda c: c.at > started and c.injected and c.status == 429
    )
    await other.send(QUESTION)
    (answered_meanwhile,) = other.calls()
    assert answered_meanwhile.at < told_to_wait.at + 2.0
    await paused
    (answered_after_waiting,) = waiting.calls()
    assert answered_after_waiting.at >= told_to_wait.at + 2.0
    assert [r.split("\n")[0] for r in waiting.replies() + other.replies()] == [ANSWER_HEAD] * 2


async def test_an_answer_in_progress_holds_back_its_confirmation_but_no_other_chat(
    harness: Harness,
) -> None:
    """Confirm only what is answered: while one chat waits out a 429, a later question is
    fetched and answered, but Telegram is not told to forget the waiting update (nor, so, the
    later one) until its reply is sent."""
    waiting, other = harness.private_chat(), harness.private_chat()
    harness.standin.inject("sendMessage", Fault.too_many_requests(retry_after=2))
    started = time.monotonic()
    paused = asyncio.create_task(waiting.send(QUESTION))
    await harness.standin.wait_for(lambda c: c.at > started and c.injected and c.status == 429)
    later = await other.send(QUESTION)
    held = await paused
    (reply,) = waiting.calls()
    assert [r.split("\n")[0] for r in waiting.replies() + other.replies()] == [ANSWER_HEAD] * 2
    held_id, later_id = held.update["update_id"], later.update["update_id"]
    assert held_id < later_id
    polls = [c for c in harness.standin.calls if c.method == "getUpdates" and c.at > started]
    while_held = [c for c in polls if c.at < reply.at]
    assert any(u["update_id"] == later_id for c in while_held for u in c.response["result"])
    assert all(c.params.get("offset", 0) <= held_id for c in while_held)
    confirmed = await harness.standin.wait_for(
        lambda c: c.method == "getUpdates" and c.params.get("offset", 0) > later_id
    )
    assert confirmed.at > reply.at


async def test_an_update_the_library_cannot_read_is_skipped_not_fetched_for_ever(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    no_date = {"message_id": 1, "chat": {"id": 5, "type": "private"}}
    unreadable = await harness.standin.push_update({"message": no_date})
    caplog.set_level(logging.ERROR, logger="bot.telegram.delivery")
    assert_answered(await harness.private_chat().send(QUESTION))
    await harness.standin.wait_for(
        lambda c: c.method == "getUpdates" and c.params.get("offset", 0) > unreadable
    )
    assert f"Could not read update {unreadable}; it is skipped." in caplog.text


# --- Floods -----------------------------------------------------------------------------------


async def test_a_flooding_user_is_told_once_and_nobody_else_is_slowed(harness: Harness) -> None:
    flooder, other = harness.private_chat(), harness.private_chat()
    flood = [flooder.send("/toc") for _ in range(4 * FLOOD_BURST)]
    await asyncio.gather(*flood, other.send(QUESTION))
    replies = flooder.replies()
    assert len(replies) == FLOOD_BURST + 1
    assert replies.count(i18n.text("slow_down", "en")) == 1
    assert sum(text.startswith("Table of contents") for text in replies) == FLOOD_BURST
    assert [r.split("\n")[0] for r in other.replies()] == [ANSWER_HEAD]


async def test_a_flooded_button_gets_the_notice_as_its_answer(harness: Harness) -> None:
    chat = harness.private_chat()
    toc = (await chat.send("/toc")).only_message
    presses = [chat.press(toc, "Chapter II · Criminalization") for _ in range(2 * FLOOD_BURST)]
    exchanges = await asyncio.gather(*presses)
    queries = {exchange.update["callback_query"]["id"] for exchange in exchanges}
    answers = [
        c.params.get("text")
        for c in harness.standin.calls
        if c.method == "answerCallbackQuery" and c.params["callback_query_id"] in queries
    ]
    assert answers.count(i18n.text("slow_down", "en")) == 1
    assert len(answers) == FLOOD_BURST  # one token went to /toc; one notice; the rest dropped


# --- Admin commands and what is logged ---------------------------------------------------------


@pytest.mark.parametrize("command", ["/stats", "/reload"])
async def test_admin_commands_look_unknown_to_everyone_else(
    harness: Harness, command: str
) -> None:
    exchange = await harness.private_chat().send(command)
    assert exchange.only_message.text == i18n.text("unknown_command", "en")


async def test_stats_tells_an_admin_how_the_bot_is_doing(harness: Harness) -> None:
    await harness.private_chat().send(QUESTION)
    await harness.private_chat().send("What is the best recipe for banana bread?")
    shown = await stats(harness)
    for line in ("Up for ", "Questions answered: ", "Abstentions (nothing matched): ",
                 "Median answer time: ", "Errors: ", "Index build: build-"):
        assert line in shown
    assert "Abstentions (nothing matched): 0" not in shown
    assert "no questions yet" not in shown


async def test_logs_name_users_by_hash_and_never_keep_the_question(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    chat = harness.private_chat()
    with caplog.at_level(logging.INFO, logger="bot.telegram"):
        await chat.send(QUESTION)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.activity"]
    assert line.startswith(f"question user={pseudonym(chat.user['id'])} ms=")
    assert line.endswith(" articles=7,8,11") or " articles=7," in line
    assert QUESTION not in caplog.text and str(chat.user["id"]) not in caplog.text


# --- A new index under the running bot ----------------------------------------------------------


async def test_a_rebuilt_index_is_picked_up_with_no_failed_question(
    harness: Harness, live_index: Path
) -> None:
    assert "Index build: build-a" in await stats(harness)
    build_b = make_build(live_index, live_index / "builds" / "build-a", "build-b")
    chats = [harness.private_chat() for _ in range(12)]
    before = asyncio.gather(*(chat.send(QUESTION) for chat in chats[:6]))
    await asyncio.sleep(0.05)
    swap_current(live_index, build_b)
    await asyncio.gather(*(chat.send(QUESTION) for chat in chats[6:]))
    await before
    for chat in chats:
        assert [r.split("\n")[0] for r in chat.replies()] == [ANSWER_HEAD]
    for _ in range(50):
        if "Index build: build-b" in (shown := await stats(harness)):
            break
        await asyncio.sleep(INDEX_CHECK_S)
    assert "Index build: build-b" in shown and "Errors: 0" in shown
    assert_answered(await harness.private_chat().send(QUESTION))


async def test_a_corrupted_build_is_refused_and_the_bot_keeps_serving(
    harness: Harness, live_index: Path, caplog: pytest.LogCaptureFixture
) -> None:
    serving = current_build(live_index)
    assert serving is not None
    broken = make_build(live_index, serving, "build-c")
    with (broken / "chunks.jsonl").open("a") as chunks:
        chunks.write("\n")
    with caplog.at_level(logging.ERROR, logger="bot.telegram.reloading"):
        swap_current(live_index, broken)
        await asyncio.sleep(10 * INDEX_CHECK_S)
    (refusal,) = [r.getMessage() for r in caplog.records if r.name == "bot.telegram.reloading"]
    assert f"Kept serving build {serving.name}" in refusal and "corrupted" in refusal
    assert_answered(await harness.private_chat().send(QUESTION))
    reload = (await admin_chat(harness).send("/reload")).only_message.text
    assert reload.startswith(f"The new index was refused; still serving build {serving.name}.")
    assert "chunks.jsonl" in reload
    assert f"Index build: {serving.name}" in await stats(harness)
    swap_current(live_index, serving)
    reload = (await admin_chat(harness).send("/reload")).only_message.text
    assert reload == f"No new index: still serving build {serving.name}."
