"""Talking to the Bot API through faults: retries with back-off, per-chat flood waits, and one
log line per outage.

python-telegram-bot retries neither 5xx answers nor timeouts for a request, and its own
`AIORateLimiter` halts every request of the bot while one chat waits out a 429. Here a transient
failure is retried in the request layer (`ResilientRequest`) and a 429 pauses only the chat it was
about (`ChatRateLimiter`).

Delivery is at least once: a request that may have reached Telegram before its connection failed
(a read timeout, a dropped connection, a 5xx) is sent again, so in that case a reply can arrive
twice. A lost reply looks like a bot ignoring its user; a repeated one is only noise.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
import warnings
from collections.abc import Callable, Coroutine
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

import httpx
from aiolimiter import AsyncLimiter
from telegram.error import NetworkError, RetryAfter
from telegram.ext import BaseRateLimiter
from telegram.request import HTTPXRequest, RequestData
from telegram.warnings import PTBDeprecationWarning

logger = logging.getLogger(__name__)

FIRST_DELAY_S = 0.5
OUTAGE_AFTER_FAILURES = 2
MAX_DELAY_S = 15.0
# Failures where the request certainly never reached the server, so a retry cannot repeat it.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# Telegram answers a callback or inline query once; a repeat after a lost response is refused
# with this, which means the first attempt got through.
_ANSWER_ONCE = {"answerCallbackQuery", "answerInlineQuery"}
_ALREADY_ANSWERED = (b"query is too old", b"query ID is invalid")
_ANSWERED = b'{"ok": true, "result": true}'


class ApiHealth:
    """Whether the Bot API is answering; logs one line when an outage starts and one when it
    ends, however many requests fail in between. A single failure followed by success (a
    pooled connection the server had closed) is not an outage."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._first_failure: float | None = None
        self._failures = 0

    @property
    def down(self) -> bool:
        return self._failures >= OUTAGE_AFTER_FAILURES

    def failed(self, reason: str) -> None:
        if self._first_failure is None:
            self._first_failure = self._clock()
        self._failures += 1
        if self._failures == OUTAGE_AFTER_FAILURES:
            logger.warning(
                "The Bot API is unreachable or failing (%s); retrying with back-off.", reason
            )

    def answered(self) -> None:
        if self.down and self._first_failure is not None:
            logger.warning(
                "The Bot API answers again after %.1f s (failed attempts: %d).",
                self._clock() - self._first_failure,
                self._failures,
            )
        self._first_failure = None
        self._failures = 0


class ResilientRequest(HTTPXRequest):
    """HTTPXRequest that retries transient failures (no connection, timeouts, dropped
    connections, 5xx) with exponential back-off for up to `retry_for_s` seconds."""

    def __init__(self, health: ApiHealth, retry_for_s: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._health = health
        self._retry_for_s = retry_for_s

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        **timeouts: Any,
    ) -> tuple[int, bytes]:
        endpoint = url.rsplit("/", 1)[-1]
        deadline = time.monotonic() + self._retry_for_s
        delay = FIRST_DELAY_S
        may_have_arrived = False
        while True:
            failure: NetworkError | None = None
            try:
                status, payload = await super().do_request(url, method, request_data, **timeouts)
            except NetworkError as error:
                failure, reason = error, _reason(error)
                may_have_arrived |= not isinstance(error.__cause__, _NOT_SENT)
            else:
                if status < 500:
                    self._health.answered()
                    if may_have_arrived and _repeat_refused(endpoint, status, payload):
                        return 200, _ANSWERED
                    return status, payload
                reason, may_have_arrived = f"HTTP {status}", True
            self._health.failed(reason)
            if time.monotonic() + delay > deadline:
                if failure is not None:
                    raise failure
                return status, payload
            await asyncio.sleep(delay)
            delay = min(delay * 2, MAX_DELAY_S)


def _reason(error: NetworkError) -> str:
    """The failure in a few words, for the outage log line (never the URL, which holds the
    token)."""
    cause = error.__cause__
    return type(cause).__name__ if cause is not None else type(error).__name__


def _repeat_refused(endpoint: str, status: int, payload: bytes) -> bool:
    return status == 400 and endpoint in _ANSWER_ONCE and any(
        marker in payload for marker in _ALREADY_ANSWERED
    )


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():  # an int now, a timedelta in PTB 23: both are handled
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class ChatRateLimiter(BaseRateLimiter[int]):
    """Telegram's flood limits (about 30 messages a second overall, 20 a minute per group),
    and its 429s obeyed per chat: a chat told to wait pauses alone, the others carry on.

    A 429 on a request without a chat (answering a button or an inline query) pauses only
    such requests. Should Telegram's 429 concern the whole bot, each chat meets it in turn and
    waits as told, so the bot still slows down as asked.
    """

    GROUP_LIMITERS = 512  # past this many, idle group limiters are dropped

    def __init__(
        self, overall_per_second: float = 30, group_per_minute: float = 20, max_retries: int = 3
    ) -> None:
        self._overall = AsyncLimiter(overall_per_second, 1)
        self._group_per_minute = group_per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}
        self._resume_at: dict[int | str | None, float] = {}
        self._max_retries = max_retries

    async def initialize(self) -> None:
        """Nothing to set up: the limiters are created as chats appear."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        chat = data.get("chat_id")
        retries = self._max_retries if rate_limit_args is None else rate_limit_args
        attempt = 0
        while True:
            await self._wait_for_chat(chat)
            try:
                async with AsyncExitStack() as limits:
                    for limiter in self._limiters(endpoint, chat):
                        await limits.enter_async_context(limiter)
                    return await callback(*args, **kwargs)
            except RetryAfter as error:
                if attempt >= retries:
                    raise
                attempt += 1
                wait = retry_after_seconds(error) + 0.1
                resume = max(self._resume_at.get(chat, 0.0), time.monotonic() + wait)
                self._resume_at[chat] = resume
                logger.info("Telegram asked to wait %.1f s before the next %s", wait, endpoint)

    async def _wait_for_chat(self, chat: int | str | None) -> None:
        resume = self._resume_at.get(chat)
        if resume is None:
            return
        wait = resume - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        if self._resume_at.get(chat, math.inf) <= time.monotonic():
            del self._resume_at[chat]

    def _limiters(self, endpoint: str, chat: int | str | None) -> list[AsyncLimiter]:
        """Sending into a chat counts towards the overall limit (a typing action does not);
        sending into a group also towards that group's limit."""
        if chat is None or endpoint == "sendChatAction":
            return []
        limiters = [self._overall]
        if _is_group(chat) and self._group_per_minute:
            limiters.insert(0, self._group(chat))
        return limiters

    def _group(self, chat: int | str) -> AsyncLimiter:
        if len(self._groups) > self.GROUP_LIMITERS:
            for key, limiter in list(self._groups.items()):
                if key != chat and limiter.has_capacity(limiter.max_rate):
                    del self._groups[key]
        if chat not in self._groups:
            self._groups[chat] = AsyncLimiter(self._group_per_minute, 60)
        return self._groups[chat]


def _is_group(chat: int | str) -> bool:
    """Groups and channels have negative ids, or are named by @username."""
    try:
        return int(chat) < 0
    except ValueError:
        return True
