"""Reading a PDF page's content stream into positioned glyphs: generic PDF machinery, apart
from the Convention's page layout (`pdf_layout`).

The operations are read by a small tokenizer of our own, and the text operators are followed
through the graphics state to place every glyph drawn outside pagination artifacts, with the
widths and text of the fonts as `pdf_fonts` reads them.
"""

from __future__ import annotations

import dataclasses
import math
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from pypdf import PageObject

from bot.errors import TreatyBotError
from bot.source.pdf_fonts import Font, read_font

# --- Limits: what a hostile file may cost ------------------------------------------------------


class LimitExceeded(TreatyBotError):
    """Reading went past one of the `Limits`; the message says which, in plain words."""


@dataclass(frozen=True)
class Limits:
    """What reading one PDF may cost: a few kilobytes of compressed content can otherwise
    unpack into millions of glyphs (gigabytes of memory) or minutes of work."""

    max_pages: int
    max_page_content_bytes: int  # a page's content stream, decompressed
    max_page_glyphs: int
    deadline: float  # time.monotonic() by which the whole file must be read
    seconds: float  # the time allowed, for the message

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise LimitExceeded(f"reading it took more than {self.seconds:g} s")


_CHECK_EVERY = 1024  # operations between two looks at the clock


# --- Operations: tokenizing a content stream ---------------------------------------------------

_SPACE = rb"(?:[\x00\t\n\x0c\r ]|%[^\r\n]*)*"
_TOKEN = re.compile(
    rb"""(?:(?P<number>[+-]?(?:\d+\.?\d*|\.\d+))
    |(?P<name>/[^\x00\t\n\x0c\r ()<>\[\]{}/%]*)
    |(?P<literal>\((?:[^()\\]|\\.)*\))
    |(?P<hex><[0-9A-Fa-f\x00\t\n\x0c\r ]*>)
    |(?P<open><<|\[|\{)
    |(?P<close>>>|\]|\})
    |(?P<word>[^\x00\t\n\x0c\r ()<>\[\]{}/%]+))"""
    + _SPACE,
    re.VERBOSE | re.DOTALL,
)
_LEADING_SPACE = re.compile(_SPACE)
_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_STRING_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n|\r|\n)|(.))", re.DOTALL)
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_INLINE_IMAGE_END = re.compile(rb"\sEI(?=[\x00\t\n\x0c\r ]|$)")
_KEYWORDS: dict[bytes, Any] = {b"true": True, b"false": False, b"null": None}


def _operations(data: bytes) -> Iterator[tuple[bytes, list[Any]]]:
    """Yield (operator, operands) from a content stream.

    Our own small tokenizer: pypdf's content-stream parser gives the same operations but takes
    five times as long (5 s against 1 s for the Convention's 46 pages).
    """
    operands: list[Any] = []
    containers: list[list[Any]] = []  # open arrays and dictionaries, innermost last
    position, end = _LEADING_SPACE.match(data).end(), len(data)
    while position < end:
        target = containers[-1] if containers else operands
        match = _TOKEN.match(data, position)
        if match is None:
            if data[position] == ord("("):
                value, position = _nested_literal(data, position)
                target.append(value)
            else:
                position += 1  # a stray delimiter: skip it as viewers do
            continue
        position = match.end()
        kind = match.lastgroup
        token = match[kind]
        if kind == "number":
            target.append(float(token))
        elif kind == "name":
            target.append(_NAME_ESCAPE.sub(lambda m: bytes.fromhex(m[1].decode()), token[1:]))
        elif kind == "literal":
            target.append(_unescape(token[1:-1]))
        elif kind == "hex":
            target.append(_hex_string(token[1:-1]))
        elif kind == "open":
            containers.append([])
        elif kind == "close":
            if containers:
                closed = containers.pop()
                (containers[-1] if containers else operands).append(closed)
        elif token in _KEYWORDS:
            target.append(_KEYWORDS[token])
        elif token == b"BI":  # an inline image: its binary data runs up to "EI"
            found = _INLINE_IMAGE_END.search(data, position)
            position = found.end() if found else end
            operands, containers = [], []
        else:
            yield token, operands
            operands, containers = [], []


