"""Load test of the real bot: `python -m bot.telegram.app` as a subprocess, its Bot API the
local stand-in (tests/telegram/botapi_standin.py) served by this script on 127.0.0.1.

    INDEX_DIR=index python scripts/loadtest.py --chats 200 --questions-per-chat 5
    INDEX_DIR=index python scripts/loadtest.py --chats 60 --rate 30 --json
    INDEX_DIR=index python scripts/loadtest.py --chats 200 --questions-per-chat 3 --kill-after 200
    INDEX_DIR=index python scripts/loadtest.py --fairness [--flood-users 60 --flood-questions 10]

Each chat is a distinct user asking questions one after another, the next as soon as the bot
has answered the previous, as a person would; so `--chats` questions are in flight at once.
`--rate` caps the updates offered per second across all chats (default: no cap). Questions mix
lay questions (tests/data/questions_en.jsonl), provision lookups and questions the treaty does
not address; each is answered by exactly one message.

The clock starts once a first question has been answered (the bot is up and connected).
Reported: questions answered of those sent, replies per second (answered / wall clock from
the first update to the last reply), and p50/p95/max latency from the moment getUpdates hands
an update to the bot to the moment the stand-in receives the bot's sendMessage reply (and, as
`latency_from_sent_ms`, from the moment the user sent it, which adds the wait to be fetched);
also requests the stand-in refused, errors the bot logged, and its exit status after SIGTERM.
Exit status 0 only if every question was answered and nothing failed.

`--kill-after N` SIGKILLs the bot once N questions are answered, starts it again, and lets the
chats carry on; it reports the updates the bot had fetched but Telegram not yet forgotten at
the kill (`in_flight_at_kill`), questions `lost` (asked and never answered; a chat that lost one
asks no more: `not_asked`) and questions `answered_twice`. So that every
reply can be told apart, a chat then asks its next question only once Telegram has forgotten
(the bot has confirmed) the last one: every reply before that is to the last question. Exit
status 0 also needs nothing lost and no more answered twice than were in flight at the kill.

`--fairness` runs another scenario (issue 16): `--flood-users` users each send
`--flood-questions` questions at once (no waiting for answers), then one more user asks one
question. Reported: that user's answer time (target: within 3 s), and for the flood how many
questions were answered or got "busy, try again in a minute", with their latencies. Exit status
0 if the lone user was answered in time and every question got exactly one reply.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "telegram"))

from botapi_standin import ApiCall, BotApiStandIn  # noqa: E402
from telegram_harness import BOT_USER, entities_for  # noqa: E402

TOKEN = "123456789:LOADTEST-dummy-token-not-a-real-one"
QUESTIONS_FILE = REPO_ROOT / "tests" / "data" / "questions_en.jsonl"
LOOKUPS = ("article 7", "What does article 12 say?", "art. 40(21)", "/article 7", "/article 40 21")
OUT_OF_SCOPE = (
    "What is the best recipe for banana bread?",
    "Are there cheap flights to Hanoi next week?",
    "Who won the football world cup in 2018?",
)
WARM_UP_CHAT = 99_999  # answered before the clock starts: the bot is up and connected
START_TIMEOUT_S = 180.0
REPLY_TIMEOUT_S = 300.0
STOP_TIMEOUT_S = 60.0


def question_mix(count: int, rng: random.Random) -> list[str]:
    """`count` questions: about 70% lay questions, 15% lookups, 15% out of scope."""
    lay = [json.loads(line)["question"] for line in QUESTIONS_FILE.read_text().splitlines()]
    pools = (lay, LOOKUPS, OUT_OF_SCOPE)
    return [rng.choice(rng.choices(pools, weights=(70, 15, 15))[0]) for _ in range(count)]


class Pacer:
    """Spaces updates `1 / rate` seconds apart across all chats (no spacing without a rate)."""

    def __init__(self, rate: float | None) -> None:
        self._interval = 1 / rate if rate else 0.0
        self._next = time.monotonic()

    async def wait(self) -> None:
        if not self._interval:
            return
        now = time.monotonic()
        slot = max(self._next, now)
        self._next = slot + self._interval
        await asyncio.sleep(slot - now)


class Replies:
    """The bot's replies per chat, as the stand-in receives them."""

    def __init__(self, standin: BotApiStandIn) -> None:
        self.queues: dict[int, asyncio.Queue[ApiCall]] = defaultdict(asyncio.Queue)
        self.refused: list[tuple[str, str]] = []
        self.count = 0  # replies to the load's chats (not the warm-up's)
        self.counted = asyncio.Event()  # `count` reached `count_to`
        self.count_to: int | None = None
        standin.listeners.append(self._heard)

    def _heard(self, call: ApiCall) -> None:
        if not call.ok:
            self.refused.append((call.method, str(call.response.get("description"))))
        elif call.method == "sendMessage":
            chat_id = int(call.params["chat_id"])
            self.queues[chat_id].put_nowait(call)
            if chat_id != WARM_UP_CHAT:
                self.count += 1
                if self.count == self.count_to:
                    self.counted.set()


