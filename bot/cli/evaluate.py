"""`treaty-eval`: retrieval quality and latency on a question file."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.cli import fail


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="treaty-eval",
        description="Evaluate retrieval on a JSONL question file (format: shared/eval/README.md).",
    )
    parser.add_argument("--questions", type=Path, required=True, help="JSONL question file")
    parser.add_argument("--json", action="store_true", help="one JSON object on the last line")
    parser.add_argument("--k", type=int, default=10, help="results retrieved per question")
    parser.add_argument("--show-misses", action="store_true", help="list what missed, and why")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from bot import load_retriever
    from bot.errors import TreatyBotError
    from bot.search import evaluation

    try:
        questions = evaluation.load_questions(args.questions)
    except (OSError, ValueError) as error:
        return fail(f"cannot read the questions: {error}")
    try:
        retriever = load_retriever()
    except TreatyBotError as error:
        return fail(str(error))
    retriever.ask("warm-up question about electronic evidence", args.k)
    outcomes = evaluation.run(lambda q, _k: retriever.ask(q, args.k), questions)
    figures = evaluation.metrics(outcomes)
    by_language = evaluation.metrics_by_language(outcomes)
    if args.show_misses:
        for outcome in outcomes:
            rank = outcome.first_gold_rank()
            if (outcome.question.in_scope and (rank is None or rank > 1 or not outcome.hit())) or (
                not outcome.question.in_scope and not outcome.answer.abstained
            ):
                print(f"{outcome.question.id} gold={list(outcome.question.gold)} "
                      f"got={outcome.ranked_refs[:5]} rank={rank} "
                      f"{outcome.question.question!r} {outcome.answer.evidence}")
    if args.json:
        if len(by_language) > 1:  # per-language lines first: the last line stays the overall
            for lang, lang_figures in by_language.items():
                print(json.dumps({"lang": lang, **lang_figures}))
        print(json.dumps(figures))
    else:
        _print_table(figures, by_language if len(by_language) > 1 else {})
    return 0


def _print_table(figures: dict, by_language: dict[str, dict]) -> None:
    """Metrics as rows; one column overall and, for mixed files, one per language."""
    columns = {"all": figures, **by_language}
    width = max(len(key) for key in figures)
    print(f"{'':<{width}}  " + "  ".join(f"{name:>8}" for name in columns))
    for key in figures:
        if key == "misses":
            continue
        print(f"{key:<{width}}  " + "  ".join(f"{c[key]:>8}" for c in columns.values()))
    print(f"{'misses':<{width}}  {', '.join(figures['misses']) or 'none'}")


if __name__ == "__main__":
    raise SystemExit(main())
