"""Build the index from the treaty source: parse, validate, chunk, embed, write, swap in.

A build that would produce what is already there is skipped after hashing the source, without
loading a model. A real build writes a new folder beside the live one and replaces the
`current` link in a single rename, so readers never see a half-written index and a failed or
interrupted build leaves the previous one untouched.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.errors import TreatyBotError
from bot.index import store
from bot.index.chunking import CHUNKER_VERSION, chunk_treaty, clauses_of, instrument_units
from bot.index.search_aids import (
    ENGLISH,
    PARAGRAPH_AIDS_FILE,
    SCOPE_FILE,
    SEARCH_AIDS_FILE,
    TRANSLATED_PARAGRAPH_AIDS,
    ParagraphAid,
    described_units,
    load_paragraph_aids,
    load_scope_examples,
    load_search_aids,
)
from bot.settings import Settings
from bot.source.obtain import (
    TreatySource,
    read_treaty,
    resolve_budapest_source,
    resolve_source,
    sha256_of,
)
from bot.treaty.crossrefs import cross_references
from bot.treaty.instruments import (
    parse_budapest,
    parse_resolution,
    validate_budapest,
    validate_resolution,
)
from bot.treaty.layout import (
    ARTICLE_COUNT,
    BUDAPEST_ID,
    BUDAPEST_TITLE,
    CONVENTION_ID,
    CONVENTION_TITLE,
    RESOLUTION_ID,
    SYMBOL,
)
from bot.treaty.pages import with_pages
from bot.treaty.parsing import PARSER_VERSION, parse_treaty_text, validate

EXPORT_PROBES = 8  # chunks the query model's copy is checked against


class IndexBuildError(TreatyBotError, RuntimeError):
    """The build cannot go on; the message says why and what to do."""


@dataclass(frozen=True)
class BuildOutcome:
    built: bool
    message: str
    directory: Path | None


def fingerprint(
    source: TreatySource, settings: Settings, budapest: TreatySource | None = None
) -> dict[str, Any]:
    """What an index depends on: when any of it changes the index is stale."""
    return {
        "format": store.INDEX_FORMAT,
        "source_sha256": source.sha256,
        "verified": source.verified,
        "budapest_sha256": budapest.sha256 if budapest else None,
        "budapest_verified": budapest.verified if budapest else None,
        "parser_version": PARSER_VERSION,
        "chunker_version": CHUNKER_VERSION,
        "model": settings.embedding_model,
        "multilingual_model": settings.multilingual_model or None,
        "search_aids_sha256": sha256_of(SEARCH_AIDS_FILE) if SEARCH_AIDS_FILE.is_file() else None,
        "paragraph_aids_sha256": (
            sha256_of(PARAGRAPH_AIDS_FILE) if PARAGRAPH_AIDS_FILE.is_file() else None
        ),
        "translated_paragraph_aids_sha256": {
            lang: sha256_of(path) for lang, path in TRANSLATED_PARAGRAPH_AIDS.items()
            if path.is_file()
        },
        "scope_sha256": sha256_of(SCOPE_FILE) if SCOPE_FILE.is_file() else None,
    }


def staleness(index_dir: Path, wanted: dict[str, Any]) -> str | None:
    """Why the live index does not match `wanted`, or None when it does and is intact."""
    build_dir = store.current_build(index_dir)
    manifest = store.read_manifest(build_dir) if build_dir else None
    if build_dir is None or manifest is None:
        return f"there is no index in {index_dir}"
    changed = [key for key, value in wanted.items() if manifest.get(key) != value]
    if changed:
        return "the index was built from a different " + ", ".join(changed)
    damaged = store.corrupted_files(build_dir, manifest)
    if damaged:
        return f"index files do not match their checksums: {', '.join(damaged)}"
    return None


def index_staleness(settings: Settings) -> str | None:
    """For the bot's start-up check: uses only files on disk, never downloads."""
    source = resolve_source(
        settings.treaty_source,
        settings.cache_dir,
        expected_sha256=settings.treaty_source_sha256,
        allow_unverified=settings.treaty_allow_unverified,
        offline=True,
    )
    return staleness(settings.index_dir, fingerprint(source, settings, _budapest(settings)))


