"""Reading glyph widths and text from font dictionaries, on small hand-made fonts."""

from __future__ import annotations

import ast
from pathlib import Path

from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
)

from bot.source.pdf_fonts import WIN_ANSI, cid_widths, read_font, to_unicode_map

# The shape Word writes: sections run together on few lines, ranges mixed with single codes.
WORD_CMAP = b"""/CIDInit /ProcSet findresource begin
12 dict begin begincmap
/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
1 begincodespacerange <0000> <FFFF> endcodespacerange
2 beginbfchar
<0003> <0020>
<001A><0037>
endbfchar
2 beginbfrange
<0044> <0046> <0061>
<00B3> <00B4> <201C>
endbfrange
1 beginbfrange <0010> <0012> [<0066006C> <D835DC00> <>] endbfrange
endcmap CMapName currentdict /CMap defineresource pop end end"""


def _names(dictionary: dict[str, object]) -> DictionaryObject:
    return DictionaryObject({NameObject(key): value for key, value in dictionary.items()})


def _numbers(*values: int) -> ArrayObject:
    return ArrayObject(NumberObject(value) for value in values)


def test_cmap_single_codes_and_ranges() -> None:
    assert to_unicode_map(WORD_CMAP) == {
        0x03: " ",
        0x1A: "7",
        0x44: "a",
        0x45: "b",
        0x46: "c",
        0xB3: "“",
        0xB4: "”",
        0x10: "fl",  # a ligature's text is two letters
        0x11: "𝐀",  # a surrogate pair
        0x12: "",  # drawn, but no text
    }


def test_cmap_range_counts_up_the_last_unit_of_its_text() -> None:
    cmap = b"beginbfrange <20> <22> <D835DC00> endbfrange"
    assert to_unicode_map(cmap) == {0x20: "𝐀", 0x21: "𝐁", 0x22: "𝐂"}


def test_cmap_hex_strings_may_be_broken_by_spaces_or_odd() -> None:
    assert to_unicode_map(b"beginbfchar <00 41> <0 04> endbfchar") == {0x41: "@"}


def test_cid_widths_in_both_forms() -> None:
    w = [0, [778], 3, [250], 11, [333, 333.5], 20, 22, 500, 30, [600]]
    assert cid_widths(w) == {
        0: 778,
        3: 250,
        11: 333,
        12: 333.5,
        20: 500,
        21: 500,
        22: 500,
        30: 600,
    }


def test_cid_widths_stop_at_a_truncated_entry() -> None:
    assert cid_widths([5, [400], 7, 9]) == {5: 400}


def test_win_ansi_differs_from_code_page_1252_only_where_the_pdf_standard_says() -> None:
    differences = {
        code: character
        for code, character in WIN_ANSI.items()
        if code >= 0x20 and bytes([code]).decode("cp1252", "replace") != character
    }
    assert differences == {
        0x7F: "•",
        0x81: "•",
        0x8D: "•",
        0x8F: "•",
        0x90: "•",
        0x9D: "•",
        0xA0: " ",
        0xAD: "-",
    }
    assert [WIN_ANSI[code] for code in (0x41, 0x80, 0x93, 0x94, 0x96, 0xE9)] == list("A€“”–é")


def test_simple_truetype_font() -> None:
    font = read_font(
        _names(
            {
                "/Type": NameObject("/Font"),
                "/Subtype": NameObject("/TrueType"),
                "/Encoding": NameObject("/WinAnsiEncoding"),
                "/FirstChar": NumberObject(32),
                "/Widths": _numbers(250, 333, 408),
                "/FontDescriptor": _names({"/MissingWidth": NumberObject(100)}),
            }
        )
    )
    assert not font.composite
    assert font.widths == {32: 250, 33: 333, 34: 408}
    assert font.missing_width == 100
    assert font.characters[0x41] == "A" and font.characters[0x93] == "“"


def test_type0_identity_h_font() -> None:
    cmap = DecodedStreamObject()
    cmap.set_data(WORD_CMAP)
    descendant = _names(
        {
            "/Subtype": NameObject("/CIDFontType2"),
            "/W": ArrayObject(
                [NumberObject(3), _numbers(250), *_numbers(68, 70), FloatObject(444.5)]
            ),
            "/DW": NumberObject(1000),
        }
    )
    font = read_font(
        _names(
            {
                "/Subtype": NameObject("/Type0"),
                "/Encoding": NameObject("/Identity-H"),
                "/DescendantFonts": ArrayObject([descendant]),
                "/ToUnicode": cmap,
            }
        )
    )
    assert font.composite
    assert font.widths == {3: 250, 68: 444.5, 69: 444.5, 70: 444.5}
    assert font.missing_width == 1000
    assert font.characters == to_unicode_map(WORD_CMAP)


def test_a_cid_font_without_dw_uses_the_standard_default() -> None:
    descendant = _names({"/Subtype": NameObject("/CIDFontType2")})
    font = read_font(
        _names({"/Subtype": NameObject("/Type0"), "/DescendantFonts": ArrayObject([descendant])})
    )
    assert (font.widths, font.missing_width, font.characters) == ({}, 1000, {})


def test_the_pdf_reader_imports_nothing_private_from_pypdf() -> None:
    """pypdf may change its private modules in any release."""
    private = []
    for path in sorted(Path(__file__).parents[1].joinpath("bot", "source").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported = [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            else:
                continue
            private += [
                f"{path.name}: {name}"
                for name in imported
                if name.split(".")[0] == "pypdf"
                and any(part.startswith("_") for part in name.split("."))
            ]
    assert not private, private
