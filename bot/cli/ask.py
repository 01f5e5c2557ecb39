"""`treaty-ask`: ask the treaty from a terminal; the maintainers' tool and `make run`'s chat.

    treaty-ask "is revenge porn a crime?"         readable answer
    treaty-ask                                    interactive prompt
    treaty-ask --json "question"                  one JSON object
    treaty-ask --batch FILE --json                one JSON line per question ("-": stdin)
    treaty-ask --article 40 --paragraph 21        verbatim text
    treaty-ask --compare 7                        Article 7 beside its Budapest counterpart
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import re
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, NoReturn, TextIO

from bot.cli import fail

if TYPE_CHECKING:
    from rich.console import Console

    from bot.search.results import Answer, ArticleResult
    from bot.search.retriever import Retriever
    from bot.treaty.model import Treaty

SOURCE_FOOTER = "Source: United Nations Convention against Cybercrime, A/RES/79/243 (English)."
BUDAPEST_FOOTER = (
    "Budapest: Council of Europe Convention on Cybercrime, ETS No. 185 (English), from a checked "
    "rendering; official text: https://rm.coe.int/1680081561"
)
OURS_LABEL = "Note (ours, not treaty text):"
REFERS_TO_LABEL = "Refers to:"
REFERRED_BY_LABEL = "Referred to by:"
COUNTERPART_LABEL = "Budapest counterpart:"
NO_MATCH = (
    "No provision of the Convention matches this question. Try other words, or name an "
    "article (\"article 7\")."
)
RELATED_HEADING = "Related provisions (they do not answer the question):"
BROAD_CHAPTER = (
    "Your question is about a whole chapter: Chapter {number} ({title}), articles {articles}. "
    "treaty-ask --article N quotes one of them in full."
)
LEAD_IN_LABEL = "Lead-in of the paragraph:"
UNVERIFIED = (
    "Warning: this index was built from an unverified source (--allow-unverified): its text "
    "may not be the official one."
)
# Control characters a terminal would act on (escape sequences, C1 controls such as CSI):
# shown as \xNN instead, so that a source's text cannot drive the terminal.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_JSON_UNESCAPED_CONTROL = re.compile(r"[\x7f-\x9f]")  # json.dumps escapes only U+0000–U+001F


def terminal_safe(text: str) -> str:
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def json_line(data: object) -> str:
    """One line of JSON (UTF-8, not ASCII-escaped) without a raw control character in it."""
    line = json.dumps(data, ensure_ascii=False)
    return _JSON_UNESCAPED_CONTROL.sub(lambda m: f"\\u{ord(m[0]):04x}", line)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="treaty-ask",
        description="Find the provisions of the UN Convention against Cybercrime that answer a "
        "question, quoted verbatim with citations. Without a question: an interactive prompt.",
    )
    parser.add_argument("question", nargs="*", help="the question (quote it or not)")
    parser.add_argument("--k", type=int, default=3, help="number of articles (default 3)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--batch", metavar="FILE", help="one question per line; '-' for stdin")
    parser.add_argument("--article", type=int, help="print the verbatim text of an article")
    parser.add_argument("--paragraph", help="with --article: only this paragraph")
    parser.add_argument(
        "--compare", type=int, metavar="ARTICLE",
        help="the article beside its Budapest Convention counterpart(s), with our note on the "
        "main difference (treaty_text/concordance.toml)",
    )
    args = parser.parse_args(argv)
    if args.k < 1:
        parser.error("--k must be at least 1")
    if args.paragraph and args.article is None:
        parser.error("--paragraph needs --article")
    if args.batch and args.question:
        parser.error("give either a question or --batch FILE, not both")
    if args.compare is not None and (args.question or args.batch or args.article is not None):
        parser.error("--compare takes an article number alone")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    from rich.console import Console

    from bot import load_retriever
    from bot.errors import TreatyBotError

    console = Console(highlight=False, soft_wrap=False)
    # What loading makes lives as long as the process: the collector would only scan it, over
    # and over while it is being made and once more at exit (~0.2 s of a one-question run).
    gc.disable()
    try:
        if args.article is not None:  # verbatim text: the index alone, no model
            from bot.index.store import load_index
            from bot.settings import Settings

            index = load_index(Settings().index_dir)
            verified = index.manifest.get("verified") is not False
            return _print_article(
                index.treaty, verified, args.article, args.paragraph, args.json, console
            )
        retriever = load_retriever()
    except TreatyBotError as error:
        return fail(str(error))
    finally:
        gc.freeze()
        gc.enable()

    instruments = retriever.instruments
    if args.compare is not None:
        _show(retriever.comparison(args.compare), args.json, console, instruments=instruments)
        return 0
    if args.batch:
        try:
            handle = sys.stdin if args.batch == "-" else open(args.batch, encoding="utf-8")  # noqa: SIM115
        except OSError as error:
            return fail(f"cannot read {args.batch}: {error.strerror}")
        with handle:
            _answer_lines(retriever, handle, args.k, args.json, console)
        return 0
    if args.question:
        _show(retriever.ask(" ".join(args.question), args.k), args.json, console,
              instruments=instruments, treaty=retriever.treaty)
        return 0
    return _interactive(retriever, args.k, args.json, console)


def _answer_lines(
    retriever: Retriever, lines: Iterable[str], k: int, as_json: bool, console: Console
) -> None:
    for line in lines:
        if line.strip():
            _show(retriever.ask(line.strip(), k), as_json, console,
                  instruments=retriever.instruments, treaty=retriever.treaty)


def _interactive(retriever: Retriever, k: int, as_json: bool, console: Console) -> int:
    console.print(
        "Ask the UN Convention against Cybercrime (A/RES/79/243). "
        "Answers quote the treaty verbatim. Empty line or Ctrl-D to quit.",
        style="bold",
    )
    while True:
        try:
            question = input("\n? ").strip()
        except (EOFError, KeyboardInterrupt):
            console.print()
            return 0
        if not question:
            return 0
        _show(retriever.ask(question, k), as_json, console, instruments=retriever.instruments,
              treaty=retriever.treaty)


def _show(
    answer: Answer, as_json: bool, console: Console, out: TextIO = sys.stdout,
    instruments: list[dict] | None = None, treaty: Treaty | None = None,
) -> None:
    """One answer; in JSON with the instruments the index holds and their sha256; a broad
    question's chapter named in our words after the quotes (from `treaty`)."""
    if as_json:
        data = answer.to_json()
        if instruments is not None:
            data["instruments"] = instruments
        print(json_line(data), file=out, flush=True)
        return
    from rich.text import Text

    if not answer.source_verified:
        console.print(Text(UNVERIFIED, style="bold red"))
    if answer.error:
        console.print(Text(terminal_safe(answer.error), style="yellow"))
    if answer.abstained:
        if not answer.error:
            console.print(Text(answer.note or NO_MATCH, style="yellow"))
        if answer.related:
            console.print(Text(f"\n{RELATED_HEADING}", style="yellow"))
            for result in answer.related:
                _print_result(result, console)
        return
    for result in answer.results:
        _print_result(result, console)
    if answer.comparison and answer.note:
        console.print(Text(f"\n{OURS_LABEL} {terminal_safe(answer.note)}", style="italic"))
    chapter = treaty.chapter(answer.chapter) if treaty else None
    if chapter is not None:
        from bot.treaty.citations import articles_of

        line = BROAD_CHAPTER.format(number=chapter.number, title=chapter.title,
                                    articles=articles_of(chapter))
        console.print(Text(f"\n{OURS_LABEL} {terminal_safe(line)}", style="italic"))
    console.print(Text(SOURCE_FOOTER, style="dim"))
    if any(result.document == "budapest" for result in answer.results):
        console.print(Text(BUDAPEST_FOOTER, style="dim"))