def _budapest(settings: Settings) -> TreatySource | None:
    return resolve_budapest_source(
        settings.budapest_source,
        expected_sha256=settings.budapest_source_sha256,
        allow_unverified=settings.treaty_allow_unverified,
    )


def build_index(
    settings: Settings,
    *,
    force: bool = False,
    show_progress: bool = True,
    report: Callable[[str], None] = print,
    interrupted: Callable[[], bool] = lambda: False,
) -> BuildOutcome:
    """Build into a staging folder and swap it in, unless `interrupted()` says, by then, that
    the build was interrupted (checked once more before the swap, whatever caught the signal's
    KeyboardInterrupt on the way)."""
    started = time.perf_counter()
    index_dir = settings.index_dir.expanduser()
    _prepare_index_dir(index_dir)
    source = resolve_source(
        settings.treaty_source,
        settings.cache_dir,
        expected_sha256=settings.treaty_source_sha256,
        allow_unverified=settings.treaty_allow_unverified,
        timeout_s=settings.download_timeout_s,
    )
    if not source.verified:
        report(f"Building from an unverified source ({source.origin}, sha256 {source.sha256}): "
               "the index is marked unverified, and /about and treaty-ask say so.")
    budapest_source = _budapest(settings)
    if budapest_source is not None and not budapest_source.verified:
        report(f"The Budapest text is unverified ({budapest_source.origin}, sha256 "
               f"{budapest_source.sha256}): the index is marked so.")
    wanted = fingerprint(source, settings, budapest_source)
    reason = staleness(index_dir, wanted)
    if reason is None and not force:
        return BuildOutcome(
            False,
            f"Index is up to date ({index_dir}, source sha256 {source.sha256[:12]}…, "
            f"model {settings.embedding_model}); nothing to do. Use --force to rebuild.",
            store.current_build(index_dir),
        )
    report(f"Building the index: {reason or 'rebuild requested (--force)'}.")
    previous = _previous_build(index_dir)

    source_text = read_treaty(source)
    text = source_text.text
    treaty = parse_treaty_text(text, source.sha256)
    validate(treaty, text)
    treaty = with_pages(treaty, text, source_text.line_pages)
    instruments = _instruments(source, source_text, budapest_source)
    references = cross_references(treaty, ARTICLE_COUNT)

    from bot.encoding.encoders import load_encoder, load_query_encoder

    encoder = load_encoder(settings.embedding_model)
    chunks = chunk_treaty(treaty, encoder.count_tokens, encoder.max_tokens)
    clauses = clauses_of(treaty)
    texts = [c.search_text for c in chunks]
    aids = load_search_aids() if settings.multilingual_model else []
    paragraph_aids = _checked_paragraph_aids(chunks)
    paragraph_aid_texts = [a.text for a in paragraph_aids]
    scope_examples = load_scope_examples()
    scope_texts = [e.text for e in scope_examples]
    clause_texts = [_clause_text(treaty, clause) for clause in clauses]
    unit_texts = [unit.search_text for unit in instruments.units]

    build_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    staging: Path | None = None
    try:
        staging = store.new_staging(index_dir, build_id)
        with (  # leaving it, the embedding stops before the pool waits for its thread
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="multilingual") as pool,
            _Embedding(show_progress) as embedding,
        ):
            pending = None
            if settings.multilingual_model:
                pending = pool.submit(
                    _multilingual, settings.multilingual_model,
                    _Texts(texts, clause_texts, aids, unit_texts, paragraph_aid_texts, scope_texts),
                    staging / store.MULTILINGUAL_MODEL_DIR, embedding, report, previous,
                )
            query_model = store.QUERY_MODEL_DIR
            not_copied = encoder.export_query_model(
                staging / store.QUERY_MODEL_DIR, [*texts[:EXPORT_PROBES], "Is hacking a crime?"]
            )
            if not_copied:
                query_model = None
                report(f"Questions will be encoded with sentence-transformers, which starts "
                       f"slower: {not_copied}.")
            # The copy gives the model's vectors (checked on the probes) three times faster:
            # one text at a time, without padding, on ONNX Runtime; on every core, since the
            # multilingual thread beside it has less to do and is done well before this one.
            embedder = (load_query_encoder(settings.embedding_model, staging / query_model,
                                           threads=_cores())
                        if query_model else encoder)
            known = previous.vectors(store.QUERY_MODEL_DIR, staging) if query_model else {}
            vectors = embedding.run(texts, embedder.encode, "Embedding", known)
            clause_vectors = embedding.run(clause_texts, embedder.encode, "Clauses", known)
            unit_vectors = (embedding.run(unit_texts, embedder.encode, "Instruments", known)
                            if unit_texts else None)  # none: a text source without Budapest
            # The configured (English) model reads the English entries only.
            english_aid_texts = [a.text for a in paragraph_aids if a.lang == ENGLISH]
            paragraph_aid_vectors = (
                embedding.run(english_aid_texts, embedder.encode, "Paragraph aids", known)
                if english_aid_texts else None
            )
            scope_vectors = (embedding.run(scope_texts, embedder.encode, "Scope examples", known)
                             if scope_texts else None)
            multilingual, clause_multilingual, aid_vectors, unit_multilingual, \
                paragraph_aid_multilingual, scope_multilingual, copy = (
                    pending.result() if pending else (None,) * 7
                )
        if embedding.reused:
            report(f"Reused {embedding.reused} vectors of the previous build (its model copies "
                   f"are the same); embedded {embedding.encoded} texts.")
        store.write_build(
            staging, treaty, chunks, store.Embedded(vectors, multilingual), aids, aid_vectors,
            clauses, store.Embedded(clause_vectors, clause_multilingual),
            instruments, store.Embedded(unit_vectors, unit_multilingual), references,
            paragraph_aids, store.Embedded(paragraph_aid_vectors, paragraph_aid_multilingual),
            scope_examples, store.Embedded(scope_vectors, scope_multilingual),
        )
        store.write_manifest(staging, {
            **wanted,
            "build_id": build_id,
            "source": _describe_source(source),
            "embedding_dimension": int(vectors.shape[1]),
            "query_model": query_model,
            "multilingual_query_model": copy,
            "instruments": _describe_instruments(source, instruments, budapest_source),
            "document_count": 2 + len(_loaded(instruments)),
            "article_count": len(treaty.articles),
            "note_count": len(treaty.notes),
            "chunk_count": len(chunks),
            "clause_count": len(clauses),
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "build_seconds": round(time.perf_counter() - started, 2),
        })
        if interrupted():
            raise KeyboardInterrupt
        final = store.publish(index_dir, staging, build_id)
    except BaseException as error:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if isinstance(error, OSError):
            raise IndexBuildError(
                f"cannot write the index in {index_dir} ({error.strerror or error}); the "
                "previous index is untouched. Check the folder's permissions and free space, "
                "or set INDEX_DIR to a writable folder."
            ) from error
        raise
    elapsed = time.perf_counter() - started
    return BuildOutcome(
        True,
        f"Index built in {elapsed:.1f} s: {2 + len(_loaded(instruments))} documents "
        f"({', '.join(['convention', 'interpretative notes', *_loaded(instruments)])}), "
        f"{len(treaty.articles)} articles, {len(treaty.notes)} notes, {len(chunks)} chunks, "
        f"model {settings.embedding_model} → {final}",
        final,
    )


