"""The on-disk index, written and read in this one module: a versioned build folder behind an
atomically swapped `current` link.

Layout of `INDEX_DIR` (documented in index/README.md):
    current -> builds/<build id>      the live build; replaced in one rename
    builds/<build id>/manifest.json   what was built from what, with a sha256 of every file
                     /treaty.json     the parsed structure
                     /chunks.jsonl    search units with citations
                     /vectors.faiss   normalised embeddings, inner-product index
                     /vectors.multilingual.faiss   the same units in the multilingual space
                     /aids.jsonl, aids.multilingual.faiss, aids.bm25/   multilingual search aids
                     /paragraph_aids.jsonl, paragraph_aids.multilingual.faiss   entries per
                                      paragraph, English first, then the other five
                                      languages' (`lang`); paragraph_aids.faiss: the English;
                                      paragraph_aids.bm25/<lang>/: each language's words
                     /scope_examples.jsonl, scope_examples.faiss,
                      scope_examples.multilingual.faiss   questions the text does not answer
                     /clauses.jsonl, clauses.faiss, clauses.multilingual.faiss
                                      each paragraph's clauses, in both spaces
                     /bm25/           BM25 scores of the chunks' words (bot.encoding.bm25)
                     /instruments.json   the resolution and (when loaded) the Budapest text
                     /instrument_units.jsonl, instruments.faiss,
                      instruments.multilingual.faiss, instruments.bm25/
                                      their paragraphs as search units, in both spaces
                     /cross_references.json   the articles each Convention paragraph names
                     /query_model/    ONNX copy of the embedding model, for fast questions
                     /multilingual_model/   fast-loading copy of the multilingual model
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.encoding.lexical import aid_tokens, tokenize
from bot.errors import TreatyBotError
from bot.index.chunking import Chunk, Clause, InstrumentUnit
from bot.index.search_aids import ParagraphAid, ScopeExample, SearchAid
from bot.source.obtain import sha256_of
from bot.treaty.instruments import Resolution, budapest_from_json, budapest_json
from bot.treaty.layout import BUDAPEST_ID, RESOLUTION_ID
from bot.treaty.model import Treaty

if TYPE_CHECKING:  # NumPy comes with it: not needed to decide that a build is a no-op
    from bot.encoding.bm25 import Bm25

# 3: model copies that load fast; 4: clauses, pages, sub-paragraph units; 5: the resolution's
# paragraphs, the Budapest Convention, cross-references; 6: the paragraph aids' words
INDEX_FORMAT = 6
CURRENT_LINK = "current"
BUILDS_DIR = "builds"
STAGING_PREFIX = ".staging-"
MANIFEST = "manifest.json"
TREATY_JSON = "treaty.json"
CHUNKS = "chunks.jsonl"
VECTORS = "vectors.faiss"
MULTILINGUAL_VECTORS = "vectors.multilingual.faiss"
AIDS = "aids.jsonl"
AID_VECTORS = "aids.multilingual.faiss"
AID_WORDS = "aids.bm25"
PARAGRAPH_AIDS = "paragraph_aids.jsonl"
PARAGRAPH_AID_VECTORS = "paragraph_aids.faiss"
PARAGRAPH_AID_MULTILINGUAL_VECTORS = "paragraph_aids.multilingual.faiss"
PARAGRAPH_AID_WORDS = "paragraph_aids.bm25"
SCOPE_EXAMPLES = "scope_examples.jsonl"
SCOPE_EXAMPLE_VECTORS = "scope_examples.faiss"
SCOPE_EXAMPLE_MULTILINGUAL_VECTORS = "scope_examples.multilingual.faiss"
CLAUSES = "clauses.jsonl"
CLAUSE_VECTORS = "clauses.faiss"
CLAUSE_MULTILINGUAL_VECTORS = "clauses.multilingual.faiss"
BM25_DIR = "bm25"
INSTRUMENTS_JSON = "instruments.json"
INSTRUMENT_UNITS = "instrument_units.jsonl"
INSTRUMENT_VECTORS = "instruments.faiss"
INSTRUMENT_MULTILINGUAL_VECTORS = "instruments.multilingual.faiss"
INSTRUMENT_WORDS = "instruments.bm25"
CROSS_REFERENCES = "cross_references.json"
QUERY_MODEL_DIR = "query_model"
MULTILINGUAL_MODEL_DIR = "multilingual_model"
KEEP_PREVIOUS_BUILDS = 1  # a reader that resolved the old link keeps its files


class IndexNotReady(TreatyBotError, RuntimeError):
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
    aids: list[SearchAid]  # search phrases in the other UN languages (bot.index.search_aids)
    aid_vectors: Any | None  # faiss.IndexFlatIP over `aids` in the multilingual space
    aid_words: Bm25 | None  # over `aids`, tokenised by bot.encoding.lexical.aid_tokens
    clauses: list[Clause]  # every paragraph's clauses (bot.index.chunking.clauses_of)
    clause_vectors: Any  # faiss.IndexFlatIP over `clauses`, in the configured model's space
    clause_multilingual_vectors: Any | None  # the same in the multilingual space
    lexical: Bm25  # over the chunks' search texts, tokenised by bot.encoding.lexical
    query_model: Path | None  # bot.encoding.encoders.OnnxQueryEncoder's folder, when it has one
    multilingual_model: Path | None  # bot.encoding.use_copy's folder, when it has one
    instruments: Instruments  # the resolution and the Budapest Convention, as far as loaded
    # "ARTICLE.POSITION" of a Convention paragraph -> the other articles its text names.
    cross_references: dict[str, list[int]]
    paragraph_aids: list[ParagraphAid]  # per paragraph, English first (bot.index.search_aids)
    paragraph_aid_vectors: Embedded  # the English `paragraph_aids`; all, multilingual
    # per language, over its `paragraph_aids` in their order, tokenised as `aid_words`
    paragraph_aid_words: dict[str, Bm25]
    scope_examples: list[ScopeExample]  # questions outside the text, by subject
    scope_example_vectors: Embedded  # over `scope_examples`, in both spaces (None: none)


@dataclass(frozen=True)
class Instruments:
    """The documents beside the Convention and their search units: the resolution (None when
    the source was a text file) and the Budapest Convention (None without BUDAPEST_SOURCE)."""

    resolution: Resolution | None
    budapest: Treaty | None
    units: list[InstrumentUnit]
    vectors: Any | None  # faiss.IndexFlatIP over `units`, None when there are none
    multilingual_vectors: Any | None
    lexical: Bm25 | None


# --- Reading --------------------------------------------------------------------------------


def current_build(index_dir: Path) -> Path | None:
    link = index_dir / CURRENT_LINK
    return link.resolve() if link.is_symlink() and link.resolve().is_dir() else None


def read_manifest(build_dir: Path) -> dict[str, Any] | None:
    try:
        return json.loads((build_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# Files holding the text that quotes are taken from: hashed at every open, however they look.
QUOTED_TEXT_SUFFIXES = (".json", ".jsonl")


def _build_files(build_dir: Path) -> list[Path]:
    return [p for p in build_dir.rglob("*") if p.is_file() and p.name != MANIFEST]


def file_checksums(build_dir: Path, paths: Sequence[Path] | None = None) -> dict[str, str]:
    """sha256 of every file in a build (or of `paths` in it), keyed by its path relative to the
    build folder. Files are hashed on all cores at once (hashlib releases the GIL): the model
    copies are ~170 MB."""
    paths = sorted(_build_files(build_dir) if paths is None else paths,
                   key=lambda p: p.stat().st_size, reverse=True)  # the largest side by side
    with ThreadPoolExecutor(max_workers=os.cpu_count(), thread_name_prefix="sha256") as pool:
        digests = dict(zip(paths, pool.map(sha256_of, paths), strict=True))
    return {path.relative_to(build_dir).as_posix(): digests[path] for path in sorted(paths)}


def file_stats(build_dir: Path) -> dict[str, list[int]]:
    """[size, mtime in ns] of every file in a build, as the build left them."""
    return {path.relative_to(build_dir).as_posix(): _stat(path)
            for path in sorted(_build_files(build_dir))}


def _stat(path: Path) -> list[int]:
    status = path.stat()
    return [status.st_size, status.st_mtime_ns]


def corrupted_files(build_dir: Path, manifest: dict[str, Any]) -> list[str]:
    """The files that are missing, unexpected, or whose sha256 differs from the manifest's.
    The texts that quotes come from (the JSON files, under 1 MB) are always hashed. A model copy
    or vector file still of the size and modification time the build recorded is the file the
    build hashed (index files are written once and never touched again), so only those whose
    size or time changed (edited, damaged, copied without their times) are hashed again:
    checking takes milliseconds instead of hashing ~170 MB at every start."""
    expected: dict[str, str] = manifest.get("files", {})
    recorded: dict[str, list[int]] = manifest.get("file_stats", {})
    on_disk = {path.relative_to(build_dir).as_posix(): path for path in _build_files(build_dir)}
    changed = [path for name, path in on_disk.items()
               if name in expected
               and (path.suffix in QUOTED_TEXT_SUFFIXES or recorded.get(name) != _stat(path))]
    actual = {name: expected[name] for name in on_disk if name in expected}
    actual.update(file_checksums(build_dir, changed))
    return sorted(name for name in expected.keys() | on_disk.keys()
                  if expected.get(name) != actual.get(name))


def checked_build(index_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The live build folder and its manifest, once its format and every file's checksum are
    known to be right; otherwise `IndexNotReady` says what is wrong."""
    build_dir, manifest = live_build(index_dir)
    _refuse_damaged(build_dir, corrupted_files(build_dir, manifest))
    return build_dir, manifest