@dataclass
class Tally:
    """What the chats saw."""

    latencies: list[float] = field(default_factory=list)  # from getUpdates handing it out
    from_sent: list[float] = field(default_factory=list)  # from the user sending it
    asked: int = 0  # a chat whose question goes unanswered asks no more
    answered_twice: int = 0


async def run_chat(
    standin: BotApiStandIn,
    replies: Replies,
    pacer: Pacer,
    user_id: int,
    questions: list[str],
    tally: Tally,
    one_unconfirmed: bool = False,
) -> int:
    """Ask the questions one by one; the number answered. With `one_unconfirmed`, the next
    question only once the last is confirmed, counting the replies to it."""
    chat = {"id": user_id, "type": "private", "first_name": "Load"}
    user = {"id": user_id, "is_bot": False, "first_name": "Load", "language_code": "en"}
    standin.register_chat(chat)
    queue = replies.queues[user_id]
    answered = 0
    for text in questions:
        await pacer.wait()
        message: dict[str, Any] = {
            "message_id": standin.next_message_id(user_id),
            "date": int(time.time()),
            "chat": chat,
            "from": user,
            "text": text,
        }
        if entities := entities_for(text):
            message["entities"] = entities
        sent_at = time.monotonic()
        update_id = await standin.push_update({"message": message})
        tally.asked += 1
        try:
            reply = await asyncio.wait_for(queue.get(), REPLY_TIMEOUT_S)
            if one_unconfirmed:
                await asyncio.wait_for(standin.confirmation(update_id), REPLY_TIMEOUT_S)
        except TimeoutError:
            return answered
        tally.latencies.append(reply.at - standin.delivered_at[update_id])
        tally.from_sent.append(reply.at - sent_at)
        answered += 1
        if one_unconfirmed and not queue.empty():
            tally.answered_twice += 1
            while not queue.empty():
                queue.get_nowait()
    return answered


async def start_bot(
    standin: BotApiStandIn, log: Path, index_dir: Path | None = None
) -> asyncio.subprocess.Process:
    """The bot as a subprocess, serving `index_dir` (default: INDEX_DIR, else index)."""
    index_dir = (index_dir or Path(os.environ.get("INDEX_DIR", "index"))).resolve()
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "TELEGRAM_WEBHOOK_URL": "",
        "INDEX_DIR": str(index_dir),
        "HF_HUB_OFFLINE": "1",
        "FLOOD_BURST": "0",  # simulated users ask faster than people; flood control has its tests
    }
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.telegram.app",
            env=env,
            cwd=log.parent,  # no stray .env
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=stderr,
        )


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latency_ms(values: list[float]) -> dict[str, int] | None:
    if not values:
        return None
    return {
        "p50": round(percentile(values, 0.50) * 1000),
        "p95": round(percentile(values, 0.95) * 1000),
        "max": round(max(values) * 1000),
        "mean": round(statistics.fmean(values) * 1000),
    }