def _prepare_index_dir(index_dir: Path) -> None:
    if not index_dir.parent.is_dir():
        raise IndexBuildError(
            f"the folder that should hold INDEX_DIR does not exist: {index_dir.parent}. "
            "Create it, or set INDEX_DIR to a path inside an existing folder."
        )
    try:
        index_dir.mkdir(exist_ok=True)
        probe = index_dir / f".write-test-{os.getpid()}"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise IndexBuildError(
            f"INDEX_DIR {index_dir} is not writable ({error.strerror or error}). Fix its "
            "permissions or set INDEX_DIR to a writable folder; the previous index is untouched."
        ) from error


@dataclass(frozen=True)
class _Texts:
    """What the multilingual model embeds, by kind."""

    chunks: list[str]
    clauses: list[str]
    aids: list
    units: list[str]
    paragraph_aids: list[str]
    scope_examples: list[str]


def _multilingual(
    name: str, texts: _Texts, copy: Path, embedding: _Embedding,
    report: Callable[[str], None], previous: _PreviousBuild,
) -> tuple[Any, Any, Any, Any, Any, Any, str | None]:
    """The chunks, the clauses, the search aids, the other instruments' units, the paragraph
    aids and the scope examples in the multilingual space, and the model's copy for questions
    (or None): on its own thread, beside the configured model's embedding."""
    from bot.encoding.encoders import load_encoder

    encoder = load_encoder(name)
    not_copied = encoder.export_query_model(
        copy, [*texts.chunks[:EXPORT_PROBES],
               *_spread([a.text for a in texts.aids], EXPORT_PROBES), "Is hacking a crime?"],
    )
    if not_copied:
        report(f"Questions will be encoded with the packaged multilingual model, which starts "
               f"slower: {not_copied}.")
    known = {} if not_copied else previous.vectors(store.MULTILINGUAL_MODEL_DIR, copy.parent)
    vectors = embedding.run(texts.chunks, encoder.encode, "Multilingual", known)
    clause_vectors = embedding.run(texts.clauses, encoder.encode, "Clauses (multilingual)", known)
    aid_vectors = embedding.run([a.text for a in texts.aids], encoder.encode, "Search aids", known)
    unit_vectors = (
        embedding.run(texts.units, encoder.encode, "Instruments (multilingual)", known)
        if texts.units else None
    )
    paragraph_aid_vectors = (
        embedding.run(texts.paragraph_aids, encoder.encode, "Paragraph aids (multilingual)",
                      known)
        if texts.paragraph_aids else None
    )
    scope_vectors = (
        embedding.run(texts.scope_examples, encoder.encode, "Scope examples (multilingual)",
                      known)
        if texts.scope_examples else None
    )
    return (vectors, clause_vectors, aid_vectors, unit_vectors, paragraph_aid_vectors,
            scope_vectors, None if not_copied else copy.name)


