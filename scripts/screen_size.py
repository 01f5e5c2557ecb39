"""How much of a phone screen the bot's first answer takes: visible characters per answer.

    python scripts/screen_size.py                 the everyday questions below, a table
    python scripts/screen_size.py --json          also one JSON object at the end
    python scripts/screen_size.py --lang fr       the answers as a French-speaking user sees them
    python scripts/screen_size.py --questions F   one question per line of F instead

Each question is asked as the bot asks it (`Retriever.ask(q, PAGE_SIZE + 1)`, the index in
INDEX_DIR) and its first message rendered by the bot's own formatting code
(`TreatyBot.first_answer_message`'s formatter). Counted are the characters Telegram shows
(UTF-16 code units of the text without markup) outside `<blockquote expandable>` blocks, which
a reader opens only if they want to, and, for reference, all visible characters. The target
(issue 15) is a median of at most 900 outside expandable blocks.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from html import unescape
from pathlib import Path

# Everyday questions in our own words (a journalist's, a diplomat's, a student's), not taken
# from any evaluation file.
EVERYDAY_QUESTIONS = (
    "Is hacking into someone's computer a crime under the convention?",
    "Can a country refuse to extradite someone?",
    "What must states do to protect children from online sexual abuse?",
    "How long can the police make a provider keep traffic data?",
    "What human rights safeguards does the convention have?",
    "Can states share evidence with each other quickly in urgent cases?",
    "Are companies liable for these offences?",
    "What does the convention say about confiscating the proceeds of crime?",
    "Is personal data protected when one state sends it to another?",
    "What is the 24/7 network for?",
    "When does the convention enter into force?",
    "Can traffic data be collected in real time?",
    "How are disputes between states about the convention settled?",
    "Is it a crime to intercept data without right?",
)
TARGET = 900
_EXPANDABLE = re.compile(r"<blockquote expandable>.*?</blockquote>", re.S)
_TAG = re.compile(r"<[^>]+>")


def visible(html: str) -> int:
    """What Telegram shows of `html`, in UTF-16 code units (as it counts message length)."""
    return len(unescape(_TAG.sub("", html)).encode("utf-16-le")) // 2


def outside_expandable(html: str) -> int:
    return visible(_EXPANDABLE.sub("", html))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, help="a file with one question per line")
    parser.add_argument("--lang", default="en", help="the reader's Telegram language")
    parser.add_argument("--json", action="store_true", help="also print a JSON summary")
    args = parser.parse_args(argv)

    from bot import load_retriever
    from bot.telegram.replies import PAGE_SIZE, render_first_answer

    questions = (
        [line.strip() for line in args.questions.read_text().splitlines() if line.strip()]
        if args.questions
        else list(EVERYDAY_QUESTIONS)
    )
    retriever = load_retriever()
    rows = []
    for question in questions:
        answer = retriever.ask(question, PAGE_SIZE + 1)
        html = render_first_answer(answer, retriever.treaty, args.lang)
        rows.append(
            {"question": question, "outside": outside_expandable(html), "all": visible(html)}
        )
        print(f"{rows[-1]['outside']:5d} {rows[-1]['all']:5d}  {question}")
    median_outside = statistics.median(r["outside"] for r in rows)
    median_all = statistics.median(r["all"] for r in rows)
    print(
        f"median over {len(rows)} questions: {median_outside:.0f} visible characters outside "
        f"expandable blocks (target ≤ {TARGET}), {median_all:.0f} in all"
    )
    if args.json:
        print(json.dumps({"median_outside": median_outside, "median_all": median_all,
                          "lang": args.lang, "questions": rows}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
