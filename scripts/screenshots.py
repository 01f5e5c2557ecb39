"""Pictures of typical replies as a reader sees them on a phone, for the README.

    python scripts/screenshots.py                  docs/screenshots/*.png, treaty text masked
    python scripts/screenshots.py --with-text      the same with the text, into
                                                   docs/screenshots/with-text/ (not committed)

The real bot (the index in INDEX_DIR) answers users played against the Bot API stand-in of
the tests, in-process; each conversation's messages, as the bot sent them (Telegram HTML and
inline keyboards), are drawn in a phone-width page (390 CSS pixels) like Telegram's, and
headless Chromium (`CHROMIUM`, default `chromium`; Debian: `apt install chromium
fonts-noto-core fonts-noto-cjk`) takes the picture.

The repository never carries treaty text (README, "Sources"), and a picture of a quote is treaty
text: by default every run of words that the treaty prints (quotes, lead-ins, article and chapter
titles) is drawn as a grey bar of the same shape, and only our own words, citations and buttons
are legible. `--with-text` draws everything, for looking at locally.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from html import escape, unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests" / "telegram"))

from botapi_standin import BotApiStandIn, StoredMessage  # noqa: E402
from telegram_harness import (  # noqa: E402
    BOT_USER,
    BOT_USERNAME,
    TOKEN,
    Harness,
    polling,
    stand_in_settings,
)

if TYPE_CHECKING:
    from bot.index.store import LoadedIndex

OUT_DIR = REPO_ROOT / "docs" / "screenshots"
WIDTH = 390  # CSS pixels: a common phone width
SCALE = 2
MIN_MASKED = 3  # shorter titles are words of ours as much as the treaty's
MIN_LINE = 12  # a shorter line the treaty prints somewhere ("Chapter II") may be ours too
SHARED_WORDS = 5  # a line with this many consecutive words of the treaty is treaty text
_WORDS = re.compile(r"\w+")
_MASKED = re.compile(r'<span class="masked">[^<]*</span>')
_TAG = re.compile(r"<[^>]+>")


@dataclass
class Bubble:
    html: str  # Telegram HTML (bot) or plain text (user)
    from_user: bool
    buttons: list[list[str]]
    via: bool = False  # inserted by inline mode into another chat


class TreatyMask:
    """Tells which runs of words the treaty prints, so that a picture can leave them out."""

    def __init__(self, texts: list[str], titles: list[str]) -> None:
        parts = [*texts, *titles]
        self._corpus = "\n".join(parts)
        self._runs = {run for part in parts for run in _word_runs(part)}
        ordered = sorted({t for t in titles if len(t) >= MIN_MASKED}, key=len, reverse=True)
        self._titles = re.compile("|".join(re.escape(t) for t in ordered))

    @classmethod
    def of(cls, index: LoadedIndex) -> TreatyMask:
        """Every text the index holds: the Convention, its notes, the resolution, Budapest."""
        texts: list[str] = []
        titles: list[str] = []
        for treaty in (index.treaty, index.instruments.budapest):
            if treaty is None:
                continue
            texts += [treaty.title, *treaty.preamble, *(n.text for n in treaty.notes)]
            titles += [c.title for c in treaty.chapters]
            for article in treaty.articles:
                titles.append(article.title)
                texts += [p.text for p in article.paragraphs]
        resolution = index.instruments.resolution
        if resolution is not None:
            texts += [resolution.title, *(p.text for p in (*resolution.preamble,
                                                          *resolution.operative))]
        return cls(texts, titles)

    def leaks(self, page: str) -> list[str]:
        """Runs of the treaty's words a drawn page still shows (none, or the mask failed)."""
        shown = unescape(_TAG.sub(" ", _MASKED.sub(" ", page)))
        return [" ".join(run) for run in _word_runs(shown) & self._runs]

    def spans(self, line: str) -> list[tuple[str, bool]]:
        """`line` cut into (text, is_treaty_text) runs: a whole line the treaty prints, else
        each run of words it shares with the treaty, and each title."""
        core = line.strip().strip("…").strip()
        if len(core) >= MIN_LINE and core in self._corpus:
            return [(line, True)]
        treaty = [False] * len(line)
        words = list(_WORDS.finditer(line))
        for i in range(len(words) - SHARED_WORDS + 1):
            window = words[i : i + SHARED_WORDS]
            if tuple(w.group(0) for w in window) in self._runs:
                treaty[window[0].start() : window[-1].end()] = [True] * (
                    window[-1].end() - window[0].start())
        for found in self._titles.finditer(line):
            treaty[found.start() : found.end()] = [True] * (found.end() - found.start())
        runs: list[tuple[str, bool]] = []
        for char, masked in zip(line, treaty, strict=True):
            if runs and runs[-1][1] == masked:
                runs[-1] = (runs[-1][0] + char, masked)
            else:
                runs.append((char, masked))
        return runs