def load_index(index_dir: Path) -> LoadedIndex:
    """Load the live build, refusing one whose files do not match their recorded checksums."""
    with opened_index(index_dir) as index:
        return index


@contextmanager
def opened_index(
    index_dir: Path, live: tuple[Path, dict[str, Any]] | None = None
) -> Iterator[LoadedIndex]:
    """The live build (or `live`, what `live_build` returned to a caller that already started
    loading the build's models), read while its files' checksums are verified on another
    thread. Leaving the block waits for the verification and raises `IndexNotReady` if a file
    is damaged, also when the block failed first: a damaged file may be why it did."""
    build_dir, manifest = live or live_build(index_dir)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify") as pool:
        damaged = pool.submit(corrupted_files, build_dir, manifest)
        try:
            yield read_build(build_dir, manifest)
        except BaseException:
            _refuse_damaged(build_dir, damaged.result())
            raise
        _refuse_damaged(build_dir, damaged.result())


def live_build(index_dir: Path) -> tuple[Path, dict[str, Any]]:
    """The build behind `current` and its manifest, in the format this code reads."""
    build_dir = current_build(index_dir)
    manifest = read_manifest(build_dir) if build_dir else None
    if build_dir is None or manifest is None:
        raise IndexNotReady(f"No index in {index_dir}. {BUILD_HINT}")
    if manifest.get("format") != INDEX_FORMAT:
        raise IndexNotReady(f"The index in {index_dir} has an older format. {BUILD_HINT}")
    return build_dir, manifest


