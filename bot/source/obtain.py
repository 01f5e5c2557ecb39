"""Obtain the treaty text: a local PDF or text file, an http(s) URL, or the official UN PDF.

The text is never part of the repository; `treaty_text/sources.json` names the official
document and the sha256 a PDF must have, so a changed or corrupted file is caught before parsing.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bot.errors import TreatyBotError
from bot.settings import TREATY_TEXT_DIR
from bot.treaty.layout import NOTES_MARKER

SOURCES_FILE = TREATY_TEXT_DIR / "sources.json"
PDF_MAGIC = b"%PDF-"
OFFLINE_HINT = (
    "Offline? Set TREATY_SOURCE to a local copy of the official PDF: "
    "export TREATY_SOURCE=/path/to/A_RES_79_243-EN.pdf (or a TREATY_SOURCE=... line in .env)."
)


class SourceError(TreatyBotError, RuntimeError):
    """The treaty text cannot be obtained or is not the expected document; says how to fix it."""


@dataclass(frozen=True)
class OfficialDocument:
    id: str
    title: str
    symbol: str
    url: str
    sha256: str
    language: str


@dataclass(frozen=True)
class TreatySource:
    path: Path  # a local file, downloaded or cached when the source was a URL
    origin: str  # what the user named (path or URL), for messages
    is_pdf: bool
    sha256: str  # of the source bytes (PDF) or of the text, notes included (text layout)


def official_document() -> OfficialDocument:
    data = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))
    fields = data["documents"][0]
    return OfficialDocument(**{key: fields[key] for key in OfficialDocument.__dataclass_fields__})


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def resolve_source(
    treaty_source: str | None,
    cache_dir: Path,
    *,
    allow_unverified: bool = False,
    offline: bool = False,
    timeout_s: float = 60.0,
) -> TreatySource:
    """Find the treaty file, downloading it when it is a URL or unset and not yet cached.

    `offline` uses only what is already on disk (for the cheap staleness check).
    """
    official = official_document()
    origin = treaty_source or official.url
    if origin.startswith(("http://", "https://")):
        path = _cached_download(origin, cache_dir, offline=offline, timeout_s=timeout_s)
        if path is None:
            raise SourceError(  # only offline: a failed download raises in _cached_download
                "the treaty text has not been downloaded yet and this check does not download. "
                f"{OFFLINE_HINT} The official address is {official.url}"
            )
    else:
        path = Path(origin).expanduser()
        if not path.is_file():
            raise SourceError(
                f"TREATY_SOURCE={origin!r} is not a file. Set it to the official PDF "
                "(A_RES_79_243-EN.pdf), a text file in the reference layout, or an http(s) URL."
            )
    with path.open("rb") as handle:
        is_pdf = handle.read(len(PDF_MAGIC)) == PDF_MAGIC
    if is_pdf:
        digest = sha256_of(path)
        if digest != official.sha256 and not allow_unverified:
            raise SourceError(
                f"{origin} is not the official {official.symbol} PDF: its sha256 is {digest}, "
                f"expected {official.sha256} (treaty_text/sources.json). If this is a new "
                "official revision, rebuild with --allow-unverified (or "
                "TREATY_ALLOW_UNVERIFIED=true) and update sources.json."
            )
        return TreatySource(path, origin, True, digest)
    return TreatySource(path, origin, False, _text_digest(read_layout_text(path)))


@dataclass(frozen=True)
class TreatyText:
    """The treaty in the reference layout, and for a PDF the pages (1-based) printing each of
    its non-empty lines, in order; a text source has no pages (an empty map)."""

    text: str
    line_pages: tuple[tuple[int, ...], ...] = ()


def read_treaty_text(source: TreatySource) -> str:
    """The convention and its interpretative notes in the reference layout."""
    return read_treaty(source).text


def read_treaty(source: TreatySource) -> TreatyText:
    """The text of `read_treaty_text` with its page map."""
    if source.is_pdf:
        from bot.source.pdf_layout import PdfTextError, extract_treaty

        try:
            extracted = extract_treaty(source.path)
        except PdfTextError as error:  # damaged or not the Convention: a source problem
            raise SourceError(str(error)) from error
        return TreatyText(extracted.text, extracted.line_pages)
    return TreatyText(read_layout_text(source.path))


def official_pdf_url(source_sha256: str) -> str | None:
    """The official document's address when the text was read from the official PDF itself
    (its pages are then the official ones); None otherwise."""
    official = official_document()
    return official.url if source_sha256 == official.sha256 else None


def page_link(pdf_url: str, page: int) -> str:
    """`pdf_url` opened at `page` (the PDF's page, 1-based), as PDF viewers read it."""
    return f"{pdf_url}#page={page}"


def read_layout_text(path: Path) -> str:
    """A text source, with the notes from a `<name>_interpretative_notes.<ext>` file beside it."""
    text = _read_utf8(path)
    stem, dot, suffixes = path.name.partition(".")
    notes = path.with_name(f"{stem}_interpretative_notes{dot}{suffixes}")
    if NOTES_MARKER not in text and notes.is_file():
        text = f"{text.rstrip()}\n\n{_read_utf8(notes)}"
    return text


def _read_utf8(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise SourceError(
            f"{path} is neither a PDF nor UTF-8 text (byte {error.start} is not UTF-8)"
        ) from error


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cached_download(url: str, cache_dir: Path, *, offline: bool, timeout_s: float) -> Path | None:
    cached = cache_dir / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}.download"
    if cached.is_file() or offline:
        return cached if cached.is_file() else None
    partial = cached.with_suffix(".partial")
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        request = urllib.request.Request(url, headers={"User-Agent": "treaty-bot"})
        with urllib.request.urlopen(request, timeout=timeout_s) as response, partial.open(
            "wb"
        ) as handle:
            shutil.copyfileobj(response, handle)
        partial.replace(cached)
    except (urllib.error.URLError, OSError, TimeoutError) as error:
        partial.unlink(missing_ok=True)
        raise SourceError(f"could not download {url} ({error}). {OFFLINE_HINT}") from error
    return cached
