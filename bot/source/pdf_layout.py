"""The project's own PDF-to-text step for the official Convention PDF (A/RES/79/243).

Generic extractors split words that the PDF draws as several positioned runs ("a rticle") and
keep the running headers and footers. Here the text is rebuilt from glyph positions instead: a
word breaks only where a space glyph is drawn or the pen jumps a space's width; headers, footers
and the footnote rule are skipped because the PDF tags them as pagination artifacts; paragraphs
are rebuilt from line spacing and indentation. The result is in the layout of the checked
reference rendering that bot.treaty.parsing reads: one paragraph per line, a blank line between
paragraphs, "Article N" on the line above its title. Beside the text it gives the PDF pages of
every line (`PdfText.line_pages`), so each quotation can link to the page that prints it.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pypdf import PageObject, PdfReader, apply_configuration
from pypdf.errors import DependencyError, LimitReachedError, PyPdfError

from bot.errors import TreatyBotError
from bot.source.pdf_content import Glyph, LimitExceeded, Limits, page_glyphs
from bot.treaty.layout import CONVENTION_TITLE, NOTES_MARKER

# Extraction limits, each about ten times what the official PDF needs (46 pages, at most 54 KB
# of content and 4,000 characters a page, read in about 2 s), so a new revision fits and a
# hostile file is stopped early.
MAX_PAGES = 200
MAX_PAGE_CONTENT_BYTES = 1_000_000
MAX_PAGE_GLYPHS = 40_000
MAX_SECONDS = 60.0

# Word puts the spaces between words in as glyphs; a run restarted inside a word leaves a gap of
# at most 0.15 em, a missing space would leave 0.25 em or more.
_WORD_GAP_EM = 0.2
# The lines of a paragraph are 1.2 em apart, paragraphs 1.8 em or more.
_PARAGRAPH_GAP_EM = 1.45
# A footnote mark is smaller than its line and raised by less than half of the line's size.
_SUPERSCRIPT_SIZE_RATIO = 0.8
_SUPERSCRIPT_RISE_EM = 0.5
_BASELINE_TOLERANCE = 0.5  # points
_LABEL = re.compile(r"^(Annex|Chapter [IVXLC]+|Article \d+)\.?$")
_ITEM_OPENER = re.compile(r"^(\d+\.|\([a-z]+\))\s")
_UNREADABLE = (PyPdfError, DependencyError, ValueError, KeyError, IndexError, TypeError)


class PdfTextError(TreatyBotError, ValueError):
    """Not a PDF, truncated, encrypted, or not the Convention.

    The message says what is wrong and how to fix it.
    """


@dataclass(frozen=True)
class PdfText:
    """The text in the reference layout, and the PDF pages (1-based) that print each of its
    non-empty lines, in order: the text itself stays exactly what the parser reads."""

    text: str
    line_pages: tuple[tuple[int, ...], ...]


def extract_treaty_text(pdf_path: Path, seconds: float = MAX_SECONDS) -> str:
    """Convention text + "\n\n" + interpretative-notes text, both in the reference layout."""
    return extract_treaty(pdf_path, seconds).text


def extract_treaty(pdf_path: Path, seconds: float = MAX_SECONDS) -> PdfText:
    """The text of `extract_treaty_text` with the page map of its lines.

    A file past the extraction limits (pages, content per page, characters per page, `seconds`
    in all) is refused with a `PdfTextError` saying which.
    """
    pdf_path = Path(pdf_path)
    limits = Limits(
        MAX_PAGES, MAX_PAGE_CONTENT_BYTES, MAX_PAGE_GLYPHS, time.monotonic() + seconds, seconds
    )
    # pypdf's own decompression caps, so that no stream unpacks past what a page may hold.
    with apply_configuration(
        zlib_maximum_output_length=MAX_PAGE_CONTENT_BYTES,
        lzw_maximum_output_length=MAX_PAGE_CONTENT_BYTES,
        run_length_maximum_output_length=MAX_PAGE_CONTENT_BYTES,
        stream_decoding_work_maximum_length=4 * MAX_PAGE_CONTENT_BYTES,
    ):
        try:
            reader = _open(pdf_path)
            if len(reader.pages) > MAX_PAGES:
                raise LimitExceeded(f"it has {len(reader.pages)} pages, more than {MAX_PAGES}")
            pages = []
            for number, page in enumerate(reader.pages):
                limits.check_time()
                pages.append(_page_lines(number, page, limits))
            convention, notes = _sections(*_blocks(pages, limits), pdf_path)
        except PdfTextError:
            raise
        except (LimitExceeded, LimitReachedError) as error:
            reason = (
                f"a stream or structure is larger than allowed ({_reason(error)})"
                if isinstance(error, LimitReachedError)
                else _reason(error)
            )
            raise PdfTextError(
                f"{pdf_path} is beyond what the PDF reader accepts: {reason}. The "
                "official A/RES/79/243 PDF is well within its limits: use that file."
            ) from None
        except _UNREADABLE as error:
            raise PdfTextError(
                f"{pdf_path} has a damaged page ({_reason(error)}): download the official PDF "
                "again."
            ) from None
    text = "\n\n".join(b.text for b in convention) + "\n\n"
    text += "\n\n".join(b.text for b in notes) + "\n"
    line_pages = tuple(
        tuple(sorted(page + 1 for page in block.pages))
        for block in (*convention, *notes)
        for line in block.lines
        if line.strip()
    )
    return PdfText(text, line_pages)


# --- Opening the file --------------------------------------------------------------------------


def _open(path: Path) -> PdfReader:
    """Refuse a damaged file instead of half-reading it: unless strict, pypdf rebuilds a
    truncated file's page list and skips objects it cannot find, silently losing pages."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise PdfTextError(f"cannot read {path}: {error.strerror}.") from None
    if not data:
        raise PdfTextError(f"{path} is empty: download the official PDF again.")
    if b"%PDF-" not in data[:1024]:
        raise PdfTextError(f"{path} is not a PDF file (no %PDF- header): use the official PDF.")
    if b"%%EOF" not in data[-2048:]:
        raise PdfTextError(f"{path} is truncated (no %%EOF at its end): download it again.")
    try:
        reader = PdfReader(path, strict=True)
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfTextError(f"{path} is password-protected: use the official, open PDF.")
        if not reader.pages:
            raise PdfTextError(f"{path} has no pages: download the official PDF again.")
    except (PdfTextError, LimitReachedError):
        raise
    except _UNREADABLE as error:
        raise PdfTextError(
            f"{path} is not a readable PDF ({_reason(error)}): use the official PDF."
        ) from None
    return reader


