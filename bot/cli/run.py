"""`make run`: refresh the index if needed, then the Telegram bot when a token is set, or a
chat in this terminal when it is not."""

from __future__ import annotations

import sys

from bot.cli import ask, build_index


def main() -> int:
    code = build_index.main([])
    if code:
        return code
    from bot.settings import Settings

    if Settings().telegram_bot_token is not None:
        from bot.telegram.app import main as run_bot

        return run_bot()
    print("No TELEGRAM_BOT_TOKEN set: chatting in this terminal instead.", file=sys.stderr)
    return ask.main([])


if __name__ == "__main__":
    raise SystemExit(main())