class Restarts:
    """SIGKILL the bot once the chats have `after` answers, then start it again."""

    def __init__(self, standin: BotApiStandIn, replies: Replies, workdir: Path, after: int):
        self.standin = standin
        self.replies = replies
        self.workdir = workdir
        replies.count_to = after
        self.in_flight_at_kill: int | None = None
        self.restarted: asyncio.subprocess.Process | None = None
        self.down_s: float | None = None  # from the kill to the first reply after it

    async def run(self, bot: asyncio.subprocess.Process) -> None:
        await self.replies.counted.wait()
        bot.kill()
        killed_at = time.monotonic()
        await bot.wait()
        self.in_flight_at_kill = len(self.standin.unconfirmed_deliveries())
        answered = self.replies.count
        self.restarted = await start_bot(self.standin, self.workdir / "restarted.log")
        while self.replies.count == answered:
            await asyncio.sleep(0.01)
        self.down_s = time.monotonic() - killed_at


async def launched() -> tuple[BotApiStandIn, Replies, Path, asyncio.subprocess.Process]:
    """The stand-in, its replies by chat, a work folder and the bot, logging to bot.log there."""
    standin = BotApiStandIn(TOKEN, BOT_USER)
    await standin.start()
    replies = Replies(standin)
    workdir = Path(tempfile.mkdtemp(prefix="treaty-loadtest-"))
    return standin, replies, workdir, await start_bot(standin, workdir / "bot.log")


async def shut_down(
    standin: BotApiStandIn, *bots: asyncio.subprocess.Process | None
) -> None:
    """Kill whichever bot processes still run (after a failure), then stop the stand-in."""
    for bot in bots:
        if bot is not None and bot.returncode is None:
            bot.kill()
            await bot.wait()
    await standin.stop()


async def answering(
    standin: BotApiStandIn, replies: Replies, bot: asyncio.subprocess.Process, log: Path
) -> asyncio.Task[int]:
    """Wait until the bot answers a first question; the task that ends when the bot exits."""
    exited = asyncio.create_task(bot.wait())
    warm_up = asyncio.create_task(
        run_chat(standin, replies, Pacer(None), WARM_UP_CHAT, [OUT_OF_SCOPE[0]], Tally())
    )
    await asyncio.wait(
        {exited, warm_up}, timeout=START_TIMEOUT_S, return_when=asyncio.FIRST_COMPLETED
    )
    if not warm_up.done() or warm_up.result() != 1:
        tail = log.read_text(errors="replace")[-2000:]
        raise SystemExit(f"the bot did not start answering:\n{tail}")
    return exited


async def load_test(
    chats: int, per_chat: int, rate: float | None, seed: int, kill_after: int | None = None
) -> dict[str, Any]:
    standin, replies, workdir, bot = await launched()
    log = workdir / "bot.log"
    restarts = Restarts(standin, replies, workdir, kill_after) if kill_after else None
    tally = Tally()
    try:
        exited = await answering(standin, replies, bot, log)
        killer = asyncio.create_task(restarts.run(bot)) if restarts else None
        rng = random.Random(seed)
        pacer = Pacer(rate)
        started = time.monotonic()
        answered = await asyncio.gather(
            *(
                run_chat(standin, replies, pacer, 100_000 + i, question_mix(per_chat, rng),
                         tally, one_unconfirmed=restarts is not None)
                for i in range(chats)
            )
        )
        elapsed = time.monotonic() - started
        if killer is not None:
            killer.cancel()  # in case the chats never reached `kill_after` answers
            with contextlib.suppress(asyncio.CancelledError):
                await killer
        if restarts and restarts.restarted:
            bot = restarts.restarted
            exited = asyncio.create_task(bot.wait())
        bot.send_signal(signal.SIGTERM)
        exit_code = await asyncio.wait_for(exited, STOP_TIMEOUT_S)
    finally:
        await shut_down(standin, bot, restarts.restarted if restarts else None)
    logged = "".join(p.read_text(errors="replace") for p in sorted(workdir.glob("*.log")))
    total = sum(answered)
    report = {
        "chats": chats,
        "questions_per_chat": per_chat,
        "rate_offered": rate,
        "sent": chats * per_chat,
        "answered": total,
        "seconds": round(elapsed, 2),
        "replies_per_second": round(total / elapsed, 1),
        "latency_ms": latency_ms(tally.latencies),
        "latency_from_sent_ms": latency_ms(tally.from_sent),
        "refused_requests": len(replies.refused),
        "errors_logged": logged.count("Failed to handle"),
        "token_in_log": TOKEN.lower() in logged.lower(),
        "bot_exit_code": exit_code,
        "bot_log": str(log),
    }
    if restarts:
        report |= {
            "killed_after": kill_after,
            "in_flight_at_kill": restarts.in_flight_at_kill,
            "lost": tally.asked - total,
            "not_asked": chats * per_chat - tally.asked,
            "answered_twice": tally.answered_twice,
            "down_s": round(restarts.down_s, 1) if restarts.down_s is not None else None,
        }
    return report