def _reason(error: Exception) -> str:
    return str(error).strip().rstrip(".") or type(error).__name__


# --- Lines: glyphs grouped by baseline ---------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    page: int
    y: float  # baseline
    x_start: float  # first visible glyph
    x_end: float  # end of the last visible glyph
    size: float
    text: str
    starts_with_note_mark: bool


def _page_lines(page_number: int, page: PageObject, limits: Limits) -> list[_Line]:
    """The page's lines of text, top first."""
    rows = _attach_superscripts(_baseline_rows(page_glyphs(page, limits)))
    return [_line(page_number, row) for row in rows]


def _baseline_rows(glyphs: list[Glyph]) -> list[list[Glyph]]:
    """Glyphs grouped into rows sharing a baseline, top row first; rows of only spaces dropped."""
    rows: list[list[Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: -g.y):
        if rows and rows[-1][0].y - glyph.y <= _BASELINE_TOLERANCE:
            rows[-1].append(glyph)
        else:
            rows.append([glyph])
    return [row for row in rows if not all(glyph.is_space for glyph in row)]


def _row_size(row: list[Glyph]) -> float:
    return max(glyph.size for glyph in row if not glyph.is_space)


def _attach_superscripts(rows: list[list[Glyph]]) -> list[list[Glyph]]:
    """Move a row of small raised glyphs (a footnote mark) into the line it is raised from."""
    if not rows:
        return []  # a blank page
    merged: list[list[Glyph]] = []
    raised: list[Glyph] = []
    for row, below in zip(rows, [*rows[1:], None], strict=True):
        if (
            below is not None
            and _row_size(row) <= _SUPERSCRIPT_SIZE_RATIO * _row_size(below)
            and row[0].y - below[0].y <= _SUPERSCRIPT_RISE_EM * _row_size(below)
        ):
            raised += [glyph._replace(superscript=True) for glyph in row if not glyph.is_space]
        else:
            merged.append(row + raised)
            raised = []
    return merged


def _line(page_number: int, row: list[Glyph]) -> _Line:
    row = sorted(row, key=lambda g: g.x0)
    visible = [glyph for glyph in row if not glyph.is_space]
    body = [glyph for glyph in visible if not glyph.superscript] or visible
    return _Line(
        page=page_number,
        y=max(glyph.y for glyph in body),
        x_start=visible[0].x0,
        x_end=visible[-1].x1,
        size=max(glyph.size for glyph in body),
        text=_row_text(row),
        starts_with_note_mark=visible[0].superscript,
    )


def _row_text(row: list[Glyph]) -> str:
    """Words from glyphs, left to right: a space where one is drawn or where the pen jumps a
    space's width; a footnote mark in brackets ("Convention.[1]"), as the reference writes it."""
    parts: list[str] = []
    previous: Glyph | None = None
    space_pending = False
    for glyph in row:
        if glyph.is_space:
            space_pending = previous is not None
            continue
        if previous is not None:
            if previous.superscript and not glyph.superscript:
                parts.append("]")
            if space_pending or glyph.x0 - previous.x1 > _WORD_GAP_EM * glyph.size:
                parts.append(" ")
        if glyph.superscript and not (previous is not None and previous.superscript):
            parts.append("[")
        parts.append(glyph.text)
        previous, space_pending = glyph, False
    if previous is not None and previous.superscript:
        parts.append("]")
    return "".join(parts)


# --- Blocks: paragraphs and headings -----------------------------------------------------------


@dataclass
class _Block:
    """A paragraph (one output line) or a heading ("Article 5" over its title)."""

    lines: list[str]
    pages: set[int]

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class _Footnote:
    page: int
    mark: str  # "[1]", as the mark is written in the text
    text: str


def _blocks(pages: list[list[_Line]], limits: Limits) -> tuple[list[_Block], list[_Footnote]]:
    """Rebuild paragraphs and heading blocks from the lines of all pages; set footnotes apart."""
    body: list[_Line] = []
    footnotes: list[_Footnote] = []
    for lines in pages:
        text_size = _most_common(round(line.size, 1) for line in lines)
        for index, line in enumerate(lines):
            if line.starts_with_note_mark and line.size < text_size:
                footnotes += _footnotes(lines[index:])
                break
            body.append(line)
    left = _most_common(round(line.x_start) for line in body)
    right = _most_common(round(line.x_end) for line in body)

    blocks: list[_Block] = []
    previous: _Line | None = None
    for count, line in enumerate(body):
        if count % 256 == 0:
            limits.check_time()  # a paragraph of very many lines is slow to join
        text = _tidy(line.text)
        if previous is None or _starts_paragraph(previous, line, left, right):
            blocks.append(_Block([text], {line.page}))
        elif _LABEL.match(blocks[-1].lines[-1]) or _LABEL.match(text):
            blocks[-1].lines.append(text)
            blocks[-1].pages.add(line.page)
        else:
            blocks[-1].lines[-1] = _join_lines(blocks[-1].lines[-1], text)
            blocks[-1].pages.add(line.page)
        previous = line
    return blocks, footnotes


def _footnotes(lines: list[_Line]) -> list[_Footnote]:
    """The footnotes at the foot of a page (lines from the first one led by a mark on): each
    starts at a line led by its mark."""
    groups: list[list[_Line]] = []
    for line in lines:
        if line.starts_with_note_mark:
            groups.append([line])
        else:
            groups[-1].append(line)
    notes = []
    for group in groups:
        text = _tidy(" ".join(line.text for line in group))
        notes.append(_Footnote(group[0].page, text.split(" ", 1)[0], text))
    return notes


def _starts_paragraph(previous: _Line, line: _Line, left: float, right: float) -> bool:
    if previous.page == line.page:
        return previous.y - line.y > _PARAGRAPH_GAP_EM * max(previous.size, line.size)
    # Across a page break the gap says nothing: a paragraph ended if its last line stopped
    # short of the right margin, or the new line is indented or opens a numbered item.
    ended_short = previous.x_end < right - line.size
    indented = line.x_start > left + line.size / 2
    return ended_short or indented or bool(_ITEM_OPENER.match(_tidy(line.text)))


def _join_lines(text: str, continuation: str) -> str:
    """Join a wrapped line; a hyphen at a line's end is part of the word ("Secretary-General")."""
    separator = "" if re.fullmatch(r"\w-", text[-2:]) else " "
    return text + separator + continuation


def _tidy(text: str) -> str:
    """Collapse runs of spaces; write "Article 13." as "Article 13" like every other heading."""
    text = " ".join(text.split())
    return text.rstrip(".") if _LABEL.match(text) else text


def _most_common(values: Iterable[float]) -> float:
    counts = Counter(values)
    return counts.most_common(1)[0][0] if counts else 0.0


# --- Sections: the Convention and its interpretative notes -------------------------------------


def _sections(
    blocks: list[_Block], footnotes: list[_Footnote], pdf_path: Path
) -> tuple[list[_Block], list[_Block]]:
    """Cut the Convention (from its "Annex" label) and the notes out of the resolution.

    The Convention's title is printed in two blocks above "Preamble"; the reference, and so
    bot.treaty.parsing, has it on one line. A footnote goes to the end of the section whose text on
    the footnote's page carries its mark, which is where the reference has footnote 1.
    """
    start = _first(blocks, lambda b: b.text.startswith(f"Annex\n{CONVENTION_TITLE}"))
    preamble = _first(blocks, lambda b: b.lines == ["Preamble"])
    notes_start = _first(blocks, lambda b: b.lines[-1].startswith(NOTES_MARKER))
    if (
        start is None
        or preamble is None
        or notes_start is None
        or not start < preamble < notes_start
    ):
        raise PdfTextError(
            f"{pdf_path} is not the annexed {CONVENTION_TITLE} with its interpretative notes: "
            "use the English PDF of General Assembly resolution A/RES/79/243."
        )
    title = _Block(
        [" ".join(
            line for block in blocks[start:preamble] for line in block.lines if line != "Annex"
        )],
        {page for block in blocks[start:preamble] for page in block.pages},
    )
    blocks[notes_start].lines = [line for line in blocks[notes_start].lines if line != "Annex"]
    return (
        [title, *_with_footnotes(blocks[preamble:notes_start], footnotes)],
        _with_footnotes(blocks[notes_start:], footnotes),
    )


def _with_footnotes(section: list[_Block], footnotes: list[_Footnote]) -> list[_Block]:
    """The section's paragraphs, then the footnotes that its text marks on their page."""
    marked = [
        _Block([note.text], {note.page})
        for note in footnotes
        if any(note.page in block.pages and note.mark in block.text for block in section)
    ]
    return [*section, *marked]


def _first(blocks: list[_Block], condition: Callable[[_Block], bool]) -> int | None:
    return next((index for index, block in enumerate(blocks) if condition(block)), None)
