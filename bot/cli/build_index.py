"""`treaty-build-index`: build or refresh the index from TREATY_SOURCE (or the official PDF)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from bot.cli import EXIT_INTERRUPTED, fail


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="treaty-build-index",
        description="Build the search index of the UN Convention against Cybercrime. "
        "Reads TREATY_SOURCE (a PDF, a text file or a URL; unset: the official UN PDF) and "
        "writes to INDEX_DIR. Does nothing when the index is already up to date.",
    )
    parser.add_argument("--force", action="store_true", help="rebuild even if up to date")
    parser.add_argument(
        "--allow-unverified",
        action="store_true",
        help="build from a source whose sha256 is not known (not in treaty_text/sources.json, "
        "not TREATY_SOURCE_SHA256); the index is marked unverified",
    )
    parser.add_argument(
        "--source-sha256",
        metavar="SHA256",
        help="the sha256 TREATY_SOURCE must have (same as TREATY_SOURCE_SHA256)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    from bot.errors import TreatyBotError

    try:
        return build(argv)
    except TreatyBotError as error:
        return fail(str(error))


def build(argv: list[str] | None = None) -> int:
    """Build as `main` does, but let a `TreatyBotError` through to a caller that can recover
    from some of them (`make run` serves the last index when the source cannot be reached)."""
    args = parse_args(argv)
    from bot.index.build import build_index
    from bot.settings import Settings

    overrides: dict[str, object] = {}
    if args.allow_unverified:
        overrides["treaty_allow_unverified"] = True
    if args.source_sha256:
        overrides["treaty_source_sha256"] = args.source_sha256
    settings = Settings(**overrides)
    interrupted = threading.Event()

    def interrupt(signum: int, frame: object) -> None:
        """SIGINT interrupts the build even where it was started ignoring it (a background
        job of a script), so that `kill -INT` always leaves the previous index live."""
        interrupted.set()
        raise KeyboardInterrupt

    in_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, interrupt) if in_main_thread else None
    try:
        outcome = build_index(
            settings,
            force=args.force,
            show_progress=not args.quiet and sys.stderr.isatty(),
            report=lambda line: print(line, file=sys.stderr),
            interrupted=interrupted.is_set,
        )
    except KeyboardInterrupt:
        return fail("build interrupted; the previous index is untouched.", EXIT_INTERRUPTED)
    finally:
        if in_main_thread:
            signal.signal(signal.SIGINT, previous)
    print(outcome.message)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