def _print_result(result: ArticleResult, console: Console) -> None:
    """The citation (with the official page to check it on), the quote verbatim with its best
    clause in emphasis, the paragraph's lead-in before a sub-paragraph, and the notes on it."""
    from rich.padding import Padding
    from rich.text import Text

    from bot.treaty.citations import also_line

    console.print(Text(f"\n{terminal_safe(result.heading)}", style="bold"))
    console.print(Text(terminal_safe(result.citation), style="cyan"))
    if result.lead_in:
        console.print(Padding(Text(LEAD_IN_LABEL, style="dim italic"), (0, 0, 0, 2)))
        console.print(Padding(Text(terminal_safe(result.lead_in), style="dim"), (0, 0, 0, 2)))
    quote = Text(terminal_safe(result.text))
    if result.highlight and terminal_safe(result.text) == result.text:
        quote.stylize("bold underline", *result.highlight)
    console.print(Padding(quote, (0, 0, 0, 2)))
    if result.also:
        console.print(Text(also_line(result.also), style="dim"))
    if result.pages:
        where = f"PDF page {', '.join(map(str, result.pages))}"
        console.print(Text(f"{where}: {result.link}" if result.link else where, style="dim"))
    elif result.link:
        console.print(Text(f"Official text: {result.link}", style="dim"))
    if result.difference_note:
        console.print(Text(f"{OURS_LABEL} {terminal_safe(result.difference_note)}",
                           style="italic"))
    for label, numbers in ((REFERS_TO_LABEL, result.refers_to),
                           (REFERRED_BY_LABEL, result.referred_by),
                           (COUNTERPART_LABEL, result.counterparts)):
        if numbers:
            noun = "articles" if len(numbers) > 1 else "article"
            console.print(Text(f"{label} {noun} {', '.join(map(str, numbers))}", style="dim"))
    for note in result.notes:
        heading = terminal_safe(f"Interpretative note {note.number} ({note.heading}):")
        console.print(Text(heading, style="cyan"))
        console.print(Padding(Text(terminal_safe(note.text)), (0, 0, 0, 2)))


