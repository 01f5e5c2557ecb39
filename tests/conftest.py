"""Shared fixtures: the real treaty source and a real index built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def treaty_pdf() -> Path:
    source = os.environ.get("TREATY_SOURCE")
    path = Path(source) if source else SHARED_DIR / "treaty_text/source_pdfs/A_RES_79_243-EN.pdf"
    if not path.is_file():
        pytest.fail(f"set TREATY_SOURCE to the official PDF (looked for {path})")
    return path


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    """The checked plain-text renderings, used only as test oracles."""
    path = SHARED_DIR / "treaty_text"
    if not path.is_dir():
        pytest.fail(f"the reference texts are expected in {path}")
    return path


@pytest.fixture(scope="session")
def reference_text(reference_dir: Path) -> str:
    """The checked rendering of the convention followed by its interpretative notes."""
    convention = (reference_dir / "un_cybercrime_convention.en.txt").read_text(encoding="utf-8")
    notes = (reference_dir / "un_cybercrime_convention_interpretative_notes.en.txt").read_text(
        encoding="utf-8"
    )
    return convention + "\n\n" + notes


@pytest.fixture(scope="session")
def index_settings(treaty_pdf: Path, tmp_path_factory: pytest.TempPathFactory):
    """Settings for a real index built once per session from TREATY_SOURCE."""
    from bot.index.build import build_index
    from bot.settings import Settings

    root = tmp_path_factory.mktemp("index")
    settings = Settings(
        _env_file=None,
        treaty_source=str(treaty_pdf),
        index_dir=root / "index",
        cache_dir=root / "cache",
    )
    build_index(settings, show_progress=False, report=lambda _line: None)
    return settings


@pytest.fixture(scope="session")
def retriever(index_settings):
    from bot.search.retriever import Retriever

    return Retriever.load(index_settings)
