"""Long polling that confirms an update to Telegram only once the bot has finished with it.

Telegram keeps an update until a getUpdates call passes an `offset` above its id; then it is
forgotten for good. python-telegram-bot's own Updater moves the offset past every update as soon
as it has fetched it, so a bot killed mid-answer (SIGKILL, out of memory, a host reboot) loses
every update it had fetched but not answered. Here the offset moves only past the longest run of
finished updates from the oldest one fetched (`UpdateLedger`); updates are still handled side by
side, and "finished" means python-telegram-bot's processing of the update returned: a reply sent,
a deliberate silence, or a failure already reported to the user (`ConfirmingUpdateProcessor`).

After a crash, Telegram hands out again every update the bot had not finished, and none it had.
The cost: an update that finished after an older one still in progress stays unconfirmed until
that one finishes, so a crash in between has it answered a second time; and getUpdates, which
always returns the unconfirmed updates first, returns the ones in progress again with every poll
(they are recognised and skipped). With fewer than getUpdates' 100 in progress behind the oldest
unfinished one, new updates keep flowing; one update that takes very long (a chat waiting out a
429) holds back at most that many.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError
from telegram.ext import BaseUpdateProcessor, ExtBot, Updater

from bot.telegram.network import retry_after_seconds

logger = logging.getLogger(__name__)

# While an unfinished update holds the offset back, getUpdates answers at once with every
# unconfirmed update. So a poll for new updates is made when the offset moves, or after this
# long; but with more than SMALL_WINDOW unconfirmed, at most this often, and in between a
# move of the offset is only confirmed (a poll for one update).
REPOLL_S = 0.1
SMALL_WINDOW = 10
BATCH = 100  # getUpdates' largest limit
FIRST_ERROR_DELAY_S = 1.0
MAX_ERROR_DELAY_S = 30.0  # as python-telegram-bot's polling loop


class UpdateLedger:
    """Which fetched updates are unfinished, and so how far Telegram may be told to forget.

    Telegram numbers updates in increasing order and hands out every unconfirmed one from the
    offset on, so an id above the newest one fetched is new and any other has been fetched
    before. Pure bookkeeping: no I/O, no clock.
    """

    def __init__(self) -> None:
        self._newest: int | None = None
        self._unfinished: set[int] = set()

    @property
    def offset(self) -> int:
        """The getUpdates offset that confirms exactly the finished updates before the oldest
        unfinished one (0, Telegram's oldest unconfirmed update, before anything is fetched)."""
        if self._unfinished:
            return min(self._unfinished)
        return 0 if self._newest is None else self._newest + 1

    @property
    def unfinished(self) -> int:
        return len(self._unfinished)

    @property
    def unconfirmed(self) -> int:
        """At most how many fetched updates the next poll hands out again: every one from the
        offset to the newest fetched."""
        return 0 if self._newest is None else self._newest + 1 - self.offset

    def fetched(self, update_ids: Iterable[int]) -> list[int]:
        """Record a getUpdates answer; the ids fetched for the first time, now unfinished."""
        fresh = []
        for update_id in update_ids:
            if self._newest is None or update_id > self._newest:
                fresh.append(update_id)
                self._newest = update_id
        self._unfinished.update(fresh)
        return fresh

    def finished(self, update_id: int) -> bool:
        """Record that the bot is done with an update; whether the offset moved. An id that was
        not fetched by polling (a webhook's update) changes nothing."""
        if update_id not in self._unfinished:
            return False
        before = self.offset
        self._unfinished.discard(update_id)
        return self.offset != before


class RawUpdatesBot(ExtBot):
    """ExtBot that can also fetch updates undecoded. Every poll hands out again the updates
    still in progress (up to 100), and python-telegram-bot spends a millisecond or more
    decoding each: only new ones are worth decoding."""

    __slots__ = ()

    async def get_raw_updates(
        self,
        offset: int,
        timeout: float | timedelta,
        limit: int = BATCH,
        allowed_updates: Sequence[str] | None = None,
    ) -> list[dict[str, Any]]:
        """What `get_updates` returns, as the Bot API's JSON; the read timeout is that of the
        getUpdates request plus the long poll's, as in `get_updates`."""
        seconds = timeout.total_seconds() if isinstance(timeout, timedelta) else timeout
        data = {"offset": offset, "timeout": int(seconds), "limit": limit}
        if allowed_updates is not None:
            data["allowed_updates"] = list(allowed_updates)
        read_timeout = (self._request[0].read_timeout or 0) + seconds
        return await self._post("getUpdates", data, read_timeout=read_timeout)

    async def renew_updates_connection(self) -> None:
        """A new connection pool for getUpdates. A request cancelled while httpcore is opening
        its connection can hold the pool's one slot for ever (encode/httpcore#1093), and every
        later getUpdates then fails with PoolTimeout."""
        request = self._request[0]
        await request.shutdown()
        await request.initialize()


class ConfirmingUpdateProcessor(BaseUpdateProcessor):
    """Processes updates concurrently, as python-telegram-bot's `SimpleUpdateProcessor`, and
    reports each one finished once its processing has returned or raised. Cancelled processing
    (the process being torn down) is not finished: the update will be fetched again."""

    def __init__(self, max_concurrent_updates: int, finished: Callable[[object], None]) -> None:
        super().__init__(max_concurrent_updates)
        self._finished = finished

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        try:
            await coroutine
        except Exception:
            self._finished(update)
            raise
        self._finished(update)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


class ConfirmingUpdater(Updater):
    """python-telegram-bot's Updater, with long polling that confirms only finished updates.

    `Application.run_polling` drives it unchanged. `stop` stops fetching, waits until the
    updates already fetched are finished (the Application, still running, keeps processing
    them), then confirms them to Telegram; a final confirmation that cannot reach the Bot API
    within `confirm_within_s` is given up, and those updates are answered again after the next
    start. Webhook mode is python-telegram-bot's own.
    """

    bot: RawUpdatesBot

    def __init__(
        self, bot: RawUpdatesBot, update_queue: asyncio.Queue[object], confirm_within_s: float
    ) -> None:
        super().__init__(bot, update_queue)
        self.ledger = UpdateLedger()
        self._confirm_within_s = confirm_within_s
        self._progress = asyncio.Event()  # the offset moved
        self._poller: asyncio.Task[None] | None = None
        self._polling = False
        self._allowed_updates: Sequence[str] | None = None

    def processor(self, max_concurrent_updates: int) -> ConfirmingUpdateProcessor:
        """The update processor that tells this updater when an update is finished."""
        return ConfirmingUpdateProcessor(max_concurrent_updates, self._finished)

    def _finished(self, update: object) -> None:
        if isinstance(update, Update):
            self._finish(update.update_id)

    def _finish(self, update_id: int) -> None:
        if self.ledger.finished(update_id):
            self._progress.set()

    async def start_polling(  # type: ignore[override]
        self,
        poll_interval: float = 0.0,
        timeout: float | timedelta = 10,
        bootstrap_retries: int = 0,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool | None = None,
        error_callback: Callable[[TelegramError], None] | None = None,
    ) -> asyncio.Queue[object]:
        if self.running:
            raise RuntimeError("This Updater is already running!")
        if not self._initialized:
            raise RuntimeError("This Updater was not initialized via `Updater.initialize`!")
        self._running = self._polling = True
        self._allowed_updates = allowed_updates
        try:
            await self._bootstrap(  # no webhook may be set while polling
                bootstrap_retries,
                webhook_url="",
                allowed_updates=None,
                drop_pending_updates=drop_pending_updates,
            )
        except Exception:
            self._running = self._polling = False
            raise
        self._poller = asyncio.create_task(
            self._poll(poll_interval, timeout, error_callback), name="ConfirmingUpdater:poll"
        )
        return self.update_queue

    async def stop(self) -> None:
        if not self._polling:
            await super().stop()  # webhook mode
            return
        if not self.running:
            raise RuntimeError("This Updater is not running!")
        self._running = False
        if self._poller is not None:
            self._poller.cancel()  # a long poll would otherwise hold the stop for its timeout
            with contextlib.suppress(asyncio.CancelledError, InvalidToken):  # InvalidToken: logged
                await self._poller
            self._poller = None
            await self.bot.renew_updates_connection()
        while self.ledger.unfinished:
            self._progress.clear()
            await self._progress.wait()
        await self._confirm()
        self._polling = False

    async def _poll(
        self,
        poll_interval: float,
        timeout: float | timedelta,
        error_callback: Callable[[TelegramError], None] | None,
    ) -> None:
        """Fetch, hand new updates to the Application, and repeat; a long poll only when
        nothing is unfinished (Telegram answers at once while anything is unconfirmed)."""
        error_delay = 0.0
        looked_at = -math.inf  # when the last poll for new updates was made
        while self.running:
            self._progress.clear()
            started = time.monotonic()
            look = self.ledger.unconfirmed <= SMALL_WINDOW or started - looked_at >= REPOLL_S
            try:
                fetched = await self.bot.get_raw_updates(
                    self.ledger.offset,
                    0 if self.ledger.unfinished else timeout,
                    BATCH if look else 1,
                    self._allowed_updates,
                )
                ids = [int(data["update_id"]) for data in fetched]
            except RetryAfter as error:
                await asyncio.sleep(retry_after_seconds(error) + 0.5)
                continue
            except InvalidToken:
                logger.error("The Bot API refused the bot token; polling stopped.")
                raise
            except TelegramError as error:
                if error_callback is not None:
                    error_callback(error)
                else:
                    logger.error("Polling for updates failed: %s", error)
                error_delay = min(MAX_ERROR_DELAY_S, error_delay * 1.5 or FIRST_ERROR_DELAY_S)
                await asyncio.sleep(error_delay)
                continue
            except Exception:  # not the Bot API's JSON: nothing recorded, fetched again
                logger.exception("Could not read the answer of getUpdates.")
                await asyncio.sleep(REPOLL_S)
                continue
            error_delay = 0.0
            if look:
                looked_at = started
            fresh = set(self.ledger.fetched(ids))
            for update_id, data in zip(ids, fetched, strict=True):
                if update_id in fresh:
                    self._hand_over(update_id, data)
            if self.ledger.unfinished and not self._progress.is_set():
                next_look = max(0.0, looked_at + REPOLL_S - time.monotonic())
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._progress.wait(), next_look)
            if poll_interval:
                await asyncio.sleep(poll_interval)

    def _hand_over(self, update_id: int, data: dict[str, Any]) -> None:
        """Decode a new update for the Application; one python-telegram-bot cannot read counts
        as finished, or it would hold back the offset (and fail again) for ever."""
        try:
            update = Update.de_json(data, self.bot)
        except Exception:
            logger.exception("Could not read update %d; it is skipped.", update_id)
            self._finish(update_id)
            return
        self.update_queue.put_nowait(update)

    async def _confirm(self) -> None:
        """Tell Telegram it may forget every finished update: at a stop there is no next poll
        to carry the offset."""
        offset = self.ledger.offset
        try:
            await asyncio.wait_for(
                self.bot.get_raw_updates(offset, 0, 1, self._allowed_updates),
                self._confirm_within_s,
            )
        except (TelegramError, TimeoutError) as error:
            logger.warning(
                "Could not confirm the handled updates to the Bot API (%s); updates from "
                "number %d on will be fetched and answered again at the next start.",
                type(error).__name__,
                offset,
            )
