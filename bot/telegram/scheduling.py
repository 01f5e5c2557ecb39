"""Serving users in turn: round-robin across senders, with a bounded queue.

Every update a handler answers waits for its turn first (`Turns.turn`). At most a few answer at
once (searches hold the GIL, and Telegram takes about 30 messages a second from a bot), and
the rest wait in a `FairQueue`: one queue per sender, served in rotation, so a user's first
question never waits behind another user's second. Past `capacity` waiting updates the caller
is told at once (`Busy`), to answer "busy, try again in a minute" honestly instead of queueing
for ever.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from bot.errors import TreatyBotError

T = TypeVar("T")


class FairQueue(Generic[T]):
    """Items waiting per sender, taken in rotation: the next item is the oldest one of the
    sender after the sender served last; a sender with nothing waiting joins at the end of
    the round. At most `capacity` items wait in all."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self._senders: OrderedDict[Hashable, deque[T]] = OrderedDict()  # the round, in order
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def senders(self) -> int:
        return len(self._senders)

    def push(self, sender: Hashable, item: T) -> bool:
        """Queue `item` behind the sender's earlier ones; False when the queue is full."""
        if self._size >= self.capacity:
            return False
        self._senders.setdefault(sender, deque()).append(item)
        self._size += 1
        return True

    def pop(self) -> T | None:
        """The next item in rotation, or None when nothing waits."""
        if not self._senders:
            return None
        sender, items = next(iter(self._senders.items()))
        item = items.popleft()
        self._size -= 1
        if items:
            self._senders.move_to_end(sender)
        else:
            del self._senders[sender]
        return item

    def remove(self, sender: Hashable, item: T) -> bool:
        """Take back an item that no longer wants its turn; False when it is not waiting."""
        items = self._senders.get(sender)
        if items is None or item not in items:
            return False
        items.remove(item)
        self._size -= 1
        if not items:
            del self._senders[sender]
        return True


class Busy(TreatyBotError):
    """Too many updates are waiting for their turn: answer "busy" rather than queue this one."""


class Turns:
    """At most `slots` holders at once; the others wait their turn, round-robin by sender.

    Only the event loop's thread uses it, so it needs no lock.
    """

    def __init__(self, slots: int, capacity: int) -> None:
        self._free = slots
        self._waiting: FairQueue[asyncio.Future[None]] = FairQueue(capacity)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    @asynccontextmanager
    async def turn(self, sender: Hashable) -> AsyncIterator[None]:
        """Wait for this sender's turn (raises `Busy` at once when the queue is full), hold it
        for the block, then pass it on."""
        await self._acquire(sender)
        try:
            yield
        finally:
            self._release()

    async def _acquire(self, sender: Hashable) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            return
        granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if not self._waiting.push(sender, granted):
            raise Busy
        try:
            await granted
        except asyncio.CancelledError:
            if not self._waiting.remove(sender, granted) and not granted.cancelled():
                self._release()  # the turn came just as the waiter was cancelled: pass it on
            raise

    def _release(self) -> None:
        while (granted := self._waiting.pop()) is not None:
            if not granted.done():
                granted.set_result(None)  # the turn goes straight to the next in rotation
                return
        self._free += 1
