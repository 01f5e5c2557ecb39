"""Treaty text as Telegram HTML messages: citations, verbatim quotes, splitting to the limit.

Pure string work with no Telegram client in sight, so every rule (escaping, the 4096-character
limit, never cutting a tag in two) is testable on its own. Treaty and user text only ever
reaches the output through `html.escape`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from functools import cache
from html import escape
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from telegram.constants import MessageLimit

from bot.search.results import ArticleResult
from bot.source.obtain import budapest_url, official_document
from bot.telegram.i18n import DEFAULT_LANGUAGE, language_of, text
from bot.treaty.citations import (
    articles_of,
    citation_line,
    document_heading,
    number_range,
    short_citation_line,
)
from bot.treaty.layout import BUDAPEST_ID, CONVENTION_ID
from bot.treaty.model import Article, Chapter, Note, Paragraph, Part, Treaty

MESSAGE_LIMIT = MessageLimit.MAX_TEXT_LENGTH  # a message's text after entity parsing
# The first result is shown open, at most this much of its paragraph (with the answering words
# always in view): with its citation, lead-in and the source line, about half a phone screen.
FIRST_PREVIEW = 600
QUOTE_PREVIEW = 700  # further results, inside collapsed quotes; the full text is a tap away
LEAD_IN_PREVIEW = 300
WHOLE_IN_ANSWER = 3000  # a paragraph the user named is quoted whole in the answer up to this
NOTE_PREVIEW = 700
QUESTION_PREVIEW = 120
INLINE_DESCRIPTION = 150
ELLIPSIS = "…"
MIN_SHARE = 80  # never shorten a quote below this, however crowded a message is

_SENTENCE_END = re.compile(r"[.;:](?=\s)")


class Style(Enum):
    PLAIN = ""
    BOLD = "b"
    ITALIC = "i"
    QUOTE = "blockquote"
    EXPANDABLE = "blockquote expandable"  # collapsed to a few lines until the reader taps it
    CODE = "code"

    @property
    def tag(self) -> str:
        return self.value.split(" ")[0]


@dataclass(frozen=True)
class Block:
    """A run of plain text shown in one style; the unit that messages are built and split from.

    `gap` is what separates the block from the one before it in the same message; a `heading`
    is kept in the same message as the block after it; `shorten_to` marks a preview that may
    be cut (at a word, with "…") so that a message fits.
    """

    text: str
    style: Style = Style.PLAIN
    gap: str = "\n"
    heading: bool = False
    shorten_to: int | None = None
    bold: tuple[int, int] | None = None  # [start, end) of `text` shown in bold (the answer)
    link: str | None = None  # the whole block links there (the official page of a quote)
    parts: tuple[Block, ...] = ()  # blocks shown inside this one (see `grouped`)

    def html(self) -> str:
        if self.parts:
            body = render(self.parts)
        elif self.bold:
            start, end = self.bold
            body = (
                escape(self.text[:start], quote=False)
                + f"<b>{escape(self.text[start:end], quote=False)}</b>"
                + escape(self.text[end:], quote=False)
            )
        else:
            body = escape(self.text, quote=False)
        if self.link:
            body = f'<a href="{escape(self.link)}">{body}</a>'
        return f"<{self.style.value}>{body}</{self.style.tag}>" if self.style.value else body


def grouped(parts: Sequence[Block], style: Style, gap: str = "\n") -> Block:
    """Blocks shown inside one block of `style` (a result inside a collapsed quote, a line
    with a link in it); its text is what the reader sees of them, so lengths stay right."""
    shown = "".join((b.gap if i else "") + b.text for i, b in enumerate(parts))
    return Block(shown, style, gap=gap, parts=tuple(parts))


def visible_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units of the text without markup."""
    return len(text.encode("utf-16-le")) // 2


def _prefix_end(text: str, limit: int) -> int:
    """The largest index whose prefix is at most `limit` UTF-16 code units long."""
    if visible_length(text) <= limit:
        return len(text)
    end = min(len(text), limit)
    while visible_length(text[:end]) > limit:
        end -= 1
    return end


def shorten(text: str, limit: int) -> str:
    """Cut at the last word boundary so that the text plus "…" fits in `limit`."""
    if visible_length(text) <= limit:
        return text
    end = _prefix_end(text, limit - len(ELLIPSIS))
    boundary = max(text.rfind(" ", 0, end + 1), text.rfind("\n", 0, end + 1))
    cut = boundary if boundary > 0 else end
    return text[:cut].rstrip() + ELLIPSIS


