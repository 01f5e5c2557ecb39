"""Evaluate retrieval: `python scripts/evaluate.py --questions FILE [--json]` (= `treaty-eval`)."""

from bot.cli.evaluate import main

if __name__ == "__main__":
    raise SystemExit(main())