LONE_QUESTION = "Which article makes illegal access to a computer system a crime?"
LONE_USER = 99_998
FAIRNESS_TARGET_S = 3.0
SETTLE_S = 2.0  # after the last expected reply: no second reply may follow


async def flood_and_one(users: int, per_user: int, seed: int) -> dict[str, Any]:
    """`users` users send `per_user` questions each at once; then one more user asks one."""
    from bot.telegram.i18n import text

    busy = text("busy", "en")
    standin, replies, workdir, bot = await launched()
    log = workdir / "bot.log"
    try:
        exited = await answering(standin, replies, bot, log)
        rng = random.Random(seed)
        flooders = range(200_000, 200_000 + users)
        sent = {user_id: [] for user_id in flooders}  # each user's update ids, in order
        started = time.monotonic()
        for user_id in flooders:
            for question in question_mix(per_user, rng):
                sent[user_id].append(await push_question(standin, user_id, question))
        lone = await push_question(standin, LONE_USER, LONE_QUESTION)
        lone_reply = await asyncio.wait_for(replies.queues[LONE_USER].get(), REPLY_TIMEOUT_S)
        flood_replies: list[ApiCall] = []
        latencies: list[float] = []
        for user_id in flooders:
            for update_id in sent[user_id]:
                reply = await asyncio.wait_for(replies.queues[user_id].get(), REPLY_TIMEOUT_S)
                flood_replies.append(reply)
                latencies.append(reply.at - standin.delivered_at[update_id])
        elapsed = time.monotonic() - started
        await asyncio.sleep(SETTLE_S)
        extra = sum(q.qsize() for q in replies.queues.values())
        bot.send_signal(signal.SIGTERM)
        exit_code = await asyncio.wait_for(exited, STOP_TIMEOUT_S)
    finally:
        await shut_down(standin, bot)
    logged = log.read_text(errors="replace")
    busy_replies = [c for c in flood_replies if c.params["text"] == busy]
    lone_s = lone_reply.at - standin.delivered_at[lone]
    return {
        "scenario": "fairness",
        "flood_users": users,
        "questions_per_user": per_user,
        "lone_user_answer_s": round(lone_s, 3),
        "lone_user_answered": lone_reply.params["text"] != busy,
        "flood_sent": users * per_user,
        "flood_answered": len(flood_replies) - len(busy_replies),
        "flood_busy": len(busy_replies),
        "flood_latency_s": {
            "p50": round(percentile(latencies, 0.50), 2),
            "p95": round(percentile(latencies, 0.95), 2),
            "max": round(max(latencies), 2),
        },
        "seconds": round(elapsed, 2),
        "extra_replies": extra,
        "refused_requests": len(replies.refused),
        "errors_logged": logged.count("Failed to handle"),
        "token_in_log": TOKEN.lower() in logged.lower(),
        "bot_exit_code": exit_code,
        "bot_log": str(log),
    }


