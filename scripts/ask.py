"""Ask the treaty from a terminal: `python scripts/ask.py "question"` (= `treaty-ask`)."""

from bot.cli.ask import main

if __name__ == "__main__":
    raise SystemExit(main())
