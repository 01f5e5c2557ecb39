"""The on-disk index: a versioned build folder behind an atomically swapped `current` link.

Layout of `INDEX_DIR` (documented in index/README.md):
    current -> builds/<build id>      the live build; replaced in one rename
    builds/<build id>/manifest.json   what was built from what, with a sha256 of every file
                     /treaty.json     the parsed structure
                     /chunks.jsonl    search units with citations
                     /vectors.faiss   normalised embeddings, inner-product index
                     /vectors.multilingual.faiss   the same units in the multilingual space
                     /aids.jsonl, aids.multilingual.faiss   multilingual search aids
                     /bm25/           the bm25s index
                     /query_model/    ONNX copy of the embedding model, for fast questions
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.chunking import Chunk
from bot.search_aids import SearchAid
from bot.source import sha256_of
from bot.treaty import Treaty

INDEX_FORMAT = 2
CURRENT_LINK = "current"
BUILDS_DIR = "builds"
MANIFEST = "manifest.json"
TREATY_JSON = "treaty.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.faiss"
MULTILINGUAL_VECTORS = "vectors.multilingual.faiss"
AIDS = "aids.jsonl"
AID_VECTORS = "aids.multilingual.faiss"
BM25_DIR = "bm25"
QUERY_MODEL_DIR = "query_model"


class IndexNotReady(RuntimeError):
    """No usable index: missing, stale or corrupted. The message says how to build one."""


BUILD_HINT = "Build it with `treaty-build-index` (or `make run`, which builds it when needed)."


@dataclass(frozen=True)
class LoadedIndex:
    directory: Path  # the resolved build folder, stable even if `current` moves on
    manifest: dict[str, Any]
    treaty: Treaty
    chunks: list[Chunk]
    vectors: Any  # faiss.IndexFlatIP
    multilingual_vectors: Any | None  # faiss.IndexFlatIP, when a multilingual model is set
    aids: list[SearchAid]  # search phrases in the other UN languages (bot.search_aids)
    aid_vectors: Any | None  # faiss.IndexFlatIP over `aids` in the multilingual space
    lexical: Any  # bot.lexical.LexicalIndex
    query_model: Path | None  # bot.embedding.OnnxQueryEncoder's folder, when the model has one


def current_build(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT_LINK
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def read_manifest(build_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def file_checksums(build_dir: Path) -> dict[str, str]:
    """sha256 of every file in a build, keyed by its path relative to the build folder."""
    return {
        path.relative_to(build_dir).as_posix(): sha256_of(path)
        for path in sorted(build_dir.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def corrupted_files(build_dir: Path, manifest: dict[str, Any]) -> list[str]:
    expected: dict[str, str] = manifest.get("files", {})
    actual = file_checksums(build_dir)
    return sorted(name for name in expected.keys() | actual.keys()
                  if expected.get(name) != actual.get(name))


def load_index(index_dir: Path) -> LoadedIndex:
    """Load the live build, refusing one whose files do not match their recorded checksums."""
    import faiss

    from bot.lexical import LexicalIndex

    build_dir = current_build(index_dir)
    manifest = read_manifest(build_dir) if build_dir else None
    if build_dir is None or manifest is None:
        raise IndexNotReady(f"No index in {index_dir}. {BUILD_HINT}")
    if manifest.get("format") != INDEX_FORMAT:
        raise IndexNotReady(f"The index in {index_dir} has an older format. {BUILD_HINT}")
    damaged = corrupted_files(build_dir, manifest)
    if damaged:
        raise IndexNotReady(
            f"The index in {build_dir} is corrupted ({', '.join(damaged)} do not match "
            f"manifest.json). Rebuild it with `treaty-build-index --force`."
        )
    treaty = Treaty.from_json(json.loads((build_dir / TREATY_JSON).read_text(encoding="utf-8")))
    with (build_dir / CHUNKS).open(encoding="utf-8") as handle:
        chunks = [Chunk.from_json(json.loads(line)) for line in handle]
    aids = []
    if (build_dir / AIDS).is_file():
        with (build_dir / AIDS).open(encoding="utf-8") as handle:
            aids = [SearchAid(**json.loads(line)) for line in handle]

    def optional_vectors(name: str):
        return faiss.read_index(str(build_dir / name)) if (build_dir / name).is_file() else None

    return LoadedIndex(
        directory=build_dir,
        manifest=manifest,
        treaty=treaty,
        chunks=chunks,
        vectors=faiss.read_index(str(build_dir / VECTORS)),
        multilingual_vectors=optional_vectors(MULTILINGUAL_VECTORS),
        aids=aids,
        aid_vectors=optional_vectors(AID_VECTORS),
        lexical=LexicalIndex.load(build_dir / BM25_DIR),
        query_model=build_dir / QUERY_MODEL_DIR if manifest.get("query_model") else None,
    )
