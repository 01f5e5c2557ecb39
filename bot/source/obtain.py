"""Obtain the treaty text: a local PDF or text file, an https URL, or the official UN PDF.

The text is never part of the repository. Every source is verified or explicitly unverified:
its sha256 must be the one `treaty_text/sources.json` gives for the document, or the one given
with the source (TREATY_SOURCE_SHA256); otherwise only `--allow-unverified` lets it through, and
the build is then marked unverified. URLs must be https (a redirect too), since plain http can
be rewritten on the way.

Downloads go into the cache through a fresh file created with O_EXCL (a planted file or link
is never written through), are cut off past a size cap and a deadline, and are kept only once
complete and verified, so a bad download is fetched again next time instead of failing for ever.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import TreatyBotError
from bot.settings import TREATY_TEXT_DIR
from bot.treaty.layout import BUDAPEST_SOURCE_ID, NOTES_MARKER

SOURCES_FILE = TREATY_TEXT_DIR / "sources.json"
CONVENTION_SOURCE_ID = "A/RES/79/243-en"
PDF_MAGIC = b"%PDF-"
MAX_DOWNLOAD_BYTES = 64 * 1024 * 1024  # the official PDF is 0.5 MB
READ_TIMEOUT_S = 15.0  # one silent read; the whole download has its own deadline
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
OFFLINE_HINT = (
    "Offline? Set TREATY_SOURCE to a local copy of the official PDF: "
    "export TREATY_SOURCE=/path/to/A_RES_79_243-EN.pdf (or a TREATY_SOURCE=... line in .env)."
)


class SourceError(TreatyBotError, RuntimeError):
    """The treaty text cannot be obtained or is not the expected document; says how to fix it."""


class SourceUnreachable(SourceError):
    """The source is a URL that cannot be fetched now (offline, no answer, an HTTP error)."""


@dataclass(frozen=True)
class OfficialDocument:
    id: str
    title: str
    symbol: str
    url: str
    sha256: str
    language: str
    adopted: str | None = None  # ISO date of adoption, where sources.json gives one


@dataclass(frozen=True)
class TreatySource:
    path: Path  # a local file, downloaded or cached when the source was a URL
    origin: str  # what the user named (path or URL without credentials), for messages
    is_pdf: bool
    sha256: str  # of the source bytes (PDF) or of the text, notes included (text layout)
    verified: bool = True  # sha256 is the known one; False only with --allow-unverified


def documents() -> dict[str, OfficialDocument]:
    """Every document entry of sources.json, by id."""
    data = json.loads(SOURCES_FILE.read_text(encoding="utf-8"))
    fields = OfficialDocument.__dataclass_fields__
    return {
        entry["id"]: OfficialDocument(**{key: entry[key] for key in fields if key in entry})
        for entry in data["documents"]
    }


def official_document(document_id: str = CONVENTION_SOURCE_ID) -> OfficialDocument:
    return documents()[document_id]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def public_url(url: str) -> str:
    """The URL without user name and password, for messages and the manifest."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def resolve_source(
    treaty_source: str | None,
    cache_dir: Path,
    *,
    document: OfficialDocument | None = None,
    expected_sha256: str | None = None,
    allow_unverified: bool = False,
    offline: bool = False,
    timeout_s: float = 60.0,
) -> TreatySource:
    """Find the text of `document` (default: the Convention), downloading it when the source
    is a URL or unset and not yet cached, and verify it.

    Verified means: its sha256 is `expected_sha256` when one is given with the source, else
    the document's in sources.json. `offline` uses only what is already on disk (for the cheap
    staleness check).
    """
    document = document or official_document()
    origin = treaty_source or document.url
    expected = expected_sha256 or document.sha256
    if _URL.match(origin):
        path = _cached_download(
            origin,
            cache_dir,
            expected,
            allow_unverified=allow_unverified,
            offline=offline,
            timeout_s=timeout_s,
        )
        origin = public_url(origin)
        file_digest = sha256_of(path)
        is_pdf = _is_pdf(path)
        # A downloaded text is read alone: nothing planted beside it in the cache joins it.
        digest = file_digest if is_pdf else _text_digest(_read_utf8(path))
        verified = file_digest == expected
    else:
        path = Path(origin).expanduser()
        if not path.is_file():
            raise SourceError(
                f"TREATY_SOURCE={origin!r} is not a file. Set it to the official PDF "
                "(A_RES_79_243-EN.pdf), a text file in the reference layout, or an https URL."
            )
        is_pdf = _is_pdf(path)
        digest = sha256_of(path) if is_pdf else _text_digest(read_layout_text(path))
        verified = digest == expected
    if not verified and not allow_unverified:
        raise SourceError(_unverified_message(origin, is_pdf, digest, expected, document))
    return TreatySource(path, origin, is_pdf, digest, verified)


