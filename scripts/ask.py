"""Ask the treaty from a terminal: `python scripts/ask.py "question"` (= `treaty-ask`)."""

from bot.cli.ask import run

if __name__ == "__main__":
    run()