def _refuse_damaged(build_dir: Path, damaged: list[str]) -> None:
    if damaged:
        raise IndexNotReady(
            f"The index in {build_dir} is corrupted ({', '.join(damaged)} do not match "
            f"manifest.json). Rebuild it with `treaty-build-index --force`."
        )


def query_model_copy(build_dir: Path, manifest: dict[str, Any]) -> Path | None:
    """The build's ONNX copy of the embedding model, when it has one."""
    return build_dir / QUERY_MODEL_DIR if manifest.get("query_model") else None


def multilingual_model_copy(build_dir: Path, manifest: dict[str, Any]) -> Path | None:
    """The build's fast-loading copy of the multilingual model, when it has one."""
    return build_dir / MULTILINGUAL_MODEL_DIR if manifest.get("multilingual_query_model") else None


def read_build(build_dir: Path, manifest: dict[str, Any]) -> LoadedIndex:
    """A build's files as they are, unverified: `opened_index` verifies them. A build of this
    format whose rows this code cannot read (written by another version of treaty-bot, say a
    branch that added a field) is refused with `IndexNotReady`, like a damaged one."""
    try:
        return _read_build(build_dir, manifest)
    except (KeyError, TypeError, ValueError) as error:
        raise IndexNotReady(
            f"The index in {build_dir} was written by another version of treaty-bot and "
            f"cannot be read ({type(error).__name__}: {error}). Rebuild it with "
            "`treaty-build-index --force`."
        ) from error