def shorten_quote(
    text: str, limit: int, bold: tuple[int, int] | None
) -> tuple[str, tuple[int, int] | None]:
    """`shorten`, keeping the bold span in view: when it would be cut off, the preview starts
    at it, after "…", so the answering words are always shown (verbatim, the omission marked)."""
    shortened = shorten(text, limit)
    if bold is None or shortened == text:
        return shortened, bold
    start, end = bold
    kept = len(shortened) - len(ELLIPSIS)
    if end <= kept:
        return shortened, bold
    rest = ELLIPSIS + text[start:]
    tail = shorten(rest, limit)
    shown = len(tail) - (len(ELLIPSIS) if tail != rest else 0)  # without a closing "…"
    return tail, (len(ELLIPSIS), min(len(ELLIPSIS) + end - start, shown))


def split_text(text: str, limit: int, first_limit: int | None = None) -> list[str]:
    """Split text longer than `limit` into pieces that fit, at a line, sentence or word end.

    The first piece may be given less room (`first_limit`). Rejoined, the pieces give back the
    text: only the whitespace at the cuts and at the ends is dropped. A word longer than the
    room is the one thing cut where it stands.
    """
    pieces: list[str] = []
    rest = text.strip()
    while visible_length(rest) > (room := limit if pieces or first_limit is None else first_limit):
        end = max(1, _prefix_end(rest, room))  # at least one character, so the loop ends
        cut = _cut_position(rest[: end + 1], end)  # a boundary just past the limit still counts
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _cut_position(window: str, end: int) -> int:
    """Where to cut within `window[:end]`: the last line end or sentence end in its second half,
    else the last space, else (one very long word) at `end`."""
    floor = end // 2
    line_end = window.rfind("\n", floor)
    if line_end > 0:
        return line_end
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(window, floor)]
    if sentence_ends:
        return sentence_ends[-1]
    space = max(window.rfind(" "), window.rfind("\n"))
    return space if space > 0 else end


