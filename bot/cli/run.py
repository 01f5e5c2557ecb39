"""`make run`: refresh the index if needed, then the Telegram bot when a token is set, or a
chat in this terminal when it is not."""

from __future__ import annotations

import sys

from bot.cli import ask, build_index, fail


def main() -> int:
    code = _refresh_index()
    if code:
        return code
    from bot.settings import Settings

    if Settings().telegram_bot_token is not None:
        from bot.telegram.app import main as run_bot

        return run_bot()
    print("No TELEGRAM_BOT_TOKEN set: chatting in this terminal instead.", file=sys.stderr)
    return ask.main([])


def _refresh_index() -> int:
    """Build the index when it is missing or stale. When the source cannot be reached (offline,
    no TREATY_SOURCE) but a sound index is already built, serve that one rather than refuse."""
    from bot.errors import TreatyBotError
    from bot.index.store import IndexNotReady, checked_build
    from bot.settings import Settings
    from bot.source.obtain import SourceUnreachable

    try:
        return build_index.build([])
    except SourceUnreachable as error:
        index_dir = Settings().index_dir
        try:
            _, manifest = checked_build(index_dir)
        except IndexNotReady:
            return fail(str(error))
    except TreatyBotError as error:
        return fail(str(error))
    print(
        f"The treaty source cannot be reached, so the index was not checked for changes: "
        f"serving the one built {manifest.get('built_at', '')} in {index_dir}.",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