def _word_runs(text: str) -> set[tuple[str, ...]]:
    words = _WORDS.findall(text)
    return {tuple(words[i : i + SHARED_WORDS]) for i in range(len(words) - SHARED_WORDS + 1)}


def drawn(text: str, mask: TreatyMask | None) -> str:
    """Plain text as HTML, its treaty words as grey bars when masking."""
    if mask is None:
        return escape(text)
    out = []
    for i, line in enumerate(text.split("\n")):
        if i:
            out.append("\n")
        for run, treaty_text in mask.spans(line):
            out.append(f'<span class="masked">{escape(run)}</span>' if treaty_text
                       else escape(run))
    return "".join(out)


# Telegram's tags as a browser writes them (links drawn, not followed: a picture has no links)
BROWSER_TAGS = {"b": "b", "strong": "b", "i": "i", "em": "i", "u": "u", "s": "s",
                "code": "code", "pre": "pre", "a": "a"}


class _TelegramToPage(HTMLParser):
    """Telegram's HTML subset as browser HTML; text passes through `drawn`."""

    def __init__(self, mask: TreatyMask | None) -> None:
        super().__init__(convert_charrefs=True)
        self.mask = mask
        self.out: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "blockquote":
            expandable = any(name == "expandable" for name, _ in attrs)
            self.out.append('<blockquote class="expandable">' if expandable else "<blockquote>")
            self.stack.append("blockquote")
        elif tag in BROWSER_TAGS:
            self.out.append(f"<{BROWSER_TAGS[tag]}>")
            self.stack.append(BROWSER_TAGS[tag])

    def handle_endtag(self, tag: str) -> None:
        if tag == "blockquote" or tag in BROWSER_TAGS:
            self.out.append(f"</{self.stack.pop()}>")

    def handle_data(self, data: str) -> None:
        self.out.append(drawn(data, self.mask))


def page_html(html: str, mask: TreatyMask | None) -> str:
    parser = _TelegramToPage(mask)
    parser.feed(html)
    parser.close()
    # Telegram shows no line break right inside a quote's edges
    return re.sub(r"\n?(<blockquote[^>]*>)\n?|\n?(</blockquote>)\n?",
                  lambda m: m.group(1) or m.group(2), "".join(parser.out))