def _read_build(build_dir: Path, manifest: dict[str, Any]) -> LoadedIndex:
    import faiss

    from bot.encoding.bm25 import Bm25

    treaty = Treaty.from_json(json.loads((build_dir / TREATY_JSON).read_text(encoding="utf-8")))
    chunks = [Chunk.from_json(row) for row in _read_lines(build_dir / CHUNKS)]
    aids = [SearchAid(**row) for row in _read_lines(build_dir / AIDS)]
    clauses = [Clause(**row) for row in _read_lines(build_dir / CLAUSES)]

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
        aid_words=Bm25.load(build_dir / AID_WORDS) if (build_dir / AID_WORDS).is_dir() else None,
        clauses=clauses,
        clause_vectors=faiss.read_index(str(build_dir / CLAUSE_VECTORS)),
        clause_multilingual_vectors=optional_vectors(CLAUSE_MULTILINGUAL_VECTORS),
        lexical=Bm25.load(build_dir / BM25_DIR),
        query_model=query_model_copy(build_dir, manifest),
        multilingual_model=multilingual_model_copy(build_dir, manifest),
        instruments=_read_instruments(build_dir, optional_vectors),
        cross_references=json.loads((build_dir / CROSS_REFERENCES).read_text(encoding="utf-8")),
        paragraph_aids=[ParagraphAid(**row) for row in _read_lines(build_dir / PARAGRAPH_AIDS)],
        paragraph_aid_vectors=Embedded(
            optional_vectors(PARAGRAPH_AID_VECTORS),
            optional_vectors(PARAGRAPH_AID_MULTILINGUAL_VECTORS),
        ),
        paragraph_aid_words={
            folder.name: Bm25.load(folder)
            for folder in sorted((build_dir / PARAGRAPH_AID_WORDS).glob("*"))
        },
        scope_examples=[ScopeExample(**row) for row in _read_lines(build_dir / SCOPE_EXAMPLES)],
        scope_example_vectors=Embedded(
            optional_vectors(SCOPE_EXAMPLE_VECTORS),
            optional_vectors(SCOPE_EXAMPLE_MULTILINGUAL_VECTORS),
        ),
    )


def _read_instruments(build_dir: Path, optional_vectors) -> Instruments:
    from bot.encoding.bm25 import Bm25

    documents = {
        document["id"]: document
        for document in json.loads(
            (build_dir / INSTRUMENTS_JSON).read_text(encoding="utf-8")
        )["documents"]
    }
    words = build_dir / INSTRUMENT_WORDS
    return Instruments(
        resolution=Resolution.from_json(documents[RESOLUTION_ID])
        if RESOLUTION_ID in documents else None,
        budapest=budapest_from_json(documents[BUDAPEST_ID]) if BUDAPEST_ID in documents else None,
        units=[InstrumentUnit.from_json(row) for row in _read_lines(build_dir / INSTRUMENT_UNITS)],
        vectors=optional_vectors(INSTRUMENT_VECTORS),
        multilingual_vectors=optional_vectors(INSTRUMENT_MULTILINGUAL_VECTORS),
        lexical=Bm25.load(words) if words.is_dir() else None,
    )


def _read_lines(path: Path) -> list[dict[str, Any]]:
    """The objects of a JSON-lines file; none when it is absent (an optional part)."""
    if not path.is_file():
        return []
    # One parse, not one a line (half the time). Rows end at "\n" only: a quote may hold the
    # other characters that str.splitlines() breaks at.
    rows = path.read_text(encoding="utf-8").rstrip("\n").split("\n")
    return json.loads(f"[{','.join(rows)}]") if rows != [""] else []


# --- Writing --------------------------------------------------------------------------------


def new_staging(index_dir: Path, build_id: str) -> Path:
    """The folder a build is written into, beside the live builds and invisible to readers."""
    staging = index_dir / BUILDS_DIR / f"{STAGING_PREFIX}{build_id}"
    staging.mkdir(parents=True)
    return staging


@dataclass(frozen=True)
class Embedded:
    """Rows embedded in the configured model's space and, when one is set, the multilingual
    one (None otherwise)."""

    vectors: Any
    multilingual: Any | None