# A model copy's folder -> a build's matrices in its space: (the texts its rows embed, matrix).
_MATRICES: dict[str, tuple[tuple[str, Callable[[store.LoadedIndex], Any]], ...]] = {
    store.QUERY_MODEL_DIR: (
        ("chunks", lambda index: index.vectors),
        ("clauses", lambda index: index.clause_vectors),
        ("units", lambda index: index.instruments.vectors),
        ("english_paragraph_aids", lambda index: index.paragraph_aid_vectors.vectors),
        ("scope_examples", lambda index: index.scope_example_vectors.vectors),
    ),
    store.MULTILINGUAL_MODEL_DIR: (
        ("chunks", lambda index: index.multilingual_vectors),
        ("clauses", lambda index: index.clause_multilingual_vectors),
        ("aids", lambda index: index.aid_vectors),
        ("units", lambda index: index.instruments.multilingual_vectors),
        ("paragraph_aids", lambda index: index.paragraph_aid_vectors.multilingual),
        ("scope_examples", lambda index: index.scope_example_vectors.multilingual),
    ),
}


class _PreviousBuild:
    """The live build's vectors, by text, in each space whose model copy this build made the
    same to the byte (same model, same libraries): the vector of a text the live build embedded
    is then the one this build would compute (to the bit on ONNX Runtime, one text at a time;
    for USE, whose batches fall differently, to the last bits), so only new texts are
    embedded. Read only when the live build is intact and of this format."""

    def __init__(self, build_dir: Path | None, manifest: dict[str, Any] | None) -> None:
        self._build_dir = build_dir
        self._manifest = manifest or {}
        self._index: store.LoadedIndex | None = None
        self._texts: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def vectors(self, model_copy: str, staging: Path) -> dict[str, Any]:
        """Text -> vector in the space of `staging`'s copy `model_copy`, or {} when the live
        build's copy differs (or there is no usable live build)."""
        if self._build_dir is None or not self._same_copy(model_copy, staging):
            return {}
        try:
            index = self._read()
        except store.IndexNotReady:  # written by another version: embed everything anew
            return {}
        known: dict[str, Any] = {}
        for kind, matrix_of in _MATRICES[model_copy]:
            texts, matrix = self._texts[kind], matrix_of(index)
            if matrix is not None and matrix.ntotal == len(texts):
                known.update(zip(texts, matrix.reconstruct_n(0, matrix.ntotal), strict=True))
        return known

    def _same_copy(self, model_copy: str, staging: Path) -> bool:
        recorded = {name: digest for name, digest in self._manifest.get("files", {}).items()
                    if name.startswith(f"{model_copy}/")}
        made = [path for path in (staging / model_copy).rglob("*") if path.is_file()]
        return bool(recorded) and store.file_checksums(staging, made) == recorded

    def _read(self) -> store.LoadedIndex:
        """The live build, and the texts its rows embed, read once: both embedding threads
        may ask."""
        with self._lock:
            if self._index is None:
                assert self._build_dir is not None
                index = store.read_build(self._build_dir, self._manifest)
                self._texts = {
                    "chunks": [c.search_text for c in index.chunks],
                    "clauses": [_clause_text(index.treaty, c) for c in index.clauses],
                    "aids": [a.text for a in index.aids],
                    "units": [u.search_text for u in index.instruments.units],
                    "paragraph_aids": [a.text for a in index.paragraph_aids],
                    "english_paragraph_aids": [
                        a.text for a in index.paragraph_aids if a.lang == ENGLISH
                    ],
                    "scope_examples": [e.text for e in index.scope_examples],
                }
                self._index = index
            return self._index


