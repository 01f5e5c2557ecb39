"""Finding the treaty: local PDF (sha256-checked), text file with its notes, or an http URL."""

from __future__ import annotations

import functools
import hashlib
import shutil
import socket
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from bot.source.obtain import (
    SourceError,
    official_document,
    read_treaty_text,
    resolve_source,
    sha256_of,
)
from bot.treaty.layout import NOTES_MARKER
from bot.treaty.parsing import parse_treaty_text

OFFICIAL_SHA256 = "9bfdcfd876a1f02f171096dc2f46ed076763079fa206df2f70c6b31355f9315f"
EXPORT_HINT = "export TREATY_SOURCE=/path/to/A_RES_79_243-EN.pdf"
CONVENTION_FILE = "un_cybercrime_convention.en.txt"
NOTES_FILE = "un_cybercrime_convention_interpretative_notes.en.txt"


def test_sources_json_names_the_official_pdf(treaty_pdf: Path) -> None:
    official = official_document()
    assert official.sha256 == OFFICIAL_SHA256 == sha256_of(treaty_pdf)
    assert official.symbol == "A/RES/79/243"
    assert official.url.startswith("https://documents.un.org/")


def test_official_pdf_is_accepted(treaty_pdf: Path, tmp_path: Path) -> None:
    source = resolve_source(str(treaty_pdf), tmp_path / "cache")
    assert source.is_pdf
    assert source.sha256 == OFFICIAL_SHA256
    assert source.path == treaty_pdf
    assert source.origin == str(treaty_pdf)
    assert not (tmp_path / "cache").exists()  # a local file is not copied anywhere


def test_changed_pdf_is_refused_unless_unverified_is_allowed(
    treaty_pdf: Path, tmp_path: Path
) -> None:
    changed = tmp_path / "A_RES_79_243-EN.pdf"
    changed.write_bytes(treaty_pdf.read_bytes() + b"\n% appended bytes\n")
    with pytest.raises(SourceError) as caught:
        resolve_source(str(changed), tmp_path / "cache")
    message = str(caught.value)
    assert "sha256" in message
    assert "--allow-unverified" in message
    assert sha256_of(changed) in message and OFFICIAL_SHA256 in message

    source = resolve_source(str(changed), tmp_path / "cache", allow_unverified=True)
    assert source.is_pdf
    assert source.sha256 == sha256_of(changed) != OFFICIAL_SHA256