STYLE = """
body { margin: 0; width: %(width)dpx; background: #c8d9b8;
       font: 15px/1.35 "Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic", sans-serif; }
header { background: #517da2; color: #fff; padding: 10px 14px; }
header b { display: block; font-size: 16px; } header span { font-size: 13px; opacity: .8; }
main { padding: 8px 8px 12px; }
.row { display: flex; margin: 6px 0 0; }
.user { justify-content: flex-end; }
.bubble { max-width: 86%%; padding: 6px 9px 7px; border-radius: 12px; white-space: pre-wrap;
          overflow-wrap: anywhere; box-shadow: 0 1px 1px rgba(0,0,0,.15); }
.bot .bubble { background: #fff; border-bottom-left-radius: 4px; }
.user .bubble { background: #e1fec6; border-bottom-right-radius: 4px; }
.via { color: #168acd; font-size: 13px; display: block; margin-bottom: 2px; }
a { color: #168acd; text-decoration: none; }
code { font: 13px "Noto Sans Mono", monospace; }
blockquote { margin: 4px 0; padding: 2px 8px; border-left: 3px solid #3a8ed8;
             background: rgba(58,142,216,.09); border-radius: 4px; }
blockquote.expandable { max-height: 4.05em; overflow: hidden; position: relative; }
blockquote.expandable::after { content: "⌄"; position: absolute; right: 6px; bottom: 0;
             color: #3a8ed8; background: #eef5fc; padding-left: 4px; }
.masked { color: transparent !important; background: #d5dbe1; border-radius: 3px; }
b .masked { background: #9aa6b2; }  /* the answering words, in bold */
.keyboard { width: 86%%; margin-top: 2px; }
.keys { display: flex; gap: 3px; margin-top: 3px; }
.key { flex: 1; text-align: center; color: #fff; background: rgba(62,94,52,.45);
       border-radius: 8px; padding: 7px 4px; font-size: 13.5px; white-space: nowrap;
       overflow: hidden; text-overflow: ellipsis; }
.results { background: #fff; margin: 8px -8px 0; }
.result { padding: 7px 14px; border-bottom: 1px solid #e6e6e6; font-size: 14px; }
.result .title { display: block; font-weight: bold; }
.result .description { color: #777; display: block; max-height: 2.7em; overflow: hidden; }
.typing { background: #fff; margin: 0 -8px -12px; padding: 10px 14px; color: #333; }
"""


def render(title: str, bubbles: list[Bubble], mask: TreatyMask | None,
           extra: str = "", subtitle: str = "bot") -> str:
    rows = []
    for bubble in bubbles:
        side = "user" if bubble.from_user else "bot"
        body = escape(bubble.html) if bubble.from_user else page_html(bubble.html, mask)
        via = f'<span class="via">via @{BOT_USERNAME}</span>' if bubble.via else ""
        rows.append(f'<div class="row {side}"><div class="bubble">{via}{body}</div></div>')
        if bubble.buttons:
            keys = "".join(
                '<div class="keys">'
                + "".join(f'<div class="key">{drawn(label, mask)}</div>' for label in row)
                + "</div>"
                for row in bubble.buttons
            )
            rows.append(f'<div class="row"><div class="keyboard">{keys}</div></div>')
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLE % {'width': WIDTH}}"
        f"</style></head><body><header><b>{escape(title)}</b><span>{subtitle}</span></header>"
        f"<main>{''.join(rows)}{extra}</main>"
        "<script>document.title = document.documentElement.scrollHeight</script></body></html>"
    )


def bot_bubble(message: StoredMessage) -> Bubble:
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    return Bubble(message.html, False, [[b["text"] for b in row] for row in rows])


Scenario = Callable[[Harness, TreatyMask | None], Awaitable[str]]


async def answer(harness: Harness, mask: TreatyMask | None) -> str:
    question = "Is hacking into someone's computer a crime under the convention?"
    exchange = await harness.private_chat().send(question)
    return render("Treaty bot", [Bubble(question, True, []), bot_bubble(exchange.sent[0])], mask)


async def follow_up(harness: Harness, mask: TreatyMask | None) -> str:
    chat = harness.private_chat()
    question = "Can companies be held liable for these offences?"
    first = (await chat.send(question)).sent[0]
    follow = "and what about paragraph 3?"
    reply = (await chat.send(follow, reply_to=first.payload)).sent[0]
    bubbles = [Bubble(question, True, []), bot_bubble(first), Bubble(follow, True, []),
               bot_bubble(reply)]
    return render("Treaty bot", bubbles, mask)


async def full_article(harness: Harness, mask: TreatyMask | None) -> str:
    chat = harness.private_chat()
    sent = (await chat.send("/article 7")).sent
    return render("Treaty bot", [Bubble("/article 7", True, []), *map(bot_bubble, sent)], mask)


async def french(harness: Harness, mask: TreatyMask | None) -> str:
    question = "Un État peut-il refuser une demande d'entraide judiciaire ?"
    exchange = await harness.private_chat("fr").send(question)
    return render("Treaty bot", [Bubble(question, True, []), bot_bubble(exchange.sent[0])], mask)


