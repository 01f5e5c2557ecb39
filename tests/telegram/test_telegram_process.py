"""`treaty-bot` as a real process (`python -m bot.telegram.app`) against the stand-in: the Bot
API unreachable at start and while running, failing requests, SIGTERM with an answer in flight,
SIGKILL in the middle of a burst and a restart, and a "More results" button from before a
restart. Its whole log is searched for the token, which is a recognisable dummy.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from botapi_standin import ApiCall, BotApiStandIn, Fault, StoredMessage
from telegram_harness import BOT_USER

from bot.search.retriever import Retriever
from bot.settings import Settings
from bot.telegram import i18n
from bot.telegram.replies import PAGE_SIZE, relevant_results
from bot.treaty.citations import short_citation_line

TOKEN = "424242424:CANARY-Token-zQ8xW3-must-never-be-logged"
QUESTION = "Which article criminalizes hacking into a computer?"  # seven relevant results
OUTAGE_STARTS = "The Bot API is unreachable or failing"
OUTAGE_ENDS = "The Bot API answers again"
TIMEOUT_S = 90.0
BURST = 30  # chats asking at once when the bot is killed


def cites_article_7(html: str) -> bool:
    """The answer opens with Article 7's citation, linked to its page of the official PDF."""
    first_line = html.split("\n", 1)[0]
    return first_line.startswith('<b><a href="https://documents.un.org/') and (
        "Art. 7(1) · Illegal access" in first_line
    )


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandIn]:
    async with BotApiStandIn(TOKEN, BOT_USER) as api:
        yield api


@asynccontextmanager
async def bot_process(
    standin: BotApiStandIn, index_settings: Settings, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`treaty-bot` polling the stand-in; killed at the end if a test left it running."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "TELEGRAM_WEBHOOK_URL": "",
        "INDEX_DIR": str(index_settings.index_dir),
        "HF_HUB_OFFLINE": "1",
    }
    with log.open("wb") as stderr:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.telegram.app", env=env, cwd=log.parent,
            stdin=asyncio.subprocess.DEVNULL, stdout=stderr, stderr=stderr,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def ask(standin: BotApiStandIn, user_id: int, text: str = QUESTION) -> int:
    """A user's private message to the bot; its update_id."""
    chat = {"id": user_id, "type": "private", "first_name": "Ada"}
    standin.register_chat(chat)
    message = {
        "message_id": standin.next_message_id(user_id),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Ada"},
        "text": text,
    }
    return await standin.push_update({"message": message})


def replies(standin: BotApiStandIn, user_id: int) -> list[ApiCall]:
    return [
        c for c in standin.calls
        if c.method == "sendMessage" and c.ok and c.params["chat_id"] == user_id
    ]


async def until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting until {what}"
        await asyncio.sleep(0.005)


def sent_message(standin: BotApiStandIn, call: ApiCall) -> StoredMessage:
    return standin.messages[(call.params["chat_id"], call.response["result"]["message_id"])]


async def press(standin: BotApiStandIn, message: StoredMessage, data: str) -> int:
    """The user taps a button with callback data `data` under the bot's `message`."""
    user = {"id": message.chat_id, "is_bot": False, "first_name": "Ada"}
    query = {
        "id": f"query-{len(standin.calls)}",
        "from": user,
        "chat_instance": str(message.chat_id),
        "message": message.payload,
        "data": data,
    }
    return await standin.push_update({"callback_query": query})


async def reply(standin: BotApiStandIn, user_id: int) -> str:
    call = await standin.wait_for(
        lambda c: c.method == "sendMessage" and c.ok and c.params["chat_id"] == user_id,
        TIMEOUT_S,
    )
    return call.params["text"]


async def logged(log: Path, line: str, times: int) -> None:
    """Wait until the bot has logged `line` `times` times."""
    deadline = time.monotonic() + TIMEOUT_S
    while log.read_text(errors="replace").count(line) < times:
        assert time.monotonic() < deadline, f"never logged {line!r} {times}×"
        await asyncio.sleep(0.1)


async def test_an_unreachable_bot_api_loses_nothing_and_is_logged_once_per_outage(
    standin: BotApiStandIn, index_settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    await standin.go_unreachable()
    async with bot_process(standin, index_settings, log) as bot:
        first = await ask(standin, 1)  # waits in the queue, as at Telegram
        await logged(log, OUTAGE_STARTS, 1)
        await asyncio.sleep(1.5)  # several attempts fail meanwhile
        standin.come_back()
        assert cites_article_7(await reply(standin, 1))

        await standin.go_unreachable()  # cuts the bot's long poll
        await logged(log, OUTAGE_STARTS, 2)
        during = [await ask(standin, user) for user in (2, 3, 4)]
        await asyncio.sleep(1.5)
        standin.come_back()
        for user in (2, 3, 4):
            await reply(standin, user)

        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), TIMEOUT_S) == 0, log.read_text()[-3000:]
    for user in (1, 2, 3, 4):
        assert len(replies(standin, user)) == 1, "an update answered twice"
    assert first < min(during)
    text = log.read_text()
    assert text.count(OUTAGE_STARTS) == 2 and text.count(OUTAGE_ENDS) == 2, text[-3000:]
    assert TOKEN.lower() not in text.lower()


