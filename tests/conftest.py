"""Shared fixtures: the real treaty source and a real index built once per test session.

The treaty is obtained as the build obtains it: `TREATY_SOURCE` (environment or `.env`), else
the shared copy beside the repository when there is one, else the official PDF through the
download cache. The checked reference renderings in `../shared/treaty_text` are only oracles:
tests that need them are skipped without them, and the committed fingerprint
(`tests/data/reference_fingerprint.json`) checks the text instead.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
REFERENCE_DIR = SHARED_DIR / "treaty_text"
SHARED_PDF = REFERENCE_DIR / "source_pdfs" / "A_RES_79_243-EN.pdf"
CONVENTION_FILE = "un_cybercrime_convention.en.txt"
NOTES_FILE = "un_cybercrime_convention_interpretative_notes.en.txt"
BUDAPEST_FILE = "budapest_convention.en.txt"

def _source_setting() -> str | None:
    from bot.settings import Settings

    configured = Settings().treaty_source
    if configured:
        return configured
    return str(SHARED_PDF) if SHARED_PDF.is_file() else None


@pytest.fixture(scope="session")
def treaty_source(tmp_path_factory: pytest.TempPathFactory):
    """The treaty source as the build resolves it (a download lands in the cache). When it
    cannot be had, the session stops with one line saying how to provide it."""
    from bot.settings import Settings
    from bot.source.obtain import SourceError, resolve_source

    settings = Settings()
    try:
        return resolve_source(
            _source_setting(),
            settings.cache_dir,
            expected_sha256=settings.treaty_source_sha256,
            allow_unverified=settings.treaty_allow_unverified,
        )
    except SourceError as error:
        pytest.exit(f"The tests need the treaty text: {error}", returncode=4)


@pytest.fixture(scope="session")
def treaty_pdf(treaty_source) -> Path:
    """The official PDF itself, for the tests of the PDF reader."""
    if not treaty_source.is_pdf:
        pytest.skip(f"TREATY_SOURCE is a text file ({treaty_source.origin}), not the PDF")
    return treaty_source.path


@pytest.fixture(scope="session")
def layout_text(treaty_source) -> str:
    """The Convention and its notes in the parser's layout: the checked reference rendering
    where it is at hand, else what the build reads from the source."""
    if (REFERENCE_DIR / CONVENTION_FILE).is_file():
        return _reference_text()
    from bot.source.obtain import read_treaty_text

    return read_treaty_text(treaty_source)


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The checked plain-text renderings, used only as test oracles."""
    if not (REFERENCE_DIR / CONVENTION_FILE).is_file():
        pytest.skip(f"the checked reference renderings are not in {REFERENCE_DIR}")
    return REFERENCE_DIR


@pytest.fixture(scope="session")
def reference_text(reference_dir: Path) -> str:
    """The checked rendering of the convention followed by its interpretative notes."""
    return _reference_text()


@pytest.fixture(scope="session")
def budapest_text() -> str:
    path = REFERENCE_DIR / BUDAPEST_FILE
    if not path.is_file():
        pytest.skip(f"the Budapest Convention text is not in {REFERENCE_DIR}")
    return path.read_text(encoding="utf-8")


def _reference_text() -> str:
    convention = (REFERENCE_DIR / CONVENTION_FILE).read_text(encoding="utf-8")
    notes = (REFERENCE_DIR / NOTES_FILE).read_text(encoding="utf-8")
    return convention + "\n\n" + notes


@pytest.fixture(scope="session")
def index_settings(treaty_source, tmp_path_factory: pytest.TempPathFactory):
    """Settings for a real index built once per session from the treaty source."""
    from bot.index.build import build_index
    from bot.settings import Settings

    root = tmp_path_factory.mktemp("index")
    settings = Settings(
        _env_file=None,
        treaty_source=str(treaty_source.path),
        # A text source is verified by the sha256 the environment declared for it.
        treaty_source_sha256=None if treaty_source.is_pdf else treaty_source.sha256,
        treaty_allow_unverified=not treaty_source.verified,
        index_dir=root / "index",
        cache_dir=root / "cache",
    )
    build_index(settings, show_progress=False, report=lambda _line: None)
    return settings


@pytest.fixture(scope="session")
def retriever(index_settings):
    from bot.search.retriever import Retriever

    return Retriever.load(index_settings)