def test_missing_path_says_to_set_treaty_source(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "treaty.pdf"
    with pytest.raises(SourceError) as caught:
        resolve_source(str(missing), tmp_path / "cache")
    message = str(caught.value)
    assert f"TREATY_SOURCE={str(missing)!r} is not a file" in message
    assert "Set it to the official PDF" in message


def test_offline_without_source_or_cache_says_how_to_point_at_a_local_copy(
    tmp_path: Path,
) -> None:
    empty_cache = tmp_path / "cache"
    empty_cache.mkdir()
    with pytest.raises(SourceError) as caught:
        resolve_source(None, empty_cache, offline=True)
    message = str(caught.value)
    assert "has not been downloaded yet" in message
    assert "this check does not download" in message
    assert EXPORT_HINT in message
    assert "TREATY_SOURCE=... line in .env" in message
    assert "\n" not in message
    assert official_document().url in message
    assert list(empty_cache.iterdir()) == []


def closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # closed again when the block ends: nothing listens


def test_unreachable_url_gives_the_local_copy_hint(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{closed_port()}/x.pdf"
    cache = tmp_path / "cache"
    with pytest.raises(SourceError) as caught:
        resolve_source(url, cache, timeout_s=5)
    message = str(caught.value)
    assert f"could not download {url}" in message
    assert EXPORT_HINT in message
    assert not cache.exists() or list(cache.iterdir()) == []  # no partial file left


@pytest.fixture
def pdf_server(treaty_pdf: Path) -> Iterator[str]:
    """A local http server whose only document is the official PDF; yields its base URL."""

    class QuietHandler(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(QuietHandler, directory=str(treaty_pdf.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_url_is_downloaded_into_the_cache(pdf_server: str, treaty_pdf: Path, tmp_path: Path):
    url = f"{pdf_server}/{treaty_pdf.name}"
    cache = tmp_path / "cache"
    source = resolve_source(url, cache, timeout_s=30)
    assert source.is_pdf
    assert source.origin == url
    assert source.sha256 == OFFICIAL_SHA256
    assert source.path.parent == cache
    assert sha256_of(source.path) == OFFICIAL_SHA256
    assert [p.name for p in cache.iterdir()] == [source.path.name]  # no .partial left

    # The cached copy is what an offline check (or a later build) uses.
    again = resolve_source(url, cache, offline=True)
    assert again.path == source.path and again.sha256 == OFFICIAL_SHA256


def test_url_serving_something_else_is_refused(pdf_server: str, tmp_path: Path) -> None:
    missing = f"{pdf_server}/not-there.pdf"
    with pytest.raises(SourceError, match=r"could not download .*404"):
        resolve_source(missing, tmp_path / "cache", timeout_s=30)


@pytest.fixture
def text_copy(layout_text: str, tmp_path: Path) -> Path:
    """The treaty as a text source: the Convention in one file, its notes in the file beside
    it, named as the reference renderings are."""
    folder = tmp_path / "texts"
    folder.mkdir()
    convention, marker, notes = layout_text.partition(NOTES_MARKER)
    (folder / CONVENTION_FILE).write_text(convention.rstrip() + "\n", encoding="utf-8")
    (folder / NOTES_FILE).write_text(marker + notes, encoding="utf-8")
    return folder / CONVENTION_FILE


def test_text_file_resolves_with_its_notes(text_copy: Path, tmp_path: Path) -> None:
    source = resolve_source(str(text_copy), tmp_path / "cache")
    assert not source.is_pdf
    assert source.path == text_copy
    text = read_treaty_text(source)
    convention = text_copy.read_text(encoding="utf-8")
    notes = (text_copy.parent / NOTES_FILE).read_text(encoding="utf-8")
    assert text.startswith(convention.rstrip())
    assert text.rstrip().endswith(notes.rstrip())
    assert NOTES_MARKER in text
    assert source.sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    treaty = parse_treaty_text(text, source.sha256)
    assert [n.articles for n in treaty.notes] == [(2,), (2,), (17,), (23, 35), (35,)]


def test_text_digest_covers_the_notes(text_copy: Path, tmp_path: Path) -> None:
    before = resolve_source(str(text_copy), tmp_path / "cache").sha256
    notes = text_copy.parent / NOTES_FILE
    notes.write_text(notes.read_text(encoding="utf-8") + "\nextra\n", encoding="utf-8")
    assert resolve_source(str(text_copy), tmp_path / "cache").sha256 != before
    notes.unlink()
    without_notes = resolve_source(str(text_copy), tmp_path / "cache")
    assert NOTES_MARKER not in read_treaty_text(without_notes)
    assert without_notes.sha256 != before


def test_damaged_pdf_is_a_source_error(treaty_pdf: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.pdf"
    truncated.write_bytes(treaty_pdf.read_bytes()[:100_000])
    source = resolve_source(str(truncated), tmp_path / "cache", allow_unverified=True)
    with pytest.raises(SourceError, match="truncated"):
        read_treaty_text(source)


def test_home_relative_path_is_expanded(
    treaty_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path written with `~`, as in .env, is found under $HOME."""
    home = tmp_path / "home"
    home.mkdir()
    shutil.copy(treaty_pdf, home / "treaty.pdf")
    monkeypatch.setenv("HOME", str(home))
    source = resolve_source("~/treaty.pdf", tmp_path / "cache")
    assert source.path == home / "treaty.pdf"
    assert source.sha256 == OFFICIAL_SHA256