def _hex_string(digits: bytes) -> bytes:
    try:
        return bytes.fromhex(digits.decode())
    except ValueError:  # an odd number of digits: the last one is followed by an implied 0
        digits = re.sub(rb"[^0-9A-Fa-f]", b"", digits)
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())


def _nested_literal(data: bytes, start: int) -> tuple[bytes, int]:
    """A literal string with balanced parentheses inside, which the token pattern cannot match."""
    depth, position = 0, start
    while position < len(data):
        byte = data[position]
        if byte == ord("\\"):
            position += 2
            continue
        if byte == ord("("):
            depth += 1
        elif byte == ord(")"):
            depth -= 1
            if depth == 0:
                return _unescape(data[start + 1 : position]), position + 1
        position += 1
    return _unescape(data[start + 1 :]), len(data)


def _unescape(body: bytes) -> bytes:
    if b"\\" not in body:
        return body

    def replace(match: re.Match[bytes]) -> bytes:
        octal, line_break, other = match.groups()
        if octal:
            return bytes([int(octal, 8) & 0xFF])
        return b"" if line_break else _ESCAPED.get(other, other)

    return _STRING_ESCAPE.sub(replace, body)


# --- Glyphs: interpreting the operations -------------------------------------------------------


class Glyph(NamedTuple):  # a tuple: pages hold thousands, made fast
    x0: float
    x1: float
    y: float  # baseline
    size: float  # font size as drawn
    text: str
    is_space: bool
    superscript: bool = False


@dataclass
class _TextState:
    """The text parameters that q/Q save and restore with the graphics state."""

    font: Font | None = None
    size: float = 0.0
    char_spacing: float = 0.0
    word_spacing: float = 0.0
    horizontal_scale: float = 1.0
    leading: float = 0.0
    rise: float = 0.0


_Matrix = tuple[float, float, float, float, float, float]
_IDENTITY: _Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
_SHOW_TEXT = (b"Tj", b"TJ", b"'", b'"')


def _multiply(m: _Matrix, n: _Matrix) -> _Matrix:
    return (
        m[0] * n[0] + m[1] * n[2],
        m[0] * n[1] + m[1] * n[3],
        m[2] * n[0] + m[3] * n[2],
        m[2] * n[1] + m[3] * n[3],
        m[4] * n[0] + m[5] * n[2] + n[4],
        m[4] * n[1] + m[5] * n[3] + n[5],
    )


def _as_matrix(operands: list[Any]) -> _Matrix:
    a, b, c, d, e, f = (float(value) for value in operands)
    return (a, b, c, d, e, f)


def _translate(matrix: _Matrix, tx: float, ty: float) -> _Matrix:
    return _multiply((1.0, 0.0, 0.0, 1.0, tx, ty), matrix)


def _page_fonts(page: PageObject) -> dict[bytes, Font]:
    resources = page.get("/Resources")
    fonts = resources.get_object().get("/Font") if resources else None
    if not fonts:
        return {}
    return {
        name[1:].encode("latin-1"): read_font(font.get_object())
        for name, font in fonts.get_object().items()
    }


