"""A small local stand-in for the Telegram Bot API, served over real HTTP on 127.0.0.1.

The bot under test talks to it through python-telegram-bot's own HTTP stack, exactly as it
talks to api.telegram.org. The stand-in queues updates for getUpdates, records every request,
and refuses what Telegram refuses (invalid HTML, over-long texts, over-long callback data, ...)
with Telegram's own 400 answer, so a formatting mistake fails a test instead of a user's chat.

It also misbehaves on request: per-method queues of faults (an error status such as a 429 with
`retry_after` or a 500, a slow answer, a dropped connection before or after carrying the request
out), and whole outages during which nothing listens on its port.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import json
import random
import re
import socket
import time
from collections import Counter, defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl

import tornado.web
from tornado.httpserver import HTTPServer
from tornado.iostream import StreamClosedError
from tornado.netutil import bind_sockets

TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
CALLBACK_ANSWER_LIMIT = 200
DESCRIPTION_LIMIT = 512
SHORT_DESCRIPTION_LIMIT = 120
INLINE_RESULTS_LIMIT = 50

# Telegram's HTML style: these tags and no others; these named entities and numeric ones.
TELEGRAM_TAGS = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "tg-emoji": {"emoji-id"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
}
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);")
CHAT_ACTIONS = {
    "typing",
    "upload_photo",
    "record_video",
    "upload_video",
    "record_voice",
    "upload_voice",
    "upload_document",
    "choose_sticker",
    "find_location",
    "record_video_note",
    "upload_video_note",
}
# Parameters that are plain strings on the wire; every other value is JSON.
STRING_PARAMETERS = {
    "text",
    "parse_mode",
    "action",
    "callback_query_id",
    "inline_query_id",
    "description",
    "short_description",
    "url",
    "secret_token",
    "next_offset",
    "language_code",
}


class BadRequest(Exception):
    """What Telegram answers with a 400 and `"ok": false`."""

    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open_tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            raise BadRequest(f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')
        for name, _ in attrs:
            if name not in TELEGRAM_TAGS[tag]:
                raise BadRequest(
                    f'Bad Request: can\'t parse entities: Unsupported attribute "{name}" '
                    f'of tag "{tag}"'
                )
        if tag == "span" and dict(attrs).get("class") != "tg-spoiler":
            raise BadRequest("Bad Request: can't parse entities: Unsupported span class")
        if tag == "a" and not dict(attrs).get("href"):
            raise BadRequest('Bad Request: can\'t parse entities: Tag "a" must have an href')
        if tag == "blockquote" and "blockquote" in self.open_tags:
            raise BadRequest("Bad Request: can't parse entities: Blockquotes can't be nested")
        parent = self.open_tags[-1] if self.open_tags else None
        if parent in {"code", "pre"} and not (parent == "pre" and tag == "code"):
            raise BadRequest(
                f'Bad Request: can\'t parse entities: Tag "{tag}" can\'t be nested in "{parent}"'
            )
        self.open_tags.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        raise BadRequest(f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}"')

    def handle_endtag(self, tag: str) -> None:
        if not self.open_tags or self.open_tags[-1] != tag:
            raise BadRequest(
                f"Bad Request: can't parse entities: Can't find end tag corresponding to "
                f'start tag "{self.open_tags[-1] if self.open_tags else tag}"'
            )
        self.open_tags.pop()

    def handle_data(self, data: str) -> None:
        for character in "<>&":
            if character in data:
                raise BadRequest(
                    f"Bad Request: can't parse entities: Unexpected {character!r} in text; "
                    "it must be escaped"
                )
        self.text.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in NAMED_ENTITIES:
            raise BadRequest(f'Bad Request: can\'t parse entities: Unsupported entity "&{name};"')
        self.text.append(NAMED_ENTITIES[name])

    def handle_charref(self, name: str) -> None:
        number = int(name[1:], 16) if name[:1] in {"x", "X"} else int(name)
        self.text.append(chr(number))

    def handle_comment(self, data: str) -> None:
        raise BadRequest("Bad Request: can't parse entities: comments are not supported")

    def handle_decl(self, decl: str) -> None:
        raise BadRequest("Bad Request: can't parse entities: declarations are not supported")

    def handle_pi(self, data: str) -> None:
        raise BadRequest("Bad Request: can't parse entities: processing instructions")

    def unknown_decl(self, data: str) -> None:
        raise BadRequest("Bad Request: can't parse entities: unknown declaration")


def parse_telegram_html(html: str) -> str:
    """The text Telegram would show for `html` in parse_mode HTML, or BadRequest."""
    for ampersand in re.finditer("&", html):
        # html.parser lets a bare "&" through (and drops one at the very end); Telegram does not
        if not _ENTITY.match(html, ampersand.start()):
            raise BadRequest("Bad Request: can't parse entities: Unexpected '&' in text")
    parser = _TelegramHTML()
    parser.feed(html)
    parser.close()
    if parser.open_tags:
        raise BadRequest(
            f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag "
            f'"{parser.open_tags[-1]}"'
        )
    return "".join(parser.text)


def message_text(text: Any, parse_mode: Any) -> str:
    """Validate a message text as Telegram does and return what the user would see."""
    if not isinstance(text, str):
        raise BadRequest("Bad Request: message text is empty")
    if parse_mode not in (None, "HTML"):
        raise BadRequest(f"Bad Request: unsupported parse_mode {parse_mode!r} in this stand-in")
    visible = parse_telegram_html(text) if parse_mode == "HTML" else text
    if not visible.strip():
        raise BadRequest("Bad Request: message text is empty")
    if utf16_length(visible) > TEXT_LIMIT:
        raise BadRequest("Bad Request: message is too long")
    return visible


def check_inline_keyboard(markup: Any) -> None:
    if markup is None:
        return
    rows = markup.get("inline_keyboard") if isinstance(markup, dict) else None
    if not isinstance(rows, list):
        raise BadRequest("Bad Request: can't parse reply keyboard markup JSON object")
    for row in rows:
        for button in row:
            if not button.get("text"):
                raise BadRequest("Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")


@dataclass(frozen=True)
class Fault:
    """How one call of a method goes wrong. Build one with the class methods."""

    delay_s: float = 0.0  # wait this long before anything else
    status: int | None = None  # answer with this error instead of carrying the request out
    description: str = ""
    retry_after: int | None = None
    drop: bool = False  # close the connection without an answer...
    processed: bool = False  # ...after carrying the request out (the bot cannot know it did)

    @classmethod
    def error(cls, status: int, description: str, retry_after: int | None = None) -> Fault:
        return cls(status=status, description=description, retry_after=retry_after)

    @classmethod
    def too_many_requests(cls, retry_after: int) -> Fault:
        return cls.error(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    @classmethod
    def slow(cls, delay_s: float) -> Fault:
        """Carry the request out and answer, but only after `delay_s`."""
        return cls(delay_s=delay_s)

    @classmethod
    def dropped(cls, processed: bool, after_s: float = 0.0) -> Fault:
        """Close the connection without an answer, having carried the request out or not."""
        return cls(delay_s=after_s, drop=True, processed=processed)


@dataclass
class ApiCall:
    """One request the bot made, and what the stand-in answered."""

    method: str
    params: dict[str, Any]
    status: int
    response: dict[str, Any]
    injected: bool = False  # a fault was injected into this call
    answered: bool = True  # False when the connection was dropped instead
    at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass
class StoredMessage:
    """A message the bot sent, as the chat now shows it."""

    chat_id: int
    message_id: int
    html: str
    text: str  # what the user sees
    reply_markup: dict[str, Any] | None
    payload: dict[str, Any] = field(repr=False)

    def buttons(self) -> list[dict[str, Any]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button(self, text: str) -> dict[str, Any]:
        matches = [b for b in self.buttons() if b["text"] == text]
        assert matches, f"no button {text!r}; buttons are {[b['text'] for b in self.buttons()]}"
        return matches[0]


class BotApiStandIn:
    """Serve the Bot API for one bot on 127.0.0.1, on a free port."""

    def __init__(self, token: str, bot_user: dict[str, Any]) -> None:
        self.token = token
        self.bot_user = bot_user
        self.calls: list[ApiCall] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        self.user_messages: set[tuple[int, int]] = set()
        self.webhook: dict[str, Any] = {"url": ""}
        # The command menus set, by language_code ("" for the default menu), as Telegram keeps
        # them (for the default scope; the bot sets no other).
        self.my_commands: dict[str, list[dict[str, Any]]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 1
        self._next_message_id: dict[int, int] = {}
        self._open_queries: set[str] = set()
        self._faults: dict[str, deque[Fault]] = defaultdict(deque)
        self.delivered_at: dict[int, float] = {}  # update_id: when getUpdates first handed it out
        self.deliveries: Counter[int] = Counter()  # update_id: how often getUpdates handed it out
        # Every update below this offset was confirmed by a getUpdates call and is forgotten.
        self.confirmed_below = 0
        self._awaiting_confirmation: list[tuple[int, int, asyncio.Future[None]]] = []
        self._waiter_ids = itertools.count()
        self.listeners: list[Callable[[ApiCall], None]] = []  # told of every call as it ends
        self.unreachable = False
        self._changed = asyncio.Condition()
        self._app: tornado.web.Application | None = None
        self._server: HTTPServer | None = None
        self._closing = False
        self.port = 0

    # --- Lifecycle --------------------------------------------------------------------

    async def start(self) -> None:
        self._app = tornado.web.Application(
            [(r"/bot(?P<token>[^/]+)/(?P<method>\w+)", _ApiHandler, {"standin": self})],
            log_function=lambda handler: None,  # the bot's logs are under test, not ours
        )
        self._listen()

    def _listen(self) -> None:
        sockets = bind_sockets(self.port, "127.0.0.1") if self.port else _free_port_sockets()
        self.port = sockets[0].getsockname()[1]
        self._server = HTTPServer(self._app)
        self._server.add_sockets(sockets)
        self.unreachable = False

    async def _close(self) -> None:
        """Stop listening and cut every open connection, waking long polls first."""
        if self._server is not None:
            self._server.stop()
            async with self._changed:
                self._changed.notify_all()
            await self._server.close_all_connections()

    async def stop(self) -> None:
        self._closing = True
        await self._close()

    async def __aenter__(self) -> BotApiStandIn:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def go_unreachable(self) -> None:
        """An outage: nothing listens on the port (connections are refused) and open
        connections are cut, until `come_back`. Updates pushed meanwhile wait in the queue."""
        self.unreachable = True
        await self._close()

    def come_back(self) -> None:
        """End the outage: listen again on the same port, state intact."""
        self._listen()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    # --- What tests do ----------------------------------------------------------------

    def register_chat(self, chat: dict[str, Any]) -> None:
        self.chats[chat["id"]] = chat

    async def push_update(self, payload: dict[str, Any]) -> int:
        """Queue an update (without its update_id) for getUpdates; returns its update_id."""
        update_id = self._next_update_id
        self._next_update_id += 1
        message = payload.get("message")
        if message:
            self.user_messages.add((message["chat"]["id"], message["message_id"]))
        for kind in ("callback_query", "inline_query"):
            if kind in payload:
                self.open_query(payload[kind]["id"])
        async with self._changed:
            self._updates.append({"update_id": update_id, **payload})
            self._changed.notify_all()
        return update_id

    def open_query(self, query_id: str) -> None:
        """A callback or inline query id that may be answered (once)."""
        self._open_queries.add(query_id)

    def inject(self, method: str, *faults: Fault) -> None:
        """Let the next calls of `method` go wrong in these ways, one fault per call."""
        self._faults[method].extend(faults)

    def fail_next(self, method: str, status: int, description: str) -> None:
        """Answer the next call of `method` with this error instead."""
        self.inject(method, Fault.error(status, description))

    def confirmation(self, update_id: int) -> asyncio.Future[None]:
        """Done once a getUpdates call has confirmed the update (Telegram forgot it)."""
        future = asyncio.get_running_loop().create_future()
        if update_id < self.confirmed_below:
            future.set_result(None)
        else:
            entry = (update_id, next(self._waiter_ids), future)
            heapq.heappush(self._awaiting_confirmation, entry)
        return future

    def _confirm_below(self, offset: int) -> None:
        self.confirmed_below = max(self.confirmed_below, offset)
        waiting = self._awaiting_confirmation
        while waiting and waiting[0][0] < self.confirmed_below:
            _, _, future = heapq.heappop(waiting)
            if not future.done():
                future.set_result(None)

    def unconfirmed_deliveries(self) -> list[int]:
        """Updates handed out to the bot and not yet confirmed: those a crash of the bot now
        would have Telegram hand out again."""
        return sorted(i for i in self.deliveries if i >= self.confirmed_below)

    def next_message_id(self, chat_id: int) -> int:
        self._next_message_id[chat_id] = self._next_message_id.get(chat_id, 0) + 1
        return self._next_message_id[chat_id]

    async def wait_for(
        self, predicate: Callable[[ApiCall], bool], timeout: float = 10.0
    ) -> ApiCall:
        """The first recorded call that satisfies `predicate`, waiting for it if need be."""

        async def found() -> ApiCall:
            async with self._changed:
                while True:
                    match = next((c for c in self.calls if predicate(c)), None)
                    if match:
                        return match
                    await self._changed.wait()

        return await asyncio.wait_for(found(), timeout)

    # --- The API --------------------------------------------------------------------------

    async def handle(self, token: str, method: str, params: dict[str, Any]) -> ApiCall:
        """Carry out one request, or the fault injected into it; the call is recorded."""
        fault = self._faults[method].popleft() if self._faults.get(method) else None
        if fault and fault.delay_s:
            await asyncio.sleep(fault.delay_s)
        if token != self.token:
            status, response = 401, {"ok": False, "error_code": 401, "description": "Unauthorized"}
        elif fault and fault.status:
            status, response = fault.status, _error(fault.status, fault.description)
            if fault.retry_after is not None:
                response["parameters"] = {"retry_after": fault.retry_after}
        elif fault and fault.drop and not fault.processed:
            status, response = 0, {}
        else:
            status, response = await self._carry_out(method, params)
        call = ApiCall(
            method,
            params,
            status,
            response,
            injected=fault is not None,
            answered=not (fault and fault.drop),
        )
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        for listener in self.listeners:
            listener(call)
        return call

    async def _carry_out(self, method: str, params: dict[str, Any]) -> tuple[int, dict]:
        implementation = getattr(self, f"_api_{method}", None)
        try:
            if implementation is None:
                raise BadRequest("Not Found: method not found", status=404)
            return 200, {"ok": True, "result": await implementation(params)}
        except BadRequest as error:
            return error.status, _error(error.status, error.description)

    def _chat(self, chat_id: Any) -> dict[str, Any]:
        chat = self.chats.get(int(chat_id))
        if chat is None:
            raise BadRequest("Bad Request: chat not found")
        return chat

    def _store(self, chat: dict[str, Any], message_id: int, params: dict[str, Any]) -> dict:
        visible = message_text(params.get("text"), params.get("parse_mode"))
        markup = params.get("reply_markup")
        check_inline_keyboard(markup)
        payload = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": self.bot_user,
            "text": visible,
        }
        if markup:
            payload["reply_markup"] = markup
        self.messages[(chat["id"], message_id)] = StoredMessage(
            chat["id"], message_id, params["text"], visible, markup, payload
        )
        return payload

    async def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def _api_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        timeout = float(params.get("timeout", 0))
        limit = int(params.get("limit", 100))
        allowed = params.get("allowed_updates") or None
        deadline = asyncio.get_running_loop().time() + timeout
        self._confirm_below(offset)
        async with self._changed:
            while True:
                self._updates = [u for u in self._updates if u["update_id"] >= offset]
                ready = [u for u in self._updates if allowed is None or _kind(u) in allowed]
                remaining = deadline - asyncio.get_running_loop().time()
                if self.unreachable:
                    return []
                if ready or remaining <= 0 or self._closing:
                    now = time.monotonic()
                    for update in ready[:limit]:
                        self.delivered_at.setdefault(update["update_id"], now)
                        self.deliveries[update["update_id"]] += 1
                    return ready[:limit]
                try:
                    await asyncio.wait_for(self._changed.wait(), remaining)
                except TimeoutError:
                    return []

    async def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": ""}
        return True

    async def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        self.webhook = {"url": params["url"], "secret_token": params.get("secret_token")}
        return True

    async def _api_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": 0,
        }

    async def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise BadRequest("Bad Request: commands must be a list of at most 100")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise BadRequest("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise BadRequest("Bad Request: command description is invalid")
        language_code = params.get("language_code", "")
        if not re.fullmatch(r"(?:[a-z]{2})?", language_code):  # a two-letter ISO 639-1 code
            raise BadRequest("Bad Request: LANGUAGE_CODE_INVALID")
        self.my_commands[language_code] = commands
        return True

    async def _api_setMyDescription(self, params: dict[str, Any]) -> bool:
        if len(params.get("description", "")) > DESCRIPTION_LIMIT:
            raise BadRequest("Bad Request: description is too long")
        return True

    async def _api_setMyShortDescription(self, params: dict[str, Any]) -> bool:
        if len(params.get("short_description", "")) > SHORT_DESCRIPTION_LIMIT:
            raise BadRequest("Bad Request: short description is too long")
        return True

    async def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        self._chat(params.get("chat_id"))
        if params.get("action") not in CHAT_ACTIONS:
            raise BadRequest("Bad Request: wrong parameter action in request")
        return True

    async def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        reply = params.get("reply_parameters")
        replied = (chat["id"], reply["message_id"]) if reply else None
        if replied and replied not in self.messages and replied not in self.user_messages:
            raise BadRequest("Bad Request: message to be replied not found")
        return self._store(chat, self.next_message_id(chat["id"]), params)

    async def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params.get("chat_id"))
        key = (chat["id"], int(params.get("message_id", 0)))
        current = self.messages.get(key)
        if current is None:
            raise BadRequest("Bad Request: message to edit not found")
        if current.html == params.get("text") and current.reply_markup == params.get(
            "reply_markup"
        ):
            raise BadRequest(
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message"
            )
        return self._store(chat, key[1], params)

    async def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        self._close_query(params.get("callback_query_id"))
        if len(params.get("text", "")) > CALLBACK_ANSWER_LIMIT:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        return True

    async def _api_answerInlineQuery(self, params: dict[str, Any]) -> bool:
        self._close_query(params.get("inline_query_id"))
        results = params.get("results")
        if not isinstance(results, list) or len(results) > INLINE_RESULTS_LIMIT:
            raise BadRequest("Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or not all(1 <= len(i.encode()) <= 64 for i in ids):
            raise BadRequest("Bad Request: RESULT_ID_INVALID")
        for result in results:
            if result.get("type") != "article" or not result.get("title"):
                raise BadRequest("Bad Request: RESULT_TYPE_INVALID")
            content = result.get("input_message_content") or {}
            message_text(content.get("message_text"), content.get("parse_mode"))
            check_inline_keyboard(result.get("reply_markup"))
        return True

    def _close_query(self, query_id: Any) -> None:
        if query_id not in self._open_queries:
            raise BadRequest(
                "Bad Request: query is too old and response timeout expired or query ID is invalid"
            )
        self._open_queries.discard(query_id)


def _free_port_sockets() -> list[socket.socket]:
    """Listening sockets on a free port below Linux's ephemeral range (32768 and up), so that
    while an outage has the port closed no outgoing connection can take it as its own."""
    for port in random.sample(range(20_000, 32_000), 200):
        with contextlib.suppress(OSError):
            return bind_sockets(port, "127.0.0.1")
    raise OSError("no free port for the stand-in")


def _error(status: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": status, "description": description}


def _kind(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _decode(name: str, value: str) -> Any:
    """A form field as the Bot API reads it: strings stay strings, the rest is JSON."""
    if name in STRING_PARAMETERS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


class _ApiHandler(tornado.web.RequestHandler):
    def initialize(self, standin: BotApiStandIn) -> None:
        self.standin = standin

    async def post(self, token: str, method: str) -> None:
        if self.standin.unreachable:  # a request on a connection opened before the outage
            self._hang_up()
            return
        content_type = self.request.headers.get("Content-Type", "")
        if content_type.startswith("application/json"):
            params = json.loads(self.request.body or b"{}")
        else:
            body = self.request.body.decode()
            params = {name: _decode(name, value) for name, value in parse_qsl(body, True)}
        call = await self.standin.handle(token, method, params)
        if not call.answered or self.standin.unreachable:
            self._hang_up()
            return
        self.set_status(call.status)
        self.set_header("Content-Type", "application/json")
        # A long poll that the bot cancelled at shutdown finds the connection closed.
        with contextlib.suppress(StreamClosedError):
            await self.finish(json.dumps(call.response))

    def _hang_up(self) -> None:
        """Close the connection without an answer, as a crashed or unreachable server would."""
        self.request.connection.close()
        self._finished = True  # nothing more to send: tornado must not try

    get = post
