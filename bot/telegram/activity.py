"""What the bot keeps about its use: counts and timings for /stats, one log line per handled
update. No message text is kept or logged unless LOG_QUESTIONS is set.

A user appears in logs only as a keyed BLAKE2b hash of their id: stable within a process (so one
user's requests can be followed), and, with the default random key, not linkable across
restarts or back to the id.
"""

from __future__ import annotations

import logging
import re
import secrets
import statistics
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import blake2b

from telegram import Update

logger = logging.getLogger(__name__)

LATENCY_WINDOW = 1000  # /stats reports the median over this many recent questions


def redact(text: str, token: str | None) -> str:
    """`text` with the bot token blanked out, in any letter case: python-telegram-bot
    capitalises error descriptions, which lower-cases a token quoted in them."""
    return re.sub(re.escape(token), "<bot token>", text, flags=re.IGNORECASE) if token else text


@dataclass(frozen=True)
class Outcome:
    """What a handler did, for the log and /stats."""

    articles: tuple[int, ...] = ()  # the articles the reply cited
    question: str | None = None  # the text searched; logged only when LOG_QUESTIONS is set
    abstained: bool | None = None  # set for a question asked in a chat: did nothing match?
    busy: bool = False  # refused with "busy, try again in a minute": the queue was full


class Activity:
    """Counters, recent answer times and the pseudonymous log of handled updates."""

    def __init__(
        self,
        salt: bytes | None = None,
        log_questions: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._salt = salt or secrets.token_bytes(16)
        self._log_questions = log_questions
        self._clock = clock
        self.started = clock()
        self.answered = 0
        self.abstained = 0
        self.errors = 0
        self.busy = 0
        self._latencies: deque[float] = deque(maxlen=LATENCY_WINDOW)

    def pseudonym(self, identifier: int) -> str:
        """A user or chat id as it may appear in logs."""
        key = self._salt[: blake2b.MAX_KEY_SIZE]
        return blake2b(str(identifier).encode(), key=key, digest_size=8).hexdigest()

    def describe(self, update: object) -> str:
        """Where an update came from, for logs: its kind and pseudonyms, never its text."""
        if update is None:
            return "a request outside any update (polling)"
        if not isinstance(update, Update):
            return type(update).__name__
        chat, user = update.effective_chat, update.effective_user
        kinds = ("message", "callback_query", "inline_query", "edited_message")
        kind = next((k for k in kinds if getattr(update, k) is not None), "other")
        return (
            f"update {update.update_id} ({kind}; chat {self.pseudonym(chat.id) if chat else '-'}, "
            f"user {self.pseudonym(user.id) if user else '-'})"
        )

    def record(self, update: Update, command: str, seconds: float, outcome: Outcome) -> None:
        """Count a handled update and log it: who (hashed), what, how long, which articles."""
        if outcome.busy:
            self.busy += 1
        if outcome.abstained is not None:
            self._latencies.append(seconds)
            if outcome.abstained:
                self.abstained += 1
            else:
                self.answered += 1
        user = update.effective_user
        line = (
            f"{command} user={self.pseudonym(user.id) if user else '-'} "
            f"ms={seconds * 1000:.0f} articles={','.join(map(str, outcome.articles)) or '-'}"
        )
        if outcome.abstained:
            line += " abstained"
        if outcome.busy:
            line += " busy"
        if self._log_questions and outcome.question is not None:
            line += f" question={outcome.question!r}"
        logger.info("%s", line)

    @property
    def uptime_s(self) -> float:
        return self._clock() - self.started

    def median_latency_s(self) -> float | None:
        return statistics.median(self._latencies) if self._latencies else None