def page_glyphs(page: PageObject, limits: Limits) -> list[Glyph]:
    """Every glyph drawn on the page outside pagination artifacts, in points from the page corner.

    Text inside form XObjects is not read: Word draws none there. Raises `LimitExceeded` past
    `limits`.
    """
    contents = page.get_contents()
    if contents is None:
        return []
    data = contents.get_data()
    if len(data) > limits.max_page_content_bytes:
        raise LimitExceeded(
            f"a page's content is {len(data):,} bytes, more than the "
            f"{limits.max_page_content_bytes:,} allowed"
        )
    fonts = _page_fonts(page)
    glyphs: list[Glyph] = []
    ctm, saved = _IDENTITY, []
    state = _TextState()
    line_matrix = text_matrix = _IDENTITY
    artifact: list[bool] = []  # per open marked-content sequence: is it an artifact?
    for count, (operator, operands) in enumerate(_operations(data)):
        if count % _CHECK_EVERY == 0:
            limits.check_time()
        try:
            if operator in (b"'", b'"'):
                if operator == b'"':
                    state.word_spacing, state.char_spacing = float(operands[0]), float(operands[1])
                line_matrix = text_matrix = _translate(line_matrix, 0.0, -state.leading)
            if operator in _SHOW_TEXT:
                shown = operands[-1]
                text_matrix = _show_text(
                    shown if isinstance(shown, list) else [shown],
                    state,
                    text_matrix,
                    ctm,
                    None if any(artifact) else glyphs,
                    limits.max_page_glyphs,
                )
            elif operator == b"Tf":
                state.font, state.size = fonts.get(operands[0]), float(operands[1])
            elif operator == b"Tm":
                line_matrix = text_matrix = _as_matrix(operands)
            elif operator in (b"Td", b"TD"):
                tx, ty = float(operands[0]), float(operands[1])
                if operator == b"TD":
                    state.leading = -ty
                line_matrix = text_matrix = _translate(line_matrix, tx, ty)
            elif operator == b"T*":
                line_matrix = text_matrix = _translate(line_matrix, 0.0, -state.leading)
            elif operator == b"BT":
                line_matrix = text_matrix = _IDENTITY
            elif operator == b"Tc":
                state.char_spacing = float(operands[0])
            elif operator == b"Tw":
                state.word_spacing = float(operands[0])
            elif operator == b"Tz":
                state.horizontal_scale = float(operands[0]) / 100
            elif operator == b"TL":
                state.leading = float(operands[0])
            elif operator == b"Ts":
                state.rise = float(operands[0])
            elif operator == b"q":
                saved.append((ctm, dataclasses.replace(state)))
            elif operator == b"Q" and saved:
                ctm, state = saved.pop()
            elif operator == b"cm":
                ctm = _multiply(_as_matrix(operands), ctm)
            elif operator in (b"BDC", b"BMC"):
                artifact.append(operands[0] == b"Artifact")
            elif operator == b"EMC" and artifact:
                artifact.pop()
        except (IndexError, TypeError, ValueError):
            continue  # a malformed operation changes nothing; the next one may be fine
    return glyphs


def _show_text(
    items: list[Any],
    state: _TextState,
    text_matrix: _Matrix,
    ctm: _Matrix,
    glyphs: list[Glyph] | None,
    max_glyphs: int,
) -> _Matrix:
    """Place the glyphs of one text-showing operation (into glyphs unless it is None) and
    return the text matrix after them; at most `max_glyphs` on the page.

    Composite fonts are read with two-byte codes (Identity-H, which Word writes).
    """
    font = state.font
    if font is None:
        return text_matrix
    a, b, c, d, e, f = _multiply(text_matrix, ctm)
    size = state.size * math.hypot(c, d)
    widths, missing_width, characters = font.widths, font.missing_width, font.characters
    advance = 0.0  # along the baseline, in text space
    for item in items:
        if isinstance(item, float):  # a TJ adjustment, in thousandths of an em
            advance -= item / 1000 * state.size * state.horizontal_scale
            continue
        if not isinstance(item, bytes):
            continue
        if font.composite:
            codes: Iterable[int] = [
                high << 8 | low for high, low in zip(item[::2], item[1::2], strict=False)
            ]
        else:
            codes = item
        for code in codes:
            width = widths.get(code, missing_width) / 1000 * state.size + state.char_spacing
            if code == 32 and not font.composite:  # word spacing applies to the one-byte space
                width += state.word_spacing
            width *= state.horizontal_scale
            if glyphs is not None:
                x = e + advance * a + state.rise * c
                y = f + advance * b + state.rise * d
                text = characters.get(code, "\ufffd")  # a code the font gives no text for
                glyphs.append(Glyph(x, x + width * a, y, size, text, not text.strip()))
                if len(glyphs) > max_glyphs:
                    raise LimitExceeded(f"a page draws more than {max_glyphs:,} characters")
            advance += width
    return _translate(text_matrix, advance, 0.0)