def _print_article(
    treaty: Treaty,
    verified: bool,
    number: int,
    paragraph: str | None,
    as_json: bool,
    console: Console,
) -> int:
    from bot.treaty.citations import citation_line, no_such_article, no_such_paragraph

    article = treaty.article(number)
    if article is None:
        return fail(no_such_article(number))
    paragraphs = article.paragraphs
    if paragraph is not None:
        chosen = article.paragraph(paragraph)
        if chosen is None:
            return fail(no_such_paragraph(article, paragraph))
        paragraphs = (chosen,)
    if as_json:
        data: dict[str, object] = {
            "article": article.number,
            "title": article.title,
            "chapter": article.chapter,
            "paragraphs": [{"label": p.label, "text": p.text} for p in paragraphs],
            "notes": [{"number": n.number, "text": n.text} for n in treaty.notes_for(number)],
        }
        if not verified:
            data["verified"] = False
        print(json_line(data))
        return 0
    from rich.text import Text

    if not verified:
        console.print(Text(UNVERIFIED, style="bold red"))
    citation = citation_line(article.number, article.title, article.chapter)
    console.print(Text(terminal_safe(citation), style="bold"))
    for p in paragraphs:
        line = f"\n{p.label}. {p.text}" if p.label else f"\n{p.text}"
        console.print(Text(terminal_safe(line)))
    for note in treaty.notes_for(number):
        line = f"\nInterpretative note {note.number}: {note.text}"
        console.print(Text(terminal_safe(line), style="cyan"))
    console.print(Text(f"\n{SOURCE_FOOTER}", style="dim"))
    return 0


def run() -> NoReturn:
    """The command: `main`, then an exit that skips the interpreter's teardown of what loading
    made (models, FAISS indexes, thread pools: ~40 ms of a one-question run). Nothing is left
    to write once the output is flushed; an error escaping `main` still exits the usual way."""
    try:
        code = main()
        sys.stdout.flush()
    except BrokenPipeError:  # the reader (`| head`) has gone: nothing more can reach it
        code = 1
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
