"""Hostile webhook requests against the real bot: `python -m bot.telegram.app` in webhook mode
as a subprocess (its Bot API the local stand-in, tests/telegram/botapi_standin.py), then
`--requests` parallel requests without the secret, each announcing and sending a body of
`--megabytes` MB as fast as the connection takes it.

    INDEX_DIR=index python scripts/webhook_flood.py               # 6 × 95 MB, issue 16's case
    INDEX_DIR=index python scripts/webhook_flood.py --json

Reported: the bot's resident memory before the flood and its peak during it (sampled from
/proc every 5 ms), and per request how long until it was refused (the 403 read, or the
connection closed on the sender) and how much of its body it got to send. The targets: peak
growth at most 50 MB, each request refused within 1 s; exit status 0 when both are met and a
real update with the secret is still answered afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import secrets
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "telegram"))

from botapi_standin import BotApiStandIn  # noqa: E402
from loadtest import shut_down  # noqa: E402  (beside this script)
from telegram_harness import BOT_USER  # noqa: E402

TOKEN = "123456789:WEBHOOK-FLOOD-dummy-token"
PATH = "/treaty/hook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
START_TIMEOUT_S = 180.0
REFUSAL_TIMEOUT_S = 60.0
MAX_GROWTH_MB = 50
MAX_REFUSAL_S = 1.0
CHUNK = b"x" * (1024 * 1024)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for process {pid}")


async def sample_peak(pid: int, stop: asyncio.Event) -> float:
    peak = 0.0
    while not stop.is_set():
        peak = max(peak, rss_mb(pid))
        await asyncio.sleep(0.005)
    return max(peak, rss_mb(pid))


def update(update_id: int, text: str = "/help") -> bytes:
    chat = {"id": 777, "type": "private", "first_name": "Ada"}
    message = {
        "message_id": update_id, "date": int(time.time()), "chat": chat,
        "from": {"id": 777, "is_bot": False, "first_name": "Ada"}, "text": text,
        "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


async def post(port: int, body: bytes, secret: str | None) -> int:
    """A well-formed request; its status."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    lines = [f"POST {PATH} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {len(body)}", "Connection: close"]
    if secret:
        lines.append(f"{SECRET_HEADER}: {secret}")
    writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    await writer.drain()
    status = await reader.readline()
    writer.close()
    return int(status.split()[1]) if status else 0


async def hostile_request(port: int, megabytes: int) -> dict[str, Any]:
    """Announce and send a huge body without the secret, reading the answer meanwhile."""
    started = time.monotonic()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    head = (f"POST {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"Content-Length: {megabytes * len(CHUNK)}\r\n\r\n").encode()
    sent = 0

    async def send() -> None:
        nonlocal sent
        writer.write(head)
        for _ in range(megabytes):
            writer.write(CHUNK)
            await writer.drain()
            sent += len(CHUNK)

    sender = asyncio.create_task(send())
    try:
        status_line = await asyncio.wait_for(reader.readline(), REFUSAL_TIMEOUT_S)
    except (ConnectionError, TimeoutError):
        status_line = b""
    refused_after = time.monotonic() - started
    sender.cancel()
    with contextlib.suppress(asyncio.CancelledError, ConnectionError):
        await sender
    writer.close()
    status = status_line.split()[1].decode() if len(status_line.split()) > 1 else "closed"
    return {"status": status, "refused_after_s": round(refused_after, 3),
            "body_sent_mb": round(sent / len(CHUNK), 1)}


async def start_bot(standin: BotApiStandIn, port: int, secret: str, log: Path):
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_BASE_URL": standin.base_url,
        "TELEGRAM_WEBHOOK_URL": f"https://bot.example.org{PATH}",
        "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "TELEGRAM_WEBHOOK_PORT": str(port),
        "TELEGRAM_WEBHOOK_SECRET": secret,
        "INDEX_DIR": str(Path(os.environ.get("INDEX_DIR", "index")).resolve()),
        "HF_HUB_OFFLINE": "1",
    }
    with log.open("wb") as stderr:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.telegram.app", env=env, cwd=log.parent,
            stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=stderr,
        )


async def flood(requests: int, megabytes: int) -> dict[str, Any]:
    standin = BotApiStandIn(TOKEN, BOT_USER)
    await standin.start()
    standin.register_chat({"id": 777, "type": "private", "first_name": "Ada"})
    port, secret = free_port(), secrets.token_urlsafe(24)
    log = Path(tempfile.mkdtemp(prefix="treaty-webhook-flood-")) / "bot.log"
    bot = await start_bot(standin, port, secret, log)
    try:
        await standin.wait_for(lambda c: c.method == "setWebhook", START_TIMEOUT_S)
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:  # the server listens once setWebhook is answered
            try:
                warm_up = await post(port, update(1), secret)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)  # let start-up allocations settle
        before = rss_mb(bot.pid)
        stop = asyncio.Event()
        sampler = asyncio.create_task(sample_peak(bot.pid, stop))
        outcomes = await asyncio.gather(
            *(hostile_request(port, megabytes) for _ in range(requests))
        )
        await asyncio.sleep(0.5)  # memory that is freed late still counts
        stop.set()
        peak = await sampler
        after = await post(port, update(2), secret)
        bot.send_signal(signal.SIGTERM)
        exit_code = await asyncio.wait_for(bot.wait(), 60)
    finally:
        await shut_down(standin, bot)
    logged = log.read_text(errors="replace")
    return {
        "requests": requests,
        "megabytes_each": megabytes,
        "rss_before_mb": round(before),
        "rss_peak_mb": round(peak),
        "rss_growth_mb": round(peak - before, 1),
        "slowest_refusal_s": max(o["refused_after_s"] for o in outcomes),
        "outcomes": outcomes,
        "status_with_secret": [warm_up, after],
        "secret_in_log": secret in logged,
        "bot_exit_code": exit_code,
        "bot_log": str(log),
    }


def passed(report: dict[str, Any]) -> bool:
    return (
        report["rss_growth_mb"] <= MAX_GROWTH_MB
        and report["slowest_refusal_s"] <= MAX_REFUSAL_S
        and all(o["status"] in ("403", "closed") for o in report["outcomes"])
        and report["status_with_secret"] == [200, 200]
        and not report["secret_in_log"]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=6)
    parser.add_argument("--megabytes", type=int, default=95)
    parser.add_argument("--json", action="store_true", help="print the report as one JSON line")
    args = parser.parse_args(argv)
    report = asyncio.run(flood(args.requests, args.megabytes))
    if args.json:
        print(json.dumps(report))
    else:
        print(
            f"{args.requests} × {args.megabytes} MB without the secret: RSS "
            f"{report['rss_before_mb']} → peak {report['rss_peak_mb']} MB "
            f"(+{report['rss_growth_mb']} MB); slowest refusal {report['slowest_refusal_s']} s; "
            f"statuses {[o['status'] for o in report['outcomes']]}; body sent (MB) "
            f"{[o['body_sent_mb'] for o in report['outcomes']]}; with the secret "
            f"{report['status_with_secret']}"
        )
    return 0 if passed(report) else 1


if __name__ == "__main__":
    raise SystemExit(main())
