"""The PDF-to-text step, measured against the checked reference rendering, and its refusals."""

from __future__ import annotations

import difflib
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from bot.source.pdf_layout import PdfTextError, extract_treaty_text
from bot.treaty.parsing import parse_treaty_text, validate

MIN_WORD_RECALL = 0.999
MAX_EXTRA_WORDS = 0.002
MIN_LINES_REPRODUCED = 0.99


@dataclass(frozen=True)
class WordAlignment:
    reference_words: int
    matched: int
    extra: int


@pytest.fixture(scope="module")
def extraction(treaty_pdf: Path) -> str:
    return extract_treaty_text(treaty_pdf)


@pytest.fixture(scope="module")
def alignment(extraction: str, reference_text: str) -> WordAlignment:
    reference, extracted = reference_text.split(), extraction.split()
    matcher = difflib.SequenceMatcher(None, reference, extracted, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return WordAlignment(len(reference), matched, len(extracted) - matched)


def test_reference_words_come_out_in_order(alignment: WordAlignment) -> None:
    recall = alignment.matched / alignment.reference_words
    assert recall >= MIN_WORD_RECALL, f"only {recall:.4%} of the reference words matched in order"


def test_hardly_any_words_are_added(alignment: WordAlignment) -> None:
    extra = alignment.extra / alignment.reference_words
    assert extra <= MAX_EXTRA_WORDS, f"{alignment.extra} extra words ({extra:.4%})"


def test_paragraphs_and_headings_are_laid_out_like_the_reference(
    extraction: str, reference_text: str
) -> None:
    extracted_lines = set(extraction.splitlines())
    reference_lines = [line for line in reference_text.splitlines() if line.strip()]
    missing = [line for line in reference_lines if line not in extracted_lines]
    assert len(missing) <= (1 - MIN_LINES_REPRODUCED) * len(reference_lines), missing[:5]


def test_headers_footers_and_job_numbers_are_gone(extraction: str) -> None:
    residue = re.findall(r"A/RES/79/243|24-24621|\b\d{1,2}/46\b", extraction)
    assert not residue, residue[:5]


def test_words_split_by_kerning_are_joined(extraction: str) -> None:
    words = set(extraction.split())
    assert {"videoconference", "article", "Secretary-General"} <= words
    assert "videoc onference" not in extraction
    assert " a rticle " not in extraction


def test_footnote_follows_the_closing_clause(extraction: str) -> None:
    convention, _, _ = extraction.partition("Interpretative notes on specific articles")
    last_paragraphs = convention.strip().split("\n\n")[-2:]
    assert last_paragraphs[0].startswith("IN WITNESS WHEREOF")
    assert last_paragraphs[0].endswith("Convention.[1]")
    assert last_paragraphs[1].startswith("[1] It is noted that interpretative notes")


def test_output_parses_and_validates(extraction: str, treaty_pdf: Path) -> None:
    sha256 = hashlib.sha256(treaty_pdf.read_bytes()).hexdigest()
    treaty = parse_treaty_text(extraction, sha256)
    validate(treaty, extraction)
    assert [a.number for a in treaty.articles] == list(range(1, 69))
    assert len(treaty.chapters) == 9
    assert len(treaty.notes) == 5
    assert {n for note in treaty.notes for n in note.articles} == {2, 17, 23, 35}


def _one_page_pdf(text: str) -> bytes:
    """A minimal, well-formed PDF showing one line of text in Helvetica."""
    content = b"BT /F1 12 Tf 72 720 Td (" + text.encode("latin-1") + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%b\nendstream" % (len(content), content),
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%b\nendobj\n" % (number, body)
    xref_at = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(pdf)


def _first_pages(pdf: bytes, count: int) -> bytes:
    writer = PdfWriter()
    for page in PdfReader(io.BytesIO(pdf)).pages[:count]:
        writer.add_page(page)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _password_protected(pdf: bytes) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf))
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _compressed_pdf(content: bytes, pages: int = 1) -> bytes:
    """A small PDF whose page content is `content`, flate-compressed (so a few kilobytes can
    unpack into megabytes)."""
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    writer = PdfWriter()
    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"),
        NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"),
    }))
    for _ in range(pages):
        page = writer.add_blank_page(612, 792)
        page[NameObject("/Resources")] = DictionaryObject({
            NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})
        })
        stream = DecodedStreamObject()
        stream.set_data(content)
        page[NameObject("/Contents")] = writer._add_object(stream.flate_encode())
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _glyph_bomb(_: bytes) -> bytes:
    """Issue 16, point 7: a 5 KB file that unpacks to millions of glyphs (1.3 GB before)."""
    return _compressed_pdf(b"BT /F1 10 Tf 50 700 Td (" + b"A" * 900_000 + b") Tj ET")


