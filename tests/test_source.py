"""Finding the treaty: a local PDF or text file, or an https URL, each verified by its sha256
(or explicitly unverified); downloads through a cache that cannot be tricked."""

from __future__ import annotations

import hashlib
import shutil
import socket
import time
from pathlib import Path

import pytest
from https_source import https_source

from bot.source.obtain import (
    MAX_DOWNLOAD_BYTES,
    SourceError,
    SourceUnreachable,
    documents,
    official_document,
    public_url,
    read_layout_text,
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
    assert source.is_pdf and source.verified
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
    assert "sha256" in message and "not verified" in message
    assert "--allow-unverified" in message
    assert sha256_of(changed) in message and OFFICIAL_SHA256 in message

    source = resolve_source(str(changed), tmp_path / "cache", allow_unverified=True)
    assert source.is_pdf and not source.verified
    assert source.sha256 == sha256_of(changed) != OFFICIAL_SHA256
    declared = resolve_source(str(changed), tmp_path / "cache", expected_sha256=source.sha256)
    assert declared.verified


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
    with pytest.raises(SourceUnreachable) as caught:
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
    url = f"https://127.0.0.1:{closed_port()}/x.pdf"
    cache = tmp_path / "cache"
    with pytest.raises(SourceUnreachable) as caught:
        resolve_source(url, cache, timeout_s=5)
    message = str(caught.value)
    assert f"could not download {url}" in message
    assert EXPORT_HINT in message
    assert not cache.exists() or list(cache.iterdir()) == []  # no partial file left


def test_plain_http_urls_are_refused_before_any_request(tmp_path: Path) -> None:
    """Issue 16, point 1: a rewritten treaty served over plain http was built with exit 0."""
    with pytest.raises(SourceError) as caught:
        resolve_source(f"http://127.0.0.1:{closed_port()}/x.txt", tmp_path / "cache")
    assert not isinstance(caught.value, SourceUnreachable)
    assert "not an https URL" in str(caught.value)
    with pytest.raises(SourceError, match="not an https URL"):
        resolve_source("ftp://example.org/x.pdf", tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


@pytest.fixture
def server(treaty_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """An https server with the official PDF, a changed copy and a text; trusted through
    SSL_CERT_FILE as an operator's own CA would be."""
    files = {
        treaty_pdf.name: treaty_pdf.read_bytes(),
        "changed.pdf": treaty_pdf.read_bytes() + b"\n% appended bytes\n",
        "treaty.txt": b"Article 7\nIllegal access\n\nRewritten.\n",
    }
    with https_source(files, tmp_path, huge=MAX_DOWNLOAD_BYTES + 1) as source:
        monkeypatch.setenv("SSL_CERT_FILE", str(source.ca_file))
        yield source


def cache_entries(cache: Path) -> list[str]:
    return sorted(p.name for p in cache.iterdir()) if cache.exists() else []


def test_url_is_downloaded_into_the_cache(server, treaty_pdf: Path, tmp_path: Path) -> None:
    url = server.url(treaty_pdf.name)
    cache = tmp_path / "cache"
    source = resolve_source(url, cache, timeout_s=30)
    assert source.is_pdf and source.verified
    assert source.origin == url
    assert source.sha256 == OFFICIAL_SHA256
    assert source.path.parent == cache
    assert sha256_of(source.path) == OFFICIAL_SHA256
    assert cache_entries(cache) == [source.path.name]  # no .partial left

    # The cached copy is what an offline check (or a later build) uses.
    again = resolve_source(url, cache, offline=True)
    assert again.path == source.path and again.sha256 == OFFICIAL_SHA256
    assert server.requests[treaty_pdf.name] == 1


def test_url_serving_something_else_is_refused(server, tmp_path: Path) -> None:
    with pytest.raises(SourceUnreachable, match=r"could not download .*404"):
        resolve_source(server.url("not-there.pdf"), tmp_path / "cache", timeout_s=30)


def test_a_download_with_the_wrong_sha256_is_not_kept(server, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(SourceError, match="it was not kept") as caught:
        resolve_source(server.url("changed.pdf"), cache, timeout_s=30)
    assert OFFICIAL_SHA256 in str(caught.value)
    assert cache_entries(cache) == []
    unverified = resolve_source(server.url("changed.pdf"), cache, allow_unverified=True)
    assert unverified.is_pdf and not unverified.verified


def test_a_text_over_https_needs_its_sha256(server, tmp_path: Path) -> None:
    url, cache = server.url("treaty.txt"), tmp_path / "cache"
    with pytest.raises(SourceError, match="TREATY_SOURCE_SHA256"):
        resolve_source(url, cache, timeout_s=30)
    digest = hashlib.sha256(server.files["treaty.txt"]).hexdigest()
    source = resolve_source(url, cache, expected_sha256=digest, timeout_s=30)
    assert source.verified and not source.is_pdf and source.sha256 == digest


def test_truncated_download_is_not_cached_and_is_fetched_again(
    server, treaty_pdf: Path, tmp_path: Path
) -> None:
    """Issue 16, point 6: a truncated download was cached as complete, so every later build
    failed without asking the server again."""
    url, cache = server.url(f"truncated/{treaty_pdf.name}"), tmp_path / "cache"
    for attempt in (1, 2):
        with pytest.raises(SourceUnreachable, match=r"connection ended|could not download"):
            resolve_source(url, cache, allow_unverified=True, timeout_s=30)
        assert cache_entries(cache) == []
        assert server.requests[f"truncated/{treaty_pdf.name}"] == attempt


def test_planted_partial_link_is_never_written_through(
    server, treaty_pdf: Path, tmp_path: Path
) -> None:
    """Issue 16, point 6: a `.partial` symlink planted in the cache made the download
    overwrite the file it pointed to."""
    url, cache = server.url(treaty_pdf.name), tmp_path / "cache"
    cache.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    stem = hashlib.sha256(url.encode()).hexdigest()[:16]
    for name in (f"{stem}.partial", f"{stem}.download.partial", f".{stem}.partial"):
        (cache / name).symlink_to(victim)
    source = resolve_source(url, cache, timeout_s=30)
    assert victim.read_text() == "keep me"
    assert source.sha256 == OFFICIAL_SHA256 and not source.path.is_symlink()


def test_planted_or_changed_cache_entry_is_downloaded_again(
    server, treaty_pdf: Path, tmp_path: Path
) -> None:
    url, cache = server.url(treaty_pdf.name), tmp_path / "cache"
    cached = resolve_source(url, cache, timeout_s=30).path
    cached.write_bytes(b"%PDF-1.7 planted")
    assert resolve_source(url, cache, timeout_s=30).sha256 == OFFICIAL_SHA256
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(b"%PDF-1.7 planted")
    cached.unlink()
    cached.symlink_to(elsewhere)
    source = resolve_source(url, cache, timeout_s=30)
    assert not source.path.is_symlink() and source.sha256 == OFFICIAL_SHA256
    assert server.requests[treaty_pdf.name] == 3


@pytest.mark.parametrize("path", ["huge", "endless"])
def test_downloads_have_a_size_cap(server, tmp_path: Path, path: str) -> None:
    with pytest.raises(SourceError, match="larger than"):
        resolve_source(server.url(path), tmp_path / "cache", allow_unverified=True, timeout_s=60)
    assert cache_entries(tmp_path / "cache") == []


def test_downloads_have_a_deadline(server, tmp_path: Path) -> None:
    started = time.monotonic()
    with pytest.raises(SourceUnreachable, match="not complete after 1 s"):
        resolve_source(server.url("slow"), tmp_path / "cache", allow_unverified=True, timeout_s=1)
    assert time.monotonic() - started < 5
    assert cache_entries(tmp_path / "cache") == []


def test_redirect_to_plain_http_is_refused(server, tmp_path: Path, treaty_pdf: Path) -> None:
    with pytest.raises(SourceError, match="redirects to a plain http address"):
        resolve_source(server.url(f"to-http/{treaty_pdf.name}"), tmp_path / "cache")


def test_url_credentials_are_never_echoed_or_kept(server, tmp_path: Path) -> None:
    """Issue 16, "also": credentials in a URL were echoed in errors and kept in the manifest."""
    secret_url = server.url("not-there.pdf").replace("https://", "https://reader:hunter2@")
    with pytest.raises(SourceError) as caught:
        resolve_source(secret_url, tmp_path / "cache", timeout_s=30)
    assert "hunter2" not in str(caught.value) and "reader" not in str(caught.value)
    assert server.url("not-there.pdf") in str(caught.value)
    assert public_url("https://u:p@example.org:8443/a?b=c") == "https://example.org:8443/a?b=c"
    source = resolve_source(
        server.url("changed.pdf").replace("https://", "https://reader:hunter2@"),
        tmp_path / "cache",
        allow_unverified=True,
    )
    assert source.origin == server.url("changed.pdf")


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


def text_sha256(path: Path) -> str:
    """What a text source's sha256 is: of the text as read, its notes file included."""
    return hashlib.sha256(read_layout_text(path).encode("utf-8")).hexdigest()


def test_text_file_needs_a_known_sha256(text_copy: Path, tmp_path: Path) -> None:
    """Issue 16, point 1: a text source skipped every integrity check."""
    digest = text_sha256(text_copy)
    with pytest.raises(SourceError) as caught:
        resolve_source(str(text_copy), tmp_path / "cache")
    message = str(caught.value)
    assert "not verified" in message and digest in message
    assert "TREATY_SOURCE_SHA256" in message and "--allow-unverified" in message

    source = resolve_source(str(text_copy), tmp_path / "cache", expected_sha256=digest)
    assert source.verified and not source.is_pdf
    unverified = resolve_source(str(text_copy), tmp_path / "cache", allow_unverified=True)
    assert not unverified.verified and unverified.sha256 == digest
    with pytest.raises(SourceError, match="not verified"):
        resolve_source(str(text_copy), tmp_path / "cache", expected_sha256="0" * 64)


def test_text_file_resolves_with_its_notes(text_copy: Path, tmp_path: Path) -> None:
    source = resolve_source(
        str(text_copy), tmp_path / "cache", expected_sha256=text_sha256(text_copy)
    )
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
    def digest() -> str:
        return resolve_source(str(text_copy), tmp_path / "cache", allow_unverified=True).sha256

    before = digest()
    notes = text_copy.parent / NOTES_FILE
    notes.write_text(notes.read_text(encoding="utf-8") + "\nextra\n", encoding="utf-8")
    assert digest() != before
    with pytest.raises(SourceError, match="not verified"):  # a changed notes file is caught
        resolve_source(str(text_copy), tmp_path / "cache", expected_sha256=before)
    notes.unlink()
    without_notes = resolve_source(str(text_copy), tmp_path / "cache", allow_unverified=True)
    assert NOTES_MARKER not in read_treaty_text(without_notes)
    assert without_notes.sha256 != before


def test_every_document_of_sources_json_is_known_by_id() -> None:
    entries = documents()
    assert official_document().id in entries
    assert all(len(d.sha256) == 64 and d.url.startswith("https://") for d in entries.values())


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
