"""The pure parts of issue 16's fairness on their own: the round-robin queue, turns, the
bounded chat memory and the sender of an update."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Update

from bot.search.retriever import MAX_QUESTION_CHARS
from bot.telegram.memory import ChatMemory
from bot.telegram.scheduling import Busy, FairQueue, Turns
from bot.telegram.updates import sender_key


def test_senders_are_served_in_rotation() -> None:
    queue: FairQueue[str] = FairQueue(capacity=100)
    for n in range(1, 11):
        queue.push("flooder", f"f{n}")
    queue.push("newcomer", "n1")
    queue.push("other", "o1")
    queue.push("other", "o2")
    served = [queue.pop() for _ in range(len(queue))]
    assert served[:5] == ["f1", "n1", "o1", "f2", "o2"]
    assert served[5:] == [f"f{n}" for n in range(3, 11)]
    assert queue.pop() is None and len(queue) == 0 and queue.senders == 0


def test_a_sender_who_returns_joins_the_end_of_the_round() -> None:
    queue: FairQueue[str] = FairQueue(capacity=100)
    queue.push("a", "a1")
    queue.push("b", "b1")
    queue.push("b", "b2")
    assert queue.pop() == "a1"
    queue.push("a", "a2")  # a had nothing waiting: behind b, who is already in the round
    assert [queue.pop(), queue.pop(), queue.pop()] == ["b1", "a2", "b2"]


def test_the_queue_is_bounded_and_items_can_be_taken_back() -> None:
    queue: FairQueue[int] = FairQueue(capacity=3)
    assert [queue.push("a", 1), queue.push("b", 2), queue.push("a", 3)] == [True] * 3
    assert queue.push("c", 4) is False
    assert queue.remove("a", 1) and not queue.remove("a", 1) and not queue.remove("z", 9)
    assert queue.push("c", 4)
    assert [queue.pop() for _ in range(3)] == [3, 2, 4]  # a kept its place in the round


async def test_turns_are_granted_round_robin_and_past_the_limit_refused() -> None:
    turns = Turns(slots=1, capacity=3)
    order: list[str] = []
    release = asyncio.Event()

    async def answer(sender: str, label: str) -> None:
        async with turns.turn(sender):
            order.append(label)
            await release.wait()

    holder = asyncio.create_task(answer("a", "a1"))
    await asyncio.sleep(0)
    waiting = [asyncio.create_task(answer(s, label))
               for s, label in (("a", "a2"), ("a", "a3"), ("b", "b1"))]
    await asyncio.sleep(0)
    assert turns.waiting == 3
    with pytest.raises(Busy):
        await answer("c", "c1")
    release.set()
    await asyncio.gather(holder, *waiting)
    assert order == ["a1", "a2", "b1", "a3"]
    assert turns.waiting == 0


async def test_a_cancelled_waiter_gives_its_turn_on() -> None:
    turns = Turns(slots=1, capacity=10)
    release = asyncio.Event()
    served: list[str] = []

    async def answer(label: str) -> None:
        async with turns.turn(label):
            served.append(label)
            await release.wait()

    holder = asyncio.create_task(answer("first"))
    await asyncio.sleep(0)
    gone = asyncio.create_task(answer("gone"))
    after = asyncio.create_task(answer("after"))
    await asyncio.sleep(0)
    gone.cancel()
    release.set()
    await asyncio.gather(holder, after)
    assert served == ["first", "after"]
    with pytest.raises(asyncio.CancelledError):
        await gone
    async with asyncio.timeout(1):  # the slot is free again
        async with turns.turn("later"):
            pass


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_chat_memory_keeps_questions_at_the_length_retrieval_reads() -> None:
    memory = ChatMemory()
    memory.remember(1, 40, "  why\n" + "x" * 5000)
    stored = memory.question(1, 40)
    assert stored is not None and len(stored) == MAX_QUESTION_CHARS
    assert stored.startswith("why x")


def test_chat_memory_is_bounded_per_chat_and_in_all() -> None:
    memory = ChatMemory(questions_per_chat=3, shown_per_chat=2, max_questions=5, max_shown=3)
    for n in range(5):
        memory.remember(1, n, f"q{n}")
    assert [memory.question(1, n) for n in range(5)] == [None, None, "q2", "q3", "q4"]
    for chat in (2, 3):
        memory.remember(chat, 1, "hello")
        memory.remember(chat, 2, "again")
    assert memory.questions == 5  # chat 1, the least recently used, gave way
    assert [memory.first_time_shown(9, key) for key in ("a", "b", "a", "c", "a")] == [
        True, True, False, True, True  # "a" was pushed out by "c", so it counts as new again
    ]
    for key in ("x", "y"):
        memory.first_time_shown(10, key)
    assert memory.shown <= 3


def test_idle_chats_are_forgotten() -> None:
    clock = Clock()
    memory = ChatMemory(idle_s=100, clock=clock)
    memory.remember(1, 8, "question")
    memory.first_time_shown(1, (5, 7))
    clock.now += 50
    assert memory.question(1, 8) == "question"  # using a chat keeps it
    clock.now += 101
    assert memory.question(1, 8) is None
    memory.remember(2, 3, "another chat")  # any use clears out the idle ones
    assert len(memory) == 1 and memory.questions == 1 and memory.shown == 0
    assert memory.first_time_shown(1, (5, 7)) is True


def update(payload: dict) -> Update:
    return Update.de_json({"update_id": 1, **payload}, None)


GROUP = {"id": -100, "type": "supergroup", "title": "A"}
OTHER_GROUP = {"id": -200, "type": "supergroup", "title": "B"}
CHANNEL = {"id": -300, "type": "channel", "title": "News"}
ANONYMOUS = {"id": 1087968824, "is_bot": True, "first_name": "Group"}


def message(chat: dict, sender_chat: dict | None = None, user: dict | None = None) -> dict:
    data = {"message_id": 1, "date": 0, "chat": chat, "text": "hi",
            "from": user or {"id": 7, "is_bot": False, "first_name": "Ada"}}
    if sender_chat:
        data["sender_chat"] = sender_chat
    return {"message": data}


def test_the_sender_is_the_chat_a_message_is_sent_as_in_each_chat() -> None:
    assert sender_key(update(message(GROUP))) == ("user", 7)
    in_a = sender_key(update(message(GROUP, GROUP, ANONYMOUS)))
    in_b = sender_key(update(message(OTHER_GROUP, OTHER_GROUP, ANONYMOUS)))
    assert in_a == ("chat", -100, -100) and in_b == ("chat", -200, -200)
    channel_in_a = sender_key(update(message(GROUP, CHANNEL, ANONYMOUS)))
    channel_in_b = sender_key(update(message(OTHER_GROUP, CHANNEL, ANONYMOUS)))
    assert len({in_a, channel_in_a, channel_in_b}) == 3
    query = {"callback_query": {"id": "1", "from": {"id": 8, "is_bot": False, "first_name": "B"},
                                "chat_instance": "1", "data": "toc"}}
    assert sender_key(update(query)) == ("user", 8)
    assert sender_key(object()) is None