def _slow_page(_: bytes) -> bytes:
    """Issue 16, point 7: 40,000 tiny lines of one paragraph on a page (81 s before)."""
    lines = b"".join(b"0 -0.5 Td (word) Tj\n" for _ in range(40_000))
    return _compressed_pdf(b"BT /F1 1 Tf 50 780 Td " + lines + b"ET")


BAD_INPUTS = {
    "empty": (lambda _: b"", "is empty"),
    "an HTML error page": (lambda _: b"<!DOCTYPE html><title>403 Forbidden</title>", "not a PDF"),
    "truncated": (lambda real: real[:100_000], "is truncated"),
    "damaged in the middle": (
        lambda real: real[:200_000] + bytes(50_000) + real[250_000:],
        "is not a readable PDF",
    ),
    "another document": (
        lambda _: _one_page_pdf("A resolution on something else entirely."),
        "is not the annexed",
    ),
    "the resolution without its annex": (lambda real: _first_pages(real, 3), "is not the annexed"),
    "password-protected": (
        lambda _: _password_protected(_one_page_pdf("Secret text.")),
        "is password-protected",
    ),
    "a glyph bomb": (_glyph_bomb, "a page draws more than 40,000 characters"),
    "a slow page": (_slow_page, "a page draws more than 40,000 characters"),
    "a decompression bomb": (
        lambda _: _compressed_pdf(b" " * 50_000_000),
        "a stream or structure is larger than allowed",
    ),
    "too many pages": (lambda _: _compressed_pdf(b"", pages=201), "more than 200"),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_refused_in_one_sentence(case: str, treaty_pdf: Path, tmp_path: Path) -> None:
    make, expected = BAD_INPUTS[case]
    path = tmp_path / "input.pdf"
    path.write_bytes(make(treaty_pdf.read_bytes()))
    with pytest.raises(PdfTextError) as refused:
        extract_treaty_text(path)
    message = str(refused.value)
    assert expected in message
    assert str(path) in message
    assert "\n" not in message and "Traceback" not in message


def test_extraction_has_a_time_limit(treaty_pdf: Path) -> None:
    with pytest.raises(PdfTextError, match=r"beyond what the PDF reader accepts: reading it took"):
        extract_treaty_text(treaty_pdf, seconds=0.05)


BOMB_SCRIPT = """
import resource, sys
from pathlib import Path
from bot.source.pdf_layout import PdfTextError, extract_treaty_text
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    extract_treaty_text(Path(sys.argv[1]))
except PdfTextError as error:
    print(str(error))
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_a_glyph_bomb_is_refused_within_little_memory(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "bomb.pdf"
    path.write_bytes(_glyph_bomb(b""))
    assert path.stat().st_size < 10_000
    done = subprocess.run(
        [sys.executable, "-c", BOMB_SCRIPT, str(path)],
        capture_output=True, text=True, timeout=120, check=True,
    )
    message, growth_mb = done.stdout.strip().splitlines()
    assert "more than 40,000 characters" in message
    assert int(growth_mb) < 100, f"reading a 5 KB file grew memory by {growth_mb} MB"