def _previous_build(index_dir: Path) -> _PreviousBuild:
    try:
        return _PreviousBuild(*store.checked_build(index_dir))
    except store.IndexNotReady:  # none, of another format, or damaged: nothing to reuse
        return _PreviousBuild(None, None)


class _Embedding:
    """What the embeddings running side by side share: one progress display (rich allows one
    at a time), and a stop: when the build fails or is interrupted (Ctrl-C reaches only the
    main thread), the other embedding stops at its next batch instead of running on."""

    BATCH = 32

    def __init__(self, show_progress: bool) -> None:
        self._show = show_progress
        self._progress = None
        self._stopped = threading.Event()
        self._counting = threading.Lock()
        self.encoded = 0  # distinct texts encoded, over every run
        self.reused = 0  # distinct texts whose vector was known

    def __enter__(self) -> _Embedding:
        if self._show:
            from rich.progress import Progress

            self._progress = Progress(transient=True)
            self._progress.start()
        return self

    def __exit__(self, *failure: object) -> None:
        self._stopped.set()
        if self._progress is not None:
            self._progress.stop()

    def run(
        self, texts: list[str], encode: Callable[[list[str]], Any], label: str,
        known: Mapping[str, Any] | None = None,
    ):
        """The texts' vectors, in order: each distinct text encoded once, and not at all when
        `known` has its vector already."""
        import numpy as np

        known = known or {}
        distinct = list(dict.fromkeys(texts))
        missing = [text for text in distinct if text not in known]
        task = self._progress.add_task(label, total=len(missing)) if self._progress else None
        parts = []
        for start in range(0, len(missing), self.BATCH):
            if self._stopped.is_set():
                raise IndexBuildError("the build stopped")
            parts.append(encode(missing[start : start + self.BATCH]))
            if self._progress is not None:
                self._progress.advance(task, len(parts[-1]))
        encoded = dict(zip(missing, np.vstack(parts), strict=True)) if parts else {}
        with self._counting:
            self.encoded += len(missing)
            self.reused += len(distinct) - len(missing)
        return np.vstack([encoded[text] if text in encoded else known[text] for text in texts])


