"""Glyph widths and code-to-text maps, read from a PDF's font dictionaries.

pypdf keeps its font model private, so the two kinds of font that Word writes are read here:
simple TrueType fonts (/WinAnsiEncoding, /FirstChar, /Widths) and Type0 fonts with two-byte
Identity-H codes (/W and /DW in the CIDFontType2 descendant, text from the /ToUnicode CMap).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pypdf.generic import PdfObject, StreamObject

# WinAnsiEncoding is code page 1252 except where the PDF standard (ISO 32000-1, Annex D) names
# other glyphs: codes 1252 leaves unused (and 0x7F) draw a bullet, 0xA0 a space and 0xAD a
# hyphen, which Python would read as a no-break space and an invisible soft hyphen.
WIN_ANSI: dict[int, str] = {
    code: bytes([code]).decode("cp1252", "replace") for code in range(256)
} | {0x7F: "•", 0x81: "•", 0x8D: "•", 0x8F: "•", 0x90: "•", 0x9D: "•", 0xA0: " ", 0xAD: "-"}

_DEFAULT_CID_WIDTH = 1000.0  # /DW when a CIDFont has none
_MAX_CODE = 0xFFFF  # codes have one or two bytes: a longer range is malformed, not to be run
_CMAP_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.DOTALL)
_CMAP_TOKEN = re.compile(rb"<([0-9A-Fa-f\s]*)>|[\[\]]")


@dataclass(frozen=True)
class Font:
    """What placing a glyph needs; widths are in thousandths of an em, as PDF fonts give them."""

    composite: bool  # two bytes per code (Identity-H), otherwise one
    widths: dict[int, float]
    missing_width: float  # for codes without a width
    characters: dict[int, str]


def read_font(font: Mapping[str, Any]) -> Font:
    """A font resource's widths and text. Any Type0 font is read as Identity-H and any simple
    font as WinAnsi, which the other standard encodings agree with on letters and digits."""
    to_unicode = _direct(font.get("/ToUnicode"))
    characters = (
        to_unicode_map(to_unicode.get_data()) if isinstance(to_unicode, StreamObject) else {}
    )
    if _direct(font.get("/Subtype")) == "/Type0":
        descendant = _direct(_direct(font["/DescendantFonts"])[0])
        return Font(
            composite=True,
            widths=cid_widths(_direct(descendant.get("/W", []))),
            missing_width=float(_direct(descendant.get("/DW", _DEFAULT_CID_WIDTH))),
            characters=characters,
        )
    first_code = int(_direct(font.get("/FirstChar", 0)))
    descriptor = _direct(font.get("/FontDescriptor")) or {}
    return Font(
        composite=False,
        widths={
            code: float(_direct(width))
            for code, width in enumerate(_direct(font.get("/Widths", [])), start=first_code)
        },
        missing_width=float(_direct(descriptor.get("/MissingWidth", 0))),
        characters=WIN_ANSI | characters,
    )


def cid_widths(w: list[Any]) -> dict[int, float]:
    """A CIDFont's /W array, which mixes `c [w1 w2 ...]` (widths from code c on) and
    `c_first c_last w` (one width for a range of codes)."""
    widths: dict[int, float] = {}
    items = [_direct(item) for item in w]
    index = 0
    while index + 1 < len(items):
        first, following = int(items[index]), items[index + 1]
        if isinstance(following, list):
            widths.update(
                zip(range(first, first + len(following)), map(_number, following), strict=False)
            )
            index += 2
        elif index + 2 < len(items):
            last = min(int(following), _MAX_CODE)
            widths.update(dict.fromkeys(range(first, last + 1), float(items[index + 2])))
            index += 3
        else:
            break
    return widths


def to_unicode_map(cmap: bytes) -> dict[int, str]:
    """Text by code from a /ToUnicode CMap's bfchar and bfrange sections."""
    characters: dict[int, str] = {}
    for kind, body in _CMAP_SECTION.findall(cmap):
        tokens = iter(_cmap_tokens(body))
        if kind == b"bfchar":
            for source, destination in zip(tokens, tokens, strict=False):
                if isinstance(source, bytes) and isinstance(destination, bytes):
                    characters[int.from_bytes(source, "big")] = _utf16(destination)
            continue
        for low, high, destination in zip(tokens, tokens, tokens, strict=False):
            if not (isinstance(low, bytes) and isinstance(high, bytes)):
                break
            last = min(int.from_bytes(high, "big"), _MAX_CODE)
            codes = range(int.from_bytes(low, "big"), last + 1)
            if destination == "[":  # one destination per code
                destinations = list(iter(tokens.__next__, "]"))
                characters.update(
                    (code, _utf16(text))
                    for code, text in zip(codes, destinations, strict=False)
                    if isinstance(text, bytes)
                )
            elif isinstance(destination, bytes) and destination:
                # Consecutive codes map to text whose last UTF-16 unit counts up.
                head, last_unit = destination[:-2], int.from_bytes(destination[-2:], "big")
                for offset, code in enumerate(codes):
                    unit = (last_unit + offset) & 0xFFFF
                    characters[code] = _utf16(head + unit.to_bytes(2, "big"))
    return characters


def _cmap_tokens(body: bytes) -> list[bytes | str]:
    """Hex strings as bytes, brackets as "[" and "]" (a str, so no string can pass for one)."""
    return [
        _hex(match[1]) if match[1] is not None else match[0].decode()
        for match in _CMAP_TOKEN.finditer(body)
    ]


def _hex(digits: bytes) -> bytes:
    """An odd last digit is followed by an implied 0."""
    digits = re.sub(rb"\s", b"", digits)
    return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())


def _utf16(text: bytes) -> str:
    return text.decode("utf-16-be", "replace")


def _number(value: Any) -> float:
    return float(_direct(value))


def _direct(value: Any) -> Any:
    """The object behind an indirect reference; pypdf resolves them on `d[key]`, not `d.get`."""
    return value.get_object() if isinstance(value, PdfObject) else value