async def broad(harness: Harness, mask: TreatyMask | None) -> str:
    question = "What counts as a crime under this convention?"
    exchange = await harness.private_chat().send(question)
    return render("Treaty bot", [Bubble(question, True, []), bot_bubble(exchange.sent[0])], mask)


async def inline(harness: Harness, mask: TreatyMask | None) -> str:
    query = "can police preserve traffic data?"
    exchange = await harness.inline_query(query)
    (call,) = exchange.of("answerInlineQuery")
    results = call.params["results"]
    listing = "".join(
        f'<div class="result"><span class="title">{drawn(r["title"], mask)}</span>'
        f'<span class="description">{drawn(r.get("description", ""), mask)}</span></div>'
        for r in results[:3]
    )
    inserted = Bubble(results[0]["input_message_content"]["message_text"], False, [], via=True)
    extra = (f'<div class="results">{listing}</div>'
             f'<div class="typing">@{BOT_USERNAME} {escape(query)}</div>')
    return render("Elena", [inserted], mask, extra, subtitle="last seen recently")


SCENARIOS: dict[str, Scenario] = {
    "answer": answer, "follow-up": follow_up, "full-article": full_article,
    "french": french, "broad-question": broad, "inline": inline,
}


def chromium(browser: str, page: Path, png: Path, height: int | None) -> str:
    """Chromium headless: with `height`, the picture; without, the page's height (the DOM)."""
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
              f"--force-device-scale-factor={SCALE}", f"--user-data-dir={page.parent / 'profile'}"]
    if height is None:
        args = [*common, f"--window-size={WIDTH},800", "--dump-dom", page.as_uri()]
    else:
        args = [*common, f"--window-size={WIDTH},{height}", f"--screenshot={png}", page.as_uri()]
    done = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{browser} failed: {done.stderr.strip()[-500:]}")
    return done.stdout


async def conversations(retriever: object, mask: TreatyMask | None) -> dict[str, str]:
    from bot.telegram.app import build_application

    pages = {}
    async with BotApiStandIn(TOKEN, BOT_USER) as standin:
        application = build_application(stand_in_settings(standin), retriever)
        async with polling(application) as processed:
            harness = Harness(standin, processed)
            for name, scenario in SCENARIOS.items():
                print(f"  {name}", file=sys.stderr, flush=True)
                pages[name] = await scenario(harness, mask)
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--with-text", action="store_true",
                        help="draw the treaty text too (into docs/screenshots/with-text/)")
    args = parser.parse_args(argv)
    browser = shutil.which(os.environ.get("CHROMIUM", "chromium"))
    if browser is None:
        print("Chromium not found: install it (Debian: apt install chromium fonts-noto-core "
              "fonts-noto-cjk) or name it in CHROMIUM.", file=sys.stderr)
        return 2
    from bot import load_retriever

    out = OUT_DIR / "with-text" if args.with_text else OUT_DIR
    out.mkdir(parents=True, exist_ok=True)
    from bot.index.store import load_index
    from bot.settings import Settings

    retriever = load_retriever()
    mask = None if args.with_text else TreatyMask.of(load_index(Settings().index_dir))
    print("Playing the conversations:", file=sys.stderr)
    pages = asyncio.run(conversations(retriever, mask))
    with tempfile.TemporaryDirectory() as work:
        for name, html in pages.items():
            body = html.split("<main>", 1)[1]
            if mask is not None and (leaked := mask.leaks(body)):
                raise SystemExit(f"{name}: the mask left treaty text visible: {leaked[:3]}")
            page = Path(work) / f"{name}.html"
            page.write_text(html, encoding="utf-8")
            png = out / f"{name}.png"
            dom = chromium(browser, page, png, None)
            found = re.search(r"<title>(\d+)</title>", dom)
            height = int(found.group(1)) if found else 1600
            chromium(browser, page, png, height)
            print(f"{png.relative_to(REPO_ROOT)}: {WIDTH}×{height} CSS px", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
