"""The webhook server: Telegram's updates in over HTTP, each answered 200 once it is handled.

python-telegram-bot's own server runs tornado with its defaults: it reads a whole request body,
up to 100 MB, into memory before it looks at the secret header, waits for a slow body for ever,
compares the secret with `!=`, and logs the text of an update it cannot parse. This one:

- checks the secret header in constant time as soon as the headers are in, before any of the
  body is read; a request without it gets 403 and its connection is closed unread;
- reads at most MAX_BODY_BYTES (Telegram's updates are a few kilobytes) within BODY_TIMEOUT_S,
  and closes a connection that sends no request for IDLE_TIMEOUT_S;
- hands the update to the application and answers 200 only once its handling has finished, so
  Telegram sends again an update whose handling never finished (the bot stopped or died, the
  connection dropped): delivery is at least once, as in polling;
- logs no body, no header and no secret.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import signal
import time
from collections.abc import Sequence
from http import HTTPStatus

import tornado.iostream
import tornado.web
from telegram import Update
from telegram.ext import Application, ExtBot
from tornado.httpserver import HTTPServer

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1024 * 1024
MAX_HEADER_BYTES = 16 * 1024
BODY_TIMEOUT_S = 10.0
IDLE_TIMEOUT_S = 20.0  # also how long the headers of a request may take
STOP_WAIT_S = 30.0  # how long stopping waits for updates being handled
MAX_CONNECTIONS = 100  # Telegram's upper limit for simultaneous webhook requests


class WebhookServer:
    """Serves `url_path` on `listen:port` for `application` and registers `webhook_url` with
    Telegram; `start` and `stop` bracket the application's own start and stop."""

    def __init__(
        self,
        application: Application,
        *,
        listen: str,
        port: int,
        url_path: str,
        webhook_url: str,
        secret_token: str,
        allowed_updates: Sequence[str],
        body_timeout_s: float = BODY_TIMEOUT_S,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
    ) -> None:
        self.application = application
        self.listen = listen
        self.port = port
        self.webhook_url = webhook_url
        self.allowed_updates = allowed_updates
        self.secret = secret_token.encode()
        self.accepting = False
        self.in_flight: set[asyncio.Task[None]] = set()
        path = "/" + url_path.strip("/")
        # No access log: the debug line below has the update's id and time, nothing else.
        app = tornado.web.Application(
            [(path, UpdateHandler, {"webhook": self})], log_function=lambda handler: None
        )
        self._http = HTTPServer(
            app,
            max_body_size=MAX_BODY_BYTES,
            max_header_size=MAX_HEADER_BYTES,
            body_timeout=body_timeout_s,
            idle_connection_timeout=idle_timeout_s,
            decompress_request=False,
        )

    async def start(self) -> None:
        """Listen, then tell Telegram where to send updates."""
        self._http.listen(self.port, address=self.listen)
        self.accepting = True
        await self.application.bot.set_webhook(
            url=self.webhook_url,
            allowed_updates=list(self.allowed_updates),
            secret_token=self.secret.decode(),
            max_connections=MAX_CONNECTIONS,
        )

    async def stop(self) -> None:
        """Take no new update (Telegram keeps them, and sends them after a restart), let the
        ones being handled finish, then close every connection."""
        self.accepting = False
        self._http.stop()
        if self.in_flight:
            await asyncio.wait(set(self.in_flight), timeout=STOP_WAIT_S)
        await self._http.close_all_connections()

    async def handle(self, update: Update) -> None:
        """Process the update as polling does, and return once that is finished."""
        bot = self.application.bot
        if isinstance(bot, ExtBot):
            bot.insert_callback_data(update)
        application = self.application
        task = asyncio.current_task()
        assert task is not None
        self.in_flight.add(task)
        try:
            await application.update_processor.process_update(
                update, application.process_update(update)
            )
        finally:
            self.in_flight.discard(task)


@tornado.web.stream_request_body
class UpdateHandler(tornado.web.RequestHandler):
    """One webhook request: refused before its body is read unless it carries the secret."""

    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, webhook: WebhookServer) -> None:
        self.webhook = webhook
        self.body = bytearray()

    def set_default_headers(self) -> None:
        self.set_header("Content-Type", "text/plain; charset=utf-8")

    async def prepare(self) -> None:
        headers = self.request.headers
        given = headers.get(SECRET_HEADER, "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, self.webhook.secret):
            await self._refuse(HTTPStatus.FORBIDDEN)
            return
        length = headers.get("Content-Length", "0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            await self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        media_type = headers.get("Content-Type", "").split(";")[0].strip().lower()
        if media_type != "application/json":
            await self._refuse(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
            return
        if not self.webhook.accepting:
            await self._refuse(HTTPStatus.SERVICE_UNAVAILABLE)  # Telegram tries again later

    def data_received(self, chunk: bytes) -> None:
        self.body += chunk  # at most MAX_BODY_BYTES: the server refuses more

    async def post(self) -> None:
        started = time.perf_counter()
        try:
            update = Update.de_json(json.loads(self.body), self.webhook.application.bot)
            if not isinstance(update, Update):
                raise TypeError("not an object")
        except Exception as error:  # anything the body holds, it is not an update
            logger.warning(
                "A webhook request with the secret could not be read as an update (%d bytes, "
                "%s); answered 400.",
                len(self.body),
                type(error).__name__,
            )
            self._answer(HTTPStatus.BAD_REQUEST)
            return
        try:
            await self.webhook.handle(update)
        except Exception as error:
            logger.error(
                "Handling update %s failed (%s); answered 500, so Telegram will send it again.",
                update.update_id,
                type(error).__name__,
            )
            self._answer(HTTPStatus.INTERNAL_SERVER_ERROR)
            return
        logger.debug(
            "update %s handled in %.0f ms", update.update_id, (time.perf_counter() - started) * 1e3
        )
        self._answer(HTTPStatus.OK)

    def _answer(self, status: HTTPStatus) -> None:
        self.set_status(status)
        with contextlib.suppress(tornado.iostream.StreamClosedError):
            self.finish()

    async def _refuse(self, status: HTTPStatus) -> None:
        """Answer at once and close the connection: the body, however long, is never read."""
        self.set_status(status)
        self.set_header("Connection", "close")
        with contextlib.suppress(tornado.iostream.StreamClosedError):
            await self.finish()
        self.request.connection.close()

    def log_exception(self, typ, value, tb) -> None:  # type: ignore[no-untyped-def]
        """Tornado would log the request (headers included); say only what failed."""
        logger.warning("Webhook request failed: %s", typ.__name__ if typ else "unknown error")


async def serve(application: Application, server: WebhookServer) -> None:
    """Run the application on the webhook until SIGINT or SIGTERM, as `run_polling` runs it on
    long polling: the start-up and stop hooks, then a clean stop."""
    stopped = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopped.set)
    await application.initialize()
    try:
        if application.post_init:
            await application.post_init(application)
        await application.start()
        await server.start()
        await stopped.wait()
    finally:
        await server.stop()
        if application.running:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