async def push_question(standin: BotApiStandIn, user_id: int, text: str) -> int:
    """A user's question, sent without waiting for the answer to the previous one."""
    chat = {"id": user_id, "type": "private", "first_name": "Load"}
    standin.register_chat(chat)
    message: dict[str, Any] = {
        "message_id": standin.next_message_id(user_id),
        "date": int(time.time()),
        "chat": chat,
        "from": {"id": user_id, "is_bot": False, "first_name": "Load", "language_code": "en"},
        "text": text,
    }
    if entities := entities_for(text):
        message["entities"] = entities
    return await standin.push_update({"message": message})


def fairness_passed(report: dict[str, Any]) -> bool:
    return (
        report["lone_user_answered"]
        and report["lone_user_answer_s"] <= FAIRNESS_TARGET_S
        and report["extra_replies"] == 0
        and report["refused_requests"] == report["errors_logged"] == report["bot_exit_code"] == 0
        and not report["token_in_log"]
    )


def passed(report: dict[str, Any]) -> bool:
    killed = "in_flight_at_kill" in report
    return (
        report["answered"] == report["sent"]
        and (not killed or report["in_flight_at_kill"] is not None)
        and (not killed or report["answered_twice"] <= report["in_flight_at_kill"])
        and report["refused_requests"] == 0
        and report["errors_logged"] == 0
        and not report["token_in_log"]
        and report["bot_exit_code"] == 0
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chats", type=int, default=10, help="concurrent chats (users)")
    parser.add_argument("--questions-per-chat", type=int, default=2)
    parser.add_argument("--rate", type=float, default=None, help="updates offered per second")
    parser.add_argument("--seed", type=int, default=1, help="for the question mix")
    parser.add_argument(
        "--kill-after",
        type=int,
        default=None,
        metavar="N",
        help="SIGKILL the bot once N questions are answered, then start it again",
    )
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    parser.add_argument(
        "--fairness", action="store_true",
        help="the flood scenario: many users send many questions at once, then one more asks one",
    )
    parser.add_argument("--flood-users", type=int, default=60)
    parser.add_argument("--flood-questions", type=int, default=10, help="per flooding user")
    args = parser.parse_args(argv)
    if args.fairness:
        report = asyncio.run(flood_and_one(args.flood_users, args.flood_questions, args.seed))
        if args.json:
            print(json.dumps(report))
        else:
            flood = report["flood_latency_s"]
            print(
                f"lone user answered in {report['lone_user_answer_s']} s while "
                f"{report['flood_users']} users × {report['questions_per_user']} flooded "
                f"({report['flood_answered']} answered, {report['flood_busy']} busy; flood "
                f"latency p50 {flood['p50']} s, p95 {flood['p95']} s, max {flood['max']} s; "
                f"all in {report['seconds']} s); {report['refused_requests']} refused requests, "
                f"{report['errors_logged']} errors logged; bot exit status "
                f"{report['bot_exit_code']}"
            )
        return 0 if fairness_passed(report) else 1
    questions = args.chats * args.questions_per_chat
    if args.kill_after is not None and not 0 < args.kill_after < questions:
        parser.error(f"--kill-after must be between 1 and {questions - 1}")
    report = asyncio.run(
        load_test(args.chats, args.questions_per_chat, args.rate, args.seed, args.kill_after)
    )
    if args.json:
        print(json.dumps(report))
    else:
        latency = report["latency_ms"] or {}
        print(
            f"{report['answered']}/{report['sent']} answered in {report['seconds']} s "
            f"({report['replies_per_second']} replies/s); latency p50 {latency.get('p50')} ms, "
            f"p95 {latency.get('p95')} ms, max {latency.get('max')} ms; "
            f"{report['refused_requests']} refused requests, {report['errors_logged']} errors "
            f"logged; bot exit status {report['bot_exit_code']}"
        )
        if "in_flight_at_kill" in report:
            print(
                f"SIGKILL after {report['killed_after']} answers with "
                f"{report['in_flight_at_kill']} updates in flight; restarted, first reply "
                f"{report['down_s']} s after the kill; {report['lost']} lost, "
                f"{report['answered_twice']} answered twice"
            )
    return 0 if passed(report) else 1


if __name__ == "__main__":
    raise SystemExit(main())