def resolve_budapest_source(
    budapest_source: str | None,
    *,
    expected_sha256: str | None = None,
    allow_unverified: bool = False,
) -> TreatySource | None:
    """The Budapest Convention's text file (BUDAPEST_SOURCE), verified like the Convention's
    source: its file's sha256 is `expected_sha256` when given, else the one sources.json gives
    (that of the checked rendering). None when it is not set."""
    if not budapest_source:
        return None
    document = official_document(BUDAPEST_SOURCE_ID)
    path = Path(budapest_source).expanduser()
    if _URL.match(budapest_source) or not path.is_file():
        raise SourceError(
            f"BUDAPEST_SOURCE={budapest_source!r} is not a file. Set it to a UTF-8 text file "
            "of the Budapest Convention in the layout of budapest_convention.en.txt, or unset "
            "it to index A/RES/79/243 alone."
        )
    if _is_pdf(path):
        raise SourceError(
            f"BUDAPEST_SOURCE={budapest_source!r} is a PDF; it must be a UTF-8 text file in the "
            "layout of budapest_convention.en.txt (one paragraph per line)."
        )
    _read_utf8(path)
    digest = sha256_of(path)
    expected = expected_sha256 or document.sha256
    verified = digest == expected
    if not verified and not allow_unverified:
        known = (f"the checked rendering listed in treaty_text/sources.json has {expected}"
                 if expected == document.sha256 else f"BUDAPEST_SOURCE_SHA256 is {expected}")
        raise SourceError(
            f"{budapest_source} is not verified: its sha256 is {digest}, but {known}. If you "
            "have checked this file, set BUDAPEST_SOURCE_SHA256 to its sha256; to build from "
            "it anyway, marked unverified, use --allow-unverified (or "
            "TREATY_ALLOW_UNVERIFIED=true)."
        )
    return TreatySource(path, budapest_source, False, digest, verified)


def budapest_url() -> str:
    """The Council of Europe's address of the Budapest Convention (no page anchors: the text
    is a rendering, whose pages are not the official print's)."""
    return official_document(BUDAPEST_SOURCE_ID).url


def _is_pdf(path: Path) -> bool:
    with path.open("rb") as handle:
        return handle.read(len(PDF_MAGIC)) == PDF_MAGIC


def _unverified_message(
    origin: str, is_pdf: bool, digest: str, expected: str, document: OfficialDocument
) -> str:
    what = "PDF" if is_pdf else "text (with its notes file, if one is beside it)"
    if expected == document.sha256:
        known = f"the official {document.symbol} PDF has {expected} (treaty_text/sources.json)"
    else:
        known = f"TREATY_SOURCE_SHA256 is {expected}"
    return (
        f"{origin} is not verified: the sha256 of its {what} is {digest}, but {known}. "
        "If you have checked this source, set TREATY_SOURCE_SHA256 to its sha256; to build "
        "from it anyway, marked unverified, use --allow-unverified (or "
        "TREATY_ALLOW_UNVERIFIED=true). A new official revision belongs in sources.json."
    )


@dataclass(frozen=True)
class TreatyText:
    """The treaty in the reference layout, and for a PDF the pages (1-based) printing each of
    its non-empty lines, in order; a text source has no pages (an empty map)."""

    text: str
    line_pages: tuple[tuple[int, ...], ...] = ()
    # The resolution A/RES/79/243 itself, read from the official PDF only ("" otherwise).
    resolution: str = ""
    resolution_line_pages: tuple[tuple[int, ...], ...] = ()


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
        return TreatyText(extracted.text, extracted.line_pages, extracted.resolution,
                          extracted.resolution_line_pages)
    if _URL.match(source.origin):
        return TreatyText(_read_utf8(source.path))
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


# --- Downloads --------------------------------------------------------------------------------


def _cached_download(
    url: str,
    cache_dir: Path,
    expected: str,
    *,
    allow_unverified: bool,
    offline: bool,
    timeout_s: float,
) -> Path:
    """The cached copy of `url`: kept from an earlier download when it is still a regular
    file with the expected sha256 (or any, when unverified sources are allowed), downloaded
    again otherwise."""
    shown = public_url(url)
    if urlsplit(url).scheme.lower() != "https":
        raise SourceError(
            f"{shown} is not an https URL: only https URLs (or a local file) are read, since "
            "plain http can be altered on the way. Use the https address, or download the "
            "file yourself and set TREATY_SOURCE to its path."
        )
    cached = cache_dir / f"{hashlib.sha256(url.encode()).hexdigest()[:16]}.download"
    if _usable(cached, expected, allow_unverified):
        return cached
    if offline:
        raise SourceUnreachable(
            f"the treaty text has not been downloaded yet and this check does not download. "
            f"{OFFLINE_HINT} The official address is {official_document().url}"
        )
    _download(url, cache_dir, cached, expected, allow_unverified, timeout_s)
    return cached