def _fitted(blocks: Sequence[Block], limit: int) -> list[Block]:
    """Shorten the previews evenly so that all blocks fit in one message of `limit`."""
    previews = [b for b in blocks if b.shorten_to is not None]
    if not previews:
        return list(blocks)
    fixed = sum(visible_length(b.text) for b in blocks if b.shorten_to is None)
    gaps = sum(visible_length(b.gap) for b in blocks[1:])
    share = max(MIN_SHARE, (limit - fixed - gaps) // len(previews))
    fitted = []
    for block in blocks:
        if block.shorten_to is not None:
            text, bold = shorten_quote(block.text, min(block.shorten_to, share), block.bold)
            block = replace(block, text=text, bold=bold)
        fitted.append(block)
    return fitted


def render(blocks: Sequence[Block]) -> str:
    """Join blocks into one message's HTML; the first block's gap is dropped."""
    return "".join((b.gap if i else "") + b.html() for i, b in enumerate(blocks))


def render_one_message(blocks: Sequence[Block], limit: int = MESSAGE_LIMIT) -> str:
    """One message, shortening the previews if needed (answers, inline results)."""
    return render(_fitted(blocks, limit))


def render_messages(blocks: Sequence[Block], limit: int = MESSAGE_LIMIT) -> list[str]:
    """As many messages as needed, each within `limit`, broken between blocks.

    A heading stays in the message of the block it heads. A block too long for one message is
    split into blocks of the same style, filling the message its heading opens; so a tag
    never spans two messages.
    """
    return [render(message) for message in _pack(blocks, limit)]


def _length(blocks: Sequence[Block]) -> int:
    """Visible length of blocks shown as one message (the first block's gap is dropped)."""
    texts = sum(visible_length(b.text) for b in blocks)
    return texts + sum(visible_length(b.gap) for b in blocks[1:])


def _units(blocks: Sequence[Block]) -> list[list[Block]]:
    """Blocks grouped so that headings travel with the block that follows them."""
    units: list[list[Block]] = [[]]
    for block in blocks:
        units[-1].append(block)
        if not block.heading:
            units.append([])
    return [unit for unit in units if unit]


def _pack(blocks: Sequence[Block], limit: int) -> list[list[Block]]:
    messages: list[list[Block]] = []
    for unit in _units(blocks):
        if messages and _length(messages[-1] + unit) <= limit:
            messages[-1].extend(unit)
        elif _length(unit) <= limit:
            messages.append(unit)
        else:
            messages.extend(_split_unit(unit, limit))
    return messages


def _split_unit(unit: list[Block], limit: int) -> list[list[Block]]:
    """A unit too long for one message: its headings, then its last block cut to fill."""
    *headings, body = unit
    room = limit - (_length(headings) + visible_length(body.gap) if headings else 0)
    if room < limit // 4:  # headings too long to share a message: no longer keep them together
        return _pack([replace(b, heading=False) for b in unit], limit)
    first, *rest = split_text(body.text, limit, first_limit=room)
    return [
        [*headings, replace(body, text=first, bold=None, parts=())],
        *([replace(body, text=piece, bold=None, parts=())] for piece in rest),
    ]


# --- The treaty's pieces as blocks ---------------------------------------------------------


def short_title(treaty: Treaty) -> str:
    """The Convention's name without its long subtitle."""
    return treaty.title.split(";")[0].strip()


@cache
def official_text_url(lang: str) -> str:
    """The official text of the Convention in the reader's UN language (English otherwise),
    as the United Nations publishes it."""
    url = urlsplit(official_document().url)
    query = dict(parse_qsl(url.query))
    query["l"] = language_of(lang)
    return urlunsplit(url._replace(query=urlencode(query, safe="/")))


def citation(article: int, title: str, chapter: str, link: str | None = None) -> Block:
    """The full citation line, with the chapter (full texts); with `link`, it opens the
    official PDF at the quote's page."""
    return Block(
        citation_line(article, title, chapter), Style.BOLD, gap="\n\n", heading=True, link=link
    )


def short_citation(result: ArticleResult, gap: str = "\n\n") -> Block:
    """"Art. 47(1)(c) · Law enforcement cooperation", opening the official text at its page;
    another instrument's provision under its instrument's name ("Budapest Convention ·
    Article 2 · Illegal access", "A/RES/79/243 · Operative paragraph 12")."""
    line = (
        short_citation_line(result.article, result.title, result.paragraph, result.subparagraph)
        if result.document == CONVENTION_ID and result.article
        else result.heading
    )
    return Block(line, Style.BOLD, gap=gap, heading=True, link=result.link)


def source_line(treaty: Treaty, lang: str = DEFAULT_LANGUAGE) -> Block:
    """Under every reply that quotes, one line: the quotes are the English authentic text,
    verbatim, and where the official text is (in the reader's language)."""
    return grouped(
        [
            Block(text("source_line", lang, symbol=treaty.symbol)),
            Block(text("official_text", lang), link=official_text_url(lang), gap=" · "),
        ],
        Style.ITALIC,
        gap="\n\n",
    )


def lead_in_blocks(result: ArticleResult, limit: int = LEAD_IN_PREVIEW) -> list[Block]:
    """Before a quoted sub-paragraph: its paragraph's lead-in, verbatim, so that it is never
    cut loose from who must do what."""
    if not result.lead_in:
        return []
    return [Block(result.lead_in, Style.QUOTE, heading=True, shorten_to=limit)]


def notes_block(notes: Iterable[Note]) -> list[Block]:
    """Interpretative notes on a quote, in one collapsed quote (a tap opens them)."""
    parts: list[Block] = []
    for note in notes:
        heading = f"Interpretative note {note.number} · {note.heading}"
        parts.append(Block(heading, Style.ITALIC, gap="\n\n" if parts else ""))
        parts.append(Block(shorten(note.text, NOTE_PREVIEW)))
    return [grouped(parts, Style.EXPANDABLE)] if parts else []


def note_blocks(notes: Iterable[Note]) -> list[Block]:
    """Interpretative notes in a full text, each under a heading naming it."""
    blocks: list[Block] = []
    for note in notes:
        heading = f"Interpretative note {note.number} · {note.heading}"
        blocks.append(Block(heading, Style.ITALIC, heading=True))
        blocks.append(Block(note.text, Style.QUOTE))
    return blocks


def ours_blocks(note: str | None, lang: str = DEFAULT_LANGUAGE) -> list[Block]:
    """A line in our own words (the concordance's note on a difference): in italics under a
    label that says it is ours, never in a quote block."""
    return [Block(f"{text('note_ours', lang)} {note}", Style.ITALIC)] if note else []


def footers(results: Sequence[ArticleResult], treaty: Treaty, lang: str) -> list[Block]:
    """The source of the quotes: this Convention's line, and the Budapest text's when quoted."""
    budapest = any(r.document == BUDAPEST_ID for r in results)
    return [
        source_line(treaty, lang),
        *([Block(text("budapest_footer", lang), Style.ITALIC)] if budapest else []),
    ]


def first_result_blocks(
    result: ArticleResult, whole: bool = False, lang: str = DEFAULT_LANGUAGE
) -> list[Block]:
    """The best result, open: its citation, the lead-in, the paragraph with its answering
    words in bold (a long one shortened around them, unless `whole`), the notes collapsed, and
    for a Budapest result compared with a UN article our note on the difference."""
    return [
        short_citation(result),
        *lead_in_blocks(result),
        Block(result.text, Style.QUOTE, shorten_to=None if whole else FIRST_PREVIEW,
              bold=result.highlight),
        *notes_block(result.notes),
        *ours_blocks(result.difference_note, lang),
    ]


def is_shortened(result: ArticleResult) -> bool:
    """Whether the answer shows less than the whole of the best result's paragraph."""
    return visible_length(result.text) > FIRST_PREVIEW or result.subparagraph is not None


def _open_length(result: ArticleResult) -> int:
    """About what the best result takes when its paragraph is shown whole."""
    notes = sum(min(NOTE_PREVIEW, visible_length(n.text)) + 80 for n in result.notes)
    return visible_length(result.text) + visible_length(result.lead_in or "") + notes


def fits_whole(result: ArticleResult) -> bool:
    """Whether a named paragraph can be quoted whole inside an answer (else it is sent as
    paragraph messages of its own)."""
    return _open_length(result) <= WHOLE_IN_ANSWER


def compact_result_block(result: ArticleResult, preview: int = QUOTE_PREVIEW) -> Block:
    """A further result, collapsed into one quote that shows its citation first."""
    quote, bold = shorten_quote(result.text, preview, result.highlight)
    parts = [
        replace(short_citation(result, gap=""), heading=False),
        *([Block(shorten(result.lead_in, LEAD_IN_PREVIEW // 2))] if result.lead_in else []),
        Block(quote, bold=bold),
    ]
    return grouped(parts, Style.EXPANDABLE, gap="\n\n")


def compact_blocks(
    result: ArticleResult, preview: int, lang: str = DEFAULT_LANGUAGE
) -> list[Block]:
    """A further result collapsed, then our note on its difference, if it has one (never
    inside the quote)."""
    return [compact_result_block(result, preview), *ours_blocks(result.difference_note, lang)]


def compact_preview(count: int) -> int:
    """Room for each of `count` collapsed results, so that a message always fits."""
    return max(MIN_SHARE, min(QUOTE_PREVIEW, (MESSAGE_LIMIT - 2000) // max(1, count)))


def answer_message(
    results: Sequence[ArticleResult],
    treaty: Treaty,
    heading: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
    ours: str | None = None,
    whole_first: bool = False,
    closing: str | None = None,
) -> str:
    """A page of search results as one message that fits a phone screen: the best result
    open (`whole_first`: its paragraph uncut, the user named it; see `fits_whole`), the others
    collapsed, under an optional heading (plain text), then `ours`, a line in our words (a
    comparison's "No counterpart: ..."), then the source line."""
    if not results:
        raise ValueError("an answer needs at least one result")
    first, *others = results
    preview = compact_preview(len(others))
    if whole_first:
        room = MESSAGE_LIMIT - _open_length(first) - 600  # the heading, citations, source line
        preview = max(MIN_SHARE, min(preview, room // max(1, len(others))))
    return render_one_message(
        [
            *([Block(heading, Style.ITALIC)] if heading else []),
            *first_result_blocks(first, whole=whole_first, lang=lang),
            *(b for result in others for b in compact_blocks(result, preview, lang)),
            *ours_blocks(ours, lang),
            *([Block(closing, Style.ITALIC, gap="\n\n")] if closing else []),
            *footers(results, treaty, lang),
        ]
    )


def comparison_message(
    results: Sequence[ArticleResult], note: str | None, treaty: Treaty,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """/compare N: the article beside its Budapest counterparts (each with our note on the
    difference), or with our note that it has none."""
    return answer_message(results, treaty, None, lang, ours=note)


def budapest_article_messages(article: Article, lang: str = DEFAULT_LANGUAGE) -> list[str]:
    """A Budapest article in full, verbatim, under its citation, with its source."""
    blocks = [
        Block(document_heading(BUDAPEST_ID, article.number, article.title, None), Style.BOLD,
              gap="\n\n", heading=True, link=budapest_url()),
        *(Block(paragraph_text(p), gap="\n\n") for p in article.paragraphs),
        Block(text("budapest_footer", lang), Style.ITALIC, gap="\n\n"),
    ]
    return render_messages(blocks)


def declined_message(
    reply: str,
    related: Sequence[ArticleResult],
    treaty: Treaty,
    lang: str = DEFAULT_LANGUAGE,
) -> str:
    """Why the text does not answer (the bot's own words, plain), then the provisions that
    govern the subject, collapsed, under a heading that says they do not answer the question."""
    blocks = [Block(reply)]
    if related:
        preview = compact_preview(len(related))
        blocks.append(Block(text("related_heading", lang), Style.ITALIC, gap="\n\n"))
        blocks += [b for result in related for b in compact_blocks(result, preview, lang)]
        blocks += footers(related, treaty, lang)
    return render_one_message(blocks)


def page_heading(
    first: int, last: int, question: str | None, lang: str = DEFAULT_LANGUAGE
) -> str:
    """Names the page and the question, once the first page has been replaced (plain text);
    only the page when the question is no longer known (after a restart)."""
    results = number_range(first, last)
    if question is None:
        return text("results_heading", lang, results=results)
    return text(
        "page_heading", lang, results=results, question=shorten(question, QUESTION_PREVIEW)
    )


def inline_result_message(
    result: ArticleResult, treaty: Treaty, lang: str = DEFAULT_LANGUAGE
) -> str:
    """What an inline result inserts in another chat: the short citation (linked to the
    official page), the paragraph (whole when it fits) and the source line."""
    blocks = [
        short_citation(result),
        *lead_in_blocks(result, limit=MESSAGE_LIMIT),
        Block(result.text, Style.QUOTE, shorten_to=MESSAGE_LIMIT, bold=result.highlight),
        *footers([result], treaty, lang),
    ]
    return render_one_message(blocks)


def inline_description(result: ArticleResult) -> str:
    """The line under an inline result's title: the start of the quoted paragraph."""
    return shorten(" ".join(result.text.split()), INLINE_DESCRIPTION)


def paragraph_text(paragraph: Paragraph) -> str:
    """A paragraph as printed, with its number."""
    return f"{paragraph.label}. {paragraph.text}" if paragraph.label else paragraph.text


def article_messages(
    article: Article, treaty: Treaty, lang: str = DEFAULT_LANGUAGE
) -> list[str]:
    """The whole article, verbatim, then the notes on it, in as many messages as needed."""
    blocks = [
        citation(article.number, article.title, article.chapter),
        *(Block(paragraph_text(p), gap="\n\n") for p in article.paragraphs),
        *note_blocks(treaty.notes_for(article.number)),
        source_line(treaty, lang),
    ]
    return render_messages(blocks)


def paragraph_messages(
    article: Article, paragraph: Paragraph, treaty: Treaty, lang: str = DEFAULT_LANGUAGE
) -> list[str]:
    """One paragraph quoted whole and verbatim (over several messages, cut at sentence ends,
    only if it must be), then the notes on its article."""
    line = short_citation_line(article.number, article.title, paragraph.label)
    blocks = [
        Block(line, Style.BOLD, heading=True),
        Block(paragraph.text, Style.QUOTE),
        *note_blocks(treaty.notes_for(article.number)),
        source_line(treaty, lang),
    ]
    return render_messages(blocks)


def subparagraph_messages(
    article: Article,
    paragraph: Paragraph,
    lead_in: Sequence[Part],
    item: Sequence[Part],
    treaty: Treaty,
    lang: str = DEFAULT_LANGUAGE,
) -> list[str]:
    """One lettered sub-paragraph, verbatim, after its paragraph's lead-in."""
    line = short_citation_line(article.number, article.title, paragraph.label, item[0].label)
    lead = "\n".join(part.text for part in lead_in)
    blocks = [
        Block(line, Style.BOLD, heading=True),
        *([Block(lead, Style.QUOTE, heading=True)] if lead else []),
        Block("\n".join(part.text for part in item), Style.QUOTE),
        source_line(treaty, lang),
    ]
    return render_messages(blocks)


def chapter_span(chapter: Chapter, lang: str = DEFAULT_LANGUAGE) -> str:
    """"articles 7–21" in the reader's language."""
    if len(chapter.articles) == 1:
        return text("chapter_one_article", lang, article=chapter.articles[0].number)
    return text("chapter_articles", lang, articles=articles_of(chapter))


def broad_chapter_line(chapter: Chapter, lang: str = DEFAULT_LANGUAGE) -> str:
    """Under the answer to a broad question, in our words: the chapter that answers it."""
    return text("broad_chapter", lang, number=chapter.number, title=chapter.title,
                articles=articles_of(chapter))


def toc_message(treaty: Treaty, lang: str = DEFAULT_LANGUAGE) -> str:
    """The chapters with the articles each holds; the buttons under it open a chapter. The
    headings are the English authentic text, as printed (never translated by us), so the reply
    carries the same source line as every reply that quotes."""
    blocks = [
        Block(text("toc_title", lang), Style.BOLD),
        Block(f"{short_title(treaty)} ({treaty.symbol})", Style.ITALIC),
        *(
            Block(f"Chapter {c.number} {c.title}: {chapter_span(c, lang)}",
                  gap="\n" if i else "\n\n")
            for i, c in enumerate(treaty.chapters)
        ),
        Block(text("toc_hint", lang), Style.ITALIC, gap="\n\n"),
        source_line(treaty, lang),
    ]
    return render_one_message(blocks)


def chapter_message(chapter: Chapter, treaty: Treaty, lang: str = DEFAULT_LANGUAGE) -> str:
    """A chapter's articles by number and title; the buttons under it open an article."""
    blocks = [
        Block(f"Chapter {chapter.number} {chapter.title}", Style.BOLD),
        *(
            Block(citation_line(a.number, a.title), gap="\n" if i else "\n\n")
            for i, a in enumerate(chapter.articles)
        ),
        source_line(treaty, lang),
    ]
    return render_one_message(blocks)


def about_message(
    treaty: Treaty, manifest: dict[str, object], lang: str = DEFAULT_LANGUAGE
) -> str:
    """What the answers are drawn from and how the index was built, for checking and citing;
    an index built from an unverified source says so first."""
    source = manifest.get("source")
    official = official_document()
    from_pdf = not isinstance(source, dict) or source.get("is_pdf", True)
    blocks = [
        Block(text("about_title", lang), Style.BOLD),
        *(
            [Block(text("about_unverified", lang), Style.BOLD, gap="\n\n")]
            if manifest.get("verified") is False
            else []
        ),
        Block(text("about_intro", lang), gap="\n\n"),
        Block(text("about_document", lang), Style.BOLD, gap="\n\n"),
        Block(f"{treaty.title} ({treaty.symbol})"),
        Block(text("about_holds", lang, symbol=treaty.symbol,
                   adopted=official.adopted or "—"), gap="\n\n"),
        Block(text("about_verify_title", lang), Style.BOLD, gap="\n\n"),
        Block(text("about_verify", lang)),
        Block(official_text_url(lang), link=official_text_url(lang)),
        Block(text("about_build", lang), Style.BOLD, gap="\n\n"),
        Block(text("about_checksum" if from_pdf else "about_checksum_text", lang), Style.ITALIC),
        Block(str(manifest.get("source_sha256", treaty.source_sha256)), Style.CODE),
        Block(text("about_built", lang), Style.ITALIC),
        Block(str(manifest.get("built_at", "unknown"))),
        Block(text("about_model", lang), Style.ITALIC),
        Block(str(manifest.get("model", "unknown"))),
        *instrument_blocks(manifest, lang),
    ]
    return render_one_message(blocks)


def instrument_blocks(manifest: dict[str, object], lang: str) -> list[Block]:
    """Each instrument the index holds, with the sha256 of the file it was read from."""
    instruments = manifest.get("instruments")
    if not isinstance(instruments, list) or not instruments:
        return []
    blocks = [Block(text("about_instruments", lang), Style.BOLD, gap="\n\n")]
    for instrument in instruments:
        unverified = "" if instrument.get("verified", True) else " (unverified)"
        blocks.append(Block(f"{instrument['title']} ({instrument['symbol']}){unverified}"))
        blocks.append(Block(str(instrument["sha256"]), Style.CODE))
    return blocks