async def test_sigterm_lets_the_answer_in_flight_finish_and_the_token_is_never_logged(
    standin: BotApiStandIn, index_settings: Settings, tmp_path: Path
) -> None:
    log = tmp_path / "bot.log"
    async with bot_process(standin, index_settings, log) as bot:
        await ask(standin, 1)
        await reply(standin, 1)

        standin.inject(
            "sendMessage", Fault.error(500, "Internal Server Error"), Fault.too_many_requests(1)
        )
        await ask(standin, 2)
        assert cites_article_7(await reply(standin, 2))

        standin.inject(  # a final error, quoting the request URL with the token: the error
            "sendChatAction", Fault.error(400, f"Bad Request: refused /bot{TOKEN}/x")
        )  # handler logs it and apologises
        await ask(standin, 3)
        assert await reply(standin, 3) == i18n.text("something_went_wrong", "en")

        standin.inject("sendMessage", Fault.slow(2.0))
        last = await ask(standin, 4)
        await standin.wait_for(
            lambda c: c.method == "sendChatAction" and c.params["chat_id"] == 4, TIMEOUT_S
        )
        bot.send_signal(signal.SIGTERM)  # while the answer is being searched and sent
        assert await asyncio.wait_for(bot.wait(), TIMEOUT_S) == 0, log.read_text()[-3000:]
    (answer,) = replies(standin, 4)
    assert cites_article_7(answer.params["text"])
    polls = [c for c in standin.calls if c.method == "getUpdates"]
    assert polls[-1].params["offset"] == last + 1, "the last update was confirmed at exit"
    text = log.read_text()
    assert text.count("Failed to handle update") == 1 and "<bot token>" in text
    assert TOKEN.lower() not in text.lower()
    assert "Stopped" in text.splitlines()[-1]


async def test_a_killed_bot_answers_after_a_restart_every_question_it_had_not_finished(
    standin: BotApiStandIn, index_settings: Settings, tmp_path: Path
) -> None:
    async with bot_process(standin, index_settings, tmp_path / "killed.log") as bot:
        await ask(standin, 1)
        await reply(standin, 1)  # up and polling
        burst = {user: await ask(standin, user) for user in range(100, 100 + BURST)}
        await until(lambda: sum(bool(replies(standin, u)) for u in burst) >= BURST // 3,
                    "a third of the burst is answered")
        bot.kill()  # SIGKILL: no drain, no final confirmation
        await bot.wait()
    confirmed = standin.confirmed_below
    handed_out = dict(standin.deliveries)  # polls hand unconfirmed updates out again and again
    in_flight = [i for i in standin.unconfirmed_deliveries() if i in burst.values()]
    answered_before = {u for u in burst if replies(standin, u)}
    assert in_flight, "the kill came after the burst was confirmed: it tests nothing"
    assert len(answered_before) < BURST

    log = tmp_path / "restarted.log"
    async with bot_process(standin, index_settings, log) as bot:
        await until(lambda: all(replies(standin, u) for u in burst), "every chat is answered")
        await until(lambda: standin.confirmed_below > max(burst.values()), "all are confirmed")
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), TIMEOUT_S) == 0, log.read_text()[-3000:]

    twice = {u for u in burst if len(replies(standin, u)) == 2}
    for user, update_id in burst.items():
        answers = replies(standin, user)
        assert answers, f"chat {user} lost its question"
        assert ">Art. 7(1) · Illegal access<" in answers[-1].params["text"].split("\n")[0]
        if update_id < confirmed:  # finished and confirmed before the kill
            assert standin.deliveries[update_id] == handed_out[update_id], "fetched again"
            assert len(answers) == 1
        else:
            assert update_id in in_flight
            assert standin.deliveries[update_id] > handed_out[update_id], "not fetched again"
            assert len(answers) <= 2
    # Answered twice only where the reply was sent but the kill cut off its confirmation.
    assert twice <= answered_before
    assert len(twice) <= len(in_flight)
    print(f"\nSIGKILL with {len(in_flight)} of {BURST} updates unconfirmed "
          f"({len(answered_before)} chats answered): {len(twice)} answered twice")
    assert "Failed to handle" not in log.read_text()


async def test_more_results_of_an_answer_given_before_a_restart_still_pages(
    standin: BotApiStandIn, index_settings: Settings, retriever: Retriever, tmp_path: Path
) -> None:
    async with bot_process(standin, index_settings, tmp_path / "before.log") as bot:
        await ask(standin, 1)
        await reply(standin, 1)
        (call,) = replies(standin, 1)
        answer = sent_message(standin, call)
        bot.kill()
        await bot.wait()
    more = answer.button("More results")["callback_data"]

    log = tmp_path / "after.log"
    async with bot_process(standin, index_settings, log) as bot:
        await press(standin, answer, more)
        edited = await standin.wait_for(lambda c: c.method == "editMessageText", TIMEOUT_S)
        assert edited.ok
        page_two = sent_message(standin, edited)
        assert page_two.text.startswith("Results 4\N{EN DASH}6\n")
        asked = retriever.ask(QUESTION, 2 * PAGE_SIZE + 1)
        cited = [line for line in page_two.text.splitlines() if line.startswith("Art. ")]
        assert cited == [
            short_citation_line(r.article, r.title, r.paragraph, r.subparagraph)
            for r in asked.results[PAGE_SIZE : 2 * PAGE_SIZE]
        ]
        labels = [b["text"] for b in page_two.buttons()]
        more_after = len(relevant_results(asked)) > 2 * PAGE_SIZE  # the relevant ones
        assert labels[-2:] == ["Previous results", "More results"] if more_after else (
            labels[-1] == "Previous results" and "More results" not in labels
        )

        await press(standin, answer, "page:3:7.1,99.1,12.2,40.21")  # never issued: no article 99
        refused = await standin.wait_for(
            lambda c: c.method == "answerCallbackQuery" and "text" in c.params, TIMEOUT_S
        )
        assert refused.params["text"] == i18n.text("button_expired", "en")
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), TIMEOUT_S) == 0, log.read_text()[-3000:]