def _cores() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _spread(items: list[str], count: int) -> list[str]:
    """`count` items from across the list (the search aids are grouped by language)."""
    step = max(1, len(items) // count)
    return items[::step][:count]


def _checked_paragraph_aids(
    chunks: list, files: Mapping[str, Path] | None = None
) -> list[ParagraphAid]:
    """The paragraph aids, English first, then those of each other language with a file
    (`files`: by language), each of which must describe a unit of the index: a key that names
    no paragraph would silently help nothing."""
    if files is None:
        files = {ENGLISH: PARAGRAPH_AIDS_FILE} | {
            lang: path for lang, path in TRANSLATED_PARAGRAPH_AIDS.items() if path.is_file()
        }
    aids = []
    for lang, path in files.items():
        loaded = load_paragraph_aids(path, lang)
        described = {row for row, _ in described_units(loaded, chunks)}
        for row, aid in enumerate(loaded):
            if row not in described:
                raise IndexBuildError(
                    f"{path}: [{aid.article}] \"{aid.key}\" names no paragraph of "
                    f"Article {aid.article}: fix the key, or remove the entry."
                )
        aids.extend(loaded)
    return aids


def _clause_text(treaty, clause) -> str:
    paragraph = treaty.article(clause.article).paragraphs[clause.paragraph]
    return paragraph.text[clause.start : clause.end]


def _describe_source(source: TreatySource) -> dict[str, Any]:
    return {
        "origin": source.origin,
        "sha256": source.sha256,
        "is_pdf": source.is_pdf,
        "verified": source.verified,
    }


def _instruments(
    source: TreatySource, source_text, budapest_source: TreatySource | None
) -> store.Instruments:
    """The resolution (read from the official PDF's first pages; a text source has none) and
    the Budapest Convention (from BUDAPEST_SOURCE), parsed and validated."""
    resolution = None
    if source_text.resolution:
        resolution = parse_resolution(
            source_text.resolution, source.sha256, source_text.resolution_line_pages
        )
        validate_resolution(resolution)
    budapest = None
    if budapest_source is not None:
        text = budapest_source.path.read_text(encoding="utf-8")  # UTF-8 checked on resolving
        budapest = parse_budapest(text, budapest_source.sha256)
        validate_budapest(budapest, text)
    return store.Instruments(resolution, budapest, instrument_units(resolution, budapest),
                             None, None, None)


def _loaded(instruments: store.Instruments) -> list[str]:
    return [document for document, loaded in ((RESOLUTION_ID, instruments.resolution),
                                              (BUDAPEST_ID, instruments.budapest)) if loaded]


def _describe_instruments(
    source: TreatySource, instruments: store.Instruments, budapest: TreatySource | None
) -> list[dict[str, Any]]:
    """The instruments the index holds, each with the sha256 of the file it was read from:
    what /about and `treaty-ask --json` name."""
    described = [{"id": CONVENTION_ID, "title": CONVENTION_TITLE, "symbol": SYMBOL,
                  "sha256": source.sha256, "verified": source.verified}]
    if instruments.resolution is not None:
        described.append({"id": RESOLUTION_ID, "title": f"General Assembly resolution {SYMBOL}",
                          "symbol": SYMBOL, "sha256": source.sha256,
                          "verified": source.verified})
    if instruments.budapest is not None and budapest is not None:
        described.append({"id": BUDAPEST_ID, "title": BUDAPEST_TITLE,
                          "symbol": instruments.budapest.symbol, "sha256": budapest.sha256,
                          "verified": budapest.verified})
    return described