def write_build(
    directory: Path,
    treaty: Treaty,
    chunks: Sequence[Chunk],
    chunk_vectors: Embedded,
    aids: Sequence[SearchAid],
    aid_vectors,
    clauses: Sequence[Clause],
    clause_vectors: Embedded,
    instruments: Instruments,
    instrument_vectors: Embedded,
    cross_references: dict[str, list[int]],
    paragraph_aids: Sequence[ParagraphAid],
    paragraph_aid_vectors: Embedded,
    scope_examples: Sequence[ScopeExample],
    scope_example_vectors: Embedded,
) -> None:
    """Every file of a build but the model copies and the manifest (`instruments` gives the
    documents and units; their vectors come in `instrument_vectors`)."""
    import faiss

    from bot.encoding.bm25 import Bm25

    def write_vectors(matrix, name: str) -> None:
        index = faiss.IndexFlatIP(matrix.shape[1])
        index.add(matrix)
        # Written by Python, not by faiss's C++ writer, so a full disk is an OSError like any
        # other failed write (faiss.read_index reads the same bytes).
        (directory / name).write_bytes(faiss.serialize_index(index).tobytes())

    treaty_json = json.dumps(treaty.to_json(), ensure_ascii=False, indent=1)
    (directory / TREATY_JSON).write_text(treaty_json, encoding="utf-8")
    _write_lines(directory / CHUNKS, [chunk.to_json() for chunk in chunks])
    write_vectors(chunk_vectors.vectors, VECTORS)
    if chunk_vectors.multilingual is not None:
        write_vectors(chunk_vectors.multilingual, MULTILINGUAL_VECTORS)
    if aids:
        _write_lines(directory / AIDS, [aid.to_json() for aid in aids])
        write_vectors(aid_vectors, AID_VECTORS)
        Bm25.build([aid_tokens(a.text, a.lang) for a in aids]).save(directory / AID_WORDS)
    _write_lines(directory / CLAUSES, [clause.to_json() for clause in clauses])
    write_vectors(clause_vectors.vectors, CLAUSE_VECTORS)
    if clause_vectors.multilingual is not None:
        write_vectors(clause_vectors.multilingual, CLAUSE_MULTILINGUAL_VECTORS)
    Bm25.build([tokenize(c.search_text) for c in chunks]).save(directory / BM25_DIR)
    documents = []
    if instruments.resolution is not None:
        documents.append({"id": RESOLUTION_ID, **instruments.resolution.to_json()})
    if instruments.budapest is not None:
        documents.append({"id": BUDAPEST_ID, **budapest_json(instruments.budapest)})
    (directory / INSTRUMENTS_JSON).write_text(
        json.dumps({"documents": documents}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    _write_lines(directory / INSTRUMENT_UNITS, [unit.to_json() for unit in instruments.units])
    if instruments.units:
        write_vectors(instrument_vectors.vectors, INSTRUMENT_VECTORS)
        if instrument_vectors.multilingual is not None:
            write_vectors(instrument_vectors.multilingual, INSTRUMENT_MULTILINGUAL_VECTORS)
        Bm25.build([tokenize(u.search_text) for u in instruments.units]).save(
            directory / INSTRUMENT_WORDS
        )
    (directory / CROSS_REFERENCES).write_text(json.dumps(cross_references), encoding="utf-8")
    if paragraph_aids:
        _write_lines(directory / PARAGRAPH_AIDS, [aid.to_json() for aid in paragraph_aids])
        write_vectors(paragraph_aid_vectors.vectors, PARAGRAPH_AID_VECTORS)
        if paragraph_aid_vectors.multilingual is not None:
            write_vectors(paragraph_aid_vectors.multilingual, PARAGRAPH_AID_MULTILINGUAL_VECTORS)
        (directory / PARAGRAPH_AID_WORDS).mkdir()
        for lang in dict.fromkeys(aid.lang for aid in paragraph_aids):
            Bm25.build(
                [aid_tokens(a.text, lang) for a in paragraph_aids if a.lang == lang]
            ).save(directory / PARAGRAPH_AID_WORDS / lang)
    if scope_examples:
        _write_lines(directory / SCOPE_EXAMPLES, [e.to_json() for e in scope_examples])
        write_vectors(scope_example_vectors.vectors, SCOPE_EXAMPLE_VECTORS)
        if scope_example_vectors.multilingual is not None:
            write_vectors(scope_example_vectors.multilingual, SCOPE_EXAMPLE_MULTILINGUAL_VECTORS)


def write_manifest(directory: Path, manifest: dict[str, Any]) -> None:
    """The manifest, with the checksum, size and modification time of every file written so
    far."""
    manifest = {**manifest, "files": file_checksums(directory), "file_stats": file_stats(directory)}
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def publish(index_dir: Path, staging: Path, build_id: str) -> Path:
    """Make a finished staging folder the live build in one rename of `current`, then drop
    builds older than the previous one."""
    builds = index_dir / BUILDS_DIR
    final = builds / build_id
    staging.rename(final)
    link = index_dir / CURRENT_LINK
    staged_link = index_dir / f".{CURRENT_LINK}-{build_id}"
    staged_link.symlink_to(final.relative_to(index_dir))
    os.replace(staged_link, link)
    older = sorted(p.name for p in builds.iterdir()
                   if p.is_dir() and p.name < build_id and not p.name.startswith("."))
    keep = {build_id, *older[-KEEP_PREVIOUS_BUILDS:]}
    for path in builds.iterdir():
        if path.is_dir() and path.name not in keep and not path.name.startswith(STAGING_PREFIX):
            shutil.rmtree(path, ignore_errors=True)
    return final


def _write_lines(path: Path, rows: Sequence[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
