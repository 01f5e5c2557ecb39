"""Build the index: `python scripts/build_index.py [--force]` (same as `treaty-build-index`)."""

from bot.cli.build_index import main

if __name__ == "__main__":
    raise SystemExit(main())
