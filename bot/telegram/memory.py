"""What the bot remembers per chat, in memory and bounded: the questions behind its "More
results" buttons, the articles whose full text it already sent under a message, and what its
last answer quoted (for follow-ups: "paragraph 3", "the next one").

Nothing here grows with the life of the process: a question is kept at the length retrieval
reads, each chat keeps its last questions and shown articles, all chats together at most
`max_questions` and `max_shown` of them (the least recently used chats give way), and a chat
idle for `idle_s` is forgotten (its buttons then say "expired, ask again").
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from bot.search.retriever import question_as_read
from bot.telegram.followups import Provision

QUESTIONS_PER_CHAT = 100
SHOWN_PER_CHAT = 200  # (message, article) pairs whose full text was sent
MAX_QUESTIONS = 20_000  # in all chats: at most ~20 M characters of question text
MAX_SHOWN = 100_000
IDLE_S = 24 * 3600.0


@dataclass(frozen=True)
class LastAnswer:
    """What the bot's last reply in a chat quoted first, the articles it cited, and when."""

    provision: Provision
    articles: tuple[int, ...]
    at: float


@dataclass
class _Chat:
    used: float
    questions: OrderedDict[int, str] = field(default_factory=OrderedDict)  # by answer message
    shown: OrderedDict[Hashable, None] = field(default_factory=OrderedDict)
    last: LastAnswer | None = None
    answers: OrderedDict[int, int] = field(default_factory=OrderedDict)  # question → answer id
    latest_sent: int = 0  # the bot's latest message in the chat, as far as it recorded


class ChatMemory:
    """Per-chat questions and shown articles, with every part bounded (see the module)."""

    def __init__(
        self,
        *,
        questions_per_chat: int = QUESTIONS_PER_CHAT,
        shown_per_chat: int = SHOWN_PER_CHAT,
        max_questions: int = MAX_QUESTIONS,
        max_shown: int = MAX_SHOWN,
        idle_s: float = IDLE_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.questions_per_chat = questions_per_chat
        self.shown_per_chat = shown_per_chat
        self.max_questions = max_questions
        self.max_shown = max_shown
        self.idle_s = idle_s
        self._clock = clock
        self._chats: OrderedDict[int, _Chat] = OrderedDict()  # least recently used first
        self._questions = 0
        self._shown = 0

    def __len__(self) -> int:
        return len(self._chats)

    @property
    def questions(self) -> int:
        return self._questions

    @property
    def shown(self) -> int:
        return self._shown

    def remember(self, chat_id: int, answer_id: int, question: str) -> None:
        """Keep the question of the answer sent as message `answer_id`, to name it above the
        answer's later pages."""
        chat = self._use(chat_id)
        chat.questions[answer_id] = question_as_read(question)
        self._questions += 1
        while len(chat.questions) > self.questions_per_chat:
            chat.questions.popitem(last=False)
            self._questions -= 1
        self._trim()

    def question(self, chat_id: int, answer_id: int) -> str | None:
        chat = self._chats.get(chat_id)
        if chat is None or self._idle(chat):
            return None
        self._use(chat_id)
        return chat.questions.get(answer_id)

    def first_time_shown(self, chat_id: int, key: Hashable) -> bool:
        """Record that `key` (a message and an article) was shown in the chat; False when it
        already was."""
        chat = self._use(chat_id)
        if key in chat.shown:
            return False
        chat.shown[key] = None
        self._shown += 1
        while len(chat.shown) > self.shown_per_chat:
            chat.shown.popitem(last=False)
            self._shown -= 1
        self._trim()
        return True

    def record_answer(
        self, chat_id: int, provision: Provision, articles: tuple[int, ...] = ()
    ) -> None:
        """Keep what a reply quoted, for a follow-up that names no article (one per chat)."""
        self._use(chat_id).last = LastAnswer(provision, articles or (provision.article,),
                                             self._clock())

    def last_answer(self, chat_id: int) -> LastAnswer | None:
        """The chat's last answer while the chat is remembered (callers judge its age with
        `age`)."""
        chat = self._chats.get(chat_id)
        if chat is None or self._idle(chat):
            return None
        return chat.last

    def age(self, answer: LastAnswer) -> float:
        return self._clock() - answer.at

    def record_reply(self, chat_id: int, question_id: int, answer_id: int) -> None:
        """Which message answered which question (the last QUESTIONS_PER_CHAT), so that an
        edited question can be answered again in place."""
        chat = self._use(chat_id)
        chat.answers[question_id] = answer_id
        while len(chat.answers) > self.questions_per_chat:
            chat.answers.popitem(last=False)
        self.record_sent(chat_id, answer_id)

    def record_sent(self, chat_id: int, message_id: int) -> None:
        chat = self._use(chat_id)
        chat.latest_sent = max(chat.latest_sent, message_id)

    def answer_to(self, chat_id: int, question_id: int) -> int | None:
        """The bot's answer to a question, if that answer is still its latest message."""
        chat = self._chats.get(chat_id)
        if chat is None or self._idle(chat):
            return None
        answer_id = chat.answers.get(question_id)
        return answer_id if answer_id is not None and answer_id == chat.latest_sent else None

    def forget(self, chat_id: int) -> None:
        """Drop what is kept for a chat (as a restart does)."""
        if chat_id in self._chats:
            self._forget(chat_id)

    def _idle(self, chat: _Chat) -> bool:
        return self._clock() - chat.used > self.idle_s

    def _use(self, chat_id: int) -> _Chat:
        """The chat's state, marked as just used; idle chats are forgotten on the way."""
        now = self._clock()
        while self._chats:
            oldest_id, oldest = next(iter(self._chats.items()))
            if now - oldest.used <= self.idle_s:
                break
            self._forget(oldest_id)
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Chat(now)
        chat.used = now
        self._chats.move_to_end(chat_id)
        return chat

    def _trim(self) -> None:
        """Past the limits for all chats, the least recently used chats lose their oldest
        entries first."""
        while self._questions > self.max_questions or self._shown > self.max_shown:
            chat_id, chat = next(iter(self._chats.items()))
            if self._questions > self.max_questions and chat.questions:
                chat.questions.popitem(last=False)
                self._questions -= 1
            elif self._shown > self.max_shown and chat.shown:
                chat.shown.popitem(last=False)
                self._shown -= 1
            else:
                self._forget(chat_id)

    def _forget(self, chat_id: int) -> None:
        chat = self._chats.pop(chat_id)
        self._questions -= len(chat.questions)
        self._shown -= len(chat.shown)