def _usable(cached: Path, expected: str, allow_unverified: bool) -> bool:
    """Whether a cached copy may be used; one that may not (a link, a changed file) is
    removed so that it is fetched again."""
    try:
        info = cached.lstat()
    except FileNotFoundError:
        return False
    if cached.is_symlink() or not cached.is_file() or info.st_size == 0:
        cached.unlink(missing_ok=True)
        return False
    if allow_unverified or sha256_of(cached) == expected:
        return True
    cached.unlink(missing_ok=True)
    return False


def _download(
    url: str,
    cache_dir: Path,
    cached: Path,
    expected: str,
    allow_unverified: bool,
    timeout_s: float,
) -> None:
    import httpx

    shown = public_url(url)

    def https_only(request: httpx.Request) -> None:  # every hop of a redirect, too
        if request.url.scheme != "https":
            raise SourceError(
                f"{shown} redirects to a plain http address ({public_url(str(request.url))}): "
                "only https is followed. Download the file yourself and set TREATY_SOURCE to it."
            )

    deadline = time.monotonic() + timeout_s
    timeout = httpx.Timeout(min(READ_TIMEOUT_S, timeout_s))
    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, partial_name = tempfile.mkstemp(dir=cache_dir, prefix=".", suffix=".partial")
    partial = Path(partial_name)
    try:
        with (
            os.fdopen(handle, "wb") as output,
            httpx.Client(
                timeout=timeout,
                follow_redirects=True,
                headers={"User-Agent": "treaty-bot", "Accept-Encoding": "identity"},
                event_hooks={"request": [https_only]},
            ) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code != 200:
                raise SourceUnreachable(
                    f"could not download {shown} (HTTP {response.status_code} "
                    f"{response.reason_phrase}). {OFFLINE_HINT}"
                )
            declared = _declared_length(response.headers.get("Content-Length"))
            if declared is not None and declared > MAX_DOWNLOAD_BYTES:
                raise SourceError(_too_large(shown))
            digest, received = hashlib.sha256(), 0
            for chunk in response.iter_raw():
                received += len(chunk)
                if received > MAX_DOWNLOAD_BYTES:
                    raise SourceError(_too_large(shown))
                if time.monotonic() > deadline:
                    raise SourceUnreachable(
                        f"could not download {shown}: not complete after {timeout_s:g} s "
                        f"(DOWNLOAD_TIMEOUT_S). {OFFLINE_HINT}"
                    )
                digest.update(chunk)
                output.write(chunk)
        if received == 0 or (declared is not None and received != declared):
            raise SourceUnreachable(
                f"could not download {shown}: the connection ended after {received} of "
                f"{declared if declared is not None else 'an unknown number of'} bytes. "
                f"{OFFLINE_HINT}"
            )
        if digest.hexdigest() != expected and not allow_unverified:
            raise SourceError(
                f"{shown} served a file whose sha256 is {digest.hexdigest()}, not the expected "
                f"{expected} (treaty_text/sources.json or TREATY_SOURCE_SHA256); it was not "
                "kept. If you have checked it, set TREATY_SOURCE_SHA256 to its sha256, or "
                "build from it marked unverified with --allow-unverified."
            )
        os.replace(partial, cached)
    except httpx.HTTPError as error:
        raise SourceUnreachable(
            f"could not download {shown} ({_without(url, str(error)) or type(error).__name__})"
            f". {OFFLINE_HINT}"
        ) from None
    except OSError as error:
        raise SourceError(
            f"could not save the download of {shown} in {cache_dir} "
            f"({error.strerror or error}); set CACHE_DIR to a writable folder."
        ) from error
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()


def _declared_length(value: str | None) -> int | None:
    return int(value) if value is not None and value.strip().isdigit() else None


def _too_large(shown: str) -> str:
    return (
        f"{shown} is larger than {MAX_DOWNLOAD_BYTES // (1024 * 1024)} MB, far more than the "
        "treaty PDF (0.5 MB): not downloaded. Check the address."
    )


def _without(url: str, text: str) -> str:
    """An error text with the URL's credentials taken out."""
    parts = urlsplit(url)
    for secret in (parts.password, parts.username):
        if secret:
            text = text.replace(secret, "…")
    return text.replace(url, public_url(url))
